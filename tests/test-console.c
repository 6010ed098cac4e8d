/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The supervisor console in a real window under Xvfb, driven by real key events: the
 * supervisor (the test's own user, through AG_SUPERVISORS_GROUP) signs in on the same
 * lock page as the agent view and sees the pages; scripted reveals raise an alert that
 * appears on the alerts page, and opening it with Return filters the ledger page to
 * exactly its rows; acknowledging it with a note ledgers `alert-ack`; Ctrl+L locks and
 * empties the pages. All data is synthetic. With AG_SCREENSHOT_DIR, screenshots to look at
 * (LANGUAGE=pt_BR AG_LOCALEDIR=_build/po for the translation).
 */

#include "config.h"

#include <grp.h>
#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ag-console-alerts.h"
#include "ag-console-charts.h"
#include "ag-console-ledger.h"
#include "ag-console-window.h"
#include "ag-keyring.h"
#include "ag-ledger-item.h"
#include "ag-pii.h"
#include "ag-roles.h"
#include "ag-sqlite-store.h"
#include "ag-test-guard.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"
#include "ag-test-util.h"
#include "ag-test-window.h"

#define tr(text) g_dgettext (GETTEXT_PACKAGE, text)

#define MINUTE_US (60 * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  char *store_path;
  char *store_id;
  char *policy_dir;
  GPtrArray *customers;
  guint64 seqs[6];
} Fixture;

static guint64
append (AgSqliteStore *store, AgLedgerEvent event, const char *user, gint64 time_us,
        const char *record)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (event);
  g_autoptr (GError) error = NULL;

  entry->time_us = time_us;
  entry->user = g_strdup (user);
  entry->host = g_strdup ("ws-07");
  entry->session_id = g_strdup_printf ("session-%s", user);
  entry->record_id = g_strdup (record);
  entry->field_kind = AG_PII_KIND_CPF;
  entry->reason = g_strdup ("identity-check");
  entry->ticket = g_strdup ("T-100");
  g_assert_true (ag_sqlite_store_append_event (store, entry, &error));
  g_assert_no_error (error);
  return entry->seq;
}

static const char *
customer (Fixture *f, guint n)
{
  return ((AgCustomerData *) g_ptr_array_index (f->customers, n))->id;
}

/* ana reveals three values within ten minutes (rows 1, 3, 4), with bruno's reveal (2)
 * between them; bruno stays under the threshold. */
static void
fixture_set_up (Fixture *f, gconstpointer user_data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  gint64 start = (g_get_real_time () / G_USEC_PER_SEC / 3600 - 2) * 3600 * G_USEC_PER_SEC;
  struct group *group = getgrgid (getgid ());

  g_assert_nonnull (group);
  g_setenv ("AG_SUPERVISORS_GROUP", group->gr_name, TRUE);
  ag_test_pam_write_stack (NULL);
  f->dir = g_dir_make_tmp ("test-console-XXXXXX", &error);
  g_assert_no_error (error);
  f->store_path = g_build_filename (f->dir, "store.db", NULL);
  f->policy_dir = g_build_filename (f->dir, "etc", NULL);
  ag_test_put_file (f->policy_dir, "policy.conf",
                    "[policy]\n"
                    "remask-on-focus-loss=false\n"
                    "max-reveals-per-hour=5\n"
                    "alert-reveals-per-window=3/10\n"
                    "alert-distinct-customers-per-hour=off\n"
                    "alert-denied-per-hour=off\n"
                    "alert-outside-hours=off\n");
  f->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  f->store_id = ag_test_make_store (f->store_path, 20261207, 6, f->customers);

  store = ag_sqlite_store_open (f->store_path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  f->seqs[1] = append (store, AG_LEDGER_EVENT_REVEAL, "ana", start, customer (f, 0));
  f->seqs[2] = append (store, AG_LEDGER_EVENT_REVEAL, "bruno", start + MINUTE_US, customer (f, 1));
  f->seqs[3]
    = append (store, AG_LEDGER_EVENT_REVEAL, "ana", start + 2 * MINUTE_US, customer (f, 1));
  f->seqs[4]
    = append (store, AG_LEDGER_EVENT_REVEAL, "ana", start + 5 * MINUTE_US, customer (f, 2));
  f->seqs[5]
    = append (store, AG_LEDGER_EVENT_REVEAL, "bruno", start + 30 * MINUTE_US, customer (f, 2));
}

static void
fixture_tear_down (Fixture *f, gconstpointer user_data)
{
  ag_test_keep_glib_dirs ();
  ag_keyring_delete_keys (f->store_id, NULL, NULL);
  ag_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->store_path);
  g_free (f->store_id);
  g_free (f->policy_dir);
  g_ptr_array_unref (f->customers);
  g_unsetenv ("AG_SUPERVISORS_GROUP");
}

