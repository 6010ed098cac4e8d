/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The alert rules in the policy: their defaults, their syntax and hard limits, admin
 * bounds over them (off is the loosest), and an AgAlertWatch set from the policy in force.
 * The tests run with TZ=UTC.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ag-alerts.h"
#include "ag-policy.h"
#include "ag-test-util.h"

#define MINUTE_US (G_GINT64_CONSTANT (60) * G_USEC_PER_SEC)
/* 2026-12-07 00:00 UTC. */
#define DAY0 (G_GINT64_CONSTANT (1796601600) * G_USEC_PER_SEC)

typedef struct
{
  char *root;
  char *system_dir;
  char *supervisor_dir;
  AgPolicyPaths *paths;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;

  fixture->root = g_dir_make_tmp ("test-policy-alerts-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->system_dir = g_build_filename (fixture->root, "etc", NULL);
  fixture->supervisor_dir = g_build_filename (fixture->root, "var", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->system_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fixture->supervisor_dir, 0755), ==, 0);
  fixture->paths = ag_policy_paths_new (fixture->system_dir, fixture->supervisor_dir, NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  ag_test_remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->system_dir);
  g_free (fixture->supervisor_dir);
  ag_policy_paths_free (fixture->paths);
}

/* The policy of "ana", in team "vendas", with @system and @supervisor (nullable) as the
 * files of those layers. */
static AgPolicy *
load (Fixture *fixture, const char *system, const char *supervisor, GError **error)
{
  const char *const groups[] = { "vendas", NULL };

  if (system != NULL)
    ag_test_put_file (fixture->system_dir, "policy.conf", system);
  if (supervisor != NULL)
    ag_test_put_file (fixture->supervisor_dir, "10-floor.conf", supervisor);
  return ag_policy_load (fixture->paths, "ana", groups, NULL, error);
}

static void
assert_value (AgPolicy *policy, AgPolicyKey key, const char *expected)
{
  g_autofree char *value = ag_policy_dup_value_string (policy, key);

  g_assert_cmpstr (value, ==, expected);
}

static void
test_defaults (void)
{
  g_autoptr (AgPolicy) policy = ag_policy_new_default ();
  AgAlertRules rules;
  guint a = 1, b = 1;

  g_assert_true (ag_policy_get_alert_reveals_per_window (policy, &a, &b));
  g_assert_cmpuint (a, ==, 20);
  g_assert_cmpuint (b, ==, 15);
  g_assert_cmpuint (ag_policy_get_alert_distinct_customers_per_hour (policy), ==, 20);
  g_assert_cmpuint (ag_policy_get_alert_denied_per_hour (policy), ==, 5);
  g_assert_true (ag_policy_get_alert_outside_hours (policy, &a, &b));
  g_assert_cmpuint (a, ==, 7 * 60);
  g_assert_cmpuint (b, ==, 22 * 60);

  assert_value (policy, AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW, "20/15");
  assert_value (policy, AG_POLICY_KEY_ALERT_DISTINCT_CUSTOMERS_PER_HOUR, "20");
  assert_value (policy, AG_POLICY_KEY_ALERT_DENIED_PER_HOUR, "5");
  assert_value (policy, AG_POLICY_KEY_ALERT_OUTSIDE_HOURS, "07:00-22:00");
  g_assert_cmpstr (ag_policy_key_to_string (AG_POLICY_KEY_ALERT_OUTSIDE_HOURS), ==,
                   "alert-outside-hours");

  /* The built-in bound lets a supervisor turn any rule off. */
  for (AgPolicyKey key = AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW;
       key <= AG_POLICY_KEY_ALERT_OUTSIDE_HOURS; key++)
    {
      g_autofree char *bound = ag_policy_dup_bound_string (policy, key);

      g_assert_cmpstr (bound, ==, "off");
      g_assert_nonnull (ag_policy_key_get_description (key));
    }
  g_assert_cmpstr (ag_policy_key_get_description (AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW), ==,
                   "Alert when one agent reveals N values within M minutes (N/M), or off");

  ag_alert_rules_init_from_policy (&rules, policy);
  g_assert_cmpuint (rules.reveals, ==, 20);
  g_assert_cmpuint (rules.reveals_window_minutes, ==, 15);
  g_assert_cmpuint (rules.distinct_customers_per_hour, ==, 20);
  g_assert_cmpuint (rules.denied_per_hour, ==, 5);
  g_assert_cmpuint (rules.hours_start, ==, 420);
  g_assert_cmpuint (rules.hours_end, ==, 1320);

  g_assert_finalize_object (g_steal_pointer (&policy));
}

