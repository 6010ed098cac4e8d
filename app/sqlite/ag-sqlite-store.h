/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-ledger.h"
#include "ag-store.h"

G_BEGIN_DECLS

#define AG_TYPE_SQLITE_STORE (ag_sqlite_store_get_type ())

G_DECLARE_FINAL_TYPE (AgSqliteStore, ag_sqlite_store, AG, SQLITE_STORE, GObject)

typedef enum
{
  AG_SQLITE_STORE_OPEN_DEFAULT = 0,
  AG_SQLITE_STORE_OPEN_CREATE = 1 << 0,
  /* A store created records the training mode (meta key `mode`). */
  AG_SQLITE_STORE_OPEN_TRAINING = 1 << 1,
} AgSqliteStoreFlags;

/* Opens the store at @path (creating it with its keys when @flags has CREATE); fails
 * with AG_KEYRING_ERROR_UNAVAILABLE when no Secret Service answers. */
AgSqliteStore *
ag_sqlite_store_open (const char *path, AgSqliteStoreFlags flags, GCancellable *cancellable,
                      GError **error);
const char *
ag_sqlite_store_get_path (AgSqliteStore *self);
const char *
ag_sqlite_store_get_store_id (AgSqliteStore *self);

/* The audit ledger (AgLedger) of the store. append_event commits the entry in a
 * transaction of its own with synchronous=FULL and then mirrors it to the journal. */
gboolean
ag_sqlite_store_append_event (AgSqliteStore *self, AgLedgerEntry *entry, GError **error);
gboolean
ag_sqlite_store_verify_ledger (AgSqliteStore *self, guint64 *n_entries, guint64 *first_bad_seq,
                               GError **error);
gboolean
ag_sqlite_store_check_journal (AgSqliteStore *self, const char *directory, guint64 *n_compared,
                               guint64 *journal_seq, guint64 *first_bad_seq, GError **error);
gboolean
ag_sqlite_store_foreach_event (AgSqliteStore *self, const AgLedgerFilter *filter,
                               AgLedgerEntryFunc func, gpointer user_data, GError **error);
gboolean
ag_sqlite_store_prune_ledger (AgSqliteStore *self, guint retention_days, AgLedgerEntry *record,
                              guint64 *n_pruned, GError **error);

G_END_DECLS
