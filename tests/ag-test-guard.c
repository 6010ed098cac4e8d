/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include "ag-test-guard.h"

#include <liboath/oath.h>

static char *ag_test_pam_dir;

/* Call once in main(), before any thread starts: the sessions read AG_PAM_CONFDIR. */
void
ag_test_pam_init (void)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_dir = g_dir_make_tmp ("ag-pam-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("AG_PAM_CONFDIR", ag_test_pam_dir, TRUE);
}

void
ag_test_pam_cleanup (void)
{
  ag_test_remove_tree (ag_test_pam_dir);
  g_clear_pointer (&ag_test_pam_dir, g_free);
}

/* Writes the password database, a fresh TOTP users file (so that a code is never a
 * replay of an earlier test's) and the service file: @before (may be NULL) comes first,
 * then pam_matrix and pam_oath. */
void
ag_test_pam_write_stack (const char *before)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *passdb = g_build_filename (ag_test_pam_dir, "passdb", NULL);
  g_autofree char *oathdir = g_build_filename (ag_test_pam_dir, "oath", NULL);
  g_autofree char *usersfile = g_build_filename (oathdir, "users.oath", NULL);
  g_autofree char *service = g_build_filename (ag_test_pam_dir, AG_AUTH_SERVICE, NULL);
  g_autofree char *line = NULL;
  g_autofree char *stack = NULL;

  g_mkdir_with_parents (oathdir, 0700);
  line = g_strdup_printf ("%s:%s:%s\n", g_get_user_name (), AG_TEST_PASSWORD, AG_AUTH_SERVICE);
  g_file_set_contents (passdb, line, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("HOTP/T30/6 %s - %s\n", g_get_user_name (), AG_TEST_KEY_HEX);
  g_file_set_contents_full (usersfile, line, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);

  stack = g_strdup_printf ("%s"
                           "auth required " AG_TEST_MATRIX " passdb=%s\n"
                           "auth required " AG_TEST_OATH " usersfile=%s window=5\n"
                           "account required " AG_TEST_MATRIX " passdb=%s\n",
                           before != NULL ? before : "", passdb, usersfile, passdb);
  g_file_set_contents (service, stack, -1, &error);
  g_assert_no_error (error);
}

/* The code for the time step @step steps from now: each sign-in in one test takes the
 * next step, as pam_oath refuses a code it has seen. */
char *
ag_test_pam_code (guint step)
{
  char secret[20];
  size_t secret_len = sizeof secret;
  char code[16];

  g_assert_cmpint (oath_init (), ==, OATH_OK);
  g_assert_cmpint (oath_hex2bin (AG_TEST_KEY_HEX, secret, &secret_len), ==, OATH_OK);
  g_assert_cmpint (
    oath_totp_generate (secret, secret_len, time (NULL) + 30 * (time_t) step, 30, 0, 6, code), ==,
    OATH_OK);
  oath_done ();
  return g_strdup (code);
}

gboolean
ag_test_wait_timed_out_cb (gpointer user_data)
{
  g_error ("Gave up waiting for: %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* Answers the password and code prompts of one batch; the code is that of *step. */
void
ag_test_guard_conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer user_data)
{
  const guint *step = user_data;

  for (guint i = 0; i < ag_auth_batch_get_n_messages (batch); i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);

      if (!ag_auth_batch_is_prompt (batch, i))
        continue;
      if (g_str_has_prefix (text, "Password"))
        ag_auth_batch_set_answer (batch, i, AG_TEST_PASSWORD);
      else if (g_str_has_prefix (text, "One-time password"))
        {
          g_autofree char *code = ag_test_pam_code (*step);

          ag_auth_batch_set_answer (batch, i, code);
        }
    }
  if (ag_auth_batch_needs_reply (batch))
    ag_auth_batch_reply (batch);
}

/* Signs @guard in with the right password and the code of @step (each sign-in in one test
 * takes the next step) through the stack of ag_test_pam_write_stack(). */
void
ag_test_guard_sign_in (AgGuard *guard, guint step)
{
  g_autoptr (GError) error = NULL;
  gulong id
    = g_signal_connect (guard, "conversation", G_CALLBACK (ag_test_guard_conversation_cb), &step);

  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_true (ag_guard_begin (guard, &error));
  g_assert_no_error (error);
  AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) != AG_GUARD_STATE_AUTHENTICATING);
  g_signal_handler_disconnect (guard, id);
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_UNLOCKED);
}
