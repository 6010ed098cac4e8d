/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-guard"

#include "config.h"

#include "ag-guard.h"

/*
 * The session state machine: LOCKED → AUTHENTICATING → UNLOCKED → LOCKED. The UI renders
 * what the guard says and never decides on its own whether store data may be shown.
 *
 * Each unlock attempt is one AgAuthSession (one PAM transaction) for the fixed user. An
 * attempt that is cancelled (by ag_guard_cancel(), ag_guard_lock() or the guard going away)
 * is detached at once: the guard is LOCKED again immediately and may start a new attempt,
 * while the old worker thread winds down on its own and its result is ignored.
 */

struct _AgGuard
{
  GObject parent_instance;

  char *user;
  AgGuardState state;
  guint failed_attempts;
  gboolean signed_in;

  AgGuardClock clock;
  gpointer clock_data;

  AgGuardEventSink sink;
  gpointer sink_data;
  GDestroyNotify sink_destroy;

  /* The attempt whose conversation is shown (state AUTHENTICATING), or NULL. */
  struct _Attempt *attempt;
  /* Every attempt whose worker has not returned yet, the current one included. */
  GPtrArray *running;

  /* The policy in force: the strict defaults until ag_guard_set_policy(). */
  AgPolicy *policy;

  /* One timer for the next deadline of any kind; it calls ag_guard_process_time(). */
  GSource *timer;

  /* The idle deadline (idle_*): 0 unless UNLOCKED. */
  gint64 idle_last_input;
  gint64 idle_deadline;
  gboolean idle_warning;
};

typedef struct _Attempt
{
  AgGuard *guard; /* NULL once detached from a guard that went away */
  AgAuthSession *session;
  GCancellable *cancellable;
  gulong conversation_id;
} Attempt;

