/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-ledger-entry.h"

G_BEGIN_DECLS

#define AG_TYPE_LEDGER_ITEM (ag_ledger_item_get_type ())

G_DECLARE_FINAL_TYPE (AgLedgerItem, ag_ledger_item, AG, LEDGER_ITEM, GObject)

AgLedgerItem *
ag_ledger_item_new (const AgLedgerEntry *entry);
const AgLedgerEntry *
ag_ledger_item_get_entry (AgLedgerItem *self);
guint64
ag_ledger_item_get_seq (AgLedgerItem *self);

G_END_DECLS
