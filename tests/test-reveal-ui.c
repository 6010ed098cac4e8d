/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The reveal UI under Xvfb: the reveal button and dialog of a field, the revealed value
 * with its countdown, its end (expiry on an injected guard clock, "Hide Now", a lock,
 * another customer) and the denials, signing in through real PAM (pam_matrix, pam_oath)
 * on a real store in a private keyring.
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>
#include <string.h>

#include "ag-auth-prompts.h"
#include "ag-application.h"
#include "ag-field-row.h"
#include "ag-keyring.h"
#include "ag-masked-label.h"
#include "ag-record-page.h"
#include "ag-reveal-dialog.h"
#include "ag-sqlite-store.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"
#include "ag-test-window.h"
#include "ag-window.h"

#define N_CUSTOMERS 20

typedef struct
{
  char *dir;
  char *store_path;
  char *store_id;
  char *policy_file;
  char *system_dir;
  GPtrArray *customers; /* AgCustomerData*, in clear */
  gint64 now;           /* the guard's clock */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  const char *policy = user_data;

  ag_test_pam_write_stack (NULL);
  fixture->dir = g_dir_make_tmp ("test-reveal-ui-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store_path = g_build_filename (fixture->dir, "store.db", NULL);
  fixture->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  fixture->store_id
    = ag_test_make_store (fixture->store_path, 20261205, N_CUSTOMERS, fixture->customers);
  /* The agent's own layer may only tighten the policy, which is all these tests need. */
  fixture->policy_file = g_build_filename (fixture->dir, "policy.conf", NULL);
  g_file_set_contents (fixture->policy_file, policy != NULL ? policy : "[policy]\n", -1, &error);
  g_assert_no_error (error);
  /* Only a system layer may turn remask-on-focus-loss off, and these tests must: Xvfb has
   * no window manager to give the focus back to the window when the reveal dialog closes,
   * so a slow run (ASan, load) would see a focus loss. test-side-channels tests the rule. */
  fixture->system_dir = g_build_filename (fixture->dir, "etc", NULL);
  g_assert_cmpint (g_mkdir (fixture->system_dir, 0755), ==, 0);
  {
    g_autofree char *system_file = g_build_filename (fixture->system_dir, "policy.conf", NULL);

    g_file_set_contents (system_file, "[policy]\nremask-on-focus-loss=false\n", -1, &error);
    g_assert_no_error (error);
  }
  fixture->now = g_get_real_time ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  ag_test_keep_glib_dirs ();
  ag_keyring_delete_keys (fixture->store_id, NULL, NULL);
  ag_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->store_path, g_free);
  g_clear_pointer (&fixture->store_id, g_free);
  g_clear_pointer (&fixture->policy_file, g_free);
  g_clear_pointer (&fixture->system_dir, g_free);
  g_clear_pointer (&fixture->customers, g_ptr_array_unref);
}

static gint64
fixture_clock (gpointer user_data)
{
  Fixture *fixture = user_data;

  return fixture->now;
}

/* Looking at widgets -------------------------------------------------------------------- */

/* A label showing @text, in sight. */
static GtkWidget *
find_label (GtkWidget *root, const char *text)
{
  return ag_test_find_label (root, text, TRUE);
}

static gboolean
has_tooltip (GtkWidget *widget, gconstpointer tooltip)
{
  return g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static GtkWidget *
find_tooltip (GtkWidget *root, const char *tooltip)
{
  return ag_test_find_widget (root, has_tooltip, tooltip);
}

static GtkWidget *
find_button (GtkWidget *root, const char *label)
{
  GtkWidget *found = find_label (root, label);

  return found != NULL ? gtk_widget_get_ancestor (found, GTK_TYPE_BUTTON) : NULL;
}

static void
assert_no_label_revealed (GtkWidget *root)
{
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  ag_test_collect_type (root, AG_TYPE_MASKED_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    g_assert_false (ag_masked_label_get_revealed (g_ptr_array_index (labels, i)));
}

/* No widget of any window, and no masked label, holds @value (in either form). */
static void
assert_nowhere (const char *value, AgPiiKind kind)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GListModel) toplevels = NULL;
  g_autofree char *formatted = ag_pii_format (kind, value);

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWidget) window = g_list_model_get_item (toplevels, i);

      ag_test_collect_texts (window, texts);
      assert_no_label_revealed (window);
    }
  g_assert_cmpuint (texts->len, >, 3);
  for (guint t = 0; t < texts->len; t++)
    {
      const char *text = g_ptr_array_index (texts, t);

      if (text != NULL && (strstr (text, value) != NULL || strstr (text, formatted) != NULL))
        g_error ("A widget holds a %s value: %s", ag_pii_kind_to_string (kind), text);
    }
}

/* Driving the window -------------------------------------------------------------------- */

static AgWindow *
open_window (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgPolicyPaths) paths = NULL;

  g_assert_no_error (error);
  ag_guard_set_clock (guard, fixture_clock, fixture);
  /* The test's system layer (focus loss off) and its own file; no supervisor layer. */
  paths = ag_policy_paths_new (fixture->system_dir, NULL, fixture->policy_file);
  return ag_test_open_signed_in_window (fixture->store_path, guard, paths, NULL);
}

/* Opens customer @index through the search and returns its record page. */
static AgRecordPage *
open_customer (AgWindow *window, Fixture *fixture, guint index)
{
  AgCustomerData *customer = g_ptr_array_index (fixture->customers, index);

  return ag_test_open_customer (window, customer->id);
}

static AgMaskedLabel *
label_of (AgFieldRow *row)
{
  GtkWidget *label = ag_test_find_type (GTK_WIDGET (row), AG_TYPE_MASKED_LABEL);

  g_assert_nonnull (label);
  return AG_MASKED_LABEL (label);
}

/* Opens the reveal dialog the way an agent does with the keyboard: Enter on the row. */
static AgRevealDialog *
open_dialog (AgFieldRow *row)
{
  AgRevealDialog *dialog;

  g_assert_null (ag_test_find_reveal_dialog ());
  g_assert_true (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (row)));
  g_signal_emit_by_name (row, "activate");
  AG_TEST_WAIT_UNTIL ((dialog = ag_test_find_reveal_dialog ()) != NULL
                      && gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  return dialog;
}

/* Chooses @reason, clicks Reveal and waits for the dialog to go or to say why not. */
static void
reveal_with (AgRevealDialog *dialog, const char *reason, const char *ticket)
{
  GtkWidget *button = ag_test_reveal_dialog_button (dialog);
  GtkWidget *ticket_row = ag_test_find_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);

  g_assert_true (ag_reveal_dialog_select_reason (dialog, reason));
  if (ticket != NULL)
    gtk_editable_set_text (GTK_EDITABLE (ticket_row), ticket);
  g_assert_true (gtk_widget_get_sensitive (button));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_emit_by_name (button, "clicked");
  /* Reveal is insensitive while the guard works; then the dialog goes or says why. */
  AG_TEST_WAIT_UNTIL (dialog == NULL || gtk_widget_get_sensitive (button));
  if (dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
}

static const char *
value_of (Fixture *fixture, guint index, AgPiiKind kind)
{
  AgCustomerData *customer = g_ptr_array_index (fixture->customers, index);

  g_assert_nonnull (customer->values[kind]);
  return customer->values[kind];
}

/* Tests --------------------------------------------------------------------------------- */

