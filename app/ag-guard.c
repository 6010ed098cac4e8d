/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-guard"

#include "config.h"

#include "ag-guard.h"

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
 * The reveal path (DESIGN §5) is at the end of this file: the checks, the step-up (an
 * Attempt of its own whose conversation is ::step-up-conversation and whose failure is
 * not an unlock failure), the store's ledgered unseal, the live reveals and their expiry.
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

  /* The reveal path. */
  AgStore *store;
  char *session_id;
  AgLedgerMode mode;
  GListStore *reveals; /* the live AgReveals */
  /* The ledger writer: one thread that appends, in the order handed, the entries nothing
   * waits for (re-masks, the sign-in events), so that a lock never waits on the disk. */
  GThreadPool *writer;
  gint pending_writes;   /* atomic: handed to the writer and not written yet */
  GMainContext *context; /* the guard's, woken after each write (ag_guard_get_n_running) */
  gint64 last_auth_us;   /* the last two-factor success (sign-in, unlock, step-up); 0: none */
  /* One step-up conversation at a time: reveals that need one while it runs wait here
   * (GTask*, owned) for its outcome. */
  gboolean step_up_running;
  GQueue step_up_waiting;
  guint reveal_epoch; /* bumped on every lock: a reveal started before it is void */

  /* A successful sign-in whose ledger entry is being committed (ag_guard_hold_unlock()):
   * the state stays AUTHENTICATING until ag_guard_release_unlock() with this token. */
  guint unlock_hold;
  guint last_hold;
  gboolean hold_first;     /* the held sign-in is the first (login), not an unlock */
  gboolean accepting_hold; /* a login or unlock event is being handed to the sink */

  /* The idle deadline (idle_*): 0 unless UNLOCKED. */
  gint64 idle_last_input;
  gint64 idle_deadline;
  gboolean idle_warning;
  AgLockCause lock_cause; /* of the last lock */
};

typedef struct _Attempt
{
  AgGuard *guard; /* NULL once detached from a guard that went away */
  AgAuthSession *session;
  GCancellable *cancellable;
  gulong conversation_id;
  gboolean step_up; /* a reveal's step-up, not an unlock attempt */
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
  SIGNAL_STEP_UP_CONVERSATION,
  SIGNAL_REVEAL_ADDED,
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
  guint n = self->reveals != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->reveals)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AgReveal) reveal = g_list_model_get_item (G_LIST_MODEL (self->reveals), i);
      gint64 expires_at = ag_reveal_get_expires_at (reveal);

      if (next == 0 || expires_at < next)
        next = expires_at;
    }
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
end_reveals (AgGuard *self, AgRemaskCause cause);
static GPtrArray *
void_reveals (AgGuard *self, AgRemaskCause cause);
static void
ledger_remasks (AgGuard *self, GPtrArray *wiped, AgRemaskCause cause);
static void
expire_reveals (AgGuard *self);

static void
ag_guard_dispose (GObject *object)
{
  AgGuard *self = AG_GUARD (object);

  if (self->reveals != NULL)
    end_reveals (self, AG_REMASK_CAUSE_CLOSE);
  /* Nothing handed to the ledger is lost when the guard goes (the application quits). */
  ag_guard_flush_ledger (self);
  g_clear_object (&self->reveals);
  g_clear_object (&self->store);
  g_clear_object (&self->policy);

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
   * AgGuard::step-up-conversation:
   * @self: the guard
   * @batch: the messages of a reveal's step-up PAM conversation; the guard stays UNLOCKED
   */
  signals[SIGNAL_STEP_UP_CONVERSATION]
    = g_signal_new ("step-up-conversation", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 1, AG_TYPE_AUTH_BATCH);

  /**
   * AgGuard::reveal-added:
   * @self: the guard
   * @reveal: a reveal that just became live (also in ag_guard_get_reveals())
   */
  signals[SIGNAL_REVEAL_ADDED]
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
  self->reveals = g_list_store_new (AG_TYPE_REVEAL);
  timer_init (self);
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
 * ag_guard_get_lock_cause:
 *
 * Returns: why the session last went from UNLOCKED to LOCKED; meaningful only once
 * #AgGuard:signed-in
 */
AgLockCause
ag_guard_get_lock_cause (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), AG_LOCK_CAUSE_MANUAL);

  return self->lock_cause;
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
   * not as wiped by the lock. */
  expire_reveals (self);
  idle_process_time (self);
  timer_arm (self);
  g_object_unref (self);
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

  idle_policy_changed (self);
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
complete_unlock (AgGuard *self, gboolean first)
{
  set_failed_attempts (self, 0);
  self->last_auth_us = ag_guard_now (self);
  if (first)
    {
      self->signed_in = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
    }
  set_state (self, AG_GUARD_STATE_UNLOCKED);
}

/**
 * ag_guard_hold_unlock:
 *
 * Called by the event sink while it handles a login or unlock event: the guard stays
 * AUTHENTICATING until ag_guard_release_unlock() with the returned token says whether the
 * sign-in's ledger entry was committed. A cancel or a lock meanwhile ends the hold (the
 * guard is LOCKED) and the release is then ignored.
 *
 * Returns: the token for ag_guard_release_unlock()
 */
