/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-activity-watch"

#include "config.h"

#include "ag-activity-watch.h"

/**
 * AgActivityWatch:
 *
 * Feeds the guard's idle deadline from the agent's input on the app's windows: key
 * presses, pointer motion, button presses and scrolls, seen in the capture phase so that
 * no widget can swallow them first. Only input counts: a change made by the program
 * (a widget mapped under a resting pointer, text set from code) moves nothing. GTK sends a
 * motion event when the widgets under a resting pointer change, so motion counts only when
 * the pointer really moved.
 *
 * Input comes in bursts of hundreds of events; the guard is told at most once per
 * throttle interval (a second, or a twentieth of idle-lock when that is shorter). The
 * deadline is then set from the first input of the interval, so the session may lock up
 * to that interval early, never late. While the lock warning is up, every input goes
 * through at once, so that the warning ends with the first key or move.
 */
struct _AgActivityWatch
{
  GObject parent_instance;

  AgGuard *guard;
  gint64 last_report_us; /* on the guard's clock; 0 before the first */
  guint n_reported;
};

G_DEFINE_FINAL_TYPE (AgActivityWatch, ag_activity_watch, G_TYPE_OBJECT)

#define MAX_THROTTLE_US G_USEC_PER_SEC

/* Where the pointer last was in a window, in its coordinates; a window's first motion
 * only sets it. */
typedef struct
{
  gboolean known;
  double x, y;
} PointerPosition;

static gint64
get_throttle_us (AgActivityWatch *self)
{
  gint64 idle_us
    = (gint64) ag_policy_get_idle_lock (ag_guard_get_policy (self->guard)) * G_USEC_PER_SEC;

  return CLAMP (idle_us / 20, 0, MAX_THROTTLE_US);
}

/**
 * ag_activity_watch_input:
 *
 * Counts one input event of the agent. The event controllers call it; tests call it
 * to check the throttle on an injected clock.
 */
void
ag_activity_watch_input (AgActivityWatch *self)
{
  gint64 now;

  g_return_if_fail (AG_IS_ACTIVITY_WATCH (self));

  if (ag_guard_get_state (self->guard) != AG_GUARD_STATE_UNLOCKED)
    return;

  now = ag_guard_now (self->guard);
  /* A clock that went back (NTP, a test) never holds input off. */
  if (self->last_report_us != 0 && now >= self->last_report_us
      && now - self->last_report_us < get_throttle_us (self) && !ag_guard_get_warning (self->guard))
    return;

  self->last_report_us = now;
  self->n_reported++;
  ag_guard_report_activity (self->guard);
}

/* How many times the guard was told; for tests. */
guint
ag_activity_watch_get_n_reported (AgActivityWatch *self)
{
  g_return_val_if_fail (AG_IS_ACTIVITY_WATCH (self), 0);

  return self->n_reported;
}

static gboolean
key_pressed_cb (AgActivityWatch *self, guint keyval, guint keycode, GdkModifierType state,
                GtkEventControllerKey *controller)
{
  ag_activity_watch_input (self);
  return GDK_EVENT_PROPAGATE;
}

/* Counts a pointer event at @x, @y (in the window's coordinates) as input when the
 * pointer really moved since the last one. Both motion and enter come here: entering
 * comes with a widget or popup mapping under a resting pointer (the same place: not
 * input), but also with real moves, since GTK sends a crossing, not a motion, for a move
 * after the widget under the pointer went away (the lock page leaving at sign-in). */
static void
pointer_cb (GtkEventControllerMotion *controller, double x, double y, AgActivityWatch *self)
{
  PointerPosition *position = g_object_get_data (G_OBJECT (controller), "ag-pointer-position");
  gboolean moved = position->known && (ABS (x - position->x) >= 1 || ABS (y - position->y) >= 1);

  position->known = TRUE;
  position->x = x;
  position->y = y;
  if (moved)
    ag_activity_watch_input (self);
}

static void
pressed_cb (AgActivityWatch *self, int n_press, double x, double y, GtkGestureClick *gesture)
{
  ag_activity_watch_input (self);
}

static gboolean
scroll_cb (AgActivityWatch *self, double dx, double dy, GtkEventControllerScroll *controller)
{
  ag_activity_watch_input (self);
  return GDK_EVENT_PROPAGATE;
}

static void
add_controller (GtkWindow *window, GtkEventController *controller)
{
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_event_controller_set_name (controller, "ag-activity-watch");
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
}

/**
 * ag_activity_watch_add_window:
 * @window: a window of the application: the main window, a dialog
 *
 * Counts the agent's input on @window from now on, for as long as both live. Adding a
 * window twice does nothing.
 */
void
ag_activity_watch_add_window (AgActivityWatch *self, GtkWindow *window)
{
  GtkEventController *controller;

  g_return_if_fail (AG_IS_ACTIVITY_WATCH (self));
  g_return_if_fail (GTK_IS_WINDOW (window));

  if (g_object_get_data (G_OBJECT (window), "ag-activity-watch") != NULL)
    return;
  g_object_set_data (G_OBJECT (window), "ag-activity-watch", self);

  controller = gtk_event_controller_key_new ();
  g_signal_connect_object (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self,
                           G_CONNECT_SWAPPED);
  add_controller (window, controller);

  controller = gtk_event_controller_motion_new ();
  g_object_set_data_full (G_OBJECT (controller), "ag-pointer-position", g_new0 (PointerPosition, 1),
                          g_free);
  g_signal_connect_object (controller, "enter", G_CALLBACK (pointer_cb), self, 0);
  g_signal_connect_object (controller, "motion", G_CALLBACK (pointer_cb), self, 0);
  add_controller (window, controller);

  controller = GTK_EVENT_CONTROLLER (gtk_gesture_click_new ());
  /* Every button, and never claiming the press: the widgets below still get it. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (controller), 0);
  g_signal_connect_object (controller, "pressed", G_CALLBACK (pressed_cb), self, G_CONNECT_SWAPPED);
  add_controller (window, controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect_object (controller, "scroll", G_CALLBACK (scroll_cb), self, G_CONNECT_SWAPPED);
  add_controller (window, controller);
}

static void
ag_activity_watch_dispose (GObject *object)
{
  AgActivityWatch *self = AG_ACTIVITY_WATCH (object);

  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ag_activity_watch_parent_class)->dispose (object);
}

static void
ag_activity_watch_class_init (AgActivityWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_activity_watch_dispose;
}

static void
ag_activity_watch_init (AgActivityWatch *self)
{
}

AgActivityWatch *
ag_activity_watch_new (AgGuard *guard)
{
  AgActivityWatch *self;

  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);

  self = g_object_new (AG_TYPE_ACTIVITY_WATCH, NULL);
  self->guard = g_object_ref (guard);
  return self;
}
