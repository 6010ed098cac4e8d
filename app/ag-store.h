/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-customer.h"
#include "ag-ledger.h"
#include "ag-record.h"
#include "ag-secret.h"

G_BEGIN_DECLS

#define AG_TYPE_STORE (ag_store_get_type ())

G_DECLARE_INTERFACE (AgStore, ag_store, AG, STORE, GObject)

/* What ag_store_get_info() tells about a store: @format names the backend ("sqlite") and
 * @format_version its schema version; @mode is the one the store was created in. The
 * strings are the store's, valid while it is. */
typedef struct
{
  const char *format;
  guint format_version;
  AgLedgerMode mode;
  gint64 n_records;
  gint64 n_ledger_entries;
} AgStoreInfo;

#define AG_STORE_ERROR (ag_store_error_quark ())

typedef enum
{
  AG_STORE_ERROR_FAILED,
  AG_STORE_ERROR_NOT_FOUND,
  AG_STORE_ERROR_DUPLICATE_ID,
  AG_STORE_ERROR_INVALID_DATA,
  AG_STORE_ERROR_IO,
  AG_STORE_ERROR_CORRUPT,
  /* A reveal was refused because the agent's max-reveals-per-hour is used up, or a
   * search by an identifier because max-identifier-searches-per-hour is. */
  AG_STORE_ERROR_QUOTA_EXCEEDED,
  /* The ledger entry could not be made durable (disk full, I/O error, read-only file,
   * MAC key missing): nothing that depended on it happened. */
  AG_STORE_ERROR_LEDGER,
  /* The store's ledger is behind the head recorded outside it (or forked from it, or
   * the record is missing or does not verify): entries were cut off or an older copy of
   * the store was put back. The store opens for audit only: reveals, searches by an
   * identifier and sign-ins are refused. */
  AG_STORE_ERROR_ROLLED_BACK,
  /* The store was made for the other mode (AgLedgerMode): a training store opens only in
   * training mode, a live one only in live mode. */
  AG_STORE_ERROR_MODE_MISMATCH,
  /* A training store takes only AgSynth's customers (ag_synth_source()): nothing else is
   * imported into it. */
  AG_STORE_ERROR_NOT_SYNTHETIC,
} AgStoreError;

/* Default and largest number of results one search returns. */
#define AG_STORE_SEARCH_LIMIT 50

/**
 * AgStoreInterface:
 *
 * Where customer records live. Implementations provide the blocking vfuncs and must be
 * safe to call from any one thread at a time; the async wrappers run them in a GTask
 * thread. The UI and the CLI never know which implementation they hold.
 */
struct _AgStoreInterface
{
  GTypeInterface parent_iface;

  /* Records whose name starts with @query (word prefix, accent-insensitive), whose id
   * is @query, or whose CPF/CNPJ/phone/e-mail is exactly @query in any usual format.
   *
   * A query that is an identifier (ag_pii_identifier_kinds() not 0) is an access
   * (DESIGN §5): it needs @access, the template of its ledger entries (user, host,
   * session, mode, policy version; time 0 = now), or it fails with AG_STORE_ERROR_LEDGER
   * and searches nothing. In one write transaction: when @max_per_hour > 0 and
   * @access->user already has @max_per_hour `search` entries (one per customer found,
   * one for a search that found nobody) in the hour before the entry's time, append one
   * `search-denied` entry (cause "quota"), commit, and fail with
   * AG_STORE_ERROR_QUOTA_EXCEEDED; otherwise search, append one `search` entry per
   * customer found (one without a record when none is), field = the first kind the query
   * is, cause "kinds=K[,K…] found=N", never the query; commit durably; only then return
   * the results. A ledger that fails returns no result (AG_STORE_ERROR_LEDGER). The
   * committed entries are mirrored to the journal. Name and id searches ignore @access. */
  GListModel *(*search) (AgStore *self, const char *query, guint limit, const AgLedgerEntry *access,
                         guint max_per_hour, GCancellable *cancellable, GError **error);
  AgRecord *(*get_record) (AgStore *self, const char *id, GCancellable *cancellable,
                           GError **error);
  /* All or nothing: on any error nothing of the import is kept. */
  gboolean (*import) (AgStore *self, AgCustomerSourceFunc source, gpointer source_data,
                      guint64 total, AgProgressFunc progress, gpointer progress_data,
                      GCancellable *cancellable, GError **error);
  gint64 (*count) (AgStore *self, GError **error);

  /* The reveal path (DESIGN §5, step 3) in one write transaction: check that @entry's
   * record has the field @entry->field_kind; when @max_per_hour > 0, check that
   * @entry->user has fewer than @max_per_hour `reveal` entries in the hour before
   * @entry->time_us; append @entry (event `reveal`, time set by the caller's clock);
   * commit durably; only after the commit returns, unseal the value. A failure before
   * the commit rolls everything back and unseals nothing: AG_STORE_ERROR_NOT_FOUND,
   * AG_STORE_ERROR_QUOTA_EXCEEDED or AG_STORE_ERROR_LEDGER. A value that does not open
   * after the commit is AG_STORE_ERROR_CORRUPT. There is never a value without its
   * committed entry. The committed entry is then mirrored to the journal. */
  AgSecret *(*reveal) (AgStore *self, AgLedgerEntry *entry, guint max_per_hour,
                       GCancellable *cancellable, GError **error);
  /* Appends @entry to the ledger in a transaction of its own and commits it durably, then
   * mirrors it to the journal; AG_STORE_ERROR_LEDGER when it cannot. */
  gboolean (*append_event) (AgStore *self, AgLedgerEntry *entry, GError **error);
  /* Optional: does now the work writes left for later (a WAL checkpoint), which the
   * store otherwise does in the background, off any caller's path. Blocks. */
  void (*maintain) (AgStore *self);

