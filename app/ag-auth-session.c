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

#include "ag-auth-session.h"

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

typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean cancelled;
} Exchange;

static void
exchange_clear (Exchange *exchange)
{
  g_mutex_clear (&exchange->mutex);
  g_cond_clear (&exchange->cond);
}

static Exchange *
exchange_new (void)
{
  Exchange *exchange = g_atomic_rc_box_new0 (Exchange);

  g_mutex_init (&exchange->mutex);
  g_cond_init (&exchange->cond);
  return exchange;
}

static Exchange *
exchange_ref (Exchange *exchange)
{
  return g_atomic_rc_box_acquire (exchange);
}

static void
exchange_unref (Exchange *exchange)
{
  g_atomic_rc_box_release_full (exchange, (GDestroyNotify) exchange_clear);
}

static void
wipe_string (char *s)
{
  if (s == NULL)
    return;
  explicit_bzero (s, strlen (s));
  g_free (s);
}

/* AgAuthBatch */

struct _AgAuthBatch
{
  GObject parent_instance;

  Exchange *exchange;
  AgAuthPhase phase;
  guint n_messages;
  AgAuthMessageKind *kinds;
  char **texts;

  /* Under exchange->mutex: */
  char **answers;
  gboolean replied;
  gboolean abandoned;
};

G_DEFINE_FINAL_TYPE (AgAuthBatch, ag_auth_batch, G_TYPE_OBJECT)

static void
ag_auth_batch_finalize (GObject *object)
{
  AgAuthBatch *self = AG_AUTH_BATCH (object);

  for (guint i = 0; i < self->n_messages; i++)
    wipe_string (self->answers[i]);
  g_free (self->answers);
  g_strfreev (self->texts);
  g_free (self->kinds);
  g_clear_pointer (&self->exchange, exchange_unref);

  G_OBJECT_CLASS (ag_auth_batch_parent_class)->finalize (object);
}

static void
ag_auth_batch_class_init (AgAuthBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_auth_batch_finalize;
}

static void
ag_auth_batch_init (AgAuthBatch *self)
{
}

guint
ag_auth_batch_get_n_messages (AgAuthBatch *self)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), 0);

  return self->n_messages;
}

AgAuthMessageKind
ag_auth_batch_get_kind (AgAuthBatch *self, guint index)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), AG_AUTH_MESSAGE_ERROR);
  g_return_val_if_fail (index < self->n_messages, AG_AUTH_MESSAGE_ERROR);

  return self->kinds[index];
}

const char *
ag_auth_batch_get_text (AgAuthBatch *self, guint index)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), NULL);
  g_return_val_if_fail (index < self->n_messages, NULL);

  return self->texts[index];
}

static gboolean
kind_is_prompt (AgAuthMessageKind kind)
{
  return kind == AG_AUTH_MESSAGE_PROMPT_SECRET || kind == AG_AUTH_MESSAGE_PROMPT_VISIBLE;
}

gboolean
ag_auth_batch_is_prompt (AgAuthBatch *self, guint index)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), FALSE);
  g_return_val_if_fail (index < self->n_messages, FALSE);

  return kind_is_prompt (self->kinds[index]);
}

AgAuthPhase
ag_auth_batch_get_phase (AgAuthBatch *self)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), AG_AUTH_PHASE_AUTHENTICATE);

  return self->phase;
}

gboolean
ag_auth_batch_needs_reply (AgAuthBatch *self)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), FALSE);

  for (guint i = 0; i < self->n_messages; i++)
    if (kind_is_prompt (self->kinds[i]))
      return TRUE;
  return FALSE;
}

void
ag_auth_batch_set_answer (AgAuthBatch *self, guint index, const char *answer)
{
  g_return_if_fail (AG_IS_AUTH_BATCH (self));
  g_return_if_fail (index < self->n_messages);
  g_return_if_fail (kind_is_prompt (self->kinds[index]));
  g_return_if_fail (answer != NULL);

  g_mutex_lock (&self->exchange->mutex);
  if (!self->replied)
    {
      wipe_string (self->answers[index]);
      self->answers[index] = g_strdup (answer);
    }
  g_mutex_unlock (&self->exchange->mutex);
}

void
ag_auth_batch_reply (AgAuthBatch *self)
{
  g_return_if_fail (AG_IS_AUTH_BATCH (self));

  g_mutex_lock (&self->exchange->mutex);
  self->replied = TRUE;
  g_cond_broadcast (&self->exchange->cond);
  g_mutex_unlock (&self->exchange->mutex);
}

