/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * AgAuthSession against real PAM: libpam reads a private service file through
 * AG_PAM_CONFDIR (pam_start_confdir, development builds only) and runs real modules:
 * pam_matrix for the password, pam_oath for the TOTP code (computed here with liboath),
 * pam_chatty, pam_faildelay, pam_deny and the test-only module pam_agtest.
 */

#include "config.h"

#include <liboath/oath.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ag-auth-session.h"
#include "ag-test-util.h"

#define MATRIX         "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
#define CHATTY         "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_chatty.so"
#define SECURITY       "/lib/x86_64-linux-gnu/security/"
#define PASSWORD       "test-Pw-4821"
#define KEY_HEX        "3132333435363738393031323334353637383930"
#define THROWAWAY_USER "agtest"

typedef struct
{
  char *dir;
  char *user;
  char *passdb;
  char *usersfile;
  char *module; /* pam_agtest.so */
} Fixture;

typedef struct
{
  AgAuthMessageKind kind;
  char *text;
  guint batch;
  AgAuthPhase phase;
} Message;

typedef struct
{
  /* What to answer: by prompt text prefix. */
  const char *password;
  const char *code;
  const char *first;
  const char *second;
  const char *new_password;
  gboolean cancel_at_prompt;
  gboolean reply_later;
  gboolean no_handler;

  GCancellable *cancellable;
  GArray *messages; /* of Message */
  guint n_batches;
  guint max_batch_size;
  gboolean done;
  gboolean ok;
  GError *error;
  guint n_factors;
  guint ticks;
} Run;

static void
message_clear (Message *message)
{
  g_free (message->text);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *oathdir = NULL;
  g_autofree char *line = NULL;

  fixture->dir = g_strdup (g_getenv ("AG_PAM_CONFDIR"));
  g_assert_nonnull (fixture->dir);
  fixture->user = g_strdup (g_get_user_name ());
  fixture->passdb = g_build_filename (fixture->dir, "passdb", NULL);
  oathdir = g_build_filename (fixture->dir, "oath", NULL);
  g_assert_cmpint (g_mkdir (oathdir, 0700), ==, 0);
  fixture->usersfile = g_build_filename (oathdir, "users.oath", NULL);
  fixture->module = g_test_build_filename (G_TEST_BUILT, "pam_agtest.so", NULL);

  line = g_strdup_printf ("%s:%s:%s\n", fixture->user, PASSWORD, AG_AUTH_SERVICE);
  g_file_set_contents (fixture->passdb, line, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("HOTP/T30/6 %s - %s\n", fixture->user, KEY_HEX);
  g_file_set_contents_full (fixture->usersfile, line, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  /* Empty the directory for the next test; main() removes it. */
  ag_test_remove_tree (fixture->dir);
  g_assert_cmpint (g_mkdir (fixture->dir, 0700), ==, 0);
  g_free (fixture->dir);
  g_free (fixture->user);
  g_free (fixture->passdb);
  g_free (fixture->usersfile);
  g_free (fixture->module);
}

/* Writes the service file: @lines is the whole stack, with %M, %P, %O, %T standing for
 * pam_matrix with its passdb, pam_oath with its usersfile and pam_agtest. */
static void
write_stack (Fixture *fixture, const char *lines)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *matrix = g_strdup_printf (MATRIX " passdb=%s", fixture->passdb);
  g_autofree char *oath
    = g_strdup_printf (SECURITY "pam_oath.so usersfile=%s window=3", fixture->usersfile);
  g_autofree char *path = g_build_filename (fixture->dir, AG_AUTH_SERVICE, NULL);
  GString *text = g_string_new (lines);

  g_string_replace (text, "%P", matrix, 0);
  g_string_replace (text, "%O", oath, 0);
  g_string_replace (text, "%T", fixture->module, 0);
  g_string_replace (text, "%S", SECURITY, 0);
  g_file_set_contents (path, text->str, -1, &error);
  g_assert_no_error (error);
  g_string_free (text, TRUE);
}

#define TWO_FACTOR_STACK \
  "auth required %P\n"   \
  "auth required %O\n"   \
  "account required %P\n"

static char *
current_code (void)
{
  char secret[20];
  size_t secret_len = sizeof secret;
  char code[16];

  g_assert_cmpint (oath_init (), ==, OATH_OK);
  g_assert_cmpint (oath_hex2bin (KEY_HEX, secret, &secret_len), ==, OATH_OK);
  g_assert_cmpint (oath_totp_generate (secret, secret_len, time (NULL), 30, 0, 6, code), ==,
                   OATH_OK);
  oath_done ();
  return g_strdup (code);
}

static gboolean
reply_later_cb (gpointer data)
{
  ag_auth_batch_reply (AG_AUTH_BATCH (data));
  return G_SOURCE_REMOVE;
}

static void
conversation_cb (AgAuthSession *session, AgAuthBatch *batch, gpointer data)
{
  Run *run = data;
  guint n = ag_auth_batch_get_n_messages (batch);

  run->n_batches++;
  run->max_batch_size = MAX (run->max_batch_size, n);

  for (guint i = 0; i < n; i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);
      Message message = { ag_auth_batch_get_kind (batch, i), g_strdup (text), run->n_batches,
                          ag_auth_batch_get_phase (batch) };
      const char *answer = NULL;

      g_array_append_val (run->messages, message);
      if (!ag_auth_batch_is_prompt (batch, i))
        continue;

      if (run->cancel_at_prompt)
        {
          g_cancellable_cancel (run->cancellable);
          return;
        }

      if (g_str_has_prefix (text, "Password"))
        answer = run->password;
      else if (g_str_has_prefix (text, "One-time password"))
        answer = run->code;
      else if (g_str_has_prefix (text, "First secret"))
        answer = run->first;
      else if (g_str_has_prefix (text, "Second code"))
        answer = run->second;
      else if (g_str_has_prefix (text, "New password"))
        answer = run->new_password;
      if (answer != NULL)
        ag_auth_batch_set_answer (batch, i, answer);
    }

  if (!ag_auth_batch_needs_reply (batch))
    return;

  if (run->reply_later)
    /* As a UI does: the answer comes in a later main-loop iteration. */
    g_timeout_add_full (G_PRIORITY_DEFAULT, 50, reply_later_cb, g_object_ref (batch),
                        g_object_unref);
  else
    ag_auth_batch_reply (batch);
}

