/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-console-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-alerts.h"
#include "ag-console-charts.h"
#include "ag-console-ledger.h"
#include "ag-console-window.h"

#include "ag-backends.h"
#include "ag-lock-page.h"
#include "ag-policy-source.h"
#include "ag-session-watch.h"
#include "ag-session.h"

/**
 * AgConsoleWindow:
 *
 * The supervisor console (issue 15): the same lock page and two-factor sign-in as the
 * agent's window, with the same idle lock, then an #AdwViewStack of pages: the ledger,
 * the alerts, the charts. Every lock empties the pages; the unlock reads them again.
 *
 * The sign-in's `login` or `unlock` entry is committed before the guard unlocks, as in
 * #AgWindow; the store is opened for the first sign-in, off the main thread.
 */
struct _AgConsoleWindow
{
  AdwApplicationWindow parent_instance;

  char *store_path;
  AgGuard *guard;
  AgSession *session;
  AgPolicyPaths *policy_paths;
  AgNotifier *notifier;
  AgSessionWatch *session_watch;
  GPtrArray *pending_entries; /* AgLedgerEntry*: events before the store was open */
  AgLedgerEntry *sign_in_entry;
  guint sign_in_hold;
  GCancellable *open_cancellable;
  gboolean ready; /* the store is open and the pages are filled */

  GtkStack *main_stack;
  AdwStatusPage *error_page;
  AdwViewStack *view_stack;
  AgConsoleLedger *ledger;
  AgConsoleAlerts *alerts;
  AgConsoleCharts *charts;
};

enum
{
  PROP_0,
  PROP_STORE_PATH,
  PROP_GUARD,
  PROP_POLICY_PATHS,
  PROP_NOTIFIER,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (AgConsoleWindow, ag_console_window, ADW_TYPE_APPLICATION_WINDOW)

static gboolean
is_unlocked (AgConsoleWindow *self)
{
  return ag_guard_get_state (self->guard) == AG_GUARD_STATE_UNLOCKED;
}

static void
set_ready (AgConsoleWindow *self, gboolean ready)
{
  if (self->ready == ready)
    return;
  self->ready = ready;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

/* The pages ------------------------------------------------------------------------------ */

static void
show_error (AgConsoleWindow *self, const char *title, const GError *error)
{
  /* Store and ledger errors never carry a PII value (DESIGN §9). */
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error != NULL ? error->message : NULL);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
}

static void
fill_pages (AgConsoleWindow *self)
{
  g_autoptr (GError) error = NULL;

  if (!ag_console_alerts_refresh (self->alerts, &error))
    {
      g_message ("Could not raise the alerts: %s", error->message);
      show_error (self, _("The Alerts Could Not Be Read"), error);
      return;
    }
  ag_console_ledger_reload (self->ledger);
  ag_console_charts_reload (self->charts);
  gtk_stack_set_visible_child_name (self->main_stack, "console");
  set_ready (self, TRUE);
  gtk_widget_child_focus (GTK_WIDGET (adw_view_stack_get_visible_child (self->view_stack)),
                          GTK_DIR_TAB_FORWARD);
}

static void
empty_pages (AgConsoleWindow *self)
{
  set_ready (self, FALSE);
  ag_console_alerts_clear (self->alerts);
  ag_console_ledger_clear (self->ledger);
  ag_console_charts_clear (self->charts);
}

/* The ledger ----------------------------------------------------------------------------- */

static void
flush_ledger (AgConsoleWindow *self)
{
  g_autofree gpointer *entries = NULL;
  gsize n_entries = 0;

  if (ag_session_get_store (self->session) == NULL)
    return;
  entries = g_ptr_array_steal (self->pending_entries, &n_entries);
  for (gsize i = 0; i < n_entries; i++)
    ag_guard_ledger_later (self->guard, entries[i]);
}

typedef struct
{
  AgConsoleWindow *window;
  guint hold;
} SignInWrite;

static void
sign_in_committed_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  SignInWrite *write = user_data;
  g_autoptr (GError) error = NULL;

  ag_guard_ledger_finish (AG_GUARD (object), result, &error);
  if (write->window->sign_in_hold == write->hold)
    write->window->sign_in_hold = 0;
  ag_guard_release_unlock (AG_GUARD (object), write->hold, error);
  g_object_unref (write->window);
  g_free (write);
}

static void
open_store (AgConsoleWindow *self);