guint
ag_guard_hold_unlock (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), 0);
  g_return_val_if_fail (self->accepting_hold, 0);

  if (++self->last_hold == 0)
    self->last_hold = 1;
  self->unlock_hold = self->last_hold;
  return self->unlock_hold;
}

/**
 * ag_guard_release_unlock:
 * @token: from ag_guard_hold_unlock()
 * @error: (nullable): why the sign-in's entry could not be committed, or %NULL
 *
 * Ends the hold: without @error the guard unlocks; with it the guard is LOCKED again and
 * emits ::attempt-failed with @error (not counted as a failed attempt: PAM said yes, the
 * ledger did not).
 */
void
ag_guard_release_unlock (AgGuard *self, guint token, const GError *error)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (token != 0);

  if (token != self->unlock_hold)
    return;
  self->unlock_hold = 0;

  g_object_ref (self);
  g_object_freeze_notify (G_OBJECT (self));
  if (error == NULL)
    complete_unlock (self, self->hold_first);
  else
    {
      g_message ("The sign-in's ledger entry was not committed: %s", error->message);
      set_state (self, AG_GUARD_STATE_LOCKED);
      g_signal_emit (self, signals[SIGNAL_ATTEMPT_FAILED], 0, error);
    }
  g_object_thaw_notify (G_OBJECT (self));
  g_object_unref (self);
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
      guint failed_attempts = self->failed_attempts;

      /* The sink may hold the unlock until the sign-in's entry is committed (DESIGN §5:
       * nothing from the store before its entry is durable). */
      self->failed_attempts = 0;
      self->accepting_hold = TRUE;
      emit_event (self, first ? AG_GUARD_EVENT_LOGIN : AG_GUARD_EVENT_UNLOCK, 0, NULL);
      self->accepting_hold = FALSE;
      self->failed_attempts = failed_attempts;
      if (self->unlock_hold != 0)
        self->hold_first = first;
      else
        complete_unlock (self, first);
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

  if (self->attempt == NULL && self->unlock_hold == 0)
    return;

  if (self->attempt != NULL)
    detach_attempt (self, self->attempt);
  self->unlock_hold = 0;
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
        {
          g_autoptr (GPtrArray) wiped = NULL;

          /* Lock first, write after: every value is wiped and the UI has torn down what it
           * showed before the first synced ledger write, so the lock never waits on the
           * disk. In the ledger the re-masks still come before the lock. */
          wiped = void_reveals (self, AG_REMASK_CAUSE_LOCK);
          self->lock_cause = cause;
          set_state (self, AG_GUARD_STATE_LOCKED);
          ledger_remasks (self, wiped, AG_REMASK_CAUSE_LOCK);
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

/* The reveal path (DESIGN §5). */

GQuark
ag_reveal_error_quark (void)
{
  return g_quark_from_static_string ("ag-reveal-error-quark");
}

/**
 * ag_reveal_error_to_cause:
 * @code: an #AgRevealError
 *
 * Returns: the `cause` of the ledger's `reveal-denied` entry for @code
 */
const char *
ag_reveal_error_to_cause (AgRevealError code)
{
  switch (code)
    {
      case AG_REVEAL_ERROR_LOCKED:
        return "locked";
      case AG_REVEAL_ERROR_NOT_MASKED:
        return "not-masked";
      case AG_REVEAL_ERROR_REASON_REQUIRED:
        return "reason-required";
      case AG_REVEAL_ERROR_UNKNOWN_REASON:
        return "unknown-reason";
      case AG_REVEAL_ERROR_QUOTA:
        return "quota";
      case AG_REVEAL_ERROR_STEP_UP_FAILED:
        return "step-up-failed";
      case AG_REVEAL_ERROR_LEDGER:
        return "ledger";
      case AG_REVEAL_ERROR_NOT_FOUND:
        return "not-found";
      case AG_REVEAL_ERROR_CANCELLED:
        return "cancelled";
      case AG_REVEAL_ERROR_FAILED:
        return "failed";
      case AG_REVEAL_ERROR_INVALID_TICKET:
        return "invalid-ticket";
      case AG_REVEAL_ERROR_ROLLED_BACK:
        return "rolled-back";
      case AG_REVEAL_ERROR_COPY_DENIED:
        return "copy-denied";
      default:
        g_return_val_if_reached (NULL);
    }
}

/* Whether @digits (n of them) is shaped like a CPF, a CNPJ or a card number. */
static gboolean
digits_look_like_pii (const char *digits, gsize n)
{
  return (n == 11 && ag_pii_cpf_is_valid (digits)) || (n == 14 && ag_pii_cnpj_is_valid (digits))
         || (n >= 13 && n <= 19 && ag_pii_luhn_is_valid (digits));
}

/**
 * ag_guard_check_ticket:
 * @ticket: a ticket or call id
 *
 * The rule of %AG_REVEAL_TICKET_MAX: a ticket goes into the ledger, so it must not be
 * free text and must not carry a customer's document or card number.
 *
 * Returns: %AG_TICKET_OK when @ticket may be ledgered, or why not
 */
AgTicketProblem
ag_guard_check_ticket (const char *ticket)
{
  char digits[AG_REVEAL_TICKET_MAX + 1];
  gsize len, n_digits = 0;

  g_return_val_if_fail (ticket != NULL, AG_TICKET_EMPTY);

  len = strlen (ticket);
  if (len == 0)
    return AG_TICKET_EMPTY;
  if (len > AG_REVEAL_TICKET_MAX)
    return AG_TICKET_TOO_LONG;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (ticket[i]) && strchr ("-_./#:", ticket[i]) == NULL)
      return AG_TICKET_BAD_CHARACTER;
  for (gsize i = 0; i <= len; i++)
    {
      char c = ticket[i];

      if (g_ascii_isdigit (c))
        {
          digits[n_digits++] = c;
          continue;
        }
      /* Separators do not end a run: "529.982.247-25" is one CPF. */
      if (c != '\0' && strchr ("-_./#:", c) != NULL)
        continue;
      digits[n_digits] = '\0';
      if (digits_look_like_pii (digits, n_digits))
        return AG_TICKET_LOOKS_LIKE_PII;
      n_digits = 0;
    }
  return AG_TICKET_OK;
}

