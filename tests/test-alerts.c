/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The supervisor's alert rules over ledger entries: thresholds at N-1, N and N+1, windows
 * sliding, one agent never counted for another, training never counted, working hours
 * across midnight. The tests run with TZ=UTC.
 */

#include "config.h"

#include "ag-alert-scan.h"
#include "ag-alerts.h"

#define MINUTE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
/* 2026-12-07 10:00 UTC, a Monday. */
#define T0 (G_GINT64_CONSTANT (1796637600) * G_USEC_PER_SEC)

typedef struct
{
  AgAlertWatch *watch;
  guint64 seq;
  gint64 now;
} Fixture;

static gint64
test_clock (gpointer user_data)
{
  Fixture *fixture = user_data;

  return fixture->now;
}

static void
set_up (Fixture *fixture, const AgAlertRules *rules)
{
  fixture->watch = ag_alert_watch_new (rules);
  fixture->seq = 0;
  fixture->now = T0 + 1;
  ag_alert_watch_set_clock (fixture->watch, test_clock, fixture);
}

static void
tear_down (Fixture *fixture)
{
  g_assert_finalize_object (g_steal_pointer (&fixture->watch));
}

/* Feeds one entry; returns the alerts it raised. */
static GPtrArray *
feed_full (Fixture *fixture, AgLedgerEvent event, const char *user, gint64 time_us,
           const char *record_id, AgLedgerMode mode)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (event);

  entry->seq = ++fixture->seq;
  entry->time_us = time_us;
  entry->user = g_strdup (user);
  entry->record_id = g_strdup (record_id);
  entry->mode = mode;
  return ag_alert_watch_add_entry (fixture->watch, entry);
}

/* Feeds one live entry and returns how many alerts it raised. */
static guint
feed (Fixture *fixture, AgLedgerEvent event, const char *user, gint64 time_us,
      const char *record_id)
{
  g_autoptr (GPtrArray) alerts
    = feed_full (fixture, event, user, time_us, record_id, AG_LEDGER_MODE_LIVE);

  return alerts->len;
}

