/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-ledger-entry.h"
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

/* The newest entry of a ledger, as recorded outside its file (the rollback anchor):
 * @seq 0 is an empty ledger. */
typedef struct
{
  guint64 seq;
  guint8 hash[AG_LEDGER_HASH_BYTES];
} AgLedgerHead;

/* Which entries ag_ledger_foreach() visits: every member is optional (0 / NULL), and an
 * entry must match every member that is set. */
typedef struct
{
  gint64 since_us; /* inclusive; 0 = from the start */
  gint64 until_us; /* exclusive; 0 = to the end */
  const char *user;
  const char *record_id;

  /* What the supervisor console filters on (its ledger page). */
  guint32 events;      /* bit 1 << AgLedgerEvent for each event wanted; 0 = every event */
  guint32 field_kinds; /* bit 1 << AgPiiKind for each kind wanted; 0 = any, or none */
  const char *reason;  /* this reason code */
  /* @text in the user, the reason or the ticket, ignoring ASCII case. */
  const char *text;
  /* One of these users (a team's members); NULL = anyone, an empty list = no one. */
  const char *const *users;
  guint64 after_seq;     /* only entries after this sequence number */
  guint64 before_seq;    /* only entries before it; 0 = no bound */
  gboolean newest_first; /* in descending sequence order */
  guint limit;           /* at most this many entries; 0 = all */
} AgLedgerFilter;

gboolean
ag_ledger_filter_matches (const AgLedgerFilter *filter, const AgLedgerEntry *entry);

/* Return FALSE (and set @error) to stop. */
typedef gboolean (*AgLedgerEntryFunc) (const AgLedgerEntry *entry, gpointer user_data,
                                       GError **error);

#define AG_TYPE_LEDGER (ag_ledger_get_type ())

G_DECLARE_FINAL_TYPE (AgLedger, ag_ledger, AG, LEDGER, GObject)

GQuark
ag_ledger_error_quark (void);

/* Where a ledger's entries are kept: a backend's storage (ag-ledger-storage.h). The
 * chain below reads entries through it; the backend inserts, prunes and holds its
 * transactions. */
typedef struct _AgLedgerStorage AgLedgerStorage;

AgLedger *
ag_ledger_new (const AgSecret *mac_key);

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
 * does not verify (a missing one included). @n_entries: the entries present. The caller
 * holds a read transaction, so that it sees one snapshot. */
gboolean
ag_ledger_verify (AgLedger *self, AgLedgerStorage *storage, guint64 *n_entries,
                  guint64 *first_bad_seq, GError **error);

/* Verifies the newest entries back to the first at or before @since_us (the quota
 * window), or back to @known, verified before: AG_LEDGER_ERROR_TAMPERED with @first_bad_seq when
 * one was changed or removed. */
gboolean
ag_ledger_verify_recent (AgLedger *self, AgLedgerStorage *storage, gint64 since_us,
                         const AgLedgerHead *known, guint64 *first_bad_seq, GError **error);

/* Calls @func for each entry matching @filter, in sequence order, as stored (without
 * verifying the chain). */
gboolean
ag_ledger_foreach (AgLedgerStorage *storage, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                   gpointer user_data, GError **error);

/* A head sealed for keeping outside the store: version · seq · hash · MAC. */
#define AG_LEDGER_SEALED_HEAD_BYTES (1 + 8 + AG_LEDGER_HASH_BYTES + AG_LEDGER_HASH_BYTES)

/* Reads the newest entry of the ledger (the anchor of a pruned ledger when no
 * entry follows it). */
gboolean
ag_ledger_get_head (AgLedgerStorage *storage, AgLedgerHead *head, GError **error);
/* MACs @head with the ledger's key, under a context of its own (a sealed head is never
 * taken for an entry or a prune anchor). */
gboolean
ag_ledger_seal_head (AgLedger *self, AgLedgerStorage *storage, const AgLedgerHead *head,
                     guint8 out[AG_LEDGER_SEALED_HEAD_BYTES], GError **error);
/* Checks the MAC of a sealed head: AG_LEDGER_ERROR_TAMPERED when it does not verify. */
gboolean
ag_ledger_open_head (AgLedger *self, AgLedgerStorage *storage, const guint8 *sealed, gsize len,
                     AgLedgerHead *head, GError **error);
/* Compares the ledger with the head @recorded outside it: the ledger may be
 * ahead (its entries are chained from the recorded one, which verification checks), but
 * never behind it or holding another entry at its place. Fails with
 * AG_LEDGER_ERROR_ROLLED_BACK and @first_bad_seq set to the first entry that is missing
 * or not the recorded one. */
gboolean
ag_ledger_check_head (AgLedgerStorage *storage, const AgLedgerHead *recorded,
                      guint64 *first_bad_seq, GError **error);

/* The hash of entry @seq (*found FALSE when it is not in the table), and the seq of the
 * prune anchor (0 when never pruned). */
gboolean
ag_ledger_hash_at (AgLedgerStorage *storage, guint64 seq, guint8 *hash, gboolean *found,
                   GError **error);
gboolean
ag_ledger_get_anchor_seq (AgLedgerStorage *storage, guint64 *seq, GError **error);

/* Compares the ledger with its journal copy (ag-ledger-journal.c): every entry of the
 * store the journal holds must be in the ledger, with the same hash, unless pruned.
 * @n_compared 0: the journal holds none. AG_LEDGER_ERROR_ROLLED_BACK when one is
 * missing or differs; AG_LEDGER_ERROR_IO when the journal cannot be opened. */
gboolean
ag_ledger_check_journal (AgLedgerStorage *storage, const char *store_id, const char *directory,
                         guint64 *n_compared, guint64 *journal_seq, guint64 *first_bad_seq,
                         GError **error);

G_END_DECLS
