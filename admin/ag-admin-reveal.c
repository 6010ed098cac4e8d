/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-reveal"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "ag-admin.h"
#include "ag-guard.h"
#include "ag-policy.h"
#include "ag-session.h"

/*
 * `agent-guard-admin reveal`: the reveal path of DESIGN §5 from a terminal. It signs in
 * through an AgGuard with the terminal conversation of `auth-check`, then asks the same
 * guard as the GUI for the value, with the policy in force for the user running it. The
 * value goes to stdout alone, written straight from the guard's locked memory (never
 * through stdio's buffer), and is re-masked (wiped, ledgered `remask`) before the
 * process exits. Any denial prints why on stderr and exits 1 without a value.
 */

typedef struct
{
  AgGuard *guard;
  AgStore *store;
  AgSession *session;        /* of the guard: its id and mode in every entry */
  GCancellable *cancellable; /* of the reveal, its step-up conversation included */

  gboolean end_of_input;  /* stdin ended while PAM asked */
  gboolean interrupted;   /* SIGINT, SIGTERM or SIGHUP */
  gboolean ledger_failed; /* a sign-in event could not be ledgered */
  GError *sign_in_error;  /* from ::attempt-failed */
  gboolean reveal_done;
  AgReveal *reveal;
  GError *reveal_error;
} RevealRun;

static void
guard_event_cb (const AgGuardEvent *event, gpointer user_data)
{
  RevealRun *run = user_data;
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autoptr (GError) error = NULL;

  entry = ag_session_guard_event_to_entry (run->session, event);
  /* After the re-masks the guard handed to its writer; written now, so that a failure
   * decides the exit status. */
  ag_guard_flush_ledger (run->guard);
  if (!ag_store_append_event (run->store, entry, &error))
    {
      ag_admin_printerr (_("cannot write the “%s” entry to the audit ledger: %s"),
                         ag_ledger_event_to_string (entry->event), error->message);
      run->ledger_failed = TRUE;
    }
}

static void
conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer user_data)
{
  RevealRun *run = user_data;

  if (!ag_admin_answer_batch (batch, &run->end_of_input))
    ag_guard_cancel (guard);
}

static void
step_up_conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer user_data)
{
  RevealRun *run = user_data;

  if (!ag_admin_answer_batch (batch, &run->end_of_input))
    g_cancellable_cancel (run->cancellable);
}

static void
attempt_failed_cb (AgGuard *guard, const GError *error, gpointer user_data)
{
  RevealRun *run = user_data;

  g_clear_error (&run->sign_in_error);
  run->sign_in_error = g_error_copy (error);
}

static gboolean
interrupted_cb (gpointer user_data)
{
  RevealRun *run = user_data;

  run->interrupted = TRUE;
  g_cancellable_cancel (run->cancellable);
  if (ag_guard_get_state (run->guard) == AG_GUARD_STATE_AUTHENTICATING)
    ag_guard_cancel (run->guard);
  return G_SOURCE_CONTINUE;
}

static void
reveal_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RevealRun *run = user_data;

  run->reveal = ag_guard_reveal_finish (AG_GUARD (source), result, &run->reveal_error);
  run->reveal_done = TRUE;
}

static void
print_reason_codes (AgPolicy *policy)
{
  const char *const *codes = ag_policy_get_reason_codes (policy);
  int width = 0;

  for (guint i = 0; codes[i] != NULL; i++)
    width = MAX (width, (int) strlen (codes[i]));
  for (guint i = 0; codes[i] != NULL; i++)
    g_printerr ("  %-*s  %s\n", width, codes[i], ag_policy_reason_code_get_label (codes[i]));
}

