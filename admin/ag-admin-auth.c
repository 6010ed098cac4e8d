/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-auth"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-admin.h"
#include "ag-auth-session.h"
#include "ag-pam-texts.h"

/* Longest answer read from the terminal; longer input is refused, not cut. */
#define ANSWER_MAX 1024

typedef struct
{
  GMainLoop *loop;
  GCancellable *cancellable;
  gboolean end_of_input;
  gboolean done;
  gboolean ok;
  GError *error;
} AuthCheck;

/**
 * ag_admin_answer_batch:
 * @batch: a message batch of a PAM conversation (sign-in or step-up)
 * @end_of_input: (inout): set once standard input ended; then nothing more is asked
 *
 * The terminal side of a PAM conversation, shared by every command that signs in: shows
 * info and error messages on stderr, asks each prompt there (echo off for a secret one)
 * and reads the answer from standard input, then replies. Answers are wiped as soon as
 * they are handed over.
 *
 * Returns: %TRUE when @batch was answered; %FALSE when it could not be (standard input
 *   ended, or an answer was too long, which is printed), and the caller must then cancel
 *   the conversation
 */
gboolean
ag_admin_answer_batch (AgAuthBatch *batch, gboolean *end_of_input)
{
  guint n;

  g_return_val_if_fail (AG_IS_AUTH_BATCH (batch), FALSE);
  g_return_val_if_fail (end_of_input != NULL, FALSE);

  n = ag_auth_batch_get_n_messages (batch);
  for (guint i = 0; i < n; i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);
      char answer[ANSWER_MAX];
      gboolean too_long;

      switch (ag_auth_batch_get_kind (batch, i))
        {
          case AG_AUTH_MESSAGE_INFO:
          case AG_AUTH_MESSAGE_ERROR:
            {
              g_autofree char *shown = ag_pam_message_text (text);

              g_printerr ("%s\n", shown);
            }
            break;

          case AG_AUTH_MESSAGE_PROMPT_SECRET:
          case AG_AUTH_MESSAGE_PROMPT_VISIBLE:
            if (*end_of_input
                || !ag_admin_ask (
                  text, ag_auth_batch_get_kind (batch, i) == AG_AUTH_MESSAGE_PROMPT_SECRET, answer,
                  sizeof answer, &too_long))
              {
                *end_of_input = TRUE;
                explicit_bzero (answer, sizeof answer);
                return FALSE;
              }
            if (too_long)
              {
                ag_admin_printerr (_("the answer is longer than %d characters"), ANSWER_MAX - 1);
                explicit_bzero (answer, sizeof answer);
                return FALSE;
              }
            ag_auth_batch_set_answer (batch, i, answer);
            explicit_bzero (answer, sizeof answer);
            break;

          default:
            g_assert_not_reached ();
        }
    }

  ag_auth_batch_reply (batch);
  return TRUE;
}

static void
conversation_cb (AgAuthSession *session, AgAuthBatch *batch, gpointer data)
{
  AuthCheck *check = data;

  if (!ag_admin_answer_batch (batch, &check->end_of_input))
    g_cancellable_cancel (check->cancellable);
}

static void
authenticate_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  AuthCheck *check = data;

  check->ok = ag_auth_session_authenticate_finish (AG_AUTH_SESSION (source), result, &check->error);
  check->done = TRUE;
  g_main_loop_quit (check->loop);
}

/**
 * ag_admin_print_auth_error:
 * @error: why a sign-in failed
 * @n_factors: the factors PAM counted, or %G_MAXUINT when unknown
 *
 * Prints on stderr, in words IT understands, why PAM refused a sign-in.
 */
void
ag_admin_print_auth_error (const GError *error, guint n_factors)
{
  g_return_if_fail (error != NULL);

  if (error->domain != AG_AUTH_ERROR)
    {
      ag_admin_printerr ("%s", error->message);
      return;
    }

  switch ((AgAuthError) error->code)
    {
      case AG_AUTH_ERROR_TOO_FEW_FACTORS:
        if (n_factors != G_MAXUINT)
          ag_admin_printerr (g_dngettext (GETTEXT_PACKAGE,
                                          "NOT ENOUGH FACTORS: PAM accepted the sign-in after %u "
                                          "factor, but Agent Guard requires %d.",
                                          "NOT ENOUGH FACTORS: PAM accepted the sign-in after %u "
                                          "factors, but Agent Guard requires %d.",
                                          n_factors),
                             n_factors, AG_AUTH_MIN_FACTORS);
        else
          ag_admin_printerr (_("NOT ENOUGH FACTORS: PAM accepted the sign-in with fewer than "
                                "the %d factors Agent Guard requires."),
                             AG_AUTH_MIN_FACTORS);
        g_printerr (_("Add a second factor as a required auth module to /etc/pam.d/%s (pam_oath "
                       "by default; pam_google_authenticator or pam_u2f with its “cue” option "
                       "also work), then run this check again.\n"),
                    AG_AUTH_SERVICE);
        break;
      case AG_AUTH_ERROR_FAILED:
        ag_admin_printerr (_("FAILED: PAM refused the sign-in (wrong password or code, or the "
                              "account is locked)."));
        break;
      case AG_AUTH_ERROR_ACCOUNT_REFUSED:
        ag_admin_printerr (_("ACCOUNT REFUSED: the factors were right, but the account phase "
                              "refused (expired account or password, or access not allowed)."));
        break;
      case AG_AUTH_ERROR_MISCONFIGURED:
        ag_admin_printerr (_("MISCONFIGURED: the PAM service “%s” could not run: %s"),
                           AG_AUTH_SERVICE, error->message);
        break;
      case AG_AUTH_ERROR_NOT_SAME_USER:
        ag_admin_printerr (_("REFUSED: the PAM stack signed in another user than the one running "
                              "this command."));
        break;
      case AG_AUTH_ERROR_CANCELLED:
        ag_admin_printerr (_("cancelled"));
        break;
      default:
        ag_admin_printerr ("%s", error->message);
        break;
    }
}

