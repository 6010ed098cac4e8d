/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-backends.h"
#include "ag-policy-notice.h"
#include "ag-session-watch.h"
#include "ag-watermark.h"
#include "ag-window-private.h"

/**
 * AgWindow:
 *
 * The main window: a search entry and the results on the left, the selected customer's
 * record on the right, in an #AdwLeaflet that folds on narrow screens. Before that it
 * opens the store and says clearly when there is none or it cannot be opened.
 *
 * The window title is always "Agent Guard" ("Agent Guard (Training)" in training mode): a
 * customer's name only ever appears inside the window, where locking can take it away.
 *
 * The window starts locked, on the lock page, and renders what its #AgGuard says: the
 * store is opened after the first sign-in, and every lock destroys the record page and
 * the result rows and empties the search (DESIGN §9); after the unlock the agent is back
 * on the same customer, fetched again by id and masked again.
 *
 * It hands the guard the effective policy, from an #AgPolicySource that reloads it live
 * (a layer with errors is refused alone and the layers below it stay in force: the source
 * logs it, the window ledgers it as `policy-refused`, and the supervisor sees it with
 * `agent-guard-admin policy show`), and the opened store,
 * through which reveals are ledgered and unsealed. Opening another customer re-masks
 * every live reveal first.
 *
 * Its #AgSession holds the session id, the mode, the policy source and the open store.
 * Opening the store is in ag-window-store.c, the search and the record in
 * ag-window-search.c, the actions in ag-window-actions.c.
 */

G_DEFINE_FINAL_TYPE (AgWindow, ag_window, ADW_TYPE_APPLICATION_WINDOW)

GParamSpec *ag_window_properties[N_PROPS];

/* States ------------------------------------------------------------------------------------ */

gboolean
ag_window_is_unlocked (AgWindow *self)
{
  return self->guard != NULL && ag_guard_get_state (self->guard) == AG_GUARD_STATE_UNLOCKED;
}

static void
show_state (AgWindow *self)
{
  if (!ag_window_is_unlocked (self))
    {
      gtk_stack_set_visible_child_name (self->main_stack, "lock");
      return;
    }

  switch (self->state)
    {
      case AG_WINDOW_STATE_OPENING:
        gtk_stack_set_visible_child_name (self->status_stack, "opening");
        gtk_stack_set_visible_child_name (self->main_stack, "status");
        break;
      case AG_WINDOW_STATE_NO_STORE:
        gtk_stack_set_visible_child_name (self->status_stack, "no-store");
        gtk_stack_set_visible_child_name (self->main_stack, "status");
        break;
      case AG_WINDOW_STATE_ERROR:
        gtk_stack_set_visible_child_name (self->status_stack, "error");
        gtk_stack_set_visible_child_name (self->main_stack, "status");
        break;
      case AG_WINDOW_STATE_READY:
        gtk_stack_set_visible_child_name (self->main_stack, "browser");
        gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
        break;
      default:
        g_assert_not_reached ();
    }
}

void
ag_window_set_state (AgWindow *self, AgWindowState state)
{
  gboolean changed = self->state != state;

  self->state = state;
  show_state (self);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), ag_window_properties[PROP_STATE]);
}

/* Drops every customer from the window: the results and the record page with its
 * widgets. */
void
ag_window_forget_customers (AgWindow *self)
{
  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  g_cancellable_cancel (self->record_cancellable);
  g_clear_object (&self->record_cancellable);

  gtk_list_box_bind_model (self->results_list, NULL, NULL, NULL, NULL);
  g_clear_object (&self->results);
  g_clear_pointer (&self->shown_id, g_free);
  if (self->record_page != NULL)
    ag_record_page_set_record (self->record_page, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "none");
}

/* The ledger and the policy -------------------------------------------------------------- */

static void
guard_event_cb (const AgGuardEvent *event, gpointer user_data)
{
  AgWindow *self = user_data;
  AgLedgerEntry *entry = ag_session_guard_event_to_entry (self->session, event);

  if (event->kind == AG_GUARD_EVENT_LOGIN || event->kind == AG_GUARD_EVENT_UNLOCK)
    {
      g_clear_pointer (&self->sign_in_entry, ag_ledger_entry_free);
      self->sign_in_entry = entry;
      self->sign_in_hold = ag_guard_hold_unlock (self->guard);
      ag_window_commit_sign_in (self);
    }
  else
    {
      g_ptr_array_add (self->pending_entries, entry);
      ag_window_flush_ledger (self);
    }
  if (self->session_watch != NULL)
    ag_session_watch_guard_event (self->session_watch, event);
}

