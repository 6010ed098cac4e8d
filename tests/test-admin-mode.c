/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * agent-guard-admin and the training boundary (issue 16): `store info`, a store of the other
 * mode refused (exit 65), a trainee refused every live store (exit 77) and sent to their own
 * training store, and a training store that takes no import. Synthetic customers only.
 */

#include "config.h"

#include <grp.h>
#include <string.h>
#include <unistd.h>

#include "ag-session.h"
#include "ag-test-util.h"

typedef struct
{
  char *dir;
  char *live;
  char *training;
} Fixture;

static int
run_admin_v (const char *const *env, char **out, char **err, const char *const *args)
{
  AgTestAdminRun run = { NULL, env, NULL, FALSE };

  return ag_test_run_admin (&run, out, err, args);
}

#define run_admin(out, err, ...) \
  run_admin_v (NULL, out, err, (const char *const[]){ __VA_ARGS__, NULL })
/* The same as a trainee: the user's own group stands for the trainees' group. */
#define run_trainee(out, err, ...) \
  run_admin_v (trainee_env (), out, err, (const char *const[]){ __VA_ARGS__, NULL })

static const char *const *
trainee_env (void)
{
  static const char *env[3] = { "AG_TRAINEES_GROUP", NULL, NULL };
  struct group *group = getgrgid (getgid ());

  g_assert_nonnull (group);
  if (env[1] == NULL)
    env[1] = g_strdup (group->gr_name);
  return env;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;

  f->dir = g_dir_make_tmp ("ag-admin-mode-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->live = g_build_filename (f->dir, "live.db", NULL);
  f->training = g_build_filename (f->dir, "training.db", NULL);
  g_assert_cmpint (
    run_admin (NULL, &err, "generate", "--store", f->live, "--count", "5", "--seed", "7"), ==, 0);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (NULL, &err, "generate", "--training", "--store", f->training,
                              "--count", "4", "--seed", "8"),
                   ==, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  ag_test_remove_tree (f->dir);
  g_free (f->live);
  g_free (f->training);
  g_free (f->dir);
}

static void
test_store_info (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *json = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (run_admin (&out, NULL, "store", "info", "--store", f->live), ==, 0);
  expected = g_strdup_printf ("Location: %s\nFormat: sqlite 1\nMode: live\nCustomers: 5\n"
                              "Ledger entries: 0\n",
                              f->live);
  g_assert_cmpstr (out, ==, expected);

  g_assert_cmpint (
    run_admin (&json, NULL, "store", "info", "--training", "--store", f->training, "--json"), ==,
    0);
  g_assert_nonnull (strstr (json, "\"mode\" : \"training\""));
  g_assert_nonnull (strstr (json, "\"customers\" : 4"));
  g_assert_nonnull (strstr (json, "\"format\" : \"sqlite\""));
}

/* Each way, the store of the other mode is refused with exit 65, saying what to do. */
static void
test_mismatch (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (&out, &err, "search", "--store", f->training, "a"), ==, 65);
  g_assert_nonnull (strstr (err, "this is a training store"));
  g_assert_nonnull (strstr (err, "add --training"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (&out, &err, "search", "--training", "--store", f->live, "a"), ==, 65);
  g_assert_nonnull (strstr (err, "this is a live store"));
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (NULL, &err, "audit", "export", "--store", f->training), ==, 65);
  g_assert_nonnull (strstr (err, "this is a training store"));
}

/* A trainee never works on a live store: every command that reads customers (or their
 * ledger) refuses it with exit 77, before anything is read or written. */
