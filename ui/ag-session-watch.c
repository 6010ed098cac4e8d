/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-session-watch"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-activity-watch.h"
#include "ag-session-watch.h"

/**
 * AgSessionWatch:
 *
 * What the main window does for the session besides showing records (DESIGN §9): it
 * feeds the guard's idle deadline from input on every window of the app
 * (#AgActivityWatch), shows the lock warning in the window and as a desktop notification,
 * says "records locked" after an idle lock, re-masks every reveal when the app loses the
 * focus (remask-on-focus-loss), locks when the window is minimised (lock-on-minimise) and
 * when the desktop locks its screen or goes to sleep (#AgDesktopMonitor).
 *
 * It renders what the guard says and turns events into single calls to it; it decides
 * nothing on its own.
 */
struct _AgSessionWatch
{
  GObject parent_instance;

  AdwApplicationWindow *window; /* owns this watch */
  AgGuard *guard;
  AgNotifier *notifier; /* NULL: no desktop notifications */
  AgActivityWatch *activity;

  GtkRevealer *banner;
  GtkLabel *banner_label;
  guint banner_tick_id;

  GListModel *toplevels;
  guint focus_check_id;

  GdkSurface *surface; /* the main window's, while realized */

  AgDesktopMonitor *monitor; /* NULL: the desktop's signals are not watched */
  GdkFrameClock *lock_clock; /* while a desktop lock waits for its frame */
  gulong lock_paint_id;
  guint lock_fallback_id;
};

G_DEFINE_FINAL_TYPE (AgSessionWatch, ag_session_watch, G_TYPE_OBJECT)

/* How long the app may be without an active window before it counts as a focus loss:
 * when a dialog of ours opens, the main window goes inactive a moment before the dialog
 * becomes active, and that is no focus loss. */
#define FOCUS_GRACE_MS 200
/* How long after a window of ours closes before the focus is checked: a closed dialog
 * never says that it lost the focus, and the window manager gives it back to the main
 * window, which on a busy machine can take longer than the grace above. */
#define FOCUS_HANDOVER_MS 1000

/* The lock warning ------------------------------------------------------------------- */

static guint
get_seconds_left (AgSessionWatch *self)
{
  gint64 left_us = ag_guard_get_idle_deadline (self->guard) - ag_guard_now (self->guard);

  return left_us > 0 ? (guint) ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC) : 0;
}

static void
update_banner_text (AgSessionWatch *self)
{
  g_autofree char *text = NULL;

  /* Translators: shown in the window while the idle lock is near; %u is the number of
   * seconds left ("30 s"). */
  text = g_strdup_printf (_("Records lock in %u s for inactivity — move the mouse or press a "
                             "key to stay signed in"),
                          get_seconds_left (self));
  gtk_label_set_text (self->banner_label, text);
}

static gboolean
banner_tick_cb (gpointer user_data)
{
  AgSessionWatch *self = user_data;

  update_banner_text (self);
  return G_SOURCE_CONTINUE;
}

static void
warning_changed_cb (AgSessionWatch *self)
{
  gboolean warning = ag_guard_get_warning (self->guard);

  g_clear_handle_id (&self->banner_tick_id, g_source_remove);
  if (warning)
    {
      update_banner_text (self);
      self->banner_tick_id = g_timeout_add_seconds (1, banner_tick_cb, self);
      if (self->notifier != NULL)
        ag_notifier_show_lock_warning (self->notifier, ag_guard_get_idle_deadline (self->guard));
    }
  else if (self->notifier != NULL)
    ag_notifier_withdraw_lock_warning (self->notifier);

  if (!warning && ag_guard_get_state (self->guard) != AG_GUARD_STATE_UNLOCKED)
    {
      /* The lock page is coming: the bar goes at once, not sliding over it. */
      guint duration = gtk_revealer_get_transition_duration (self->banner);

      gtk_revealer_set_transition_duration (self->banner, 0);
      gtk_revealer_set_reveal_child (self->banner, FALSE);
      gtk_revealer_set_transition_duration (self->banner, duration);
    }
  else
    gtk_revealer_set_reveal_child (self->banner, warning);
}

static void
stay_signed_in_cb (AgSessionWatch *self)
{
  /* A click is input already; this says so even when the click came from an assistive
   * technology, which the event controllers do not see. */
  ag_guard_report_activity (self->guard);
}

