/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * AgSession: what every ledger entry of one signed-in session carries, decided once.
 */

#include "config.h"

#include <grp.h>
#include <unistd.h>

#include "ag-session.h"

static void
test_new_destroy (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  AgSession *session;
  g_autofree char *user = NULL;
  g_autofree char *host = NULL;
  g_autofree char *id = NULL;
  g_autoptr (AgGuard) got_guard = NULL;
  g_autoptr (AgStore) store = NULL;
  int mode = -1;

  g_assert_no_error (error);
  session = ag_session_new (guard, AG_LEDGER_MODE_TRAINING, NULL);
  g_assert_true (ag_session_get_guard (session) == guard);
  g_assert_cmpstr (ag_session_get_user (session), ==, g_get_user_name ());
  g_assert_cmpstr (ag_session_get_host (session), ==, g_get_host_name ());
  g_assert_true (g_uuid_string_is_valid (ag_session_get_session_id (session)));
  g_assert_cmpint (ag_session_get_mode (session), ==, AG_LEDGER_MODE_TRAINING);
  g_assert_true (ag_session_get_training (session));
  g_assert_null (ag_session_get_policy_source (session));
  g_assert_null (ag_session_get_store (session));

  g_object_get (session, "guard", &got_guard, "user", &user, "host", &host, "session-id", &id,
                "mode", &mode, "store", &store, NULL);
  g_assert_true (got_guard == guard);
  g_assert_cmpstr (user, ==, g_get_user_name ());
  g_assert_cmpstr (host, ==, g_get_host_name ());
  g_assert_cmpstr (id, ==, ag_session_get_session_id (session));
  g_assert_cmpint (mode, ==, AG_LEDGER_MODE_TRAINING);
  g_assert_null (store);

  /* No store: the guard has none either, and nothing is left behind. */
  ag_session_set_store (session, NULL);
  g_assert_null (ag_session_get_store (session));
  g_clear_object (&got_guard);
  g_assert_finalize_object (session);
}

/* Each session has an id of its own; live is live. */
static void
test_ids (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgSession) a = NULL;
  g_autoptr (AgSession) b = NULL;

  g_assert_no_error (error);
  a = ag_session_new (guard, AG_LEDGER_MODE_LIVE, NULL);
  b = ag_session_new (guard, AG_LEDGER_MODE_LIVE, NULL);
  g_assert_cmpstr (ag_session_get_session_id (a), !=, ag_session_get_session_id (b));
  g_assert_cmpint (ag_session_get_mode (a), ==, AG_LEDGER_MODE_LIVE);
  g_assert_false (ag_session_get_training (a));
}

/* Every entry of the session carries its user, this host, its id and its mode. */
static void
test_entries (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgSession) session = NULL;
  g_autoptr (AgLedgerEntry) changed = NULL;
  g_autoptr (AgLedgerEntry) lock = NULL;
  AgGuardEvent event = { .kind = AG_GUARD_EVENT_LOCK,
                         .time_us = 42,
                         .user = g_get_user_name (),
                         .cause = AG_LOCK_CAUSE_IDLE };

  g_assert_no_error (error);
  session = ag_session_new (guard, AG_LEDGER_MODE_TRAINING, NULL);

  changed = ag_session_new_entry (session, AG_LEDGER_EVENT_POLICY_CHANGED);
  g_assert_cmpint (changed->event, ==, AG_LEDGER_EVENT_POLICY_CHANGED);
  g_assert_cmpstr (changed->user, ==, g_get_user_name ());
  g_assert_cmpstr (changed->host, ==, g_get_host_name ());
  g_assert_cmpstr (changed->session_id, ==, ag_session_get_session_id (session));
  g_assert_cmpint (changed->mode, ==, AG_LEDGER_MODE_TRAINING);
  g_assert_null (changed->cause);

  lock = ag_session_guard_event_to_entry (session, &event);
  g_assert_cmpint (lock->event, ==, AG_LEDGER_EVENT_LOCK);
  g_assert_cmpint (lock->time_us, ==, 42);
  g_assert_cmpstr (lock->session_id, ==, ag_session_get_session_id (session));
  g_assert_cmpint (lock->mode, ==, AG_LEDGER_MODE_TRAINING);
  g_assert_cmpstr (lock->cause, ==, "idle");
}

static const char *
own_group (void)
{
  struct group *group = getgrgid (getgid ());

  g_assert_nonnull (group);
  return group->gr_name;
}

/* A trainee is always in training mode; anyone else only when they ask (issue 16). */
static void
test_choose_mode (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgSession) session = NULL;
  gboolean trainee = TRUE;

  g_assert_no_error (error);
  g_setenv ("AG_TRAINEES_GROUP", "no-such-group-agent-guard", TRUE);
  g_assert_cmpint (ag_session_choose_mode (g_get_user_name (), FALSE, &trainee), ==,
                   AG_LEDGER_MODE_LIVE);
  g_assert_false (trainee);
  g_assert_cmpint (ag_session_choose_mode (g_get_user_name (), TRUE, &trainee), ==,
                   AG_LEDGER_MODE_TRAINING);
  g_assert_false (trainee);
  session = ag_session_new_for_user (guard, FALSE, NULL);
  g_assert_cmpint (ag_session_get_mode (session), ==, AG_LEDGER_MODE_LIVE);
  g_assert_false (ag_session_get_trainee (session));
  g_clear_object (&session);

  /* The user's own group stands for the trainees' group. */
  g_setenv ("AG_TRAINEES_GROUP", own_group (), TRUE);
  g_assert_cmpint (ag_session_choose_mode (g_get_user_name (), FALSE, &trainee), ==,
                   AG_LEDGER_MODE_TRAINING);
  g_assert_true (trainee);
  session = ag_session_new_for_user (guard, FALSE, NULL);
  g_assert_cmpint (ag_session_get_mode (session), ==, AG_LEDGER_MODE_TRAINING);
  g_assert_true (ag_session_get_training (session));
  g_assert_true (ag_session_get_trainee (session));
  g_unsetenv ("AG_TRAINEES_GROUP");
}

/* One training store per trainee, under the user's data folder, with a seed of its own. */
static void
test_training_store (void)
{
  g_autofree char *path = ag_session_get_training_store_path ("joao");
  g_autofree char *expected
    = g_build_filename (g_get_user_data_dir (), "agent-guard", "training", "joao.db", NULL);
  g_autofree char *odd = ag_session_get_training_store_path ("../x");

  g_assert_cmpstr (path, ==, expected);
  g_assert_nonnull (g_strrstr (odd, "/training/.._x.db"));
  g_assert_cmpuint (ag_session_get_training_seed ("joao"), ==,
                    ag_session_get_training_seed ("joao"));
  g_assert_cmpuint (ag_session_get_training_seed ("joao"), !=,
                    ag_session_get_training_seed ("maria"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/session/new-destroy", test_new_destroy);
  g_test_add_func ("/session/ids", test_ids);
  g_test_add_func ("/session/entries", test_entries);
  g_test_add_func ("/session/choose-mode", test_choose_mode);
  g_test_add_func ("/session/training-store", test_training_store);

  return g_test_run ();
}
