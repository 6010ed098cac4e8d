/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-pg-conn-private.h"
#include "ag-pg-store.h"

G_BEGIN_DECLS

struct _AgPgStore
{
  GObject parent_instance;

  /* One connection, one call at a time. */
  GMutex lock;
  char *uri;
  PGconn *conn; /* NULL while disconnected */
  char *store_id;
  char *user;
  /* Reconnecting after a lost connection: not before @retry_us, waiting longer after
   * each failure. */
  guint failures;
  gint64 retry_us;

  /* The policy listener (ag-pg-store-listen.c), in its main context. */
  GMainContext *listen_context;
  PGconn *listen_conn;
  GSource *listen_source;
  GSource *listen_retry;
  GCancellable *listen_cancellable;
  guint listen_failures;
};

enum
{
  AG_PG_STORE_SIGNAL_POLICY_CHANGED,
  AG_PG_STORE_N_SIGNALS
};

extern guint _ag_pg_store_signals[AG_PG_STORE_N_SIGNALS];

void
_ag_pg_store_stop_listening (AgPgStore *self);

/* The connection, connecting again (with backoff) when it was lost; NULL with @error
 * (AG_STORE_ERROR_IO) when there is none. Called with the lock held. */
PGconn *
_ag_pg_store_conn (AgPgStore *self, GError **error);

/* Runs @sql on the store's connection (lock held); a lost connection is dropped, to be
 * made again by the next call, and every failure becomes an AG_STORE_ERROR: @code, or
 * AG_STORE_ERROR_IO when the connection went away. */
PGresult *
_ag_pg_store_exec (AgPgStore *self, AgStoreError code, const char *what, const char *sql,
                   int n_params, const char *const *params, GError **error);

/* ROLLBACK, best effort, when a transaction failed half-way. */
void
_ag_pg_store_rollback (AgPgStore *self);

void
_ag_pg_store_init_ledger (AgStoreInterface *iface);

G_END_DECLS
