/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-window"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-list-keynav.h"
#include "ag-pii.h"
#include "ag-window-private.h"

/*
 * AgWindow's search and record: the search entry and its results (a search by an
 * identifier runs on Return only), the keys between them, and opening the customer a
 * result names.
 */

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
      detail = ag_window_format_technical_detail (error);
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
  if (query[0] == '\0' || ag_window_get_store (self) == NULL || !ag_window_is_unlocked (self)
      || ag_pii_identifier_kinds (query) != 0)
    {
      gtk_list_box_bind_model (self->results_list, NULL, NULL, NULL, NULL);
      g_clear_object (&self->results);
      /* A search by an identifier is an access, ledgered and counted: it runs when the
       * agent presses Return, never for each digit typed. */
      gtk_stack_set_visible_child_name (
        self->results_stack,
        query[0] == '\0' || !ag_window_is_unlocked (self) ? "hint" : "identifier");
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
  if (query[0] != '\0' && ag_window_get_store (self) != NULL && ag_window_is_unlocked (self))
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

  if (!ag_window_is_unlocked (self) || self->state != AG_WINDOW_STATE_READY)
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
      detail = ag_window_format_technical_detail (error);
      adw_status_page_set_description (self->record_error_page, detail);
      gtk_stack_set_visible_child_name (self->content_stack, "record-error");
      return;
    }

  ag_record_page_set_record (self->record_page, record);
  gtk_stack_set_visible_child_name (self->content_stack, "record");
}

void
ag_window_show_record (AgWindow *self, const char *id)
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
  ag_store_get_record_async (ag_window_get_store (self), id, self->record_cancellable,
                             get_record_done_cb, g_object_ref (self));
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
  ag_window_show_record (self, ag_record_get_id (record));
  select_shown_row (self);
  /* Folded, the record is a page further on; unfolded it is already in sight, and the
   * focus stays in the results. */
  if (adw_leaflet_get_folded (self->leaflet))
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
ag_window_class_init_search (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_text_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

void
ag_window_init_search (AgWindow *self)
{
  GtkEventController *controller;

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