/**
 * ag_guard_ticket_is_valid:
 * @ticket: a ticket or call id
 *
 * Returns: whether @ticket may be ledgered (see ag_guard_check_ticket())
 */
gboolean
ag_guard_ticket_is_valid (const char *ticket)
{
  g_return_val_if_fail (ticket != NULL, FALSE);

  return ag_guard_check_ticket (ticket) == AG_TICKET_OK;
}

/**
 * ag_guard_get_reveals:
 *
 * Returns: (transfer none): a #GListModel of the live #AgReveal, oldest first
 */
GListModel *
ag_guard_get_reveals (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), NULL);

  return G_LIST_MODEL (self->reveals);
}

/* A ledger entry of the reveal path, with what every such entry carries. */
static AgLedgerEntry *
new_entry (AgGuard *self, AgLedgerEvent event, const char *record_id, AgPiiKind kind,
           AgPolicy *policy)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (event);

  entry->time_us = ag_guard_now (self);
  entry->user = g_strdup (self->user);
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_strdup (self->session_id);
  entry->mode = self->mode;
  entry->record_id = g_strdup (record_id);
  entry->field_kind = kind;
  entry->policy_version = g_strdup (ag_policy_get_version (policy));
  return entry;
}

/* The ledger writer ------------------------------------------------------------------- */

typedef struct
{
  AgStore *store;
  AgLedgerEntry *entry;
  GTask *task; /* ag_guard_ledger_async()'s, or NULL */
} LedgerWrite;

static void
ledger_write_func (gpointer data, gpointer user_data)
{
  LedgerWrite *write = data;
  AgGuard *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ag_store_append_event (write->store, write->entry, &error))
    g_message ("Could not write a %s entry to the ledger: %s",
               ag_ledger_event_to_string (write->entry->event), error->message);
  if (write->task != NULL)
    {
      if (error != NULL)
        g_task_return_error (write->task, g_steal_pointer (&error));
      else
        g_task_return_boolean (write->task, TRUE);
      g_object_unref (write->task);
    }
  g_object_unref (write->store);
  ag_ledger_entry_free (write->entry);
  g_free (write);
  /* The guard waits for its writer before it goes: @self is alive. */
  g_atomic_int_dec_and_test (&self->pending_writes);
  g_main_context_wakeup (self->context);
}

/**
 * ag_guard_ledger_later:
 * @entry: (transfer full): the entry
 *
 * Appends @entry to the ledger of the guard's store on the guard's writer thread, after
 * every entry handed before it; dropped when there is no store. For what nothing waits
 * for: a failure is reported in the log, like any write after the fact. Reveals, denials
 * and ag_guard_flush_ledger() wait for what was handed before them.
 */
void
ag_guard_ledger_later (AgGuard *self, AgLedgerEntry *entry)
{
  LedgerWrite *write;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (entry != NULL);

  if (self->store == NULL)
    {
      ag_ledger_entry_free (entry);
      return;
    }
  if (self->writer == NULL)
    {
      /* At most one thread: the entries are appended in the order handed. */
      self->writer = g_thread_pool_new (ledger_write_func, self, 1, FALSE, &error);
      g_assert_no_error (error);
    }
  write = g_new0 (LedgerWrite, 1);
  write->store = g_object_ref (self->store);
  write->entry = entry;
  g_atomic_int_inc (&self->pending_writes);
  g_thread_pool_push (self->writer, write, NULL);
}

/**
 * ag_guard_ledger_async:
 * @entry: (transfer full): the entry
 *
 * Appends @entry as ag_guard_ledger_later() does, on the writer thread after every entry
 * handed before it, and reports in the guard's main context whether it was committed:
 * for what must wait on it (a sign-in) without the main loop waiting on the disk.
 * Without a store it fails with AG_STORE_ERROR_LEDGER.
 */
void
ag_guard_ledger_async (AgGuard *self, AgLedgerEntry *entry, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  LedgerWrite *write;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (entry != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_ledger_async);
  if (self->store == NULL)
    {
      ag_ledger_entry_free (entry);
      g_task_return_new_error (task, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
                               "No store is open to ledger in");
      return;
    }
  if (self->writer == NULL)
    {
      self->writer = g_thread_pool_new (ledger_write_func, self, 1, FALSE, &error);
      g_assert_no_error (error);
    }
  write = g_new0 (LedgerWrite, 1);
  write->store = g_object_ref (self->store);
  write->entry = entry;
  write->task = g_steal_pointer (&task);
  g_atomic_int_inc (&self->pending_writes);
  g_thread_pool_push (self->writer, write, NULL);
}

