/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"
#include "ag-test-util.h"

#include <glib/gstdio.h>
#include <grp.h>
#include <sys/stat.h>
#include <json-glib/json-glib.h>

/* `agent-guard-admin policy show` and `policy check`, run as a user runs them. */

typedef struct
{
  char *root;
  char *system_dir;
  char *supervisor_dir;
  char *config_dir;
} Fixture;

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *drop_in = NULL;

  fixture->root = g_dir_make_tmp ("test-admin-policy-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->system_dir = g_build_filename (fixture->root, "etc", NULL);
  fixture->supervisor_dir = g_build_filename (fixture->root, "var", NULL);
  fixture->config_dir = g_build_filename (fixture->root, "config", NULL);
  drop_in = g_build_filename (fixture->system_dir, "policy.d", NULL);
  g_assert_cmpint (g_mkdir_with_parents (drop_in, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fixture->supervisor_dir, 0755), ==, 0);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  ag_test_remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->system_dir);
  g_free (fixture->supervisor_dir);
  g_free (fixture->config_dir);
}

/* Runs agent-guard-admin with @args (NULL-terminated) and the fixture's layers. */
static void
run_admin (Fixture *fixture, Run *run, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_auto (GStrv) envp = g_get_environ ();
  g_autoptr (GError) error = NULL;
  const char *admin = g_getenv ("AG_ADMIN");
  const char *arg;
  va_list args;
  int wait_status = 0;

  g_assert_nonnull (admin);
  g_ptr_array_add (argv, (char *) admin);
  va_start (args, run);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  envp = g_environ_setenv (envp, "AG_POLICY_SYSTEM_DIR", fixture->system_dir, TRUE);
  envp = g_environ_setenv (envp, "AG_POLICY_SUPERVISOR_DIR", fixture->supervisor_dir, TRUE);
  envp = g_environ_setenv (envp, "XDG_CONFIG_HOME", fixture->config_dir, TRUE);
  envp = g_environ_setenv (envp, "LC_ALL", "C.UTF-8", TRUE);

  g_spawn_sync (NULL, (char **) argv->pdata, envp, G_SPAWN_DEFAULT, NULL, NULL, &run->out,
                &run->err, &wait_status, &error);
  g_assert_no_error (error);
  if (!WIFEXITED (wait_status))
    g_test_message ("agent-guard-admin did not exit; its stderr:\n%s", run->err);
  g_assert_true (WIFEXITED (wait_status));
  run->status = WEXITSTATUS (wait_status);
}

static char *
substitute (Fixture *fixture, const char *text)
{
  GString *str = g_string_new (text);

  g_string_replace (str, "@SYS@", fixture->system_dir, 0);
  g_string_replace (str, "@SUP@", fixture->supervisor_dir, 0);
  return g_string_free (str, FALSE);
}

static void
test_check_good (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = ag_test_write_file (fixture->root, "floor.conf",
                                              "# The floor\n[policy]\nidle-lock = 600\n\n[bounds]\n"
                                              "idle-lock=600\nclipboard=deny\n");
  g_autofree char *expected = g_strdup_printf ("%s: OK\n", path);
  g_auto (Run) run = { 0 };

  run_admin (fixture, &run, "policy", "check", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, expected);
  g_assert_cmpstr (run.err, ==, "");
}

static void
test_check_bad (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = ag_test_write_file (fixture->root, "floor.conf",
                                              "[policy]\n"
                                              "idle-lock=1200\n"
                                              "idel-lock=60\n"
                                              "clipboard=allow-with-clear:30\n"
                                              "[bounds]\n"
                                              "clipboard=deny\n"
                                              "[misc]\n");
  g_autofree char *expected
    = g_strdup_printf ("%1$s:2: idle-lock: 1200 is above the maximum 900\n"
                       "%1$s:3: idel-lock: unknown key\n"
                       "%1$s:7: unknown section [misc] (this file may hold [policy], [bounds])\n"
                       "%1$s:4: clipboard: allow-with-clear:30 is looser than the admin bound "
                       "deny set in %1$s:6\n",
                       path);
  g_auto (Run) run = { 0 };

  run_admin (fixture, &run, "policy", "check", path, NULL);
  g_assert_cmpint (run.status, ==, 65);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_cmpstr (run.err, ==, expected);
}

