/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-application.h"
#include "ag-keyring.h"
#include "ag-list-keynav.h"
#include "ag-lock-page.h"
#include "ag-pii.h"
#include "ag-policy-notice.h"
#include "ag-policy-source.h"
#include "ag-record-page.h"
#include "ag-session-watch.h"
#include "ag-store.h"
#include "ag-window.h"

/**
 * AgWindow:
 *
 * The main window: a search entry and the results on the left, the selected customer's
 * record on the right, in an #AdwLeaflet that folds on narrow screens. Before that it
 * opens the store and says clearly when there is none or it cannot be opened.
 *
 * The window title is always "Agent Guard": a customer's name only ever appears inside
 * the window, where locking can take it away.
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
 */
struct _AgWindow
{
  AdwApplicationWindow parent_instance;

  char *store_path;
  gboolean training;
  AgStore *store;
  AgWindowState state; /* of the store; LOCKED is the guard's */
  GSettings *settings;
  AgGuard *guard;
  AgPolicyPaths *policy_paths;
  AgPolicySource *policy_source;
  char *locked_record_id;
  char *session_id;
  GPtrArray *pending_entries; /* AgLedgerEntry*: events before the store was open */
  /* The sign-in held on the lock page until its entry is committed (ag_guard_hold_unlock()),
   * and that entry while the store is being opened for it. */
  guint sign_in_hold;
  AgLedgerEntry *sign_in_entry;

  GCancellable *open_cancellable;
  gboolean opening; /* the store is being opened */
  GCancellable *search_cancellable;
  /* Return asked for a search by an identifier: open its first result when it comes. */
  gboolean open_first_result;
  /* The text changed since the last search started (the entry waits a moment before
   * ::search-changed): what the list shows is not for the text in the entry. */
  gboolean results_stale;
  GCancellable *record_cancellable;
  GListModel *results;
  char *shown_id; /* the customer on screen, or being fetched for it */

  GtkStack *main_stack;
  GtkStack *status_stack;
  AdwWindowTitle *status_title;
  GtkLabel *no_store_command;
  GtkLabel *no_store_demo_command;
  AdwStatusPage *error_page;
  GtkLabel *error_detail;
  AdwLeaflet *leaflet;
  AdwWindowTitle *sidebar_title;
  GtkSearchEntry *search_entry;
  GtkStack *results_stack;
  AdwStatusPage *search_error_page;
  GtkListBox *results_list;
  GtkStack *content_stack;
  AdwStatusPage *record_error_page;
  AgRecordPage *record_page; /* NULL while locked */
  AgLockPage *lock_page;
  AgSessionWatch *session_watch; /* idle input, lock warning, focus loss, minimise */
  AgDesktopMonitor *desktop_monitor;
  AgNotifier *notifier;
};

G_DEFINE_FINAL_TYPE (AgWindow, ag_window, ADW_TYPE_APPLICATION_WINDOW)

