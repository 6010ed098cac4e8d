/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* The scenario files of training mode: the parser, its errors (file, line and key), a
 * folder where one file is broken, the shipped scenarios, and their translations. */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ag-test-util.h"
#include "ag-training-scenario.h"

#define GOOD_HEAD                \
  "[Scenario]\n"                 \
  "Id=test\n"                    \
  "Title=A test call\n"          \
  "Task=Check who is calling.\n" \
  "Seed=7\n"                     \
  "Needs=cpf\n"                  \
  "IdentityCheck=check\n"

#define GOOD_STEPS                        \
  "[Step check]\n"                        \
  "Caller=The digits are {cpf-middle}.\n" \
  "Replies=ok;bad\n"                      \
  "[Reply ok]\n"                          \
  "Text=Thank you, {first-name}.\n"       \
  "Right=true\n"                          \
  "Verifies=true\n"                       \
  "Explain=The digits match.\n"           \
  "Next=bye\n"                            \
  "[Reply bad]\n"                         \
  "Text=Let me read it to you.\n"         \
  "Right=false\n"                         \
  "Reads=cpf;card_number\n"               \
  "Explain=Never.\n"                      \
  "Rule=A rule\n"                         \
  "[Step bye]\n"                          \
  "Caller=Bye.\n"

static void
test_new_destroy (void)
{
  g_autoptr (GError) error = NULL;
  AgTrainingScenario *scenario
    = ag_training_scenario_new_from_data ("t.scenario", GOOD_HEAD GOOD_STEPS, -1, &error);
  const AgTrainingStep *start, *bye;
  const AgTrainingReply *ok, *bad;

  g_assert_no_error (error);
  g_assert_cmpstr (ag_training_scenario_get_id (scenario), ==, "test");
  g_assert_cmpstr (ag_training_scenario_get_origin (scenario), ==, "t.scenario");
  g_assert_cmpstr (ag_training_scenario_get_title (scenario), ==, "A test call");
  g_assert_cmpstr (ag_training_scenario_get_task (scenario), ==, "Check who is calling.");
  g_assert_cmpuint (ag_training_scenario_get_seed (scenario), ==, 7);
  g_assert_cmpuint (ag_training_scenario_get_customer_index (scenario), ==, 1);
  g_assert_cmpuint (ag_training_scenario_get_needs (scenario), ==, 1u << AG_PII_KIND_CPF);
  g_assert_true (ag_training_scenario_get_required (scenario));
  g_assert_cmpuint (ag_training_scenario_get_n_steps (scenario), ==, 2);

  start = ag_training_scenario_get_start (scenario);
  g_assert_cmpstr (start->id, ==, "check");
  g_assert_true (ag_training_scenario_get_identity_step (scenario) == start);
  g_assert_cmpuint (start->replies->len, ==, 2);
  ok = g_ptr_array_index (start->replies, 0);
  bad = g_ptr_array_index (start->replies, 1);
  g_assert_true (ok->right && ok->verifies);
  g_assert_cmpuint (ok->reads, ==, 0);
  g_assert_cmpstr (ok->next, ==, "bye");
  g_assert_null (ok->rule);
  g_assert_false (bad->right || bad->verifies);
  g_assert_cmpuint (bad->reads, ==, (1u << AG_PII_KIND_CPF) | (1u << AG_PII_KIND_CARD_NUMBER));
  g_assert_null (bad->next);
  g_assert_cmpstr (bad->rule, ==, "A rule");
  bye = ag_training_scenario_get_step (scenario, "bye");
  g_assert_nonnull (bye);
  g_assert_cmpuint (bye->replies->len, ==, 0);
  g_assert_null (ag_training_scenario_get_step (scenario, "nowhere"));

  g_assert_finalize_object (scenario);
}

typedef struct
{
  const char *name;
  const char *text;
  AgTrainingError code;
  const char *message;
} BadCase;

