/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-guard"

#include "config.h"

#include "ag-guard-private.h"

#include <string.h>

/*
 * The session state machine: LOCKED → AUTHENTICATING → UNLOCKED → LOCKED. The UI renders
 * what the guard says and never decides on its own whether store data may be shown.
 *
 * Each unlock attempt is one AgAuthSession (one PAM transaction) for the fixed user. An
 * attempt that is cancelled (by ag_guard_cancel(), ag_guard_lock() or the guard going away)
 * is detached at once: the guard is LOCKED again immediately and may start a new attempt,
 * while the old worker thread winds down on its own and its result is ignored.
 *
 * The deadlines (the idle lock and the timer) are in ag-guard-idle.c, the reveal path
 * (DESIGN §5) in ag-guard-reveal.c, the ledger writer in ag-guard-ledger.c.
 */

G_DEFINE_FINAL_TYPE (AgGuard, ag_guard, G_TYPE_OBJECT)

GParamSpec *ag_guard_properties[N_PROPS];
guint ag_guard_signals[N_SIGNALS];

G_DEFINE_ENUM_TYPE (AgGuardState, ag_guard_state,
                    G_DEFINE_ENUM_VALUE (AG_GUARD_STATE_LOCKED, "locked"),
                    G_DEFINE_ENUM_VALUE (AG_GUARD_STATE_AUTHENTICATING, "authenticating"),
                    G_DEFINE_ENUM_VALUE (AG_GUARD_STATE_UNLOCKED, "unlocked"))

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

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time ();
}

void
ag_guard_attempt_free (Attempt *attempt)
{
  g_clear_signal_handler (&attempt->conversation_id, attempt->session);
  g_clear_object (&attempt->session);
  g_clear_object (&attempt->cancellable);
  g_free (attempt);
}