gboolean
ag_guard_ledger_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ag_guard_flush_ledger:
 *
 * Waits until every entry handed to ag_guard_ledger_later() is written (or failed).
 */
void
ag_guard_flush_ledger (AgGuard *self)
{
  g_return_if_fail (AG_IS_GUARD (self));

  if (self->writer == NULL)
    return;
  /* Runs every queued write, then joins the thread; the next entry starts a new one. */
  g_thread_pool_free (self->writer, FALSE, TRUE);
  self->writer = NULL;
  g_assert_cmpint (g_atomic_int_get (&self->pending_writes), ==, 0);
}

/**
 * ag_guard_ledger_policy_refusal:
 * @refusal: a policy layer the load refused
 *
 * Ledgers `policy-refused` for @refusal (DESIGN §6), with its cause from
 * ag_policy_refusal_to_cause(), on the writer thread; dropped when there is no store.
 */
void
ag_guard_ledger_policy_refusal (AgGuard *self, const AgPolicyRefusal *refusal)
{
  AgLedgerEntry *entry;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (refusal != NULL);

  if (self->store == NULL)
    return;

  entry = new_entry (self, AG_LEDGER_EVENT_POLICY_REFUSED, NULL, AG_LEDGER_NO_FIELD, self->policy);
  entry->cause = ag_policy_refusal_to_cause (refusal);
  ag_guard_ledger_later (self, entry);
}

/* Ledgers `remask` for a value that was wiped. The value is gone whatever happens here,
 * so a ledger that fails now is reported and the re-mask stands. */
static void
ledger_remask (AgGuard *self, const char *record_id, AgPiiKind kind, AgRemaskCause cause)
{
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autoptr (GError) error = NULL;

  if (self->store == NULL)
    return;

  entry = new_entry (self, AG_LEDGER_EVENT_REMASK, record_id, kind, self->policy);
  entry->cause = g_strdup (ag_remask_cause_to_string (cause));
  ag_guard_ledger_later (self, g_steal_pointer (&entry));
}

/* Arms the guard's one timer, which now also waits for the earliest expiry among the live
 * reveals. It only wakes the guard: ag_guard_process_time() decides on the guard's clock
 * what expired. */
static void
schedule_expiry (AgGuard *self)
{
  timer_arm (self);
}

/* Takes @reveal out of the live list, wipes it and ledgers the re-mask, once. */
static void
remask_reveal (AgGuard *self, AgReveal *reveal, AgRemaskCause cause)
{
  g_autoptr (AgReveal) keep = NULL;
  guint position;

  if (!g_list_store_find (self->reveals, reveal, &position))
    return;

  /* Out of the list first: a handler of ::remasked that calls back finds it gone. */
  keep = g_object_ref (reveal);
  g_list_store_remove (self->reveals, position);
  ag_reveal_remask (reveal, cause);
  ledger_remask (self, ag_reveal_get_record_id (reveal), ag_reveal_get_kind (reveal), cause);
  schedule_expiry (self);
}

static GPtrArray *
dup_reveals (AgGuard *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->reveals));
  GPtrArray *reveals = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (reveals, g_list_model_get_item (G_LIST_MODEL (self->reveals), i));
  return reveals;
}

/* Takes every live reveal out of the list and wipes it, without writing anything: the
 * values are gone before the first (synced, milliseconds long) ledger write. Returns the
 * wiped reveals for ledger_remasks(). */
static GPtrArray *
wipe_reveals (AgGuard *self, AgRemaskCause cause)
{
  GPtrArray *wiped = dup_reveals (self);

  g_list_store_remove_all (self->reveals);
  for (guint i = 0; i < wiped->len; i++)
    ag_reveal_remask (g_ptr_array_index (wiped, i), cause);
  schedule_expiry (self);
  return wiped;
}

static void
ledger_remasks (AgGuard *self, GPtrArray *wiped, AgRemaskCause cause)
{
  for (guint i = 0; i < wiped->len; i++)
    {
      AgReveal *reveal = g_ptr_array_index (wiped, i);

      ledger_remask (self, ag_reveal_get_record_id (reveal), ag_reveal_get_kind (reveal), cause);
    }
}

/**
 * ag_guard_remask:
 * @reveal: a reveal this guard made
 * @cause: why
 *
 * Re-masks @reveal now and ledgers `remask` with @cause; nothing when it is not live.
 */
void
ag_guard_remask (AgGuard *self, AgReveal *reveal, AgRemaskCause cause)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (AG_IS_REVEAL (reveal));

  remask_reveal (self, reveal, cause);
}

/**
 * ag_guard_remask_all:
 * @cause: why
 *
 * Re-masks every live reveal, each ledgered `remask` with @cause.
 */
void
ag_guard_remask_all (AgGuard *self, AgRemaskCause cause)
{
  g_autoptr (GPtrArray) reveals = NULL;

  g_return_if_fail (AG_IS_GUARD (self));

  reveals = wipe_reveals (self, cause);
  ledger_remasks (self, reveals, cause);
}

/* Re-masks the reveals whose expiry passed on the guard's clock: a reveal is live for
 * exactly reveal-duration, not a microsecond longer. */
