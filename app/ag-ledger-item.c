/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger-item"

#include "config.h"

#include "ag-ledger-item.h"

/* One ledger entry as an item of a GListModel (the console's ledger page). An entry holds
 * no PII value by construction, and the item adds nothing to it. */

struct _AgLedgerItem
{
  GObject parent_instance;

  AgLedgerEntry *entry;
};

G_DEFINE_FINAL_TYPE (AgLedgerItem, ag_ledger_item, G_TYPE_OBJECT)

static void
ag_ledger_item_finalize (GObject *object)
{
  AgLedgerItem *self = AG_LEDGER_ITEM (object);

  g_clear_pointer (&self->entry, ag_ledger_entry_free);

  G_OBJECT_CLASS (ag_ledger_item_parent_class)->finalize (object);
}

static void
ag_ledger_item_class_init (AgLedgerItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ag_ledger_item_finalize;
}

static void
ag_ledger_item_init (AgLedgerItem *self)
{
}

/**
 * ag_ledger_item_new:
 * @entry: a ledger entry, copied
 *
 * Returns: (transfer full): the item
 */
AgLedgerItem *
ag_ledger_item_new (const AgLedgerEntry *entry)
{
  AgLedgerItem *self;

  g_return_val_if_fail (entry != NULL, NULL);

  self = g_object_new (AG_TYPE_LEDGER_ITEM, NULL);
  self->entry = ag_ledger_entry_copy (entry);
  return self;
}

const AgLedgerEntry *
ag_ledger_item_get_entry (AgLedgerItem *self)
{
  g_return_val_if_fail (AG_IS_LEDGER_ITEM (self), NULL);

  return self->entry;
}

guint64
ag_ledger_item_get_seq (AgLedgerItem *self)
{
  g_return_val_if_fail (AG_IS_LEDGER_ITEM (self), 0);

  return self->entry->seq;
}