/* DESIGN §6: a live policy change is ledgered, with the version now in force, and so is
 * each refused layer, with its file and the class of its problem (never a value). */
static void
ledger_policy_event (AgWindow *self, AgLedgerEvent event, AgPolicy *policy, char *cause)
{
  AgLedgerEntry *entry = ag_session_new_entry (self->session, event);

  entry->policy_version = g_strdup (ag_policy_get_version (policy));
  entry->cause = cause;
  g_ptr_array_add (self->pending_entries, entry);
  ag_window_flush_ledger (self);
}

static void
policy_changed_cb (AgWindow *self, AgPolicy *policy)
{
  ag_guard_set_policy (self->guard, policy);
  ledger_policy_event (self, AG_LEDGER_EVENT_POLICY_CHANGED, policy, NULL);
  if (self->record_page != NULL)
    ag_record_page_policy_changed (self->record_page);
}

static void
policy_refused_cb (AgWindow *self, const AgPolicyRefusal *refusal)
{
  ledger_policy_event (self, AG_LEDGER_EVENT_POLICY_REFUSED,
                       ag_policy_source_get_policy (ag_session_get_policy_source (self->session)),
                       ag_policy_refusal_to_cause (refusal));
}

/* The session of the window's guard: its id, the mode, and the policy source, which reads
 * the policy layers for the guard's user. */
static void
create_session (AgWindow *self)
{
  g_auto (GStrv) groups = ag_policy_get_user_groups (ag_guard_get_user (self->guard));
  g_autoptr (AgPolicyPaths) default_paths = NULL;
  g_autoptr (AgPolicySource) policy_source = NULL;

  if (self->policy_paths == NULL)
    default_paths = ag_policy_paths_new_default ();
  policy_source
    = ag_policy_source_new (self->policy_paths != NULL ? self->policy_paths : default_paths,
                            ag_guard_get_user (self->guard), (const char *const *) groups);
  /* Live or training is the session's to decide: a trainee is in training mode whatever
   * the window was asked. */
  self->session = ag_session_new_for_user (self->guard, self->training, policy_source);
}

/* Training mode is unmistakable (issue 16): a title, a header bar colour and a watermark
 * over every page, the lock page included; a trainee is told why. */
static void
show_training (AgWindow *self)
{
  const char *banner = NULL;

  if (!ag_session_get_training (self->session))
    return;

  gtk_window_set_title (GTK_WINDOW (self), _("Agent Guard (Training)"));
  adw_window_title_set_subtitle (self->sidebar_title, _("Training"));
  adw_window_title_set_subtitle (self->status_title, _("Training"));
  gtk_widget_add_css_class (GTK_WIDGET (self), "training");
  if (ag_session_get_trainee (self->session))
    banner = _("Training mode: you are a trainee, so Agent Guard opens only your own training "
                "records, with synthetic customers, whatever records were asked for.");
  ag_watermark_add_to_window (GTK_WINDOW (self), banner);
}