static void
test_check_supervisor_against_installed_bounds (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *conf
    = ag_test_write_file (fixture->system_dir, "policy.conf", "[bounds]\nreveal-duration=30\n");
  g_autofree char *path
    = ag_test_write_file (fixture->root, "teams.conf", "[team:billing]\nreveal-duration=45\n");
  g_autofree char *expected = g_strdup_printf (
    "%s:2: reveal-duration: 45 is above the admin bound 30 set in %s:2\n", path, conf);
  g_auto (Run) run = { 0 };

  run_admin (fixture, &run, "policy", "check", path, NULL);
  g_assert_cmpint (run.status, ==, 65);
  g_assert_cmpstr (run.err, ==, expected);

  /* As a system file, the installed bounds do not apply, and [team:…] does not belong. */
  g_clear_pointer (&run.out, g_free);
  g_clear_pointer (&run.err, g_free);
  g_free (expected);
  expected = g_strdup_printf ("%s:1: section [team:billing] does not belong in this file (it may "
                              "hold [policy], [bounds])\n",
                              path);
  run_admin (fixture, &run, "policy", "check", "--layer=system", path, NULL);
  g_assert_cmpint (run.status, ==, 65);
  g_assert_cmpstr (run.err, ==, expected);
}

static void
test_check_errors (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *missing = g_build_filename (fixture->root, "missing.conf", NULL);
  g_auto (Run) run = { 0 };

  run_admin (fixture, &run, "policy", "check", missing, NULL);
  g_assert_cmpint (run.status, ==, 74);
  g_assert_true (g_str_has_prefix (run.err, "agent-guard-admin: "));
  g_assert_nonnull (strstr (run.err, missing));
  run_clear (&run);

  run_admin (fixture, &run, "policy", "check", NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);

  run_admin (fixture, &run, "policy", "check", "--layer=team", missing, NULL);
  g_assert_cmpint (run.status, ==, 2);
  run_clear (&run);

  run_admin (fixture, &run, "policy", "show", "--bogus", NULL);
  g_assert_cmpint (run.status, ==, 2);
}

static void
test_show (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *team_section
    = g_strdup_printf ("[user:%s]\nreveal-duration=10\n", g_get_user_name ());
  g_autofree char *file = NULL;
  g_autofree char *expected = NULL;
  g_auto (Run) run = { 0 };

  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "[policy]\nidle-lock=600\nclipboard=allow-with-clear:15\n");
  file = ag_test_write_file (fixture->supervisor_dir, "10-agents.conf", team_section);
  run_admin (fixture, &run, "policy", "show", NULL);

  /* Three columns, aligned on the longest key and the longest value. */
  {
    static const char *const rows[][3] = {
      { "idle-lock", "600", "@SYS@/policy.conf:2" },
      { "lock-warning", "30", "built-in" },
      { "reveal-duration", "10", "@SUP@/10-agents.conf:2" },
      { "require-reason", "true", "built-in" },
      { "reason-codes", "identity-check;customer-request;billing-dispute;fraud-check;legal-request",
        "built-in" },
      { "step-up-kinds", "card_number;bank_account", "built-in" },
      { "step-up-grace", "120", "built-in" },
      { "max-reveals-per-hour", "30", "built-in" },
      { "remask-on-focus-loss", "true", "built-in" },
      { "clipboard", "allow-with-clear:15", "@SYS@/policy.conf:3" },
      { "masked-kinds",
        "cpf;cnpj;rg;birth_date;phone;email;address;card_number;bank_account;pix_key;notes",
        "built-in" },
      { "ledger-retention-days", "400", "built-in" },
      { "lock-on-minimise", "true", "built-in" },
      { "max-identifier-searches-per-hour", "40", "built-in" },
      { "alert-reveals-per-window", "20/15", "built-in" },
      { "alert-distinct-customers-per-hour", "20", "built-in" },
      { "alert-denied-per-hour", "5", "built-in" },
      { "alert-outside-hours", "07:00-22:00", "built-in" },
      { "training-pass-score", "0.8", "built-in" },
    };
    g_autoptr (GString) table = g_string_new (NULL);

    for (gsize i = 0; i < G_N_ELEMENTS (rows); i++)
      g_string_append_printf (table, "%-33s  %-81s  %s\n", rows[i][0], rows[i][1], rows[i][2]);
    expected = substitute (fixture, table->str);
  }
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, expected);
}