static void
test_new_destroy (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgField) field = ag_field_new ("C42", AG_PII_KIND_CPF, "***.982.247-**");
  GtkWidget *prompts = g_object_ref_sink (ag_auth_prompts_new ());
  GtkWidget *row = g_object_ref_sink (ag_field_row_new (field, guard));
  GtkWidget *bare_row = g_object_ref_sink (ag_field_row_new (field, NULL));
  AgRevealDialog *dialog;

  g_assert_no_error (error);
  g_assert_false (ag_auth_prompts_get_waiting (AG_AUTH_PROMPTS (prompts)));
  g_assert_finalize_object (prompts);

  /* A CPF is masked by default: the row offers a reveal, named for the field. */
  g_assert_true (ag_field_row_get_can_reveal (AG_FIELD_ROW (row)));
  g_assert_nonnull (ag_test_find_type (row, AG_TYPE_MASKED_LABEL));
  g_assert_null (ag_field_row_get_reveal (AG_FIELD_ROW (row)));
  g_assert_finalize_object (row);
  /* Without a guard, no reveal. */
  g_assert_false (ag_field_row_get_can_reveal (AG_FIELD_ROW (bare_row)));
  g_assert_false (gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (bare_row)));
  g_assert_finalize_object (bare_row);

  dialog = g_object_ref (ag_reveal_dialog_new (guard, "C42", AG_PII_KIND_CPF, "CPF"));
  g_assert_true (ag_reveal_dialog_get_guard (dialog) == guard);
  g_assert_cmpstr (ag_reveal_dialog_get_record_id (dialog), ==, "C42");
  g_assert_cmpint (ag_reveal_dialog_get_kind (dialog), ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Reveal CPF");
  g_assert_null (ag_reveal_dialog_get_reason (dialog));
  g_assert_false (ag_reveal_dialog_select_reason (dialog, "no-such-reason"));
  g_assert_true (ag_reveal_dialog_select_reason (dialog, "identity-check"));
  g_assert_cmpstr (ag_reveal_dialog_get_reason (dialog), ==, "identity-check");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_finalize_object (dialog);
}

static void
test_masked_label_reveal (Fixture *fixture, gconstpointer user_data)
{
  const char *cpf = "52998224725";
  GtkWidget *label = g_object_ref_sink (ag_masked_label_new ("CPF", "***.982.247-**"));
  g_autoptr (AgReveal) reveal = NULL;
  g_autoptr (AgReveal) old = NULL;

  reveal
    = ag_reveal_new ("C42", AG_PII_KIND_CPF, ag_secret_new_from_data (cpf, strlen (cpf) + 1), 1, 2);
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "CPF, hidden");

  ag_masked_label_set_reveal (AG_MASKED_LABEL (label), reveal);
  g_assert_true (ag_masked_label_get_revealed (AG_MASKED_LABEL (label)));
  g_assert_true (ag_masked_label_get_reveal (AG_MASKED_LABEL (label)) == reveal);
  /* Named as revealed, without the value: no screen reader is on (the accessibility
   * bus's ScreenReaderEnabled, test-side-channels-a11y). */
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "CPF, revealed");
  /* The mask itself is never the value. */
  g_assert_cmpstr (ag_masked_label_get_masked (AG_MASKED_LABEL (label)), ==, "***.982.247-**");

  ag_reveal_remask (reveal, AG_REMASK_CAUSE_EXPIRED);
  g_assert_false (ag_masked_label_get_revealed (AG_MASKED_LABEL (label)));
  g_assert_null (ag_masked_label_get_reveal (AG_MASKED_LABEL (label)));
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "CPF, hidden");

  /* A reveal that is over already is not shown. */
  ag_masked_label_set_reveal (AG_MASKED_LABEL (label), reveal);
  g_assert_false (ag_masked_label_get_revealed (AG_MASKED_LABEL (label)));
  g_assert_finalize_object (label);
}

/* Ctrl+L locks from the modal reveal dialog, the focus in its ticket entry (the dialog is
 * modal: the lock button cannot be reached), typed for real. */
static void
test_lock_from_dialog (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  AgRecordPage *page = open_customer (window, fixture, 2);
  AgRevealDialog *dialog = open_dialog (ag_test_find_field_row (page, AG_PII_KIND_CPF));
  GtkWidget *ticket_row = ag_test_find_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  g_autofree char *events = NULL;

  g_assert_true (gtk_widget_grab_focus (ticket_row));
  ag_test_press_keys (GTK_WINDOW (dialog), "ctrl+l");
  /* Locked (the lock page may start the next sign-in at once). */
  AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) != AG_GUARD_STATE_UNLOCKED);
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_LOCKED);
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login lock:manual ");

  ag_test_close_window (window);
}

/* Ctrl+Q quits from the modal reveal dialog too: every window closes. */
static void
test_quit_from_dialog (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgPolicyPaths) paths
    = ag_policy_paths_new (fixture->system_dir, NULL, fixture->policy_file);
  g_autoptr (AgApplication) application = ag_application_new ();
  AgRevealDialog *dialog;
  AgRecordPage *page;
  AgWindow *window;

  g_assert_no_error (error);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  ag_guard_set_clock (guard, fixture_clock, fixture);
  window = g_object_new (AG_TYPE_WINDOW, "application", application, "store-path",
                         fixture->store_path, "guard", guard, "policy-paths", paths, NULL);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  ag_test_sign_in (GTK_WIDGET (window), guard, 0);
  AG_TEST_WAIT_UNTIL (ag_window_get_state (window) == AG_WINDOW_STATE_READY);
  page = open_customer (window, fixture, 2);
  dialog = open_dialog (ag_test_find_field_row (page, AG_PII_KIND_CPF));

  ag_test_press_keys (GTK_WINDOW (dialog), "ctrl+q");
  AG_TEST_WAIT_UNTIL (window == NULL);
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);
  AG_TEST_WAIT_UNTIL (ag_guard_get_n_running (guard) == 0);
  g_assert_cmpint (ag_guard_get_state (guard), !=, AG_GUARD_STATE_UNLOCKED);
  ag_test_spin ();
}

#if !defined(__SANITIZE_ADDRESS__)
static GtkWindow *
find_inspector (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (g_str_equal (G_OBJECT_TYPE_NAME (window), "GtkInspectorWindow"))
        return window;
    }
  return NULL;
}

/* Development builds may open the GTK inspector, which shows every widget's text: opening
 * it re-masks every value, the first time and each time it is shown again. */
static void
inspector_remasks (Fixture *fixture)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 4);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  g_autoptr (AgReveal) reveal = g_object_ref (ag_test_reveal_field (row, "identity-check"));
  g_autofree char *events = NULL;
  GtkWindow *inspector;

  gtk_window_set_interactive_debugging (TRUE);
  AG_TEST_WAIT_UNTIL ((inspector = find_inspector ()) != NULL
                      && gtk_widget_get_mapped (GTK_WIDGET (inspector)));
  g_assert_false (ag_reveal_get_active (reveal));
  g_assert_null (ag_reveal_get_value (reveal));
  AG_TEST_WAIT_UNTIL (ag_field_row_get_reveal (row) == NULL);

  /* Hidden and shown again, over a new reveal. */
  gtk_widget_set_visible (GTK_WIDGET (inspector), FALSE);
  ag_test_spin ();
  g_clear_object (&reveal);
  reveal = g_object_ref (ag_test_reveal_field (row, "identity-check"));
  gtk_window_set_interactive_debugging (TRUE);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (inspector)));
  g_assert_false (ag_reveal_get_active (reveal));

  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:inspector reveal remask:inspector ");
  /* Hidden, not destroyed: GTK's inspector warns when its window goes with widgets it
   * still tracks. */
  gtk_widget_set_visible (GTK_WIDGET (inspector), FALSE);
  ag_test_spin ();
  ag_test_close_window (window);
}

#endif

static void
test_inspector_remasks (Fixture *fixture, gconstpointer user_data)
{
#if defined(__SANITIZE_ADDRESS__)
  /* The GTK Inspector leaks its own objects, which LeakSanitizer reports as ours; the
   * development build runs this test. */
  g_test_skip ("the GTK Inspector leaks under LeakSanitizer");
#else
  inspector_remasks (fixture);
#endif
}