static void
watch_policy (AgWindow *self)
{
  AgPolicySource *policy_source = ag_session_get_policy_source (self->session);
  GPtrArray *refusals;

  /* Each layer stands or falls alone: a refused one leaves the layers below it in force
   * (DESIGN §6). The source logs why, without any customer data, and every refusal is
   * ledgered: those of the first load here, later ones as they come. */
  ag_guard_set_policy (self->guard, ag_policy_source_get_policy (policy_source));
  g_signal_connect_object (policy_source, "changed", G_CALLBACK (policy_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (policy_source, "refused", G_CALLBACK (policy_refused_cb), self,
                           G_CONNECT_SWAPPED);
  refusals = ag_policy_source_get_refusals (policy_source);
  for (guint i = 0; i < refusals->len; i++)
    policy_refused_cb (self, g_ptr_array_index (refusals, i));
  /* The agent sees each line of their own file that is ignored. */
  ag_policy_notice_add_to_window (ADW_APPLICATION_WINDOW (self), policy_source);
}

/* Locking ------------------------------------------------------------------------------- */

/* Destroys every widget that showed a customer: the record page goes with its fields, the
 * result rows with the model, and the search text is emptied. Hiding them would not do. */
static void
destroy_customer_widgets (AgWindow *self)
{
  AgRecord *shown
    = self->record_page != NULL ? ag_record_page_get_record (self->record_page) : NULL;

  g_clear_pointer (&self->locked_record_id, g_free);
  if (shown != NULL)
    self->locked_record_id = g_strdup (ag_record_get_id (shown));

  /* The page goes first, with its fields: emptying it before would build and tear down
   * the fields twice. */
  if (self->record_page != NULL)
    {
      gtk_stack_remove (self->content_stack, GTK_WIDGET (self->record_page));
      self->record_page = NULL;
    }
  ag_window_forget_customers (self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
create_customer_widgets (AgWindow *self)
{
  if (self->record_page == NULL)
    {
      self->record_page = AG_RECORD_PAGE (ag_record_page_new_with_guard (self->guard));
      gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->record_page), "record");
    }
}

static void
guard_state_cb (AgWindow *self)
{
  gboolean unlocked = ag_window_is_unlocked (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.lock", unlocked);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.search", unlocked);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.open-store", unlocked);

  if (!unlocked)
    {
      /* The lock page first, at once (no cross-fade, which would draw the old page on
       * top): the customer widgets are then torn down off screen, where destroying them
       * costs no relayout of a shown page. */
      gtk_stack_set_visible_child_full (self->main_stack, "lock", GTK_STACK_TRANSITION_TYPE_NONE);
      if (self->record_page != NULL)
        destroy_customer_widgets (self);
      show_state (self);
      g_object_notify_by_pspec (G_OBJECT (self), ag_window_properties[PROP_STATE]);
      return;
    }

  create_customer_widgets (self);
  if (ag_window_get_store (self) == NULL && self->open_cancellable == NULL)
    ag_window_open_store (self);
  else
    show_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), ag_window_properties[PROP_STATE]);

  if (ag_window_get_store (self) != NULL && self->locked_record_id != NULL)
    {
      g_autofree char *id = g_steal_pointer (&self->locked_record_id);

      ag_window_show_record (self, id);
    }
}

static void
restore_window_size (AgWindow *self)
{
  GSettingsSchema *schema;

  schema = g_settings_schema_source_lookup (g_settings_schema_source_get_default (), APPLICATION_ID,
                                            TRUE);
  if (schema == NULL)
    {
      g_debug ("The settings schema is not installed; the window size is not kept");
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_settings_schema_unref (schema);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_size (AgWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_int (self->settings, "window-width", width);
  g_settings_set_int (self->settings, "window-height", height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static gboolean
ag_window_close_request (GtkWindow *window)
{
  AgWindow *self = AG_WINDOW (window);

  save_window_size (self);

  return GTK_WINDOW_CLASS (ag_window_parent_class)->close_request (window);
}

/* The session beyond the records (issue 5) -------------------------------------------- */

static void
start_session_watch (AgWindow *self)
{
  if (self->notifier != NULL)
    ag_notifier_set_training (self->notifier, ag_session_get_training (self->session));
  self->session_watch
    = ag_session_watch_new (ADW_APPLICATION_WINDOW (self), self->guard, self->notifier);
  if (self->desktop_monitor != NULL)
    ag_session_watch_set_desktop_monitor (self->session_watch, self->desktop_monitor);
}

/* GObject --------------------------------------------------------------------------------- */

static void
ag_window_constructed (GObject *object)
{
  AgWindow *self = AG_WINDOW (object);

  G_OBJECT_CLASS (ag_window_parent_class)->constructed (object);

  if (self->store_path == NULL)
    self->store_path = g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);

  restore_window_size (self);

  /* The store is opened after the first sign-in; until then only the lock page exists. */
  if (self->guard == NULL)
    {
      g_autoptr (GError) error = NULL;

      self->guard = ag_guard_new (&error);
      if (self->guard == NULL)
        g_error ("Cannot look up the user running Agent Guard: %s", error->message);
    }
  create_session (self);
  self->pending_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  ag_guard_set_event_sink (self->guard, guard_event_cb, self, NULL);
  watch_policy (self);
  self->lock_page = AG_LOCK_PAGE (ag_lock_page_new (self->guard));
  gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->lock_page), "lock");
  show_training (self);
  g_signal_connect_object (self->guard, "notify::state", G_CALLBACK (guard_state_cb), self,
                           G_CONNECT_SWAPPED);
  if (ag_guard_get_state (self->guard) == AG_GUARD_STATE_UNLOCKED)
    ag_guard_lock (self->guard, AG_LOCK_CAUSE_MANUAL);
  guard_state_cb (self);
  start_session_watch (self);
}

static void
ag_window_dispose (GObject *object)
{
  AgWindow *self = AG_WINDOW (object);

  if (self->session_watch != NULL)
    ag_session_watch_stop (self->session_watch);
  if (self->guard != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->guard, self);
      ag_guard_lock (self->guard, AG_LOCK_CAUSE_CLOSE);
      ag_guard_set_event_sink (self->guard, NULL, NULL, NULL);
      ag_session_set_store (self->session, NULL);
    }
  g_cancellable_cancel (self->open_cancellable);
  g_cancellable_cancel (self->search_cancellable);
  g_cancellable_cancel (self->record_cancellable);
  if (self->results_list != NULL)
    gtk_list_box_bind_model (self->results_list, NULL, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_TYPE_WINDOW);

  g_clear_object (&self->open_cancellable);
  g_clear_object (&self->search_cancellable);
  g_clear_object (&self->record_cancellable);
  g_clear_object (&self->results);
  g_clear_object (&self->settings);
  g_clear_object (&self->session_watch);
  g_clear_object (&self->guard);
  g_clear_object (&self->session);
  g_clear_object (&self->desktop_monitor);
  g_clear_object (&self->notifier);

  G_OBJECT_CLASS (ag_window_parent_class)->dispose (object);
}