static void
test_show_json (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *conf
    = ag_test_write_file (fixture->system_dir, "policy.conf",
                          "[policy]\nmasked-kinds=cpf;phone\n[bounds]\nidle-lock=600\n");
  g_autofree char *origin = g_strdup_printf ("%s:2", conf);
  g_autofree char *bound_origin = g_strdup_printf ("%s:4", conf);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_auto (Run) run = { 0 };
  JsonObject *root;
  JsonObject *policy;
  JsonObject *entry;
  JsonArray *kinds;

  run_admin (fixture, &run, "policy", "show", "--json", NULL);
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);

  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "user"), ==, g_get_user_name ());
  g_assert_cmpuint (strlen (json_object_get_string_member (root, "version")), ==, 16);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "errors")), ==, 0);
  policy = json_object_get_object_member (root, "policy");
  g_assert_cmpuint (json_object_get_size (policy), ==, 19);

  entry = json_object_get_object_member (policy, "ledger-retention-days");
  g_assert_cmpint (json_object_get_int_member (entry, "value"), ==, 400);
  g_assert_cmpint (json_object_get_int_member (entry, "bound"), ==, 90);
  entry = json_object_get_object_member (policy, "lock-on-minimise");
  g_assert_true (json_object_get_boolean_member (entry, "value"));
  entry = json_object_get_object_member (policy, "max-identifier-searches-per-hour");
  g_assert_cmpint (json_object_get_int_member (entry, "value"), ==, 40);
  entry = json_object_get_object_member (policy, "alert-denied-per-hour");
  g_assert_cmpint (json_object_get_int_member (entry, "value"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (entry, "bound"), ==, "off");
  entry = json_object_get_object_member (policy, "alert-reveals-per-window");
  g_assert_cmpstr (json_object_get_string_member (entry, "value"), ==, "20/15");
  entry = json_object_get_object_member (policy, "training-pass-score");
  g_assert_cmpfloat (json_object_get_double_member (entry, "value"), ==, 0.8);
  g_assert_cmpfloat (json_object_get_double_member (entry, "bound"), ==, 0.5);

  entry = json_object_get_object_member (policy, "idle-lock");
  g_assert_cmpint (json_object_get_int_member (entry, "value"), ==, 300);
  g_assert_cmpstr (json_object_get_string_member (entry, "origin"), ==, "built-in");
  g_assert_cmpint (json_object_get_int_member (entry, "bound"), ==, 600);
  g_assert_cmpstr (json_object_get_string_member (entry, "bound_origin"), ==, bound_origin);

  entry = json_object_get_object_member (policy, "masked-kinds");
  kinds = json_object_get_array_member (entry, "value");
  g_assert_cmpuint (json_array_get_length (kinds), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (kinds, 0), ==, "cpf");
  g_assert_cmpstr (json_array_get_string_element (kinds, 1), ==, "phone");
  g_assert_cmpstr (json_object_get_string_member (entry, "origin"), ==, origin);

  entry = json_object_get_object_member (policy, "require-reason");
  g_assert_true (json_object_get_boolean_member (entry, "value"));
  entry = json_object_get_object_member (policy, "clipboard");
  g_assert_cmpstr (json_object_get_string_member (entry, "value"), ==, "deny");
  entry = json_object_get_object_member (policy, "lock-warning");
  g_assert_false (json_object_has_member (entry, "bound"));
}

static void
test_show_broken (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *file = ag_test_write_file (fixture->supervisor_dir, "10-agents.conf",
                                              "[team:billing]\nidle-lock=5\n");
  g_autofree char *expected_err = g_strdup_printf (
    "%s:2: idle-lock: 5 is below the minimum 30\n"
    "agent-guard-admin: The supervisors’ policy is refused for the problems above; the "
    "layers below it stay in force\n",
    file);
  g_auto (Run) run = { 0 };

  /* The problems on stderr, exit 65, and on stdout the policy without the refused layer:
   * here the system layer is empty, so the strict defaults. */
  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpint (run.status, ==, 65);
  g_assert_cmpstr (run.err, ==, expected_err);
  g_assert_true (g_str_has_prefix (run.out, "idle-lock                          300 "));
  g_assert_null (strstr (run.out, fixture->supervisor_dir));
}

/* The line `policy show` prints for @key, from its start to the origin's file name. */
static void
assert_shown (Run *run, const char *key, const char *value, const char *origin)
{
  g_auto (GStrv) lines = g_strsplit (run->out, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = g_strsplit_set (lines[i], " ", -1);
      g_autoptr (GPtrArray) parts = g_ptr_array_new ();

      for (guint w = 0; words[w] != NULL; w++)
        if (words[w][0] != '\0')
          g_ptr_array_add (parts, words[w]);
      if (parts->len != 3 || !g_str_equal (g_ptr_array_index (parts, 0), key))
        continue;
      g_assert_cmpstr (g_ptr_array_index (parts, 1), ==, value);
      if (!g_str_has_suffix (g_ptr_array_index (parts, 2), origin))
        g_error ("%s comes from %s, not %s", key, (char *) g_ptr_array_index (parts, 2), origin);
      return;
    }
  g_error ("policy show printed no line for %s:\n%s", key, run->out);
}