static void
test_reveals_per_window (void)
{
  AgAlertRules rules = { .reveals = 3, .reveals_window_minutes = 10 };
  Fixture fixture;
  g_autoptr (GPtrArray) alerts = NULL;
  AgAlert *alert;

  set_up (&fixture, &rules);
  /* N-1: nothing. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0, "C1"), ==, 0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 4 * MINUTE_US, "C2"), ==,
                    0);
  /* N: one alert, naming the agent, the count, the window and exactly its rows. */
  alerts = feed_full (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 9 * MINUTE_US, "C3",
                      AG_LEDGER_MODE_LIVE);
  g_assert_cmpuint (alerts->len, ==, 1);
  alert = g_ptr_array_index (alerts, 0);
  g_assert_cmpint (alert->rule, ==, AG_ALERT_RULE_REVEALS_PER_WINDOW);
  g_assert_cmpstr (ag_alert_rule_to_string (alert->rule), ==, "alert-reveals-per-window");
  g_assert_cmpstr (alert->user, ==, "ana");
  g_assert_cmpuint (alert->count, ==, 3);
  g_assert_cmpint (alert->window_start_us, ==, T0);
  g_assert_cmpint (alert->window_end_us, ==, T0 + 9 * MINUTE_US);
  g_assert_cmpint (alert->raised_us, ==, fixture.now);
  g_assert_cmpuint (alert->seqs->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpuint (g_array_index (alert->seqs, guint64, i), ==, i + 1);
  /* N+1 within the window: the same burst, no second alert. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 9 * MINUTE_US + 1, "C4"),
                    ==, 0);

  /* The window slides: at T0 + 10 min the first reveal has left it (the window is
   * (t - 10 min, t]), three remain: still the same burst. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 10 * MINUTE_US, "C5"), ==,
                    0);
  /* A quiet spell lets the count fall below N; the next burst is a new alert. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 30 * MINUTE_US, "C6"), ==,
                    0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 31 * MINUTE_US, "C7"), ==,
                    0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 32 * MINUTE_US, "C8"), ==,
                    1);
  tear_down (&fixture);
}

static void
test_window_edge (void)
{
  AgAlertRules rules = { .reveals = 2, .reveals_window_minutes = 5 };
  Fixture fixture;

  set_up (&fixture, &rules);
  /* Exactly the window apart: the first is out, no alert. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0, "C1"), ==, 0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 5 * MINUTE_US, "C2"), ==,
                    0);
  /* A microsecond less than the window apart: both in. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 10 * MINUTE_US - 1, "C3"),
                    ==, 1);
  tear_down (&fixture);
}

static void
test_per_agent_and_live_only (void)
{
  AgAlertRules rules = { .reveals = 2, .reveals_window_minutes = 10 };
  Fixture fixture;
  g_autoptr (GPtrArray) training = NULL;

  set_up (&fixture, &rules);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0, "C1"), ==, 0);
  /* Another agent's reveal counts for that agent only. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "bruno", T0 + 1, "C1"), ==, 0);
  /* Training is no real customer's data. */
  training
    = feed_full (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 2, "C2", AG_LEDGER_MODE_TRAINING);
  g_assert_cmpuint (training->len, ==, 0);
  /* Other events are not reveals. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_SEARCH, "ana", T0 + 3, "C2"), ==, 0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REMASK, "ana", T0 + 4, "C1"), ==, 0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 5, "C2"), ==, 1);
  tear_down (&fixture);
}

static void
test_distinct_customers (void)
{
  AgAlertRules rules = { .distinct_customers_per_hour = 3 };
  Fixture fixture;

  set_up (&fixture, &rules);
  /* The same customer again and again is one customer. */
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + i, "C1"), ==, 0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 10, "C2"), ==, 0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 20, "C3"), ==, 1);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 30, "C4"), ==, 0);
  /* An hour on, C1…C4 have left the window: three new customers raise it again. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 61 * MINUTE_US, "C5"), ==,
                    0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 62 * MINUTE_US, "C6"), ==,
                    0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 63 * MINUTE_US, "C7"), ==,
                    1);
  tear_down (&fixture);
}

static void
test_denied (void)
{
  AgAlertRules rules = { .denied_per_hour = 2 };
  Fixture fixture;

  set_up (&fixture, &rules);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL_DENIED, "ana", T0, "C1"), ==, 0);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 1, "C1"), ==, 0);
  /* A refused search counts as a denial too. */
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_SEARCH_DENIED, "ana", T0 + 2, NULL), ==, 1);
  tear_down (&fixture);
}