/* Wraps the window's content in a box with the warning banner at its foot. */
static void
add_banner (AgSessionWatch *self)
{
  g_autoptr (GtkWidget) content = NULL;
  GtkWidget *outer, *box, *icon, *label, *button;

  content = adw_application_window_get_content (self->window);
  if (content != NULL)
    {
      g_object_ref (content);
      adw_application_window_set_content (self->window, NULL);
    }

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_add_css_class (box, "lock-warning");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Idle lock warning"), -1);

  icon = gtk_image_new_from_icon_name ("changes-prevent-symbolic");
  gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  gtk_box_append (GTK_BOX (box), icon);

  label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_box_append (GTK_BOX (box), label);
  self->banner_label = GTK_LABEL (label);

  button = gtk_button_new_with_mnemonic (_("_Stay Signed In"));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  g_signal_connect_object (button, "clicked", G_CALLBACK (stay_signed_in_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_box_append (GTK_BOX (box), button);

  self->banner = GTK_REVEALER (gtk_revealer_new ());
  gtk_revealer_set_transition_type (self->banner, GTK_REVEALER_TRANSITION_TYPE_SLIDE_UP);
  gtk_revealer_set_child (self->banner, box);

  outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  if (content != NULL)
    {
      gtk_widget_set_vexpand (content, TRUE);
      gtk_box_append (GTK_BOX (outer), content);
    }
  gtk_box_append (GTK_BOX (outer), GTK_WIDGET (self->banner));
  adw_application_window_set_content (self->window, outer);
}

/* Focus loss --------------------------------------------------------------------------- */

/* The windows of this session: the main window and every other toplevel of the process
 * (its dialogs) but other main windows, which have their own guard. */
static gboolean
is_ours (AgSessionWatch *self, GtkWindow *window)
{
  return window == GTK_WINDOW (self->window)
         || !G_TYPE_CHECK_INSTANCE_TYPE (window, G_OBJECT_TYPE (self->window));
}

static gboolean
focus_check_cb (gpointer user_data)
{
  AgSessionWatch *self = user_data;
  guint n = g_list_model_get_n_items (self->toplevels);

  self->focus_check_id = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (self->toplevels, i);

      /* A hidden window may still say it is active: it is not focused. */
      if (is_ours (self, window) && gtk_window_is_active (window)
          && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return G_SOURCE_REMOVE;
    }

  if (ag_guard_get_state (self->guard) == AG_GUARD_STATE_UNLOCKED
      && ag_policy_get_remask_on_focus_loss (ag_guard_get_policy (self->guard)))
    {
      g_debug ("The app lost the focus: re-masking every reveal");
      ag_guard_remask_all (self->guard, AG_REMASK_CAUSE_FOCUS_LOSS);
    }
  return G_SOURCE_REMOVE;
}

/* Checks for a focus loss in @delay_ms instead of any check planned before; none once
 * the watch is stopped (ag_session_watch_stop()). */
static void
check_focus_later (AgSessionWatch *self, guint delay_ms)
{
  g_clear_handle_id (&self->focus_check_id, g_source_remove);
  if (self->toplevels != NULL)
    self->focus_check_id = g_timeout_add (delay_ms, focus_check_cb, self);
}

static void
is_active_cb (GtkWindow *window, GParamSpec *pspec, AgSessionWatch *self)
{
  if (gtk_window_is_active (window))
    g_clear_handle_id (&self->focus_check_id, g_source_remove);
  else
    check_focus_later (self, FOCUS_GRACE_MS);
}

/* A dialog of ours closed (or was hidden). If it had the focus, the window manager hands
 * it back to the main window, or to nothing; the dialog itself no longer tells that it
 * lost the focus (a destroyed window's surface is gone before the news comes), so check
 * once the window manager has had its time. */
static void
dialog_unmapped_cb (GtkWidget *dialog, AgSessionWatch *self)
{
  check_focus_later (self, FOCUS_HANDOVER_MS);
}

static gboolean
swallow_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  return TRUE;
}

/**
 * ag_session_watch_block_inspector:
 * @window: a window
 *
 * Keeps the GTK inspector's keyboard shortcuts (Ctrl+Shift+I and Ctrl+Shift+D) from
 * opening it over @window: it would show every widget's text, a revealed value included.
 * GTK binds them on every #GtkWindow and opens the inspector when the user's
 * `org.gtk.gtk4.Settings.Debug` `enable-inspector-keybinding` is true, its default; the
 * app cannot change that setting without changing it for the whole desktop. This
 * controller runs in the capture phase, before the window's own bindings, and stops the
 * keys there. Release builds do it on every window of the app; idempotent.
 */
void
ag_session_watch_block_inspector (GtkWindow *window)
{
  GtkEventController *controller;
  const guint keys[] = { GDK_KEY_I, GDK_KEY_D };

  g_return_if_fail (GTK_IS_WINDOW (window));

  if (g_object_get_data (G_OBJECT (window), "ag-inspector-blocked") != NULL)
    return;
  g_object_set_data (G_OBJECT (window), "ag-inspector-blocked", GINT_TO_POINTER (TRUE));

  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_name (controller, "ag-inspector-block");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (
      GTK_SHORTCUT_CONTROLLER (controller),
      gtk_shortcut_new (gtk_keyval_trigger_new (keys[i], GDK_CONTROL_MASK | GDK_SHIFT_MASK),
                        gtk_callback_action_new (swallow_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
}

/* Whether @window is one of @main's own: a window transient for it (or for one of its
 * dialogs), or one transient for nothing. */
static gboolean
belongs_to (GtkWindow *window, GtkWindow *main)
{
  GtkWindow *parent = window;

  while (gtk_window_get_transient_for (parent) != NULL)
    parent = gtk_window_get_transient_for (parent);
  return parent == main || parent == window;
}

static void
free_weak_ref (gpointer data)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static gboolean
quit_later_cb (gpointer user_data)
{
  g_autoptr (GtkWindow) main = g_weak_ref_get (user_data);

  if (main != NULL)
    gtk_widget_activate_action (GTK_WIDGET (main), "app.quit", NULL);
  return G_SOURCE_REMOVE;
}

/* Activates @args' action (a string) on the main window in @user_data (a weak reference),
 * for a window of its own. */
static gboolean
session_shortcut_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  g_autoptr (GtkWindow) main = g_weak_ref_get (user_data);

  if (main == NULL || !belongs_to (GTK_WINDOW (widget), main))
    return FALSE;
  if (g_str_equal (g_variant_get_string (args, NULL), "app.quit"))
    {
      /* Quitting destroys every window, this one too: not inside its own key event. */
      GWeakRef *later = g_new0 (GWeakRef, 1);

      g_weak_ref_init (later, main);
      g_idle_add_full (G_PRIORITY_HIGH, quit_later_cb, later, free_weak_ref);
      return gtk_window_get_application (main) != NULL;
    }
  return gtk_widget_activate_action (GTK_WIDGET (main), g_variant_get_string (args, NULL), NULL);
}

/* Ctrl+L (lock) and Ctrl+Q (quit) work from every window of the app, a modal dialog
 * included: the main window's own bindings and the application's accelerators reach
 * neither a dialog's focus nor, past a modal dialog, the main window. In the capture
 * phase, before any entry of the dialog sees the keys. */
static void
add_session_shortcuts (AgSessionWatch *self, GtkWindow *window)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  const struct
  {
    guint key;
    const char *action;
  } shortcuts[] = { { GDK_KEY_l, "win.lock" }, { GDK_KEY_q, "app.quit" } };

  gtk_event_controller_set_name (controller, "ag-session-shortcuts");
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  for (guint i = 0; i < G_N_ELEMENTS (shortcuts); i++)
    {
      GWeakRef *main = g_new0 (GWeakRef, 1);
      GtkShortcut *shortcut;

      g_weak_ref_init (main, self->window);
      shortcut
        = gtk_shortcut_new (gtk_keyval_trigger_new (shortcuts[i].key, GDK_CONTROL_MASK),
                            gtk_callback_action_new (session_shortcut_cb, main, free_weak_ref));
      gtk_shortcut_set_arguments (shortcut, g_variant_new_string (shortcuts[i].action));
      gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller), shortcut);
    }
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
}