enum
{
  PROP_0,
  PROP_STORE_PATH,
  PROP_TRAINING,
  PROP_STORE,
  PROP_STATE,
  PROP_GUARD,
  PROP_POLICY_PATHS,
  PROP_DESKTOP_MONITOR,
  PROP_NOTIFIER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
open_store (AgWindow *self);

/* Error texts ---------------------------------------------------------------------------- */

/* Says what went wrong in words an agent understands; the technical line is for IT. Store
 * and keyring errors never carry a PII value (DESIGN §9), so their message may be shown. */
static void
describe_store_error (const GError *error, const char **icon_name, const char **title,
                      const char **description)
{
  *icon_name
    = error->domain == AG_KEYRING_ERROR ? "dialog-password-symbolic" : "dialog-error-symbolic";

  if (g_error_matches (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_UNAVAILABLE))
    {
      *title = _("The Keyring Is Not Available");
      *description = _("The key to the customer records is kept in your keyring, and no "
                        "keyring service answered. Log out and in again; if that does not "
                        "help, call IT.");
    }
  else if (g_error_matches (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND))
    {
      *title = _("The Key to the Customer Records Is Missing");
      *description = _("Your keyring has no key for these customer records. They may have "
                        "been set up for another user or on another computer. Call IT.");
    }
  else if (g_error_matches (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_CORRUPT))
    {
      *title = _("The Key to the Customer Records Is Damaged");
      *description = _("The key kept in your keyring cannot be used. Call IT.");
    }
  else if (error->domain == AG_KEYRING_ERROR)
    {
      *title = _("The Keyring Could Not Be Used");
      *description = _("Your keyring may be locked. Unlock it, or log out and in again, "
                        "then try again.");
    }
  else if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT))
    {
      *title = _("The Customer Records Are Damaged");
      *description = _("The customer records file cannot be read. Call IT: they can "
                        "restore it from a backup or import the records again.");
    }
  else if (error->domain == G_IO_ERROR
           || g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_IO))
    {
      *title = _("The Customer Records Could Not Be Read");
      *description = _("The customer records file could not be read. Check that you may "
                        "read it, or call IT.");
    }
  else
    {
      *title = _("The Customer Records Could Not Be Opened");
      *description = _("Something went wrong while opening the customer records. Try "
                        "again; if it keeps happening, call IT.");
    }
}

static char *
format_technical_detail (const GError *error)
{
  /* Translators: the line under an error for IT staff; the first %s is an error domain
   * such as "ag-keyring-error-quark", %d its code and the last %s the developer's
   * message, in English. */
  return g_strdup_printf (_("Technical detail: %s %d: %s"), g_quark_to_string (error->domain),
                          error->code, error->message);
}

/* States ------------------------------------------------------------------------------------ */

static gboolean
is_unlocked (AgWindow *self)
{
  return self->guard != NULL && ag_guard_get_state (self->guard) == AG_GUARD_STATE_UNLOCKED;
}

static void
show_state (AgWindow *self)
{
  if (!is_unlocked (self))
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

static void
set_state (AgWindow *self, AgWindowState state)
{
  gboolean changed = self->state != state;

  self->state = state;
  show_state (self);
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* Drops every customer from the window: the results and the record page with its
 * widgets. */
static void
forget_customers (AgWindow *self)
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

/* The ledger ---------------------------------------------------------------------------- */

/* Hands what happened to the guard's ledger writer, in order; what happened before the
 * store was open (the first sign-in and its failures) waits until it is. The writes happen
 * off the main thread: a lock never waits on the disk to show the lock page. */
static void
flush_ledger (AgWindow *self)
{
  g_autofree gpointer *entries = NULL;
  gsize n_entries = 0;

  if (self->store == NULL)
    return;
  entries = g_ptr_array_steal (self->pending_entries, &n_entries);
  for (gsize i = 0; i < n_entries; i++)
    ag_guard_ledger_later (self->guard, entries[i]);
}

static void
sign_in_committed_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  guint hold = self->sign_in_hold;

  self->sign_in_hold = 0;
  ag_guard_ledger_finish (AG_GUARD (object), result, &error);
  if (hold != 0)
    ag_guard_release_unlock (self->guard, hold, error);
}

/* The sign-in's `login` or `unlock` entry is committed before the guard unlocks: a ledger
 * that cannot take it keeps the session locked, and the lock page says why (issue 18). The
 * first sign-in comes before the store is open: it is opened for it, off the main thread,
 * and the entry goes in after what happened before (the failed attempts). With no store
 * at all, or one that does not open, there is nothing to ledger nor to see: the window
 * unlocks to say so, and the entry waits for the store with the others. */
static void
commit_sign_in (AgWindow *self)
{
  if (self->store != NULL)
    {
      flush_ledger (self);
      ag_guard_ledger_async (self->guard, g_steal_pointer (&self->sign_in_entry), NULL,
                             sign_in_committed_cb, g_object_ref (self));
      return;
    }
  if (g_file_test (self->store_path, G_FILE_TEST_EXISTS))
    {
      if (!self->opening)
        open_store (self);
      return;
    }
  g_ptr_array_add (self->pending_entries, g_steal_pointer (&self->sign_in_entry));
  ag_guard_release_unlock (self->guard, self->sign_in_hold, NULL);
  self->sign_in_hold = 0;
}

/* The store did not open for the held sign-in: the entry waits with the others. */
static void
release_sign_in_unopened (AgWindow *self)
{
  guint hold = self->sign_in_hold;

  if (hold == 0)
    return;
  self->sign_in_hold = 0;
  if (self->sign_in_entry != NULL)
    g_ptr_array_add (self->pending_entries, g_steal_pointer (&self->sign_in_entry));
  ag_guard_release_unlock (self->guard, hold, NULL);
}

static void
guard_event_cb (const AgGuardEvent *event, gpointer user_data)
{
  AgWindow *self = user_data;
  AgLedgerEntry *entry = ag_guard_event_to_ledger_entry (
    event, self->session_id, self->training ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE);

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

/* The policy ------------------------------------------------------------------------------ */

/* DESIGN §6: a live policy change is ledgered, with the version now in force, and so is
 * each refused layer, with its file and the class of its problem (never a value). */
static void
ledger_policy_event (AgWindow *self, AgLedgerEvent event, AgPolicy *policy, char *cause)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (event);

  entry->user = g_strdup (ag_guard_get_user (self->guard));
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_strdup (self->session_id);
  entry->mode = self->training ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE;
  entry->policy_version = g_strdup (ag_policy_get_version (policy));
  entry->cause = cause;
  g_ptr_array_add (self->pending_entries, entry);
  flush_ledger (self);
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
                       ag_policy_source_get_policy (self->policy_source),
                       ag_policy_refusal_to_cause (refusal));
}

