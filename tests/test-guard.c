/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * AgGuard against real PAM: the private two-factor stack of ag-test-guard.h, read through
 * AG_PAM_CONFDIR (development builds only), pam_matrix for the password and pam_oath for
 * the TOTP code.
 */

#include "config.h"

#include "ag-test-guard.h"

#define PASSWORD AG_TEST_PASSWORD

typedef struct
{
  AgGuard *guard;
  /* What the conversation answers; NULL: do not answer that prompt. */
  const char *password;
  gboolean wrong_code;
  gboolean cancel_at_code;
  guint step; /* TOTP time steps used so far: each login takes a fresh code */
  guint n_batches;
  guint n_state_changes;
  guint n_failed_signals;
  GError *failed_error;
  GArray *events; /* of AgGuardEvent, without pointers */
  /* The sink holds each sign-in (ag_guard_hold_unlock()), and with release_in_sink ends
   * the hold at once, from inside the sink. */
  gboolean hold;
  gboolean release_in_sink;
  guint token;
  gint64 now;
} Fixture;

static void
conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer data)
{
  Fixture *fixture = data;

  fixture->n_batches++;
  for (guint i = 0; i < ag_auth_batch_get_n_messages (batch); i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);

      if (!ag_auth_batch_is_prompt (batch, i))
        continue;
      if (g_str_has_prefix (text, "Password") && fixture->password != NULL)
        ag_auth_batch_set_answer (batch, i, fixture->password);
      else if (g_str_has_prefix (text, "One-time password"))
        {
          g_autofree char *code = NULL;

          if (fixture->cancel_at_code)
            {
              ag_guard_cancel (guard);
              return;
            }
          code = fixture->wrong_code ? g_strdup ("000000") : ag_test_pam_code (fixture->step);
          ag_auth_batch_set_answer (batch, i, code);
        }
    }
  if (ag_auth_batch_needs_reply (batch))
    ag_auth_batch_reply (batch);
}

static void
state_changed_cb (AgGuard *guard, AgGuardState old_state, AgGuardState new_state, gpointer data)
{
  Fixture *fixture = data;

  g_assert_cmpint (old_state, !=, new_state);
  g_assert_cmpint (new_state, ==, ag_guard_get_state (guard));
  fixture->n_state_changes++;
}

static void
attempt_failed_cb (AgGuard *guard, const GError *error, gpointer data)
{
  Fixture *fixture = data;

  /* The guard is LOCKED again and has counted the failure when this comes. */
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_LOCKED);
  fixture->n_failed_signals++;
  g_clear_error (&fixture->failed_error);
  fixture->failed_error = g_error_copy (error);
}

static void
event_cb (const AgGuardEvent *event, gpointer data)
{
  Fixture *fixture = data;
  AgGuardEvent copy = *event;

  g_assert_cmpstr (event->user, ==, g_get_user_name ());
  g_assert_true (event->kind != AG_GUARD_EVENT_LOGIN_FAILED || event->error != NULL);
  copy.user = NULL;
  copy.error = NULL;
  g_array_append_val (fixture->events, copy);
  if (fixture->hold
      && (event->kind == AG_GUARD_EVENT_LOGIN || event->kind == AG_GUARD_EVENT_UNLOCK))
    {
      fixture->token = ag_guard_hold_unlock (fixture->guard);
      if (fixture->release_in_sink)
        ag_guard_release_unlock (fixture->guard, fixture->token, NULL);
    }
}

static gint64
test_clock (gpointer data)
{
  Fixture *fixture = data;

  return fixture->now;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_write_stack (NULL);

  fixture->events = g_array_new (FALSE, TRUE, sizeof (AgGuardEvent));
  fixture->now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  fixture->password = PASSWORD;
  fixture->guard = ag_guard_new (&error);
  g_assert_no_error (error);
  ag_guard_set_clock (fixture->guard, test_clock, fixture);
  ag_guard_set_event_sink (fixture->guard, event_cb, fixture, NULL);
  g_signal_connect (fixture->guard, "conversation", G_CALLBACK (conversation_cb), fixture);
  g_signal_connect (fixture->guard, "state-changed", G_CALLBACK (state_changed_cb), fixture);
  g_signal_connect (fixture->guard, "attempt-failed", G_CALLBACK (attempt_failed_cb), fixture);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  /* Let cancelled workers wind down, so no PAM transaction outlives the test. */
  while (ag_guard_get_n_running (fixture->guard) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&fixture->guard));

  g_clear_error (&fixture->failed_error);
  g_array_unref (fixture->events);
}