static void
commit_sign_in (AgConsoleWindow *self)
{
  SignInWrite *write;

  if (ag_session_get_store (self->session) == NULL)
    {
      if (self->open_cancellable == NULL)
        open_store (self);
      return;
    }
  write = g_new0 (SignInWrite, 1);
  write->window = g_object_ref (self);
  write->hold = self->sign_in_hold;
  flush_ledger (self);
  ag_guard_ledger_async (self->guard, g_steal_pointer (&self->sign_in_entry), NULL,
                         sign_in_committed_cb, write);
}

static void
open_store_thread (GTask *task, gpointer source_object, gpointer task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  AgStore *store = ag_store_open (task_data, AG_STORE_OPEN_DEFAULT, cancellable, &error);

  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
open_store_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgConsoleWindow) self = user_data;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->open_cancellable);
  if (store == NULL)
    {
      guint hold = self->sign_in_hold;

      /* Nothing to see and nothing to ledger into: the console unlocks to say why. */
      g_message ("Could not open the store: %s", error->message);
      self->sign_in_hold = 0;
      if (self->sign_in_entry != NULL)
        g_ptr_array_add (self->pending_entries, g_steal_pointer (&self->sign_in_entry));
      show_error (self, _("The Audit Ledger Could Not Be Opened"), error);
      ag_guard_release_unlock (self->guard, hold, NULL);
      return;
    }
  ag_session_set_store (self->session, store);
  if (self->sign_in_entry != NULL)
    commit_sign_in (self);
}

static void
open_store (AgConsoleWindow *self)
{
  g_autoptr (GTask) task = NULL;

  self->open_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->open_cancellable, open_store_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, open_store);
  g_task_set_task_data (task, g_strdup (self->store_path), g_free);
  g_task_run_in_thread (task, open_store_thread);
}

static void
guard_event_cb (const AgGuardEvent *event, gpointer user_data)
{
  AgConsoleWindow *self = user_data;
  AgLedgerEntry *entry = ag_session_guard_event_to_entry (self->session, event);

  if (event->kind == AG_GUARD_EVENT_LOGIN || event->kind == AG_GUARD_EVENT_UNLOCK)
    {
      g_clear_pointer (&self->sign_in_entry, ag_ledger_entry_free);
      self->sign_in_entry = entry;
      self->sign_in_hold = ag_guard_hold_unlock (self->guard);
      commit_sign_in (self);
    }
  else
    {
      g_ptr_array_add (self->pending_entries, entry);
      flush_ledger (self);
    }
  if (self->session_watch != NULL)
    ag_session_watch_guard_event (self->session_watch, event);
}

/* Locking -------------------------------------------------------------------------------- */

static void
guard_state_cb (AgConsoleWindow *self)
{
  gboolean unlocked = is_unlocked (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", unlocked);
  if (!unlocked)
    {
      gtk_stack_set_visible_child_full (self->main_stack, "lock", GTK_STACK_TRANSITION_TYPE_NONE);
      empty_pages (self);
      return;
    }
  if (ag_session_get_store (self->session) != NULL)
    fill_pages (self);
}

static void
lock_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ag_guard_lock (AG_CONSOLE_WINDOW (widget)->guard, AG_LOCK_CAUSE_MANUAL);
}

/* Opening an alert shows its rows, and only them, on the ledger page. */
static void
alert_activated_cb (AgConsoleWindow *self, guint position)
{
  const AgAlertRecord *record = ag_console_alerts_get_alert (self->alerts, position);
  g_autoptr (GArray) seqs = g_array_new (FALSE, FALSE, sizeof (guint64));

  if (record == NULL)
    return;
  if (record->alert->seqs->len > 0)
    g_array_append_vals (seqs, record->alert->seqs->data, record->alert->seqs->len);
  else
    for (guint64 seq = record->first_seq; seq <= record->last_seq; seq++)
      g_array_append_val (seqs, seq);
  ag_console_ledger_show_rows (self->ledger, record->alert->user, seqs);
  adw_view_stack_set_visible_child_name (self->view_stack, "ledger");
  gtk_widget_child_focus (GTK_WIDGET (self->ledger), GTK_DIR_TAB_FORWARD);
}

/* Building ------------------------------------------------------------------------------- */

