/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * `agent-guard-admin policy set|history|revert` ($AG_ADMIN) under tests/run-test.sh
 * --keyring: versions of the supervisors' policy, the dry run, bounds, revert, the ledger
 * entry of every save, and a running AgPolicySource taking a save up. The test's own user
 * is the supervisor (AG_SUPERVISORS_GROUP) and its primary group the team.
 */

#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "ag-policy-source.h"
#include "ag-policy-versions.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

#define EVENT_TIMEOUT_S 30

typedef struct
{
  char *dir;
  char *store;
  char *system_dir;
  char *supervisor_dir;
  char *team;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer user_data)
{
  g_autoptr (GPtrArray) kept
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  g_autofree char *store_id = NULL;
  struct group *group = getgrgid (getgid ());

  f->dir = g_dir_make_tmp ("ag-admin-policy-set-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->store = g_build_filename (f->dir, "store.db", NULL);
  f->system_dir = g_build_filename (f->dir, "etc", NULL);
  f->supervisor_dir = g_build_filename (f->dir, "var", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->system_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (f->supervisor_dir, 0755), ==, 0);
  ag_test_put_file (f->system_dir, "policy.conf", "[bounds]\nidle-lock=600\n");
  store_id = ag_test_make_store (f->store, 3, 2, kept);
  g_assert_nonnull (group);
  f->team = g_strdup (group->gr_name);
}

static void
fixture_tear_down (Fixture *f, gconstpointer user_data)
{
  ag_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->store);
  g_free (f->system_dir);
  g_free (f->supervisor_dir);
  g_free (f->team);
}

static int
run_admin_v (Fixture *f, gboolean supervisor, char **out, char **err, const char *const *args)
{
  const char *const env[] = { "AG_POLICY_SYSTEM_DIR",
                              f->system_dir,
                              "AG_POLICY_SUPERVISOR_DIR",
                              f->supervisor_dir,
                              "AG_SUPERVISORS_GROUP",
                              supervisor ? f->team : "no-such-group-agent-guard",
                              NULL };
  AgTestAdminRun run = { NULL, env, NULL, FALSE };

  return ag_test_run_admin (&run, out, err, args);
}

#define run_admin(f, sup, out, err, ...) \
  run_admin_v (f, sup, out, err, (const char *const[]){ __VA_ARGS__, NULL })

static GPtrArray *
changes (Fixture *f)
{
  g_autoptr (GPtrArray) all = ag_test_entries_at (f->store, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < all->len; i++)
    {
      AgLedgerEntry *entry = all->pdata[i];

      if (entry->event == AG_LEDGER_EVENT_POLICY_CHANGED)
        g_ptr_array_add (out, g_strdup (entry->cause));
    }
  return out;
}

static gboolean
saved_nothing (Fixture *f)
{
  g_autofree char *file = g_build_filename (f->supervisor_dir, AG_POLICY_VERSIONS_FILE, NULL);
  g_autofree char *history = g_build_filename (f->supervisor_dir, AG_POLICY_VERSIONS_FOLDER, NULL);
  g_autoptr (GPtrArray) ledgered = changes (f);

  return !g_file_test (file, G_FILE_TEST_EXISTS) && !g_file_test (history, G_FILE_TEST_EXISTS)
         && ledgered->len == 0;
}

static int
team_size (const char *name)
{
  g_autoptr (GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  struct group *group = getgrnam (name);
  struct passwd *pw;

  for (char **m = group->gr_mem; *m != NULL; m++)
    g_hash_table_add (users, g_strdup (*m));
  setpwent ();
  while ((pw = getpwent ()) != NULL)
    if (pw->pw_gid == group->gr_gid)
      g_hash_table_add (users, g_strdup (pw->pw_name));
  endpwent ();
  return g_hash_table_size (users);
}

static void
test_not_supervisor (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (f, FALSE, NULL, &err, "policy", "set", "idle-lock", "600", "--team",
                              f->team, "--store", f->store),
                   ==, 77);
  g_assert_nonnull (strstr (err, "policy set: only supervisors may do this"));
  g_assert_cmpint (run_admin (f, FALSE, NULL, NULL, "policy", "revert", "1", "--store", f->store),
                   ==, 77);
  g_assert_true (saved_nothing (f));
}