/* Checks that `[policy]` KEY=@value of a system file is refused with exactly @problem. */
static void
assert_refused (const char *key, const char *value, int code, const char *problem)
{
  g_autofree char *data = g_strdup_printf ("[policy]\n%s=%s\n", key, value);
  g_autofree char *expected = g_strdup_printf ("a.conf:2: %s: %s", key, problem);
  g_autoptr (GError) error = NULL;

  g_assert_false (
    ag_policy_validate_layer_data ("a.conf", data, -1, AG_POLICY_LAYER_SYSTEM, NULL, &error));
  g_assert_error (error, AG_POLICY_ERROR, code);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_parse (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  guint a = 1, b = 1;

  policy = load (fixture,
                 "[policy]\n"
                 "alert-reveals-per-window=1000/1440\n"
                 "alert-distinct-customers-per-hour=off\n"
                 "alert-denied-per-hour=1\n"
                 "alert-outside-hours=22:00-06:30\n",
                 NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ag_policy_get_alert_reveals_per_window (policy, &a, &b));
  g_assert_cmpuint (a, ==, 1000);
  g_assert_cmpuint (b, ==, 1440);
  g_assert_cmpuint (ag_policy_get_alert_distinct_customers_per_hour (policy), ==, 0);
  assert_value (policy, AG_POLICY_KEY_ALERT_DISTINCT_CUSTOMERS_PER_HOUR, "off");
  g_assert_cmpuint (ag_policy_get_alert_denied_per_hour (policy), ==, 1);
  g_assert_true (ag_policy_get_alert_outside_hours (policy, &a, &b));
  g_assert_cmpuint (a, ==, 22 * 60);
  g_assert_cmpuint (b, ==, 6 * 60 + 30);
  assert_value (policy, AG_POLICY_KEY_ALERT_OUTSIDE_HOURS, "22:00-06:30");
  g_clear_object (&policy);

  policy
    = load (fixture, "[policy]\nalert-reveals-per-window=off\nalert-outside-hours=08:00-24:00\n",
            NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ag_policy_get_alert_reveals_per_window (policy, &a, &b));
  g_assert_cmpuint (a, ==, 0);
  g_assert_cmpuint (b, ==, 0);
  assert_value (policy, AG_POLICY_KEY_ALERT_OUTSIDE_HOURS, "08:00-24:00");

  assert_refused ("alert-reveals-per-window", "20", AG_POLICY_ERROR_INVALID_VALUE,
                  "“20” is neither off nor COUNT/MINUTES");
  assert_refused ("alert-reveals-per-window", "0/15", AG_POLICY_ERROR_OUT_OF_RANGE,
                  "0 is below the minimum 1");
  assert_refused ("alert-reveals-per-window", "1001/15", AG_POLICY_ERROR_OUT_OF_RANGE,
                  "1001 is above the maximum 1000");
  assert_refused ("alert-reveals-per-window", "20/0", AG_POLICY_ERROR_OUT_OF_RANGE,
                  "0 is below the minimum 1");
  assert_refused ("alert-reveals-per-window", "20/1441", AG_POLICY_ERROR_OUT_OF_RANGE,
                  "1441 is above the maximum 1440");
  assert_refused ("alert-reveals-per-window", "20/15m", AG_POLICY_ERROR_INVALID_VALUE,
                  "“15m” is not a whole number");
  assert_refused ("alert-denied-per-hour", "0", AG_POLICY_ERROR_OUT_OF_RANGE,
                  "0 is below the minimum 1");
  assert_refused ("alert-distinct-customers-per-hour", "1001", AG_POLICY_ERROR_OUT_OF_RANGE,
                  "1001 is above the maximum 1000");
  assert_refused ("alert-denied-per-hour", "never", AG_POLICY_ERROR_INVALID_VALUE,
                  "“never” is not a whole number");
  assert_refused ("alert-outside-hours", "8:00-18:00", AG_POLICY_ERROR_INVALID_VALUE,
                  "“8:00-18:00” is neither off nor HH:MM-HH:MM");
  assert_refused ("alert-outside-hours", "08:00-24:01", AG_POLICY_ERROR_INVALID_VALUE,
                  "“08:00-24:01” is neither off nor HH:MM-HH:MM");
  assert_refused ("alert-outside-hours", "24:00-06:00", AG_POLICY_ERROR_INVALID_VALUE,
                  "“24:00-06:00” is neither off nor HH:MM-HH:MM");
  assert_refused ("alert-outside-hours", "08:60-18:00", AG_POLICY_ERROR_INVALID_VALUE,
                  "“08:60-18:00” is neither off nor HH:MM-HH:MM");
  assert_refused ("alert-outside-hours", "08:00-08:00", AG_POLICY_ERROR_INVALID_VALUE,
                  "“08:00-08:00” leaves no time outside the working hours; write off instead");
  assert_refused ("alert-outside-hours", "00:00-24:00", AG_POLICY_ERROR_INVALID_VALUE,
                  "“00:00-24:00” leaves no time outside the working hours; write off instead");
}

/* A supervisor's @line for team vendas against the system's @bounds: refused with
 * @problem, or applied when @problem is NULL. */
static void
assert_bound (Fixture *fixture, const char *bounds, const char *line, const char *problem)
{
  g_autofree char *system = g_strdup_printf ("[bounds]\n%s\n", bounds);
  g_autofree char *supervisor = g_strdup_printf ("[team:vendas]\n%s\n", line);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = load (fixture, system, supervisor, &error);
  g_autofree char *expected = NULL;

  if (problem == NULL)
    {
      g_autofree char *key = g_strndup (line, strchr (line, '=') - line);
      AgPolicyKey parsed;

      g_assert_no_error (error);
      g_assert_true (ag_policy_key_from_string (key, &parsed));
      assert_value (policy, parsed, strchr (line, '=') + 1);
      return;
    }
  expected = g_strdup_printf ("%s/10-floor.conf:2: %s", fixture->supervisor_dir, problem);
  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_BEYOND_BOUND);
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_bounds (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *sys = g_build_filename (fixture->system_dir, "policy.conf", NULL);
  g_autofree char *problem = NULL;

  /* Counts: higher is looser, off the loosest; the bound itself and below are fine. */
  problem = g_strdup_printf (
    "alert-denied-per-hour: 11 is looser than the admin bound 10 set in %s:2", sys);
  assert_bound (fixture, "alert-denied-per-hour=10", "alert-denied-per-hour=11", problem);
  g_free (problem);
  problem = g_strdup_printf (
    "alert-denied-per-hour: off is looser than the admin bound 10 set in %s:2", sys);
  assert_bound (fixture, "alert-denied-per-hour=10", "alert-denied-per-hour=off", problem);
  assert_bound (fixture, "alert-denied-per-hour=10", "alert-denied-per-hour=10", NULL);
  assert_bound (fixture, "alert-denied-per-hour=10", "alert-denied-per-hour=9", NULL);

  /* Windows: more reveals or a shorter window is looser. */
  g_free (problem);
  problem = g_strdup_printf (
    "alert-reveals-per-window: 21/15 is looser than the admin bound 20/15 set in %s:2", sys);
  assert_bound (fixture, "alert-reveals-per-window=20/15", "alert-reveals-per-window=21/15",
                problem);
  g_free (problem);
  problem = g_strdup_printf (
    "alert-reveals-per-window: 20/14 is looser than the admin bound 20/15 set in %s:2", sys);
  assert_bound (fixture, "alert-reveals-per-window=20/15", "alert-reveals-per-window=20/14",
                problem);
  assert_bound (fixture, "alert-reveals-per-window=20/15", "alert-reveals-per-window=10/60", NULL);

  /* Working hours: any minute outside the bound's is looser, across midnight too. */
  g_free (problem);
  problem = g_strdup_printf ("alert-outside-hours: 07:59-20:00 is looser than the admin bound "
                             "08:00-20:00 set in %s:2",
                             sys);
  assert_bound (fixture, "alert-outside-hours=08:00-20:00", "alert-outside-hours=07:59-20:00",
                problem);
  g_free (problem);
  problem = g_strdup_printf ("alert-outside-hours: 19:00-01:00 is looser than the admin bound "
                             "08:00-20:00 set in %s:2",
                             sys);
  assert_bound (fixture, "alert-outside-hours=08:00-20:00", "alert-outside-hours=19:00-01:00",
                problem);
  assert_bound (fixture, "alert-outside-hours=08:00-20:00", "alert-outside-hours=09:00-18:00",
                NULL);
  assert_bound (fixture, "alert-outside-hours=22:00-06:00", "alert-outside-hours=23:00-02:00",
                NULL);
  g_free (problem);
  problem = g_strdup_printf (
    "alert-outside-hours: off is looser than the admin bound 08:00-20:00 set in %s:2", sys);
  assert_bound (fixture, "alert-outside-hours=08:00-20:00", "alert-outside-hours=off", problem);
}

static void
test_bound_clamps_default (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = load (
    fixture, "[bounds]\nalert-denied-per-hour=3\nalert-reveals-per-window=10/30\n", NULL, &error);

  g_assert_no_error (error);
  assert_value (policy, AG_POLICY_KEY_ALERT_DENIED_PER_HOUR, "3");
  assert_value (policy, AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW, "10/30");
  /* A default within the bound stays. */
  assert_value (policy, AG_POLICY_KEY_ALERT_OUTSIDE_HOURS, "07:00-22:00");
}

static guint64 next_seq;

static guint
feed (AgAlertWatch *watch, AgLedgerEvent event, gint64 time_us, const char *record_id)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (event);
  g_autoptr (GPtrArray) alerts = NULL;

  entry->seq = ++next_seq;
  entry->time_us = time_us;
  entry->user = g_strdup ("ana");
  entry->record_id = g_strdup (record_id);
  alerts = ag_alert_watch_add_entry (watch, entry);
  return alerts->len;
}