static void
authenticate_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Run *run = data;

  run->ok = ag_auth_session_authenticate_finish (AG_AUTH_SESSION (source), result, &run->error);
  run->done = TRUE;
}

static gboolean
tick_cb (gpointer data)
{
  Run *run = data;

  run->ticks++;
  return G_SOURCE_CONTINUE;
}

static Run *
run_new (void)
{
  Run *run = g_new0 (Run, 1);

  run->messages = g_array_new (FALSE, TRUE, sizeof (Message));
  g_array_set_clear_func (run->messages, (GDestroyNotify) message_clear);
  run->cancellable = g_cancellable_new ();
  return run;
}

static void
run_free (Run *run)
{
  g_array_unref (run->messages);
  g_clear_error (&run->error);
  g_object_unref (run->cancellable);
  g_free (run);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

static void
run_session (Run *run)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgAuthSession) session = ag_auth_session_new (&error);
  guint tick_id;

  g_assert_no_error (error);
  if (!run->no_handler)
    g_signal_connect (session, "conversation", G_CALLBACK (conversation_cb), run);
  tick_id = g_timeout_add (10, tick_cb, run);

  ag_auth_session_authenticate_async (session, run->cancellable, authenticate_cb, run);
  while (!run->done)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick_id);
  run->n_factors = ag_auth_session_get_n_factors (session);
  g_assert_finalize_object (g_steal_pointer (&session));
}

static guint
count_kind (Run *run, AgAuthMessageKind kind)
{
  guint n = 0;

  for (guint i = 0; i < run->messages->len; i++)
    if (g_array_index (run->messages, Message, i).kind == kind)
      n++;
  return n;
}