/* The GTK inspector shows every widget's text and accessible properties, a revealed
 * value included. Development builds may open it (release builds block its keys), but
 * not over a value: its window appearing re-masks every reveal. */
static gboolean
is_inspector (GtkWindow *window)
{
  return g_str_equal (G_OBJECT_TYPE_NAME (window), "GtkInspectorWindow");
}

static void
inspector_mapped_cb (AgSessionWatch *self)
{
  g_debug ("The inspector opened: re-masking every value");
  ag_guard_remask_all (self->guard, AG_REMASK_CAUSE_INSPECTOR);
}

static void
watch_toplevel (AgSessionWatch *self, GtkWindow *window)
{
  if (is_inspector (window))
    {
      /* GTK keeps one inspector window and shows it again each time. */
      g_signal_connect_object (window, "map", G_CALLBACK (inspector_mapped_cb), self,
                               G_CONNECT_SWAPPED);
      if (gtk_widget_get_mapped (GTK_WIDGET (window)))
        inspector_mapped_cb (self);
      return;
    }
  if (!is_ours (self, window))
    return;
#if !DEVELOPMENT
  ag_session_watch_block_inspector (window);
#endif
  if (window != GTK_WINDOW (self->window))
    add_session_shortcuts (self, window);
  ag_activity_watch_add_window (self->activity, window);
  g_signal_connect_object (window, "notify::is-active", G_CALLBACK (is_active_cb), self, 0);
  if (window != GTK_WINDOW (self->window))
    g_signal_connect_object (window, "unmap", G_CALLBACK (dialog_unmapped_cb), self, 0);
}

