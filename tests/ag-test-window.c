/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include "ag-test-window.h"

#include <gdk/x11/gdkx.h>

#include "ag-masked-label.h"
#include "ag-sqlite-store.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"

/* Looking at widgets -------------------------------------------------------------------- */

/* The first widget of @root's tree, @root included, depth first, for which @predicate
 * holds. */
GtkWidget *
ag_test_find_widget (GtkWidget *root, AgTestWidgetPredicate predicate, gconstpointer data)
{
  if (predicate (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ag_test_find_widget (child, predicate, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
is_of_type (GtkWidget *widget, gconstpointer data)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (data));
}

/* The first widget of @type in @root's tree, @root included, depth first. */
GtkWidget *
ag_test_find_type (GtkWidget *root, GType type)
{
  return ag_test_find_widget (root, is_of_type, GSIZE_TO_POINTER (type));
}

/* Adds every widget of @type in @root's tree to @found, in tree order. */
void
ag_test_collect_type (GtkWidget *root, GType type, GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ag_test_collect_type (child, type, found);
}

static gboolean
is_label_with_text (GtkWidget *widget, gconstpointer data)
{
  return GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), data) == 0;
}

static gboolean
is_mapped_label_with_text (GtkWidget *widget, gconstpointer data)
{
  return is_label_with_text (widget, data) && gtk_widget_get_mapped (widget);
}

/* The first label showing exactly @text; only a mapped one when @mapped. */
GtkWidget *
ag_test_find_label (GtkWidget *root, const char *text, gboolean mapped)
{
  return ag_test_find_widget (root, mapped ? is_mapped_label_with_text : is_label_with_text, text);
}

/* Adds to @texts (of g_strdup()ed strings, NULLs included) every text a widget of
 * @widget's tree holds, shown or not: labels, entries, window titles, row titles and
 * subtitles, the masked form of masked labels, tooltips. */
void
ag_test_collect_texts (GtkWidget *widget, GPtrArray *texts)
{
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_label (GTK_LABEL (widget))));
  if (GTK_IS_EDITABLE (widget))
    g_ptr_array_add (texts, g_strdup (gtk_editable_get_text (GTK_EDITABLE (widget))));
  if (GTK_IS_WINDOW (widget))
    g_ptr_array_add (texts, g_strdup (gtk_window_get_title (GTK_WINDOW (widget))));
  if (ADW_IS_PREFERENCES_ROW (widget))
    g_ptr_array_add (texts,
                     g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget))));
  if (ADW_IS_ACTION_ROW (widget))
    g_ptr_array_add (texts, g_strdup (adw_action_row_get_subtitle (ADW_ACTION_ROW (widget))));
  if (AG_IS_MASKED_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (ag_masked_label_get_masked (AG_MASKED_LABEL (widget))));
  if (tooltip != NULL)
    g_ptr_array_add (texts, g_strdup (tooltip));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ag_test_collect_texts (child, texts);
}

/* The reveal dialog --------------------------------------------------------------------- */

AgRevealDialog *
ag_test_find_reveal_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (AG_IS_REVEAL_DIALOG (window))
        return AG_REVEAL_DIALOG (window);
    }
  return NULL;
}

/* The dialog's Reveal button: its suggested action (not the ticket row's apply button). */
GtkWidget *
ag_test_reveal_dialog_button (AgRevealDialog *dialog)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();

  ag_test_collect_type (GTK_WIDGET (dialog), GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (gtk_widget_has_css_class (button, "suggested-action")
          && gtk_widget_get_ancestor (button, ADW_TYPE_ENTRY_ROW) == NULL)
        return button;
    }
  g_error ("The reveal dialog has no Reveal button");
  return NULL;
}

/* Reveals the field of @row as an agent does: activates the row, chooses @reason in the
 * dialog and clicks Reveal. Returns the reveal; fails the test when the dialog refuses. */
AgReveal *
ag_test_reveal_field (AgFieldRow *row, const char *reason)
{
  AgRevealDialog *dialog;
  GtkWidget *button;

  g_signal_emit_by_name (row, "activate");
  AG_TEST_WAIT_UNTIL ((dialog = ag_test_find_reveal_dialog ()) != NULL
                      && gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_true (ag_reveal_dialog_select_reason (dialog, reason));
  button = ag_test_reveal_dialog_button (dialog);
  /* Reveal is insensitive while the guard works; then the value shows or the dialog says
   * why not. (The dialog may be finalized well after it closed: do not wait for that.) */
  g_object_ref (button);
  g_signal_emit_by_name (button, "clicked");
  AG_TEST_WAIT_UNTIL (ag_field_row_get_reveal (row) != NULL || gtk_widget_get_sensitive (button));
  g_object_unref (button);
  if (ag_field_row_get_reveal (row) == NULL)
    g_error ("A reveal was refused");
  /* A revealed value closes the dialog. */
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);
  ag_test_spin ();
  return ag_field_row_get_reveal (row);
}