static const Message *
find_message (Run *run, const char *prefix)
{
  for (guint i = 0; i < run->messages->len; i++)
    if (g_str_has_prefix (g_array_index (run->messages, Message, i).text, prefix))
      return &g_array_index (run->messages, Message, i);
  return NULL;
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

/* Under AddressSanitizer: GLib 2.74's G_TEST_OPTION_ISOLATE_DIRS keeps the previous
 * test's directory strings (g_set_user_dirs), a leak in GLib that only a full unwind
 * can attribute. */

/* Tests */

static void
test_new_destroy (void)
{
  g_autoptr (GError) error = NULL;
  AgAuthSession *session = ag_auth_session_new (&error);

  g_assert_no_error (error);
  g_assert_cmpstr (ag_auth_session_get_user (session), ==, g_get_user_name ());
  g_assert_cmpuint (ag_auth_session_get_n_factors (session), ==, 0);
  g_assert_finalize_object (session);
}

static void
test_not_same_user (void)
{
  g_autoptr (GError) error = NULL;
  AgAuthSession *session;
  const char *other = getuid () == 0 ? "nobody" : "root";

  session = ag_auth_session_new_for_user (other, &error);
  g_assert_error (error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER);
  g_assert_null (session);
  g_clear_error (&error);

  session = ag_auth_session_new_for_user (g_get_user_name (), &error);
  g_assert_no_error (error);
  g_assert_finalize_object (session);
}

static void
test_two_factors (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();
  const Message *password, *otp;

  write_stack (fixture, TWO_FACTOR_STACK);
  run->password = PASSWORD;
  run->code = code;
  run_session (run);

  g_assert_no_error (run->error);
  g_assert_true (run->ok);
  g_assert_cmpuint (run->n_factors, ==, 2);

  password = find_message (run, "Password");
  otp = find_message (run, "One-time password (OATH)");
  g_assert_nonnull (password);
  g_assert_nonnull (otp);
  g_assert_cmpint (password->kind, ==, AG_AUTH_MESSAGE_PROMPT_SECRET);
  g_assert_cmpint (password->phase, ==, AG_AUTH_PHASE_AUTHENTICATE);
  /* Two conversation calls: one per module. */
  g_assert_cmpuint (password->batch, !=, otp->batch);
  g_test_message ("pam_oath's prompt is %s",
                  otp->kind == AG_AUTH_MESSAGE_PROMPT_SECRET ? "ECHO_OFF" : "ECHO_ON");
}

static void
test_reply_later (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();

  write_stack (fixture, TWO_FACTOR_STACK);
  run->password = PASSWORD;
  run->code = code;
  run->reply_later = TRUE;
  run_session (run);

  g_assert_no_error (run->error);
  g_assert_cmpuint (run->n_factors, ==, 2);
  /* The main loop ran while PAM waited for each answer. */
  g_assert_cmpuint (run->ticks, >, 2);
}

static void
test_no_handler (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();

  /* One prompt, so one warning. */
  write_stack (fixture, "auth required %P\naccount required %P\n");
  run->no_handler = TRUE;
  g_test_expect_message ("ag-auth-session", G_LOG_LEVEL_WARNING, "*No handler*");
  run_session (run);
  g_test_assert_expected_messages ();

  /* Nobody could answer: PAM fails instead of waiting forever. */
  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
}

static void
test_wrong_password (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();

  write_stack (fixture, TWO_FACTOR_STACK);
  run->password = "not-the-password";
  run->code = code;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
  g_assert_false (run->ok);
}

static void
test_wrong_code (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();

  write_stack (fixture, TWO_FACTOR_STACK);
  run->password = PASSWORD;
  /* A valid-looking code that is not the current one. */
  run->code = g_str_equal (code, "000000") ? "111111" : "000000";
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
}

static void
test_replayed_code (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) first = run_new ();
  g_autoptr (Run) second = run_new ();
  g_autofree char *code = current_code ();

  write_stack (fixture, TWO_FACTOR_STACK);
  first->password = second->password = PASSWORD;
  first->code = second->code = code;

  run_session (first);
  g_assert_no_error (first->error);
  run_session (second);
  g_assert_error (second->error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
}

static void
test_single_factor (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();

  write_stack (fixture, "auth required %P\naccount required %P\n");
  run->password = PASSWORD;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS);
  g_assert_cmpuint (run->n_factors, ==, 1);
}

static void
test_second_factor_skipped (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();

  /* A classic mistake: the password module is sufficient, so the OTP never runs. */
  write_stack (fixture, "auth sufficient %P\nauth required %O\naccount required %P\n");
  run->password = PASSWORD;
  run->code = code;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS);
  g_assert_cmpuint (run->n_factors, ==, 1);
  g_assert_null (find_message (run, "One-time password"));
}

static void
test_no_factor (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();

  write_stack (fixture, "auth required %Spam_permit.so\naccount required %Spam_permit.so\n");
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS);
  g_assert_cmpuint (run->n_factors, ==, 0);
}

static void
test_same_prompt_twice (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();

  /* Two password modules with the same prompt: one factor, not two. */
  write_stack (fixture, "auth required %P\nauth required %P\naccount required %P\n");
  run->password = PASSWORD;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS);
  g_assert_cmpuint (run->n_factors, ==, 1);
}

static void
test_echo_on (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();
  const Message *password;

  write_stack (fixture, "auth required %P echo\nauth required %O\naccount required %P\n");
  run->password = PASSWORD;
  run->code = code;
  run_session (run);

  g_assert_no_error (run->error);
  password = find_message (run, "Password");
  g_assert_nonnull (password);
  g_assert_cmpint (password->kind, ==, AG_AUTH_MESSAGE_PROMPT_VISIBLE);
  g_assert_cmpuint (run->n_factors, ==, 2);
}