static void
watch_policy (AgWindow *self)
{
  g_auto (GStrv) groups = ag_policy_get_user_groups (ag_guard_get_user (self->guard));
  g_autoptr (AgPolicyPaths) default_paths = NULL;
  GPtrArray *refusals;

  if (self->policy_paths == NULL)
    default_paths = ag_policy_paths_new_default ();
  /* Each layer stands or falls alone: a refused one leaves the layers below it in force
   * (DESIGN §6). The source logs why, without any customer data, and every refusal is
   * ledgered: those of the first load here, later ones as they come. */
  self->policy_source
    = ag_policy_source_new (self->policy_paths != NULL ? self->policy_paths : default_paths,
                            ag_guard_get_user (self->guard), (const char *const *) groups);
  ag_guard_set_policy (self->guard, ag_policy_source_get_policy (self->policy_source));
  g_signal_connect_object (self->policy_source, "changed", G_CALLBACK (policy_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->policy_source, "refused", G_CALLBACK (policy_refused_cb), self,
                           G_CONNECT_SWAPPED);
  refusals = ag_policy_source_get_refusals (self->policy_source);
  for (guint i = 0; i < refusals->len; i++)
    policy_refused_cb (self, g_ptr_array_index (refusals, i));
  /* The agent sees each line of their own file that is ignored. */
  ag_policy_notice_add_to_window (ADW_APPLICATION_WINDOW (self), self->policy_source);
}

/* Opening the store --------------------------------------------------------------------- */

static void
open_store_thread (GTask *task, gpointer source_object, gpointer task_data,
                   GCancellable *cancellable)
{
  const char *location = task_data;
  GError *error = NULL;
  AgStore *store;

  store = ag_store_open (location, AG_STORE_OPEN_DEFAULT, cancellable, &error);
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

static void
open_store_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgWindow) self = user_data;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *detail = NULL;
  const char *icon_name, *title, *description;

  store = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->opening = FALSE;
  if (store == NULL)
    {
      g_message ("Could not open the store: %s", error->message);
      describe_store_error (error, &icon_name, &title, &description);
      detail = format_technical_detail (error);
      adw_status_page_set_icon_name (self->error_page, icon_name);
      adw_status_page_set_title (self->error_page, title);
      adw_status_page_set_description (self->error_page, description);
      gtk_label_set_text (self->error_detail, detail);
      set_state (self, AG_WINDOW_STATE_ERROR);
      release_sign_in_unopened (self);
      return;
    }

  g_set_object (&self->store, store);
  ag_guard_set_store (self->guard, self->store, self->session_id,
                      self->training ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
  if (self->sign_in_entry != NULL)
    commit_sign_in (self);
  else
    flush_ledger (self);
  set_state (self, AG_WINDOW_STATE_READY);
}

static void
update_no_store_command (AgWindow *self)
{
  g_autofree char *default_path = NULL;
  g_autofree char *store_option = NULL;
  g_autofree char *command = NULL;
  g_autofree char *demo_command = NULL;

  default_path = g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);
  if (g_strcmp0 (default_path, self->store_path) == 0)
    store_option = g_strdup ("");
  else
    {
      g_autofree char *quoted = g_shell_quote (self->store_path);
      store_option = g_strdup_printf (" --store %s", quoted);
    }

  /* Translators: the placeholder for the file to import in a command line. */
  command = g_strdup_printf ("agent-guard-admin import%s %s", store_option, _("FILE"));
  demo_command = g_strdup_printf ("agent-guard-admin generate%s --count 1000", store_option);
  gtk_label_set_text (self->no_store_command, command);
  gtk_label_set_text (self->no_store_demo_command, demo_command);
}