/* The team's section sets the watch: 3 reveals in 10 minutes, working hours 08:00-18:00. */
static void
test_watch_from_policy (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy
    = load (fixture, NULL,
            "[team:vendas]\nalert-reveals-per-window=3/10\nalert-outside-hours=08:00-18:00\n"
            "alert-distinct-customers-per-hour=off\nalert-denied-per-hour=2\n",
            &error);
  g_autoptr (AgAlertWatch) watch = NULL;
  gint64 nine = DAY0 + 9 * 60 * MINUTE_US;

  g_assert_no_error (error);
  watch = ag_alert_watch_new_for_policy (policy);

  /* Working hours: 07:59 is outside, 08:00 inside. */
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL, DAY0 + 479 * MINUTE_US, "C-1"), ==, 1);
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL, DAY0 + 480 * MINUTE_US, "C-2"), ==, 0);
  /* Three reveals within ten minutes. */
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL, nine, "C-3"), ==, 0);
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL, nine + MINUTE_US, "C-4"), ==, 0);
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL, nine + 9 * MINUTE_US, "C-5"), ==, 1);
  /* 17:59 is inside, 18:00 outside. */
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL, DAY0 + 1079 * MINUTE_US, "C-6"), ==, 0);
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL, DAY0 + 1080 * MINUTE_US, "C-7"), ==, 1);
  /* Two denials in an hour raise one alert. */
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_REVEAL_DENIED, DAY0 + 1100 * MINUTE_US, "C-1"), ==,
                    0);
  g_assert_cmpuint (feed (watch, AG_LEDGER_EVENT_SEARCH_DENIED, DAY0 + 1150 * MINUTE_US, NULL), ==,
                    1);

  g_assert_finalize_object (g_steal_pointer (&watch));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  umask (022);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  g_test_add_func ("/policy-alerts/defaults", test_defaults);
  ADD ("/policy-alerts/parse", test_parse);
  ADD ("/policy-alerts/bounds", test_bounds);
  ADD ("/policy-alerts/bound-clamps-default", test_bound_clamps_default);
  ADD ("/policy-alerts/watch-from-policy", test_watch_from_policy);
#undef ADD

  return g_test_run ();
}