/* Real key presses ------------------------------------------------------------------------- */

static void
xdotool (const char *arguments)
{
  g_autofree char *command = g_strdup_printf ("xdotool %s", arguments);
  g_autoptr (GError) error = NULL;
  int status;

  g_spawn_command_line_sync (command, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

/* Presses @keys, in xdotool's names ("Return", "shift+Tab Down space"), as a keyboard does:
 * through the X server (XTEST), with the X input focus on @window first. Returns once GTK
 * has read and handled them: the events of a key reach GTK before the answer to a round
 * trip made after it, and GTK handles a key event as it reads it. */
void
ag_test_press_keys (GtkWindow *window, const char *keys)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *focus = NULL;
  g_autofree char *press = NULL;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  focus = g_strdup_printf ("windowfocus --sync %lu", (gulong) gdk_x11_surface_get_xid (surface));
  xdotool (focus);
  AG_TEST_WAIT_UNTIL (gtk_window_is_active (window));
  press = g_strdup_printf ("key --clearmodifiers %s", keys);
  xdotool (press);
  gdk_display_sync (gtk_widget_get_display (GTK_WIDGET (window)));
  ag_test_spin ();
}

/* Types @text (ASCII) as a keyboard does, through the X server, into whatever has the
 * focus in @window; returns once GTK has handled the keys. */
void
ag_test_type_text (GtkWindow *window, const char *text)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *focus = NULL;
  g_autofree char *quoted = g_shell_quote (text);
  g_autofree char *type = NULL;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  focus = g_strdup_printf ("windowfocus --sync %lu", (gulong) gdk_x11_surface_get_xid (surface));
  xdotool (focus);
  AG_TEST_WAIT_UNTIL (gtk_window_is_active (window));
  type = g_strdup_printf ("type --clearmodifiers --delay 1 -- %s", quoted);
  xdotool (type);
  gdk_display_sync (gtk_widget_get_display (GTK_WIDGET (window)));
  ag_test_spin ();
}

/* The lock page -------------------------------------------------------------------------- */

/* The prompt entry of @page that has the keyboard focus, or NULL. */
GtkWidget *
ag_test_focused_prompt (GtkWidget *page)
{
  GtkRoot *root = gtk_widget_get_root (page);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *entry;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, page))
    return NULL;
  entry = gtk_widget_get_ancestor (focus, GTK_TYPE_PASSWORD_ENTRY);
  if (entry == NULL)
    entry = gtk_widget_get_ancestor (focus, GTK_TYPE_ENTRY);
  return entry;
}

static void
attempt_ended_cb (AgGuard *guard, GParamSpec *pspec, gpointer user_data)
{
  gboolean *ended = user_data;

  if (ag_guard_get_state (guard) != AG_GUARD_STATE_AUTHENTICATING)
    *ended = TRUE;
}

/* Answers each prompt as it comes, by its title, as an agent does: typing into the entry
 * that has the focus (the page puts it there) and pressing Return, until the attempt
 * running now ends (the page may already have started the next when this returns). */
void
ag_test_answer_prompts (GtkWidget *page, AgGuard *guard, const char *password, const char *code)
{
  GtkWindow *window = GTK_WINDOW (gtk_widget_get_root (page));
  gboolean ended = ag_guard_get_state (guard) != AG_GUARD_STATE_AUTHENTICATING;
  gulong id = g_signal_connect (guard, "notify::state", G_CALLBACK (attempt_ended_cb), &ended);

  while (TRUE)
    {
      g_autoptr (GtkWidget) entry = NULL;
      const char *title;

      AG_TEST_WAIT_UNTIL (
        ended
        || (ag_test_focused_prompt (page) != NULL
            && gtk_editable_get_editable (GTK_EDITABLE (ag_test_focused_prompt (page)))));
      if (ended)
        break;

      /* The page drops the prompt when its answer goes: keep it for the check. */
      entry = g_object_ref (ag_test_focused_prompt (page));
      title = ag_test_prompt_title (entry);
      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
      if (strstr (title, "Password") != NULL || strstr (title, "Senha") != NULL)
        ag_test_type_text (window, password);
      else
        ag_test_type_text (window, code);
      ag_test_press_keys (window, "Return");
      /* Sent (or on to the next prompt): the entry is emptied as the answers go. */
      AG_TEST_WAIT_UNTIL (ended || ag_test_focused_prompt (page) != entry);
      if (gtk_widget_get_root (entry) == NULL)
        g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
    }
  g_signal_handler_disconnect (guard, id);
}

/* Signs in on the lock page inside @root with the right password and the code of @step,
 * typing them into the entries the page focuses, as an agent does. */