G_DEFINE_FINAL_TYPE (AgGuard, ag_guard, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (AgGuardState, ag_guard_state,
                    G_DEFINE_ENUM_VALUE (AG_GUARD_STATE_LOCKED, "locked"),
                    G_DEFINE_ENUM_VALUE (AG_GUARD_STATE_AUTHENTICATING, "authenticating"),
                    G_DEFINE_ENUM_VALUE (AG_GUARD_STATE_UNLOCKED, "unlocked"))

enum
{
  PROP_0,
  PROP_STATE,
  PROP_USER,
  PROP_FAILED_ATTEMPTS,
  PROP_SIGNED_IN,
  PROP_WARNING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_CONVERSATION,
  SIGNAL_ATTEMPT_FAILED,
  SIGNAL_LOCK_WARNING,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
ag_guard_state_to_string (AgGuardState state)
{
  switch (state)
    {
      case AG_GUARD_STATE_LOCKED:
        return "locked";
      case AG_GUARD_STATE_AUTHENTICATING:
        return "authenticating";
      case AG_GUARD_STATE_UNLOCKED:
        return "unlocked";
      default:
        g_return_val_if_reached (NULL);
    }
}

const char *
ag_lock_cause_to_string (AgLockCause cause)
{
  switch (cause)
    {
      case AG_LOCK_CAUSE_MANUAL:
        return "manual";
      case AG_LOCK_CAUSE_IDLE:
        return "idle";
      case AG_LOCK_CAUSE_SCREEN_LOCK:
        return "screen-lock";
      case AG_LOCK_CAUSE_SUSPEND:
        return "suspend";
      case AG_LOCK_CAUSE_CLOSE:
        return "close";
      case AG_LOCK_CAUSE_MINIMISE:
        return "minimise";
      default:
        g_return_val_if_reached (NULL);
    }
}

const char *
ag_guard_event_kind_to_string (AgGuardEventKind kind)
{
  switch (kind)
    {
      case AG_GUARD_EVENT_LOGIN:
        return "login";
      case AG_GUARD_EVENT_LOGIN_FAILED:
        return "login-failed";
      case AG_GUARD_EVENT_UNLOCK:
        return "unlock";
      case AG_GUARD_EVENT_LOCK:
        return "lock";
      default:
        g_return_val_if_reached (NULL);
    }
}

static const char *
failure_cause (const GError *error)
{
  if (error == NULL || error->domain != AG_AUTH_ERROR)
    return "error";
  switch ((AgAuthError) error->code)
    {
      case AG_AUTH_ERROR_FAILED:
        return "failed";
      case AG_AUTH_ERROR_CANCELLED:
        return "cancelled";
      case AG_AUTH_ERROR_ACCOUNT_REFUSED:
        return "account-refused";
      case AG_AUTH_ERROR_TOO_FEW_FACTORS:
        return "too-few-factors";
      case AG_AUTH_ERROR_MISCONFIGURED:
        return "misconfigured";
      case AG_AUTH_ERROR_NOT_SAME_USER:
        return "not-same-user";
      default:
        return "error";
    }
}

/**
 * ag_guard_event_to_ledger_entry:
 * @event: an event from the guard's sink
 * @session_id: (nullable): the application session's id
 * @mode: live or training
 *
 * Returns: (transfer full): a new entry for ag_sqlite_store_append_event()
 */
AgLedgerEntry *
ag_guard_event_to_ledger_entry (const AgGuardEvent *event, const char *session_id,
                                AgLedgerMode mode)
{
  AgLedgerEntry *entry;
  AgLedgerEvent kind;

  g_return_val_if_fail (event != NULL, NULL);

  switch (event->kind)
    {
      case AG_GUARD_EVENT_LOGIN:
        kind = AG_LEDGER_EVENT_LOGIN;
        break;
      case AG_GUARD_EVENT_LOGIN_FAILED:
        kind = AG_LEDGER_EVENT_LOGIN_FAILED;
        break;
      case AG_GUARD_EVENT_UNLOCK:
        kind = AG_LEDGER_EVENT_UNLOCK;
        break;
      case AG_GUARD_EVENT_LOCK:
        kind = AG_LEDGER_EVENT_LOCK;
        break;
      default:
        g_return_val_if_reached (NULL);
    }

  entry = ag_ledger_entry_new (kind);
  entry->time_us = event->time_us;
  entry->user = g_strdup (event->user);
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_strdup (session_id);
  entry->mode = mode;
  if (event->kind == AG_GUARD_EVENT_LOCK)
    entry->cause = g_strdup (ag_lock_cause_to_string (event->cause));
  else if (event->kind == AG_GUARD_EVENT_LOGIN_FAILED)
    entry->cause = g_strdup (failure_cause (event->error));
  return entry;
}

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time ();
}

/* The deadlines. The guard keeps them on its own clock and arms one timer, on the
 * monotonic clock, for the earliest; the timer only calls ag_guard_process_time(), which
 * acts on whatever passed and arms the timer again. A timer that fires early does no harm,
 * so input, which comes with every pointer motion, never has to re-arm it. */

static gint64
idle_warn_at (AgGuard *self)
{
  guint lock_warning = ag_policy_get_lock_warning (self->policy);

  if (lock_warning == 0)
    return G_MAXINT64;
  return self->idle_deadline - (gint64) lock_warning * G_USEC_PER_SEC;
}

/* The next moment the idle deadline asks for action, or 0 for none. */
static gint64
idle_next_deadline (AgGuard *self)
{
  if (self->idle_deadline == 0)
    return 0;
  if (!self->idle_warning && idle_warn_at (self) < self->idle_deadline)
    return idle_warn_at (self);
  return self->idle_deadline;
}

/* The earliest deadline of any kind, on the guard's clock, or 0 for none. */
static gint64
next_deadline (AgGuard *self)
{
  gint64 next = idle_next_deadline (self);

  /* The reveal path adds the earliest expiry of a live reveal here. */
  return next;
}

typedef struct
{
  GSource source;
  AgGuard *guard; /* not a reference: the guard destroys the source in dispose */
} Timer;

static gboolean
timer_dispatch (GSource *source, GSourceFunc callback, gpointer user_data)
{
  Timer *timer = (Timer *) source;

  g_source_set_ready_time (source, -1);
  ag_guard_process_time (timer->guard);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_funcs = {
  .dispatch = timer_dispatch,
};

static void
timer_init (AgGuard *self)
{
  g_autoptr (GMainContext) context = g_main_context_ref_thread_default ();
  Timer *timer;

  self->timer = g_source_new (&timer_funcs, sizeof (Timer));
  g_source_set_static_name (self->timer, "AgGuard deadline");
  timer = (Timer *) self->timer;
  timer->guard = self;
  g_source_attach (self->timer, context);
}

/* Arms the timer for the next deadline; a timer that fires no later stays as it is. */
static void
timer_arm (AgGuard *self)
{
  gint64 next = next_deadline (self);
  gint64 armed = g_source_get_ready_time (self->timer);
  gint64 ready_time;

  if (next == 0)
    {
      if (armed != -1)
        g_source_set_ready_time (self->timer, -1);
      return;
    }

  ready_time = g_get_monotonic_time () + MAX (next - ag_guard_now (self), 0);
  if (armed != -1 && armed <= ready_time)
    return;
  g_source_set_ready_time (self->timer, ready_time);
}

static void
attempt_free (Attempt *attempt)
{
  g_clear_signal_handler (&attempt->conversation_id, attempt->session);
  g_clear_object (&attempt->session);
  g_clear_object (&attempt->cancellable);
  g_free (attempt);
}

/* Cancels @attempt and stops forwarding its conversation; its result will be ignored. */
static void
detach_attempt (AgGuard *self, Attempt *attempt)
{
  g_clear_signal_handler (&attempt->conversation_id, attempt->session);
  g_cancellable_cancel (attempt->cancellable);
  if (self->attempt == attempt)
    self->attempt = NULL;
}

static void
ag_guard_dispose (GObject *object)
{
  AgGuard *self = AG_GUARD (object);

  if (self->running != NULL)
    for (guint i = 0; i < self->running->len; i++)
      {
        Attempt *attempt = g_ptr_array_index (self->running, i);

        detach_attempt (self, attempt);
        attempt->guard = NULL;
      }
  g_clear_pointer (&self->running, g_ptr_array_unref);

  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);
  g_clear_object (&self->policy);

  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  self->sink = NULL;
  self->sink_data = NULL;
  self->sink_destroy = NULL;

  G_OBJECT_CLASS (ag_guard_parent_class)->dispose (object);
}

static void
ag_guard_finalize (GObject *object)
{
  AgGuard *self = AG_GUARD (object);

  g_free (self->user);

  G_OBJECT_CLASS (ag_guard_parent_class)->finalize (object);
}

static void
ag_guard_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgGuard *self = AG_GUARD (object);

  switch (prop_id)
    {
      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;
      case PROP_USER:
        g_value_set_string (value, self->user);
        break;
      case PROP_FAILED_ATTEMPTS:
        g_value_set_uint (value, self->failed_attempts);
        break;
      case PROP_SIGNED_IN:
        g_value_set_boolean (value, self->signed_in);
        break;
      case PROP_WARNING:
        g_value_set_boolean (value, self->idle_warning);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_guard_class_init (AgGuardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_guard_dispose;
  object_class->finalize = ag_guard_finalize;
  object_class->get_property = ag_guard_get_property;

  properties[PROP_STATE]
    = g_param_spec_enum ("state", NULL, NULL, ag_guard_state_get_type (), AG_GUARD_STATE_LOCKED,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER]
    = g_param_spec_string ("user", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FAILED_ATTEMPTS]
    = g_param_spec_uint ("failed-attempts", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNED_IN]
    = g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WARNING]
    = g_param_spec_boolean ("warning", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgGuard::state-changed:
   * @self: the guard
   * @old_state: the state before
   * @new_state: the state now (also ::notify::state)
   */
  signals[SIGNAL_STATE_CHANGED]
    = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, ag_guard_state_get_type (), ag_guard_state_get_type ());

  /**
   * AgGuard::conversation:
   * @self: the guard
   * @batch: the messages PAM sends, see AgAuthSession::conversation
   */
  signals[SIGNAL_CONVERSATION]
    = g_signal_new ("conversation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, AG_TYPE_AUTH_BATCH);

  /**
   * AgGuard::attempt-failed:
   * @self: the guard
   * @error: why, an %AG_AUTH_ERROR (never %AG_AUTH_ERROR_CANCELLED)
   *
   * Emitted after the guard went back to LOCKED and counted the failure.
   */
  signals[SIGNAL_ATTEMPT_FAILED]
    = g_signal_new ("attempt-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * AgGuard::lock-warning:
   * @self: the guard
   * @seconds_left: whole seconds until the idle lock, rounded up
   *
   * Emitted when ::warning turns on: the session locks for idleness in @seconds_left
   * unless input comes (ag_guard_report_activity()).
   */
  signals[SIGNAL_LOCK_WARNING]
    = g_signal_new ("lock-warning", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
ag_guard_init (AgGuard *self)
{
  self->state = AG_GUARD_STATE_LOCKED;
  self->clock = real_clock;
  self->running = g_ptr_array_new ();
  self->policy = ag_policy_new_default ();
  timer_init (self);
}

/**
 * ag_guard_new:
 * @error: return location for an error
 *
 * Returns: (transfer full): a LOCKED guard for the user running the process, or %NULL
 */
AgGuard *
ag_guard_new (GError **error)
{
  g_autoptr (AgAuthSession) probe = NULL;
  AgGuard *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The session looks the user up; it is the one place that knows how. */
  probe = ag_auth_session_new (error);
  if (probe == NULL)
    return NULL;

  self = g_object_new (AG_TYPE_GUARD, NULL);
  self->user = g_strdup (ag_auth_session_get_user (probe));
  return self;
}

/**
 * ag_guard_new_for_user:
 * @user: the user name asked for
 * @error: return location for an error
 *
 * Returns: (transfer full): a LOCKED guard, or %NULL with %AG_AUTH_ERROR_NOT_SAME_USER
 */
AgGuard *
ag_guard_new_for_user (const char *user, GError **error)
{
  g_autoptr (AgAuthSession) probe = NULL;
  AgGuard *self;

  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  probe = ag_auth_session_new_for_user (user, error);
  if (probe == NULL)
    return NULL;

  self = g_object_new (AG_TYPE_GUARD, NULL);
  self->user = g_strdup (ag_auth_session_get_user (probe));
  return self;
}

/**
 * ag_guard_set_event_sink:
 * @sink: (nullable): called for every security event, in the guard's main context
 * @user_data: for @sink
 * @destroy: (nullable): frees @user_data when replaced or when the guard goes away
 */
void
ag_guard_set_event_sink (AgGuard *self, AgGuardEventSink sink, gpointer user_data,
                         GDestroyNotify destroy)
{
  g_return_if_fail (AG_IS_GUARD (self));

  if (self->sink_destroy != NULL)
    self->sink_destroy (self->sink_data);
  self->sink = sink;
  self->sink_data = user_data;
  self->sink_destroy = destroy;
}

/**
 * ag_guard_set_clock:
 * @clock: (nullable): the time source, or %NULL for g_get_real_time()
 * @user_data: for @clock
 */
void
ag_guard_set_clock (AgGuard *self, AgGuardClock clock, gpointer user_data)
{
  g_return_if_fail (AG_IS_GUARD (self));

  self->clock = clock != NULL ? clock : real_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
}

gint64
ag_guard_now (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), 0);

  return self->clock (self->clock_data);
}

AgGuardState
ag_guard_get_state (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), AG_GUARD_STATE_LOCKED);

  return self->state;
}

const char *
ag_guard_get_user (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), NULL);

  return self->user;
}