static AgAuthBatch *
ag_auth_batch_new (Exchange *exchange, AgAuthPhase phase, int num_msg,
                   const struct pam_message **msg)
{
  AgAuthBatch *self = g_object_new (AG_TYPE_AUTH_BATCH, NULL);

  self->exchange = exchange_ref (exchange);
  self->phase = phase;
  self->n_messages = (guint) num_msg;
  self->kinds = g_new0 (AgAuthMessageKind, num_msg);
  self->texts = g_new0 (char *, num_msg + 1);
  self->answers = g_new0 (char *, num_msg);

  for (int i = 0; i < num_msg; i++)
    {
      switch (msg[i]->msg_style)
        {
          case PAM_PROMPT_ECHO_OFF:
            self->kinds[i] = AG_AUTH_MESSAGE_PROMPT_SECRET;
            break;
          case PAM_PROMPT_ECHO_ON:
            self->kinds[i] = AG_AUTH_MESSAGE_PROMPT_VISIBLE;
            break;
          case PAM_TEXT_INFO:
            self->kinds[i] = AG_AUTH_MESSAGE_INFO;
            break;
          case PAM_ERROR_MSG:
          default:
            self->kinds[i] = AG_AUTH_MESSAGE_ERROR;
            break;
        }
      self->texts[i] = g_utf8_make_valid (msg[i]->msg != NULL ? msg[i]->msg : "", -1);
    }

  return self;
}

/* AgAuthSession */

struct _AgAuthSession
{
  GObject parent_instance;

  char *user;
  guint n_factors;
  gboolean started;
};

