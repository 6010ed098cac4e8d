/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-notifier"

#include "config.h"

#include <glib/gi18n.h>
#include <libnotify/notify.h>

#include "ag-notifier.h"

/**
 * AgNotifier:
 *
 * Desktop notifications (libnotify) about the session, never about a customer: the lock
 * warning, which any input withdraws, and "records locked" after an idle lock. Their texts
 * are fixed sentences with a number of seconds or minutes in them and nothing else
 * (DESIGN §9).
 *
 * libnotify talks to the notification daemon with blocking D-Bus calls, which may wait
 * up to D-Bus's 25 s timeout for a daemon that hangs or is being started. The lock must
 * never wait for that, so every call runs in order on one worker thread; the main thread
 * only queues them. A failure is logged (without any text of the notification) and
 * otherwise ignored: the in-window warning does not depend on it.
 */
struct _AgNotifier
{
  GObject parent_instance;

  GThreadPool *worker;
  NotifyNotification *warning; /* the lock warning last shown, until withdrawn */
  gboolean training;
};

G_DEFINE_FINAL_TYPE (AgNotifier, ag_notifier, G_TYPE_OBJECT)

typedef enum
{
  JOB_SHOW,
  JOB_CLOSE,
  JOB_FLUSH,
} JobKind;

typedef struct
{
  JobKind kind;
  NotifyNotification *notification; /* JOB_SHOW, JOB_CLOSE */
  /* JOB_FLUSH: the caller waits on @cond until @done. */
  GMutex *mutex;
  GCond *cond;
  gboolean *done;
} Job;

static void
run_job (gpointer data, gpointer user_data)
{
  Job *job = data;
  g_autoptr (GError) error = NULL;

  switch (job->kind)
    {
      case JOB_SHOW:
        if (!notify_notification_show (job->notification, &error))
          g_debug ("Could not show a notification: %s", error->message);
        break;
      case JOB_CLOSE:
        if (!notify_notification_close (job->notification, &error))
          g_debug ("Could not withdraw a notification: %s", error->message);
        break;
      case JOB_FLUSH:
        g_mutex_lock (job->mutex);
        *job->done = TRUE;
        g_cond_signal (job->cond);
        g_mutex_unlock (job->mutex);
        break;
      default:
        g_assert_not_reached ();
    }

  g_clear_object (&job->notification);
  g_free (job);
}

static void
queue_job (AgNotifier *self, JobKind kind, NotifyNotification *notification)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->notification = notification != NULL ? g_object_ref (notification) : NULL;
  g_thread_pool_push (self->worker, job, NULL);
}

static NotifyNotification *
create_notification (AgNotifier *self, const char *summary, const char *body, NotifyUrgency urgency)
{
  g_autofree char *training_summary = NULL;
  NotifyNotification *notification;

  /* Translators: a desktop notification's summary in training mode; %s is the summary
   * ("Records locked after 5 min idle"). */
  if (self->training)
    summary = training_summary = g_strdup_printf (_("Training: %s"), summary);
  notification = notify_notification_new (summary, body, APPLICATION_ID);
  notify_notification_set_app_name (notification, self->training ? _("Agent Guard (Training)")
                                                                 : _("Agent Guard"));
  notify_notification_set_category (notification, "presence");
  notify_notification_set_urgency (notification, urgency);
  notify_notification_set_hint (notification, "desktop-entry",
                                g_variant_new_string (APPLICATION_ID));
  return notification;
}

static void
ag_notifier_dispose (GObject *object)
{
  AgNotifier *self = AG_NOTIFIER (object);

  if (self->worker != NULL)
    {
      ag_notifier_withdraw_lock_warning (self);
      /* Sends what is queued (the "records locked" notification, say) before going. */
      g_thread_pool_free (g_steal_pointer (&self->worker), FALSE, TRUE);
    }

  G_OBJECT_CLASS (ag_notifier_parent_class)->dispose (object);
}

static void
ag_notifier_class_init (AgNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_notifier_dispose;
}

static void
ag_notifier_init (AgNotifier *self)
{
  g_autoptr (GError) error = NULL;

  if (!notify_is_initted ())
    notify_init ("Agent Guard");

  /* One thread: the calls reach the daemon in the order they were made. */
  self->worker = g_thread_pool_new (run_job, self, 1, FALSE, &error);
  g_assert_no_error (error);
}

AgNotifier *
ag_notifier_new (void)
{
  return g_object_new (AG_TYPE_NOTIFIER, NULL);
}