static void
test_dry_run (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  int n = team_size (f->team);

  g_assert_cmpint (run_admin (f, TRUE, &out, &err, "policy", "set", "idle-lock", "600", "--team",
                              f->team, "--dry-run"),
                   ==, 0);
  expected = g_strdup_printf ("idle-lock 5 min → 10 min for team %s: %d agent%s\n", f->team, n,
                              n == 1 ? "" : "s");
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&expected, g_free);

  g_assert_cmpint (run_admin (f, TRUE, &out, NULL, "policy", "set", "reveal-duration", "10",
                              "--user", g_get_user_name (), "--dry-run"),
                   ==, 0);
  expected = g_strdup_printf ("reveal-duration 20 s → 10 s for agent %s\n", g_get_user_name ());
  g_assert_cmpstr (out, ==, expected);
  g_assert_true (saved_nothing (f));
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf (
    "%s/console.conf:2: idle-lock: 700 is above the admin bound 600 set in %s/policy.conf:2\n",
    f->supervisor_dir, f->system_dir);

  g_assert_cmpint (run_admin (f, TRUE, NULL, &err, "policy", "set", "idle-lock", "700", "--team",
                              f->team, "--store", f->store),
                   ==, 65);
  g_assert_cmpstr (err, ==, expected);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, TRUE, NULL, &err, "policy", "set", "idle-lock", "ten", "--team",
                              f->team, "--store", f->store),
                   ==, 65);
  g_assert_nonnull (strstr (err, "idle-lock: “ten” is not a whole number"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, TRUE, NULL, &err, "policy", "set", "idle-lok", "60", "--team",
                              f->team, "--store", f->store),
                   ==, 65);
  g_assert_nonnull (strstr (err, "unknown key “idle-lok”"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, TRUE, NULL, &err, "policy", "set", "idle-lock", "30", "--team",
                              f->team, "--store", f->store),
                   ==, 65);
  g_assert_nonnull (strstr (err, "lock-warning (30) must be shorter than idle-lock (30)"));
  g_assert_cmpint (
    run_admin (f, TRUE, NULL, NULL, "policy", "set", "idle-lock", "60", "--store", f->store), ==,
    2);
  g_assert_cmpint (run_admin (f, TRUE, NULL, NULL, "policy", "set", "idle-lock", "60", "--team",
                              "no-such-group-agent-guard", "--store", f->store),
                   ==, 65);
  g_assert_true (saved_nothing (f));
}

