/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * AgGuard's idle deadline with an injected clock: the session locks exactly at the
 * deadline, input moves it, the warning comes lock-warning before and input ends it, a
 * policy change moves it at once, and nothing of it runs while LOCKED. Each guard is
 * unlocked through a real two-factor PAM conversation (ag-test-guard.h).
 */

#include "config.h"

#include "ag-test-guard.h"

#define SECOND ((gint64) G_USEC_PER_SEC)
#define T0     (G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC)

typedef struct
{
  AgGuard *guard;
  gint64 now;
  /* With a real clock: the offset added to g_get_real_time(). */
  gboolean real;
  gint64 offset;
  GArray *events; /* of AgGuardEvent, without pointers */
  guint n_warning_signals;
  gint64 seconds_left;
  guint n_warning_notifies;
  char *policy_dir;
} Fixture;

static gint64
test_clock (gpointer data)
{
  Fixture *fixture = data;

  if (fixture->real)
    return g_get_real_time () + fixture->offset;
  return fixture->now;
}

static void
event_cb (const AgGuardEvent *event, gpointer data)
{
  Fixture *fixture = data;
  AgGuardEvent copy = *event;

  copy.user = NULL;
  copy.error = NULL;
  g_array_append_val (fixture->events, copy);
}

static void
lock_warning_cb (AgGuard *guard, gint64 seconds_left, gpointer data)
{
  Fixture *fixture = data;

  /* The property is on when the signal comes. */
  g_assert_true (ag_guard_get_warning (guard));
  fixture->n_warning_signals++;
  fixture->seconds_left = seconds_left;
}

static void
notify_warning_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  Fixture *fixture = data;

  fixture->n_warning_notifies++;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_write_stack (NULL);
  fixture->events = g_array_new (FALSE, TRUE, sizeof (AgGuardEvent));
  fixture->now = T0;
  fixture->guard = ag_guard_new (&error);
  g_assert_no_error (error);
  ag_guard_set_clock (fixture->guard, test_clock, fixture);
  ag_guard_set_event_sink (fixture->guard, event_cb, fixture, NULL);
  g_signal_connect (fixture->guard, "lock-warning", G_CALLBACK (lock_warning_cb), fixture);
  g_signal_connect (fixture->guard, "notify::warning", G_CALLBACK (notify_warning_cb), fixture);
  fixture->policy_dir = g_dir_make_tmp ("ag-idle-policy-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  while (ag_guard_get_n_running (fixture->guard) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&fixture->guard));
  g_array_unref (fixture->events);
  ag_test_remove_tree (fixture->policy_dir);
  g_free (fixture->policy_dir);
}

/* A policy with these two keys and the defaults for the rest, as a system policy file. */
static AgPolicy *
make_policy (Fixture *fixture, guint idle_lock, guint lock_warning)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->policy_dir, "policy.conf", NULL);
  g_autofree char *contents
    = g_strdup_printf ("[policy]\nidle-lock=%u\nlock-warning=%u\n", idle_lock, lock_warning);
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (fixture->policy_dir, NULL, NULL);
  AgPolicy *policy;

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
  policy = ag_policy_load (paths, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, idle_lock);
  g_assert_cmpuint (ag_policy_get_lock_warning (policy), ==, lock_warning);
  return policy;
}

static void
set_policy (Fixture *fixture, guint idle_lock, guint lock_warning)
{
  g_autoptr (AgPolicy) policy = make_policy (fixture, idle_lock, lock_warning);

  ag_guard_set_policy (fixture->guard, policy);
  g_assert_true (ag_guard_get_policy (fixture->guard) == policy);
}

/* Moves the injected clock to @time and lets the guard act on it. */
static void
at (Fixture *fixture, gint64 time)
{
  g_assert_cmpint (time, >=, fixture->now);
  fixture->now = time;
  ag_guard_process_time (fixture->guard);
}

static guint
n_events (Fixture *fixture)
{
  return fixture->events->len;
}

static const AgGuardEvent *
last_event (Fixture *fixture)
{
  g_assert_cmpuint (fixture->events->len, >, 0);
  return &g_array_index (fixture->events, AgGuardEvent, fixture->events->len - 1);
}