static GtkWidget *
build_console (AgConsoleWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title = adw_view_switcher_title_new ();
  GtkWidget *bar = adw_view_switcher_bar_new ();
  GtkWidget *lock = gtk_button_new_from_icon_name ("system-lock-screen-symbolic");
  AdwViewStackPage *page;

  self->view_stack = ADW_VIEW_STACK (adw_view_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->view_stack), TRUE);
  self->ledger = ag_console_ledger_new (self->session);
  self->alerts = ag_console_alerts_new (self->session, self->policy_paths);
  self->charts = ag_console_charts_new (self->session, self->policy_paths);
  g_signal_connect_object (self->alerts, "alert-activated", G_CALLBACK (alert_activated_cb), self,
                           G_CONNECT_SWAPPED);

  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->ledger), "ledger",
                                    _("Ledger"));
  adw_view_stack_page_set_icon_name (page, "view-list-symbolic");
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->alerts), "alerts",
                                    _("Alerts"));
  adw_view_stack_page_set_icon_name (page, "dialog-warning-symbolic");
  page = adw_view_stack_add_titled (self->view_stack, GTK_WIDGET (self->charts), "charts",
                                    _("Charts"));
  adw_view_stack_page_set_icon_name (page, "view-grid-symbolic");

  adw_view_switcher_title_set_stack (ADW_VIEW_SWITCHER_TITLE (title), self->view_stack);
  adw_view_switcher_title_set_title (ADW_VIEW_SWITCHER_TITLE (title), _("Supervisor Console"));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (lock), "win.lock");
  gtk_widget_set_tooltip_text (lock, _("Lock (Ctrl+L)"));
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), lock);
  adw_view_switcher_bar_set_stack (ADW_VIEW_SWITCHER_BAR (bar), self->view_stack);
  g_object_bind_property (title, "title-visible", bar, "reveal", G_BINDING_SYNC_CREATE);

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->view_stack));
  gtk_box_append (GTK_BOX (box), bar);
  return box;
}

static GtkWidget *
build_error_page (AgConsoleWindow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "dialog-error-symbolic");
  gtk_widget_set_vexpand (GTK_WIDGET (self->error_page), TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_page));
  return box;
}

/* GObject -------------------------------------------------------------------------------- */

static void
ag_console_window_constructed (GObject *object)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (object);
  g_autoptr (AgPolicyPaths) default_paths = NULL;
  g_autoptr (AgPolicySource) policy_source = NULL;
  g_auto (GStrv) groups = NULL;

  G_OBJECT_CLASS (ag_console_window_parent_class)->constructed (object);

  if (self->store_path == NULL)
    self->store_path = g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);
  if (self->policy_paths == NULL)
    self->policy_paths = ag_policy_paths_new_default ();
  if (self->guard == NULL)
    {
      g_autoptr (GError) error = NULL;

      self->guard = ag_guard_new (&error);
      if (self->guard == NULL)
        g_error ("Cannot look up the user running Agent Guard: %s", error->message);
    }

  groups = ag_policy_get_user_groups (ag_guard_get_user (self->guard));
  policy_source = ag_policy_source_new (self->policy_paths, ag_guard_get_user (self->guard),
                                        (const char *const *) groups);
  self->session = ag_session_new (self->guard, AG_LEDGER_MODE_LIVE, policy_source);
  ag_guard_set_policy (self->guard, ag_policy_source_get_policy (policy_source));
  g_signal_connect_object (policy_source, "changed", G_CALLBACK (ag_guard_set_policy), self->guard,
                           G_CONNECT_SWAPPED);
  self->pending_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  ag_guard_set_event_sink (self->guard, guard_event_cb, self, NULL);

  gtk_window_set_title (GTK_WINDOW (self), _("Supervisor Console"));
  gtk_window_set_default_size (GTK_WINDOW (self), 1000, 680);
  self->main_stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->main_stack, ag_lock_page_new (self->guard), "lock");
  gtk_stack_add_named (self->main_stack, build_console (self), "console");
  gtk_stack_add_named (self->main_stack, build_error_page (self), "error");
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (self), GTK_WIDGET (self->main_stack));

  g_signal_connect_object (self->guard, "notify::state", G_CALLBACK (guard_state_cb), self,
                           G_CONNECT_SWAPPED);
  if (is_unlocked (self))
    ag_guard_lock (self->guard, AG_LOCK_CAUSE_MANUAL);
  guard_state_cb (self);
  self->session_watch
    = ag_session_watch_new (ADW_APPLICATION_WINDOW (self), self->guard, self->notifier);
}

static void
ag_console_window_dispose (GObject *object)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (object);

  if (self->session_watch != NULL)
    ag_session_watch_stop (self->session_watch);
  if (self->guard != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->guard, self);
      ag_guard_lock (self->guard, AG_LOCK_CAUSE_CLOSE);
      ag_guard_set_event_sink (self->guard, NULL, NULL, NULL);
      if (self->session != NULL)
        ag_session_set_store (self->session, NULL);
    }
  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->session_watch);
  g_clear_object (&self->session);
  g_clear_object (&self->guard);
  g_clear_object (&self->notifier);

  G_OBJECT_CLASS (ag_console_window_parent_class)->dispose (object);
}

