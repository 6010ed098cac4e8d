/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

#include "ag-pii.h"
#include "ag-secret.h"

G_BEGIN_DECLS

#define AG_LEDGER_ERROR (ag_ledger_error_quark ())

typedef enum
{
  AG_LEDGER_ERROR_FAILED,
  AG_LEDGER_ERROR_IO,
  /* The chain does not verify: an entry was changed, removed, reordered or inserted. */
  AG_LEDGER_ERROR_TAMPERED,
  AG_LEDGER_ERROR_INVALID_ENTRY,
  AG_LEDGER_ERROR_UNSUPPORTED,
  /* The ledger is behind the head recorded outside its file, or forked from it: entries
   * were cut off the end or an older copy of the store was put back. */
  AG_LEDGER_ERROR_ROLLED_BACK,
} AgLedgerError;

typedef enum
{
  AG_LEDGER_MODE_LIVE,
  AG_LEDGER_MODE_TRAINING,
  AG_LEDGER_N_MODES
} AgLedgerMode;

/* The numbers are part of the canonical encoding: never renumber, only append. */
typedef enum
{
  AG_LEDGER_EVENT_LOGIN = 1,
  AG_LEDGER_EVENT_LOGIN_FAILED = 2,
  AG_LEDGER_EVENT_UNLOCK = 3,
  AG_LEDGER_EVENT_LOCK = 4,
  AG_LEDGER_EVENT_REVEAL = 5,
  AG_LEDGER_EVENT_REVEAL_DENIED = 6,
  AG_LEDGER_EVENT_REMASK = 7,
  AG_LEDGER_EVENT_POLICY_CHANGED = 8,
  AG_LEDGER_EVENT_IMPORT = 9,
  AG_LEDGER_EVENT_EXPORT = 10,
  AG_LEDGER_EVENT_PRUNE = 11,
  AG_LEDGER_EVENT_POLICY_REFUSED = 12,
  AG_LEDGER_EVENT_SEARCH = 13,
  AG_LEDGER_EVENT_SEARCH_DENIED = 14,
} AgLedgerEvent;

/* No field kind in an entry (login, lock, …). */
#define AG_LEDGER_NO_FIELD (-1)
/* The MESSAGE_ID of ledger entries in the journal, generated once for Agent Guard. */
#define AG_LEDGER_MESSAGE_ID "e804004a72e80a6655a1dd41c65f925f"
#define AG_LEDGER_HASH_BYTES 32

/**
 * AgLedgerEntry:
 *
 * One ledger entry (DESIGN §5). There is deliberately no member for a PII value: a
 * record id is the opaque customer id, the field is a kind. The caller fills @time_us
 * (0 = now), @user, @host, @session_id, @mode, @event and what the event needs;
 * ag_ledger_append() fills @seq, @prev_hash, @hash and @mac.
 */
typedef struct
{
  guint64 seq;
  gint64 time_us; /* UTC, microseconds since the epoch */
  char *user;
  char *host;
  char *session_id;
  AgLedgerMode mode;
  AgLedgerEvent event;
  char *record_id;      /* nullable */
  int field_kind;       /* an AgPiiKind or AG_LEDGER_NO_FIELD */
  char *reason;         /* nullable: the reason code of a reveal */
  char *ticket;         /* nullable: ticket or call id */
  char *policy_version; /* nullable */
  char *cause;          /* nullable: why a lock or a denial happened */
  guint8 prev_hash[AG_LEDGER_HASH_BYTES];
  guint8 hash[AG_LEDGER_HASH_BYTES];
  guint8 mac[AG_LEDGER_HASH_BYTES];
} AgLedgerEntry;

/* The newest entry of a ledger, as recorded outside its file (the rollback anchor):
 * @seq 0 is an empty ledger. */
typedef struct
{
  guint64 seq;
  guint8 hash[AG_LEDGER_HASH_BYTES];
} AgLedgerHead;

#define AG_TYPE_LEDGER_ENTRY (ag_ledger_entry_get_type ())

GType
ag_ledger_entry_get_type (void) G_GNUC_CONST;
AgLedgerEntry *
ag_ledger_entry_new (AgLedgerEvent event);
AgLedgerEntry *
ag_ledger_entry_copy (const AgLedgerEntry *entry);
void
ag_ledger_entry_free (AgLedgerEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgLedgerEntry, ag_ledger_entry_free)

const char *
ag_ledger_event_to_string (AgLedgerEvent event);
gboolean
ag_ledger_event_from_string (const char *str, AgLedgerEvent *out_event);
const char *
ag_ledger_mode_to_string (AgLedgerMode mode);

/* Which entries ag_ledger_foreach() visits: every member is optional (0 / NULL). */
typedef struct
{
  gint64 since_us; /* inclusive; 0 = from the start */
  gint64 until_us; /* exclusive; 0 = to the end */
  const char *user;
  const char *record_id;
} AgLedgerFilter;

/* Return FALSE (and set @error) to stop. */
typedef gboolean (*AgLedgerEntryFunc) (const AgLedgerEntry *entry, gpointer user_data,
                                       GError **error);

#define AG_TYPE_LEDGER (ag_ledger_get_type ())

G_DECLARE_FINAL_TYPE (AgLedger, ag_ledger, AG, LEDGER, GObject)

GQuark
ag_ledger_error_quark (void);

/* Creates the `ledger` and `ledger_meta` tables and their insert-only triggers in @db
 * when they are not there yet. Call it inside the caller's schema transaction or alone. */
