/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

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

gboolean
ag_ledger_ensure_schema_with_mac (sqlite3 *db, AgLedgerMac mac, GError **error);

/* Writes the canonical encoding of @entry (without the previous hash) into @out and
 * returns its length, or 0 when @out_len is too small or a string is too long. */
gsize
ag_ledger_encode_for_testing (const AgLedgerEntry *entry, guint8 *out, gsize out_len);

G_END_DECLS