static void
test_reveal_and_expire (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  AgRecordPage *page = open_customer (window, fixture, 3);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  AgMaskedLabel *label = label_of (row);
  const char *cpf = value_of (fixture, 3, AG_PII_KIND_CPF);
  /* No screen reader is on: the name says revealed, without the value. */
  const char *accessible = "CPF, revealed";
  g_autofree char *events = NULL;
  AgRevealDialog *dialog;
  GtkWidget *reveal_button, *hide_button;
  AgReveal *reveal;

  /* The reveal button, named for its field; from the keyboard the row is the stop
   * (keyboard/contract), not the button. */
  reveal_button = find_tooltip (GTK_WIDGET (row), "Reveal CPF");
  g_assert_true (GTK_IS_BUTTON (reveal_button));
  g_assert_true (gtk_widget_get_mapped (reveal_button));
  gtk_test_accessible_assert_property (reveal_button, GTK_ACCESSIBLE_PROPERTY_LABEL, "Reveal CPF");
  g_assert_false (gtk_widget_get_focusable (reveal_button));
  g_assert_true (gtk_widget_get_focusable (GTK_WIDGET (row)));

  dialog = open_dialog (row);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Reveal CPF");
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  /* Every reason of the policy, by its label. */
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Identity check"));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Fraud check"));
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Required"));
  g_assert_true (find_button (GTK_WIDGET (dialog), "Reveal")
                 == ag_test_reveal_dialog_button (dialog));
  reveal_with (dialog, "customer-request", "CALL-2026-0042");
  g_assert_null (ag_test_find_reveal_dialog ());

  /* The value, sharp and readable, with its countdown and a way to hide it now. */
  reveal = ag_field_row_get_reveal (row);
  g_assert_nonnull (reveal);
  g_assert_true (ag_masked_label_get_revealed (label));
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, accessible);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Hides in 20 s");
  {
    /* One line, however narrow: it ellipsizes rather than wrap. */
    GtkWidget *countdown = find_label (GTK_WIDGET (row), "Hides in 20 s");

    g_assert_nonnull (countdown);
    g_assert_cmpint (gtk_label_get_lines (GTK_LABEL (countdown)), ==, 1);
    g_assert_cmpint (gtk_label_get_ellipsize (GTK_LABEL (countdown)), !=, PANGO_ELLIPSIZE_NONE);
  }
  hide_button = find_button (GTK_WIDGET (row), "Hide Now");
  g_assert_nonnull (hide_button);
  g_assert_true (gtk_widget_get_mapped (hide_button));
  g_assert_false (gtk_widget_get_visible (reveal_button));
  g_object_add_weak_pointer (G_OBJECT (reveal), (gpointer *) &reveal);

  /* The countdown follows the guard's clock. */
  fixture->now += 5 * G_USEC_PER_SEC;
  AG_TEST_WAIT_UNTIL (
    g_strcmp0 (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Hides in 15 s") == 0);
  g_assert_true (ag_masked_label_get_revealed (label));

  /* Past reveal-duration: the value goes, from the picture and the accessible name. */
  fixture->now += 16 * G_USEC_PER_SEC;
  ag_guard_process_time (guard);
  ag_test_spin ();
  g_assert_false (ag_masked_label_get_revealed (label));
  g_assert_null (ag_field_row_get_reveal (row));
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "CPF, hidden");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "");
  g_assert_true (gtk_widget_get_visible (reveal_button));
  g_assert_false (gtk_widget_get_visible (hide_button));
  /* Nobody holds the reveal any more. */
  g_assert_null (reveal);
  assert_nowhere (cpf, AG_PII_KIND_CPF);

  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:expired ");

  ag_test_close_window (window);
}

static void
test_hide_now (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 5);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_PHONE);
  g_autofree char *events = NULL;
  GtkWidget *hide_button;

  reveal_with (open_dialog (row), "identity-check", NULL);
  g_assert_true (ag_masked_label_get_revealed (label_of (row)));
  hide_button = find_button (GTK_WIDGET (row), "Hide Now");
  g_signal_emit_by_name (hide_button, "clicked");
  g_assert_false (ag_masked_label_get_revealed (label_of (row)));
  assert_nowhere (value_of (fixture, 5, AG_PII_KIND_PHONE), AG_PII_KIND_PHONE);
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:hidden ");

  ag_test_close_window (window);
}

static void
test_reason_required (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 2);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  AgRevealDialog *dialog = open_dialog (row);
  GtkWidget *button = ag_test_reveal_dialog_button (dialog);
  GtkWidget *ticket_row = ag_test_find_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  g_autofree char *events = NULL;

  /* No reason, no reveal: a ticket alone is not enough, and clicking does nothing. */
  g_assert_false (gtk_widget_get_sensitive (button));
  gtk_editable_set_text (GTK_EDITABLE (ticket_row), "T-1");
  g_assert_false (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  ag_test_spin ();
  g_assert_true (ag_test_find_reveal_dialog () == dialog);
  g_assert_false (ag_masked_label_get_revealed (label_of (row)));

  g_assert_true (ag_reveal_dialog_select_reason (dialog, "fraud-check"));
  g_assert_true (gtk_widget_get_sensitive (button));

  /* A CPF typed into the ticket box: marked, and Reveal off until it is fixed. */
  gtk_editable_set_text (GTK_EDITABLE (ticket_row), "529.982.247-25");
  g_assert_true (gtk_widget_has_css_class (ticket_row, "error"));
  g_assert_false (gtk_widget_get_sensitive (button));
  gtk_editable_set_text (GTK_EDITABLE (ticket_row), "CH-2026-0042");
  g_assert_false (gtk_widget_has_css_class (ticket_row, "error"));
  g_assert_true (gtk_widget_get_sensitive (button));

  /* Escape closes it, and nothing was asked of the guard. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (dialog), "window.close", NULL));
  ag_test_spin ();
  g_assert_null (ag_test_find_reveal_dialog ());
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login ");

  ag_test_close_window (window);
}

static void
test_quota (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 4);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_EMAIL);
  const char *email = value_of (fixture, 4, AG_PII_KIND_EMAIL);
  const char *message = "You reached your limit of 1 reveal per hour. Ask your supervisor.";
  AgRevealDialog *dialog;
  g_autofree char *events = NULL;

  /* The one reveal of the hour. */
  reveal_with (open_dialog (row), "identity-check", NULL);
  g_assert_true (ag_masked_label_get_revealed (label_of (row)));
  g_signal_emit_by_name (find_button (GTK_WIDGET (row), "Hide Now"), "clicked");

  /* The next one is denied, says why, and shows nothing. */
  dialog = open_dialog (row);
  reveal_with (dialog, "identity-check", NULL);
  g_assert_true (ag_test_find_reveal_dialog () == dialog);
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), message));
  g_assert_false (ag_masked_label_get_revealed (label_of (row)));
  g_assert_null (ag_field_row_get_reveal (row));
  assert_nowhere (email, AG_PII_KIND_EMAIL);
  assert_no_label_revealed (GTK_WIDGET (window));
  gtk_window_destroy (GTK_WINDOW (dialog));

  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:hidden reveal-denied:quota ");

  ag_test_close_window (window);
}

static void
take_shot (const char *name);

/* In English, or in the screenshot run's language. */
#define tr(text) g_dgettext (GETTEXT_PACKAGE, text)

/* A search by CPF runs on Return only, is ledgered, and past the hourly limit (1 here)
 * is refused with a page that says why; a name search stays free. */
