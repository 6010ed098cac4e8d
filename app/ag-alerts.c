/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-alerts"

#include "config.h"

#include "ag-enums.h"
#include "ag-alerts.h"

/**
 * AgAlertWatch:
 *
 * Raises a supervisor's alerts from ledger entries, fed one by one in the ledger's order
 * (live, or replaying a stored ledger: the same entries give the same alerts). Each rule
 * counts over a window that ends at the entry just fed, on the entries' own times, per
 * agent; live entries only (training is not real customers' data).
 *
 * A rule fires once when its count reaches the threshold, and not again for that agent
 * until the count has fallen back below it: a burst of reveals is one alert, not one per
 * reveal past the threshold. A reveal outside working hours is an alert of its own.
 */

#define HOUR_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)

/* One counted entry. */
typedef struct
{
  gint64 time_us;
  guint64 seq;
  char *record_id; /* for the distinct-customers rule */
} Event;

/* Events in one rule's window, oldest first. */
typedef struct
{
  GQueue events;
  gint64 window_us;
  guint threshold;
  gboolean armed;
  GHashTable *records; /* record id → how many events in the window; NULL when not counted */
} Window;

/* What the watch knows of one agent. */
typedef struct
{
  Window reveals;
  Window customers;
  Window denied;
} Agent;

struct _AgAlertWatch
{
  GObject parent_instance;

  AgAlertRules rules;
  GHashTable *agents; /* user → Agent */
  AgAlertClock clock;
  gpointer clock_data;
};

G_DEFINE_FINAL_TYPE (AgAlertWatch, ag_alert_watch, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (AgAlert, ag_alert, ag_alert_copy, ag_alert_free)

/* AgAlert ------------------------------------------------------------------------------- */

AgAlert *
ag_alert_copy (const AgAlert *alert)
{
  AgAlert *copy;

  g_return_val_if_fail (alert != NULL, NULL);

  copy = g_memdup2 (alert, sizeof *alert);
  copy->user = g_strdup (alert->user);
  copy->seqs = g_array_copy (alert->seqs);
  return copy;
}

void
ag_alert_free (AgAlert *alert)
{
  if (alert == NULL)
    return;
  g_free (alert->user);
  g_array_unref (alert->seqs);
  g_free (alert);
}

const char *
ag_alert_rule_to_string (AgAlertRule rule)
{
  return ag_enum_to_nick (AG_TYPE_ALERT_RULE, rule);
}

/* Windows ------------------------------------------------------------------------------- */

static void
event_free (Event *event)
{
  g_free (event->record_id);
  g_free (event);
}

static void
window_init (Window *window, gint64 window_us, guint threshold, gboolean by_record)
{
  g_queue_init (&window->events);
  window->window_us = window_us;
  window->threshold = threshold;
  window->armed = TRUE;
  window->records
    = by_record ? g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) : NULL;
}

static void
window_clear (Window *window)
{
  g_queue_clear_full (&window->events, (GDestroyNotify) event_free);
  g_clear_pointer (&window->records, g_hash_table_unref);
}

/* What the window counts: its events, or the distinct records among them. */
static guint
window_count (Window *window)
{
  return window->records != NULL ? g_hash_table_size (window->records)
                                 : g_queue_get_length (&window->events);
}

static void
window_count_record (Window *window, const char *record_id, int delta)
{
  guint n;

  if (window->records == NULL || record_id == NULL)
    return;
  n = GPOINTER_TO_UINT (g_hash_table_lookup (window->records, record_id)) + delta;
  if (n == 0)
    g_hash_table_remove (window->records, record_id);
  else
    g_hash_table_replace (window->records, g_strdup (record_id), GUINT_TO_POINTER (n));
}

/* Drops the events that are out of a window ending at @now_us: (now - window, now]. */
static void
window_slide (Window *window, gint64 now_us)
{
  Event *head;

  while ((head = g_queue_peek_head (&window->events)) != NULL
         && head->time_us <= now_us - window->window_us)
    {
      g_queue_pop_head (&window->events);
      window_count_record (window, head->record_id, -1);
      event_free (head);
    }
}

