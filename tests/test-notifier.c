/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <glib/gstdio.h>

#include "ag-notifier.h"
#include "ag-test-notify.h"

typedef struct
{
  char *dir;
  AgTestNotifyDaemon *daemon;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *log_path = NULL;

  fixture->dir = g_dir_make_tmp ("test-notifier-XXXXXX", &error);
  g_assert_no_error (error);
  log_path = g_build_filename (fixture->dir, "notifications.log", NULL);
  fixture->daemon = ag_test_notify_daemon_start (log_path);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *log_path = g_strdup (fixture->daemon->log_path);

  ag_test_notify_daemon_stop (fixture->daemon);
  g_unlink (log_path);
  g_rmdir (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

static void
test_notifier_new_destroy (Fixture *fixture, gconstpointer user_data)
{
  AgNotifier *notifier = ag_notifier_new ();

  g_assert_false (ag_notifier_get_warning_shown (notifier));
  g_assert_finalize_object (notifier);
  /* Nothing was sent. */
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "Notify", NULL), ==, 0);
}

/* 2026-12-07 14:32:10.5 UTC: the tests run with TZ=UTC and in the C locale. */
#define LOCK_TIME_US (G_GINT64_CONSTANT (1796653930) * G_USEC_PER_SEC + G_USEC_PER_SEC / 2)

static void
test_notifier_warning (Fixture *fixture, gconstpointer user_data)
{
  AgNotifier *notifier = ag_notifier_new ();

  ag_notifier_show_lock_warning (notifier, LOCK_TIME_US);
  g_assert_true (ag_notifier_get_warning_shown (notifier));
  ag_notifier_flush (notifier);
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "Notify \"Agent Guard\"",
                                                 "\"Records lock at 14:32:10 for inactivity\"",
                                                 NULL),
                    ==, 1);
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "CloseNotification", NULL), ==,
                    0);

  /* Input withdraws it: the daemon is asked to close the very notification it showed. */
  ag_notifier_withdraw_lock_warning (notifier);
  g_assert_false (ag_notifier_get_warning_shown (notifier));
  ag_notifier_flush (notifier);
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "CloseNotification 1", NULL), ==,
                    1);

  /* Withdrawing again sends nothing. */
  ag_notifier_withdraw_lock_warning (notifier);
  ag_notifier_flush (notifier);
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "CloseNotification", NULL), ==,
                    1);

  g_assert_finalize_object (notifier);
}

static void
test_notifier_idle_lock (Fixture *fixture, gconstpointer user_data)
{
  AgNotifier *notifier = ag_notifier_new ();

  /* A warning still up when the records lock is withdrawn first. */
  ag_notifier_show_lock_warning (notifier, LOCK_TIME_US);
  ag_notifier_show_idle_lock (notifier, 300);
  g_assert_false (ag_notifier_get_warning_shown (notifier));
  ag_notifier_show_idle_lock (notifier, 90);
  ag_notifier_flush (notifier);

  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "CloseNotification 1", NULL), ==,
                    1);
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "Notify \"Agent Guard\"",
                                                 "\"Records locked after 5 min idle\"", NULL),
                    ==, 1);
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "Notify \"Agent Guard\"",
                                                 "\"Records locked after 90 s idle\"", NULL),
                    ==, 1);

  g_assert_finalize_object (notifier);
}

/* In training mode every notification says so, in its summary and its application name. */
static void
test_notifier_training (Fixture *fixture, gconstpointer user_data)
{
  AgNotifier *notifier = ag_notifier_new ();

  ag_notifier_set_training (notifier, TRUE);
  ag_notifier_show_lock_warning (notifier, LOCK_TIME_US);
  ag_notifier_show_idle_lock (notifier, 300);
  ag_notifier_flush (notifier);

  g_assert_cmpuint (
    ag_test_notify_daemon_count (fixture->daemon, "Notify \"Agent Guard (Training)\"",
                                 "\"Training: Records lock at 14:32:10 for inactivity\"", NULL),
    ==, 1);
  g_assert_cmpuint (
    ag_test_notify_daemon_count (fixture->daemon, "Notify \"Agent Guard (Training)\"",
                                 "\"Training: Records locked after 5 min idle\"", NULL),
    ==, 1);
  g_assert_cmpuint (ag_test_notify_daemon_count (fixture->daemon, "Notify \"Agent Guard\"", NULL),
                    ==, 0);

  g_assert_finalize_object (notifier);
}

static void
test_notifier_no_daemon (void)
{
  AgNotifier *notifier = ag_notifier_new ();

  /* No daemon owns the name (and none is activatable on the test bus): nothing breaks,
   * and nothing waits on the calling thread. */
  ag_notifier_show_lock_warning (notifier, LOCK_TIME_US);
  ag_notifier_withdraw_lock_warning (notifier);
  ag_notifier_show_idle_lock (notifier, 300);
  ag_notifier_flush (notifier);
  g_assert_finalize_object (notifier);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add ("/notifier/new-destroy", Fixture, NULL, fixture_set_up, test_notifier_new_destroy,
              fixture_tear_down);
  g_test_add ("/notifier/warning", Fixture, NULL, fixture_set_up, test_notifier_warning,
              fixture_tear_down);
  g_test_add ("/notifier/idle-lock", Fixture, NULL, fixture_set_up, test_notifier_idle_lock,
              fixture_tear_down);
  g_test_add ("/notifier/training", Fixture, NULL, fixture_set_up, test_notifier_training,
              fixture_tear_down);
  g_test_add_func ("/notifier/no-daemon", test_notifier_no_daemon);

  return g_test_run ();
}