static void
test_search_identifier (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  AgCustomerData *first = NULL, *second = NULL;
  g_autofree char *first_cpf = NULL;
  g_autofree char *second_cpf = NULL;
  g_autofree char *events = NULL;
  GtkWidget *page;

  for (guint i = 0; i < fixture->customers->len && second == NULL; i++)
    {
      AgCustomerData *customer = g_ptr_array_index (fixture->customers, i);

      if (customer->values[AG_PII_KIND_CPF] == NULL)
        continue;
      if (first == NULL)
        first = customer;
      else
        second = customer;
    }
  g_assert_nonnull (second);
  first_cpf = ag_pii_format (AG_PII_KIND_CPF, first->values[AG_PII_KIND_CPF]);
  second_cpf = ag_pii_format (AG_PII_KIND_CPF, second->values[AG_PII_KIND_CPF]);

  /* Typed, it is not searched yet: the page says Return does it, and why. */
  gtk_editable_set_text (GTK_EDITABLE (entry), first_cpf);
  AG_TEST_WAIT_UNTIL (ag_test_find_label (GTK_WIDGET (window), tr ("Press Enter to Search"), TRUE)
                      != NULL);
  ag_test_spin ();
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    take_shot ("search-enter");
  g_assert_null (ag_test_find_result_row (GTK_WIDGET (window), first->id));
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login ");
  g_clear_pointer (&events, g_free);

  /* Return searches, ledgers, and opens the customer found. */
  g_signal_emit_by_name (entry, "activate");
  AG_TEST_WAIT_UNTIL (
    (page = ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE)) != NULL
    && ag_record_page_get_record (AG_RECORD_PAGE (page)) != NULL
    && g_str_equal (ag_record_get_id (ag_record_page_get_record (AG_RECORD_PAGE (page))),
                    first->id));
  events = ag_test_ledger_events (window);
  g_assert_true (g_str_has_prefix (events, "login search:kinds=cpf"));
  g_assert_true (g_str_has_suffix (events, " found=1 "));
  g_clear_pointer (&events, g_free);

  /* The second is over the limit: refused, said so, ledgered. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  gtk_editable_set_text (GTK_EDITABLE (entry), second_cpf);
  g_signal_emit_by_name (entry, "activate");
  AG_TEST_WAIT_UNTIL (ag_test_find_label (GTK_WIDGET (window), tr ("Search Limit Reached"), TRUE)
                      != NULL);
  {
    g_autofree char *limit = g_strdup_printf (
      g_dngettext (GETTEXT_PACKAGE,
                   "You have made the %u search by CPF, phone, e-mail or another identifier "
                   "allowed per hour. Search by name, or ask your supervisor.",
                   "You have made the %u searches by CPF, phone, e-mail or another identifier "
                   "allowed per hour. Search by name, or ask your supervisor.",
                   1),
      1);

    g_assert_nonnull (ag_test_find_label (GTK_WIDGET (window), limit, TRUE));
  }
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    take_shot ("search-limit");
  g_assert_null (ag_test_find_result_row (GTK_WIDGET (window), second->id));
  events = ag_test_ledger_events (window);
  g_assert_true (g_str_has_suffix (events, " search-denied:quota "));
  g_clear_pointer (&events, g_free);

  /* A name is found as the agent types, and not ledgered. */
  gtk_editable_set_text (GTK_EDITABLE (entry), second->values[AG_PII_KIND_NAME]);
  AG_TEST_WAIT_UNTIL (ag_test_find_result_row (GTK_WIDGET (window), second->id) != NULL);
  events = ag_test_ledger_events (window);
  g_assert_true (g_str_has_suffix (events, " search-denied:quota "));

  ag_test_close_window (window);
}

static void
test_lock_while_revealed (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  AgRecordPage *page = open_customer (window, fixture, 6);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  AgMaskedLabel *label = label_of (row);
  const char *cpf = value_of (fixture, 6, AG_PII_KIND_CPF);
  g_autofree char *events = NULL;
  AgReveal *reveal;

  reveal_with (open_dialog (row), "legal-request", "PROC-77");
  reveal = g_object_ref (ag_field_row_get_reveal (row));
  g_assert_true (ag_reveal_get_active (reveal));

  /* Ctrl+L: the record page and its field widgets are destroyed, the value wiped. */
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);
  g_object_add_weak_pointer (G_OBJECT (label), (gpointer *) &label);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL));
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_LOCKED);
  ag_test_spin ();
  g_assert_null (page);
  g_assert_null (label);
  g_assert_false (ag_reveal_get_active (reveal));
  g_assert_null (ag_reveal_get_value (reveal));
  g_clear_object (&reveal);
  assert_nowhere (cpf, AG_PII_KIND_CPF);
  g_assert_null (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_FIELD_ROW));

  /* Back in: the customer again, masked. */
  ag_test_sign_in (GTK_WIDGET (window), guard, 1);
  AG_TEST_WAIT_UNTIL (
    (page = AG_RECORD_PAGE (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE))) != NULL
    && ag_record_page_get_record (page) != NULL);
  ag_test_spin ();
  assert_no_label_revealed (GTK_WIDGET (window));
  assert_nowhere (cpf, AG_PII_KIND_CPF);

  events = ag_test_ledger_events (window);
  g_assert_true (g_str_has_prefix (events, "login reveal "));
  g_assert_nonnull (strstr (events, "remask:lock "));
  g_assert_nonnull (strstr (events, "lock:manual "));

  ag_test_close_window (window);
}

static void
test_lock_closes_dialog (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 8);
  AgRevealDialog *dialog = open_dialog (ag_test_find_field_row (page, AG_PII_KIND_ADDRESS));

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL));
  ag_test_spin ();
  g_assert_null (dialog);
  g_assert_null (ag_test_find_reveal_dialog ());

  ag_test_close_window (window);
}

static void
test_other_record (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 9);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  const char *cpf = value_of (fixture, 9, AG_PII_KIND_CPF);
  g_autofree char *events = NULL;
  g_autoptr (AgReveal) reveal = NULL;

  reveal_with (open_dialog (row), "billing-dispute", NULL);
  reveal = g_object_ref (ag_field_row_get_reveal (row));

  open_customer (window, fixture, 10);
  g_assert_false (ag_reveal_get_active (reveal));
  assert_nowhere (cpf, AG_PII_KIND_CPF);
  assert_no_label_revealed (GTK_WIDGET (window));
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:record-changed ");

  ag_test_close_window (window);
}

/* Answers the step-up prompts in @dialog by their titles, as an agent types them, until
 * the dialog is gone (revealed) or says why not. */
static void
answer_step_up (AgRevealDialog *dialog, const char *password, const char *code)
{
  GtkWidget *button = ag_test_reveal_dialog_button (dialog);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  while (TRUE)
    {
      g_autoptr (GPtrArray) entries = NULL;

      AG_TEST_WAIT_UNTIL (dialog == NULL || ag_test_n_prompts (GTK_WIDGET (dialog)) > 0
                          || gtk_widget_get_sensitive (button));
      if (dialog == NULL || ag_test_n_prompts (GTK_WIDGET (dialog)) == 0)
        break;
      entries = ag_test_prompts (GTK_WIDGET (dialog));
      g_ptr_array_set_free_func (entries, g_object_unref);
      for (guint i = 0; i < entries->len; i++)
        {
          GtkWidget *entry = g_object_ref (g_ptr_array_index (entries, i));
          const char *title = ag_test_prompt_title (entry);

          gtk_editable_set_text (GTK_EDITABLE (entry), strstr (title, "Password") != NULL
                                                           || strstr (title, "Senha") != NULL
                                                         ? password
                                                         : code);
        }
      /* Reveal sends the answers, as Enter in the last prompt would. */
      g_assert_true (gtk_widget_get_sensitive (button));
      g_signal_emit_by_name (button, "clicked");
      for (guint i = 0; i < entries->len; i++)
        g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (entries, i)), ==, "");
      g_ptr_array_set_size (entries, 0);
    }
  if (dialog != NULL)
    g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
}