static JsonArray *
history (Fixture *f, JsonParser *parser)
{
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (run_admin (f, FALSE, &out, NULL, "policy", "history", "--json"), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_node_get_array (json_parser_get_root (parser));
}

static void
test_versions (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) ledgered = NULL;
  g_autofree char *out = NULL;
  g_autofree char *show = NULL;
  g_autofree char *cause = NULL;
  JsonArray *versions;
  JsonObject *v1, *v3;

  g_assert_cmpint (run_admin (f, TRUE, &out, NULL, "policy", "set", "idle-lock", "600", "--team",
                              f->team, "--comment", "longer calls", "--store", f->store),
                   ==, 0);
  g_assert_cmpstr (out, ==, "Saved version 1 of the supervisors' policy.\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (f, TRUE, &out, NULL, "policy", "set", "reveal-duration", "10",
                              "--user", g_get_user_name (), "--store", f->store),
                   ==, 0);
  g_assert_cmpstr (out, ==, "Saved version 2 of the supervisors' policy.\n");

  /* In force for the agent, from the supervisors' file. */
  g_assert_cmpint (run_admin (f, FALSE, &show, NULL, "policy", "show", "--json"), ==, 0);
  g_assert_nonnull (strstr (show, "console.conf"));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (f, TRUE, &out, NULL, "policy", "revert", "1", "--store", f->store),
                   ==, 0);
  g_assert_cmpstr (out, ==, "Saved version 3 of the supervisors' policy.\n");
  g_assert_cmpint (run_admin (f, TRUE, NULL, NULL, "policy", "revert", "9", "--store", f->store),
                   ==, 65);

  versions = history (f, parser);
  g_assert_cmpuint (json_array_get_length (versions), ==, 3);
  v1 = json_array_get_object_element (versions, 0);
  v3 = json_array_get_object_element (versions, 2);
  g_assert_cmpint (json_object_get_int_member (v1, "version"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (v1, "author"), ==, g_get_user_name ());
  g_assert_cmpstr (json_object_get_string_member (v1, "comment"), ==, "longer calls");
  g_assert_true (
    json_object_get_null_member (json_array_get_object_element (versions, 1), "comment"));
  g_assert_cmpstr (json_object_get_string_member (v3, "comment"), ==, "revert to version 1");
  g_assert_cmpstr (json_object_get_string_member (v3, "policy"), ==,
                   json_object_get_string_member (v1, "policy"));
  g_assert_nonnull (strstr (json_object_get_string_member (v1, "policy"), "idle-lock=600"));
  g_assert_null (strstr (json_object_get_string_member (v3, "policy"), "reveal-duration"));

  /* Each save ledgered with its old and new version. */
  ledgered = changes (f);
  g_assert_cmpuint (ledgered->len, ==, 3);
  cause = g_strdup_printf ("layer=supervisor old-version=0 new-version=1 key=idle-lock "
                           "section=team:%s",
                           f->team);
  g_assert_cmpstr (ledgered->pdata[0], ==, cause);
  g_clear_pointer (&cause, g_free);
  cause = g_strdup_printf ("layer=supervisor old-version=1 new-version=2 key=reveal-duration "
                           "section=user:%s",
                           g_get_user_name ());
  g_assert_cmpstr (ledgered->pdata[1], ==, cause);
  g_assert_cmpstr (ledgered->pdata[2], ==,
                   "layer=supervisor old-version=2 new-version=3 reverted-to=1");
}

static void
changed_cb (AgPolicySource *source, AgPolicy *policy, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A running app's AgPolicySource takes a save up from the folder. */
static void
test_live (Fixture *f, gconstpointer data)
{
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (f->system_dir, f->supervisor_dir, NULL);
  g_autoptr (AgPolicySource) source = NULL;
  gboolean timed_out = FALSE;
  guint n_changed = 0;
  guint timeout;

  source = ag_policy_source_new (paths, g_get_user_name (), (const char *const[]){ f->team, NULL });
  g_signal_connect (source, "changed", G_CALLBACK (changed_cb), &n_changed);
  g_assert_cmpuint (ag_policy_get_idle_lock (ag_policy_source_get_policy (source)), ==, 300);

  g_assert_cmpint (run_admin (f, TRUE, NULL, NULL, "policy", "set", "idle-lock", "420", "--team",
                              f->team, "--store", f->store),
                   ==, 0);
  timeout = g_timeout_add_seconds (EVENT_TIMEOUT_S, timeout_cb, &timed_out);
  while (!timed_out && ag_policy_get_idle_lock (ag_policy_source_get_policy (source)) != 420)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout);
  g_assert_cmpuint (n_changed, >=, 1);
  g_assert_null (ag_policy_source_get_last_error (source));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/admin-policy-set/not-supervisor", test_not_supervisor);
  ADD ("/admin-policy-set/dry-run", test_dry_run);
  ADD ("/admin-policy-set/refused", test_refused);
  ADD ("/admin-policy-set/versions", test_versions);
  ADD ("/admin-policy-set/live", test_live);
#undef ADD

  return g_test_run ();
}