/* One attempt to the end: begin, answer, wait until it is no longer AUTHENTICATING. */
static void
attempt (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ag_guard_begin (fixture->guard, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_AUTHENTICATING);
  while (ag_guard_get_state (fixture->guard) == AG_GUARD_STATE_AUTHENTICATING)
    g_main_context_iteration (NULL, TRUE);
}

static const AgGuardEvent *
last_event (Fixture *fixture)
{
  g_assert_cmpuint (fixture->events->len, >, 0);
  return &g_array_index (fixture->events, AgGuardEvent, fixture->events->len - 1);
}

static void
test_new_destroy (void)
{
  g_autoptr (GError) error = NULL;
  AgGuard *guard = ag_guard_new (&error);
  g_autofree char *user = NULL;
  guint failed = 99;
  AgGuardState state = AG_GUARD_STATE_UNLOCKED;

  g_assert_no_error (error);
  g_assert_cmpstr (ag_guard_get_user (guard), ==, g_get_user_name ());
  g_object_get (guard, "user", &user, "failed-attempts", &failed, "state", &state, NULL);
  g_assert_cmpstr (user, ==, g_get_user_name ());
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpint (state, ==, AG_GUARD_STATE_LOCKED);
  g_assert_false (ag_guard_get_signed_in (guard));
  g_assert_finalize_object (guard);
}

static void
test_other_user (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new_for_user ("not-the-running-user", &error);

  g_assert_null (guard);
  g_assert_error (error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER);
  g_clear_error (&error);

  guard = ag_guard_new_for_user (g_get_user_name (), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ag_guard_get_user (guard), ==, g_get_user_name ());
}

static void
test_names (void)
{
  g_assert_cmpstr (ag_guard_state_to_string (AG_GUARD_STATE_AUTHENTICATING), ==, "authenticating");
  g_assert_cmpstr (ag_lock_cause_to_string (AG_LOCK_CAUSE_SCREEN_LOCK), ==, "screen-lock");
  g_assert_cmpstr (ag_lock_cause_to_string (AG_LOCK_CAUSE_MINIMISE), ==, "minimise");
  g_assert_cmpstr (ag_guard_event_kind_to_string (AG_GUARD_EVENT_LOGIN_FAILED), ==, "login-failed");
}

static void
test_ledger_entry (void)
{
  g_autoptr (GError) error
    = g_error_new_literal (AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS, "one factor only");
  AgGuardEvent lock = {
    .kind = AG_GUARD_EVENT_LOCK, .time_us = 42, .user = "agente", .cause = AG_LOCK_CAUSE_SUSPEND
  };
  AgGuardEvent failed = { .kind = AG_GUARD_EVENT_LOGIN_FAILED,
                          .time_us = 43,
                          .user = "agente",
                          .failed_attempts = 1,
                          .error = error };
  AgGuardEvent login = { .kind = AG_GUARD_EVENT_LOGIN, .time_us = 44, .user = "agente" };
  g_autoptr (AgLedgerEntry) a = ag_guard_event_to_ledger_entry (&lock, "s-1", AG_LEDGER_MODE_LIVE);
  g_autoptr (AgLedgerEntry) b
    = ag_guard_event_to_ledger_entry (&failed, "s-1", AG_LEDGER_MODE_TRAINING);
  g_autoptr (AgLedgerEntry) c = ag_guard_event_to_ledger_entry (&login, NULL, AG_LEDGER_MODE_LIVE);

  g_assert_cmpint (a->event, ==, AG_LEDGER_EVENT_LOCK);
  g_assert_cmpint (a->time_us, ==, 42);
  g_assert_cmpstr (a->user, ==, "agente");
  g_assert_cmpstr (a->host, ==, g_get_host_name ());
  g_assert_cmpstr (a->session_id, ==, "s-1");
  g_assert_cmpstr (a->cause, ==, "suspend");
  g_assert_cmpint (a->field_kind, ==, AG_LEDGER_NO_FIELD);
  g_assert_null (a->record_id);

  /* What failed, by code: never PAM's message. */
  g_assert_cmpint (b->event, ==, AG_LEDGER_EVENT_LOGIN_FAILED);
  g_assert_cmpint (b->mode, ==, AG_LEDGER_MODE_TRAINING);
  g_assert_cmpstr (b->cause, ==, "too-few-factors");

  g_assert_cmpint (c->event, ==, AG_LEDGER_EVENT_LOGIN);
  g_assert_null (c->cause);
}