static guint
customer_with (Fixture *fixture, AgPiiKind kind)
{
  for (guint i = 0; i < fixture->customers->len; i++)
    {
      AgCustomerData *customer = g_ptr_array_index (fixture->customers, i);

      if (customer->values[kind] != NULL)
        return i;
    }
  g_error ("No synthetic customer has a %s", ag_pii_kind_to_string (kind));
  return 0;
}

static void
test_step_up (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  guint index = customer_with (fixture, AG_PII_KIND_CARD_NUMBER);
  AgRecordPage *page = open_customer (window, fixture, index);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CARD_NUMBER);
  const char *card = value_of (fixture, index, AG_PII_KIND_CARD_NUMBER);
  g_autofree char *code = ag_test_pam_code (1);
  g_autofree char *next_code = ag_test_pam_code (2);
  g_autofree char *events = NULL;
  AgRevealDialog *dialog;
  int height;

  /* step-up-grace is 0 here: one second after the sign-in, a card needs both again. */
  fixture->now += G_USEC_PER_SEC;
  dialog = open_dialog (row);
  g_assert_nonnull (
    find_label (GTK_WIDGET (dialog), "Card numbers need your password and code again."));
  g_assert_cmpuint (ag_test_n_prompts (GTK_WIDGET (dialog)), ==, 0);
  /* Said on the first page, and its button leads on. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ag_test_reveal_dialog_button (dialog))), ==,
                   "_Continue");

  /* A wrong password: denied, said so, nothing shown. */
  g_assert_true (ag_reveal_dialog_select_reason (dialog, "fraud-check"));
  ag_test_spin ();
  height = gtk_widget_get_height (GTK_WIDGET (dialog));
  g_assert_cmpint (height, <=, gtk_widget_get_height (GTK_WIDGET (window)));
  g_signal_emit_by_name (ag_test_reveal_dialog_button (dialog), "clicked");
  AG_TEST_WAIT_UNTIL (ag_test_n_prompts (GTK_WIDGET (dialog)) > 0);
  ag_test_spin ();
  /* The prompts take the choices' place: the dialog keeps its size. */
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (dialog)), ==, height);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ag_test_reveal_dialog_button (dialog))), ==,
                   "_Reveal");
  answer_step_up (dialog, "not-the-password", code);
  g_assert_true (ag_test_find_reveal_dialog () == dialog);
  g_assert_nonnull (find_label (GTK_WIDGET (dialog), "Your password or code was not accepted, so "
                                                     "the value stays hidden. Try again."));
  g_assert_false (ag_masked_label_get_revealed (label_of (row)));
  assert_nowhere (card, AG_PII_KIND_CARD_NUMBER);

  /* Both factors: the card number shows. */
  g_signal_emit_by_name (ag_test_reveal_dialog_button (dialog), "clicked");
  answer_step_up (dialog, AG_TEST_PASSWORD, next_code);
  g_assert_null (ag_test_find_reveal_dialog ());
  g_assert_true (ag_masked_label_get_revealed (label_of (row)));
  g_assert_cmpstr (ag_reveal_get_value (ag_field_row_get_reveal (row)), ==, card);

  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal-denied:step-up-failed reveal ");

  ag_test_close_window (window);
}

static void
test_policy_reload (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  AgRecordPage *page = open_customer (window, fixture, 12);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  g_autofree char *events = NULL;

  /* The window watches the policy: a shorter reveal-duration applies to the next reveal. */
  g_assert_cmpuint (ag_policy_get_reveal_duration (ag_guard_get_policy (guard)), ==, 20);
  g_file_set_contents (fixture->policy_file, "[policy]\nreveal-duration=10\n", -1, &error);
  g_assert_no_error (error);
  AG_TEST_WAIT_UNTIL (ag_policy_get_reveal_duration (ag_guard_get_policy (guard)) == 10);

  reveal_with (open_dialog (row), "identity-check", NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Hides in 10 s");

  /* The change is in the ledger, before the reveal made under it. */
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login policy-changed reveal ");

  ag_test_close_window (window);
}

/* The agent's own file is broken from the start (see main): it alone is refused, the
 * system layer stays in force, and each new problem is ledgered once. */
static void
test_policy_refused (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  g_autofree char *events = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *utf8 = NULL;

  /* The system layer turned remask-on-focus-loss off; the built-ins have it on. */
  g_assert_false (ag_policy_get_remask_on_focus_loss (ag_guard_get_policy (guard)));
  events = ag_test_ledger_events (window);
  expected = g_strdup_printf ("policy-refused:layer=user file=%s line=2 problem=unknown-key "
                              "problems=1 login ",
                              fixture->policy_file);
  g_assert_cmpstr (events, ==, expected);

  /* A new problem while the app runs: ledgered as it comes, once; the policy holds. */
  g_file_set_contents (fixture->policy_file, "[policy]\nreveal-duration=1\xff\n", -1, &error);
  g_assert_no_error (error);
  utf8 = g_strdup_printf ("policy-refused:layer=user file=%s line=2 problem=invalid-utf8 "
                          "problems=1 ",
                          fixture->policy_file);
  AG_TEST_WAIT_UNTIL (({
    g_autofree char *now = ag_test_ledger_events (window);
    g_str_has_suffix (now, utf8);
  }));
  g_assert_false (ag_policy_get_remask_on_focus_loss (ag_guard_get_policy (guard)));
  g_assert_cmpuint (ag_policy_get_reveal_duration (ag_guard_get_policy (guard)), ==, 20);

  /* Fixed: it applies, and the change is ledgered. */
  g_file_set_contents (fixture->policy_file, "[policy]\nreveal-duration=10\n", -1, &error);
  g_assert_no_error (error);
  AG_TEST_WAIT_UNTIL (ag_policy_get_reveal_duration (ag_guard_get_policy (guard)) == 10);
  g_clear_pointer (&events, g_free);
  events = ag_test_ledger_events (window);
  g_assert_true (g_str_has_suffix (events, "policy-changed "));
  g_assert_false (ag_policy_get_remask_on_focus_loss (ag_guard_get_policy (guard)));

  ag_test_close_window (window);
}

/* The keyboard (issue 18) --------------------------------------------------------------- */

/* The start of a word (its first two letters) in the names of at least @n customers: a
 * name search with that many results. */
static char *
common_name_start (Fixture *fixture, guint n)
{
  g_autoptr (GHashTable) counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer key, value;
  const char *best = NULL;
  guint best_count = 0;

  for (guint i = 0; i < fixture->customers->len; i++)
    {
      AgCustomerData *customer = g_ptr_array_index (fixture->customers, i);
      g_auto (GStrv) words = g_strsplit (customer->values[AG_PII_KIND_NAME], " ", -1);
      g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      for (guint w = 0; words[w] != NULL; w++)
        {
          g_autofree char *start = NULL;
          char *folded;

          if (g_utf8_strlen (words[w], -1) < 3)
            continue;
          start = g_utf8_substring (words[w], 0, 2);
          folded = g_utf8_strdown (start, -1);
          if (!g_hash_table_add (seen, g_strdup (folded)))
            {
              g_free (folded);
              continue;
            }
          value = g_hash_table_lookup (counts, folded);
          g_hash_table_replace (counts, folded, GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
        }
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_UINT (value) > best_count)
      {
        best = key;
        best_count = GPOINTER_TO_UINT (value);
      }
  g_assert_cmpuint (best_count, >=, n);
  return g_strdup (best);
}

/* The search result rows in sight, in order. */
static GPtrArray *
result_rows (AgWindow *window)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new ();
  GPtrArray *rows = g_ptr_array_new ();

  ag_test_collect_type (GTK_WIDGET (window), ADW_TYPE_ACTION_ROW, all);
  for (guint i = 0; i < all->len; i++)
    if (!AG_IS_FIELD_ROW (all->pdata[i]) && gtk_widget_get_mapped (all->pdata[i]))
      g_ptr_array_add (rows, all->pdata[i]);
  return rows;
}

static const char *
row_id (gpointer row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

/* Searches for @query as typed in the search entry and returns its (at least @n) result
 * rows. */
static GPtrArray *
search_for (AgWindow *window, const char *query, guint n)
{
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  GPtrArray *rows = NULL;

  gtk_editable_set_text (GTK_EDITABLE (entry), query);
  AG_TEST_WAIT_UNTIL (({
    g_clear_pointer (&rows, g_ptr_array_unref);
    rows = result_rows (window);
    rows->len >= n;
  }));
  ag_test_spin ();
  return rows;
}

/* The name of the record pane's page: "none", "loading", "record"… */
static const char *
content_page (AgWindow *window)
{
  GtkWidget *page = ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE);

  g_assert_nonnull (page);
  return gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_parent (page)));
}