void
ag_test_sign_in (GtkWidget *root, AgGuard *guard, guint step)
{
  g_autofree char *code = ag_test_pam_code (step);
  GtkWidget *page = ag_test_find_lock_page (root);

  g_assert_nonnull (page);
  g_assert_cmpint (ag_guard_get_state (guard), !=, AG_GUARD_STATE_UNLOCKED);
  g_assert_true (gtk_widget_get_mapped (page));
  /* The page starts the sign-in by itself and puts the focus in the password entry. */
  AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) == AG_GUARD_STATE_AUTHENTICATING
                      && ag_test_focused_prompt (page) != NULL);
  ag_test_answer_prompts (page, guard, AG_TEST_PASSWORD, code);
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_UNLOCKED);
}

/* The window ----------------------------------------------------------------------------- */

/* A new window on the store at @store_path, shown, signed in through the test PAM stack of
 * ag-test-pam.h and ready to search. @paths and @monitor may be NULL. */
AgWindow *
ag_test_open_signed_in_window (const char *store_path, AgGuard *guard, AgPolicyPaths *paths,
                               AgDesktopMonitor *monitor)
{
  AgWindow *window = g_object_new (AG_TYPE_WINDOW, "store-path", store_path, "guard", guard,
                                   "policy-paths", paths, "desktop-monitor", monitor, NULL);

  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  ag_test_sign_in (GTK_WIDGET (window), guard, 0);
  AG_TEST_WAIT_UNTIL (ag_window_get_state (window) == AG_WINDOW_STATE_READY);
  ag_test_spin ();
  return window;
}

/* Destroys @window and waits until its guard has finished its work (the ledger writer). */
void
ag_test_close_window (AgWindow *window)
{
  AgGuard *guard = g_object_ref (ag_window_get_guard (window));

  gtk_window_destroy (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (ag_guard_get_n_running (guard) == 0);
  g_object_unref (guard);
  ag_test_spin ();
}

/* The search result row of customer @id, once it is in sight. */
GtkWidget *
ag_test_find_result_row (GtkWidget *window, const char *id)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  ag_test_collect_type (window, ADW_TYPE_ACTION_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);

      if (!AG_IS_FIELD_ROW (row) && gtk_widget_get_mapped (row)
          && g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), id) == 0)
        return row;
    }
  return NULL;
}

/* Opens customer @id through the search, as an agent does, and returns its record page. */
AgRecordPage *
ag_test_open_customer (AgWindow *window, const char *id)
{
  GtkWidget *search = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  GtkWidget *row;
  GtkWidget *page;

  /* Ctrl+F: back to the search (the window may be folded on the record). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  gtk_editable_set_text (GTK_EDITABLE (search), id);
  AG_TEST_WAIT_UNTIL ((row = ag_test_find_result_row (GTK_WIDGET (window), id)) != NULL);
  g_signal_emit_by_name (row, "activate");
  AG_TEST_WAIT_UNTIL (
    (page = ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE)) != NULL
    && ag_record_page_get_record (AG_RECORD_PAGE (page)) != NULL
    && g_str_equal (ag_record_get_id (ag_record_page_get_record (AG_RECORD_PAGE (page))), id));
  ag_test_spin ();
  return AG_RECORD_PAGE (page);
}

/* The row of @page's field of @kind; fails the test when there is none. */
AgFieldRow *
ag_test_find_field_row (AgRecordPage *page, AgPiiKind kind)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  ag_test_collect_type (GTK_WIDGET (page), AG_TYPE_FIELD_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    {
      AgFieldRow *row = g_ptr_array_index (rows, i);

      if (ag_field_get_kind (ag_field_row_get_field (row)) == kind)
        return row;
    }
  g_error ("No row for %s", ag_pii_kind_to_string (kind));
  return NULL;
}

static gboolean
collect_event_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  GString *events = user_data;

  /* Everything these tests do, they do as the user running them. */
  g_assert_cmpstr (entry->user, ==, g_get_user_name ());
  g_string_append_printf (events, "%s%s%s ", ag_ledger_event_to_string (entry->event),
                          entry->cause != NULL ? ":" : "",
                          entry->cause != NULL ? entry->cause : "");
  return TRUE;
}

/* The window's ledger, oldest first, as "login reveal remask:expired lock:manual ". */
char *
ag_test_ledger_events (AgWindow *window)
{
  g_autoptr (GError) error = NULL;
  GString *events = g_string_new ("");
  AgLedgerFilter filter = { 0 };

  /* What the guard handed to its ledger writer is written first. */
  ag_guard_flush_ledger (ag_window_get_guard (window));
  g_assert_true (ag_sqlite_store_foreach_event (AG_SQLITE_STORE (ag_window_get_store (window)),
                                                &filter, collect_event_cb, events, &error));
  g_assert_no_error (error);
  return g_string_free (events, FALSE);
}