  /* The audit ledger, for the audit commands (DESIGN §5). */

  /* Calls @func for each entry matching @filter, in sequence order, as stored. */
  gboolean (*foreach_event) (AgStore *self, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                             gpointer user_data, GError **error);
  /* Recomputes the chain and MACs, then compares the ledger with the head recorded
   * outside the store: AG_LEDGER_ERROR_TAMPERED or AG_LEDGER_ERROR_ROLLED_BACK with
   * @first_bad_seq. */
  gboolean (*verify_ledger) (AgStore *self, guint64 *n_entries, guint64 *first_bad_seq,
                             GError **error);
  /* Removes the entries older than @retention_days with @record, the `prune` entry
   * that says so, in one transaction. */
  gboolean (*prune_ledger) (AgStore *self, guint retention_days, AgLedgerEntry *record,
                            guint64 *n_pruned, GError **error);
  /* Optional: compares the ledger with its copy in the journal (@directory, or this
   * machine's); NULL when the store keeps no journal copy (then nothing is compared). */
  gboolean (*check_journal) (AgStore *self, const char *directory, guint64 *n_compared,
                             guint64 *journal_seq, guint64 *first_bad_seq, GError **error);
  /* The store's id (as the journal copy names it) and where it is, for messages. */
  const char *(*get_id) (AgStore *self);
  const char *(*get_location) (AgStore *self);

  /* The mode the store was created in, known from its opening on (a store made before
   * stores recorded it is live). Cheap: called on every open and import. */
  AgLedgerMode (*get_mode) (AgStore *self);
  /* What the store is (AgStoreInfo): its format and format version, mode and counts. */
  gboolean (*get_info) (AgStore *self, AgStoreInfo *info, GError **error);
};

typedef enum
{
  AG_STORE_OPEN_DEFAULT = 0,
  /* Create the store (and its keys) when there is none at the location. */
  AG_STORE_OPEN_CREATE = 1 << 0,
  /* Open in training mode: only a training store opens (one created is one); without it
   * only a live store does. Any other is AG_STORE_ERROR_MODE_MISMATCH. */
  AG_STORE_OPEN_TRAINING = 1 << 1,
} AgStoreOpenFlags;

GQuark
ag_store_error_quark (void);

/* Opens a backend's store at @location, the location as the user wrote it (scheme and all,
 * or a plain path). */
typedef AgStore *(*AgStoreOpenFunc) (const char *location, AgStoreOpenFlags flags,
                                     GCancellable *cancellable, GError **error);

void
ag_store_register_backend (const char *scheme, AgStoreOpenFunc open_func);

/* Opens the store at @location: a path, or `SCHEME:…` of a registered backend
 * (`sqlite:PATH`, `postgresql://…`). An unknown scheme fails with AG_STORE_ERROR_NOT_FOUND
 * naming it. */
AgStore *
ag_store_open (const char *location, AgStoreOpenFlags flags, GCancellable *cancellable,
               GError **error);
const char *
ag_store_get_id (AgStore *self);
AgLedgerMode
ag_store_get_mode (AgStore *self);
gboolean
ag_store_get_info (AgStore *self, AgStoreInfo *info, GError **error);
const char *
ag_store_get_location (AgStore *self);

gboolean
ag_store_foreach_event (AgStore *self, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                        gpointer user_data, GError **error);
gboolean
ag_store_verify_ledger (AgStore *self, guint64 *n_entries, guint64 *first_bad_seq, GError **error);
gboolean
ag_store_prune_ledger (AgStore *self, guint retention_days, AgLedgerEntry *record,
                       guint64 *n_pruned, GError **error);
gboolean
ag_store_check_journal (AgStore *self, const char *directory, guint64 *n_compared,
                        guint64 *journal_seq, guint64 *first_bad_seq, GError **error);

void
ag_store_maintain (AgStore *self);

GListModel *
ag_store_search (AgStore *self, const char *query, guint limit, const AgLedgerEntry *access,
                 guint max_per_hour, GCancellable *cancellable, GError **error);
/* Runs ag_store_search() in a GTask thread; @access (nullable) is copied. */
void
ag_store_search_async (AgStore *self, const char *query, guint limit, const AgLedgerEntry *access,
                       guint max_per_hour, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data);
GListModel *
ag_store_search_finish (AgStore *self, GAsyncResult *result, GError **error);

AgRecord *
ag_store_get_record (AgStore *self, const char *id, GCancellable *cancellable, GError **error);
void
ag_store_get_record_async (AgStore *self, const char *id, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
AgRecord *
ag_store_get_record_finish (AgStore *self, GAsyncResult *result, GError **error);

gboolean
ag_store_import (AgStore *self, AgCustomerSourceFunc source, gpointer source_data, guint64 total,
                 AgProgressFunc progress, gpointer progress_data, GCancellable *cancellable,
                 GError **error);

gint64
ag_store_count (AgStore *self, GError **error);

AgSecret *
ag_store_reveal (AgStore *self, AgLedgerEntry *entry, guint max_per_hour, GCancellable *cancellable,
                 GError **error);
/* Runs ag_store_reveal() in a GTask thread; @entry is copied, and the filled-in copy (seq,
 * hashes) is what ag_store_reveal_finish() returns in @out_entry. */
void
ag_store_reveal_async (AgStore *self, const AgLedgerEntry *entry, guint max_per_hour,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data);
AgSecret *
ag_store_reveal_finish (AgStore *self, GAsyncResult *result, AgLedgerEntry **out_entry,
                        GError **error);

gboolean
ag_store_append_event (AgStore *self, AgLedgerEntry *entry, GError **error);

G_END_DECLS
