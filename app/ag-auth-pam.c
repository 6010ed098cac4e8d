/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-auth-session"

#include "config.h"

#include <pwd.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ag-auth-private.h"

/*
 * How the factors are counted (the README quotes this).
 *
 * During pam_authenticate() the session counts:
 *   - each distinct prompt text (PAM_PROMPT_ECHO_OFF or PAM_PROMPT_ECHO_ON) that was
 *     answered with a non-empty answer: one factor per distinct text, so a module that
 *     asks the same question twice counts once;
 *   - one more factor when pam_u2f showed its touch cue (the PAM_TEXT_INFO
 *     "Please touch the device.", printed with pam_u2f's `cue` option) and the service
 *     file lists pam_u2f.so in its auth stack.
 * When PAM says yes with fewer than AG_AUTH_MIN_FACTORS, the session refuses with
 * AG_AUTH_ERROR_TOO_FEW_FACTORS before the account phase. Prompts of the account and
 * password-change phases never count.
 *
 * What this does and does not prove: it proves that the stack asked for at least two
 * different answers (or one answer and a security key touch) in this very transaction, so
 * a stack whose second factor was commented out, marked optional or sufficient, or skipped
 * by a jump is refused. It does not prove that the two answers are of different kinds: a
 * stack asking two passwords under two different prompts passes, and a stack that reads
 * password and code from one prompt (pam_oath's use_first_pass) is refused. The service
 * file is root's: the check guards against a misconfigured stack, not a hostile one.
 */

#define U2F_TOUCH_CUE "Please touch the device."

static void
free_responses (struct pam_response *responses, int num_msg)
{
  if (responses == NULL)
    return;

  for (int i = 0; i < num_msg; i++)
    ag_auth_wipe_string (responses[i].resp);
  free (responses);
}

static char *
find_service_file (const char *confdir)
{
  const char *candidates[2];
  guint n = 0;

  if (confdir != NULL)
    candidates[n++] = confdir;
  else
    {
      candidates[n++] = "/etc/pam.d";
      candidates[n++] = "/usr/lib/pam.d";
    }

  /* The first service file found is the one libpam reads. */
  for (guint c = 0; c < n; c++)
    {
      g_autofree char *path = g_build_filename (candidates[c], AG_AUTH_SERVICE, NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        return g_steal_pointer (&path);
    }

  return NULL;
}

const char *
ag_auth_development_confdir (void)
{
#if DEVELOPMENT
  const char *confdir = g_getenv ("AG_PAM_CONFDIR");

  if (confdir != NULL && confdir[0] != '\0')
    return confdir;
#endif
  return NULL;
}

/**
 * ag_auth_find_service_file:
 *
 * Returns: (transfer full) (nullable): the service file libpam reads for AG_AUTH_SERVICE
 *   (in development builds, the one in AG_PAM_CONFDIR when set), or %NULL when none
 */
char *
ag_auth_find_service_file (void)
{
  return find_service_file (ag_auth_development_confdir ());
}

/**
 * ag_auth_parse_service_line:
 * @line: one line of a PAM service file
 * @type: (out): the management group without the leading "-" ("auth", "account"…)
 * @control: (out): the control ("required", "[success=ok default=1]"…) or, for
 *   "@include", "include"
 * @module: (out): the module path or name, or the included service
 *
 * Returns: FALSE for a blank or comment line
 */
gboolean
ag_auth_parse_service_line (const char *line, char **type, char **control, char **module)
{
  g_autofree char *text = g_strdup (line);
  char *hash = strchr (text, '#');
  char *p, *end;

  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (type != NULL && control != NULL && module != NULL, FALSE);

  if (hash != NULL)
    *hash = '\0';
  p = g_strstrip (text);
  if (*p == '\0')
    return FALSE;

  if (g_str_has_prefix (p, "@include"))
    {
      *type = g_strdup ("@include");
      *control = g_strdup ("include");
      *module = g_strdup (g_strstrip (p + strlen ("@include")));
      return TRUE;
    }

  if (*p == '-')
    p++;
  end = p + strcspn (p, " \t");
  *type = g_strndup (p, (gsize) (end - p));
  p = end + strspn (end, " \t");

  if (*p == '[')
    end = strchr (p, ']') != NULL ? strchr (p, ']') + 1 : p + strlen (p);
  else
    end = p + strcspn (p, " \t");
  *control = g_strndup (p, (gsize) (end - p));
  p = end + strspn (end, " \t");

  end = p + strcspn (p, " \t");
  *module = g_strndup (p, (gsize) (end - p));
  return TRUE;
}

/* Whether the service file libpam reads lists pam_u2f.so in its auth stack. */
static gboolean
service_file_lists_u2f (const char *confdir)
{
  g_autofree char *path = find_service_file (confdir);
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;

  if (path == NULL || !g_file_get_contents (path, &contents, NULL, NULL))
    return FALSE;

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *type = NULL, *control = NULL, *module = NULL;
      g_autofree char *base = NULL;

      if (!ag_auth_parse_service_line (lines[i], &type, &control, &module))
        continue;
      base = g_path_get_basename (module);
      if (g_str_equal (type, "auth") && g_str_equal (base, "pam_u2f.so"))
        return TRUE;
    }

  return FALSE;
}