static void
toplevels_changed_cb (GListModel *toplevels, guint position, guint removed, guint added,
                      AgSessionWatch *self)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      watch_toplevel (self, window);
    }
}

/* Minimising -------------------------------------------------------------------------- */

static void
surface_state_cb (AgSessionWatch *self)
{
  GdkToplevelState state = gdk_toplevel_get_state (GDK_TOPLEVEL (self->surface));

  if ((state & GDK_TOPLEVEL_STATE_MINIMIZED) != 0
      && ag_guard_get_state (self->guard) == AG_GUARD_STATE_UNLOCKED
      && ag_policy_get_lock_on_minimise (ag_guard_get_policy (self->guard)))
    {
      g_debug ("The window was minimised: locking");
      ag_guard_lock (self->guard, AG_LOCK_CAUSE_MINIMISE);
    }
}

static void
window_realize_cb (AgSessionWatch *self)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self->window));

  if (surface == self->surface)
    return;
  if (self->surface != NULL)
    g_signal_handlers_disconnect_by_data (self->surface, self);
  g_set_object (&self->surface, surface);
  if (surface != NULL && GDK_IS_TOPLEVEL (surface))
    g_signal_connect_object (surface, "notify::state", G_CALLBACK (surface_state_cb), self,
                             G_CONNECT_SWAPPED);
}

static void
finish_desktop_lock (AgSessionWatch *self);

static void
window_unrealize_cb (AgSessionWatch *self)
{
  if (self->surface != NULL)
    g_signal_handlers_disconnect_by_data (self->surface, self);
  g_clear_object (&self->surface);
  /* A window going away paints no more frames: a lock waiting for one is done. */
  if (self->lock_clock != NULL)
    finish_desktop_lock (self);
}

/* The desktop's locks ------------------------------------------------------------------ */

/* How long a desktop lock waits for the frame that shows the lock page before it tells the
 * monitor it is done anyway: a window that is not drawn (hidden, on another workspace)
 * must not keep a sleep waiting until logind gives up. */
#define LOCK_FRAME_FALLBACK_MS 500

static void
finish_desktop_lock (AgSessionWatch *self)
{
  if (self->lock_clock != NULL)
    {
      /* A clock whose surface went away has dropped its handlers already. */
      if (self->lock_paint_id != 0
          && g_signal_handler_is_connected (self->lock_clock, self->lock_paint_id))
        g_signal_handler_disconnect (self->lock_clock, self->lock_paint_id);
      self->lock_paint_id = 0;
      g_clear_object (&self->lock_clock);
    }
  g_clear_handle_id (&self->lock_fallback_id, g_source_remove);
  if (self->monitor != NULL)
    ag_desktop_monitor_lock_done (self->monitor);
}

