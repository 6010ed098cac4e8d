/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * `agent-guard --console` ($AG_GUI) for someone not a supervisor, under tests/run-test.sh
 * --keyring: refused with a clear message and exit 77 before any window opens, and the
 * attempt ledgered as `console-denied`. No display is needed: nothing is drawn.
 */

#include "config.h"

#include <string.h>

#include "ag-test-store.h"
#include "ag-test-util.h"

static void
test_refused (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ag-console-denied-XXXXXX", &error);
  g_autofree char *store = g_build_filename (dir, "store.db", NULL);
  g_autoptr (GPtrArray) kept
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  g_autofree char *store_id = ag_test_make_store (store, 5, 2, kept);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  const AgLedgerEntry *last;

  g_assert_no_error (error);
  launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, "AG_SUPERVISORS_GROUP", "no-such-group-agent-guard",
                                TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AG_GUI"), "--console",
                                         "--store", store, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 77);

  expected = g_strdup_printf (
    "agent-guard: only supervisors may open the supervisor console, and %s is not one "
    "(supervisors are the members of the group “no-such-group-agent-guard”). This attempt is "
    "recorded.\n",
    g_get_user_name ());
  g_assert_cmpstr (err, ==, expected);
  g_assert_cmpstr (out, ==, "");

  entries = ag_test_entries_at (store, NULL);
  g_assert_cmpuint (entries->len, >, 0);
  last = g_ptr_array_index (entries, entries->len - 1);
  g_assert_cmpint (last->event, ==, AG_LEDGER_EVENT_CONSOLE_DENIED);
  g_assert_cmpstr (last->user, ==, g_get_user_name ());
  g_assert_cmpstr (last->cause, ==, "not-supervisor");
  g_assert_null (last->record_id);

  ag_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/console/refused", test_refused);

  return g_test_run ();
}