/* PAM owns what these two return and frees it with free(). Some modules never do
 * (pam_oath 2.6.7 leaks its response); tests/lsan.supp names these two functions so that
 * only such module leaks are suppressed. */
G_GNUC_NO_INLINE static struct pam_response *
alloc_pam_responses (int num_msg)
{
  struct pam_response *responses = calloc ((size_t) num_msg, sizeof (struct pam_response));

  /* No tail call: the function must stay in the allocation's stack. */
  __asm__ volatile("" ::: "memory");
  return responses;
}

G_GNUC_NO_INLINE static char *
dup_pam_response (const char *answer)
{
  char *copy = strdup (answer);

  __asm__ volatile("" ::: "memory");
  return copy;
}

static int
conversation_cb (int num_msg, const struct pam_message **msg, struct pam_response **resp,
                 void *appdata_ptr)
{
  Worker *worker = appdata_ptr;
  g_autoptr (AgAuthBatch) batch = NULL;
  struct pam_response *responses;
  Emission *emission;
  GSource *source;
  gboolean needs_reply;
  gboolean ok = TRUE;

  /* Some modules pass no response pointer with messages that need no answer. */
  if (resp != NULL)
    *resp = NULL;
  if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG || msg == NULL)
    return PAM_CONV_ERR;

  for (int i = 0; i < num_msg; i++)
    {
      int style = msg[i]->msg_style;

      if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON && style != PAM_TEXT_INFO
          && style != PAM_ERROR_MSG)
        {
          g_debug ("Unsupported PAM message style %d", style);
          return PAM_CONV_ERR;
        }
      if (resp == NULL && (style == PAM_PROMPT_ECHO_OFF || style == PAM_PROMPT_ECHO_ON))
        return PAM_CONV_ERR;
    }

  if (ag_auth_worker_cancelled (worker))
    return PAM_CONV_ERR;

  batch = ag_auth_batch_new (worker->exchange, worker->phase, num_msg, msg);
  needs_reply = ag_auth_batch_needs_reply (batch);

  if (worker->phase == AG_AUTH_PHASE_AUTHENTICATE)
    for (guint i = 0; i < batch->n_messages; i++)
      {
        g_autofree char *text = g_strstrip (g_strdup (batch->texts[i]));

        if (batch->kinds[i] == AG_AUTH_MESSAGE_INFO && g_str_equal (text, U2F_TOUCH_CUE))
          worker->saw_u2f_cue = TRUE;
      }

  emission = g_new0 (Emission, 1);
  emission->session = g_object_ref (worker->session);
  emission->batch = g_object_ref (batch);
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, ag_auth_emit_conversation_cb, emission,
                         (GDestroyNotify) ag_auth_emission_free);
  g_source_set_static_name (source, "[agent-guard] PAM conversation");
  g_source_attach (source, worker->context);
  g_source_unref (source);

  if (resp == NULL)
    return PAM_SUCCESS;

  responses = alloc_pam_responses (num_msg);
  if (responses == NULL)
    return PAM_BUF_ERR;

  if (!needs_reply)
    {
      *resp = responses;
      return PAM_SUCCESS;
    }

  g_mutex_lock (&worker->exchange->mutex);
  while (!batch->replied && !batch->abandoned && !worker->exchange->cancelled)
    g_cond_wait (&worker->exchange->cond, &worker->exchange->mutex);

  if (worker->exchange->cancelled || batch->abandoned)
    ok = FALSE;

  for (int i = 0; ok && i < num_msg; i++)
    {
      const char *answer;

      if (!ag_auth_kind_is_prompt (batch->kinds[i]))
        continue;

      answer = batch->answers[i] != NULL ? batch->answers[i] : "";
      /* PAM frees what it gets with free(): copies with malloc. */
      responses[i].resp = dup_pam_response (answer);
      if (responses[i].resp == NULL)
        ok = FALSE;

      if (ok && worker->phase == AG_AUTH_PHASE_AUTHENTICATE && answer[0] != '\0')
        g_hash_table_add (worker->factor_prompts, g_strdup (batch->texts[i]));
    }

  /* Our copies are no longer needed, whatever happens next. */
  for (guint i = 0; i < batch->n_messages; i++)
    g_clear_pointer (&batch->answers[i], ag_auth_wipe_string);
  g_mutex_unlock (&worker->exchange->mutex);

  if (!ok)
    {
      free_responses (responses, num_msg);
      return PAM_CONV_ERR;
    }

  *resp = responses;
  return PAM_SUCCESS;
}

