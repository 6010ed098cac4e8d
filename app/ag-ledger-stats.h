/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-store.h"

G_BEGIN_DECLS

/**
 * AgLedgerStats:
 *
 * What the supervisor console's charts show, counted from ledger entries: reveals per
 * time bucket (per agent and for everyone), reveals by field kind and by reason, and
 * reveals granted against denied. Counts only: never a value, never a customer.
 */
typedef struct _AgLedgerStats AgLedgerStats;

AgLedgerStats *
ag_ledger_stats_new (gint64 since_us, gint64 bucket_us, guint n_buckets);
void
ag_ledger_stats_free (AgLedgerStats *self);

void
ag_ledger_stats_add (AgLedgerStats *self, const AgLedgerEntry *entry);
gboolean
ag_ledger_stats_collect (AgLedgerStats *self, AgStore *store, const char *user, GError **error);

guint
ag_ledger_stats_get_n_buckets (const AgLedgerStats *self);
gint64
ag_ledger_stats_get_bucket_start (const AgLedgerStats *self, guint bucket);
char **
ag_ledger_stats_dup_agents (const AgLedgerStats *self);
guint
ag_ledger_stats_get_reveals (const AgLedgerStats *self, const char *agent, guint bucket);
guint
ag_ledger_stats_get_by_kind (const AgLedgerStats *self, int kind);
char **
ag_ledger_stats_dup_reasons (const AgLedgerStats *self);
guint
ag_ledger_stats_get_by_reason (const AgLedgerStats *self, const char *reason);
guint
ag_ledger_stats_get_granted (const AgLedgerStats *self);
guint
ag_ledger_stats_get_denied (const AgLedgerStats *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgLedgerStats, ag_ledger_stats_free)

G_END_DECLS
