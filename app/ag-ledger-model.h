/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-ledger-item.h"
#include "ag-store.h"

G_BEGIN_DECLS

#define AG_TYPE_LEDGER_MODEL (ag_ledger_model_get_type ())

G_DECLARE_FINAL_TYPE (AgLedgerModel, ag_ledger_model, AG, LEDGER_MODEL, GObject)

/* Entries read at a time, by default. */
#define AG_LEDGER_MODEL_PAGE_SIZE 200

AgLedgerModel *
ag_ledger_model_new (AgStore *store, const AgLedgerFilter *filter, guint page_size);
void
ag_ledger_model_set_filter (AgLedgerModel *self, const AgLedgerFilter *filter);
const AgLedgerFilter *
ag_ledger_model_get_filter (AgLedgerModel *self);
void
ag_ledger_model_load_more (AgLedgerModel *self);
gboolean
ag_ledger_model_get_loading (AgLedgerModel *self);
gboolean
ag_ledger_model_get_complete (AgLedgerModel *self);
const GError *
ag_ledger_model_get_error (AgLedgerModel *self);

G_END_DECLS
