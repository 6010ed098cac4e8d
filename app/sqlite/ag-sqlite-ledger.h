/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <sqlite3.h>

#include "ag-ledger-private.h"

G_BEGIN_DECLS

/* The ledger's storage in an SQLite database (AgLedgerStorage): the `ledger` and
 * `ledger_meta` tables of the caller's connection, which it borrows. */
typedef struct
{
  AgLedgerStorage parent;
  sqlite3 *db;
} AgSqliteLedger;

void
ag_sqlite_ledger_init (AgSqliteLedger *self, sqlite3 *db);

/* Creates the `ledger` and `ledger_meta` tables and their insert-only triggers in @db
 * when they are not there yet. Call it inside the caller's schema transaction or alone. */
gboolean
ag_sqlite_ledger_ensure_schema (sqlite3 *db, GError **error);
gboolean
ag_sqlite_ledger_ensure_schema_with_mac (sqlite3 *db, AgLedgerMac mac, GError **error);
/* Brings the ledger of an older version up to date (the `ledger_prune` table goes). */
gboolean
ag_sqlite_ledger_upgrade_schema (sqlite3 *db, GError **error);
/* Whether @db has a ledger with entries or an anchor (so its MAC key must exist). */
gboolean
ag_sqlite_ledger_is_empty (sqlite3 *db, GError **error);

/* Appends @entry (ag_ledger_chain()) and inserts it. The caller holds a write
 * transaction on @db (BEGIN IMMEDIATE) and commits it; the entry is durable only after
 * that commit. Then call ag_ledger_mirror(). */
gboolean
ag_sqlite_ledger_append (AgLedger *ledger, sqlite3 *db, AgLedgerEntry *entry, GError **error);

/* ag_ledger_verify() in a read transaction of its own unless @db is in one. */
gboolean
ag_sqlite_ledger_verify (AgLedger *ledger, sqlite3 *db, guint64 *n_entries, guint64 *first_bad_seq,
                         GError **error);

/* ag_ledger_foreach() over @db. */
gboolean
ag_sqlite_ledger_foreach (sqlite3 *db, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                          gpointer user_data, GError **error);

/* Deletes the entries older than @retention_days before @now_us (0 = now) in its own
 * transaction, after verifying the whole chain; the newest entry always stays. The
 * last deleted entry becomes the MACed anchor that verification starts from. @record is
 * the `prune` entry appended in the same transaction, its cause set to
 * "range=A..B retention-days=D removed=N" (or "retention-days=D removed=0"): a prune
 * never happens without its entry, and verification checks that the anchor is B. */
gboolean
ag_sqlite_ledger_prune (AgLedger *ledger, sqlite3 *db, guint retention_days, gint64 now_us,
                        AgLedgerEntry *record, guint64 *n_pruned, GError **error);

G_END_DECLS