static gboolean
shot_ready_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
take_shot (const char *name)
{
  g_autoptr (GError) error = NULL;
  const char *language = g_getenv ("LANGUAGE");
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  gboolean ready = FALSE;
  int status = 0;

  if (g_getenv ("AG_SCREENSHOT_DIR") == NULL)
    return;
  g_timeout_add (1500, shot_ready_cb, &ready);
  AG_TEST_WAIT_UNTIL (ready);
  file = g_strdup_printf ("console-%s-%s.png", name,
                          language != NULL && language[0] != '\0' ? language : "en");
  path = g_build_filename (g_getenv ("AG_SCREENSHOT_DIR"), file, NULL);
  g_spawn_sync (NULL, (char *[]){ "import", "-window", "root", path, NULL }, NULL,
                G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_test_message ("screenshot: %s", path);
}

static AgConsoleWindow *
open_console (Fixture *f, AgGuard **out_guard)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (f->policy_dir, NULL, NULL);
  AgGuard *guard = ag_guard_new (&error);
  AgConsoleWindow *window;

  g_assert_no_error (error);
  window = g_object_new (AG_TYPE_CONSOLE_WINDOW, "store-path", f->store_path, "guard", guard,
                         "policy-paths", paths, NULL);
  g_object_unref (guard);
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_false (ag_console_window_get_ready (window));
  ag_test_sign_in (GTK_WIDGET (window), guard, 0);
  AG_TEST_WAIT_UNTIL (ag_console_window_get_ready (window));
  ag_test_spin ();
  *out_guard = guard;
  return window;
}

static void
close_console (AgConsoleWindow *window)
{
  AgGuard *guard = g_object_ref (ag_console_window_get_guard (window));

  gtk_window_destroy (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (ag_guard_get_n_running (guard) == 0);
  g_object_unref (guard);
  ag_test_spin ();
}

static GPtrArray *
ledger_of (Fixture *f, AgLedgerEvent event)
{
  g_autoptr (GPtrArray) all = ag_test_entries_at (f->store_path, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);

  for (guint i = 0; i < all->len; i++)
    if (((AgLedgerEntry *) all->pdata[i])->event == event)
      g_ptr_array_add (out, ag_ledger_entry_copy (all->pdata[i]));
  return out;
}

/* The seqs the ledger page shows, in order, once it has loaded them all. */
static char *
shown_seqs (AgConsoleLedger *ledger)
{
  GListModel *rows = ag_console_ledger_get_rows (ledger);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (rows); i++)
    {
      g_autoptr (AgLedgerItem) item = g_list_model_get_item (rows, i);

      g_string_append_printf (out, "%" G_GUINT64_FORMAT " ", ag_ledger_item_get_seq (item));
    }
  return g_string_free (out, FALSE);
}

static gboolean
shows_seqs (AgConsoleLedger *ledger, const char *expected)
{
  g_autofree char *seqs = shown_seqs (ledger);

  return g_str_equal (seqs, expected);
}

static GtkWindow *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) candidate = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (candidate) && gtk_widget_get_mapped (GTK_WIDGET (candidate)))
        return candidate;
    }
  return NULL;
}

static void
test_new_destroy (Fixture *f, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  AgConsoleWindow *window;

  g_assert_no_error (error);
  window = g_object_new (AG_TYPE_CONSOLE_WINDOW, "store-path", f->store_path, "guard", guard, NULL);
  g_assert_false (ag_console_window_get_ready (window));
  g_assert_null (ag_console_window_get_store (window));
  gtk_window_destroy (GTK_WINDOW (window));
  ag_test_spin ();
}

