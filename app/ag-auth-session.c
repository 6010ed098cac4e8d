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

static void
worker_free (Worker *worker)
{
  g_clear_object (&worker->task);
  g_clear_pointer (&worker->context, g_main_context_unref);
  g_clear_pointer (&worker->exchange, ag_auth_exchange_unref);
  g_clear_object (&worker->session);
  g_free (worker->user);
  g_free (worker->confdir);
  g_clear_pointer (&worker->factor_prompts, g_hash_table_unref);
  g_clear_error (&worker->error);
  g_free (worker);
}

gboolean
ag_auth_worker_cancelled (Worker *worker)
{
  gboolean cancelled;

  g_mutex_lock (&worker->exchange->mutex);
  cancelled = worker->exchange->cancelled;
  g_mutex_unlock (&worker->exchange->mutex);
  return cancelled;
}

void
ag_auth_emission_free (Emission *emission)
{
  g_object_unref (emission->session);
  g_object_unref (emission->batch);
  g_free (emission);
}

gboolean
ag_auth_emit_conversation_cb (gpointer data)
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

  ag_auth_run_pam (worker);

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
  worker->exchange = ag_auth_exchange_new ();
  worker->session = g_object_ref (self);
  worker->user = g_strdup (self->user);
  worker->factor_prompts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  worker->confdir = g_strdup (ag_auth_development_confdir ());

  if (cancellable != NULL)
    worker->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb),
                                                  ag_auth_exchange_ref (worker->exchange),
                                                  (GDestroyNotify) ag_auth_exchange_unref);

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