/* Cancels @attempt and stops forwarding its conversation; its result will be ignored. */
void
ag_guard_detach_attempt (AgGuard *self, Attempt *attempt)
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

  if (self->reveals != NULL)
    ag_guard_end_reveals (self, AG_REMASK_CAUSE_CLOSE);
  /* Nothing handed to the ledger is lost when the guard goes (the application quits). */
  ag_guard_flush_ledger (self);
  g_clear_object (&self->reveals);
  g_clear_object (&self->store);
  g_clear_object (&self->policy);

  if (self->running != NULL)
    for (guint i = 0; i < self->running->len; i++)
      {
        Attempt *attempt = g_ptr_array_index (self->running, i);

        ag_guard_detach_attempt (self, attempt);
        attempt->guard = NULL;
      }
  g_clear_pointer (&self->running, g_ptr_array_unref);

  if (self->timer != NULL)
    g_source_destroy (self->timer);
  g_clear_pointer (&self->timer, g_source_unref);

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
  g_free (self->session_id);
  g_clear_error (&self->hold_error);
  g_main_context_unref (self->context);
  /* Each waiting task holds the guard: none is left by now. */
  g_assert (g_queue_is_empty (&self->step_up_waiting));

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

  ag_guard_properties[PROP_STATE]
    = g_param_spec_enum ("state", NULL, NULL, ag_guard_state_get_type (), AG_GUARD_STATE_LOCKED,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  ag_guard_properties[PROP_USER]
    = g_param_spec_string ("user", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  ag_guard_properties[PROP_FAILED_ATTEMPTS]
    = g_param_spec_uint ("failed-attempts", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  ag_guard_properties[PROP_SIGNED_IN]
    = g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  ag_guard_properties[PROP_WARNING]
    = g_param_spec_boolean ("warning", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, ag_guard_properties);

  /**
   * AgGuard::state-changed:
   * @self: the guard
   * @old_state: the state before
   * @new_state: the state now (also ::notify::state)
   */
  ag_guard_signals[SIGNAL_STATE_CHANGED]
    = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, ag_guard_state_get_type (), ag_guard_state_get_type ());

  /**
   * AgGuard::conversation:
   * @self: the guard
   * @batch: the messages PAM sends, see AgAuthSession::conversation
   */
  ag_guard_signals[SIGNAL_CONVERSATION]
    = g_signal_new ("conversation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, AG_TYPE_AUTH_BATCH);

  /**
   * AgGuard::attempt-failed:
   * @self: the guard
   * @error: why: an %AG_AUTH_ERROR (never %AG_AUTH_ERROR_CANCELLED) when PAM refused, or
   *   an %AG_STORE_ERROR when PAM said yes but the sign-in's ledger entry could not be
   *   committed (ag_guard_release_unlock())
   *
   * Emitted after the guard went back to LOCKED; a PAM refusal is counted as a failed
   * attempt, a ledger failure is not.
   */
  ag_guard_signals[SIGNAL_ATTEMPT_FAILED]
    = g_signal_new ("attempt-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * AgGuard::step-up-conversation:
   * @self: the guard
   * @batch: the messages of a reveal's step-up PAM conversation; the guard stays UNLOCKED
   */
  ag_guard_signals[SIGNAL_STEP_UP_CONVERSATION]
    = g_signal_new ("step-up-conversation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, AG_TYPE_AUTH_BATCH);

  /**
   * AgGuard::reveal-added:
   * @self: the guard
   * @reveal: a reveal that just became live (also in ag_guard_get_reveals())
   */
  ag_guard_signals[SIGNAL_REVEAL_ADDED]
    = g_signal_new ("reveal-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, AG_TYPE_REVEAL);

  /**
   * AgGuard::lock-warning:
   * @self: the guard
   * @seconds_left: whole seconds until the idle lock, rounded up
   *
   * Emitted when ::warning turns on: the session locks for idleness in @seconds_left
   * unless input comes (ag_guard_report_activity()).
   */
  ag_guard_signals[SIGNAL_LOCK_WARNING]
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
  self->reveals = g_list_store_new (AG_TYPE_REVEAL);
  ag_guard_timer_init (self);
  self->context = g_main_context_ref_thread_default ();
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
 * @sink: (nullable): called for every security event, in the guard's main context. A sink
 *   that ledgers the event hands its entry to ag_guard_ledger_later(), or calls
 *   ag_guard_flush_ledger() before it writes, so that the ledger keeps the guard's order
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

/**
 * ag_guard_set_policy:
 * @policy: the policy now in force
 *
 * Applies at once, to the next reveal and to the idle deadline, which becomes idle-lock
 * after the last input (and the session locks when that has passed already); live
 * reveals keep their expiry.
 */
void
ag_guard_set_policy (AgGuard *self, AgPolicy *policy)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (AG_IS_POLICY (policy));

  if (!g_set_object (&self->policy, policy))
    return;

  ag_guard_idle_policy_changed (self);
  ag_guard_process_time (self);
}

/**
 * ag_guard_get_policy:
 *
 * Returns: (transfer none): the policy in force, the strict defaults until one is set
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

void
ag_guard_set_state (AgGuard *self, AgGuardState state)
{
  AgGuardState old_state = self->state;

  if (old_state == state)
    return;

  self->state = state;
  g_debug ("%s → %s", ag_guard_state_to_string (old_state), ag_guard_state_to_string (state));
  if (state == AG_GUARD_STATE_UNLOCKED)
    ag_guard_idle_restart (self);
  else if (old_state == AG_GUARD_STATE_UNLOCKED)
    ag_guard_idle_stop (self);
  ag_guard_timer_arm (self);
  g_object_notify_by_pspec (G_OBJECT (self), ag_guard_properties[PROP_STATE]);
  g_signal_emit (self, ag_guard_signals[SIGNAL_STATE_CHANGED], 0, old_state, state);
}

static void
set_failed_attempts (AgGuard *self, guint failed_attempts)
{
  if (self->failed_attempts == failed_attempts)
    return;

  self->failed_attempts = failed_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), ag_guard_properties[PROP_FAILED_ATTEMPTS]);
}

void
ag_guard_complete_unlock (AgGuard *self, gboolean first)
{
  set_failed_attempts (self, 0);
  self->last_auth_us = ag_guard_now (self);
  if (first)
    {
      self->signed_in = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), ag_guard_properties[PROP_SIGNED_IN]);
    }
  ag_guard_set_state (self, AG_GUARD_STATE_UNLOCKED);
}

static void
conversation_cb (AgAuthSession *session, AgAuthBatch *batch, gpointer data)
{
  Attempt *attempt = data;

  if (attempt->guard != NULL && attempt->guard->attempt == attempt)
    g_signal_emit (attempt->guard, ag_guard_signals[SIGNAL_CONVERSATION], 0, batch);
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
      ag_guard_attempt_free (attempt);
      return;
    }

  g_ptr_array_remove (self->running, attempt);
  if (self->attempt != attempt)
    {
      /* Cancelled or locked meanwhile: the guard moved on already. */
      ag_guard_attempt_free (attempt);
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
      guint failed_attempts = self->failed_attempts;

      /* The sink may hold the unlock until the sign-in's entry is committed (DESIGN §5:
       * nothing from the store before its entry is durable). */
      self->failed_attempts = 0;
      self->hold_first = first;
      self->accepting_hold = TRUE;
      emit_event (self, first ? AG_GUARD_EVENT_LOGIN : AG_GUARD_EVENT_UNLOCK, 0, NULL);
      self->accepting_hold = FALSE;
      self->failed_attempts = failed_attempts;
      /* Held: ag_guard_release_unlock() ends it. Released from inside the sink already: its
       * answer is acted on here, once the event is handed over. */
      if (self->unlock_hold == 0)
        {
          g_autoptr (GError) hold_error = g_steal_pointer (&self->hold_error);

          if (hold_error != NULL)
            ag_guard_fail_held_unlock (self, hold_error);
          else
            ag_guard_complete_unlock (self, first);
        }
    }
  else if (g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED))
    {
      ag_guard_set_state (self, AG_GUARD_STATE_LOCKED);
    }
  else
    {
      set_failed_attempts (self, self->failed_attempts + 1);
      emit_event (self, AG_GUARD_EVENT_LOGIN_FAILED, 0, error);
      ag_guard_set_state (self, AG_GUARD_STATE_LOCKED);
      g_signal_emit (self, ag_guard_signals[SIGNAL_ATTEMPT_FAILED], 0, error);
    }

  g_object_thaw_notify (G_OBJECT (self));
  g_object_unref (self);
  ag_guard_attempt_free (attempt);
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

  ag_guard_set_state (self, AG_GUARD_STATE_AUTHENTICATING);
  ag_auth_session_authenticate_async (attempt->session, attempt->cancellable, authenticate_cb,
                                      attempt);
  return TRUE;
}

/* Ends the running attempt or held sign-in. A held sign-in's `login` or `unlock` entry may
 * reach the ledger all the same: a lock entry with @cause follows it there, so the ledger
 * never shows a session that stayed open. */
static void
cancel (AgGuard *self, AgLockCause cause)
{
  gboolean held = self->unlock_hold != 0;

  if (self->attempt == NULL && !held)
    return;

  if (self->attempt != NULL)
    ag_guard_detach_attempt (self, self->attempt);
  self->unlock_hold = 0;
  ag_guard_set_state (self, AG_GUARD_STATE_LOCKED);
  if (held)
    {
      self->lock_cause = cause;
      emit_event (self, AG_GUARD_EVENT_LOCK, cause, NULL);
    }
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

  cancel (self, AG_LOCK_CAUSE_MANUAL);
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
        cancel (self, cause);
        break;
      case AG_GUARD_STATE_UNLOCKED:
        {
          g_autoptr (GPtrArray) wiped = NULL;

          /* Lock first, write after: every value is wiped and the UI has torn down what it
           * showed before the first synced ledger write, so the lock never waits on the
           * disk. In the ledger the re-masks still come before the lock. */
          wiped = ag_guard_void_reveals (self, AG_REMASK_CAUSE_LOCK);
          self->lock_cause = cause;
          ag_guard_set_state (self, AG_GUARD_STATE_LOCKED);
          ag_guard_ledger_remasks (self, wiped, AG_REMASK_CAUSE_LOCK);
          emit_event (self, AG_GUARD_EVENT_LOCK, cause, NULL);
        }
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

  return self->running->len + (guint) g_atomic_int_get (&self->pending_writes);
}