static void
test_info_and_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autoptr (Run) failing = run_new ();
  g_autofree char *code = current_code ();

  write_stack (fixture, "auth required " CHATTY " num_lines=2 info error\n"
                        "auth required %P verbose\nauth required %O\naccount required %P\n");
  run->password = PASSWORD;
  run->code = code;
  run_session (run);

  g_assert_no_error (run->error);
  /* pam_chatty's two lines of each kind, and pam_matrix's success notice. */
  g_assert_cmpuint (count_kind (run, AG_AUTH_MESSAGE_INFO), >=, 3);
  g_assert_cmpuint (count_kind (run, AG_AUTH_MESSAGE_ERROR), >=, 2);

  /* pam_matrix verbose tells a wrong password with an error message. */
  failing->password = "wrong";
  failing->code = code;
  run_session (failing);
  g_assert_error (failing->error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
  g_assert_cmpuint (count_kind (failing, AG_AUTH_MESSAGE_ERROR), >=, 3);
}

static void
test_batch (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autoptr (Run) wrong = run_new ();

  write_stack (fixture, "auth required %T batch first=alpha-1 second=123456\n"
                        "account required %P\n");
  run->first = "alpha-1";
  run->second = "123456";
  run_session (run);

  g_assert_no_error (run->error);
  g_assert_true (run->ok);
  g_assert_cmpuint (run->n_batches, ==, 1);
  g_assert_cmpuint (run->max_batch_size, ==, 4);
  g_assert_cmpint (find_message (run, "Test info")->kind, ==, AG_AUTH_MESSAGE_INFO);
  g_assert_cmpint (find_message (run, "Test error")->kind, ==, AG_AUTH_MESSAGE_ERROR);
  g_assert_cmpint (find_message (run, "First secret")->kind, ==, AG_AUTH_MESSAGE_PROMPT_SECRET);
  g_assert_cmpint (find_message (run, "Second code")->kind, ==, AG_AUTH_MESSAGE_PROMPT_VISIBLE);
  g_assert_cmpuint (run->n_factors, ==, 2);

  /* Each answer went to its own prompt: swapped answers fail. */
  wrong->first = "123456";
  wrong->second = "alpha-1";
  run_session (wrong);
  g_assert_error (wrong->error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
}

static void
test_cancel_mid_conversation (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) warmup = run_new ();
  g_autoptr (Run) run = run_new ();
  g_autofree char *endmark = g_build_filename (fixture->dir, "pam-end-ran", NULL);
  g_autofree char *stack = g_strdup_printf ("auth required %%T endmark=%s\nauth required %%P\n"
                                            "auth required %%O\naccount required %%P\n",
                                            endmark);
  guint threads_before;

  write_stack (fixture, stack);
  /* One run first, so that threads GLib starts once (if any) are already there. */
  warmup->cancel_at_prompt = TRUE;
  run_session (warmup);
  g_assert_error (warmup->error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED);
  g_assert_cmpint (g_unlink (endmark), ==, 0);

  threads_before = count_threads ();
  run->cancel_at_prompt = TRUE;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED);
  g_assert_false (run->ok);
  /* PAM got no further than the password prompt. */
  g_assert_null (find_message (run, "One-time password"));
  /* pam_end ran: it calls the module's cleanup, which wrote the mark. */
  g_assert_true (g_file_test (endmark, G_FILE_TEST_EXISTS));
  /* The worker thread is gone when the result arrives. */
  g_assert_cmpuint (count_threads (), ==, threads_before);
}

static void
test_cancel_before_start (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();

  write_stack (fixture, TWO_FACTOR_STACK);
  g_cancellable_cancel (run->cancellable);
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED);
  g_assert_cmpuint (run->messages->len, ==, 0);
}

static void
test_account_refused (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();

  write_stack (fixture, "auth required %P\nauth required %O\naccount required %Spam_deny.so\n");
  run->password = PASSWORD;
  run->code = code;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_ACCOUNT_REFUSED);
  g_assert_cmpuint (run->n_factors, ==, 2);
}

static void
test_expired_password (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autoptr (Run) refused = run_new ();
  g_autofree char *code = current_code ();
  const Message *prompt;

  write_stack (fixture, "auth required %P\nauth required %O\naccount required %T expired\n"
                        "password required %T newpass=New-Pw-77\n");
  run->password = PASSWORD;
  run->code = code;
  run->new_password = "New-Pw-77";
  run_session (run);

  g_assert_no_error (run->error);
  prompt = find_message (run, "New password");
  g_assert_nonnull (prompt);
  g_assert_cmpint (prompt->phase, ==, AG_AUTH_PHASE_CHANGE_PASSWORD);
  /* The new password is no factor. */
  g_assert_cmpuint (run->n_factors, ==, 2);

  /* A refused change refuses the sign-in. The code was used: wait for a fresh one is not
   * possible here, so this run uses a stack without the OTP and a second password prompt. */
  write_stack (fixture, "auth required %P\nauth required %T batch first=a second=b\n"
                        "account required %T expired\npassword required %T newpass=New-Pw-77\n");
  refused->password = PASSWORD;
  refused->first = "a";
  refused->second = "b";
  refused->new_password = "something-else";
  run_session (refused);
  g_assert_error (refused->error, AG_AUTH_ERROR, AG_AUTH_ERROR_ACCOUNT_REFUSED);
}