G_DEFINE_FINAL_TYPE (AgAuthSession, ag_auth_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_USER,
  PROP_N_FACTORS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CONVERSATION,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GQuark
ag_auth_error_quark (void)
{
  return g_quark_from_static_string ("ag-auth-error-quark");
}

static void
ag_auth_session_finalize (GObject *object)
{
  AgAuthSession *self = AG_AUTH_SESSION (object);

  g_free (self->user);

  G_OBJECT_CLASS (ag_auth_session_parent_class)->finalize (object);
}

static void
ag_auth_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgAuthSession *self = AG_AUTH_SESSION (object);

  switch (prop_id)
    {
      case PROP_USER:
        g_value_set_string (value, self->user);
        break;
      case PROP_N_FACTORS:
        g_value_set_uint (value, self->n_factors);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_auth_session_class_init (AgAuthSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_auth_session_finalize;
  object_class->get_property = ag_auth_session_get_property;

  properties[PROP_USER]
    = g_param_spec_string ("user", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_FACTORS]
    = g_param_spec_uint ("n-factors", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgAuthSession::conversation:
   * @self: the session
   * @batch: the messages PAM sends
   *
   * Emitted in the main context that started the authentication, once per conversation
   * call. Call ag_auth_batch_reply() on @batch (now or later) when it needs a reply.
   */
  signals[SIGNAL_CONVERSATION]
    = g_signal_new ("conversation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, AG_TYPE_AUTH_BATCH);
}

static void
ag_auth_session_init (AgAuthSession *self)
{
}

static char *
current_user_name (GError **error)
{
  struct passwd pwd, *result = NULL;
  g_autofree char *buffer = NULL;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);
  int ret;

  if (size <= 0)
    size = 16384;
  buffer = g_malloc ((gsize) size);

  ret = getpwuid_r (getuid (), &pwd, buffer, (size_t) size, &result);
  if (result == NULL)
    {
      g_set_error (error, AG_AUTH_ERROR, AG_AUTH_ERROR_MISCONFIGURED,
                   "Cannot look up the user running the application: %s",
                   ret != 0 ? g_strerror (ret) : "no such user");
      return NULL;
    }

  return g_strdup (pwd.pw_name);
}

/**
 * ag_auth_session_new:
 * @error: return location for an error
 *
 * Returns: (transfer full): a session for the user running the process, or %NULL
 */
AgAuthSession *
ag_auth_session_new (GError **error)
{
  AgAuthSession *self;
  char *user;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  user = current_user_name (error);
  if (user == NULL)
    return NULL;

  self = g_object_new (AG_TYPE_AUTH_SESSION, NULL);
  self->user = user;
  return self;
}

/**
 * ag_auth_session_new_for_user:
 * @user: the user name asked for
 * @error: return location for an error
 *
 * An unlock can only ever be for the user running the application.
 *
 * Returns: (transfer full): a session, or %NULL with %AG_AUTH_ERROR_NOT_SAME_USER
 */
AgAuthSession *
ag_auth_session_new_for_user (const char *user, GError **error)
{
  g_autoptr (AgAuthSession) self = NULL;

  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = ag_auth_session_new (error);
  if (self == NULL)
    return NULL;

  if (!g_str_equal (user, self->user))
    {
      g_set_error (error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER,
                   "Only the user running the application can authenticate");
      return NULL;
    }

  return g_steal_pointer (&self);
}

const char *
ag_auth_session_get_user (AgAuthSession *self)
{
  g_return_val_if_fail (AG_IS_AUTH_SESSION (self), NULL);

  return self->user;
}

guint
ag_auth_session_get_n_factors (AgAuthSession *self)
{
  g_return_val_if_fail (AG_IS_AUTH_SESSION (self), 0);

  return self->n_factors;
}

/* The worker */

typedef struct
{
  GTask *task; /* owned; touched in the main context only */
  GThread *thread;
  GMainContext *context;
  Exchange *exchange;
  AgAuthSession *session; /* a ref, to emit ::conversation in the main context */
  gulong cancelled_id;

  /* The worker thread's own: */
  char *user;
  char *confdir;
  AgAuthPhase phase;
  GHashTable *factor_prompts;
  gboolean saw_u2f_cue;
  guint n_factors;
  GError *error;
} Worker;

static void
worker_free (Worker *worker)
{
  g_clear_object (&worker->task);
  g_clear_pointer (&worker->context, g_main_context_unref);
  g_clear_pointer (&worker->exchange, exchange_unref);
  g_clear_object (&worker->session);
  g_free (worker->user);
  g_free (worker->confdir);
  g_clear_pointer (&worker->factor_prompts, g_hash_table_unref);
  g_clear_error (&worker->error);
  g_free (worker);
}

static gboolean
worker_cancelled (Worker *worker)
{
  gboolean cancelled;

  g_mutex_lock (&worker->exchange->mutex);
  cancelled = worker->exchange->cancelled;
  g_mutex_unlock (&worker->exchange->mutex);
  return cancelled;
}

typedef struct
{
  AgAuthSession *session;
  AgAuthBatch *batch;
} Emission;

static void
emission_free (Emission *emission)
{
  g_object_unref (emission->session);
  g_object_unref (emission->batch);
  g_free (emission);
}

static gboolean
emit_conversation_cb (gpointer data)
{
  Emission *emission = data;
  AgAuthBatch *batch = emission->batch;

  gboolean cancelled;

  g_mutex_lock (&batch->exchange->mutex);
  cancelled = batch->exchange->cancelled;
  g_mutex_unlock (&batch->exchange->mutex);

  /* Cancelled after the batch was queued (a lock, say, whose owner then dropped its
   * handler): the worker sees the cancellation and nobody needs to be asked. */
  if (cancelled)
    return G_SOURCE_REMOVE;

  if (g_signal_has_handler_pending (emission->session, signals[SIGNAL_CONVERSATION], 0, FALSE))
    {
      g_signal_emit (emission->session, signals[SIGNAL_CONVERSATION], 0, batch);
    }
  else if (ag_auth_batch_needs_reply (batch))
    {
      /* Nobody to ask: the conversation fails rather than waiting forever. */
      g_warning ("No handler for AgAuthSession::conversation; refusing the prompt");
      g_mutex_lock (&batch->exchange->mutex);
      batch->abandoned = TRUE;
      g_cond_broadcast (&batch->exchange->cond);
      g_mutex_unlock (&batch->exchange->mutex);
    }

  return G_SOURCE_REMOVE;
}

static void
free_responses (struct pam_response *responses, int num_msg)
{
  if (responses == NULL)
    return;

  for (int i = 0; i < num_msg; i++)
    wipe_string (responses[i].resp);
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

static const char *
development_confdir (void)
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
  return find_service_file (development_confdir ());
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

  if (worker_cancelled (worker))
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
  g_source_set_callback (source, emit_conversation_cb, emission, (GDestroyNotify) emission_free);
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

      if (!kind_is_prompt (batch->kinds[i]))
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
    g_clear_pointer (&batch->answers[i], wipe_string);
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

static void
run_pam (Worker *worker)
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

  if (worker_cancelled (worker))
    {
      set_cancelled_error (worker);
      status = PAM_ABORT;
      goto out;
    }

  /* libpam sleeps its failure delay inside pam_authenticate, in this thread. */
  worker->phase = AG_AUTH_PHASE_AUTHENTICATE;
  status = pam_authenticate (pamh, PAM_DISALLOW_NULL_AUTHTOK);
  if (worker_cancelled (worker))
    {
      set_cancelled_error (worker);
      if (status == PAM_SUCCESS)
        status = PAM_ABORT;
      goto out;
    }
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
  if (status == PAM_NEW_AUTHTOK_REQD && !worker_cancelled (worker))
    {
      worker->phase = AG_AUTH_PHASE_CHANGE_PASSWORD;
      status = pam_chauthtok (pamh, PAM_CHANGE_EXPIRED_AUTHTOK);
      if (status != PAM_SUCCESS && !worker_cancelled (worker))
        {
          g_set_error (&worker->error, AG_AUTH_ERROR, AG_AUTH_ERROR_ACCOUNT_REFUSED,
                       "The expired password was not changed: %s", pam_strerror (pamh, status));
          goto out;
        }
    }
  if (worker_cancelled (worker))
    {
      set_cancelled_error (worker);
      if (status == PAM_SUCCESS)
        status = PAM_ABORT;
      goto out;
    }
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

static gboolean
complete_cb (gpointer data)
{
  Worker *worker = data;
  GTask *task = worker->task;
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* The thread queued this as its very last act: joining does not block. */
  g_thread_join (g_steal_pointer (&worker->thread));

  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, worker->cancelled_id);

  worker->session->n_factors = worker->n_factors;
  g_object_notify_by_pspec (G_OBJECT (worker->session), properties[PROP_N_FACTORS]);

  if (worker->error != NULL)
    g_task_return_error (task, g_steal_pointer (&worker->error));
  else
    g_task_return_boolean (task, TRUE);

  worker_free (worker);
  return G_SOURCE_REMOVE;
}

static gpointer
worker_thread (gpointer data)
{
  Worker *worker = data;
  GSource *source;

  run_pam (worker);

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, complete_cb, worker, NULL);
  g_source_set_static_name (source, "[agent-guard] PAM done");
  g_source_attach (source, worker->context);
  g_source_unref (source);

  return NULL;
}

static void
cancelled_cb (GCancellable *cancellable, gpointer data)
{
  Exchange *exchange = data;

  g_mutex_lock (&exchange->mutex);
  exchange->cancelled = TRUE;
  g_cond_broadcast (&exchange->cond);
  g_mutex_unlock (&exchange->mutex);
}

/**
 * ag_auth_session_authenticate_async:
 * @self: a session that has not authenticated yet
 * @cancellable: (nullable): cancel it to end the conversation at any point
 * @callback: called in the current thread-default main context when PAM has finished
 * @user_data: data for @callback
 *
 * Runs pam_authenticate(), pam_acct_mgmt() (and pam_chauthtok() for an expired password)
 * in a worker thread, emitting ::conversation in the current thread-default main
 * context for every message batch.
 */
void
ag_auth_session_authenticate_async (AgAuthSession *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  Worker *worker;

  g_return_if_fail (AG_IS_AUTH_SESSION (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  self->started = TRUE;

  worker = g_new0 (Worker, 1);
  worker->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (worker->task, ag_auth_session_authenticate_async);
  g_task_set_check_cancellable (worker->task, FALSE);
  worker->context = g_main_context_ref_thread_default ();
  worker->exchange = exchange_new ();
  worker->session = g_object_ref (self);
  worker->user = g_strdup (self->user);
  worker->factor_prompts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  worker->confdir = g_strdup (development_confdir ());

  if (cancellable != NULL)
    worker->cancelled_id
      = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                               exchange_ref (worker->exchange), (GDestroyNotify) exchange_unref);

  worker->thread = g_thread_try_new ("ag-pam", worker_thread, worker, &error);
  if (worker->thread == NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&worker->task);

      if (cancellable != NULL)
        g_cancellable_disconnect (cancellable, worker->cancelled_id);
      worker_free (worker);
      g_task_return_new_error (task, AG_AUTH_ERROR, AG_AUTH_ERROR_MISCONFIGURED,
                               "Cannot start the authentication thread: %s", error->message);
    }
}

gboolean
ag_auth_session_authenticate_finish (AgAuthSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (AG_IS_AUTH_SESSION (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, ag_auth_session_authenticate_async),
                        FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