static void
explain_denial (RevealRun *run, AgPolicy *policy, const char *record_id, AgPiiKind kind,
                const char *reason)
{
  const GError *error = run->reveal_error;
  const char *label = ag_pii_kind_get_label (kind);

  if (run->end_of_input)
    {
      ag_admin_printerr (_("reveal denied: standard input ended before the second sign-in "
                            "finished asking"));
      return;
    }
  if (run->interrupted)
    {
      ag_admin_printerr (_("reveal cancelled"));
      return;
    }
  if (error->domain != AG_REVEAL_ERROR)
    {
      ag_admin_printerr (_("reveal denied: %s"), error->message);
      return;
    }

  switch ((AgRevealError) error->code)
    {
      case AG_REVEAL_ERROR_LOCKED:
        ag_admin_printerr (_("reveal denied: the session is not signed in"));
        break;
      case AG_REVEAL_ERROR_NOT_MASKED:
        ag_admin_printerr (_("reveal denied: the policy does not mask the field “%s”, so there "
                              "is nothing to reveal"),
                           label);
        break;
      case AG_REVEAL_ERROR_REASON_REQUIRED:
        ag_admin_printerr (_("reveal denied: the policy requires a reason; give --reason with "
                              "one of these codes:"));
        print_reason_codes (policy);
        break;
      case AG_REVEAL_ERROR_UNKNOWN_REASON:
        ag_admin_printerr (_("reveal denied: “%s” is not a reason code of the policy; the "
                              "valid codes are:"),
                           reason != NULL ? reason : "");
        print_reason_codes (policy);
        break;
      case AG_REVEAL_ERROR_QUOTA:
        ag_admin_printerr (g_dngettext (GETTEXT_PACKAGE,
                                        "reveal denied: you reached the limit of %u reveal per "
                                        "hour that the policy sets; try again later",
                                        "reveal denied: you reached the limit of %u reveals per "
                                        "hour that the policy sets; try again later",
                                        ag_policy_get_max_reveals_per_hour (policy)),
                           ag_policy_get_max_reveals_per_hour (policy));
        break;
      case AG_REVEAL_ERROR_STEP_UP_FAILED:
        ag_admin_printerr (_("reveal denied: the field “%s” needs a second sign-in, and it "
                              "failed"),
                           label);
        break;
      case AG_REVEAL_ERROR_LEDGER:
        ag_admin_printerr (_("reveal denied: the audit ledger is unavailable, and nothing is "
                              "shown without its entry: %s"),
                           error->message);
        break;
      case AG_REVEAL_ERROR_NOT_FOUND:
        ag_admin_printerr (_("reveal denied: there is no customer “%s” with a field “%s”"),
                           record_id, label);
        break;
      case AG_REVEAL_ERROR_CANCELLED:
        ag_admin_printerr (_("reveal cancelled"));
        break;
      case AG_REVEAL_ERROR_INVALID_TICKET:
        ag_admin_printerr (_("reveal denied: the ticket must be a ticket or call id, never a "
                              "CPF, CNPJ or card number"));
        break;
      case AG_REVEAL_ERROR_ROLLED_BACK:
        ag_admin_printerr (_("reveal denied: the store's audit ledger is behind the one recorded "
                              "in the Secret Service (entries were cut off or an older copy of "
                              "the store was put back); the store is open for audit only: %s"),
                           error->message);
        break;
      case AG_REVEAL_ERROR_FAILED:
      default:
        ag_admin_printerr (_("reveal denied: %s"), error->message);
        break;
    }
}

/* Writes @len bytes of @data to @fd, straight from where they are. */
static gboolean
write_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, data, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      len -= (gsize) n;
    }
  return TRUE;
}

static gboolean
parse_kind (const char *text, AgPiiKind *out_kind)
{
  g_autofree char *name = g_strdelimit (g_ascii_strdown (text, -1), "-", '_');

  return ag_pii_kind_from_string (name, out_kind);
}

static char *
kind_names (void)
{
  GString *names = g_string_new (NULL);

  for (guint k = 0; k < AG_PII_N_KINDS; k++)
    g_string_append_printf (names, "%s%s", k > 0 ? ", " : "", ag_pii_kind_to_string (k));
  return g_string_free (names, FALSE);
}

static int
usage_error (const char *message)
{
  ag_admin_printerr ("reveal: %s", message);
  g_printerr (_("Try “agent-guard-admin %s --help”.\n"), "reveal");
  return AG_EXIT_USAGE;
}