static void
lock_after_paint_cb (GdkFrameClock *clock, AgSessionWatch *self)
{
  g_debug ("The locked window was painted: the desktop may go on");
  finish_desktop_lock (self);
}

static gboolean
lock_fallback_cb (gpointer user_data)
{
  AgSessionWatch *self = user_data;

  self->lock_fallback_id = 0;
  g_debug ("No frame came after a desktop lock: telling the desktop it is done");
  finish_desktop_lock (self);
  return G_SOURCE_REMOVE;
}

static void
lock_requested_cb (AgDesktopMonitor *monitor, gint cause, AgSessionWatch *self)
{
  GdkFrameClock *clock;

  g_debug ("The desktop asked for a lock (%s)", ag_lock_cause_to_string (cause));
  /* Also ends a sign-in under way. */
  ag_guard_lock (self->guard, cause);

  /* The record page is gone already (the window destroys it on the guard's state); the
   * desktop goes on (to sleep, say) once the frame without it is on the screen. */
  if (self->lock_clock != NULL)
    return;
  clock = gtk_widget_get_mapped (GTK_WIDGET (self->window))
            ? gtk_widget_get_frame_clock (GTK_WIDGET (self->window))
            : NULL;
  if (clock == NULL)
    {
      finish_desktop_lock (self);
      return;
    }
  self->lock_clock = g_object_ref (clock);
  self->lock_paint_id
    = g_signal_connect (clock, "after-paint", G_CALLBACK (lock_after_paint_cb), self);
  self->lock_fallback_id = g_timeout_add (LOCK_FRAME_FALLBACK_MS, lock_fallback_cb, self);
  gtk_widget_queue_draw (GTK_WIDGET (self->window));
}

/**
 * ag_session_watch_set_desktop_monitor:
 * @monitor: (nullable): the desktop's screen lock and sleep, or %NULL to stop watching them
 *
 * Locks the guard at once on each ::lock-requested of @monitor, with its cause, and calls
 * ag_desktop_monitor_lock_done() once the window has drawn the frame without any record
 * in it (DESIGN §9).
 */
void
ag_session_watch_set_desktop_monitor (AgSessionWatch *self, AgDesktopMonitor *monitor)
{
  g_return_if_fail (AG_IS_SESSION_WATCH (self));
  g_return_if_fail (monitor == NULL || AG_IS_DESKTOP_MONITOR (monitor));

  if (self->monitor == monitor)
    return;
  if (self->monitor != NULL)
    {
      /* A lock under way is done as far as this watch goes. */
      if (self->lock_clock != NULL || self->lock_fallback_id != 0)
        finish_desktop_lock (self);
      g_signal_handlers_disconnect_by_data (self->monitor, self);
      ag_desktop_monitor_remove_locker (self->monitor);
      g_clear_object (&self->monitor);
    }
  if (monitor != NULL)
    {
      /* The monitor may be the application's, shared by its windows: a sleep waits for
       * each window's frame. */
      self->monitor = g_object_ref (monitor);
      ag_desktop_monitor_add_locker (monitor);
      g_signal_connect_object (monitor, "lock-requested", G_CALLBACK (lock_requested_cb), self, 0);
    }
}

/* GObject ---------------------------------------------------------------------------- */

/**
 * ag_session_watch_stop:
 *
 * Stops watching: the window goes away. Idempotent.
 */
void
ag_session_watch_stop (AgSessionWatch *self)
{
  g_return_if_fail (AG_IS_SESSION_WATCH (self));

  g_clear_handle_id (&self->banner_tick_id, g_source_remove);
  g_clear_handle_id (&self->focus_check_id, g_source_remove);
  if (self->toplevels != NULL)
    g_signal_handlers_disconnect_by_data (self->toplevels, self);
  self->toplevels = NULL;
  if (self->guard != NULL)
    g_signal_handlers_disconnect_by_data (self->guard, self);
  if (self->window != NULL)
    g_signal_handlers_disconnect_by_data (self->window, self);
  window_unrealize_cb (self);
  ag_session_watch_set_desktop_monitor (self, NULL);
  if (self->notifier != NULL)
    ag_notifier_withdraw_lock_warning (self->notifier);
}