static void
expire_reveals (AgGuard *self)
{
  g_autoptr (GPtrArray) reveals = dup_reveals (self);
  gint64 now = ag_guard_now (self);

  for (guint i = 0; i < reveals->len; i++)
    {
      AgReveal *reveal = g_ptr_array_index (reveals, i);

      if (ag_reveal_get_expires_at (reveal) <= now)
        remask_reveal (self, reveal, AG_REMASK_CAUSE_EXPIRED);
    }
  schedule_expiry (self);
}

/* On a lock or when the guard goes away: every reveal under way is void (its step-up
 * is cancelled; a value still coming from the store is wiped on arrival), and every live
 * reveal is re-masked with @cause. */
static GPtrArray *
void_reveals (AgGuard *self, AgRemaskCause cause)
{
  self->reveal_epoch++;
  for (guint i = 0; i < self->running->len; i++)
    {
      Attempt *attempt = g_ptr_array_index (self->running, i);

      if (attempt->step_up)
        detach_attempt (self, attempt);
    }
  return wipe_reveals (self, cause);
}

static void
end_reveals (AgGuard *self, AgRemaskCause cause)
{
  g_autoptr (GPtrArray) wiped = void_reveals (self, cause);

  ledger_remasks (self, wiped, cause);
}

/**
 * ag_guard_set_store:
 * @store: (nullable): where reveals are made and ledgered
 * @session_id: (nullable): the application session's id, for the ledger
 * @mode: live or training
 *
 * Live reveals of the previous store are re-masked (cause `close`) first.
 */
void
ag_guard_set_store (AgGuard *self, AgStore *store, const char *session_id, AgLedgerMode mode)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (store == NULL || AG_IS_STORE (store));
  g_return_if_fail (mode < AG_LEDGER_N_MODES);

  if (store != self->store)
    {
      ag_guard_remask_all (self, AG_REMASK_CAUSE_CLOSE);
      ag_guard_flush_ledger (self);
    }
  g_set_object (&self->store, store);
  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
  self->mode = mode;
}

static gboolean
needs_step_up (AgGuard *self, AgPolicy *policy, AgPiiKind kind)
{
  gint64 now;

  if (!ag_policy_kind_needs_step_up (policy, kind))
    return FALSE;
  if (self->last_auth_us == 0)
    return TRUE;

  /* A clock that went back does not stretch the grace. */
  now = ag_guard_now (self);
  return now < self->last_auth_us
         || now - self->last_auth_us
              > (gint64) ag_policy_get_step_up_grace (policy) * G_USEC_PER_SEC;
}

/**
 * ag_guard_needs_step_up:
 * @kind: a field kind
 *
 * Returns: whether a reveal of @kind now would start a step-up conversation first: the
 *   policy lists @kind in step-up-kinds and the last two-factor success is older than
 *   step-up-grace
 */
gboolean
ag_guard_needs_step_up (AgGuard *self, AgPiiKind kind)
{
  g_return_val_if_fail (AG_IS_GUARD (self), TRUE);
  g_return_val_if_fail (kind >= 0 && kind < AG_PII_N_KINDS, TRUE);

  return needs_step_up (self, self->policy, kind);
}

typedef struct
{
  char *record_id;
  AgPiiKind kind;
  char *reason;
  char *ticket;
  AgPolicy *policy;    /* the policy when the reveal was asked for: it decides throughout */
  guint epoch;         /* the guard's reveal_epoch then */
  Attempt *step_up;    /* the running step-up, or NULL */
  gulong cancelled_id; /* on the caller's cancellable, during the step-up */
} RevealOp;

static void
reveal_op_free (RevealOp *op)
{
  g_assert (op->step_up == NULL);
  g_free (op->record_id);
  g_free (op->reason);
  g_free (op->ticket);
  g_clear_object (&op->policy);
  g_free (op);
}

/* Whether a reveal begun in @op may still become visible. */
static gboolean
still_unlocked (AgGuard *self, RevealOp *op)
{
  return self->reveal_epoch == op->epoch && self->state == AG_GUARD_STATE_UNLOCKED;
}

/* Ends @task with an AG_REVEAL_ERROR, ledgered `reveal-denied` with its cause when the
 * ledger still works (when it does not, the denial stands all the same). */
static void
deny (GTask *task, AgRevealError code, const char *message)
{
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);

  g_debug ("reveal denied: %s", ag_reveal_error_to_cause (code));
  if (self->store != NULL)
    {
      g_autoptr (AgLedgerEntry) entry = NULL;
      g_autoptr (GError) error = NULL;

      entry = new_entry (self, AG_LEDGER_EVENT_REVEAL_DENIED, op->record_id, op->kind, op->policy);
      entry->reason = g_strdup (op->reason);
      entry->ticket = g_strdup (op->ticket);
      entry->cause = g_strdup (ag_reveal_error_to_cause (code));
      /* After what was handed to the writer before it. */
      ag_guard_flush_ledger (self);
      if (!ag_store_append_event (self->store, entry, &error))
        g_debug ("Could not ledger a denied reveal: %s", error->message);
    }
  g_task_return_new_error (task, AG_REVEAL_ERROR, code, "%s", message);
}