static void
wait_for (gboolean *flag)
{
  while (!*flag)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
signing_in (RevealRun *run)
{
  return ag_guard_get_state (run->guard) == AG_GUARD_STATE_AUTHENTICATING;
}

int
ag_admin_reveal (int argc, char **argv)
{
  g_autofree char *record_id = NULL;
  g_autofree char *field = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *ticket = NULL;
  g_autofree char *store_path = NULL;
  GOptionEntry entries[] = {
    { "record", 0, 0, G_OPTION_ARG_STRING, &record_id, N_("The customer’s id"), N_("ID") },
    { "field", 0, 0, G_OPTION_ARG_STRING, &field,
      N_("The field to reveal: name, cpf, cnpj, rg, birth_date, phone, email, address, "
          "card_number, bank_account, pix_key or notes"),
      N_("KIND") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason,
      N_("Why, as one of the policy’s reason codes (see “agent-guard-admin policy show”); "
          "required unless the policy’s require-reason is false"),
      N_("CODE") },
    { "ticket", 0, 0, G_OPTION_ARG_STRING, &ticket,
      N_("The ticket or call id this reveal is for, kept in the audit ledger"), N_("T") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      N_("The store to use (default: $XDG_DATA_HOME/agent-guard/store.db)"), N_("PATH") },
    AG_ADMIN_TRAINING_OPTION,
    { NULL },
  };
  g_autoptr (GPtrArray) refusals
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
  g_autoptr (AgPolicy) policy = NULL;
  g_autoptr (GError) error = NULL;
  RevealRun run = { 0 };
  guint signal_ids[3] = { 0 };
  AgPiiKind kind;
  int exit_code = AG_EXIT_FAILURE;

  if (!ag_admin_parse_options (
        argv[0], _("--record ID --field KIND --reason CODE"),
        _("Reveals one field of one customer for a reason and prints the value alone on "
           "standard output, followed by a newline.\n"
           "\n"
           "First it signs you in as Agent Guard does (the PAM service “agent-guard”, two "
           "factors), with the prompts on standard error and the answers read from standard "
           "input. Then the reveal goes through the same checks as in the application: the "
           "policy must mask the field, the reason must be one of the policy’s codes, the "
           "hourly reveal limit must not be reached, and a field of the policy’s "
           "step-up-kinds needs a sign-in no older than step-up-grace (else PAM asks again). "
           "The reveal is written to the audit ledger before the value is read; the value is "
           "hidden again, and that written to the ledger, before the command exits.\n"
           "\n"
           "Exit status: 0 when the value was printed; 1 when the sign-in failed or the reveal "
           "was denied, a missing --reason that the policy requires included (why is on "
           "standard error, nothing is on standard output, and the denial is written to the "
           "audit ledger); 2 for a usage error (a missing --record or --field, an unknown "
           "KIND, a --ticket that is not a ticket or call id); 74 when the store cannot be read or "
           "standard output cannot be written."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;

  if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);

      return usage_error (message);
    }
  if (record_id == NULL || *record_id == '\0')
    return usage_error (_("missing --record ID"));
  if (field == NULL || *field == '\0')
    return usage_error (_("missing --field KIND"));
  if (!parse_kind (field, &kind))
    {
      g_autofree char *names = kind_names ();
      g_autofree char *message
        = g_strdup_printf (_("unknown field kind “%s”; use one of: %s"), field, names);

      return usage_error (message);
    }
  if (reason != NULL && *reason == '\0')
    g_clear_pointer (&reason, g_free);
  if (ticket != NULL && *ticket == '\0')
    g_clear_pointer (&ticket, g_free);
  if (ticket != NULL && !ag_guard_ticket_is_valid (ticket))
    return usage_error (_("--ticket takes a ticket or call id: up to 64 letters, digits and "
                           "- _ . / # :, and never a CPF, CNPJ or card number"));

  run.guard = ag_guard_new (&error);
  if (run.guard == NULL)
    {
      ag_admin_printerr ("%s", error->message);
      return AG_EXIT_FAILURE;
    }

  policy = ag_admin_load_policy (ag_guard_get_user (run.guard), refusals);

  run.store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (run.store == NULL)
    {
      g_clear_object (&run.guard);
      return exit_code;
    }
  exit_code = AG_EXIT_FAILURE;

  /* A closed stdout must end in EPIPE, handled below, not in a death before the re-mask. */
  signal (SIGPIPE, SIG_IGN);
  signal_ids[0] = g_unix_signal_add (SIGINT, interrupted_cb, &run);
  signal_ids[1] = g_unix_signal_add (SIGTERM, interrupted_cb, &run);
  signal_ids[2] = g_unix_signal_add (SIGHUP, interrupted_cb, &run);

  run.session = ag_session_new (run.guard, ag_admin_get_mode (NULL), NULL);
  run.cancellable = g_cancellable_new ();
  ag_guard_set_event_sink (run.guard, guard_event_cb, &run, NULL);
  ag_guard_set_policy (run.guard, policy);
  ag_session_set_store (run.session, run.store);
  for (guint i = 0; i < refusals->len; i++)
    ag_guard_ledger_policy_refusal (run.guard, g_ptr_array_index (refusals, i));
  g_signal_connect (run.guard, "conversation", G_CALLBACK (conversation_cb), &run);
  g_signal_connect (run.guard, "step-up-conversation", G_CALLBACK (step_up_conversation_cb), &run);
  g_signal_connect (run.guard, "attempt-failed", G_CALLBACK (attempt_failed_cb), &run);

  /* Sign in. */
  g_printerr (_("Sign in as %s to reveal the field “%s” of customer %s.\n"),
              ag_guard_get_user (run.guard), ag_pii_kind_get_label (kind), record_id);
  if (!ag_guard_begin (run.guard, &error))
    {
      ag_admin_printerr ("%s", error->message);
      goto out;
    }
  while (signing_in (&run))
    g_main_context_iteration (NULL, TRUE);

  if (ag_guard_get_state (run.guard) != AG_GUARD_STATE_UNLOCKED)
    {
      if (run.interrupted)
        ag_admin_printerr (_("cancelled"));
      else if (run.end_of_input)
        ag_admin_printerr (_("no answer: standard input ended before PAM finished asking"));
      else if (run.sign_in_error != NULL)
        ag_admin_print_auth_error (run.sign_in_error, G_MAXUINT);
      else
        ag_admin_printerr (_("the sign-in did not finish"));
      goto out;
    }
  if (run.ledger_failed)
    {
      ag_admin_printerr (_("reveal denied: the audit ledger is unavailable, and nothing is "
                            "shown without its entry"));
      goto out;
    }

  /* Reveal. */
  ag_guard_reveal_async (run.guard, record_id, kind, reason, ticket, run.cancellable, reveal_cb,
                         &run);
  wait_for (&run.reveal_done);

  if (run.reveal == NULL)
    {
      explain_denial (&run, policy, record_id, kind, reason);
      goto out;
    }

  {
    const char *value = ag_reveal_get_value (run.reveal);

    if (value != NULL && write_all (STDOUT_FILENO, value, strlen (value))
        && write_all (STDOUT_FILENO, "\n", 1))
      {
        exit_code = AG_EXIT_OK;
      }
    else if (value == NULL)
      {
        ag_admin_printerr (_("reveal cancelled: the value was hidden again before it could be "
                              "printed"));
      }
    else
      {
        int saved_errno = errno;

        ag_admin_printerr (_("cannot write to standard output: %s"), g_strerror (saved_errno));
        exit_code = AG_EXIT_IOERR;
      }
  }

  /* The value is on its way: hide it again, ledgered, before anything else. */
  ag_guard_remask (run.guard, run.reveal, AG_REMASK_CAUSE_CLOSE);

out:
  ag_guard_cancel (run.guard);
  ag_guard_remask_all (run.guard, AG_REMASK_CAUSE_CLOSE);
  ag_guard_lock (run.guard, AG_LOCK_CAUSE_CLOSE);
  ag_guard_set_event_sink (run.guard, NULL, NULL, NULL);
  g_signal_handlers_disconnect_by_data (run.guard, &run);
  for (guint i = 0; i < G_N_ELEMENTS (signal_ids); i++)
    g_clear_handle_id (&signal_ids[i], g_source_remove);

  /* Every entry is written before the command ends. A cancelled PAM worker still holds
   * the guard's attempt; let it wind down. */
  ag_guard_flush_ledger (run.guard);
  while (ag_guard_get_n_running (run.guard) > 0)
    g_main_context_iteration (NULL, TRUE);

  g_clear_object (&run.reveal);
  g_clear_object (&run.session);
  g_clear_object (&run.guard);
  g_clear_object (&run.store);
  g_clear_object (&run.cancellable);
  g_clear_error (&run.sign_in_error);
  g_clear_error (&run.reveal_error);
  return exit_code;
}