static void
ag_session_watch_dispose (GObject *object)
{
  AgSessionWatch *self = AG_SESSION_WATCH (object);

  ag_session_watch_stop (self);
  g_clear_object (&self->activity);
  g_clear_object (&self->monitor);
  g_clear_object (&self->notifier);
  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ag_session_watch_parent_class)->dispose (object);
}

static void
ag_session_watch_class_init (AgSessionWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_session_watch_dispose;
}

static void
ag_session_watch_init (AgSessionWatch *self)
{
}

/**
 * ag_session_watch_new:
 * @window: the main window, which keeps the watch for as long as it lives
 * @guard: the window's guard
 * @notifier: (nullable): where desktop notifications go, or %NULL for none
 *
 * Returns: (transfer full): a new watch, already watching
 */
AgSessionWatch *
ag_session_watch_new (AdwApplicationWindow *window, AgGuard *guard, AgNotifier *notifier)
{
  AgSessionWatch *self;
  guint n;

  g_return_val_if_fail (ADW_IS_APPLICATION_WINDOW (window), NULL);
  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);
  g_return_val_if_fail (notifier == NULL || AG_IS_NOTIFIER (notifier), NULL);

  self = g_object_new (AG_TYPE_SESSION_WATCH, NULL);
  self->window = window;
  self->guard = g_object_ref (guard);
  self->notifier = notifier != NULL ? g_object_ref (notifier) : NULL;
  self->activity = ag_activity_watch_new (guard);

  add_banner (self);
  g_signal_connect_object (guard, "notify::warning", G_CALLBACK (warning_changed_cb), self,
                           G_CONNECT_SWAPPED);

  self->toplevels = gtk_window_get_toplevels ();
  g_signal_connect_object (self->toplevels, "items-changed", G_CALLBACK (toplevels_changed_cb),
                           self, 0);
  n = g_list_model_get_n_items (self->toplevels);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GtkWindow) toplevel = g_list_model_get_item (self->toplevels, i);

      watch_toplevel (self, toplevel);
    }
  /* The main window may not be in the list yet while it is being constructed. */
  watch_toplevel (self, GTK_WINDOW (window));

  g_signal_connect_object (window, "realize", G_CALLBACK (window_realize_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (window, "unrealize", G_CALLBACK (window_unrealize_cb), self,
                           G_CONNECT_SWAPPED);
  if (gtk_widget_get_realized (GTK_WIDGET (window)))
    window_realize_cb (self);

  return self;
}

/**
 * ag_session_watch_set_notifier:
 * @notifier: (nullable): where desktop notifications go now, or %NULL for none
 */
void
ag_session_watch_set_notifier (AgSessionWatch *self, AgNotifier *notifier)
{
  g_return_if_fail (AG_IS_SESSION_WATCH (self));
  g_return_if_fail (notifier == NULL || AG_IS_NOTIFIER (notifier));

  if (self->notifier == notifier)
    return;
  if (self->notifier != NULL)
    ag_notifier_withdraw_lock_warning (self->notifier);
  g_set_object (&self->notifier, notifier);
}

/**
 * ag_session_watch_guard_event:
 * @event: an event of the guard, as its event sink gets it
 *
 * The window hands on each event of its guard: an idle lock is told by notification.
 */
void
ag_session_watch_guard_event (AgSessionWatch *self, const AgGuardEvent *event)
{
  g_return_if_fail (AG_IS_SESSION_WATCH (self));
  g_return_if_fail (event != NULL);

  if (event->kind == AG_GUARD_EVENT_LOCK && event->cause == AG_LOCK_CAUSE_IDLE
      && self->notifier != NULL)
    ag_notifier_show_idle_lock (self->notifier,
                                ag_policy_get_idle_lock (ag_guard_get_policy (self->guard)));
}

/* For tests: the warning banner (a #GtkRevealer). */
GtkWidget *
ag_session_watch_get_warning_banner (AgSessionWatch *self)
{
  g_return_val_if_fail (AG_IS_SESSION_WATCH (self), NULL);

  return GTK_WIDGET (self->banner);
}

/* For tests: how many times input reached the guard. */
guint
ag_session_watch_get_n_activity_reports (AgSessionWatch *self)
{
  g_return_val_if_fail (AG_IS_SESSION_WATCH (self), 0);

  return ag_activity_watch_get_n_reported (self->activity);
}