static void
open_store (AgWindow *self)
{
  g_autoptr (GTask) task = NULL;

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  if (is_unlocked (self))
    ag_guard_remask_all (self->guard, AG_REMASK_CAUSE_RECORD_CHANGED);
  forget_customers (self);
  if (self->store != NULL)
    {
      ag_guard_set_store (self->guard, NULL, self->session_id,
                          self->training ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE);
      g_clear_object (&self->store);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
    }

  if (!g_file_test (self->store_path, G_FILE_TEST_EXISTS))
    {
      release_sign_in_unopened (self);
      update_no_store_command (self);
      set_state (self, AG_WINDOW_STATE_NO_STORE);
      return;
    }

  set_state (self, AG_WINDOW_STATE_OPENING);
  self->open_cancellable = g_cancellable_new ();
  self->opening = TRUE;
  task = g_task_new (self, self->open_cancellable, open_store_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, open_store);
  g_task_set_task_data (task, g_strdup (self->store_path), g_free);
  g_task_run_in_thread (task, open_store_thread);
}

/* Searching ----------------------------------------------------------------------------- */

static GtkWidget *
create_result_row (gpointer item, gpointer user_data)
{
  AgRecord *record = AG_RECORD (item);
  GtkWidget *row;

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ag_record_get_name (record));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), ag_record_get_id (record));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  return row;
}

static void
show_search_error (AgWindow *self, const GError *error)
{
  g_autofree char *detail = NULL;

  if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED))
    {
      guint max
        = ag_policy_get_max_identifier_searches_per_hour (ag_guard_get_policy (self->guard));

      adw_status_page_set_title (self->search_error_page, _("Search Limit Reached"));
      detail = g_strdup_printf (
        /* Translators: %u is the policy's max-identifier-searches-per-hour, such as 40. */
        g_dngettext (GETTEXT_PACKAGE,
                     "You have made the %u search by CPF, phone, e-mail or another "
                     "identifier allowed per hour. Search by name, or ask your supervisor.",
                     "You have made the %u searches by CPF, phone, e-mail or another "
                     "identifier allowed per hour. Search by name, or ask your supervisor.",
                     max),
        max);
    }
  else if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK))
    {
      adw_status_page_set_title (self->search_error_page, _("Records Open for Audit Only"));
      detail = g_strdup (_("This copy of the records is older than its audit ledger, so "
                            "searches by CPF, phone or e-mail are refused. Call IT."));
    }
  else
    {
      adw_status_page_set_title (self->search_error_page, _("The Search Failed"));
      detail = format_technical_detail (error);
    }
  adw_status_page_set_description (self->search_error_page, detail);
  gtk_stack_set_visible_child_name (self->results_stack, "search-error");
}