static void
test_trainee_live_store (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = ag_test_write_file (f->dir, "one.csv", "id,name\nT1,Ana Teste\n");
  const char *const *commands[] = {
    (const char *const[]){ "search", "--store", f->live, "a", NULL },
    (const char *const[]){ "reveal", "--store", f->live, "--record", "X", "--field", "cpf",
                           "--reason", "identity-check", NULL },
    (const char *const[]){ "import", "--store", f->live, csv, NULL },
    (const char *const[]){ "generate", "--store", f->live, "--count", "1", NULL },
    (const char *const[]){ "audit", "subject", "--store", f->live, "X", NULL },
    (const char *const[]){ "audit", "export", "--store", f->live, NULL },
    (const char *const[]){ "audit", "verify", "--store", f->live, NULL },
    (const char *const[]){ "audit", "prune", "--store", f->live, NULL },
    (const char *const[]){ "store", "info", "--store", f->live, NULL },
  };
  g_autofree char *info = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      if (run_admin_v (trainee_env (), &out, &err, commands[i]) != 77)
        g_error ("%s %s: not refused with 77: %s", commands[i][0], commands[i][1], err);
      g_assert_nonnull (strstr (err, "you are a trainee"));
      g_assert_nonnull (strstr (err, "live store"));
      g_assert_cmpstr (out, ==, "");
    }

  /* --training changes nothing, and the live store is as it was. */
  g_assert_cmpint (run_trainee (NULL, NULL, "search", "--training", "--store", f->live, "a"), ==,
                   77);
  g_assert_cmpint (run_admin (&info, NULL, "store", "info", "--store", f->live), ==, 0);
  g_assert_nonnull (strstr (info, "Customers: 5\nLedger entries: 0\n"));
}

/* Without --store a trainee works on their own training store, made on first use and
 * filled from AgSynth; a training store named with --store opens too. */
static void
test_trainee_own_store (Fixture *f, gconstpointer data)
{
  g_autofree char *data_home = g_build_filename (f->dir, "data", NULL);
  g_autofree char *name = g_strconcat (g_get_user_name (), ".db", NULL);
  g_autofree char *own = g_build_filename (data_home, "agent-guard", "training", name, NULL);
  const char *env[] = { "AG_TRAINEES_GROUP", trainee_env ()[1], "XDG_DATA_HOME", data_home, NULL };
  const char *env_any[] = { "XDG_DATA_HOME", data_home, NULL };
  g_autofree char *info = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_false (g_file_test (own, G_FILE_TEST_EXISTS));
  if (run_admin_v (env, &info, &err, (const char *const[]){ "store", "info", NULL }) != 0)
    g_error ("store info as a trainee: %s", err);
  expected = g_strdup_printf ("Location: %s\nFormat: sqlite 1\nMode: training\nCustomers: %d\n",
                              own, AG_SESSION_TRAINING_CUSTOMERS);
  g_assert_true (g_str_has_prefix (info, expected));
  g_clear_pointer (&info, g_free);

  /* --training asks for the same store, trainee or not. */
  g_assert_cmpint (run_admin_v (env_any, &info, NULL,
                                (const char *const[]){ "store", "info", "--training", NULL }),
                   ==, 0);
  g_assert_true (g_str_has_prefix (info, expected));

  g_assert_cmpint (run_trainee (&out, NULL, "search", "--store", f->training, "--json", "a"), ==,
                   0);
  g_assert_true (g_str_has_prefix (out, "["));
}

/* A training store holds only synthetic customers: an import is refused whole. */
static void
test_training_import_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *csv = ag_test_write_file (f->dir, "one.csv", "id,name\nT1,Ana Teste\n");
  g_autofree char *err = NULL;
  g_autofree char *info = NULL;

  g_assert_cmpint (run_admin (NULL, &err, "import", "--training", "--store", f->training, csv), ==,
                   1);
  g_assert_nonnull (strstr (err, "nothing was imported: this is a training store"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_trainee (NULL, &err, "import", "--store", f->training, csv), ==, 1);
  g_assert_nonnull (strstr (err, "training store"));

  g_assert_cmpint (run_admin (&info, NULL, "store", "info", "--training", "--store", f->training),
                   ==, 0);
  g_assert_nonnull (strstr (info, "Customers: 4\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_unsetenv ("AG_TRAINEES_GROUP");

  g_test_add ("/admin-mode/store-info", Fixture, NULL, fixture_set_up, test_store_info,
              fixture_tear_down);
  g_test_add ("/admin-mode/mismatch", Fixture, NULL, fixture_set_up, test_mismatch,
              fixture_tear_down);
  g_test_add ("/admin-mode/trainee-live-store", Fixture, NULL, fixture_set_up,
              test_trainee_live_store, fixture_tear_down);
  g_test_add ("/admin-mode/trainee-own-store", Fixture, NULL, fixture_set_up,
              test_trainee_own_store, fixture_tear_down);
  g_test_add ("/admin-mode/training-import-refused", Fixture, NULL, fixture_set_up,
              test_training_import_refused, fixture_tear_down);

  return g_test_run ();
}