/* The customer whose record is on screen, or NULL. */
static const char *
shown_id (AgWindow *window)
{
  GtkWidget *page = ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE);
  AgRecord *record = page != NULL ? ag_record_page_get_record (AG_RECORD_PAGE (page)) : NULL;

  return record != NULL && g_strcmp0 (content_page (window), "record") == 0
           ? ag_record_get_id (record)
           : NULL;
}

static GtkWidget *
focus_of (gpointer window)
{
  return gtk_root_get_focus (GTK_ROOT (window));
}

static gboolean
focus_in (gpointer window, gpointer widget)
{
  GtkWidget *focus = focus_of (window);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static GPtrArray *
field_rows (AgWindow *window)
{
  GPtrArray *rows = g_ptr_array_new ();

  ag_test_collect_type (GTK_WIDGET (window), AG_TYPE_FIELD_ROW, rows);
  g_assert_cmpuint (rows->len, >, 2);
  return rows;
}

/* Must-fix 1: Return on the CPF row of the third result opens the reveal dialog for that
 * field of that customer; no key on a field row reaches the search. */
static void
test_keyboard_enter_on_third_result_row (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  g_autofree char *word = common_name_start (fixture, 3);
  g_autoptr (GPtrArray) rows = search_for (window, word, 3);
  g_autofree char *third = g_strdup (row_id (rows->pdata[2]));
  g_autofree char *events = NULL;
  AgFieldRow *cpf_row;
  AgRevealDialog *dialog;

  /* The third customer, clicked. */
  g_signal_emit_by_name (rows->pdata[2], "activate");
  AG_TEST_WAIT_UNTIL (g_strcmp0 (shown_id (window), third) == 0);
  ag_test_spin ();
  cpf_row = ag_test_find_field_row (
    AG_RECORD_PAGE (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE)), AG_PII_KIND_CPF);
  gtk_widget_grab_focus (GTK_WIDGET (cpf_row));
  g_assert_true (focus_of (window) == GTK_WIDGET (cpf_row));

  /* Return: the dialog for the CPF of that customer; the record stays on screen. */
  ag_test_press_keys (GTK_WINDOW (window), "Return");
  dialog = ag_test_find_reveal_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (ag_reveal_dialog_get_record_id (dialog), ==, third);
  g_assert_cmpint (ag_reveal_dialog_get_kind (dialog), ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (shown_id (window), ==, third);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, word);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  ag_test_press_keys (GTK_WINDOW (dialog), "Escape");
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);

  /* Other keys on the row do not reach the search either: the text and the record stay. */
  gtk_widget_grab_focus (GTK_WIDGET (cpf_row));
  ag_test_press_keys (GTK_WINDOW (window), "x BackSpace Escape KP_Enter");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, word);
  g_assert_cmpstr (shown_id (window), ==, third);
  dialog = ag_test_find_reveal_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (ag_reveal_dialog_get_record_id (dialog), ==, third);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  ag_test_press_keys (GTK_WINDOW (dialog), "Escape");
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);

  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login ");
  ag_test_close_window (window);
}

/* Must-fix 3: the results are one Tab stop, arrows move in them, and only Return (or a
 * click) opens a record: tabbing or arrowing through them opens none. */
static void
test_keyboard_tab_does_not_open (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  g_autofree char *word = common_name_start (fixture, 3);
  g_autoptr (GPtrArray) rows = search_for (window, word, 3);
  GtkWidget *list = gtk_widget_get_ancestor (rows->pdata[0], GTK_TYPE_LIST_BOX);
  g_autofree char *third = g_strdup (row_id (rows->pdata[2]));
  g_autoptr (GPtrArray) fields = NULL;

  g_assert_true (focus_in (window, entry));
  g_assert_cmpstr (content_page (window), ==, "none");

  /* Tab: into the list, on its first row; nothing opens. */
  ag_test_press_keys (GTK_WINDOW (window), "Tab");
  g_assert_true (focus_of (window) == rows->pdata[0]);
  g_assert_cmpstr (content_page (window), ==, "none");
  /* Tab again: out of the list, not on to the next customer. */
  ag_test_press_keys (GTK_WINDOW (window), "Tab");
  g_assert_false (focus_in (window, list));
  g_assert_cmpstr (content_page (window), ==, "none");

  /* Back in (Tab went round the window: on the last row); the arrows move the focus and
   * open nothing. */
  ag_test_press_keys (GTK_WINDOW (window), "shift+Tab");
  g_assert_true (focus_in (window, list));
  g_assert_cmpstr (content_page (window), ==, "none");
  ag_test_press_keys (GTK_WINDOW (window), "Home");
  g_assert_true (focus_of (window) == rows->pdata[0]);
  /* Up from the first row is the search entry again, Down from there the first row. */
  ag_test_press_keys (GTK_WINDOW (window), "Up");
  g_assert_true (focus_in (window, entry));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, word);
  ag_test_press_keys (GTK_WINDOW (window), "Down");
  g_assert_true (focus_of (window) == rows->pdata[0]);
  ag_test_press_keys (GTK_WINDOW (window), "Down Down");
  g_assert_true (focus_of (window) == rows->pdata[2]);
  ag_test_press_keys (GTK_WINDOW (window), "Up");
  g_assert_true (focus_of (window) == rows->pdata[1]);
  ag_test_press_keys (GTK_WINDOW (window), "Down");
  g_assert_true (focus_of (window) == rows->pdata[2]);
  g_assert_cmpstr (content_page (window), ==, "none");

  /* Return opens the one the focus is on. */
  ag_test_press_keys (GTK_WINDOW (window), "Return");
  AG_TEST_WAIT_UNTIL (g_strcmp0 (shown_id (window), third) == 0);
  ag_test_spin ();

  /* Through the list both ways again: it is one stop, the open customer stays. */
  ag_test_press_keys (GTK_WINDOW (window), "shift+Tab");
  g_assert_true (focus_in (window, entry));
  ag_test_press_keys (GTK_WINDOW (window), "Tab");
  g_assert_true (focus_of (window) == rows->pdata[2]);
  ag_test_press_keys (GTK_WINDOW (window), "Tab");
  fields = field_rows (window);
  g_assert_true (focus_of (window) == fields->pdata[0]);
  g_assert_cmpstr (shown_id (window), ==, third);

  /* Letters typed in the results go on in the search, as in GNOME's lists. */
  ag_test_press_keys (GTK_WINDOW (window), "shift+Tab");
  g_assert_true (focus_of (window) == rows->pdata[2]);
  ag_test_press_keys (GTK_WINDOW (window), "z");
  g_assert_true (focus_in (window, entry));
  {
    g_autofree char *typed = g_strconcat (word, "z", NULL);

    g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, typed);
  }

  ag_test_close_window (window);
}