/* Each broken file is refused whole, with every problem as FILE:LINE: key: problem. */
static void
test_errors (void)
{
  static const BadCase cases[] = {
    { "syntax", GOOD_HEAD "garbage\n" GOOD_STEPS, AG_TRAINING_ERROR_SYNTAX,
      "t.scenario:8: not a [group], a key=value or a # comment" },
    { "key before group", "Id=x\n" GOOD_HEAD GOOD_STEPS, AG_TRAINING_ERROR_SYNTAX,
      "t.scenario:1: Id: a key before any [group]" },
    { "duplicate key", GOOD_HEAD "Seed=8\n" GOOD_STEPS, AG_TRAINING_ERROR_DUPLICATE,
      "t.scenario:8: Seed: set twice in [Scenario] (first on line 5)" },
    { "duplicate group", GOOD_HEAD GOOD_STEPS "[Step bye]\n", AG_TRAINING_ERROR_DUPLICATE,
      "t.scenario:25: group [Step bye] is written twice (first on line 23)" },
    { "unknown key", GOOD_HEAD "Colour=red\n" GOOD_STEPS, AG_TRAINING_ERROR_UNKNOWN_KEY,
      "t.scenario:8: Colour: unknown key in [Scenario]" },
    { "unknown group", GOOD_HEAD GOOD_STEPS "[Extra]\n", AG_TRAINING_ERROR_UNKNOWN_GROUP,
      "t.scenario:25: unknown group [Extra] (a scenario has [Scenario], [Step NAME] and "
      "[Reply NAME])" },
    { "locale on a number", GOOD_HEAD "Seed[pt_BR]=9\n" GOOD_STEPS, AG_TRAINING_ERROR_UNKNOWN_KEY,
      "t.scenario:8: Seed[pt_BR]: only shown text takes a [locale]" },
    { "missing key",
      "[Scenario]\nId=test\nTask=T\nSeed=7\nNeeds=\nIdentityCheck=check\n" GOOD_STEPS,
      AG_TRAINING_ERROR_MISSING_KEY, "t.scenario:1: Title: [Scenario] needs this key" },
    { "unknown kind", GOOD_HEAD "Unneeded-dna=x\n" GOOD_STEPS, AG_TRAINING_ERROR_UNKNOWN_KEY,
      "t.scenario:8: Unneeded-dna: unknown key in [Scenario]" },
    { "bad needs",
      "[Scenario]\nId=test\nTitle=T\nTask=T\nSeed=7\nNeeds=cpf;dna\nIdentityCheck="
      "check\n" GOOD_STEPS,
      AG_TRAINING_ERROR_INVALID_VALUE, "t.scenario:6: Needs: unknown kind “dna”" },
    { "bad seed",
      "[Scenario]\nId=test\nTitle=T\nTask=T\nSeed=-1\nNeeds=\nIdentityCheck=check\n" GOOD_STEPS,
      AG_TRAINING_ERROR_INVALID_VALUE,
      "t.scenario:5: Seed: “-1” is not a whole number from 0 to 18446744073709551615" },
    { "bad id",
      "[Scenario]\nId=Test 1\nTitle=T\nTask=T\nSeed=1\nNeeds=\nIdentityCheck=check\n" GOOD_STEPS,
      AG_TRAINING_ERROR_INVALID_VALUE,
      "t.scenario:2: Id: “Test 1” is not an id (a to z, 0 to 9 and -, at most 64 characters)" },
    { "unknown placeholder", GOOD_HEAD "[Step check]\nCaller=My {mother} says hi\n",
      AG_TRAINING_ERROR_INVALID_VALUE,
      "t.scenario:9: Caller: unknown placeholder “{mother}” (known: {first-name}, "
      "{cpf-middle}, {card-last4}, {phone-last4})" },
    { "unknown next",
      GOOD_HEAD GOOD_STEPS "[Reply more]\nText=x\nRight=true\nExplain=x\n"
                           "Next=nowhere\n",
      AG_TRAINING_ERROR_UNKNOWN_REFERENCE,
      "t.scenario:29: Next: no [Step nowhere] in this file\n"
      "t.scenario:25: [Reply more] is not in the Replies of any step" },
    { "unknown reply", GOOD_HEAD "[Step check]\nCaller=Hi\nReplies=ghost\n",
      AG_TRAINING_ERROR_UNKNOWN_REFERENCE,
      "t.scenario:10: Replies: no [Reply ghost] in this file" },
    { "no right reply",
      GOOD_HEAD "[Step check]\nCaller=Hi\nReplies=no\n[Reply no]\nText=x\nRight=false\n"
                "Explain=x\n",
      AG_TRAINING_ERROR_INVALID_VALUE,
      "t.scenario:10: Replies: the step needs at least one right reply" },
    { "verifies elsewhere",
      GOOD_HEAD GOOD_STEPS "Replies=late\n[Reply late]\nText=x\nRight=true\nVerifies=true\n"
                           "Explain=x\n",
      AG_TRAINING_ERROR_INVALID_VALUE,
      "t.scenario:29: Verifies: only a reply of the identity-check step check may verify" },
    { "unreachable", GOOD_HEAD GOOD_STEPS "[Step lost]\nCaller=Anyone?\n",
      AG_TRAINING_ERROR_UNREACHABLE, "t.scenario:25: [Step lost] is never reached from the start" },
    { "bad boolean", GOOD_HEAD "Required=yes\n" GOOD_STEPS, AG_TRAINING_ERROR_INVALID_VALUE,
      "t.scenario:8: Required: “yes” is neither true nor false" },
    { "no scenario", GOOD_STEPS, AG_TRAINING_ERROR_MISSING_KEY,
      "t.scenario:1: the file has no [Scenario]" },
    { "empty text", GOOD_HEAD "[Step check]\nCaller=\n", AG_TRAINING_ERROR_INVALID_VALUE,
      "t.scenario:9: Caller: must not be empty" },
    /* Every problem of a file, in the order of its lines. */
    { "several",
      "[Scenario]\nId=test\nTitle=T\nColour=red\nTask=T\nSeed=x\nNeeds=\nIdentityCheck=gone\n"
      "[Step a]\nCaller=Hi\n",
      AG_TRAINING_ERROR_UNKNOWN_KEY,
      "t.scenario:4: Colour: unknown key in [Scenario]\n"
      "t.scenario:6: Seed: “x” is not a whole number from 0 to 18446744073709551615\n"
      "t.scenario:8: IdentityCheck: no [Step gone] in this file" },
    { "not utf-8", GOOD_HEAD "Title=caf\xe9\n", AG_TRAINING_ERROR_SYNTAX,
      "t.scenario:8: not valid UTF-8" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (AgTrainingScenario) scenario = NULL;

      g_test_message ("case: %s", cases[i].name);
      scenario = ag_training_scenario_new_from_data ("t.scenario", cases[i].text, -1, &error);
      g_assert_null (scenario);
      g_assert_error (error, AG_TRAINING_ERROR, (int) cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

/* The file's own [locale] text wins over the catalogue, for the current language only. */
static void
test_file_translation (void)
{
  const char *text
    = GOOD_HEAD "Title[pt_BR]=Uma ligação de teste\nTitle[de]=Ein Testanruf\n" GOOD_STEPS;
  g_autoptr (AgTrainingScenario) english = NULL;
  g_autoptr (AgTrainingScenario) brazilian = NULL;
  g_autoptr (GError) error = NULL;

  english = ag_training_scenario_new_from_data ("t.scenario", text, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ag_training_scenario_get_title (english), ==, "A test call");

  g_setenv ("LANGUAGE", "pt_BR", TRUE);
  brazilian = ag_training_scenario_new_from_data ("t.scenario", text, -1, &error);
  g_unsetenv ("LANGUAGE");
  g_assert_no_error (error);
  g_assert_cmpstr (ag_training_scenario_get_title (brazilian), ==, "Uma ligação de teste");
}

static char *
shipped_dir (void)
{
  return g_build_filename (g_getenv ("AG_SOURCE_ROOT"), "data", "training", NULL);
}

static const char *const shipped_ids[] = {
  "partial-cpf",    "card-payment", "spouse",  "read-out",
  "address-change", "lgpd-request", "urgency", "call-ends",
};

static void
test_shipped (void)
{
  g_autofree char *dir = shipped_dir ();
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) scenarios = ag_training_scenario_load_dir (dir, errors);

  for (guint i = 0; i < errors->len; i++)
    g_test_message ("%s", ((GError *) g_ptr_array_index (errors, i))->message);
  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (scenarios->len, ==, G_N_ELEMENTS (shipped_ids));
  for (guint i = 0; i < scenarios->len; i++)
    {
      AgTrainingScenario *scenario = g_ptr_array_index (scenarios, i);

      g_assert_cmpstr (ag_training_scenario_get_id (scenario), ==, shipped_ids[i]);
      g_assert_nonnull (ag_training_scenario_get_identity_step (scenario));
    }
}

/* A broken file is refused with its file, line and key; the others still load. */
static void
test_dir_one_broken (void)
{
  g_autofree char *source = shipped_dir ();
  g_autofree char *tmp = g_dir_make_tmp ("ag-training-XXXXXX", NULL);
  g_autofree char *broken = g_build_filename (tmp, "05-broken.scenario", NULL);
  g_autofree char *ignored = g_build_filename (tmp, "notes.txt", NULL);
  g_autofree char *twin = g_build_filename (tmp, "99-twin.scenario", NULL);
  g_autofree char *expected = NULL;
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) scenarios = NULL;
  g_autoptr (GDir) dir = g_dir_open (source, 0, NULL);
  const char *name;
  GError *error;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *from = g_build_filename (source, name, NULL);
      g_autofree char *to = g_build_filename (tmp, name, NULL);
      g_autofree char *data = NULL;
      gsize length;

      g_assert_true (g_file_get_contents (from, &data, &length, NULL));
      g_assert_true (g_file_set_contents (to, data, length, NULL));
    }
  g_assert_true (g_file_set_contents (broken, GOOD_HEAD "Needs=cpf\n" GOOD_STEPS, -1, NULL));
  g_assert_true (g_file_set_contents (ignored, "not a scenario", -1, NULL));
  g_assert_true (g_file_set_contents (twin, GOOD_HEAD GOOD_STEPS, -1, NULL));
  ag_test_put_file (tmp, "98-test.scenario", GOOD_HEAD GOOD_STEPS);

  scenarios = ag_training_scenario_load_dir (tmp, errors);
  g_assert_cmpuint (scenarios->len, ==, G_N_ELEMENTS (shipped_ids) + 1);
  g_assert_cmpuint (errors->len, ==, 2);
  error = g_ptr_array_index (errors, 0);
  expected = g_strdup_printf ("%s:8: Needs: set twice in [Scenario] (first on line 6)", broken);
  g_assert_error (error, AG_TRAINING_ERROR, AG_TRAINING_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_pointer (&expected, g_free);
  error = g_ptr_array_index (errors, 1);
  expected = g_strdup_printf ("%s:0: Id: test is the Id of another file too", twin);
  g_assert_error (error, AG_TRAINING_ERROR, AG_TRAINING_ERROR_DUPLICATE);
  g_assert_cmpstr (error->message, ==, expected);

  ag_test_remove_tree (tmp);
}

static void
test_dir_missing (void)
{
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) scenarios = ag_training_scenario_load_dir ("/nonexistent", errors);

  g_assert_cmpuint (scenarios->len, ==, 0);
  g_assert_cmpuint (errors->len, ==, 1);
  g_assert_error ((GError *) g_ptr_array_index (errors, 0), AG_TRAINING_ERROR,
                  AG_TRAINING_ERROR_IO);
  g_assert_true (
    g_str_has_prefix (((GError *) g_ptr_array_index (errors, 0))->message, "/nonexistent:0: "));
}

/* The placeholders become what the caller knows of the synthetic customer. */
static void
test_expand (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgTrainingScenario) scenario
    = ag_training_scenario_new_from_data ("t.scenario", GOOD_HEAD GOOD_STEPS, -1, &error);
  AgCustomerData customer = { 0 };
  g_autofree char *line = NULL;
  g_autofree char *expected = NULL;
  const char *cpf, *card, *phone;

  g_assert_no_error (error);
  ag_training_scenario_make_customer (scenario, &customer);
  cpf = customer.values[AG_PII_KIND_CPF];
  card = customer.values[AG_PII_KIND_CARD_NUMBER];
  phone = customer.values[AG_PII_KIND_PHONE];
  line = ag_training_scenario_expand ("{first-name}/{cpf-middle}/{card-last4}/{phone-last4}/{x}",
                                      &customer);
  expected = g_strdup_printf ("%.*s/%.3s.%.3s/%s/%s/{x}",
                              (int) strcspn (customer.values[AG_PII_KIND_NAME], " "),
                              customer.values[AG_PII_KIND_NAME], cpf + 3, cpf + 6,
                              card + strlen (card) - 4, phone + strlen (phone) - 4);
  g_assert_cmpstr (line, ==, expected);
  ag_customer_data_clear (&customer);
}