static void
test_pam_user_changed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();
  g_autofree char *stack
    = g_strdup_printf ("auth required %%P\nauth required %%O\nauth required %%T setuser=%s\n"
                       "account required %%P\n",
                       getuid () == 0 ? "nobody" : "root");

  write_stack (fixture, stack);
  run->password = PASSWORD;
  run->code = code;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER);
  g_assert_false (run->ok);
}

static void
test_u2f_cue (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) listed = run_new ();
  g_autoptr (Run) unlisted = run_new ();

  /* "-auth" lines of missing modules are skipped by libpam: the line only lists pam_u2f. */
  write_stack (fixture, "auth required %P\nauth required %T cue\n"
                        "-auth optional /nonexistent/pam_u2f.so\naccount required %P\n");
  listed->password = PASSWORD;
  run_session (listed);
  g_assert_no_error (listed->error);
  g_assert_cmpuint (listed->n_factors, ==, 2);

  /* The same text from a stack without pam_u2f counts for nothing. */
  write_stack (fixture, "auth required %P\nauth required %T cue\naccount required %P\n");
  unlisted->password = PASSWORD;
  run_session (unlisted);
  g_assert_error (unlisted->error, AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS);
  g_assert_cmpuint (unlisted->n_factors, ==, 1);
}

static void
test_misconfigured (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) missing_module = run_new ();
  g_autoptr (Run) missing_file = run_new ();
  g_autofree char *service = g_build_filename (fixture->dir, AG_AUTH_SERVICE, NULL);

  write_stack (fixture, "auth required /nonexistent/pam_nothing.so\n"
                        "account required /nonexistent/pam_nothing.so\n");
  run_session (missing_module);
  g_assert_error (missing_module->error, AG_AUTH_ERROR, AG_AUTH_ERROR_MISCONFIGURED);

  /* No service file (and no "other") in the configuration directory. */
  g_assert_cmpint (g_unlink (service), ==, 0);
  run_session (missing_file);
  g_assert_error (missing_file->error, AG_AUTH_ERROR, AG_AUTH_ERROR_MISCONFIGURED);
}

static void
test_fail_delay_keeps_main_loop (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Run) run = run_new ();
  g_autofree char *code = current_code ();

  /* A one-second failure delay, slept by libpam in the worker. */
  write_stack (fixture, "auth optional %Spam_faildelay.so delay=1000000\n"
                        "auth required %P\nauth required %O\naccount required %P\n");
  run->password = "wrong";
  run->code = code;
  run_session (run);

  g_assert_error (run->error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
  /* A blocked main loop would have run the 10 ms timeout at most once or twice. */
  g_assert_cmpuint (run->ticks, >, 10);
}

