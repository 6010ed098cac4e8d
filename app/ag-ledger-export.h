/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <json-glib/json-glib.h>

#include "ag-ledger-entry.h"

G_BEGIN_DECLS

/* The formats of `agent-guard-admin audit export`, which the console's ledger page writes
 * too: CSV (RFC 4180, CRLF, a header row) and JSON Lines, both with the chain columns. */
typedef enum
{
  AG_LEDGER_EXPORT_CSV,
  AG_LEDGER_EXPORT_JSONL,
} AgLedgerExportFormat;

void
ag_ledger_export_append_header (GString *out, AgLedgerExportFormat format);
void
ag_ledger_export_append_entry (GString *out, AgLedgerExportFormat format,
                               const AgLedgerEntry *entry);
/* One entry as the JSON object of a JSON Lines export; without the chain's hashes and MAC
 * unless @with_chain (`audit subject --json` leaves them out). */
JsonNode *
ag_ledger_export_entry_to_json (const AgLedgerEntry *entry, gboolean with_chain);

G_END_DECLS
