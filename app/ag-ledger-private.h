/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-ledger-storage.h"
#include "ag-ledger.h"

G_BEGIN_DECLS

/* The MAC of an entry, over its hash. The id is written to ledger_meta (`mac`) when the
 * ledger is created and read back by every append and verify, so a ledger keeps the
 * algorithm it was made with. The default was chosen by tests/bench/bench-ledger.c: on
 * the 2-core development machine, idle, HMAC-SHA-256 verified faster (medians of 7 runs
 * on 1,000,000 entries: 1,208,914/s and 1371 ns CPU per entry against keyed BLAKE2b's
 * 1,177,194/s and 1417 ns; under load too): a MAC over a 32-byte hash is two 64-byte
 * SHA-256 blocks against two 128-byte BLAKE2b blocks. */
typedef enum
{
  AG_LEDGER_MAC_BLAKE2B = 1,     /* "blake2b-256": crypto_generichash keyed, 32 bytes */
  AG_LEDGER_MAC_HMAC_SHA256 = 2, /* "hmac-sha256": crypto_auth_hmacsha256 */
} AgLedgerMac;

#define AG_LEDGER_MAC_DEFAULT AG_LEDGER_MAC_HMAC_SHA256

/* The ledger format (ledger_meta `format`): the version of the canonical encoding (its
 * first byte) and of the table layout. A ledger of another format is refused with
 * AG_LEDGER_ERROR_UNSUPPORTED. */
#define AG_LEDGER_FORMAT_VERSION 2
/* The longest string member an entry may carry, in bytes. */
#define AG_LEDGER_MAX_STRING 512

#define AG_LEDGER_N_STRINGS    8
#define AG_LEDGER_ENCODING_MIN (1 + 8 + 8 + 1 + 1 + 1 + AG_LEDGER_N_STRINGS)
#define AG_LEDGER_ENCODING_MAX \
  (1 + 8 + 8 + 1 + 1 + 1 + AG_LEDGER_N_STRINGS * (1 + 4 + AG_LEDGER_MAX_STRING))
/* A prune anchor: seq (u64 BE) · hash · MAC. */
#define AG_LEDGER_ANCHOR_BYTES (8 + AG_LEDGER_HASH_BYTES + AG_LEDGER_HASH_BYTES)
/* A stored entry's seal: prev_hash · hash · mac. */
#define AG_LEDGER_SEAL_BYTES (3 * AG_LEDGER_HASH_BYTES)
/* The strings of an AgLedgerView, in encoding order. */
#define AG_LEDGER_STRING_USER   0
#define AG_LEDGER_STRING_RECORD 3
#define AG_LEDGER_STRING_REASON 4
#define AG_LEDGER_STRING_TICKET 5
#define AG_LEDGER_STRING_CAUSE  7

/* The entry and its encoding (ag-ledger-entry.c) */

/* A string member as bytes: len < 0 when absent. */
typedef struct
{
  const char *data;
  int len;
} AgLedgerStr;

/* An entry as decoded from its encoding or taken from an AgLedgerEntry, for encoding. */
typedef struct
{
  guint64 seq;
  gint64 time_us;
  gint64 mode;
  gint64 event;
  gint64 field;
  AgLedgerStr strings[AG_LEDGER_N_STRINGS];
} AgLedgerView;

static inline guint8 *
ag_ledger_put_u64 (guint8 *p, guint64 v)
{
  for (int i = 7; i >= 0; i--)
    *p++ = (guint8) (v >> (i * 8));
  return p;
}

static inline guint64
ag_ledger_get_u64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

void
ag_ledger_view_from_entry (const AgLedgerEntry *entry, AgLedgerView *view);
/* Encodes @view into @out (AG_LEDGER_ENCODING_MAX bytes); 0 when a member is out of range. */
gsize
ag_ledger_view_encode (const AgLedgerView *view, guint8 *out);
/* Parses the @len bytes at @data as an encoding into @view, whose strings then point
 * into @data (not NUL-terminated). FALSE when the bytes are not an encoding the ledger
 * writes: another version, a member out of range, a length past the end, bytes left. */