gboolean
ag_ledger_ensure_schema (sqlite3 *db, GError **error);
/* Brings the ledger of an older version up to date (the `ledger_prune` table goes). */
gboolean
ag_ledger_upgrade_schema (sqlite3 *db, GError **error);
/* Whether @db has a ledger with entries or an anchor (so its MAC key must exist). */
gboolean
ag_ledger_is_empty (sqlite3 *db, GError **error);

AgLedger *
ag_ledger_new (const AgSecret *mac_key);

/* Appends @entry: fills its seq, time (when 0), prev_hash, hash and mac and inserts it.
 * The caller holds a write transaction on @db (BEGIN IMMEDIATE) and commits it; the
 * entry is durable only after that commit. Then call ag_ledger_mirror(). */
gboolean
ag_ledger_append (AgLedger *self, sqlite3 *db, AgLedgerEntry *entry, GError **error);
/* Entries appended to a rolled-back store (audit reads) carry AG_ROLLED_BACK=1 in the
 * journal: their seqs repeat ones the store lost, and the comparison skips them. */
void
ag_ledger_set_rolled_back (AgLedger *self, gboolean rolled_back);
/* The store id the journal copy names (AG_STORE), so that verification can find it. */
void
ag_ledger_set_store_id (AgLedger *self, const char *store_id);
/* Sends a committed entry to the systemd journal when one is running; never blocks
 * on a missing journal and never fails. Returns whether it was sent. */
gboolean
ag_ledger_mirror (AgLedger *self, const AgLedgerEntry *entry);

/* Recomputes the chain from the anchor (or the start). On a break returns FALSE with
 * AG_LEDGER_ERROR_TAMPERED and @first_bad_seq set to the first sequence number that
 * does not verify (a missing one included). @n_entries: the entries present. */
gboolean
ag_ledger_verify (AgLedger *self, sqlite3 *db, guint64 *n_entries, guint64 *first_bad_seq,
                  GError **error);

/* Verifies the newest entries back to the first at or before @since_us (the quota
 * window), or back to @known, verified before: AG_LEDGER_ERROR_TAMPERED with @first_bad_seq when
 * one was changed or removed. */
gboolean
ag_ledger_verify_recent (AgLedger *self, sqlite3 *db, gint64 since_us, const AgLedgerHead *known,
                         guint64 *first_bad_seq, GError **error);

/* Calls @func for each entry matching @filter, in sequence order, as stored (without
 * verifying the chain). */
gboolean
ag_ledger_foreach (sqlite3 *db, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                   gpointer user_data, GError **error);

/* Deletes the entries older than @retention_days before @now_us (0 = now) in its own
 * transaction, after verifying the whole chain; the newest entry always stays. The
 * last deleted entry becomes the MACed anchor that verification starts from. @record is
 * the `prune` entry appended in the same transaction, its cause set to
 * "range=A..B retention-days=D removed=N" (or "retention-days=D removed=0"): a prune
 * never happens without its entry, and verification checks that the anchor is B. */
gboolean
ag_ledger_prune (AgLedger *self, sqlite3 *db, guint retention_days, gint64 now_us,
                 AgLedgerEntry *record, guint64 *n_pruned, GError **error);

/* A head sealed for keeping outside the store: version · seq · hash · MAC. */
#define AG_LEDGER_SEALED_HEAD_BYTES (1 + 8 + AG_LEDGER_HASH_BYTES + AG_LEDGER_HASH_BYTES)

/* Reads the newest entry of the ledger in @db (the anchor of a pruned ledger when no
 * entry follows it). */
gboolean
ag_ledger_get_head (sqlite3 *db, AgLedgerHead *head, GError **error);
/* MACs @head with the ledger's key, under a context of its own (a sealed head is never
 * taken for an entry or a prune anchor). */
gboolean
ag_ledger_seal_head (AgLedger *self, sqlite3 *db, const AgLedgerHead *head,
                     guint8 out[AG_LEDGER_SEALED_HEAD_BYTES], GError **error);
/* Checks the MAC of a sealed head: AG_LEDGER_ERROR_TAMPERED when it does not verify. */
gboolean
ag_ledger_open_head (AgLedger *self, sqlite3 *db, const guint8 *sealed, gsize len,
                     AgLedgerHead *head, GError **error);
/* Compares the ledger in @db with the head @recorded outside it: the ledger may be
 * ahead (its entries are chained from the recorded one, which verification checks), but
 * never behind it or holding another entry at its place. Fails with
 * AG_LEDGER_ERROR_ROLLED_BACK and @first_bad_seq set to the first entry that is missing
 * or not the recorded one. */
gboolean
ag_ledger_check_head (sqlite3 *db, const AgLedgerHead *recorded, guint64 *first_bad_seq,
                      GError **error);

/* The hash of entry @seq (*found FALSE when it is not in the table), and the seq of the
 * prune anchor (0 when never pruned). */
gboolean
ag_ledger_hash_at (sqlite3 *db, guint64 seq, guint8 *hash, gboolean *found, GError **error);
gboolean
ag_ledger_get_anchor_seq (sqlite3 *db, guint64 *seq, GError **error);

/* Compares the ledger with its journal copy (ag-ledger-journal.c): every entry of the
 * store the journal holds must be in the ledger, with the same hash, unless pruned.
 * @n_compared 0: the journal holds none. AG_LEDGER_ERROR_ROLLED_BACK when one is
 * missing or differs; AG_LEDGER_ERROR_IO when the journal cannot be opened. */
gboolean
ag_ledger_check_journal (sqlite3 *db, const char *store_id, const char *directory,
                         guint64 *n_compared, guint64 *journal_seq, guint64 *first_bad_seq,
                         GError **error);

G_END_DECLS