static void
test_parse_service_line (void)
{
  const struct
  {
    const char *line, *type, *control, *module;
  } cases[] = {
    { "auth required pam_unix.so", "auth", "required", "pam_unix.so" },
    { "-auth\t[success=1 default=ok]  /lib/security/pam_u2f.so cue # key", "auth",
      "[success=1 default=ok]", "/lib/security/pam_u2f.so" },
    { "  account  required pam_faillock.so", "account", "required", "pam_faillock.so" },
    { "@include common-auth", "@include", "include", "common-auth" },
    { "auth substack system-auth", "auth", "substack", "system-auth" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *type = NULL, *control = NULL, *module = NULL;

      g_assert_true (ag_auth_parse_service_line (cases[i].line, &type, &control, &module));
      g_assert_cmpstr (type, ==, cases[i].type);
      g_assert_cmpstr (control, ==, cases[i].control);
      g_assert_cmpstr (module, ==, cases[i].module);
    }

  {
    char *type = NULL, *control = NULL, *module = NULL;

    g_assert_false (
      ag_auth_parse_service_line ("   # auth required pam_permit.so", &type, &control, &module));
    g_assert_false (ag_auth_parse_service_line ("", &type, &control, &module));
    g_assert_null (type);
  }
}

/* agent-guard-admin auth-check */

/* The agent-guard-admin to run, when not $AG_ADMIN (a copy the throwaway user can reach). */
static const char *admin_override;

static int
run_auth_check (const char *const *argv_extra, const char *input, char **out, char **err)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  const char *admin = admin_override != NULL ? admin_override : g_getenv ("AG_ADMIN");

  g_assert_nonnull (admin);
  for (guint i = 0; argv_extra != NULL && argv_extra[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) argv_extra[i]);
  g_ptr_array_add (argv, (gpointer) admin);
  g_ptr_array_add (argv, "auth-check");
  g_ptr_array_add (argv, NULL);

  launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  ag_test_launcher_set_input (launcher, input);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static void
assert_no_secret (const char *out, const char *err, const char *secret)
{
  g_assert_null (strstr (out, secret));
  g_assert_null (strstr (err, secret));
}

static void
test_auth_check (Fixture *fixture, gconstpointer data)
{
  g_autofree char *code = current_code ();
  g_autofree char *input = g_strdup_printf ("%s\n%s\n", PASSWORD, code);
  g_autofree char *out = NULL, *err = NULL;
  int status;

  write_stack (fixture, TWO_FACTOR_STACK);
  status = run_auth_check (NULL, input, &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "2 factors"));
  g_assert_nonnull (strstr (err, "Password"));
  g_assert_nonnull (strstr (err, "One-time password"));
  assert_no_secret (out, err, PASSWORD);
  assert_no_secret (out, err, code);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The same code again: replay refused. */
  status = run_auth_check (NULL, input, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "FAILED"));
  assert_no_secret (out, err, PASSWORD);
  assert_no_secret (out, err, code);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* One factor only. */
  write_stack (fixture, "auth required %P\naccount required %P\n");
  status = run_auth_check (NULL, PASSWORD "\n", &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "NOT ENOUGH FACTORS"));
  g_assert_nonnull (strstr (err, "/etc/pam.d/" AG_AUTH_SERVICE));
  assert_no_secret (out, err, PASSWORD);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A password module whose failure is ignored: the count cannot see it, the check of
   * the service file warns. */
  write_stack (fixture, "auth optional %P\nauth required %O\naccount required %P\n");
  status = run_auth_check (NULL, "not-the-password\n000000\n", &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "line 1: pam_matrix.so is optional"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Input ends before PAM stops asking. */
  write_stack (fixture, TWO_FACTOR_STACK);
  status = run_auth_check (NULL, PASSWORD "\n", &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "no answer"));
  assert_no_secret (out, err, PASSWORD);
}

/* Appends what the child writes to the terminal to @out until @needle shows up after
 * @from, or until the child exits (@needle NULL). */
static void
read_pty (int fd, pid_t pid, GString *out, gsize from, const char *needle, int *status)
{
  for (;;)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      char buf[256];
      ssize_t n;

      if (needle != NULL && strstr (out->str + from, needle) != NULL)
        return;
      if (poll (&pfd, 1, 100) > 0)
        {
          n = read (fd, buf, sizeof buf);
          if (n > 0)
            {
              g_string_append_len (out, buf, n);
              continue;
            }
        }
      if (waitpid (pid, status, WNOHANG) == pid)
        {
          g_assert_null (needle);
          return;
        }
    }
}

