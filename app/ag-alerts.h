/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-ledger-entry.h"
#include "ag-policy.h"

G_BEGIN_DECLS

/* The rules a supervisor's alerts come from. Their names are the policy keys that will set
 * them: keep them. */
typedef enum
{
  AG_ALERT_RULE_REVEALS_PER_WINDOW,          /*< nick=alert-reveals-per-window >*/
  AG_ALERT_RULE_DISTINCT_CUSTOMERS_PER_HOUR, /*< nick=alert-distinct-customers-per-hour >*/
  AG_ALERT_RULE_DENIED_PER_HOUR,             /*< nick=alert-denied-per-hour >*/
  AG_ALERT_RULE_OUTSIDE_HOURS,               /*< nick=alert-outside-hours >*/
  AG_ALERT_N_RULES                           /*< skip >*/
} AgAlertRule;

/**
 * AgAlertRules:
 *
 * The thresholds; a 0 turns a rule off.
 */
typedef struct
{
  guint reveals;                     /* N reveals by one agent… */
  guint reveals_window_minutes;      /* …within M minutes */
  guint distinct_customers_per_hour; /* customers one agent revealed data of in an hour */
  guint denied_per_hour;             /* denied reveals and searches of one agent in an hour */
  /* Working hours, local time, minutes after midnight: a reveal outside [start, end) raises
   * an alert; start > end spans midnight; start == end turns the rule off. */
  guint hours_start;
  guint hours_end;
} AgAlertRules;

/**
 * AgAlert:
 *
 * One alert: which rule, which agent, how many events in which window, and the ledger
 * entries that raised it (their seq numbers, oldest first). Never a value, never a name
 * of a customer.
 */
typedef struct
{
  AgAlertRule rule;
  char *user;
  guint count;
  gint64 window_start_us; /* the oldest entry counted */
  gint64 window_end_us;   /* the entry that raised it */
  GArray *seqs;           /* guint64 */
  gint64 raised_us;       /* on the watch's clock */
} AgAlert;

void
ag_alert_rules_init_from_policy (AgAlertRules *rules, AgPolicy *policy);

#define AG_TYPE_ALERT (ag_alert_get_type ())

GType
ag_alert_get_type (void) G_GNUC_CONST;
AgAlert *
ag_alert_copy (const AgAlert *alert);
void
ag_alert_free (AgAlert *alert);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgAlert, ag_alert_free)

const char *
ag_alert_rule_to_string (AgAlertRule rule);

typedef gint64 (*AgAlertClock) (gpointer user_data);

#define AG_TYPE_ALERT_WATCH (ag_alert_watch_get_type ())
G_DECLARE_FINAL_TYPE (AgAlertWatch, ag_alert_watch, AG, ALERT_WATCH, GObject)

AgAlertWatch *
ag_alert_watch_new (const AgAlertRules *rules);
AgAlertWatch *
ag_alert_watch_new_for_policy (AgPolicy *policy);
void
ag_alert_watch_set_clock (AgAlertWatch *self, AgAlertClock clock, gpointer user_data);
GPtrArray *
ag_alert_watch_add_entry (AgAlertWatch *self, const AgLedgerEntry *entry);

G_END_DECLS
