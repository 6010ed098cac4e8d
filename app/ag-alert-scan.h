/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-alerts.h"
#include "ag-store.h"

G_BEGIN_DECLS

/**
 * AgAlertRecord:
 * @id: the alert's id: the sequence number of its `alert` ledger entry
 * @ledgered_us: when that entry was written
 * @alert: rule, agent, count and window; its seqs are the ledger rows that raised it,
 *   empty when they are no longer in the ledger (pruned)
 * @first_seq: the first of those rows, as the alert entry names them
 * @last_seq: the last, the entry that raised the alert
 * @is_new: whether this scan raised and ledgered it
 * @ack_id: the sequence number of its `alert-ack` entry, 0 while unacknowledged
 * @acked_by: (nullable): who acknowledged it
 * @acked_us: when
 * @note: (nullable): the note they gave
 *
 * One alert as the ledger holds it.
 */
typedef struct
{
  guint64 id;
  gint64 ledgered_us;
  AgAlert *alert;
  guint64 first_seq;
  guint64 last_seq;
  gboolean is_new;
  guint64 ack_id;
  char *acked_by;
  gint64 acked_us;
  char *note;
} AgAlertRecord;

void
ag_alert_record_free (AgAlertRecord *record);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgAlertRecord, ag_alert_record_free)

/* The policy in force for @agent, whose alert keys set that agent's rules. */
typedef AgPolicy *(*AgAlertPolicyFunc) (const char *agent, gpointer user_data);

char *
ag_alert_to_cause (const AgAlert *alert);
AgAlert *
ag_alert_from_cause (const char *cause, guint64 *first_seq, guint64 *last_seq);

GPtrArray *
ag_alert_scan_store (AgStore *store, gint64 since_us, AgAlertPolicyFunc policy_func,
                     gpointer policy_data, const AgLedgerEntry *author, GError **error);

G_END_DECLS