/* libpam 1.5.2 leaks memory when pam_start() fails (a missing service file);
 * tests/lsan.supp names this function for that. */
G_GNUC_NO_INLINE static int
start_pam (Worker *worker, const struct pam_conv *conv, pam_handle_t **pamh)
{
  int status;

#if DEVELOPMENT
  if (worker->confdir != NULL)
    status = pam_start_confdir (AG_AUTH_SERVICE, worker->user, conv, worker->confdir, pamh);
  else
#endif
    status = pam_start (AG_AUTH_SERVICE, worker->user, conv, pamh);

  /* No tail call: the function must stay in the allocation's stack. */
  __asm__ volatile("" ::: "memory");
  return status;
}

static gboolean
status_is_misconfiguration (int status)
{
  switch (status)
    {
      case PAM_OPEN_ERR:
      case PAM_SYMBOL_ERR:
      case PAM_SERVICE_ERR:
      case PAM_SYSTEM_ERR:
      case PAM_BUF_ERR:
      case PAM_ABORT:
      case PAM_MODULE_UNKNOWN:
      case PAM_BAD_ITEM:
        return TRUE;
      default:
        return FALSE;
    }
}

static void
set_cancelled_error (Worker *worker)
{
  g_clear_error (&worker->error);
  g_set_error (&worker->error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED,
               "The authentication was cancelled");
}

/* After a PAM call: a cancel meanwhile wins over what it returned, which becomes a
 * failure if it was a success. */
static gboolean
stop_if_cancelled (Worker *worker, int *status)
{
  if (!ag_auth_worker_cancelled (worker))
    return FALSE;
  set_cancelled_error (worker);
  if (*status == PAM_SUCCESS)
    *status = PAM_ABORT;
  return TRUE;
}