/* The red-team finding of issue 12: one bad line in the agent's own file threw away the
 * system and supervisor layers. Each layer broken now leaves the others in force. */
static void
test_show_layer_broken (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *dir = g_build_filename (fixture->config_dir, "agent-guard", NULL);
  g_autofree char *user_file = NULL;
  g_autofree char *group = NULL;
  g_autofree char *team = NULL;
  g_autofree char *broken = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *refused;
  g_auto (Run) run = { 0 };

  /* The agent's primary group is a team of the supervisor layer. */
  group = g_strdup (getgrgid (getgid ())->gr_name);
  team = g_strdup_printf ("[team:%s]\nidle-lock=120\n", group);
  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "[bounds]\nmax-reveals-per-hour=20\n[policy]\nmax-reveals-per-hour=10\n");
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", team);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  /* The agent's file: an unknown key, then invalid UTF-8. */
  user_file = ag_test_write_file (dir, "policy.conf", "[policy]\nfoo=1\n");
  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpint (run.status, ==, 65);
  g_assert_nonnull (strstr (run.err, "policy.conf:2: foo: unknown key"));
  g_assert_nonnull (strstr (run.err, "Your own policy file is refused"));
  assert_shown (&run, "max-reveals-per-hour", "10", "/etc/policy.conf:4");
  assert_shown (&run, "idle-lock", "120", "/var/10-teams.conf:2");
  run_clear (&run);

  ag_test_put_file (dir, "policy.conf",
                    "[policy]\nidle-lock=6\xff"
                    "0\n");
  run_admin (fixture, &run, "policy", "show", "--json", NULL);
  g_assert_cmpint (run.status, ==, 65);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  refused = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "refused"),
    0);
  g_assert_cmpstr (json_object_get_string_member (refused, "layer"), ==, "user");
  g_assert_cmpstr (json_object_get_string_member (refused, "file"), ==, user_file);
  g_assert_cmpstr (json_object_get_string_member (refused, "problem"), ==, "invalid-utf8");
  run_clear (&run);
  g_unlink (user_file);

  /* The supervisors' layer: refused, the system layer stays. */
  broken = ag_test_write_file (fixture->supervisor_dir, "20-broken.conf",
                               "[team:billing]\nidle-lock=5\n");
  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpint (run.status, ==, 65);
  assert_shown (&run, "max-reveals-per-hour", "10", "/etc/policy.conf:4");
  assert_shown (&run, "idle-lock", "300", "built-in");
  run_clear (&run);
  g_assert_cmpint (g_unlink (broken), ==, 0);

  /* The system layer: its values go, its bound stays, and the supervisors' layer too. */
  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "[bounds]\nmax-reveals-per-hour=20\n[policy]\nmax-reveals-per-hour=10\nx\n");
  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpint (run.status, ==, 65);
  g_assert_nonnull (strstr (run.err, "/etc/policy.conf:5: expected KEY=VALUE"));
  g_assert_nonnull (strstr (run.err, "The system policy (/etc/agent-guard) is refused"));
  assert_shown (&run, "max-reveals-per-hour", "20", "/etc/policy.conf:2");
  assert_shown (&run, "idle-lock", "120", "/var/10-teams.conf:2");
}

static void
test_user_file (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *dir = g_build_filename (fixture->config_dir, "agent-guard", NULL);
  g_autofree char *path = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *ok = NULL;
  g_auto (Run) run = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = ag_test_write_file (dir, "policy.conf", "[policy]\nidle-lock=600\nreveal-duration=5\n");
  warning = g_strdup_printf ("%s:2: idle-lock: 600 is looser than the policy in force (300, "
                             "from built-in); ignored\n",
                             path);

  /* The agent's looser value is shown as ignored, the tighter one applies. */
  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_str_has_prefix (run.err, warning));
  g_assert_cmpstr (run.err + strlen (warning), ==,
                   "agent-guard-admin: 1 line of your own policy file is ignored (above); the "
                   "policy in force does not have it\n");
  g_assert_true (g_str_has_prefix (run.out, "idle-lock                          300 "));
  g_assert_nonnull (strstr (run.out, "reveal-duration                    5 "));
  run_clear (&run);

  /* Checking it finds no error but says the same. */
  ok = g_strdup_printf ("%s: OK\n", path);
  run_admin (fixture, &run, "policy", "check", path, NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, warning);
  g_assert_cmpstr (run.out, ==, ok);
}