gboolean
ag_ledger_view_decode (const guint8 *data, gsize len, AgLedgerView *view);
/* The entry of a decoded @view with its @seal; NULL when a member is not one the ledger
 * writes (which the hash would show too, but readers do not verify). */
AgLedgerEntry *
ag_ledger_entry_from_view (const AgLedgerView *view, const guint8 *seal);
/* AG_LEDGER_ERROR_INVALID_ENTRY unless @entry can be appended. */
gboolean
ag_ledger_entry_validate (const AgLedgerEntry *entry, GError **error);

/* Writes the canonical encoding of @entry (without the previous hash) into @out and
 * returns its length, or 0 when @out_len is too small or a string is too long. */
gsize
ag_ledger_encode_for_testing (const AgLedgerEntry *entry, guint8 *out, gsize out_len);

/* The chain (ag-ledger.c), for ag-ledger-verify.c */

typedef struct
{
  gboolean present;
  guint64 seq;
  guint8 hash[AG_LEDGER_HASH_BYTES];
  guint8 mac[AG_LEDGER_HASH_BYTES];
} AgLedgerAnchor;

void
ag_ledger_compute_mac (AgLedger *self, AgLedgerMac mac, const guint8 *data, gsize len, guint8 *out);
void
ag_ledger_anchor_mac (AgLedger *self, AgLedgerMac mac, guint64 seq, const guint8 *hash,
                      guint8 *out);
/* Refuses a ledger whose format this version does not read, or that names none. */
gboolean
ag_ledger_check_format (AgLedgerStorage *storage, GError **error);
/* The format and the MAC of the ledger, as every append and verification needs them. */
gboolean
ag_ledger_read_meta (AgLedgerStorage *storage, AgLedgerMac *mac, GError **error);
/* Reads the anchor; a malformed one is reported as tampering. */
gboolean
ag_ledger_read_anchor (AgLedgerStorage *storage, AgLedgerAnchor *anchor, GError **error);
/* Decodes @row into @view: FALSE unless its encoding decodes and its seal is three
 * hashes. @agrees: whether the encoding belongs to the row's seq and every copy the
 * backend keeps holds what the encoding holds. Only tampering makes either fail. The
 * strings of @view point into the row. (ag-ledger-verify.c) */
gboolean
ag_ledger_read_row (const AgLedgerRow *row, AgLedgerView *view, gboolean *agrees);
/* Sets AG_LEDGER_ERROR_TAMPERED at @seq and returns FALSE. */
gboolean
ag_ledger_set_tampered (GError **error, guint64 *first_bad_seq, guint64 seq, const char *what);

/* For backends */

/* The meta value `mac` names @mac with. */
const char *
ag_ledger_mac_name (AgLedgerMac mac);
/* Chains @entry to the newest entry of @storage or its anchor: fills its seq, time (when
 * 0), prev_hash, hash and mac, and writes its encoding into @encoding
 * (AG_LEDGER_ENCODING_MAX bytes) and its seal into @seal. The backend then stores both,
 * in the write transaction it holds. */
gboolean
ag_ledger_chain (AgLedger *self, AgLedgerStorage *storage, AgLedgerEntry *entry, guint8 *encoding,
                 gsize *encoding_len, guint8 *seal, GError **error);
/* The anchor a prune of the entries up to @seq (hash @hash) leaves, MACed. */
void
ag_ledger_make_anchor (AgLedger *self, AgLedgerMac mac, guint64 seq, const guint8 *hash,
                       guint8 out[AG_LEDGER_ANCHOR_BYTES]);
/* Makes @record the `prune` entry of a prune that removed @removed entries, @first to
 * @last, under @retention_days: what verification checks the anchor against. */
void
ag_ledger_set_prune_record (AgLedgerEntry *record, guint retention_days, guint64 removed,
                            guint64 first, guint64 last);

G_END_DECLS