static AgAlert *
alert_new (AgAlertWatch *self, AgAlertRule rule, const char *user, guint count, gint64 start_us,
           gint64 end_us)
{
  AgAlert *alert = g_new0 (AgAlert, 1);

  alert->rule = rule;
  alert->user = g_strdup (user);
  alert->count = count;
  alert->window_start_us = start_us;
  alert->window_end_us = end_us;
  alert->seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
  alert->raised_us = self->clock != NULL ? self->clock (self->clock_data) : g_get_real_time ();
  return alert;
}

/* Counts @entry in @window; returns the alert it raises, or NULL. */
static AgAlert *
window_add (AgAlertWatch *self, Window *window, AgAlertRule rule, const AgLedgerEntry *entry)
{
  Event *event;
  AgAlert *alert;

  if (window->threshold == 0)
    return NULL;

  window_slide (window, entry->time_us);
  if (window_count (window) < window->threshold)
    window->armed = TRUE;

  event = g_new0 (Event, 1);
  event->time_us = entry->time_us;
  event->seq = entry->seq;
  event->record_id = g_strdup (entry->record_id);
  g_queue_push_tail (&window->events, event);
  window_count_record (window, entry->record_id, +1);

  if (!window->armed || window_count (window) < window->threshold)
    return NULL;
  window->armed = FALSE;

  alert = alert_new (self, rule, entry->user, window_count (window),
                     ((Event *) g_queue_peek_head (&window->events))->time_us, entry->time_us);
  for (GList *l = window->events.head; l != NULL; l = l->next)
    g_array_append_val (alert->seqs, ((Event *) l->data)->seq);
  return alert;
}

/* The watch --------------------------------------------------------------------------- */

static void
agent_free (Agent *agent)
{
  window_clear (&agent->reveals);
  window_clear (&agent->customers);
  window_clear (&agent->denied);
  g_free (agent);
}

static Agent *
get_agent (AgAlertWatch *self, const char *user)
{
  Agent *agent = g_hash_table_lookup (self->agents, user);

  if (agent != NULL)
    return agent;
  agent = g_new0 (Agent, 1);
  window_init (&agent->reveals, (gint64) self->rules.reveals_window_minutes * 60 * G_USEC_PER_SEC,
               self->rules.reveals_window_minutes > 0 ? self->rules.reveals : 0, FALSE);
  window_init (&agent->customers, HOUR_US, self->rules.distinct_customers_per_hour, TRUE);
  window_init (&agent->denied, HOUR_US, self->rules.denied_per_hour, FALSE);
  g_hash_table_insert (self->agents, g_strdup (user), agent);
  return agent;
}

/* Whether @time_us, in local time, is within the working hours. */
static gboolean
within_hours (AgAlertWatch *self, gint64 time_us)
{
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (time_us / G_USEC_PER_SEC);
  guint start = self->rules.hours_start;
  guint end = self->rules.hours_end;
  guint minute;

  if (local == NULL)
    return FALSE;
  minute = (guint) (g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local));
  if (start < end)
    return minute >= start && minute < end;
  return minute >= start || minute < end;
}

static void
add_alert (GPtrArray *alerts, AgAlert *alert)
{
  if (alert != NULL)
    g_ptr_array_add (alerts, alert);
}

/**
 * ag_alert_watch_add_entry:
 * @entry: the next entry of the ledger
 *
 * Returns: (transfer full) (element-type AgAlert): the alerts @entry raises, often none
 */