/* The keyboard contract of issue 18, from the search to a value revealed. */
static void
test_keyboard_contract (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  g_autofree char *word = common_name_start (fixture, 3);
  g_autoptr (GPtrArray) rows = search_for (window, word, 3);
  g_autofree char *first = g_strdup (row_id (rows->pdata[0]));
  g_autofree char *second = g_strdup (row_id (rows->pdata[1]));
  g_autoptr (GPtrArray) fields = NULL;
  g_autofree char *events = NULL;
  AgRevealDialog *dialog;
  GtkWidget *reasons, *ticket;
  AgFieldRow *field;

  /* Return in the search entry opens the first result. */
  g_assert_true (focus_in (window, entry));
  ag_test_press_keys (GTK_WINDOW (window), "Return");
  AG_TEST_WAIT_UNTIL (g_strcmp0 (shown_id (window), first) == 0);
  ag_test_spin ();
  /* Down and Return: the next one. */
  ag_test_press_keys (GTK_WINDOW (window), "Down");
  g_assert_cmpstr (shown_id (window), ==, first);
  ag_test_press_keys (GTK_WINDOW (window), "Return");
  AG_TEST_WAIT_UNTIL (g_strcmp0 (shown_id (window), second) == 0);
  ag_test_spin ();

  /* One Tab: the record's first field row; the next Tab the next row, not an eye button. */
  fields = field_rows (window);
  ag_test_press_keys (GTK_WINDOW (window), "Tab");
  g_assert_true (focus_of (window) == fields->pdata[0]);
  ag_test_press_keys (GTK_WINDOW (window), "Tab");
  g_assert_true (focus_of (window) == fields->pdata[1]);
  ag_test_press_keys (GTK_WINDOW (window), "shift+Tab");
  g_assert_true (focus_of (window) == fields->pdata[0]);
  field = fields->pdata[0];

  /* Return on a field row opens its dialog, and so does Space. */
  ag_test_press_keys (GTK_WINDOW (window), "Return");
  dialog = ag_test_find_reveal_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (ag_reveal_dialog_get_record_id (dialog), ==, second);
  g_assert_cmpint (ag_reveal_dialog_get_kind (dialog), ==,
                   ag_field_get_kind (ag_field_row_get_field (field)));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  ag_test_press_keys (GTK_WINDOW (dialog), "Escape");
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);
  g_assert_true (focus_of (window) == GTK_WIDGET (field));
  ag_test_press_keys (GTK_WINDOW (window), "space");
  dialog = ag_test_find_reveal_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpstr (ag_reveal_dialog_get_record_id (dialog), ==, second);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));

  /* In the dialog the reasons are one Tab stop, with the focus on them at first. */
  reasons = gtk_widget_get_ancestor (find_label (GTK_WIDGET (dialog), "Identity check"),
                                     GTK_TYPE_LIST_BOX);
  ticket = ag_test_find_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  g_assert_true (focus_in (dialog, reasons));
  /* No reason yet: Return reveals nothing. */
  ag_test_press_keys (GTK_WINDOW (dialog), "Return");
  g_assert_true (ag_test_find_reveal_dialog () == dialog);
  g_assert_null (ag_field_row_get_reveal (field));
  ag_test_press_keys (GTK_WINDOW (dialog), "Tab");
  g_assert_true (focus_in (dialog, ticket));
  ag_test_press_keys (GTK_WINDOW (dialog), "shift+Tab");
  g_assert_true (focus_in (dialog, reasons));
  /* The arrows move among the reasons and choose. */
  ag_test_press_keys (GTK_WINDOW (dialog), "Home Down");
  g_assert_cmpstr (ag_reveal_dialog_get_reason (dialog), ==, "customer-request");
  ag_test_press_keys (GTK_WINDOW (dialog), "Down Up");
  g_assert_cmpstr (ag_reveal_dialog_get_reason (dialog), ==, "customer-request");
  g_assert_true (
    focus_in (dialog, gtk_widget_get_ancestor (find_label (GTK_WIDGET (dialog), "Customer request"),
                                               GTK_TYPE_LIST_BOX_ROW)));
  /* Return reveals, with that reason. */
  ag_test_press_keys (GTK_WINDOW (dialog), "Return");
  AG_TEST_WAIT_UNTIL (ag_field_row_get_reveal (field) != NULL);
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);
  g_assert_true (ag_masked_label_get_revealed (label_of (field)));

  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal ");
  ag_test_close_window (window);
}

/* Whether @widget is within what its scrolled window shows. */
static gboolean
in_sight (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  graphene_rect_t bounds;

  return gtk_widget_get_mapped (widget) && gtk_widget_compute_bounds (widget, scrolled, &bounds)
         && bounds.origin.y >= 0
         && bounds.origin.y + bounds.size.height <= gtk_widget_get_height (scrolled);
}

/* Must-fix 4: a refused ticket says why, under the entry and as its accessible error,
 * and the caret stays in it. */
static void
test_keyboard_ticket_says_why (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 7);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_PHONE);
  const char *why_pii = tr ("This looks like a CPF, CNPJ or card number, which the audit log "
                            "must never keep. Type the ticket or call ID, or leave this empty.");
  const char *why_character
    = tr ("Only letters, digits and - _ . / # : go in a ticket or call ID, without spaces.");
  AgRevealDialog *dialog;
  GtkWidget *ticket, *text, *button, *why;

  gtk_widget_grab_focus (GTK_WIDGET (row));
  ag_test_press_keys (GTK_WINDOW (window), "Return");
  dialog = ag_test_find_reveal_dialog ();
  g_assert_nonnull (dialog);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  ticket = ag_test_find_type (GTK_WIDGET (dialog), ADW_TYPE_ENTRY_ROW);
  text = GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (ticket)));
  button = ag_test_reveal_dialog_button (dialog);

  /* A reason, then a CPF typed into the ticket. */
  ag_test_press_keys (GTK_WINDOW (dialog), "space Tab 5 2 9 9 8 2 2 4 7 2 5");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ticket)), ==, "52998224725");
  why = find_label (GTK_WIDGET (dialog), why_pii);
  g_assert_nonnull (why);
  AG_TEST_WAIT_UNTIL (in_sight (why));
  g_assert_true (gtk_widget_has_css_class (ticket, "error"));
  gtk_test_accessible_assert_state (text, GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_TRUE);
  gtk_test_accessible_assert_relation (text, GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE, why);
  gtk_test_accessible_assert_property (text, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why_pii);
  g_assert_false (gtk_widget_get_sensitive (button));
  /* The caret is still there, at the end; Return does not reveal, and keeps it there. */
  g_assert_true (focus_in (dialog, ticket));
  g_assert_cmpint (gtk_editable_get_position (GTK_EDITABLE (ticket)), ==, 11);
  ag_test_press_keys (GTK_WINDOW (dialog), "Return");
  g_assert_true (ag_test_find_reveal_dialog () == dialog);
  g_assert_null (ag_field_row_get_reveal (row));
  g_assert_true (focus_in (dialog, ticket));

  /* One digit less is a call id: the message goes, Reveal comes back. */
  ag_test_press_keys (GTK_WINDOW (dialog), "BackSpace");
  g_assert_null (find_label (GTK_WIDGET (dialog), why_pii));
  g_assert_false (gtk_widget_has_css_class (ticket, "error"));
  gtk_test_accessible_assert_state (text, GTK_ACCESSIBLE_STATE_INVALID,
                                    GTK_ACCESSIBLE_INVALID_FALSE);
  g_assert_true (gtk_widget_get_sensitive (button));

  /* A space inside: free text, said so. */
  ag_test_press_keys (GTK_WINDOW (dialog), "space x");
  why = find_label (GTK_WIDGET (dialog), why_character);
  g_assert_nonnull (why);
  AG_TEST_WAIT_UNTIL (in_sight (why));
  g_assert_true (focus_in (dialog, ticket));
  g_assert_false (gtk_widget_get_sensitive (button));
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    take_shot ("ticket-refused");

  ag_test_press_keys (GTK_WINDOW (dialog), "Escape");
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);
  ag_test_close_window (window);
}