guint
ag_guard_get_failed_attempts (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), 0);

  return self->failed_attempts;
}

gboolean
ag_guard_get_signed_in (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), FALSE);

  return self->signed_in;
}

/* The idle deadline (idle_*): now + idle-lock from the unlock and from each input, moved
 * at once by a policy change, gone while not UNLOCKED. */

static void
idle_set_warning (AgGuard *self, gboolean warning, gint64 now)
{
  if (self->idle_warning == warning)
    return;

  self->idle_warning = warning;
  g_debug ("lock warning %s", warning ? "on" : "off");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING]);
  if (warning)
    {
      gint64 left = self->idle_deadline - now;

      g_signal_emit (self, signals[SIGNAL_LOCK_WARNING], 0,
                     (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }
}

/* Input, or the unlock: the deadline is idle-lock from now. */
static void
idle_restart (AgGuard *self)
{
  gint64 now = ag_guard_now (self);

  self->idle_last_input = now;
  self->idle_deadline = now + (gint64) ag_policy_get_idle_lock (self->policy) * G_USEC_PER_SEC;
  idle_set_warning (self, FALSE, now);
}

static void
idle_stop (AgGuard *self)
{
  self->idle_last_input = 0;
  self->idle_deadline = 0;
  idle_set_warning (self, FALSE, 0);
}

/* Locks when the deadline passed; turns the warning on (or off, when a policy change moved
 * the deadline away) for the time left. */
static void
idle_process_time (AgGuard *self)
{
  gint64 now;

  if (self->state != AG_GUARD_STATE_UNLOCKED || self->idle_deadline == 0)
    return;

  now = ag_guard_now (self);
  if (now >= self->idle_deadline)
    {
      g_debug ("idle deadline passed");
      ag_guard_lock (self, AG_LOCK_CAUSE_IDLE);
      return;
    }
  idle_set_warning (self, now >= idle_warn_at (self), now);
}

static void
idle_policy_changed (AgGuard *self)
{
  if (self->idle_deadline == 0)
    return;

  self->idle_deadline
    = self->idle_last_input + (gint64) ag_policy_get_idle_lock (self->policy) * G_USEC_PER_SEC;
}

/**
 * ag_guard_report_activity:
 *
 * Input on the app's windows. While UNLOCKED it moves the idle deadline to now + idle-lock
 * and ends a lock warning; otherwise it does nothing.
 */
void
ag_guard_report_activity (AgGuard *self)
{
  g_return_if_fail (AG_IS_GUARD (self));

  if (self->state != AG_GUARD_STATE_UNLOCKED)
    return;

  idle_restart (self);
  timer_arm (self);
}

/**
 * ag_guard_get_idle_deadline:
 *
 * Returns: when the session locks for idleness, on the guard's clock (microseconds since
 *   the epoch), or 0 unless UNLOCKED
 */
gint64
ag_guard_get_idle_deadline (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), 0);

  return self->idle_deadline;
}