static AgGuardState
state (Fixture *fixture)
{
  return ag_guard_get_state (fixture->guard);
}

static gint64
deadline (Fixture *fixture)
{
  return ag_guard_get_idle_deadline (fixture->guard);
}

/* The last event is a lock for idleness at @time, and its ledger entry says so. */
static void
assert_idle_lock (Fixture *fixture, gint64 time)
{
  const AgGuardEvent *event = last_event (fixture);
  g_autoptr (AgLedgerEntry) entry = NULL;

  g_assert_cmpint (event->kind, ==, AG_GUARD_EVENT_LOCK);
  g_assert_cmpint (event->cause, ==, AG_LOCK_CAUSE_IDLE);
  g_assert_cmpint (event->time_us, ==, time);
  entry = ag_guard_event_to_ledger_entry (event, "s-idle", AG_LEDGER_MODE_LIVE);
  g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_LOCK);
  g_assert_cmpstr (entry->cause, ==, "idle");
  g_assert_cmpint (entry->time_us, ==, time);

  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpint (deadline (fixture), ==, 0);
  g_assert_false (ag_guard_get_warning (fixture->guard));
}

static void
test_locked (void)
{
  g_autoptr (GError) error = NULL;
  AgGuard *guard = ag_guard_new (&error);
  gboolean warning = TRUE;

  g_assert_no_error (error);
  /* The strict defaults until a policy is set. */
  g_assert_cmpuint (ag_policy_get_idle_lock (ag_guard_get_policy (guard)), ==, 300);
  g_assert_cmpuint (ag_policy_get_lock_warning (ag_guard_get_policy (guard)), ==, 30);

  /* No deadline while LOCKED; input and time change nothing. */
  g_assert_cmpint (ag_guard_get_idle_deadline (guard), ==, 0);
  ag_guard_report_activity (guard);
  ag_guard_process_time (guard);
  g_assert_cmpint (ag_guard_get_idle_deadline (guard), ==, 0);
  g_object_get (guard, "warning", &warning, NULL);
  g_assert_false (warning);
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_finalize_object (guard);
}

static void
test_deadline (Fixture *fixture, gconstpointer data)
{
  gint64 unlocked_at;

  ag_test_guard_sign_in (fixture->guard, 0);
  unlocked_at = fixture->now;
  g_assert_cmpuint (n_events (fixture), ==, 1);
  g_assert_cmpint (deadline (fixture), ==, unlocked_at + 300 * SECOND);

  at (fixture, unlocked_at + 300 * SECOND - 1);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_cmpuint (n_events (fixture), ==, 1);

  at (fixture, unlocked_at + 300 * SECOND);
  g_assert_cmpuint (n_events (fixture), ==, 2);
  assert_idle_lock (fixture, unlocked_at + 300 * SECOND);

  /* Once locked, time brings no further event. */
  at (fixture, unlocked_at + 3600 * SECOND);
  g_assert_cmpuint (n_events (fixture), ==, 2);
}

static void
test_late (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);

  /* A timer that comes late (a busy main loop) still locks, at once. */
  at (fixture, T0 + 1000 * SECOND);
  assert_idle_lock (fixture, T0 + 1000 * SECOND);
  /* It skipped the warning's time: no warning is left behind on the locked guard. */
  g_assert_false (ag_guard_get_warning (fixture->guard));
}

static void
test_input_resets (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);

  at (fixture, T0 + 200 * SECOND);
  ag_guard_report_activity (fixture->guard);
  g_assert_cmpint (deadline (fixture), ==, T0 + 500 * SECOND);

  /* The old deadline passes without a lock. */
  at (fixture, T0 + 300 * SECOND);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);

  /* Input again, one microsecond before the new deadline. */
  at (fixture, T0 + 500 * SECOND - 1);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  ag_guard_report_activity (fixture->guard);
  g_assert_cmpint (deadline (fixture), ==, T0 + 800 * SECOND - 1);
  at (fixture, T0 + 800 * SECOND - 2);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  at (fixture, T0 + 800 * SECOND - 1);
  assert_idle_lock (fixture, T0 + 800 * SECOND - 1);
  g_assert_cmpuint (n_events (fixture), ==, 2);
}