static void
ag_window_finalize (GObject *object)
{
  AgWindow *self = AG_WINDOW (object);

  g_clear_pointer (&self->store_path, g_free);
  g_clear_pointer (&self->locked_record_id, g_free);
  g_clear_pointer (&self->shown_id, g_free);
  g_clear_pointer (&self->pending_entries, g_ptr_array_unref);
  g_clear_pointer (&self->sign_in_entry, ag_ledger_entry_free);
  g_clear_pointer (&self->policy_paths, ag_policy_paths_free);

  G_OBJECT_CLASS (ag_window_parent_class)->finalize (object);
}

static void
ag_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgWindow *self = AG_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STORE_PATH:
        g_value_set_string (value, self->store_path);
        break;
      case PROP_TRAINING:
        g_value_set_boolean (value, self->training);
        break;
      case PROP_STORE:
        g_value_set_object (value, ag_window_get_store (self));
        break;
      case PROP_STATE:
        g_value_set_int (value, ag_window_get_state (self));
        break;
      case PROP_GUARD:
        g_value_set_object (value, self->guard);
        break;
      case PROP_POLICY_PATHS:
        g_value_set_boxed (value, self->policy_paths);
        break;
      case PROP_DESKTOP_MONITOR:
        g_value_set_object (value, self->desktop_monitor);
        break;
      case PROP_NOTIFIER:
        g_value_set_object (value, self->notifier);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgWindow *self = AG_WINDOW (object);

  switch (prop_id)
    {
      case PROP_STORE_PATH:
        self->store_path = g_value_dup_string (value);
        break;
      case PROP_TRAINING:
        self->training = g_value_get_boolean (value);
        break;
      case PROP_GUARD:
        self->guard = g_value_dup_object (value);
        break;
      case PROP_POLICY_PATHS:
        self->policy_paths = g_value_dup_boxed (value);
        break;
      case PROP_DESKTOP_MONITOR:
        self->desktop_monitor = g_value_dup_object (value);
        break;
      case PROP_NOTIFIER:
        self->notifier = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_window_class_init (AgWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  /* A window opens its store by location: every backend of the build, known once. */
  ag_backends_register ();

  object_class->constructed = ag_window_constructed;
  object_class->dispose = ag_window_dispose;
  object_class->finalize = ag_window_finalize;
  object_class->get_property = ag_window_get_property;
  object_class->set_property = ag_window_set_property;

  window_class->close_request = ag_window_close_request;

  ag_window_properties[PROP_STORE_PATH]
    = g_param_spec_string ("store-path", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  ag_window_properties[PROP_TRAINING]
    = g_param_spec_boolean ("training", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  ag_window_properties[PROP_STORE] = g_param_spec_object (
    "store", NULL, NULL, AG_TYPE_STORE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  ag_window_properties[PROP_STATE]
    = g_param_spec_int ("state", NULL, NULL, AG_WINDOW_STATE_OPENING, AG_WINDOW_STATE_LOCKED,
                        AG_WINDOW_STATE_OPENING, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The guard to sign in with; by default the window makes its own for the user running
   * it. An unlocked guard is locked first: a window never starts unlocked. */
  ag_window_properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where the policy layers are read from; %NULL for the standard places. */
  ag_window_properties[PROP_POLICY_PATHS]
    = g_param_spec_boxed ("policy-paths", NULL, NULL, AG_TYPE_POLICY_PATHS,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The desktop's screen lock and sleep; by default the application's, and none for a
   * window without an #AgApplication. */
  ag_window_properties[PROP_DESKTOP_MONITOR]
    = g_param_spec_object ("desktop-monitor", NULL, NULL, AG_TYPE_DESKTOP_MONITOR,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where desktop notifications go; by default the application's, and none for a window
   * without an #AgApplication. */
  ag_window_properties[PROP_NOTIFIER]
    = g_param_spec_object ("notifier", NULL, NULL, AG_TYPE_NOTIFIER,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, ag_window_properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-window.ui");
  /* A spinning GtkSpinner animates on a stack page that is not shown too, and makes the
   * window lay out and redraw every frame, which also delays the frame that shows a lock
   * by up to a refresh. The window's spinners spin only while mapped. */
  gtk_widget_class_bind_template_callback_full (widget_class, "spinner_mapped",
                                                G_CALLBACK (gtk_spinner_start));
  gtk_widget_class_bind_template_callback_full (widget_class, "spinner_unmapped",
                                                G_CALLBACK (gtk_spinner_stop));
  gtk_widget_class_bind_template_child (widget_class, AgWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, status_stack);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, status_title);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, no_store_command);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, no_store_demo_command);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, error_detail);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, sidebar_title);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, results_stack);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, search_error_page);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, results_list);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, AgWindow, record_error_page);
  ag_window_class_init_search (widget_class);
  ag_window_class_init_actions (widget_class);
}