/**
 * ag_guard_get_warning:
 *
 * Returns: %TRUE from lock-warning seconds before the idle deadline until input or the lock
 */
gboolean
ag_guard_get_warning (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), FALSE);

  return self->idle_warning;
}

/**
 * ag_guard_process_time:
 *
 * Acts on every deadline that passed on the guard's clock, then arms the guard's timer for
 * the next one. The timer calls it; tests that inject a clock call it after moving the
 * clock. Calling it when nothing is due does nothing.
 */
void
ag_guard_process_time (AgGuard *self)
{
  g_return_if_fail (AG_IS_GUARD (self));

  g_object_ref (self);
  /* Reveals first: one whose expiry passed before the idle deadline is ledgered as expired,
   * not as wiped by the lock. The reveal path calls expire_reveals (self) here. */
  idle_process_time (self);
  timer_arm (self);
  g_object_unref (self);
}

/**
 * ag_guard_set_policy:
 * @policy: the policy now in force
 *
 * Applies at once: the idle deadline becomes idle-lock after the last input (and the
 * session locks when that has passed already); live reveals keep their expiry.
 */
void
ag_guard_set_policy (AgGuard *self, AgPolicy *policy)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (AG_IS_POLICY (policy));

  if (!g_set_object (&self->policy, policy))
    return;

  idle_policy_changed (self);
  ag_guard_process_time (self);
}