static gboolean
focus_first_result (AgWindow *self, gboolean activate);

static void
select_shown_row (AgWindow *self);

static void
search_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgWindow) self = user_data;
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;
  gboolean open_first = self->open_first_result;

  results = ag_guard_search_finish (AG_GUARD (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->search_cancellable);
  self->open_first_result = FALSE;

  if (results == NULL)
    {
      /* The query is what the agent typed, maybe a CPF: it is never logged. */
      g_message ("Search failed: %s", error->message);
      show_search_error (self, error);
      return;
    }

  g_set_object (&self->results, results);
  gtk_list_box_bind_model (self->results_list, self->results, create_result_row, NULL, NULL);
  select_shown_row (self);
  gtk_stack_set_visible_child_name (
    self->results_stack, g_list_model_get_n_items (results) > 0 ? "results" : "no-results");
  if (open_first)
    focus_first_result (self, TRUE);
}

static void
start_search (AgWindow *self, const char *query, gboolean open_first)
{
  self->search_cancellable = g_cancellable_new ();
  self->open_first_result = open_first;
  self->results_stale = FALSE;
  gtk_stack_set_visible_child_name (self->results_stack, "searching");
  ag_guard_search_async (self->guard, query, self->search_cancellable, search_done_cb,
                         g_object_ref (self));
}

static void
search_changed_cb (AgWindow *self)
{
  g_autofree char *query = NULL;

  /* Return already searched for this very text. */
  if (!self->results_stale)
    return;

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  self->open_first_result = FALSE;

  query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  if (query[0] == '\0' || self->store == NULL || !is_unlocked (self)
      || ag_pii_identifier_kinds (query) != 0)
    {
      gtk_list_box_bind_model (self->results_list, NULL, NULL, NULL, NULL);
      g_clear_object (&self->results);
      /* A search by an identifier is an access, ledgered and counted: it runs when the
       * agent presses Return, never for each digit typed. */
      gtk_stack_set_visible_child_name (
        self->results_stack, query[0] == '\0' || !is_unlocked (self) ? "hint" : "identifier");
      self->results_stale = FALSE;
      explicit_bzero (query, strlen (query));
      return;
    }

  start_search (self, query, FALSE);
}

static void
stop_search_cb (AgWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static gboolean
focus_first_result (AgWindow *self, gboolean activate)
{
  GtkListBoxRow *row;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->results_stack), "results") != 0)
    return FALSE;

  row = gtk_list_box_get_row_at_index (self->results_list, 0);
  if (row == NULL)
    return FALSE;

  gtk_widget_grab_focus (GTK_WIDGET (row));
  if (activate)
    g_signal_emit_by_name (row, "activate");
  return TRUE;
}

static void
search_text_changed_cb (AgWindow *self)
{
  self->results_stale = TRUE;
}

/* Return in the search entry opens the first result for the text as it is now: a list
 * left from an earlier text is never what is opened; a search by an identifier, which
 * only Return starts, is run first. */
static void
search_activate_cb (AgWindow *self)
{
  g_autofree char *query = NULL;
  gboolean identifier_page
    = g_strcmp0 (gtk_stack_get_visible_child_name (self->results_stack), "identifier") == 0;

  if (!self->results_stale && !identifier_page)
    {
      if (self->search_cancellable != NULL)
        self->open_first_result = TRUE; /* still searching: open it when it comes */
      else
        focus_first_result (self, TRUE);
      return;
    }

  g_cancellable_cancel (self->search_cancellable);
  g_clear_object (&self->search_cancellable);
  query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  if (query[0] != '\0' && self->store != NULL && is_unlocked (self))
    start_search (self, query, TRUE);
  explicit_bzero (query, strlen (query));
}