/* The order of the agent's lines changes nothing; a line that cannot apply is named. */
static void
test_user_file_key_order (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *dir = g_build_filename (fixture->config_dir, "agent-guard", NULL);
  g_autofree char *path = NULL;
  g_autofree char *origin = NULL;
  g_autofree char *warning = NULL;
  g_auto (Run) run = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = ag_test_write_file (dir, "policy.conf", "[policy]\nlock-warning=5\nidle-lock=30\n");
  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.err, ==, "");
  origin = g_strdup_printf ("%s:3", path);
  assert_shown (&run, "idle-lock", "30", origin);
  g_free (origin);
  origin = g_strdup_printf ("%s:2", path);
  assert_shown (&run, "lock-warning", "5", origin);
  run_clear (&run);

  g_free (ag_test_write_file (dir, "policy.conf", "[policy]\nlock-warning=90\nidle-lock=60\n"));
  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpint (run.status, ==, 0);
  warning = g_strdup_printf ("%s:2: lock-warning: 90 is not shorter than idle-lock (60); "
                             "ignored\n"
                             "agent-guard-admin: 1 line of your own policy file is ignored "
                             "(above); the policy in force does not have it\n",
                             path);
  g_assert_cmpstr (run.err, ==, warning);
  g_free (origin);
  origin = g_strdup_printf ("%s:3", path);
  assert_shown (&run, "idle-lock", "60", origin);
  assert_shown (&run, "lock-warning", "30", "built-in");
}

static void
test_example (Fixture *fixture, gconstpointer user_data)
{
  const char *source_root = g_getenv ("AG_SOURCE_ROOT");
  g_autofree char *example = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *uncommented = NULL;
  g_autofree char *installed = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Run) run = { 0 };

  g_assert_nonnull (source_root);
  example = g_build_filename (source_root, "data", "policy.conf.example", NULL);

  /* The example as shipped. */
  expected = g_strdup_printf ("%s: OK\n", example);
  run_admin (fixture, &run, "policy", "check", example, NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, expected);
  run_clear (&run);

  /* Every setting it shows, uncommented, installed as the system policy. */
  g_file_get_contents (example, &contents, NULL, &error);
  g_assert_no_error (error);
  regex = g_regex_new ("^#([a-z-]+=)", G_REGEX_MULTILINE, 0, &error);
  g_assert_no_error (error);
  uncommented = g_regex_replace (regex, contents, -1, 0, "\\1", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (uncommented, !=, contents);
  installed = ag_test_write_file (fixture->system_dir, "policy.conf", uncommented);

  run_admin (fixture, &run, "policy", "show", NULL);
  g_assert_cmpstr (run.err, ==, "");
  g_assert_cmpint (run.status, ==, 0);
  g_assert_null (strstr (run.out, "built-in"));
  g_assert_nonnull (strstr (run.out, installed));
}

static void
test_show_unknown_user (Fixture *fixture, gconstpointer user_data)
{
  g_auto (Run) run = { 0 };

  run_admin (fixture, &run, "policy", "show", "--user", "no-such-user-agent-guard", NULL);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.err, ==,
                   "agent-guard-admin: policy show: no such user “no-such-user-agent-guard”\n");
}

static void
test_help (Fixture *fixture, gconstpointer user_data)
{
  g_auto (Run) run = { 0 };

  run_admin (fixture, &run, "policy", "show", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "agent-guard-admin policy show"));
  g_assert_nonnull (strstr (run.out, "--json"));
  g_assert_nonnull (strstr (run.out, "--user"));
  run_clear (&run);

  run_admin (fixture, &run, "policy", "check", "--help", NULL);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "agent-guard-admin policy check"));
  g_assert_nonnull (strstr (run.out, "FILE"));
  g_assert_nonnull (strstr (run.out, "--layer"));
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* System policy files must not be group-writable. */
  umask (022);

  ADD ("/admin-policy/check-good", test_check_good);
  ADD ("/admin-policy/check-bad", test_check_bad);
  ADD ("/admin-policy/check-supervisor-against-installed-bounds",
       test_check_supervisor_against_installed_bounds);
  ADD ("/admin-policy/check-errors", test_check_errors);
  ADD ("/admin-policy/show", test_show);
  ADD ("/admin-policy/show-json", test_show_json);
  ADD ("/admin-policy/show-broken", test_show_broken);
  ADD ("/admin-policy/show-layer-broken", test_show_layer_broken);
  ADD ("/admin-policy/show-unknown-user", test_show_unknown_user);
  ADD ("/admin-policy/user-file", test_user_file);
  ADD ("/admin-policy/user-file-key-order", test_user_file_key_order);
  ADD ("/admin-policy/example", test_example);
  ADD ("/admin-policy/help", test_help);

  return g_test_run ();
}
