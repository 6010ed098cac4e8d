/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* A training call watching a real guard: the reveals it makes through the reveal path
 * (signed in with two factors, ledgered in a training store of the scenario's synthetic
 * customer) and their re-masks are what the score counts. */

#include "config.h"

#include "ag-keyring.h"
#include "ag-sqlite-store.h"
#include "ag-test-guard.h"
#include "ag-test-store.h"
#include "ag-training-call.h"

typedef struct
{
  AgReveal *reveal;
  GError *error;
  gboolean done;
} Wait;

static void
revealed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->reveal = ag_guard_reveal_finish (AG_GUARD (source), result, &wait->error);
  wait->done = TRUE;
}

static AgReveal *
reveal (AgGuard *guard, const char *record_id, AgPiiKind kind)
{
  Wait wait = { 0 };

  ag_guard_reveal_async (guard, record_id, kind, "customer-request", "T-1", NULL, revealed_cb,
                         &wait);
  AG_TEST_WAIT_UNTIL (wait.done);
  g_assert_no_error (wait.error);
  return wait.reveal;
}

static gboolean
has_rule (AgTrainingScore *score, AgTrainingRule rule)
{
  const GPtrArray *notes = ag_training_score_get_notes (score);

  for (guint i = 0; i < notes->len; i++)
    if (((AgTrainingNote *) g_ptr_array_index (notes, i))->rule == rule)
      return TRUE;
  return FALSE;
}

static void
test_watch_guard (void)
{
  g_autofree char *source = g_build_filename (g_getenv ("AG_SOURCE_ROOT"), "data", "training",
                                              "01-partial-cpf.scenario", NULL);
  g_autofree char *dir = g_dir_make_tmp ("ag-training-guard-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (GPtrArray) customers
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgTrainingScenario) scenario = NULL;
  g_autoptr (AgTrainingCall) call = NULL;
  g_autoptr (AgReveal) first = NULL;
  g_autoptr (AgReveal) second = NULL;
  g_autofree char *store_id = NULL;
  AgSqliteStore *store;
  AgGuard *guard;
  AgTrainingScore *score;
  const char *record_id;

  scenario = ag_training_scenario_new_from_file (source, &error);
  g_assert_no_error (error);
  call = ag_training_call_new (scenario);
  score = ag_training_call_get_score (call);

  /* The store holds the scenario's customer: the first of its seed. */
  store_id = ag_test_make_store (path, ag_training_scenario_get_seed (scenario), 1, customers);
  record_id = ((AgCustomerData *) g_ptr_array_index (customers, 0))->id;
  g_assert_cmpstr (record_id, ==, ag_training_call_get_customer (call)->id);
  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);

  ag_test_pam_write_stack (NULL);
  guard = ag_guard_new (&error);
  g_assert_no_error (error);
  ag_guard_set_store (guard, AG_STORE (store), "s-training", AG_LEDGER_MODE_TRAINING);
  ag_test_guard_sign_in (guard, 0);

  ag_training_call_watch_guard (call, guard);
  ag_training_call_start (call);

  /* Revealed before the identity check, then hidden by the trainee. */
  first = reveal (guard, record_id, AG_PII_KIND_CPF);
  g_assert_cmpuint (ag_training_score_get_n_revealed (score), ==, 1);
  g_assert_true (has_rule (score, AG_TRAINING_RULE_REVEAL_BEFORE_CHECK));
  g_assert_true (has_rule (score, AG_TRAINING_RULE_UNNEEDED_KIND));
  ag_guard_remask (guard, first, AG_REMASK_CAUSE_HIDDEN);

  /* Shown when the call ends, and re-masked at once by the lock. */
  ag_training_call_choose (call, 0);
  ag_training_call_choose (call, 0);
  second = reveal (guard, record_id, AG_PII_KIND_PHONE);
  ag_training_call_choose (call, 0);
  g_assert_true (ag_training_call_get_ended (call));
  g_assert_false (has_rule (score, AG_TRAINING_RULE_HIDDEN_IN_TIME));
  ag_guard_lock (guard, AG_LOCK_CAUSE_MANUAL);
  g_assert_true (has_rule (score, AG_TRAINING_RULE_HIDDEN_IN_TIME));

  ag_training_score_finish (score);
  g_assert_false (has_rule (score, AG_TRAINING_RULE_LEFT_REVEALED));
  g_assert_cmpuint (ag_training_score_get_n_revealed (score), ==, 2);
  /* Two kinds the task did not need: a ratio of 0. */
  g_assert_cmpfloat (ag_training_score_get_score (score), ==, 0);

  while (ag_guard_get_n_running (guard) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (guard);
  g_assert_finalize_object (store);
  ag_keyring_delete_keys (store_id, NULL, NULL);
  ag_test_remove_tree (dir);
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

  /* Before any thread: the sessions read AG_PAM_CONFDIR when they start. */
  ag_test_pam_init ();

  g_test_add_func ("/training-guard/watch", test_watch_guard);

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