static gboolean
search_key_pressed_cb (AgWindow *self, guint keyval, guint keycode, GdkModifierType state,
                       GtkEventControllerKey *controller)
{
  if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) && (state & GDK_MODIFIER_MASK) == 0)
    return focus_first_result (self, FALSE);

  return GDK_EVENT_PROPAGATE;
}

/* Up from the first result goes back to the search entry, as Down there came down. */
static gboolean
results_keynav_failed_cb (AgWindow *self, GtkDirectionType direction)
{
  if (direction != GTK_DIR_UP)
    return FALSE;
  gtk_text_grab_focus_without_selecting (
    GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (self->search_entry))));
  return TRUE;
}

/* Typing on in the search results types on in the search entry. Only keys that type text
 * go there, and only from the results: Return, Escape, Backspace and the rest keep their
 * meaning where the focus is, and no key on the record ever reaches the search. GTK's own
 * key capture (gtk_search_entry_set_key_capture_widget()) forwards Return too, from
 * anywhere in the window, and the search entry's activation opened its first result: with
 * a field row of another customer focused, Return there once opened the first customer
 * instead of revealing the field (issue 18). */
static gboolean
window_key_pressed_cb (AgWindow *self, guint keyval, guint keycode, GdkModifierType state,
                       GtkEventControllerKey *controller)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  gunichar character = gdk_keyval_to_unicode (keyval);
  GtkWidget *text;

  if (!is_unlocked (self) || self->state != AG_WINDOW_STATE_READY)
    return GDK_EVENT_PROPAGATE;
  /* A dead key starts a letter too ("´" then "e" is "é" on a Brazilian keyboard). */
  if ((state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SUPER_MASK | GDK_META_MASK)) != 0
      || ((character == 0 || !g_unichar_isgraph (character))
          && (keyval < GDK_KEY_dead_grave || keyval > GDK_KEY_dead_greek)))
    return GDK_EVENT_PROPAGATE;
  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self->results_list)))
    return GDK_EVENT_PROPAGATE;

  text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (self->search_entry)));
  gtk_text_grab_focus_without_selecting (GTK_TEXT (text));
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
  return gtk_event_controller_key_forward (controller, text);
}

/* Showing a record ---------------------------------------------------------------------- */

static void
get_record_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgWindow) self = user_data;
  g_autoptr (AgRecord) record = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *detail = NULL;

  record = ag_store_get_record_finish (AG_STORE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->record_cancellable);

  if (record == NULL || self->record_page == NULL)
    {
      if (record != NULL)
        return;
      g_message ("Could not open a record: %s", error->message);
      detail = format_technical_detail (error);
      adw_status_page_set_description (self->record_error_page, detail);
      gtk_stack_set_visible_child_name (self->content_stack, "record-error");
      return;
    }

  ag_record_page_set_record (self->record_page, record);
  gtk_stack_set_visible_child_name (self->content_stack, "record");
}

static void
show_record (AgWindow *self, const char *id)
{
  AgRecord *shown = ag_record_page_get_record (self->record_page);

  if (shown != NULL && g_strcmp0 (ag_record_get_id (shown), id) == 0
      && self->record_cancellable == NULL)
    return;

  g_cancellable_cancel (self->record_cancellable);
  g_clear_object (&self->record_cancellable);
  g_free (self->shown_id);
  self->shown_id = g_strdup (id);

  /* A value revealed from the previous customer is hidden and ledgered `remask`. */
  ag_guard_remask_all (self->guard, AG_REMASK_CAUSE_RECORD_CHANGED);
  /* The previous customer's widgets go at once, not when the next record arrives. */
  ag_record_page_set_record (self->record_page, NULL);
  gtk_stack_set_visible_child_name (self->content_stack, "loading");

  self->record_cancellable = g_cancellable_new ();
  ag_store_get_record_async (self->store, id, self->record_cancellable, get_record_done_cb,
                             g_object_ref (self));
}

