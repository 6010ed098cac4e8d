/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* agent-guard-admin training list: the shipped scenarios, JSON, and a folder with a
 * broken file (named with its line and key; the others still listed; exit 65). */

#include "config.h"

#include <json-glib/json-glib.h>

#include "ag-test-util.h"

static char *
shipped_dir (void)
{
  return g_build_filename (g_getenv ("AG_SOURCE_ROOT"), "data", "training", NULL);
}

static int
run (char **out, char **err, const char *const *args)
{
  AgTestAdminRun run = { 0 };

  return ag_test_run_admin (&run, out, err, args);
}

static void
test_list (void)
{
  g_autofree char *dir = shipped_dir ();
  const char *args[] = { "training", "list", "--dir", dir, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (&out, &err, args), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpstr (out, ==,
                   "partial-cpf       required   -                         Identity check with a "
                   "partial CPF\n"
                   "card-payment      required   -                         Card payment with the "
                   "last four digits\n"
                   "spouse            required   -                         A spouse calling for "
                   "the account holder\n"
                   "read-out          required   -                         A caller asks you to "
                   "read out the full CPF and card\n"
                   "address-change    required   address                   Address change\n"
                   "lgpd-request      required   -                         Who saw my data? An "
                   "LGPD request\n"
                   "urgency           required   -                         Urgency: my card is "
                   "being used right now\n"
                   "call-ends         required   email                     The call ends while "
                   "a value is revealed\n");
}

static void
test_list_json (void)
{
  g_autofree char *dir = shipped_dir ();
  const char *args[] = { "training", "list", "--json", "--dir", dir, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *file = g_build_filename (dir, "05-address-change.scenario", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *root, *entry;
  JsonArray *scenarios, *needs;

  g_assert_cmpint (run (&out, &err, args), ==, 0);
  g_assert_cmpstr (err, ==, "");
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  scenarios = json_object_get_array_member (root, "scenarios");
  g_assert_cmpuint (json_array_get_length (scenarios), ==, 8);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "refused")), ==, 0);

  entry = json_array_get_object_element (scenarios, 4);
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, "address-change");
  g_assert_cmpstr (json_object_get_string_member (entry, "title"), ==, "Address change");
  g_assert_true (json_object_get_boolean_member (entry, "required"));
  g_assert_cmpint (json_object_get_int_member (entry, "seed"), ==, 1605);
  g_assert_cmpint (json_object_get_int_member (entry, "customer"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (entry, "steps"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (entry, "file"), ==, file);
  needs = json_object_get_array_member (entry, "needs");
  g_assert_cmpuint (json_array_get_length (needs), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (needs, 0), ==, "address");
}

static void
test_list_broken (void)
{
  g_autofree char *tmp = g_dir_make_tmp ("ag-admin-training-XXXXXX", NULL);
  const char *args[] = { "training", "list", "--dir", tmp, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *good = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *expected = NULL;

  good = ag_test_write_file (tmp, "1-good.scenario",
                             "[Scenario]\nId=good\nTitle=Good\nTask=T\nSeed=1\nNeeds=phone\n"
                             "IdentityCheck=a\nRequired=false\n[Step a]\nCaller=Hi\n");
  bad = ag_test_write_file (tmp, "2-bad.scenario",
                            "[Scenario]\nId=bad\nTitle=Bad\nTask=T\nSeed=1\nNeeds=dna\n"
                            "IdentityCheck=a\n[Step a]\nCaller=Hi\n");

  g_assert_cmpint (run (&out, &err, args), ==, 65);
  g_assert_cmpstr (out, ==, "good              optional   phone                     Good\n");
  expected = g_strdup_printf ("agent-guard-admin: refused: %s:6: Needs: unknown kind “dna”\n", bad);
  g_assert_cmpstr (err, ==, expected);

  ag_test_remove_tree (tmp);
}

static void
test_list_missing_dir (void)
{
  const char *args[] = { "training", "list", "--dir", "/nonexistent/training", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (&out, &err, args), ==, 74);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "agent-guard-admin: refused: /nonexistent/training:0: "));
}

static void
test_list_usage (void)
{
  const char *args[] = { "training", "list", "extra", NULL };
  g_autofree char *err = NULL;

  g_assert_cmpint (run (NULL, &err, args), ==, 2);
  g_assert_true (
    g_str_has_prefix (err, "agent-guard-admin: training list: unexpected argument “extra”\n"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/admin-training/list", test_list);
  g_test_add_func ("/admin-training/list-json", test_list_json);
  g_test_add_func ("/admin-training/list-broken", test_list_broken);
  g_test_add_func ("/admin-training/list-missing-dir", test_list_missing_dir);
  g_test_add_func ("/admin-training/usage", test_list_usage);

  return g_test_run ();
}