static AgRevealError
store_error_to_reveal_error (const GError *error)
{
  if (error->domain != AG_STORE_ERROR)
    return AG_REVEAL_ERROR_FAILED;
  switch ((AgStoreError) error->code)
    {
      case AG_STORE_ERROR_QUOTA_EXCEEDED:
        return AG_REVEAL_ERROR_QUOTA;
      case AG_STORE_ERROR_LEDGER:
        return AG_REVEAL_ERROR_LEDGER;
      case AG_STORE_ERROR_NOT_FOUND:
        return AG_REVEAL_ERROR_NOT_FOUND;
      case AG_STORE_ERROR_ROLLED_BACK:
        return AG_REVEAL_ERROR_ROLLED_BACK;
      default:
        return AG_REVEAL_ERROR_FAILED;
    }
}

static void
store_reveal_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  AgSecret *value;
  AgReveal *reveal;
  gint64 now;

  value = ag_store_reveal_finish (AG_STORE (source), result, NULL, &error);
  if (value == NULL)
    {
      g_autofree char *message
        = g_strdup_printf ("The store refused the reveal: %s", error->message);

      deny (task, store_error_to_reveal_error (error), message);
      return;
    }

  /* The `reveal` entry is committed. A value that may no longer be shown is wiped before
   * anything else happens, and its re-mask closes the entry in the ledger. */
  if (!still_unlocked (self, op))
    {
      ag_secret_free (value);
      ledger_remask (self, op->record_id, op->kind, AG_REMASK_CAUSE_LOCK);
      g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                               "The session locked before the value could be shown");
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      ag_secret_free (value);
      ledger_remask (self, op->record_id, op->kind, AG_REMASK_CAUSE_HIDDEN);
      g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                               "The reveal was cancelled before the value was shown");
      return;
    }

  now = ag_guard_now (self);
  reveal
    = ag_reveal_new (op->record_id, op->kind, value, now,
                     now + (gint64) ag_policy_get_reveal_duration (op->policy) * G_USEC_PER_SEC);
  g_list_store_append (self->reveals, reveal);
  schedule_expiry (self);
  g_signal_emit (self, signals[SIGNAL_REVEAL_ADDED], 0, reveal);
  g_task_return_pointer (task, reveal, g_object_unref);
}

/* Step 3 of DESIGN §5: the store ledgers, commits, and only then unseals. The caller's
 * cancellable is not handed on: a commit is never half cancelled (a value that arrives
 * after a cancel is wiped unseen instead). */
static void
start_store_reveal (GTask *task)
{
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  g_autoptr (AgLedgerEntry) entry = NULL;

  entry = new_entry (self, AG_LEDGER_EVENT_REVEAL, op->record_id, op->kind, op->policy);
  entry->reason = g_strdup (op->reason);
  entry->ticket = g_strdup (op->ticket);
  /* The reveal's entry comes after every entry handed before (the sign-in, say). */
  ag_guard_flush_ledger (self);
  ag_store_reveal_async (self->store, entry, ag_policy_get_max_reveals_per_hour (op->policy), NULL,
                         store_reveal_cb, g_object_ref (task));
}

static void
step_up_conversation_cb (AgAuthSession *session, AgAuthBatch *batch, gpointer data)
{
  Attempt *attempt = data;

  if (attempt->guard != NULL)
    g_signal_emit (attempt->guard, signals[SIGNAL_STEP_UP_CONVERSATION], 0, batch);
}

static void
cancel_step_up_cb (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
start_step_up (GTask *task);

/* After a step-up: the reveals that waited for it go on, in order: within the grace it
 * started they need no conversation of their own; after a failure or a cancel the next
 * one asks for its own, and the others wait again. */
static void
resume_waiting_reveals (AgGuard *self)
{
  GTask *task;

  while (!self->step_up_running && (task = g_queue_pop_head (&self->step_up_waiting)) != NULL)
    {
      RevealOp *op = g_task_get_task_data (task);

      if (!still_unlocked (self, op))
        deny (task, AG_REVEAL_ERROR_LOCKED, "The session locked during the step-up");
      else if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        deny (task, AG_REVEAL_ERROR_CANCELLED, "The reveal was cancelled");
      else if (needs_step_up (self, op->policy, op->kind))
        start_step_up (task);
      else
        start_store_reveal (task);
      g_object_unref (task);
    }
}

static void
step_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  Attempt *attempt = g_steal_pointer (&op->step_up);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = ag_auth_session_authenticate_finish (AG_AUTH_SESSION (source), result, &error);
  if (ok && !g_str_equal (ag_auth_session_get_user (attempt->session), self->user))
    ok = FALSE;

  if (op->cancelled_id != 0)
    g_cancellable_disconnect (cancellable, op->cancelled_id);
  op->cancelled_id = 0;
  if (attempt->guard != NULL)
    g_ptr_array_remove (self->running, attempt);
  attempt_free (attempt);
  self->step_up_running = FALSE;

  /* A step-up failure is not an unlock failure: the guard stays UNLOCKED and its count
   * of failed attempts stays; the denial is ledgered, and pam_faillock in the PAM stack
   * counts the failure as it counts every other. */
  if (!still_unlocked (self, op))
    deny (task, AG_REVEAL_ERROR_LOCKED, "The session locked during the step-up");
  else if (g_cancellable_is_cancelled (cancellable)
           || g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED))
    deny (task, AG_REVEAL_ERROR_CANCELLED, "The step-up was cancelled");
  else if (!ok)
    deny (task, AG_REVEAL_ERROR_STEP_UP_FAILED, "The step-up authentication failed");
  else
    {
      self->last_auth_us = ag_guard_now (self);
      start_store_reveal (task);
    }
  resume_waiting_reveals (self);
}