/* The selected result is the customer on screen, and only that: moving the focus through
 * the results with Tab or the arrows opens no record and marks none (issue 18). */
static void
select_shown_row (AgWindow *self)
{
  guint n_results = self->results != NULL ? g_list_model_get_n_items (self->results) : 0;

  for (guint i = 0; i < n_results && self->shown_id != NULL; i++)
    {
      g_autoptr (AgRecord) record = g_list_model_get_item (self->results, i);

      if (g_strcmp0 (ag_record_get_id (record), self->shown_id) == 0)
        {
          GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->results_list, (int) i);

          if (row != NULL && !gtk_list_box_row_is_selected (row))
            gtk_list_box_select_row (self->results_list, row);
          return;
        }
    }
  if (gtk_list_box_get_selected_row (self->results_list) != NULL)
    gtk_list_box_unselect_all (self->results_list);
}

static void
row_selected_cb (AgWindow *self, GtkListBoxRow *row)
{
  /* GTK selects the row the arrow keys move to; the selection goes back to the customer
   * on screen. (No row selected is what the results show while they are rebuilt.) */
  if (row != NULL)
    select_shown_row (self);
}

/* Enter on a result, or a click: the only ways a record opens. */
static void
row_activated_cb (AgWindow *self, GtkListBoxRow *row)
{
  g_autoptr (AgRecord) record = NULL;

  if (self->results != NULL)
    record = g_list_model_get_item (self->results, gtk_list_box_row_get_index (row));
  if (record == NULL)
    return;
  show_record (self, ag_record_get_id (record));
  select_shown_row (self);
  /* Folded, the record is a page further on; unfolded it is already in sight, and the
   * focus stays in the results. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

/* Actions and window state ------------------------------------------------------------- */

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  AgWindow *self = AG_WINDOW (widget);

  if (self->state != AG_WINDOW_STATE_READY)
    return;

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  AgWindow *self = AG_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
open_store_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  open_store (AG_WINDOW (widget));
}

