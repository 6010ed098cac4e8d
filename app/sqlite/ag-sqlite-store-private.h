/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <sqlite3.h>

#include "ag-sealer.h"
#include "ag-secret.h"
#include "ag-sqlite-ledger.h"
#include "ag-sqlite-store.h"
#include "ag-sqlite-util.h"

G_BEGIN_DECLS

/* The schema version this code writes and reads (meta key `schema-version`). */
#define AG_SQLITE_STORE_SCHEMA_VERSION 1

/*
 * The sealed fields of one customer are packed into the BLOB `customer.fields`, in
 * AgPiiKind order, as a sequence of entries:
 *
 *   kind (1 byte) · mask length (LEB128) · mask (UTF-8) · sealed length (LEB128) · sealed
 *
 * where `sealed` is ag_sealer_seal_into() output bound to the customer id and the kind.
 */

/* Finds the entry of @kind in a packed fields blob. Returns %FALSE when it is absent or
 * the blob is malformed. */
gboolean
ag_sqlite_store_fields_find (const guint8 *blob, gsize blob_len, AgPiiKind kind, const char **mask,
                             gsize *mask_len, const guint8 **sealed, gsize *sealed_len);

/* DEVELOPMENT comes from config.h, which every .c includes first; without it the
 * declaration is absent, as in a release build. */
#if DEVELOPMENT
/* Development builds only: unseals the value of @kind of customer @id without the ledger
 * entry the real reveal path writes first (DESIGN §5). Release builds do not have it, so
 * no code in them can open a value without ledgering it; tests use ag_store_reveal(). */
AgSecret *
ag_sqlite_store_unseal_for_testing (AgSqliteStore *self, const char *id, AgPiiKind kind,
                                    GError **error);
#endif

/* Test-only: ag_sqlite_store_open() on the registered SQLite VFS named @vfs, e.g. one that
 * injects write and sync faults. */
AgSqliteStore *
ag_sqlite_store_open_with_vfs (const char *path, AgSqliteStoreFlags flags, const char *vfs,
                               GCancellable *cancellable, GError **error);

/* The store's state, shared by its files: ag-sqlite-store.c (opening, keys, the store
 * interface), -head.c (the rollback anchor), -search.c, -import.c (the packed fields and
 * the bulk import) and -reveal.c (ledger writes, the reveal and its quota). */

struct _AgSqliteStore
{
  GObject parent_instance;

  char *path;
  char *store_id;
  AgLedgerMode mode; /* meta key `mode`; a store without it is live */

  /* Guards the connection and every statement: one user at a time. */
  GMutex lock;
  sqlite3 *db;
  AgSqliteLedger ledger_storage; /* the ledger's tables in @db */
  AgSealer *sealer;
  /* NULL when the ledger cannot be written (its MAC key is gone): the store still
   * searches, but every reveal and event fails with @ledger_error as its cause. */
  AgLedger *ledger;
  GError *ledger_error;
  /* The rollback anchor (DESIGN §5): the newest entry this connection recorded in the
   * Secret Service, and, when the ledger is behind or forked from the recorded one, why
   * (the store is then open for audit only). */
  GError *rollback_error;
  /* The recorder of the head (_ag_sqlite_store_advance_head()), under @head_lock: the newest sealed
   * head waiting, whether the thread runs, the newest recorded, the last failure. */
  GMutex head_lock;
  GCond head_cond;
  GThreadPool *head_recorder;
  guint8 pending_head[AG_LEDGER_SEALED_HEAD_BYTES];
  guint64 pending_seq;
  gboolean head_pending;
  gboolean head_running;
  guint64 recorded_seq;
  GError *head_error;
  /* Under @lock: the newest entry this connection knows is durable and authentic (the
   * head checked at open, then each of its own commits); every write transaction first
   * checks the file still holds it. And why the head could not be checked at open when
   * it was not a rollback (the Secret Service did not answer): accesses retry it. */
  AgLedgerHead known_head;
  GError *head_unchecked;
  /* The newest entry the last check of the quota window verified, and the data_version
   * then (_ag_sqlite_store_check_recent()). */
  AgLedgerHead window_top;
  gint64 window_version;
  gboolean window_valid;