/* The PAM conversation again, both factors, for the same user, while UNLOCKED. */
static void
start_step_up (GTask *task)
{
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (AgAuthSession) session = NULL;
  g_autoptr (GError) error = NULL;
  Attempt *attempt;

  session = ag_auth_session_new_for_user (self->user, &error);
  if (session == NULL)
    {
      deny (task, AG_REVEAL_ERROR_FAILED, "The step-up authentication could not start");
      return;
    }

  attempt = g_new0 (Attempt, 1);
  attempt->guard = self;
  attempt->session = g_steal_pointer (&session);
  attempt->cancellable = g_cancellable_new ();
  attempt->step_up = TRUE;
  attempt->conversation_id = g_signal_connect (attempt->session, "conversation",
                                               G_CALLBACK (step_up_conversation_cb), attempt);
  g_ptr_array_add (self->running, attempt);
  op->step_up = attempt;
  self->step_up_running = TRUE;
  if (cancellable != NULL)
    op->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_step_up_cb),
                                              g_object_ref (attempt->cancellable), g_object_unref);

  ag_auth_session_authenticate_async (attempt->session, attempt->cancellable, step_up_cb,
                                      g_object_ref (task));
}

/* Search ------------------------------------------------------------------------------- */

/* The template of a search's ledger entries; the store fills in the rest. */
static AgLedgerEntry *
search_access (AgGuard *self)
{
  /* After what was handed to the writer before it (the sign-in, say). */
  ag_guard_flush_ledger (self);
  return new_entry (self, AG_LEDGER_EVENT_SEARCH, NULL, AG_LEDGER_NO_FIELD, self->policy);
}

static gboolean
check_search_store (AgGuard *self, GError **error)
{
  if (self->store != NULL)
    return TRUE;
  g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER, "There is no store to search");
  return FALSE;
}

GListModel *
ag_guard_search (AgGuard *self, const char *query, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgLedgerEntry) access = NULL;

  g_return_val_if_fail (AG_IS_GUARD (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_search_store (self, error))
    return NULL;
  access = search_access (self);
  return ag_store_search (self->store, query, 0, access,
                          ag_policy_get_max_identifier_searches_per_hour (self->policy),
                          cancellable, error);
}

static void
store_search_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GListModel *results = ag_store_search_finish (AG_STORE (source), result, &error);

  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, g_object_unref);
}