static void
test_sign_in_and_pages (Fixture *f, gconstpointer user_data)
{
  AgGuard *guard = NULL;
  AgConsoleWindow *window;
  AdwViewStack *stack;
  AgConsoleAlerts *alerts;
  AgConsoleLedger *ledger;
  AgConsoleCharts *charts;
  g_autoptr (GPtrArray) logins = NULL;
  g_autofree char *description = NULL;

  g_assert_true (ag_roles_user_has (g_get_user_name (), AG_ROLE_SUPERVISOR));
  window = open_console (f, &guard);
  stack = ag_console_window_get_view_stack (window);
  alerts = AG_CONSOLE_ALERTS (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_CONSOLE_ALERTS));
  ledger = AG_CONSOLE_LEDGER (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_CONSOLE_LEDGER));
  charts = AG_CONSOLE_CHARTS (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_CONSOLE_CHARTS));

  /* The sign-in is ledgered, and the console opens on the ledger with the search focused:
   * typing filters at once. */
  logins = ledger_of (f, AG_LEDGER_EVENT_LOGIN);
  g_assert_cmpuint (logins->len, ==, 1);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "ledger");
  g_assert_true (GTK_IS_TEXT (gtk_root_get_focus (GTK_ROOT (window))));
  AG_TEST_WAIT_UNTIL (g_list_model_get_n_items (ag_console_ledger_get_rows (ledger)) >= 6);
  take_shot ("ledger");
  ag_test_type_text (GTK_WINDOW (window), "bruno");
  AG_TEST_WAIT_UNTIL (shows_seqs (ledger, "5 2 "));

  /* The charts count the scripted reveals: ana's three and bruno's two. */
  adw_view_stack_set_visible_child_name (stack, "charts");
  description = ag_chart_describe (ag_console_charts_get_chart (charts, 3));
  g_assert_nonnull (strstr (description, "5"));
  g_clear_pointer (&description, g_free);
  take_shot ("charts");

  /* Ctrl+L locks, to the lock page, and every page is emptied. */
  ag_test_press_keys (GTK_WINDOW (window), "ctrl+l");
  g_assert_cmpint (ag_guard_get_state (guard), !=, AG_GUARD_STATE_UNLOCKED);
  g_assert_false (ag_console_window_get_ready (window));
  g_assert_cmpuint (ag_console_alerts_get_n_alerts (alerts), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ag_console_ledger_get_rows (ledger)), ==, 0);
  g_assert_nonnull (ag_test_find_lock_page (GTK_WIDGET (window)));
  g_assert_true (gtk_widget_get_mapped (ag_test_find_lock_page (GTK_WIDGET (window))));

  close_console (window);
}

static void
test_alert_opens_its_rows (Fixture *f, gconstpointer user_data)
{
  AgGuard *guard = NULL;
  AgConsoleWindow *window = open_console (f, &guard);
  AdwViewStack *stack = ag_console_window_get_view_stack (window);
  AgConsoleAlerts *alerts
    = AG_CONSOLE_ALERTS (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_CONSOLE_ALERTS));
  AgConsoleLedger *ledger
    = AG_CONSOLE_LEDGER (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_CONSOLE_LEDGER));
  g_autoptr (GPtrArray) raised = NULL;
  g_autoptr (GPtrArray) acks = NULL;
  const AgAlertRecord *record;
  g_autofree char *title = NULL;
  g_autofree char *expected = NULL;
  GtkWidget *row, *button;

  /* One alert, ledgered once, naming the rule, ana and her three rows (never bruno's). */
  g_assert_cmpuint (ag_console_alerts_get_n_alerts (alerts), ==, 1);
  record = ag_console_alerts_get_alert (alerts, 0);
  g_assert_cmpstr (record->alert->user, ==, "ana");
  g_assert_cmpuint (record->alert->count, ==, 3);
  raised = ledger_of (f, AG_LEDGER_EVENT_ALERT);
  g_assert_cmpuint (raised->len, ==, 1);

  adw_view_stack_set_visible_child_name (stack, "alerts");
  title = g_strdup_printf ("%s — %s", tr ("Many reveals in a short time"), "ana");
  row = ag_test_find_type (GTK_WIDGET (alerts), ADW_TYPE_ACTION_ROW);
  g_assert_nonnull (row);
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, title);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (row));
  take_shot ("alerts");

  /* Return on the alert's row opens the ledger page with exactly its rows. */
  gtk_widget_grab_focus (row);
  ag_test_press_keys (GTK_WINDOW (window), "Return");
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "ledger");
  expected = g_strdup_printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " ",
                              f->seqs[4], f->seqs[3], f->seqs[1]);
  AG_TEST_WAIT_UNTIL (shows_seqs (ledger, expected));
  ag_test_spin ();
  g_assert_true (shows_seqs (ledger, expected));
  take_shot ("alert-rows");

  /* Its button asks for a note; a note with a CPF is refused, a plain one ledgered. */
  g_assert_false (ag_console_alerts_acknowledge (alerts, record->id, "   ", NULL));
  adw_view_stack_set_visible_child_name (stack, "alerts");
  button = ag_test_find_type (row, GTK_TYPE_BUTTON);
  g_assert_nonnull (button);
  gtk_widget_grab_focus (button);
  ag_test_press_keys (GTK_WINDOW (window), "space");
  {
    GtkWindow *dialog;

    AG_TEST_WAIT_UNTIL ((dialog = find_dialog ()) != NULL);
    take_shot ("acknowledge");
    ag_test_type_text (dialog, "Called ana, ticket T-100 checked");
    ag_test_press_keys (dialog, "Return");
  }
  AG_TEST_WAIT_UNTIL (ag_console_alerts_get_alert (alerts, 0) != NULL
                      && ag_console_alerts_get_alert (alerts, 0)->ack_id != 0);
  acks = ledger_of (f, AG_LEDGER_EVENT_ALERT_ACK);
  g_assert_cmpuint (acks->len, ==, 1);
  g_assert_cmpstr (((AgLedgerEntry *) acks->pdata[0])->cause, ==,
                   "Called ana, ticket T-100 checked");

  close_console (window);
}

