/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-pg.h"
#include "ag-store.h"

G_BEGIN_DECLS

#define AG_TYPE_PG_STORE (ag_pg_store_get_type ())

G_DECLARE_FINAL_TYPE (AgPgStore, ag_pg_store, AG, PG_STORE, GObject)

/* Opens the PostgreSQL store at @uri (a libpq URI: `postgresql://…`,
 * `postgresql:///DB?host=/socket/dir`) and runs the startup self-check; the schema is made
 * by `agent-guard-admin pg init`, never here. */
AgPgStore *
ag_pg_store_open (const char *uri, GCancellable *cancellable, GError **error);

/* The startup self-check (DESIGN §7) on the store's connection: the role cannot read the
 * value column, reveal() is SECURITY DEFINER with its search_path pinned, PUBLIC holds
 * nothing. AG_PG_ERROR_UNSAFE naming each unsafe grant otherwise. */
gboolean
ag_pg_store_check (AgPgStore *self, GError **error);

/* Listens for the floor's policy changes (NOTIFY agent_guard_policy) on a connection of
 * its own, watched in the thread-default main context of the call: emits
 * ::policy-changed with the version in force once listening (again after every
 * reconnect) and with each new version announced. Connects in a worker thread. */
void
ag_pg_store_listen_policy (AgPgStore *self);

/* The database role the store signs in as (session_user): the ledger's attribution. */
const char *
ag_pg_store_get_user (AgPgStore *self);

G_END_DECLS