static void
test_unlock (Fixture *fixture, gconstpointer data)
{
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  attempt (fixture);

  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_true (ag_guard_get_signed_in (fixture->guard));
  g_assert_cmpuint (ag_guard_get_failed_attempts (fixture->guard), ==, 0);
  /* Password and code: two conversation calls. */
  g_assert_cmpuint (fixture->n_batches, ==, 2);
  /* LOCKED → AUTHENTICATING → UNLOCKED */
  g_assert_cmpuint (fixture->n_state_changes, ==, 2);
  g_assert_cmpuint (fixture->events->len, ==, 1);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOGIN);
  g_assert_cmpint (last_event (fixture)->time_us, ==, fixture->now);
}

static void
test_wrong_password (Fixture *fixture, gconstpointer data)
{
  fixture->password = "not-the-password";
  attempt (fixture);

  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_false (ag_guard_get_signed_in (fixture->guard));
  g_assert_cmpuint (ag_guard_get_failed_attempts (fixture->guard), ==, 1);
  g_assert_cmpuint (fixture->n_failed_signals, ==, 1);
  g_assert_error (fixture->failed_error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
  g_assert_cmpuint (fixture->events->len, ==, 1);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOGIN_FAILED);
  g_assert_cmpuint (last_event (fixture)->failed_attempts, ==, 1);

  /* A second failure counts on; the right factors then reset the count. */
  fixture->step++;
  attempt (fixture);
  g_assert_cmpuint (ag_guard_get_failed_attempts (fixture->guard), ==, 2);
  fixture->password = PASSWORD;
  fixture->step++;
  attempt (fixture);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_cmpuint (ag_guard_get_failed_attempts (fixture->guard), ==, 0);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOGIN);
}

static void
test_wrong_code (Fixture *fixture, gconstpointer data)
{
  fixture->wrong_code = TRUE;
  attempt (fixture);

  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpuint (ag_guard_get_failed_attempts (fixture->guard), ==, 1);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOGIN_FAILED);
}

static void
test_lock_and_unlock (Fixture *fixture, gconstpointer data)
{
  attempt (fixture);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_UNLOCKED);

  fixture->now += 5 * G_USEC_PER_SEC;
  ag_guard_lock (fixture->guard, AG_LOCK_CAUSE_IDLE);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpuint (fixture->events->len, ==, 2);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOCK);
  g_assert_cmpint (last_event (fixture)->cause, ==, AG_LOCK_CAUSE_IDLE);
  g_assert_cmpint (last_event (fixture)->time_us, ==, fixture->now);

  /* Locking a locked guard is no event. */
  ag_guard_lock (fixture->guard, AG_LOCK_CAUSE_MANUAL);
  g_assert_cmpuint (fixture->events->len, ==, 2);

  /* The unlock asks for both factors again: the password alone is not enough. */
  fixture->n_batches = 0;
  fixture->step++;
  fixture->wrong_code = TRUE;
  attempt (fixture);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpuint (fixture->n_batches, ==, 2);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOGIN_FAILED);

  fixture->wrong_code = FALSE;
  fixture->step++;
  attempt (fixture);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_UNLOCK);

  ag_guard_lock (fixture->guard, AG_LOCK_CAUSE_MANUAL);
  g_assert_cmpint (last_event (fixture)->cause, ==, AG_LOCK_CAUSE_MANUAL);
}