/**
 * ag_notifier_show_lock_warning:
 * @lock_time_us: when the records lock, in microseconds since the epoch
 *
 * Tells the agent that the records lock soon for inactivity, at which time of day: a
 * notification may be read long after it came, and a count of seconds would be stale by
 * then. A warning already shown is replaced.
 */
void
ag_notifier_show_lock_warning (AgNotifier *self, gint64 lock_time_us)
{
  g_autoptr (GDateTime) local = NULL;
  g_autofree char *clock = NULL;
  g_autofree char *summary = NULL;

  g_return_if_fail (AG_IS_NOTIFIER (self));

  ag_notifier_withdraw_lock_warning (self);

  /* Whole seconds, rounded down: the lock comes at that second, never before it. */
  local = g_date_time_new_from_unix_local (lock_time_us / G_USEC_PER_SEC);
  /* The time as this locale writes it, with its seconds: "14:32:10". */
  clock = local != NULL ? g_date_time_format (local, "%X") : NULL;
  if (clock != NULL)
    /* Translators: a desktop notification; %s is the time of day ("14:32:10"). */
    summary = g_strdup_printf (_("Records lock at %s for inactivity"), clock);
  else
    summary = g_strdup (_("Records lock soon for inactivity"));
  self->warning = create_notification (
    self, summary, _("Move the mouse or press a key in Agent Guard to stay signed in."),
    NOTIFY_URGENCY_CRITICAL);
  queue_job (self, JOB_SHOW, self->warning);
}

/**
 * ag_notifier_withdraw_lock_warning:
 *
 * Takes the lock warning off the desktop, if one is shown.
 */
void
ag_notifier_withdraw_lock_warning (AgNotifier *self)
{
  g_return_if_fail (AG_IS_NOTIFIER (self));

  if (self->warning == NULL)
    return;

  queue_job (self, JOB_CLOSE, self->warning);
  g_clear_object (&self->warning);
}

gboolean
ag_notifier_get_warning_shown (AgNotifier *self)
{
  g_return_val_if_fail (AG_IS_NOTIFIER (self), FALSE);

  return self->warning != NULL;
}

/**
 * ag_notifier_show_idle_lock:
 * @idle_seconds: the idle time after which the records locked
 *
 * Tells the agent that the records locked for inactivity, and after how long.
 */
void
ag_notifier_show_idle_lock (AgNotifier *self, guint idle_seconds)
{
  NotifyNotification *notification;
  g_autofree char *summary = NULL;

  g_return_if_fail (AG_IS_NOTIFIER (self));

  ag_notifier_withdraw_lock_warning (self);

  if (idle_seconds % 60 == 0)
    /* Translators: a desktop notification; %u is a number of minutes ("5 min"). */
    summary = g_strdup_printf (_("Records locked after %u min idle"), idle_seconds / 60);
  else
    /* Translators: a desktop notification; %u is a number of seconds ("90 s"). */
    summary = g_strdup_printf (_("Records locked after %u s idle"), idle_seconds);
  notification
    = create_notification (self, summary, _("Sign in again to go on."), NOTIFY_URGENCY_NORMAL);
  queue_job (self, JOB_SHOW, notification);
  g_object_unref (notification);
}

/**
 * ag_notifier_flush:
 *
 * Waits until every notification queued so far reached the daemon (or failed to). For
 * tests and for shutting down.
 */
void
ag_notifier_flush (AgNotifier *self)
{
  GMutex mutex;
  GCond cond;
  gboolean done = FALSE;
  Job *job;

  g_return_if_fail (AG_IS_NOTIFIER (self));

  g_mutex_init (&mutex);
  g_cond_init (&cond);
  job = g_new0 (Job, 1);
  job->kind = JOB_FLUSH;
  job->mutex = &mutex;
  job->cond = &cond;
  job->done = &done;

  g_mutex_lock (&mutex);
  g_thread_pool_push (self->worker, job, NULL);
  while (!done)
    g_cond_wait (&cond, &mutex);
  g_mutex_unlock (&mutex);

  g_mutex_clear (&mutex);
  g_cond_clear (&cond);
}

/**
 * ag_notifier_set_training:
 * @training: whether the session is in training mode
 *
 * In training mode every notification's summary starts with "Training:" and its
 * application name says "(Training)": a notification read away from the window cannot be
 * taken for a live session's.
 */
void
ag_notifier_set_training (AgNotifier *self, gboolean training)
{
  g_return_if_fail (AG_IS_NOTIFIER (self));

  self->training = training;
}