void
ag_guard_search_async (AgGuard *self, const char *query, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (AgLedgerEntry) access = NULL;
  GError *error = NULL;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_search_async);
  if (self->state != AG_GUARD_STATE_UNLOCKED)
    {
      g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                               "The session is locked: nothing is searched");
      return;
    }
  if (!check_search_store (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  access = search_access (self);
  ag_store_search_async (self->store, query, 0, access,
                         ag_policy_get_max_identifier_searches_per_hour (self->policy), cancellable,
                         store_search_cb, g_steal_pointer (&task));
}

GListModel *
ag_guard_search_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (AG_IS_GUARD (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_guard_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ag_guard_reveal_async:
 * @record_id: the customer's opaque id
 * @kind: the field to reveal
 * @reason: (nullable): a reason code from the policy's reason-codes
 * @ticket: (nullable): a ticket or call id
 * @cancellable: (nullable): cancels a step-up conversation; a value that arrives after
 *   a cancel is wiped unseen
 * @callback: called with the result
 * @user_data: for @callback
 *
 * The reveal path of DESIGN §5. The checks come in this order, the first that fails
 * ends it: UNLOCKED (%AG_REVEAL_ERROR_LOCKED; without a store %AG_REVEAL_ERROR_LEDGER),
 * the kind is masked by the policy, the reason (required by require-reason, one of
 * reason-codes when given), then the step-up for the policy's step-up-kinds past
 * step-up-grace, then the store's quota, ledger entry and unseal.
 */
void
ag_guard_reveal_async (AgGuard *self, const char *record_id, AgPiiKind kind, const char *reason,
                       const char *ticket, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  gboolean bad_ticket;
  RevealOp *op;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (record_id != NULL);
  g_return_if_fail (kind >= 0 && kind < AG_PII_N_KINDS);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_reveal_async);
  /* Cancellation is decided here, with the ledger in mind, not by GTask. */
  g_task_set_check_cancellable (task, FALSE);

  op = g_new0 (RevealOp, 1);
  op->record_id = g_strdup (record_id);
  op->kind = kind;
  op->reason = reason != NULL && *reason != '\0' ? g_strdup (reason) : NULL;
  op->ticket = ticket != NULL && *ticket != '\0' ? g_strdup (ticket) : NULL;
  op->policy = g_object_ref (self->policy);
  op->epoch = self->reveal_epoch;
  g_task_set_task_data (task, op, (GDestroyNotify) reveal_op_free);
  /* A refused ticket is never ledgered, not even in the denial: it may be a customer's
   * number typed into the wrong box. */
  bad_ticket = op->ticket != NULL && !ag_guard_ticket_is_valid (op->ticket);
  if (bad_ticket)
    g_clear_pointer (&op->ticket, g_free);

  if (self->state != AG_GUARD_STATE_UNLOCKED)
    deny (task, AG_REVEAL_ERROR_LOCKED, "The session is not unlocked");
  else if (self->store == NULL)
    deny (task, AG_REVEAL_ERROR_LEDGER, "There is no store to ledger the reveal in");
  else if (bad_ticket)
    deny (task, AG_REVEAL_ERROR_INVALID_TICKET, "The ticket is not a ticket or call id");
  else if (!ag_policy_kind_is_masked (op->policy, kind))
    deny (task, AG_REVEAL_ERROR_NOT_MASKED, "The policy does not mask this kind");
  else if (op->reason == NULL && ag_policy_get_require_reason (op->policy))
    deny (task, AG_REVEAL_ERROR_REASON_REQUIRED, "The policy requires a reason code");
  else if (op->reason != NULL && !ag_policy_has_reason_code (op->policy, op->reason))
    deny (task, AG_REVEAL_ERROR_UNKNOWN_REASON, "The reason is not one of the policy's codes");
  else if (g_cancellable_is_cancelled (cancellable))
    deny (task, AG_REVEAL_ERROR_CANCELLED, "The reveal was cancelled");
  else if (needs_step_up (self, op->policy, kind) && self->step_up_running)
    /* Not a second PAM conversation beside the first: its outcome decides. */
    g_queue_push_tail (&self->step_up_waiting, g_object_ref (task));
  else if (needs_step_up (self, op->policy, kind))
    start_step_up (task);
  else
    start_store_reveal (task);
}

/**
 * ag_guard_reveal_finish:
 * @result: the result
 * @error: return location for an %AG_REVEAL_ERROR
 *
 * Returns: (transfer full): a live reveal, or %NULL: then nothing was shown
 */
AgReveal *
ag_guard_reveal_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  AgReveal *reveal;

  g_return_val_if_fail (AG_IS_GUARD (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_guard_reveal_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reveal = g_task_propagate_pointer (G_TASK (result), error);
  /* Re-masked between the task's return and this call (a lock, say): it is not handed
   * out, even wiped. */
  if (reveal != NULL && !ag_reveal_get_active (reveal))
    {
      g_clear_object (&reveal);
      if (self->state != AG_GUARD_STATE_UNLOCKED)
        g_set_error_literal (error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                             "The session locked before the value could be shown");
      else
        g_set_error_literal (error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                             "The value was re-masked before it was shown");
    }
  return reveal;
}

/* Copying a revealed value ------------------------------------------------------------- */

static void
copy_ledgered_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AgGuard *self = AG_GUARD (object);
  AgReveal *reveal = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!ag_guard_ledger_finish (self, result, &error))
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LEDGER,
                             "The copy could not be ledgered: %s", error->message);
  else if (!ag_reveal_get_active (reveal))
    /* Ledgered, but the value went meanwhile (a lock, the expiry): nothing to copy. */
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                             "The value was re-masked before it could be copied");
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * ag_guard_copy_async:
 * @reveal: a live reveal of this guard
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the entry is committed, or the copy refused
 * @user_data: for @callback
 *
 * Ledgers `copy` for @reveal: its record and field, the policy's version and the cause
 * `clear-after:N`, N the seconds of the `clipboard=allow-with-clear:N` policy. The caller
 * puts the value on the clipboard only when this succeeds, and only while @reveal is
 * live. Refused, without an entry, unless UNLOCKED (%AG_REVEAL_ERROR_LOCKED), with a
 * store (%AG_REVEAL_ERROR_LEDGER), the policy allows copying (%AG_REVEAL_ERROR_COPY_DENIED)
 * and @reveal is live (%AG_REVEAL_ERROR_CANCELLED).
 */
void
ag_guard_copy_async (AgGuard *self, AgReveal *reveal, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  AgLedgerEntry *entry;
  guint clear_after;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (AG_IS_REVEAL (reveal));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_copy_async);
  g_task_set_task_data (task, g_object_ref (reveal), g_object_unref);
  clear_after = ag_policy_get_clipboard_clear (self->policy);

  if (self->state != AG_GUARD_STATE_UNLOCKED)
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                             "The session is not unlocked");
  else if (self->store == NULL)
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LEDGER,
                             "There is no store to ledger the copy in");
  else if (clear_after == 0)
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_COPY_DENIED,
                             "The policy does not allow copying");
  else if (!ag_reveal_get_active (reveal) || !g_list_store_find (self->reveals, reveal, NULL))
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                             "The value is not revealed");
  else
    {
      entry = new_entry (self, AG_LEDGER_EVENT_COPY, ag_reveal_get_record_id (reveal),
                         ag_reveal_get_kind (reveal), self->policy);
      entry->cause = g_strdup_printf ("clear-after:%u", clear_after);
      ag_guard_ledger_async (self, entry, cancellable, copy_ledgered_cb, g_steal_pointer (&task));
    }
}

/**
 * ag_guard_copy_finish:
 * @result: the result
 * @error: return location for an %AG_REVEAL_ERROR
 *
 * Returns: whether the `copy` entry is committed and the value may go on the clipboard
 */
gboolean
ag_guard_copy_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (AG_IS_GUARD (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_guard_copy_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
