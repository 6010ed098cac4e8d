/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-guard"

#include "config.h"

#include "ag-guard-private.h"

/*
 * The deadlines of AgGuard: the idle lock and its warning, and the one timer that also
 * wakes the guard for the expiry of its live reveals (ag-guard-reveal.c).
 */

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

void
ag_guard_timer_init (AgGuard *self)
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
void
ag_guard_timer_arm (AgGuard *self)
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

/* The idle deadline (idle_*): now + idle-lock from the unlock and from each input, moved
 * at once by a policy change, gone while not UNLOCKED. */

static void
idle_set_warning (AgGuard *self, gboolean warning, gint64 now)
{
  if (self->idle_warning == warning)
    return;

  self->idle_warning = warning;
  g_debug ("lock warning %s", warning ? "on" : "off");
  g_object_notify_by_pspec (G_OBJECT (self), ag_guard_properties[PROP_WARNING]);
  if (warning)
    {
      gint64 left = self->idle_deadline - now;

      g_signal_emit (self, ag_guard_signals[SIGNAL_LOCK_WARNING], 0,
                     (left + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
    }
}

/* Input, or the unlock: the deadline is idle-lock from now. */
void
ag_guard_idle_restart (AgGuard *self)
{
  gint64 now = ag_guard_now (self);

  self->idle_last_input = now;
  self->idle_deadline = now + (gint64) ag_policy_get_idle_lock (self->policy) * G_USEC_PER_SEC;
  idle_set_warning (self, FALSE, now);
}

void
ag_guard_idle_stop (AgGuard *self)
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

void
ag_guard_idle_policy_changed (AgGuard *self)
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

  ag_guard_idle_restart (self);
  ag_guard_timer_arm (self);
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
  ag_guard_expire_reveals (self);
  idle_process_time (self);
  ag_guard_timer_arm (self);
  g_object_unref (self);
}