static void
ag_window_init (AgWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ag_window_init_search (self);
}

/**
 * ag_window_new:
 * @application: (nullable): the application
 * @store_path: (nullable): the store to open, or %NULL for
 *   `$XDG_DATA_HOME/agent-guard/store.db`
 * @training: whether the window is in training mode
 *
 * Returns: (transfer full): a new window, already opening its store
 */
AgWindow *
ag_window_new (GtkApplication *application, const char *store_path, gboolean training)
{
  g_return_val_if_fail (application == NULL || GTK_IS_APPLICATION (application), NULL);

  return g_object_new (AG_TYPE_WINDOW, "application", application, "store-path", store_path,
                       "training", training, NULL);
}

const char *
ag_window_get_store_path (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), NULL);

  return self->store_path;
}

/**
 * ag_window_get_store:
 *
 * Returns: (transfer none) (nullable): the open store, or %NULL
 */
AgStore *
ag_window_get_store (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), NULL);

  return self->session != NULL ? ag_session_get_store (self->session) : NULL;
}

AgWindowState
ag_window_get_state (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), AG_WINDOW_STATE_ERROR);

  return ag_window_is_unlocked (self) ? self->state : AG_WINDOW_STATE_LOCKED;
}

/**
 * ag_window_get_guard:
 *
 * Returns: (transfer none): the guard that decides what the window may show
 */
AgGuard *
ag_window_get_guard (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), NULL);

  return self->guard;
}

/**
 * ag_window_get_session_watch:
 *
 * Returns: (transfer none): what watches the session beyond the records: input, the
 *   lock warning, focus loss
 */
AgSessionWatch *
ag_window_get_session_watch (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), NULL);

  return self->session_watch;
}

/* Whether the window is in training mode: asked for, or because its user is a trainee. */
gboolean
ag_window_get_training (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), FALSE);

  return self->session != NULL ? ag_session_get_training (self->session) : self->training;
}

/**
 * ag_window_set_application_services:
 * @notifier: the application's notifier
 * @desktop_monitor: the application's desktop monitor
 *
 * Called by #AgApplication for each window it gets ("application" is set after
 * construction): the window uses the application's notifier and desktop monitor unless it
 * was given its own. The window knows nothing of the application's type.
 */
void
ag_window_set_application_services (AgWindow *self, AgNotifier *notifier,
                                    AgDesktopMonitor *desktop_monitor)
{
  g_return_if_fail (AG_IS_WINDOW (self));
  g_return_if_fail (AG_IS_NOTIFIER (notifier));
  g_return_if_fail (AG_IS_DESKTOP_MONITOR (desktop_monitor));

  if (self->session_watch == NULL)
    return;
  if (self->notifier == NULL)
    {
      /* One process has one user, so every window of the application has this mode. */
      ag_notifier_set_training (notifier, ag_session_get_training (self->session));
      ag_session_watch_set_notifier (self->session_watch, notifier);
    }
  if (self->desktop_monitor == NULL)
    ag_session_watch_set_desktop_monitor (self->session_watch, desktop_monitor);
}