/* auth-check shows a module's message in the agent's language when it is a known one. */
static void
test_auth_check_message_pt_br (Fixture *fixture, gconstpointer data)
{
  g_autofree char *localedir = g_build_filename (g_getenv ("AG_BUILD_ROOT"), "po", NULL);
  g_autofree char *env_language = g_strdup ("LANGUAGE=pt_BR");
  g_autofree char *env_localedir = g_strdup_printf ("AG_LOCALEDIR=%s", localedir);
  const char *prefix[] = { "env", env_language, env_localedir, NULL };
  g_autofree char *out = NULL, *err = NULL;

  write_stack (fixture, "auth required %P\nauth required %T cue\n"
                        "-auth optional /nonexistent/pam_u2f.so\naccount required %P\n");
  g_assert_cmpint (run_auth_check (prefix, PASSWORD "\n", &out, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Toque no dispositivo."));
  g_assert_null (strstr (err, "Please touch the device."));
  assert_no_secret (out, err, PASSWORD);
}

static void
test_auth_check_terminal (Fixture *fixture, gconstpointer data)
{
  g_autofree char *code = current_code ();
  g_autoptr (GString) out = g_string_new (NULL);
  g_autofree char *answer = NULL;
  const char *admin = g_getenv ("AG_ADMIN");
  int fd, status = 0;
  pid_t pid;

  /* The password prompt is visible (pam_matrix echo), the code's is not (pam_oath). */
  write_stack (fixture, "auth required %P echo\nauth required %O\naccount required %P\n");
  pid = forkpty (&fd, NULL, NULL, NULL);
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      execl (admin, admin, "auth-check", NULL);
      _exit (127);
    }

  /* Answer each prompt once it shows, as a person would. */
  read_pty (fd, pid, out, 0, "Password: ", &status);
  answer = g_strdup_printf ("%s\n", PASSWORD);
  g_assert_cmpint (write (fd, answer, strlen (answer)), ==, (gssize) strlen (answer));
  g_clear_pointer (&answer, g_free);
  read_pty (fd, pid, out, 0, "One-time password", &status);
  answer = g_strdup_printf ("%s\n", code);
  g_assert_cmpint (write (fd, answer, strlen (answer)), ==, (gssize) strlen (answer));
  read_pty (fd, pid, out, 0, NULL, &status);
  close (fd);

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_nonnull (strstr (out->str, "signed in"));
  /* The visible answer is echoed, the secret one is not. */
  g_assert_nonnull (strstr (out->str, PASSWORD));
  g_assert_null (strstr (out->str, code));
}

static void
test_auth_check_usage (void)
{
  const char *admin = g_getenv ("AG_ADMIN");
  const char *other = getuid () == 0 ? "nobody" : "root";
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;
  g_autofree char *cmd = NULL;

  cmd = g_strdup_printf ("%s auth-check --no-such-option", admin);
  g_spawn_command_line_sync (cmd, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&cmd, g_free);

  cmd = g_strdup_printf ("%s auth-check --user %s", admin, other);
  g_spawn_command_line_sync (cmd, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (err, "can only check the current user"));
}

/* The key cases again as an ordinary user, when the tests run as root. */
/* "NAME=VALUE" for a sanitizer's options (ASAN_OPTIONS, LSAN_OPTIONS) with its
 * suppressions file copied into @dir, which the throwaway user can read; "NAME=VALUE"
 * unchanged when there is no such file, or NULL when the variable is unset. */
static char *
reachable_sanitizer_options (const char *name, const char *dir)
{
  const char *value = g_getenv (name);
  g_auto (GStrv) options = NULL;
  g_autofree char *joined = NULL;

  if (value == NULL)
    return NULL;

  options = g_strsplit (value, ":", -1);
  for (guint i = 0; options[i] != NULL; i++)
    {
      if (g_str_has_prefix (options[i], "suppressions="))
        {
          g_autoptr (GFile) from = g_file_new_for_path (options[i] + strlen ("suppressions="));
          g_autofree char *base = g_file_get_basename (from);
          g_autofree char *path = g_build_filename (dir, base, NULL);
          g_autoptr (GFile) to = g_file_new_for_path (path);
          g_autoptr (GError) error = NULL;

          g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpint (chmod (path, 0644), ==, 0);
          g_free (options[i]);
          options[i] = g_strconcat ("suppressions=", path, NULL);
        }
    }

  joined = g_strjoinv (":", options);
  return g_strconcat (name, "=", joined, NULL);
}

static void
test_as_ordinary_user (void)
{
  struct passwd *pw = getpwnam (THROWAWAY_USER);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *oathdir = NULL, *passdb = NULL, *usersfile = NULL;
  g_autofree char *line = NULL, *service = NULL, *stack = NULL, *code = NULL;
  g_autofree char *input = NULL, *out = NULL, *err = NULL, *confdir_env = NULL;
  g_autofree char *admin_copy = NULL;
  g_autofree char *asan_env = NULL, *lsan_env = NULL;
  const char *prefix[] = { "runuser", "-u", THROWAWAY_USER, "--", "env", NULL, NULL, NULL, NULL };
  guint n_prefix = 5;
  int status;

  if (getuid () != 0 || pw == NULL)
    {
      g_test_skip ("needs root and the throwaway user " THROWAWAY_USER
                   " (useradd -m " THROWAWAY_USER ")");
      return;
    }

  dir = g_dir_make_tmp ("ag-pam-user-XXXXXX", &error);
  g_assert_no_error (error);
  oathdir = g_build_filename (dir, "oath", NULL);
  g_assert_cmpint (g_mkdir (oathdir, 0700), ==, 0);
  passdb = g_build_filename (dir, "passdb", NULL);
  usersfile = g_build_filename (oathdir, "users.oath", NULL);
  service = g_build_filename (dir, AG_AUTH_SERVICE, NULL);

  line = g_strdup_printf ("%s:%s:%s\n", THROWAWAY_USER, PASSWORD, AG_AUTH_SERVICE);
  g_file_set_contents (passdb, line, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("HOTP/T30/6 %s - %s\n", THROWAWAY_USER, KEY_HEX);
  g_file_set_contents_full (usersfile, line, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);
  stack = g_strdup_printf ("auth required " MATRIX " passdb=%s\n"
                           "auth required " SECURITY "pam_oath.so usersfile=%s window=3\n"
                           "account required " MATRIX " passdb=%s\n",
                           passdb, usersfile, passdb);
  g_file_set_contents (service, stack, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (chmod (dir, 0755), ==, 0);
  g_assert_cmpint (chown (oathdir, pw->pw_uid, pw->pw_gid), ==, 0);

  /* The build tree may sit in a folder the throwaway user cannot enter (a clone in a
   * mktemp -d folder is 0700): run a copy of agent-guard-admin from the test's folder. */
  {
    g_autoptr (GFile) from = g_file_new_for_path (g_getenv ("AG_ADMIN"));
    g_autoptr (GFile) to = NULL;

    admin_copy = g_build_filename (dir, "agent-guard-admin", NULL);
    to = g_file_new_for_path (admin_copy);
    g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (chmod (admin_copy, 0755), ==, 0);
    admin_override = admin_copy;
  }
  g_assert_cmpint (chown (usersfile, pw->pw_uid, pw->pw_gid), ==, 0);

  confdir_env = g_strdup_printf ("AG_PAM_CONFDIR=%s", dir);
  prefix[n_prefix++] = confdir_env;
  /* Under the sanitizers, the options name suppression files in the build tree. */
  asan_env = reachable_sanitizer_options ("ASAN_OPTIONS", dir);
  lsan_env = reachable_sanitizer_options ("LSAN_OPTIONS", dir);
  if (asan_env != NULL)
    prefix[n_prefix++] = asan_env;
  if (lsan_env != NULL)
    prefix[n_prefix++] = lsan_env;
  code = current_code ();
  input = g_strdup_printf ("%s\n%s\n", PASSWORD, code);

  status = run_auth_check (prefix, input, &out, &err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, THROWAWAY_USER));
  assert_no_secret (out, err, code);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Replayed code. */
  status = run_auth_check (prefix, input, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The passdb knows the throwaway user only: root's own session is not theirs, and
   * their session cannot be run for root. */
  {
    g_autoptr (GPtrArray) argv = g_ptr_array_new ();
    g_autoptr (GSubprocess) process = NULL;

    for (guint i = 0; i < n_prefix; i++)
      g_ptr_array_add (argv, (gpointer) prefix[i]);
    g_ptr_array_add (argv, admin_copy);
    g_ptr_array_add (argv, "auth-check");
    g_ptr_array_add (argv, "--user");
    g_ptr_array_add (argv, "root");
    g_ptr_array_add (argv, NULL);
    process = g_subprocess_newv ((const char *const *) argv->pdata,
                                 G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);

    g_assert_no_error (error);
    g_subprocess_wait (process, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  }

  admin_override = NULL;
  ag_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *confdir = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#if !DEVELOPMENT
  g_test_skip ("AG_PAM_CONFDIR needs a development build (-Ddevelopment=true)");
  return g_test_run ();
#endif

  /* Set once, before any thread: the sessions read it when they start. */
  confdir = g_dir_make_tmp ("ag-pam-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("AG_PAM_CONFDIR", confdir, TRUE);

  g_test_add_func ("/auth-session/new-destroy", test_new_destroy);
  g_test_add_func ("/auth-session/not-same-user", test_not_same_user);
  g_test_add_func ("/auth-session/parse-service-line", test_parse_service_line);
#define ADD(path, func) \
  g_test_add ("/auth-session/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("two-factors", test_two_factors);
  ADD ("reply-later", test_reply_later);
  ADD ("no-handler", test_no_handler);
  ADD ("wrong-password", test_wrong_password);
  ADD ("wrong-code", test_wrong_code);
  ADD ("replayed-code", test_replayed_code);
  ADD ("single-factor", test_single_factor);
  ADD ("second-factor-skipped", test_second_factor_skipped);
  ADD ("no-factor", test_no_factor);
  ADD ("same-prompt-twice", test_same_prompt_twice);
  ADD ("echo-on", test_echo_on);
  ADD ("info-and-error", test_info_and_error);
  ADD ("batch", test_batch);
  ADD ("cancel-mid-conversation", test_cancel_mid_conversation);
  ADD ("cancel-before-start", test_cancel_before_start);
  ADD ("account-refused", test_account_refused);
  ADD ("expired-password", test_expired_password);
  ADD ("pam-user-changed", test_pam_user_changed);
  ADD ("u2f-cue", test_u2f_cue);
  ADD ("auth-check-message-pt-br", test_auth_check_message_pt_br);
  ADD ("misconfigured", test_misconfigured);
  ADD ("fail-delay-keeps-main-loop", test_fail_delay_keeps_main_loop);
  ADD ("auth-check", test_auth_check);
  ADD ("auth-check-terminal", test_auth_check_terminal);
#undef ADD
  g_test_add_func ("/auth-session/auth-check-usage", test_auth_check_usage);
  g_test_add_func ("/auth-session/as-ordinary-user", test_as_ordinary_user);

  status = g_test_run ();
  ag_test_remove_tree (confdir);
  return status;
}