static void
test_warning (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);
  g_assert_false (ag_guard_get_warning (fixture->guard));

  /* lock-warning is 30 s: nothing one microsecond before that. */
  at (fixture, T0 + 270 * SECOND - 1);
  g_assert_false (ag_guard_get_warning (fixture->guard));
  g_assert_cmpuint (fixture->n_warning_signals, ==, 0);

  at (fixture, T0 + 270 * SECOND);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  g_assert_cmpuint (fixture->n_warning_signals, ==, 1);
  g_assert_cmpint (fixture->seconds_left, ==, 30);
  g_assert_cmpuint (fixture->n_warning_notifies, ==, 1);

  /* Once only. */
  at (fixture, T0 + 280 * SECOND);
  g_assert_cmpuint (fixture->n_warning_signals, ==, 1);
  g_assert_cmpuint (fixture->n_warning_notifies, ==, 1);

  /* Input ends it and moves the deadline. */
  ag_guard_report_activity (fixture->guard);
  g_assert_false (ag_guard_get_warning (fixture->guard));
  g_assert_cmpuint (fixture->n_warning_notifies, ==, 2);
  g_assert_cmpint (deadline (fixture), ==, T0 + 580 * SECOND);
  at (fixture, T0 + 300 * SECOND);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_false (ag_guard_get_warning (fixture->guard));

  /* Half a second late: the seconds left are rounded up. */
  at (fixture, T0 + 550 * SECOND + SECOND / 2);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  g_assert_cmpuint (fixture->n_warning_signals, ==, 2);
  g_assert_cmpint (fixture->seconds_left, ==, 30);

  /* The lock ends it too. */
  at (fixture, T0 + 580 * SECOND);
  assert_idle_lock (fixture, T0 + 580 * SECOND);
  g_assert_cmpuint (fixture->n_warning_notifies, ==, 4);
  g_assert_cmpuint (fixture->n_warning_signals, ==, 2);
}

static void
test_no_warning (Fixture *fixture, gconstpointer data)
{
  set_policy (fixture, 60, 0);
  ag_test_guard_sign_in (fixture->guard, 0);

  /* lock-warning 0: the lock comes unannounced. */
  at (fixture, T0 + 60 * SECOND - 1);
  g_assert_false (ag_guard_get_warning (fixture->guard));
  at (fixture, T0 + 60 * SECOND);
  assert_idle_lock (fixture, T0 + 60 * SECOND);
  g_assert_cmpuint (fixture->n_warning_signals, ==, 0);
  g_assert_cmpuint (fixture->n_warning_notifies, ==, 0);
}

static void
test_policy_shorter (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);
  at (fixture, T0 + 20 * SECOND);
  ag_guard_report_activity (fixture->guard);

  /* idle-lock 300 → 60 at T0 + 50 s: the deadline is 60 s after the last input, at once. */
  at (fixture, T0 + 50 * SECOND);
  set_policy (fixture, 60, 10);
  g_assert_cmpint (deadline (fixture), ==, T0 + 80 * SECOND);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_false (ag_guard_get_warning (fixture->guard));

  at (fixture, T0 + 70 * SECOND);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  g_assert_cmpint (fixture->seconds_left, ==, 10);
  at (fixture, T0 + 80 * SECOND - 1);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  at (fixture, T0 + 80 * SECOND);
  assert_idle_lock (fixture, T0 + 80 * SECOND);

  /* The next unlock takes the new idle-lock too. */
  fixture->now = T0 + 100 * SECOND;
  ag_test_guard_sign_in (fixture->guard, 1);
  g_assert_cmpint (deadline (fixture), ==, T0 + 160 * SECOND);
}

static void
test_policy_shorter_passed (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);

  /* Idle for 100 s when idle-lock becomes 60: the deadline passed, so the lock is now. */
  fixture->now = T0 + 100 * SECOND;
  set_policy (fixture, 60, 10);
  assert_idle_lock (fixture, T0 + 100 * SECOND);
}

static void
test_policy_shorter_warns (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);

  /* Idle for 55 s when idle-lock becomes 60: the warning is on at once, 5 s left. */
  fixture->now = T0 + 55 * SECOND;
  set_policy (fixture, 60, 10);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  g_assert_cmpuint (fixture->n_warning_signals, ==, 1);
  g_assert_cmpint (fixture->seconds_left, ==, 5);
}