/* The shipped scenarios' strings are in the catalogue, and used in pt_BR at run time. */
static void
test_shipped_pt_br (void)
{
  const char *build_root = g_getenv ("AG_BUILD_ROOT");
  g_autofree char *localedir = NULL;
  g_autofree char *dir = shipped_dir ();
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) scenarios = NULL;
  AgTrainingScenario *first;
  const AgTrainingStep *start;

  localedir = g_build_filename (build_root, "po", NULL);
  g_setenv ("LANGUAGE", "pt_BR", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  scenarios = ag_training_scenario_load_dir (dir, errors);
  g_assert_cmpuint (errors->len, ==, 0);
  first = g_ptr_array_index (scenarios, 0);
  g_assert_cmpstr (ag_training_scenario_get_title (first), ==,
                   "Verificação de identidade com parte do CPF");
  start = ag_training_scenario_get_start (first);
  g_assert_cmpstr (start->caller, ==, "Oi, bom dia. Queria saber quando vence a minha fatura.");
  g_assert_cmpstr (((AgTrainingReply *) g_ptr_array_index (start->replies, 0))->rule, ==,
                   "LGPD art. 6º, III — necessidade (minimização)");

  g_unsetenv ("LANGUAGE");
  textdomain ("messages");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/training-scenario/new-destroy", test_new_destroy);
  g_test_add_func ("/training-scenario/errors", test_errors);
  g_test_add_func ("/training-scenario/file-translation", test_file_translation);
  g_test_add_func ("/training-scenario/shipped", test_shipped);
  g_test_add_func ("/training-scenario/dir-one-broken", test_dir_one_broken);
  g_test_add_func ("/training-scenario/dir-missing", test_dir_missing);
  g_test_add_func ("/training-scenario/expand", test_expand);
  g_test_add_func ("/training-scenario/shipped-pt-br", test_shipped_pt_br);

  return g_test_run ();
}