/**
 * ag_guard_get_policy:
 *
 * Returns: (transfer none): the policy in force
 */
AgPolicy *
ag_guard_get_policy (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), NULL);

  return self->policy;
}

static void
emit_event (AgGuard *self, AgGuardEventKind kind, AgLockCause cause, const GError *error)
{
  AgGuardEvent event = {
    .kind = kind,
    .time_us = ag_guard_now (self),
    .user = self->user,
    .cause = cause,
    .failed_attempts = self->failed_attempts,
    .error = error,
  };

  g_debug ("event %s", ag_guard_event_kind_to_string (kind));
  if (self->sink != NULL)
    self->sink (&event, self->sink_data);
}

static void
set_state (AgGuard *self, AgGuardState state)
{
  AgGuardState old_state = self->state;

  if (old_state == state)
    return;

  self->state = state;
  g_debug ("%s → %s", ag_guard_state_to_string (old_state), ag_guard_state_to_string (state));
  if (state == AG_GUARD_STATE_UNLOCKED)
    idle_restart (self);
  else if (old_state == AG_GUARD_STATE_UNLOCKED)
    idle_stop (self);
  timer_arm (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, old_state, state);
}

static void
set_failed_attempts (AgGuard *self, guint failed_attempts)
{
  if (self->failed_attempts == failed_attempts)
    return;

  self->failed_attempts = failed_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FAILED_ATTEMPTS]);
}

static void
conversation_cb (AgAuthSession *session, AgAuthBatch *batch, gpointer data)
{
  Attempt *attempt = data;

  if (attempt->guard != NULL && attempt->guard->attempt == attempt)
    g_signal_emit (attempt->guard, signals[SIGNAL_CONVERSATION], 0, batch);
}