static void
test_outside_hours (void)
{
  /* Working hours 08:00–18:00. */
  AgAlertRules day = { .hours_start = 8 * 60, .hours_end = 18 * 60 };
  /* A night shift, 22:00–06:00, across midnight. */
  AgAlertRules night = { .hours_start = 22 * 60, .hours_end = 6 * 60 };
  gint64 midnight = T0 - 10 * 60 * MINUTE_US;
  Fixture fixture;
  g_autoptr (GPtrArray) alerts = NULL;

  set_up (&fixture, &day);
  g_assert_cmpuint (
    feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", midnight + 8 * 60 * MINUTE_US, "C1"), ==, 0);
  g_assert_cmpuint (
    feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", midnight + 18 * 60 * MINUTE_US - 1, "C1"), ==,
    0);
  alerts = feed_full (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", midnight + 18 * 60 * MINUTE_US, "C1",
                      AG_LEDGER_MODE_LIVE);
  g_assert_cmpuint (alerts->len, ==, 1);
  g_assert_cmpint (((AgAlert *) g_ptr_array_index (alerts, 0))->rule, ==,
                   AG_ALERT_RULE_OUTSIDE_HOURS);
  g_assert_cmpuint (((AgAlert *) g_ptr_array_index (alerts, 0))->seqs->len, ==, 1);
  g_assert_cmpuint (
    feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", midnight + 7 * 60 * MINUTE_US, "C1"), ==, 1);
  tear_down (&fixture);

  set_up (&fixture, &night);
  g_assert_cmpuint (
    feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", midnight + 23 * 60 * MINUTE_US, "C1"), ==, 0);
  g_assert_cmpuint (
    feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", midnight + 5 * 60 * MINUTE_US, "C1"), ==, 0);
  g_assert_cmpuint (
    feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", midnight + 12 * 60 * MINUTE_US, "C1"), ==, 1);
  tear_down (&fixture);
}

static void
test_rules_off (void)
{
  AgAlertRules rules = { 0 };
  Fixture fixture;

  set_up (&fixture, &rules);
  for (guint i = 0; i < 100; i++)
    {
      g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + i, "C1"), ==, 0);
      g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL_DENIED, "ana", T0 + i, "C1"), ==, 0);
    }
  tear_down (&fixture);
}

/* The cause of an `alert` ledger entry, written and read back; anything else is refused. */
static void
test_cause (void)
{
  AgAlertRules rules = { .reveals = 2, .reveals_window_minutes = 10 };
  static const char *const bad[] = {
    "",
    "rule=alert-reveals-per-window agent=ana count=2 window=2026-12-07T10:00:00Z/"
    "2026-12-07T10:01:00Z",
    "rule=alert-nonsense agent=ana count=2 window=2026-12-07T10:00:00Z/2026-12-07T10:01:00Z "
    "rows=1..2",
    "rule=alert-reveals-per-window agent=ana count=2 window=yesterday rows=1..2",
    "rule=alert-reveals-per-window agent=ana count=2 window=2026-12-07T10:00:00Z/"
    "2026-12-07T10:01:00Z rows=2..1",
    "rule=alert-reveals-per-window agent= count=2 window=2026-12-07T10:00:00Z/"
    "2026-12-07T10:01:00Z rows=1..2",
  };
  g_autoptr (GPtrArray) alerts = NULL;
  g_autoptr (AgAlert) back = NULL;
  g_autofree char *cause = NULL;
  guint64 first = 0, last = 0;
  Fixture fixture;

  set_up (&fixture, &rules);
  g_assert_cmpuint (feed (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0, "C1"), ==, 0);
  alerts = feed_full (&fixture, AG_LEDGER_EVENT_REVEAL, "ana", T0 + MINUTE_US, "C2",
                      AG_LEDGER_MODE_LIVE);
  g_assert_cmpuint (alerts->len, ==, 1);

  cause = ag_alert_to_cause (g_ptr_array_index (alerts, 0));
  g_assert_cmpstr (cause, ==,
                   "rule=alert-reveals-per-window agent=ana count=2 "
                   "window=2026-12-07T10:00:00Z/2026-12-07T10:01:00Z rows=1..2");
  back = ag_alert_from_cause (cause, &first, &last);
  g_assert_nonnull (back);
  g_assert_cmpint (back->rule, ==, AG_ALERT_RULE_REVEALS_PER_WINDOW);
  g_assert_cmpstr (back->user, ==, "ana");
  g_assert_cmpuint (back->count, ==, 2);
  g_assert_cmpint (back->window_start_us, ==, T0);
  g_assert_cmpint (back->window_end_us, ==, T0 + MINUTE_US);
  g_assert_cmpuint (first, ==, 1);
  g_assert_cmpuint (last, ==, 2);
  g_assert_cmpuint (back->seqs->len, ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_null (ag_alert_from_cause (bad[i], &first, &last));
  tear_down (&fixture);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/alerts/reveals-per-window", test_reveals_per_window);
  g_test_add_func ("/alerts/window-edge", test_window_edge);
  g_test_add_func ("/alerts/per-agent-and-live-only", test_per_agent_and_live_only);
  g_test_add_func ("/alerts/distinct-customers", test_distinct_customers);
  g_test_add_func ("/alerts/denied", test_denied);
  g_test_add_func ("/alerts/outside-hours", test_outside_hours);
  g_test_add_func ("/alerts/rules-off", test_rules_off);
  g_test_add_func ("/alerts/cause", test_cause);
  return g_test_run ();
}