/* Screenshots (only with AG_SCREENSHOT_DIR) -------------------------------------------- */

static gboolean
shot_ready_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Saves the whole screen as AG_SCREENSHOT_DIR/reveal-NAME-LANG.png, once GTK has drawn the
 * last changes. For the documentation and for looking at: nothing is asserted here. */
static void
take_shot (const char *name)
{
  g_autoptr (GError) error = NULL;
  const char *language = g_getenv ("LANGUAGE");
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  gboolean ready = FALSE;
  int status = 0;

  g_timeout_add (1500, shot_ready_cb, &ready);
  AG_TEST_WAIT_UNTIL (ready);
  file = g_strdup_printf ("reveal-%s-%s.png", name,
                          language != NULL && language[0] != '\0' ? language : "en");
  path = g_build_filename (g_getenv ("AG_SCREENSHOT_DIR"), file, NULL);
  g_spawn_sync (NULL, (char *[]){ "import", "-window", "root", path, NULL }, NULL,
                G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("screenshot: %s", path);
}

static void
test_screenshots (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  guint index = customer_with (fixture, AG_PII_KIND_CARD_NUMBER);
  AgRecordPage *page;
  AgRevealDialog *dialog;
  g_autofree char *code = ag_test_pam_code (1);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 720);
  page = open_customer (window, fixture, index);

  /* From the search, tabbed to: the results (one stop), then the record's first field row. */
  ag_test_press_keys (GTK_WINDOW (window), "ctrl+f Tab Tab");
  g_assert_true (focus_of (window)
                 == GTK_WIDGET (ag_test_find_type (GTK_WIDGET (page), AG_TYPE_FIELD_ROW)));
  take_shot ("focused-row");

  dialog = open_dialog (ag_test_find_field_row (page, AG_PII_KIND_CPF));
  g_assert_true (ag_reveal_dialog_select_reason (dialog, "identity-check"));
  take_shot ("dialog");
  g_signal_emit_by_name (ag_test_reveal_dialog_button (dialog), "clicked");
  AG_TEST_WAIT_UNTIL (ag_test_find_reveal_dialog () == NULL);
  fixture->now += 2 * G_USEC_PER_SEC;
  take_shot ("revealed");

  dialog = open_dialog (ag_test_find_field_row (page, AG_PII_KIND_CARD_NUMBER));
  g_assert_true (ag_reveal_dialog_select_reason (dialog, "fraud-check"));
  g_signal_emit_by_name (ag_test_reveal_dialog_button (dialog), "clicked");
  AG_TEST_WAIT_UNTIL (ag_test_n_prompts (GTK_WIDGET (dialog)) > 0);
  take_shot ("step-up");
  answer_step_up (dialog, "not-the-password", code);
  take_shot ("denied");
  gtk_window_destroy (GTK_WINDOW (dialog));

  ag_test_close_window (window);
}

/* A store whose newest ledger entries were cut off (or an older copy of which was put
 * back) opens for audit only: the sign-in itself cannot be ledgered, so the records stay
 * locked and no field, masked or not, is ever on screen (issue 18). */
static void
test_rolled_back (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window;
  GtkWidget *page;
  g_autoptr (AgGuard) guard = NULL;
  g_autofree char *code = ag_test_pam_code (0);
  const char *cpf = value_of (fixture, 2, AG_PII_KIND_CPF);
  const char *message = tr ("This copy of the customer records is older than its audit "
                            "ledger, so nobody can sign in to it. The records stay locked. "
                            "Call IT.");
  g_autoptr (GError) error = NULL;

  /* Two entries, then the newest is cut off. */
  ag_test_store_roll_back (fixture->store_path);

  guard = ag_guard_new (&error);
  g_assert_no_error (error);
  window = g_object_new (AG_TYPE_WINDOW, "store-path", fixture->store_path, "guard", guard, NULL);
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  page = ag_test_find_lock_page (GTK_WIDGET (window));
  AG_TEST_WAIT_UNTIL (ag_test_focused_prompt (page) != NULL);
  ag_test_answer_prompts (page, guard, AG_TEST_PASSWORD, code);
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_LOCKED);
  g_assert_nonnull (find_label (page, message));
  g_assert_null (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_FIELD_ROW));
  assert_nowhere (cpf, AG_PII_KIND_CPF);
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    take_shot ("rolled-back");
  ag_test_close_window (window);
}

/* A line of the agent's own file that cannot apply is named at the foot of the window. */
static void
test_policy_notice (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  g_autofree char *line = g_strdup_printf ("%s:2: idle-lock: 600 is looser than the policy in "
                                           "force (300, from built-in); ignored",
                                           fixture->policy_file);

  g_assert_nonnull (find_label (GTK_WIDGET (window), "A line of your own policy file is ignored"));
  g_assert_nonnull (find_label (GTK_WIDGET (window), line));
  ag_test_close_window (window);
}

int
main (int argc, char **argv)
{
  g_autofree char *content_type = NULL;
  int status;

  content_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#if !DEVELOPMENT
  g_test_skip ("AG_PAM_CONFDIR needs a development build (-Ddevelopment=true)");
  return g_test_run ();
#endif

#if defined(__SANITIZE_ADDRESS__)
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  /* GTK's test accessibility backend keeps the accessible properties for the assertions,
   * and needs no AT-SPI bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    {
      /* Translated like the application: LANGUAGE=pt_BR AG_LOCALEDIR=_build/po. */
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("AG_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  ag_test_pam_init ();
  gtk_init ();
  adw_init ();
  ag_test_keep_glib_dirs ();

#define ADD(path, policy, func) \
  g_test_add ("/reveal-ui/" path, Fixture, policy, fixture_set_up, func, fixture_tear_down)
  ADD ("new-destroy", NULL, test_new_destroy);
  ADD ("masked-label-reveal", NULL, test_masked_label_reveal);
  ADD ("reveal-and-expire", NULL, test_reveal_and_expire);
  ADD ("hide-now", NULL, test_hide_now);
  ADD ("reason-required", NULL, test_reason_required);
  ADD ("quota", "[policy]\nmax-reveals-per-hour=1\n", test_quota);
  ADD ("search-identifier", "[policy]\nmax-identifier-searches-per-hour=1\n",
       test_search_identifier);
  ADD ("lock-while-revealed", NULL, test_lock_while_revealed);
  ADD ("rolled-back", NULL, test_rolled_back);
  ADD ("lock-closes-dialog", NULL, test_lock_closes_dialog);
  ADD ("other-record", NULL, test_other_record);
  ADD ("policy-reload", NULL, test_policy_reload);
  ADD ("policy-refused", "[policy]\nfoo=1\n", test_policy_refused);
  ADD ("policy-notice", "[policy]\nidle-lock=600\n", test_policy_notice);
  ADD ("step-up", "[policy]\nstep-up-grace=0\n", test_step_up);
  ADD ("keyboard/enter-on-third-result-row", NULL, test_keyboard_enter_on_third_result_row);
  ADD ("keyboard/tab-does-not-open", NULL, test_keyboard_tab_does_not_open);
  ADD ("keyboard/contract", NULL, test_keyboard_contract);
  ADD ("keyboard/ticket-says-why", NULL, test_keyboard_ticket_says_why);
  ADD ("keyboard/lock-from-dialog", NULL, test_lock_from_dialog);
  ADD ("keyboard/quit-from-dialog", NULL, test_quit_from_dialog);
  ADD ("inspector-remasks", NULL, test_inspector_remasks);
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    ADD ("screenshots", "[policy]\nstep-up-grace=0\n", test_screenshots);
#undef ADD

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