static void
ag_console_window_finalize (GObject *object)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (object);

  g_clear_pointer (&self->store_path, g_free);
  g_clear_pointer (&self->policy_paths, ag_policy_paths_free);
  g_clear_pointer (&self->pending_entries, g_ptr_array_unref);
  g_clear_pointer (&self->sign_in_entry, ag_ledger_entry_free);

  G_OBJECT_CLASS (ag_console_window_parent_class)->finalize (object);
}

static void
ag_console_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STORE_PATH:
        g_value_set_string (value, self->store_path);
        break;
      case PROP_GUARD:
        g_value_set_object (value, self->guard);
        break;
      case PROP_POLICY_PATHS:
        g_value_set_boxed (value, self->policy_paths);
        break;
      case PROP_NOTIFIER:
        g_value_set_object (value, self->notifier);
        break;
      case PROP_READY:
        g_value_set_boolean (value, self->ready);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_console_window_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  AgConsoleWindow *self = AG_CONSOLE_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STORE_PATH:
        self->store_path = g_value_dup_string (value);
        break;
      case PROP_GUARD:
        self->guard = g_value_dup_object (value);
        break;
      case PROP_POLICY_PATHS:
        self->policy_paths = g_value_dup_boxed (value);
        break;
      case PROP_NOTIFIER:
        self->notifier = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_console_window_class_init (AgConsoleWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  /* The console opens its store by location: every backend of the build, known once. */
  ag_backends_register ();

  object_class->constructed = ag_console_window_constructed;
  object_class->dispose = ag_console_window_dispose;
  object_class->finalize = ag_console_window_finalize;
  object_class->get_property = ag_console_window_get_property;
  object_class->set_property = ag_console_window_set_property;

  properties[PROP_STORE_PATH] = g_param_spec_string ("store-path", NULL, NULL, NULL, construct);
  properties[PROP_GUARD] = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD, construct);
  properties[PROP_POLICY_PATHS]
    = g_param_spec_boxed ("policy-paths", NULL, NULL, AG_TYPE_POLICY_PATHS, construct);
  properties[PROP_NOTIFIER]
    = g_param_spec_object ("notifier", NULL, NULL, AG_TYPE_NOTIFIER, construct);
  /* Unlocked, with the store open and the pages filled. */
  properties[PROP_READY]
    = g_param_spec_boolean ("ready", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock", NULL);
}

static void
ag_console_window_init (AgConsoleWindow *self)
{
}

AgConsoleWindow *
ag_console_window_new (GtkApplication *application, const char *store_path)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (AG_TYPE_CONSOLE_WINDOW, "application", application, "store-path", store_path,
                       NULL);
}

/**
 * ag_console_window_get_guard:
 *
 * Returns: (transfer none): the guard that decides what the console may show
 */
AgGuard *
ag_console_window_get_guard (AgConsoleWindow *self)
{
  g_return_val_if_fail (AG_IS_CONSOLE_WINDOW (self), NULL);

  return self->guard;
}

/**
 * ag_console_window_get_store:
 *
 * Returns: (transfer none) (nullable): the open store
 */
AgStore *
ag_console_window_get_store (AgConsoleWindow *self)
{
  g_return_val_if_fail (AG_IS_CONSOLE_WINDOW (self), NULL);

  return ag_session_get_store (self->session);
}

gboolean
ag_console_window_get_ready (AgConsoleWindow *self)
{
  g_return_val_if_fail (AG_IS_CONSOLE_WINDOW (self), FALSE);

  return self->ready && is_unlocked (self);
}

/**
 * ag_console_window_get_view_stack:
 *
 * Returns: (transfer none): the stack of the console's pages
 */
AdwViewStack *
ag_console_window_get_view_stack (AgConsoleWindow *self)
{
  g_return_val_if_fail (AG_IS_CONSOLE_WINDOW (self), NULL);

  return self->view_stack;
}

/* Called by #AgApplication: the console notifies through the application's notifier
 * unless it was given its own, and locks with the desktop's screen lock. */
void
ag_console_window_set_application_services (AgConsoleWindow *self, AgNotifier *notifier,
                                            AgDesktopMonitor *desktop_monitor)
{
  g_return_if_fail (AG_IS_CONSOLE_WINDOW (self));

  if (self->session_watch == NULL)
    return;
  if (self->notifier == NULL)
    ag_session_watch_set_notifier (self->session_watch, notifier);
  ag_session_watch_set_desktop_monitor (self->session_watch, desktop_monitor);
}