void
ag_auth_run_pam (Worker *worker)
{
  struct pam_conv conv = { conversation_cb, worker };
  pam_handle_t *pamh = NULL;
  const void *item = NULL;
  int status;

  status = start_pam (worker, &conv, &pamh);

  if (status != PAM_SUCCESS)
    {
      g_set_error (&worker->error, AG_AUTH_ERROR, AG_AUTH_ERROR_MISCONFIGURED,
                   "Cannot start PAM for the service %s: %s", AG_AUTH_SERVICE,
                   pam_strerror (pamh, status));
      if (pamh != NULL)
        pam_end (pamh, status);
      return;
    }

  if (ag_auth_worker_cancelled (worker))
    {
      set_cancelled_error (worker);
      status = PAM_ABORT;
      goto out;
    }

  /* libpam sleeps its failure delay inside pam_authenticate, in this thread. */
  worker->phase = AG_AUTH_PHASE_AUTHENTICATE;
  status = pam_authenticate (pamh, PAM_DISALLOW_NULL_AUTHTOK);
  if (stop_if_cancelled (worker, &status))
    goto out;
  if (status != PAM_SUCCESS)
    {
      g_set_error (&worker->error, AG_AUTH_ERROR,
                   status_is_misconfiguration (status) ? AG_AUTH_ERROR_MISCONFIGURED
                                                       : AG_AUTH_ERROR_FAILED,
                   "Authentication failed: %s", pam_strerror (pamh, status));
      goto out;
    }

  /* A module may rewrite PAM_USER; the unlock is only ever for our user. */
  if (pam_get_item (pamh, PAM_USER, &item) != PAM_SUCCESS || item == NULL
      || !g_str_equal ((const char *) item, worker->user))
    {
      g_set_error (&worker->error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER,
                   "The PAM stack authenticated another user than the one running the "
                   "application");
      status = PAM_PERM_DENIED;
      goto out;
    }

  worker->n_factors = g_hash_table_size (worker->factor_prompts);
  if (worker->saw_u2f_cue && service_file_lists_u2f (worker->confdir))
    worker->n_factors++;

  if (worker->n_factors < AG_AUTH_MIN_FACTORS)
    {
      g_set_error (&worker->error, AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS,
                   "The PAM service %s authenticated with %u factor(s); at least %d are "
                   "required. Add a second factor (pam_oath, pam_google_authenticator or "
                   "pam_u2f) as a required module to /etc/pam.d/%s",
                   AG_AUTH_SERVICE, worker->n_factors, AG_AUTH_MIN_FACTORS, AG_AUTH_SERVICE);
      status = PAM_PERM_DENIED;
      goto out;
    }

  worker->phase = AG_AUTH_PHASE_ACCOUNT;
  status = pam_acct_mgmt (pamh, PAM_DISALLOW_NULL_AUTHTOK);
  if (status == PAM_NEW_AUTHTOK_REQD && !ag_auth_worker_cancelled (worker))
    {
      worker->phase = AG_AUTH_PHASE_CHANGE_PASSWORD;
      status = pam_chauthtok (pamh, PAM_CHANGE_EXPIRED_AUTHTOK);
      if (status != PAM_SUCCESS && !ag_auth_worker_cancelled (worker))
        {
          g_set_error (&worker->error, AG_AUTH_ERROR, AG_AUTH_ERROR_ACCOUNT_REFUSED,
                       "The expired password was not changed: %s", pam_strerror (pamh, status));
          goto out;
        }
    }
  if (stop_if_cancelled (worker, &status))
    goto out;
  if (status != PAM_SUCCESS)
    {
      g_set_error (&worker->error, AG_AUTH_ERROR,
                   status_is_misconfiguration (status) ? AG_AUTH_ERROR_MISCONFIGURED
                                                       : AG_AUTH_ERROR_ACCOUNT_REFUSED,
                   "The account was refused: %s", pam_strerror (pamh, status));
      goto out;
    }

out:
  pam_end (pamh, status);
}