static void
test_policy_longer (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);

  /* In the warning of the default 300 s when idle-lock becomes 600: the warning ends. */
  at (fixture, T0 + 280 * SECOND);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  set_policy (fixture, 600, 30);
  g_assert_cmpint (deadline (fixture), ==, T0 + 600 * SECOND);
  g_assert_false (ag_guard_get_warning (fixture->guard));

  at (fixture, T0 + 300 * SECOND);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  at (fixture, T0 + 570 * SECOND - 1);
  g_assert_false (ag_guard_get_warning (fixture->guard));
  at (fixture, T0 + 570 * SECOND);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  g_assert_cmpuint (fixture->n_warning_signals, ==, 2);
  at (fixture, T0 + 600 * SECOND - 1);
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);
  at (fixture, T0 + 600 * SECOND);
  assert_idle_lock (fixture, T0 + 600 * SECOND);
}

static void
test_locked_no_deadline (Fixture *fixture, gconstpointer data)
{
  ag_test_guard_sign_in (fixture->guard, 0);
  at (fixture, T0 + 280 * SECOND);
  g_assert_true (ag_guard_get_warning (fixture->guard));

  ag_guard_lock (fixture->guard, AG_LOCK_CAUSE_MANUAL);
  g_assert_cmpuint (n_events (fixture), ==, 2);
  g_assert_cmpint (last_event (fixture)->cause, ==, AG_LOCK_CAUSE_MANUAL);
  g_assert_cmpint (deadline (fixture), ==, 0);
  g_assert_false (ag_guard_get_warning (fixture->guard));

  /* Neither input, time nor a policy change brings a deadline back while LOCKED. */
  ag_guard_report_activity (fixture->guard);
  g_assert_cmpint (deadline (fixture), ==, 0);
  set_policy (fixture, 60, 10);
  g_assert_cmpint (deadline (fixture), ==, 0);
  at (fixture, T0 + 10000 * SECOND);
  g_assert_cmpuint (n_events (fixture), ==, 2);
  g_assert_cmpuint (fixture->n_warning_signals, ==, 1);

  /* The unlock starts a fresh one. */
  ag_test_guard_sign_in (fixture->guard, 1);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_UNLOCK);
  g_assert_cmpint (deadline (fixture), ==, T0 + 10060 * SECOND);
}

static void
test_timer (Fixture *fixture, gconstpointer data)
{
  gint64 target;

  /* The guard's own timer, on a real clock shifted to just before the deadline. */
  fixture->real = TRUE;
  set_policy (fixture, 60, 10);
  ag_test_guard_sign_in (fixture->guard, 0);
  fixture->offset = 60 * SECOND - 50000;
  target = deadline (fixture);
  /* The warning starts and the timer is armed for the lock, 50 ms away. */
  ag_guard_process_time (fixture->guard);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  g_assert_cmpint (state (fixture), ==, AG_GUARD_STATE_UNLOCKED);

  AG_TEST_WAIT_UNTIL (state (fixture) == AG_GUARD_STATE_LOCKED);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOCK);
  g_assert_cmpint (last_event (fixture)->cause, ==, AG_LOCK_CAUSE_IDLE);
  /* Never before the deadline. */
  g_assert_cmpint (last_event (fixture)->time_us, >=, target);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#if !DEVELOPMENT
  g_test_skip ("AG_PAM_CONFDIR needs a development build (-Ddevelopment=true)");
  return g_test_run ();
#endif

  ag_test_pam_init ();

  g_test_add_func ("/guard-idle/locked", test_locked);
#define ADD(path, func) \
  g_test_add ("/guard-idle/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("deadline", test_deadline);
  ADD ("late", test_late);
  ADD ("input-resets", test_input_resets);
  ADD ("warning", test_warning);
  ADD ("no-warning", test_no_warning);
  ADD ("policy-shorter", test_policy_shorter);
  ADD ("policy-shorter-passed", test_policy_shorter_passed);
  ADD ("policy-shorter-warns", test_policy_shorter_warns);
  ADD ("policy-longer", test_policy_longer);
  ADD ("locked-no-deadline", test_locked_no_deadline);
  ADD ("timer", test_timer);
#undef ADD

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