static void
explain_failure (AuthCheck *check, AgAuthSession *session)
{
  if (check->end_of_input)
    {
      ag_admin_printerr (_("no answer: standard input ended before PAM finished asking"));
      return;
    }

  ag_admin_print_auth_error (check->error, ag_auth_session_get_n_factors (session));
}

/* The complement of the factor count: the count sees which prompts were answered, not
 * whether the module that asked checked the answer. Controls that let a module fail
 * without failing the stack are shown to IT before the check runs. */
static void
check_service_file (void)
{
  g_autofree char *path = ag_auth_find_service_file ();
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;

  if (path == NULL)
    {
      ag_admin_printerr (_("warning: there is no PAM service file “%s”: PAM falls back to "
                            "the service “other”"),
                         AG_AUTH_SERVICE);
      return;
    }

  g_printerr (_("PAM service file: %s\n"), path);
  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      ag_admin_printerr (_("warning: cannot read %s: %s"), path, error->message);
      return;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *type = NULL, *control = NULL, *module = NULL, *base = NULL;
      guint number = i + 1;

      if (!ag_auth_parse_service_line (lines[i], &type, &control, &module))
        continue;
      base = g_path_get_basename (module);

      if (g_str_equal (control, "include") || g_str_equal (control, "substack"))
        ag_admin_printerr (_("note: line %u includes “%s”; the modules in it are not checked "
                              "here"),
                           number, module);
      if (!g_str_equal (type, "auth"))
        continue;

      if (g_str_equal (control, "optional"))
        ag_admin_printerr (_("warning: line %u: %s is optional: PAM ignores its failure, so "
                              "a wrong answer to its prompt would still count as a factor; "
                              "make it required"),
                           number, base);
      else if (g_str_equal (control, "sufficient"))
        ag_admin_printerr (_("warning: line %u: %s is sufficient: when it succeeds, the "
                              "modules after it do not run"),
                           number, base);
      else if (control[0] == '['
               && (strstr (control, "default=ignore") != NULL
                   || strstr (control, "auth_err=ignore") != NULL))
        ag_admin_printerr (_("warning: line %u: %s ignores some failures (%s), so a wrong "
                              "answer to its prompt could still count as a factor"),
                           number, base, control);
    }
}

int
ag_admin_auth_check (int argc, char **argv)
{
  g_autofree char *user = NULL;
  g_autoptr (AgAuthSession) session = NULL;
  g_autoptr (GError) error = NULL;
  AuthCheck check = { 0 };
  const GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
      N_("The user to check; only the user running the command can be checked"), N_("USER") },
    { NULL },
  };
  int exit_code;

  if (!ag_admin_parse_options (argv[0], "",
                               _("Runs the PAM service “agent-guard” as Agent Guard does, with "
                                  "the prompts on standard error and the answers read from "
                                  "standard input. Exits with 0 when the sign-in succeeded with "
                                  "two factors, 1 otherwise."),
                               (GOptionEntry *) entries, &argc, &argv))
    return AG_EXIT_USAGE;

  if (argc > 1)
    {
      ag_admin_printerr (_("%s: unexpected argument “%s”"), argv[0], argv[1]);
      return AG_EXIT_USAGE;
    }

  if (user != NULL)
    session = ag_auth_session_new_for_user (user, &error);
  else
    session = ag_auth_session_new (&error);

  if (session == NULL)
    {
      if (g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER))
        ag_admin_printerr (_("can only check the current user: Agent Guard only ever signs in "
                              "the user running it; run this command as that user"));
      else
        ag_admin_printerr ("%s", error->message);
      return AG_EXIT_FAILURE;
    }

  check_service_file ();

  check.loop = g_main_loop_new (NULL, FALSE);
  check.cancellable = g_cancellable_new ();
  g_signal_connect (session, "conversation", G_CALLBACK (conversation_cb), &check);

  ag_auth_session_authenticate_async (session, check.cancellable, authenticate_cb, &check);
  if (!check.done)
    g_main_loop_run (check.loop);

  if (check.ok)
    {
      guint n_factors = ag_auth_session_get_n_factors (session);

      g_print (g_dngettext (GETTEXT_PACKAGE, "OK: signed in as %s with %u factor.\n",
                            "OK: signed in as %s with %u factors.\n", n_factors),
               ag_auth_session_get_user (session), n_factors);
      exit_code = AG_EXIT_OK;
    }
  else
    {
      explain_failure (&check, session);
      exit_code = AG_EXIT_FAILURE;
    }

  g_clear_error (&check.error);
  g_clear_object (&check.cancellable);
  g_main_loop_unref (check.loop);
  return exit_code;
}