static void
authenticate_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Attempt *attempt = data;
  AgGuard *self = attempt->guard;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = ag_auth_session_authenticate_finish (AG_AUTH_SESSION (source), result, &error);

  if (self == NULL)
    {
      attempt_free (attempt);
      return;
    }

  g_ptr_array_remove (self->running, attempt);
  if (self->attempt != attempt)
    {
      /* Cancelled or locked meanwhile: the guard moved on already. */
      attempt_free (attempt);
      return;
    }
  self->attempt = NULL;

  g_object_ref (self);
  g_object_freeze_notify (G_OBJECT (self));

  if (ok && !g_str_equal (ag_auth_session_get_user (attempt->session), self->user))
    {
      ok = FALSE;
      g_set_error (&error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER,
                   "The session authenticated another user");
    }

  if (ok)
    {
      gboolean first = !self->signed_in;

      set_failed_attempts (self, 0);
      if (first)
        {
          self->signed_in = TRUE;
          g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
        }
      emit_event (self, first ? AG_GUARD_EVENT_LOGIN : AG_GUARD_EVENT_UNLOCK, 0, NULL);
      set_state (self, AG_GUARD_STATE_UNLOCKED);
    }
  else if (g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED))
    {
      set_state (self, AG_GUARD_STATE_LOCKED);
    }
  else
    {
      set_failed_attempts (self, self->failed_attempts + 1);
      emit_event (self, AG_GUARD_EVENT_LOGIN_FAILED, 0, error);
      set_state (self, AG_GUARD_STATE_LOCKED);
      g_signal_emit (self, signals[SIGNAL_ATTEMPT_FAILED], 0, error);
    }

  g_object_thaw_notify (G_OBJECT (self));
  g_object_unref (self);
  attempt_free (attempt);
}

/**
 * ag_guard_begin:
 * @error: return location for an error
 *
 * Starts an unlock (or first sign-in) attempt for the fixed user. Connect to
 * ::conversation first.
 *
 * Returns: %TRUE when the conversation started (state AUTHENTICATING)
 */
gboolean
ag_guard_begin (AgGuard *self, GError **error)
{
  g_autoptr (AgAuthSession) session = NULL;
  Attempt *attempt;

  g_return_val_if_fail (AG_IS_GUARD (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != AG_GUARD_STATE_LOCKED)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "The session is %s, not locked",
                   ag_guard_state_to_string (self->state));
      return FALSE;
    }

  session = ag_auth_session_new_for_user (self->user, error);
  if (session == NULL)
    return FALSE;

  attempt = g_new0 (Attempt, 1);
  attempt->guard = self;
  attempt->session = g_steal_pointer (&session);
  attempt->cancellable = g_cancellable_new ();
  attempt->conversation_id
    = g_signal_connect (attempt->session, "conversation", G_CALLBACK (conversation_cb), attempt);
  self->attempt = attempt;
  g_ptr_array_add (self->running, attempt);

  set_state (self, AG_GUARD_STATE_AUTHENTICATING);
  ag_auth_session_authenticate_async (attempt->session, attempt->cancellable, authenticate_cb,
                                      attempt);
  return TRUE;
}

/**
 * ag_guard_cancel:
 *
 * Ends the running attempt, if any. The guard is LOCKED when this returns; a cancel is
 * not a failed attempt.
 */
void
ag_guard_cancel (AgGuard *self)
{
  g_return_if_fail (AG_IS_GUARD (self));

  if (self->attempt == NULL)
    return;

  detach_attempt (self, self->attempt);
  set_state (self, AG_GUARD_STATE_LOCKED);
}

/**
 * ag_guard_lock:
 * @cause: why
 *
 * Locks at once. From UNLOCKED this hands a lock event with @cause to the event sink;
 * from AUTHENTICATING it cancels the attempt; from LOCKED it does nothing.
 */
void
ag_guard_lock (AgGuard *self, AgLockCause cause)
{
  g_return_if_fail (AG_IS_GUARD (self));

  switch (self->state)
    {
      case AG_GUARD_STATE_LOCKED:
        break;
      case AG_GUARD_STATE_AUTHENTICATING:
        ag_guard_cancel (self);
        break;
      case AG_GUARD_STATE_UNLOCKED:
        emit_event (self, AG_GUARD_EVENT_LOCK, cause, NULL);
        set_state (self, AG_GUARD_STATE_LOCKED);
        break;
      default:
        g_assert_not_reached ();
    }
}

/* For tests: how many attempts' worker threads have not returned yet. */
guint
ag_guard_get_n_running (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), 0);

  return self->running->len;
}