static void
test_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->cancel_at_code = TRUE;
  attempt (fixture);

  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  /* A cancel is neither a failure nor an event. */
  g_assert_cmpuint (ag_guard_get_failed_attempts (fixture->guard), ==, 0);
  g_assert_cmpuint (fixture->n_failed_signals, ==, 0);
  g_assert_cmpuint (fixture->events->len, ==, 0);

  /* A new attempt may start at once, while the old worker winds down. */
  fixture->cancel_at_code = FALSE;
  attempt (fixture);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_UNLOCKED);

  g_assert_false (ag_guard_begin (fixture->guard, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
}

static void
test_lock_while_authenticating (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* No answer: PAM waits at the password prompt until the lock cancels it. */
  g_signal_handlers_disconnect_by_func (fixture->guard, conversation_cb, fixture);
  g_assert_true (ag_guard_begin (fixture->guard, &error));
  g_assert_no_error (error);
  ag_guard_lock (fixture->guard, AG_LOCK_CAUSE_SUSPEND);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpuint (fixture->events->len, ==, 0);
}

static guint
count_threads (void)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_destroy_while_authenticating (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  AgGuard *guard = g_steal_pointer (&fixture->guard);
  guint threads_before = count_threads ();

  /* Nobody answers: PAM waits at the password prompt when the guard goes away. */
  g_signal_handlers_disconnect_by_func (guard, conversation_cb, fixture);
  g_assert_true (ag_guard_begin (guard, &error));
  g_assert_no_error (error);
  while (count_threads () == threads_before)
    g_main_context_iteration (NULL, FALSE);
  g_assert_finalize_object (guard);

  /* The cancelled worker ends on its own; its result finds no guard. */
  while (count_threads () > threads_before)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* For the tear-down. */
  fixture->guard = ag_guard_new (&error);
  g_assert_no_error (error);
}

/* Begins an attempt and answers it until the sink holds it (or it ends). */
static void
attempt_until_held (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  guint n_events = fixture->events->len;

  g_assert_true (ag_guard_begin (fixture->guard, &error));
  g_assert_no_error (error);
  while (ag_guard_get_state (fixture->guard) == AG_GUARD_STATE_AUTHENTICATING
         && fixture->events->len == n_events)
    g_main_context_iteration (NULL, TRUE);
}

/* A sink that ends the hold from inside itself: one unlock, signed in, no second pass. */
static void
test_hold_released_in_sink (Fixture *fixture, gconstpointer data)
{
  fixture->hold = TRUE;
  fixture->release_in_sink = TRUE;
  attempt (fixture);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_true (ag_guard_get_signed_in (fixture->guard));
  /* LOCKED → AUTHENTICATING → UNLOCKED, once. */
  g_assert_cmpuint (fixture->n_state_changes, ==, 2);
  g_assert_cmpuint (fixture->events->len, ==, 1);
}

/* A cancel while the sign-in's entry is on its way: locked, and a lock event follows the
 * login, so the ledger never shows a session left open; the late release does nothing. */
static void
test_hold_cancelled (Fixture *fixture, gconstpointer data)
{
  guint token;

  fixture->hold = TRUE;
  attempt_until_held (fixture);
  token = fixture->token;
  g_assert_cmpuint (token, !=, 0);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_AUTHENTICATING);
  ag_guard_cancel (fixture->guard);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpuint (fixture->events->len, ==, 2);
  g_assert_cmpint (g_array_index (fixture->events, AgGuardEvent, 0).kind, ==, AG_GUARD_EVENT_LOGIN);
  g_assert_cmpint (last_event (fixture)->kind, ==, AG_GUARD_EVENT_LOCK);
  g_assert_cmpint (last_event (fixture)->cause, ==, AG_LOCK_CAUSE_MANUAL);

  ag_guard_release_unlock (fixture->guard, token, NULL);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_false (ag_guard_get_signed_in (fixture->guard));
  g_assert_cmpuint (fixture->n_failed_signals, ==, 0);
}

/* The release of an earlier, cancelled sign-in does not end a later one's hold. */
static void
test_hold_stale_token (Fixture *fixture, gconstpointer data)
{
  guint first;

  fixture->hold = TRUE;
  attempt_until_held (fixture);
  first = fixture->token;
  ag_guard_lock (fixture->guard, AG_LOCK_CAUSE_SCREEN_LOCK);
  g_assert_cmpint (last_event (fixture)->cause, ==, AG_LOCK_CAUSE_SCREEN_LOCK);
  fixture->step++;
  attempt_until_held (fixture);
  g_assert_cmpuint (fixture->token, !=, first);

  ag_guard_release_unlock (fixture->guard, first, NULL);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_AUTHENTICATING);
  ag_guard_release_unlock (fixture->guard, fixture->token, NULL);
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_UNLOCKED);
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

  g_test_add_func ("/guard/new-destroy", test_new_destroy);
  g_test_add_func ("/guard/other-user", test_other_user);
  g_test_add_func ("/guard/names", test_names);
  g_test_add_func ("/guard/ledger-entry", test_ledger_entry);
#define ADD(path, func) \
  g_test_add ("/guard/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("unlock", test_unlock);
  ADD ("wrong-password", test_wrong_password);
  ADD ("wrong-code", test_wrong_code);
  ADD ("lock-and-unlock", test_lock_and_unlock);
  ADD ("cancel", test_cancel);
  ADD ("lock-while-authenticating", test_lock_while_authenticating);
  ADD ("destroy-while-authenticating", test_destroy_while_authenticating);
  ADD ("hold/released-in-sink", test_hold_released_in_sink);
  ADD ("hold/cancelled", test_hold_cancelled);
  ADD ("hold/stale-token", test_hold_stale_token);
#undef ADD

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