static void
lock_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  AgWindow *self = AG_WINDOW (widget);

  ag_guard_lock (self->guard, AG_LOCK_CAUSE_MANUAL);
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
  forget_customers (self);
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
  gboolean unlocked = is_unlocked (self);

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
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      return;
    }

  create_customer_widgets (self);
  if (self->store == NULL && self->open_cancellable == NULL)
    open_store (self);
  else
    show_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);

  if (self->store != NULL && self->locked_record_id != NULL)
    {
      g_autofree char *id = g_steal_pointer (&self->locked_record_id);

      show_record (self, id);
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

/* The application's notifier and desktop monitor, unless the window was given its own. */
static void
application_changed_cb (AgWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  if (!AG_IS_APPLICATION (application) || self->session_watch == NULL)
    return;
  if (self->notifier == NULL)
    ag_session_watch_set_notifier (self->session_watch,
                                   ag_application_get_notifier (AG_APPLICATION (application)));
  if (self->desktop_monitor == NULL)
    ag_session_watch_set_desktop_monitor (
      self->session_watch, ag_application_get_desktop_monitor (AG_APPLICATION (application)));
}

static void
start_session_watch (AgWindow *self)
{
  self->session_watch
    = ag_session_watch_new (ADW_APPLICATION_WINDOW (self), self->guard, self->notifier);
  if (self->desktop_monitor != NULL)
    ag_session_watch_set_desktop_monitor (self->session_watch, self->desktop_monitor);
  /* "application" is set after construction (it is no construct property). */
  g_signal_connect (self, "notify::application", G_CALLBACK (application_changed_cb), NULL);
  application_changed_cb (self);
}

/* GObject --------------------------------------------------------------------------------- */

static void
ag_window_constructed (GObject *object)
{
  AgWindow *self = AG_WINDOW (object);

  G_OBJECT_CLASS (ag_window_parent_class)->constructed (object);

  if (self->store_path == NULL)
    self->store_path = g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);

  if (self->training)
    {
      adw_window_title_set_subtitle (self->sidebar_title, _("Training"));
      adw_window_title_set_subtitle (self->status_title, _("Training"));
    }

  restore_window_size (self);

  /* The store is opened after the first sign-in; until then only the lock page exists. */
  if (self->guard == NULL)
    {
      g_autoptr (GError) error = NULL;

      self->guard = ag_guard_new (&error);
      if (self->guard == NULL)
        g_error ("Cannot look up the user running Agent Guard: %s", error->message);
    }
  self->session_id = g_uuid_string_random ();
  self->pending_entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  ag_guard_set_event_sink (self->guard, guard_event_cb, self, NULL);
  watch_policy (self);
  self->lock_page = AG_LOCK_PAGE (ag_lock_page_new (self->guard));
  gtk_stack_add_named (self->main_stack, GTK_WIDGET (self->lock_page), "lock");
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
      ag_guard_set_store (self->guard, NULL, self->session_id,
                          self->training ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE);
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
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->session_watch);
  g_clear_object (&self->guard);
  g_clear_object (&self->policy_source);
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
  g_clear_pointer (&self->session_id, g_free);
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
        g_value_set_object (value, self->store);
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

  object_class->constructed = ag_window_constructed;
  object_class->dispose = ag_window_dispose;
  object_class->finalize = ag_window_finalize;
  object_class->get_property = ag_window_get_property;
  object_class->set_property = ag_window_set_property;

  window_class->close_request = ag_window_close_request;

  properties[PROP_STORE_PATH]
    = g_param_spec_string ("store-path", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TRAINING]
    = g_param_spec_boolean ("training", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, AG_TYPE_STORE,
                                                G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE]
    = g_param_spec_int ("state", NULL, NULL, AG_WINDOW_STATE_OPENING, AG_WINDOW_STATE_LOCKED,
                        AG_WINDOW_STATE_OPENING, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* The guard to sign in with; by default the window makes its own for the user running
   * it. An unlocked guard is locked first: a window never starts unlocked. */
  properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where the policy layers are read from; %NULL for the standard places. */
  properties[PROP_POLICY_PATHS]
    = g_param_spec_boxed ("policy-paths", NULL, NULL, AG_TYPE_POLICY_PATHS,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* The desktop's screen lock and sleep; by default the application's, and none for a
   * window without an #AgApplication. */
  properties[PROP_DESKTOP_MONITOR]
    = g_param_spec_object ("desktop-monitor", NULL, NULL, AG_TYPE_DESKTOP_MONITOR,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Where desktop notifications go; by default the application's, and none for a window
   * without an #AgApplication. */
  properties[PROP_NOTIFIER]
    = g_param_spec_object ("notifier", NULL, NULL, AG_TYPE_NOTIFIER,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_text_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.open-store", NULL, open_store_action);
  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock", NULL);
}

static void
ag_window_init (AgWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (search_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), controller);

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (window_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  ag_list_keynav_single_tab_stop (self->results_list);
  g_signal_connect_swapped (self->results_list, "keynav-failed",
                            G_CALLBACK (results_keynav_failed_cb), self);
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

  return self->store;
}

AgWindowState
ag_window_get_state (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), AG_WINDOW_STATE_ERROR);

  return is_unlocked (self) ? self->state : AG_WINDOW_STATE_LOCKED;
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

gboolean
ag_window_get_training (AgWindow *self)
{
  g_return_val_if_fail (AG_IS_WINDOW (self), FALSE);

  return self->training;
}