GPtrArray *
ag_alert_watch_add_entry (AgAlertWatch *self, const AgLedgerEntry *entry)
{
  GPtrArray *alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_alert_free);
  Agent *agent;

  g_return_val_if_fail (AG_IS_ALERT_WATCH (self), alerts);
  g_return_val_if_fail (entry != NULL, alerts);

  if (entry->mode != AG_LEDGER_MODE_LIVE || entry->user == NULL)
    return alerts;

  switch (entry->event)
    {
      case AG_LEDGER_EVENT_REVEAL:
        agent = get_agent (self, entry->user);
        add_alert (alerts,
                   window_add (self, &agent->reveals, AG_ALERT_RULE_REVEALS_PER_WINDOW, entry));
        if (entry->record_id != NULL)
          add_alert (alerts, window_add (self, &agent->customers,
                                         AG_ALERT_RULE_DISTINCT_CUSTOMERS_PER_HOUR, entry));
        if (self->rules.hours_start != self->rules.hours_end
            && !within_hours (self, entry->time_us))
          {
            AgAlert *alert = alert_new (self, AG_ALERT_RULE_OUTSIDE_HOURS, entry->user, 1,
                                        entry->time_us, entry->time_us);

            g_array_append_val (alert->seqs, entry->seq);
            g_ptr_array_add (alerts, alert);
          }
        break;
      case AG_LEDGER_EVENT_REVEAL_DENIED:
      case AG_LEDGER_EVENT_SEARCH_DENIED:
        agent = get_agent (self, entry->user);
        add_alert (alerts, window_add (self, &agent->denied, AG_ALERT_RULE_DENIED_PER_HOUR, entry));
        break;
      default:
        break;
    }
  return alerts;
}

/**
 * ag_alert_watch_set_clock:
 *
 * The clock that stamps alerts as raised (the entries' own times set the windows); the
 * real time when not set. For tests.
 */
void
ag_alert_watch_set_clock (AgAlertWatch *self, AgAlertClock clock, gpointer user_data)
{
  g_return_if_fail (AG_IS_ALERT_WATCH (self));

  self->clock = clock;
  self->clock_data = user_data;
}

static void
ag_alert_watch_finalize (GObject *object)
{
  AgAlertWatch *self = AG_ALERT_WATCH (object);

  g_hash_table_unref (self->agents);

  G_OBJECT_CLASS (ag_alert_watch_parent_class)->finalize (object);
}

static void
ag_alert_watch_class_init (AgAlertWatchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ag_alert_watch_finalize;
}

static void
ag_alert_watch_init (AgAlertWatch *self)
{
  self->agents
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) agent_free);
}

/**
 * ag_alert_watch_new:
 * @rules: the thresholds, copied
 */
AgAlertWatch *
ag_alert_watch_new (const AgAlertRules *rules)
{
  AgAlertWatch *self;

  g_return_val_if_fail (rules != NULL, NULL);

  self = g_object_new (AG_TYPE_ALERT_WATCH, NULL);
  self->rules = *rules;
  return self;
}

/**
 * ag_alert_rules_init_from_policy:
 * @rules: (out caller-allocates): the rules to fill in
 * @policy: a policy
 *
 * The thresholds of @policy's alert keys (`alert-reveals-per-window`,
 * `alert-distinct-customers-per-hour`, `alert-denied-per-hour`, `alert-outside-hours`);
 * a key that is `off` turns its rule off.
 */
void
ag_alert_rules_init_from_policy (AgAlertRules *rules, AgPolicy *policy)
{
  g_return_if_fail (rules != NULL);
  g_return_if_fail (AG_IS_POLICY (policy));

  *rules = (AgAlertRules){ 0 };
  ag_policy_get_alert_reveals_per_window (policy, &rules->reveals, &rules->reveals_window_minutes);
  rules->distinct_customers_per_hour = ag_policy_get_alert_distinct_customers_per_hour (policy);
  rules->denied_per_hour = ag_policy_get_alert_denied_per_hour (policy);
  ag_policy_get_alert_outside_hours (policy, &rules->hours_start, &rules->hours_end);
}

/**
 * ag_alert_watch_new_for_policy:
 * @policy: the policy whose alert keys set the rules
 *
 * Returns: (transfer full): a watch with the rules of @policy
 */
AgAlertWatch *
ag_alert_watch_new_for_policy (AgPolicy *policy)
{
  AgAlertRules rules;

  g_return_val_if_fail (AG_IS_POLICY (policy), NULL);

  ag_alert_rules_init_from_policy (&rules, policy);
  return ag_alert_watch_new (&rules);
}