/* The filtered view exported from the page is, byte for byte, what `agent-guard-admin
 * audit export` writes for the same filter, in both formats; each export is ledgered. */
static void
test_export_equals_cli (Fixture *f, gconstpointer user_data)
{
  AgGuard *guard = NULL;
  AgConsoleWindow *window = open_console (f, &guard);
  AgConsoleLedger *ledger
    = AG_CONSOLE_LEDGER (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_CONSOLE_LEDGER));
  GtkWidget *agent = ag_test_find_type (GTK_WIDGET (ledger), GTK_TYPE_ENTRY);
  const char *const formats[] = { "csv", "jsonl" };
  const char *const env[] = { "AG_SUPERVISORS_GROUP", g_getenv ("AG_SUPERVISORS_GROUP"), NULL };
  AgTestAdminRun run = { NULL, env, NULL, FALSE };
  g_autofree char *expected
    = g_strdup_printf ("%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " ",
                       f->seqs[4], f->seqs[3], f->seqs[1]);
  g_autoptr (GPtrArray) exports = NULL;

  gtk_widget_grab_focus (agent);
  ag_test_type_text (GTK_WINDOW (window), "ana");
  AG_TEST_WAIT_UNTIL (shows_seqs (ledger, expected));

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/export.%s", f->dir, formats[i]);
      g_autoptr (GFile) file = g_file_new_for_path (path);
      g_autoptr (GError) error = NULL;
      g_autofree char *ours = NULL;
      g_autofree char *cli = NULL;

      g_assert_true (ag_console_ledger_export (
        ledger, file, i == 0 ? AG_LEDGER_EXPORT_CSV : AG_LEDGER_EXPORT_JSONL, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &ours, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (ag_test_run_admin (&run, &cli, NULL,
                                          (const char *const[]){ "audit", "export", "--format",
                                                                 formats[i], "--user", "ana",
                                                                 "--store", f->store_path, NULL }),
                       ==, 0);
      g_assert_cmpstr (ours, ==, cli);
      g_assert_nonnull (strstr (ours, "identity-check"));
    }
  exports = ledger_of (f, AG_LEDGER_EVENT_EXPORT);
  g_assert_cmpuint (exports->len, ==, 4); /* two of the console, two of the CLI */
  g_assert_cmpstr (((AgLedgerEntry *) exports->pdata[0])->cause, ==, "console-export");

  close_console (window);
}

int
main (int argc, char **argv)
{
  g_autofree char *content_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#if defined(__SANITIZE_ADDRESS__)
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("AG_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  ag_test_pam_init ();
  gtk_init ();
  adw_init ();
  ag_test_keep_glib_dirs ();

  g_test_add ("/console/new-destroy", Fixture, NULL, fixture_set_up, test_new_destroy,
              fixture_tear_down);
  g_test_add ("/console/sign-in-and-pages", Fixture, NULL, fixture_set_up, test_sign_in_and_pages,
              fixture_tear_down);
  g_test_add ("/console/alert-opens-its-rows", Fixture, NULL, fixture_set_up,
              test_alert_opens_its_rows, fixture_tear_down);

  g_test_add ("/console/export-equals-cli", Fixture, NULL, fixture_set_up, test_export_equals_cli,
              fixture_tear_down);

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