  sqlite3_stmt *insert_customer;
  sqlite3_stmt *insert_name;
  sqlite3_stmt *insert_blind;
  sqlite3_stmt *select_by_id;
  sqlite3_stmt *select_by_rowid;
  sqlite3_stmt *select_blind;
  sqlite3_stmt *select_name;
  sqlite3_stmt *select_count;
  sqlite3_stmt *count_reveals;
  sqlite3_stmt *count_searches;

  /* Frames in the WAL after the last commit (sqlite3_wal_hook), and whether a background
   * checkpoint is on its way; under @lock. */
  int wal_frames;
  gboolean checkpoint_scheduled;
};

#define LEDGER_STORAGE(self) (&(self)->ledger_storage.parent)

#define CACHE_PAGES_NORMAL "-4096" /* 4 MiB: keeps a search process small. */

/* The store's meta says that its head is recorded in the Secret Service. */
#define HEAD_META_KEY   "ledger-head"
#define HEAD_META_VALUE "secret-service"

/* ag-sqlite-store.c */
void
_ag_sqlite_store_set_error (GError **error, sqlite3 *db, int rc, const char *what);
gboolean
_ag_sqlite_store_exec (AgSqliteStore *self, const char *sql, GError **error);
/* A persistent statement in @stmt. */
gboolean
_ag_sqlite_store_prepare (AgSqliteStore *self, sqlite3_stmt **stmt, const char *sql,
                          GError **error);
gboolean
_ag_sqlite_store_write_meta (AgSqliteStore *self, const char *key, const char *value,
                             GError **error);

/* ag-sqlite-store-head.c: the rollback anchor. The _locked ones run under @lock. */
gboolean
_ag_sqlite_store_record_head (AgSqliteStore *self, const AgLedgerHead *head,
                              GCancellable *cancellable, GError **error);
void
_ag_sqlite_store_advance_head (AgSqliteStore *self, const AgLedgerEntry *last);
void
_ag_sqlite_store_wait_for_head (AgSqliteStore *self);
gboolean
_ag_sqlite_store_check_head (AgSqliteStore *self, GCancellable *cancellable, guint64 *first_bad_seq,
                             GError **error);
gboolean
_ag_sqlite_store_check_head_recorded (AgSqliteStore *self, GError **error);
gboolean
_ag_sqlite_store_check_known_head (AgSqliteStore *self, GError **error);
gboolean
_ag_sqlite_store_check_recent (AgSqliteStore *self, gint64 time_us, GError **error);
gboolean
_ag_sqlite_store_check_not_rolled_back (AgSqliteStore *self, GError **error);

/* ag-sqlite-store-info.c: the mode and what ag_store_get_info() tells. */
#define MODE_META_KEY "mode"
gboolean
_ag_sqlite_store_load_mode (AgSqliteStore *self, GError **error);
void
_ag_sqlite_store_init_info (AgStoreInterface *iface);

/* ag-sqlite-store-import.c */
AgRecord *
_ag_sqlite_store_record_from_row (sqlite3_stmt *stmt, int first, GError **error);
void
_ag_sqlite_store_init_import (AgStoreInterface *iface);

/* ag-sqlite-store-reveal.c */
gboolean
_ag_sqlite_store_check_ledger (AgSqliteStore *self, GError **error);
void
_ag_sqlite_store_set_ledger_error (GError **error, GError *cause);
gboolean
_ag_sqlite_store_commit_or_roll_back (AgSqliteStore *self, GError **error);
gboolean
_ag_sqlite_store_append (AgSqliteStore *self, AgLedgerEntry *entry, GError **error);
/* How many @event entries of @user the ledger holds from an hour before @time_us. */
gboolean
_ag_sqlite_store_count_last_hour (AgSqliteStore *self, sqlite3_stmt **stmt, const char *sql,
                                  const char *user, AgLedgerEvent event, gint64 time_us,
                                  gint64 *count, GError **error);
void
_ag_sqlite_store_init_reveal (AgStoreInterface *iface);

/* ag-sqlite-store-search.c */
/* The error of a step on the customer of an id that gave no row: SQLITE_DONE is no
 * such customer. */
void
_ag_sqlite_store_set_customer_error (AgSqliteStore *self, int rc, GError **error);
void
_ag_sqlite_store_init_search (AgStoreInterface *iface);

G_END_DECLS
