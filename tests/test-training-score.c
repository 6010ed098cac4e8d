/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* The score of a training call: the minimisation ratio, each penalty with its exact value
 * and its explanation, time on an injected clock, and a perfect and a careless run of
 * every shipped scenario (their scores are printed). */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ag-training-call.h"
#include "ag-training-score.h"

#define SCENARIO                                             \
  "[Scenario]\n"                                             \
  "Id=test\n"                                                \
  "Title=A test call\n"                                      \
  "Task=Check who is calling, then look at the CPF.\n"       \
  "Seed=7\n"                                                 \
  "Needs=cpf\n"                                              \
  "IdentityCheck=check\n"                                    \
  "Unneeded-card-number=The last four digits were enough.\n" \
  "[Step check]\n"                                           \
  "Caller=The digits are {cpf-middle}.\n"                    \
  "Replies=ok;bad\n"                                         \
  "[Reply ok]\n"                                             \
  "Text=Thank you.\n"                                        \
  "Right=true\n"                                             \
  "Verifies=true\n"                                          \
  "Explain=The digits match.\n"                              \
  "Rule=Rule one\n"                                          \
  "[Reply bad]\n"                                            \
  "Text=Let me read it to you.\n"                            \
  "Right=false\n"                                            \
  "Reads=cpf;card_number\n"                                  \
  "Explain=Never read it out.\n"                             \
  "Rule=Rule two\n"

typedef struct
{
  gint64 now_us;
  AgTrainingScenario *scenario;
  AgTrainingScore *score;
  const AgTrainingReply *ok;
  const AgTrainingReply *bad;
} Fixture;

static void
count_cb (guint *count)
{
  (*count)++;
}

static gint64
fake_clock (gpointer user_data)
{
  return ((Fixture *) user_data)->now_us;
}

static void
advance (Fixture *fixture, int seconds)
{
  fixture->now_us += (gint64) seconds * G_USEC_PER_SEC;
}

static AgTrainingScore *
new_score (Fixture *fixture, AgTrainingScenario *scenario)
{
  AgTrainingScore *score = ag_training_score_new (scenario);

  ag_training_score_set_clock (score, fake_clock, fixture);
  return score;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  const AgTrainingStep *check;

  fixture->now_us = 1000 * G_USEC_PER_SEC;
  fixture->scenario = ag_training_scenario_new_from_data ("t.scenario", SCENARIO, -1, &error);
  g_assert_no_error (error);
  check = ag_training_scenario_get_start (fixture->scenario);
  fixture->ok = g_ptr_array_index (check->replies, 0);
  fixture->bad = g_ptr_array_index (check->replies, 1);
  fixture->score = new_score (fixture, fixture->scenario);
  ag_training_score_start (fixture->score);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_assert_finalize_object (fixture->score);
  g_assert_finalize_object (fixture->scenario);
}

#define assert_score(score, expected) \
  g_assert_cmpfloat_with_epsilon (ag_training_score_get_score (score), (expected), 1e-9)

/* The notes with a penalty, as "rule=penalty: text", one per line. */
static char *
penalties_text (AgTrainingScore *score)
{
  const GPtrArray *notes = ag_training_score_get_notes (score);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < notes->len; i++)
    {
      const AgTrainingNote *note = g_ptr_array_index (notes, i);
      char penalty[G_ASCII_DTOSTR_BUF_SIZE];

      if (note->penalty == 0)
        continue;
      g_ascii_formatd (penalty, sizeof penalty, "%.2f", note->penalty);
      g_string_append_printf (text, "%s: %s [%s]\n", penalty, note->text,
                              note->basis != NULL ? note->basis : "");
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
test_new_destroy (void)
{
  g_autoptr (GError) error = NULL;
  AgTrainingScenario *scenario
    = ag_training_scenario_new_from_data ("t.scenario", SCENARIO, -1, &error);
  AgTrainingScore *score;

  g_assert_no_error (error);
  score = ag_training_score_new (scenario);
  g_assert_true (ag_training_score_get_scenario (score) == scenario);
  g_assert_false (ag_training_score_get_call_ended (score));
  g_assert_cmpint (ag_training_score_get_duration_us (score), ==, 0);
  g_assert_finalize_object (score);
  g_assert_finalize_object (scenario);
}

/* Nothing revealed is a minimisation of 1: no field was exposed. */
static void
test_nothing_revealed (Fixture *fixture, gconstpointer data)
{
  const AgTrainingNote *note;

  ag_training_score_reply (fixture->score, fixture->ok);
  ag_training_score_finish (fixture->score);
  g_assert_cmpuint (ag_training_score_get_n_revealed (fixture->score), ==, 0);
  g_assert_cmpfloat (ag_training_score_get_minimisation (fixture->score), ==, 1.0);
  assert_score (fixture->score, 1.0);
  note = g_ptr_array_index (ag_training_score_get_notes (fixture->score), 1);
  g_assert_cmpint (note->rule, ==, AG_TRAINING_RULE_NOTHING_REVEALED);
  g_assert_cmpstr (note->text, ==,
                   "You revealed nothing: the masked values were enough for this call.");
}

static void
test_perfect (Fixture *fixture, gconstpointer data)
{
  g_autofree char *penalties = NULL;
  const GPtrArray *notes;

  ag_training_score_reply (fixture->score, fixture->ok);
  advance (fixture, 5);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  advance (fixture, 5);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_end_call (fixture->score);
  ag_training_score_finish (fixture->score);

  g_assert_cmpfloat (ag_training_score_get_minimisation (fixture->score), ==, 1.0);
  g_assert_cmpfloat (ag_training_score_get_penalties (fixture->score), ==, 0);
  assert_score (fixture->score, 1.0);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==, "");
  notes = ag_training_score_get_notes (fixture->score);
  g_assert_cmpuint (notes->len, ==, 2);
  g_assert_cmpstr (((AgTrainingNote *) g_ptr_array_index (notes, 0))->text, ==,
                   "The digits match.");
  g_assert_cmpstr (((AgTrainingNote *) g_ptr_array_index (notes, 0))->basis, ==, "Rule one");
  g_assert_cmpstr (((AgTrainingNote *) g_ptr_array_index (notes, 1))->text, ==,
                   "You revealed the field “CPF”, which the task needed.");
  g_assert_cmpint (((AgTrainingNote *) g_ptr_array_index (notes, 1))->offset_us, ==,
                   5 * G_USEC_PER_SEC);
  g_assert_true (ag_training_score_passed (fixture->score, 0.8));
}

static void
test_reveal_before_check (Fixture *fixture, gconstpointer data)
{
  g_autofree char *penalties = NULL;

  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_reply (fixture->score, fixture->ok);
  ag_training_score_finish (fixture->score);

  /* Every reveal before the check costs, the kind counts once in the ratio. */
  g_assert_cmpfloat (ag_training_score_get_minimisation (fixture->score), ==, 1.0);
  assert_score (fixture->score, 1.0 - 2 * AG_TRAINING_PENALTY_REVEAL_BEFORE_CHECK);
  assert_score (fixture->score, 0.5);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==,
                   "0.25: You revealed the field “CPF” before checking who was calling. "
                   "[LGPD art. 46, security of processing]\n"
                   "0.25: You revealed the field “CPF” before checking who was calling. "
                   "[LGPD art. 46, security of processing]\n");
  g_assert_false (ag_training_score_passed (fixture->score, 0.8));
}

static void
test_reveal_after_end (Fixture *fixture, gconstpointer data)
{
  g_autofree char *penalties = NULL;

  ag_training_score_reply (fixture->score, fixture->ok);
  ag_training_score_end_call (fixture->score);
  advance (fixture, 10);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_finish (fixture->score);

  assert_score (fixture->score, 1.0 - AG_TRAINING_PENALTY_REVEAL_AFTER_END);
  assert_score (fixture->score, 0.5);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==,
                   "0.50: You revealed the field “CPF” after the call had ended; no task "
                   "needed it any more. [LGPD art. 6 III, minimisation]\n");
}

static void
test_copy (Fixture *fixture, gconstpointer data)
{
  g_autofree char *penalties = NULL;

  ag_training_score_reply (fixture->score, fixture->ok);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_copy (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_finish (fixture->score);

  assert_score (fixture->score, 1.0 - AG_TRAINING_PENALTY_COPY);
  assert_score (fixture->score, 0.75);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==,
                   "0.25: You copied the field “CPF”; a copied value leaves the screen's "
                   "protection and can end up in clipboard history or in another program. "
                   "[LGPD art. 46, security of processing]\n");
}

/* Reading data out to an unverified caller, with the wrong reply's own penalty. */
static void
test_read_unverified (Fixture *fixture, gconstpointer data)
{
  g_autofree char *penalties = NULL;

  ag_training_score_reply (fixture->score, fixture->bad);
  ag_training_score_reply (fixture->score, fixture->ok);
  ag_training_score_finish (fixture->score);

  assert_score (fixture->score,
                1.0 - AG_TRAINING_PENALTY_READ_UNVERIFIED - AG_TRAINING_PENALTY_WRONG_REPLY);
  assert_score (fixture->score, 0.25);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (
    penalties, ==,
    "0.50: You read out CPF, Card number to a caller whose identity was not checked. "
    "[LGPD art. 46, security of processing]\n"
    "0.25: Never read it out. [Rule two]\n");
}

/* The same wrong reply once the caller is verified costs only the wrong reply. */
static void
test_wrong_reply (Fixture *fixture, gconstpointer data)
{
  g_autofree char *penalties = NULL;

  ag_training_score_identity_checked (fixture->score);
  g_assert_true (ag_training_score_get_identity_checked (fixture->score));
  ag_training_score_reply (fixture->score, fixture->bad);
  ag_training_score_finish (fixture->score);

  assert_score (fixture->score, 1.0 - AG_TRAINING_PENALTY_WRONG_REPLY);
  assert_score (fixture->score, 0.75);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==, "0.25: Never read it out. [Rule two]\n");
}

/* An unneeded kind lowers the ratio and costs its penalty; the file's own reason shows. */
static void
test_unneeded_kind (Fixture *fixture, gconstpointer data)
{
  g_autofree char *penalties = NULL;

  ag_training_score_reply (fixture->score, fixture->ok);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_hide (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CARD_NUMBER);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CARD_NUMBER);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_hide (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_finish (fixture->score);

  g_assert_cmpuint (ag_training_score_get_n_revealed (fixture->score), ==, 3);
  g_assert_cmpuint (ag_training_score_get_n_needed_revealed (fixture->score), ==, 1);
  g_assert_cmpfloat_with_epsilon (ag_training_score_get_minimisation (fixture->score), 1.0 / 3,
                                  1e-9);
  assert_score (fixture->score, 1.0 / 3 - 2 * AG_TRAINING_PENALTY_UNNEEDED_KIND);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==,
                   "0.10: You revealed the field “Phone”, which this task did not need. "
                   "[LGPD art. 6 III, minimisation]\n"
                   "0.10: The last four digits were enough. [LGPD art. 6 III, minimisation]\n");
}

/* Only unneeded kinds: a ratio of 0, and the score stays at 0. */
static void
test_only_unneeded (Fixture *fixture, gconstpointer data)
{
  ag_training_score_reply (fixture->score, fixture->ok);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_hide (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_finish (fixture->score);

  g_assert_cmpfloat (ag_training_score_get_minimisation (fixture->score), ==, 0);
  g_assert_cmpfloat (ag_training_score_get_penalties (fixture->score), ==, 0.1);
  assert_score (fixture->score, 0);
}

/* A value on screen when the call ends: hidden within 5 s is fine, later or never costs. */
static void
test_left_revealed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (AgTrainingScore) in_time = new_score (fixture, fixture->scenario);
  g_autoptr (AgTrainingScore) never = new_score (fixture, fixture->scenario);
  g_autofree char *penalties = NULL;
  const GPtrArray *notes;
  AgTrainingScore *scores[] = { fixture->score, in_time, never };

  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    {
      ag_training_score_reply (scores[i], fixture->ok);
      ag_training_score_reveal (scores[i], AG_PII_KIND_CPF);
      ag_training_score_end_call (scores[i]);
    }
  advance (fixture, 5);
  ag_training_score_hide (in_time, AG_PII_KIND_CPF);
  advance (fixture, 1);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  for (guint i = 0; i < G_N_ELEMENTS (scores); i++)
    ag_training_score_finish (scores[i]);

  assert_score (in_time, 1.0);
  notes = ag_training_score_get_notes (in_time);
  g_assert_cmpint (((AgTrainingNote *) g_ptr_array_index (notes, notes->len - 1))->rule, ==,
                   AG_TRAINING_RULE_HIDDEN_IN_TIME);

  assert_score (fixture->score, 1.0 - AG_TRAINING_PENALTY_LEFT_REVEALED);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==,
                   "0.25: The field “CPF” stayed on screen for more than 5 seconds after the "
                   "call ended; hide a value as soon as the call no longer needs it. "
                   "[LGPD art. 46, security of processing]\n");
  g_clear_pointer (&penalties, g_free);

  assert_score (never, 0.75);
  penalties = penalties_text (never);
  g_assert_cmpstr (penalties, ==,
                   "0.25: The field “CPF” was still on screen when the call ended; hide a value "
                   "as soon as the call no longer needs it. [LGPD art. 46, security of "
                   "processing]\n");
}

/* Every penalty at once stops at 0. */
static void
test_floor (Fixture *fixture, gconstpointer data)
{
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_copy (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_reply (fixture->score, fixture->bad);
  ag_training_score_end_call (fixture->score);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CARD_NUMBER);
  ag_training_score_finish (fixture->score);

  g_assert_cmpfloat_with_epsilon (ag_training_score_get_penalties (fixture->score),
                                  0.25 + 0.25 + 0.5 + 0.25 + 0.5 + 0.1 + 0.25, 1e-9);
  assert_score (fixture->score, 0);
}

/* Time from the start to the end of the call, on the injected clock. */
static void
test_duration (Fixture *fixture, gconstpointer data)
{
  g_autofree char *summary = NULL;

  advance (fixture, 60);
  ag_training_score_reply (fixture->score, fixture->ok);
  g_assert_cmpint (ag_training_score_get_duration_us (fixture->score), ==, 60 * G_USEC_PER_SEC);
  advance (fixture, 65);
  ag_training_score_reveal (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_hide (fixture->score, AG_PII_KIND_PHONE);
  ag_training_score_end_call (fixture->score);
  advance (fixture, 300);
  ag_training_score_finish (fixture->score);

  g_assert_cmpint (ag_training_score_get_duration_us (fixture->score), ==, 125 * G_USEC_PER_SEC);
  summary = ag_training_score_dup_summary (fixture->score);
  g_assert_cmpstr (summary, ==,
                   "Score 0.00: minimisation 0.00 (0 of 1 revealed fields needed), penalties "
                   "0.10, time 2:05");
}

static void
test_after_finish (Fixture *fixture, gconstpointer data)
{
  ag_training_score_finish (fixture->score);
  g_test_expect_message ("ag-training", G_LOG_LEVEL_CRITICAL, "*after ag_training_score_finish*");
  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (ag_training_score_get_n_revealed (fixture->score), ==, 0);
}

typedef enum
{
  RUN_PERFECT,
  RUN_CARELESS,
  RUN_TRICKED,
} Run;

/* A run of a shipped scenario, 10 s between actions.
 * Perfect: the first right reply at each step, the needed kinds revealed once the caller
 * is verified, and hidden 2 s after the call ends.
 * Careless: the same replies, but the CPF revealed at once "to find the customer", the
 * needed kinds revealed before the check, and everything left on screen at the end.
 * Tricked: the first wrong reply wherever there is one (the caller's pushes work), with
 * the reveals of the perfect run. */
static AgTrainingScore *
play (Fixture *fixture, AgTrainingScenario *scenario, Run run)
{
  AgTrainingScore *score = new_score (fixture, scenario);
  const AgTrainingStep *step = ag_training_scenario_get_start (scenario);
  guint needs = ag_training_scenario_get_needs (scenario);

  ag_training_score_start (score);
  if (run == RUN_CARELESS)
    {
      ag_training_score_reveal (score, AG_PII_KIND_CPF);
      for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
        if (needs & (1u << kind))
          ag_training_score_reveal (score, kind);
      advance (fixture, 10);
    }

  for (guint n = 0; step != NULL && n < 20; n++)
    {
      const AgTrainingReply *chosen = NULL;

      if (step->replies->len == 0)
        break;
      for (guint i = 0; i < step->replies->len && chosen == NULL; i++)
        {
          const AgTrainingReply *reply = g_ptr_array_index (step->replies, i);

          if (reply->right == (run != RUN_TRICKED))
            chosen = reply;
        }
      if (chosen == NULL)
        chosen = g_ptr_array_index (step->replies, 0);

      advance (fixture, 10);
      ag_training_score_reply (score, chosen);
      if (chosen->verifies && run != RUN_CARELESS)
        for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
          if (needs & (1u << kind))
            ag_training_score_reveal (score, kind);
      step = chosen->next != NULL ? ag_training_scenario_get_step (scenario, chosen->next) : NULL;
    }

  advance (fixture, 10);
  ag_training_score_end_call (score);
  advance (fixture, 2);
  if (run != RUN_CARELESS)
    for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
      ag_training_score_hide (score, kind);
  advance (fixture, 20);
  ag_training_score_finish (score);
  return score;
}

/* The scores of the shipped scenarios, pinned. */
static const struct
{
  const char *id;
  double perfect;
  double careless;
  double tricked;
} shipped_scores[] = {
  { "partial-cpf", 1.0, 0, 0 }, { "card-payment", 1.0, 0, 0 },   { "spouse", 1.0, 0, 0 },
  { "read-out", 1.0, 0, 0.5 },  { "address-change", 1.0, 0, 0 }, { "lgpd-request", 1.0, 0, 0.5 },
  { "urgency", 1.0, 0, 0 },     { "call-ends", 1.0, 0, 0.25 },
};

static void
test_shipped_runs (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = g_build_filename (g_getenv ("AG_SOURCE_ROOT"), "data", "training", NULL);
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) scenarios = ag_training_scenario_load_dir (dir, errors);

  g_assert_cmpuint (errors->len, ==, 0);
  g_assert_cmpuint (scenarios->len, ==, G_N_ELEMENTS (shipped_scores));
  for (guint i = 0; i < scenarios->len; i++)
    {
      AgTrainingScenario *scenario = g_ptr_array_index (scenarios, i);
      g_autoptr (AgTrainingScore) perfect = play (fixture, scenario, RUN_PERFECT);
      g_autoptr (AgTrainingScore) careless = play (fixture, scenario, RUN_CARELESS);
      g_autoptr (AgTrainingScore) tricked = play (fixture, scenario, RUN_TRICKED);
      AgTrainingScore *runs[] = { perfect, careless, tricked };
      static const char *const names[] = { "perfect", "careless", "tricked" };

      g_test_message ("%s: perfect %.2f, careless %.2f, tricked %.2f",
                      ag_training_scenario_get_id (scenario), ag_training_score_get_score (perfect),
                      ag_training_score_get_score (careless),
                      ag_training_score_get_score (tricked));
      for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
        {
          g_autofree char *summary = ag_training_score_dup_summary (runs[r]);

          g_test_message ("  %s: %s", names[r], summary);
        }
      g_assert_cmpstr (ag_training_scenario_get_id (scenario), ==, shipped_scores[i].id);
      assert_score (perfect, shipped_scores[i].perfect);
      assert_score (careless, shipped_scores[i].careless);
      assert_score (tricked, shipped_scores[i].tricked);
      g_assert_true (ag_training_score_passed (perfect, 0.8));
      g_assert_false (ag_training_score_passed (careless, 0.8));
      g_assert_false (ag_training_score_passed (tricked, 0.8));
    }
}

/* The explanations are translated in pt_BR. */
static void
test_pt_br (Fixture *fixture, gconstpointer data)
{
  g_autofree char *localedir = g_build_filename (g_getenv ("AG_BUILD_ROOT"), "po", NULL);
  g_autofree char *penalties = NULL;

  g_setenv ("LANGUAGE", "pt_BR", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  ag_training_score_reveal (fixture->score, AG_PII_KIND_CPF);
  ag_training_score_hide (fixture->score, AG_PII_KIND_CPF);
  penalties = penalties_text (fixture->score);
  g_assert_cmpstr (penalties, ==,
                   "0.25: Você revelou o campo “CPF” antes de confirmar quem estava ligando. "
                   "[LGPD art. 46 — segurança no tratamento]\n");

  g_unsetenv ("LANGUAGE");
  textdomain ("messages");
}

/* A call played through AgTrainingCall: lines in order, placeholders filled, the end. */
static void
test_call (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("AG_SOURCE_ROOT"), "data", "training",
                                            "01-partial-cpf.scenario", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgTrainingScenario) scenario = ag_training_scenario_new_from_file (path, &error);
  AgTrainingCall *call;
  const GPtrArray *lines;
  g_autofree char *reply = NULL;
  g_autofree char *expected = NULL;
  const char *cpf;
  guint changed = 0;

  g_assert_no_error (error);
  call = ag_training_call_new (scenario);
  g_signal_connect_swapped (call, "changed", G_CALLBACK (count_cb), &changed);
  g_assert_null (ag_training_call_get_step (call));
  ag_training_call_start (call);
  g_assert_cmpstr (ag_training_call_get_step (call)->id, ==, "greet");
  ag_training_call_choose (call, 0);
  g_assert_cmpstr (ag_training_call_get_step (call)->id, ==, "identify");
  reply = ag_training_call_dup_reply_text (call, 0);
  g_assert_true (g_str_has_prefix (reply, "Thank you, "));
  g_assert_null (strchr (reply, '{'));
  ag_training_call_choose (call, 0);
  g_assert_false (ag_training_call_get_ended (call));
  ag_training_call_choose (call, 0);
  g_assert_true (ag_training_call_get_ended (call));
  g_assert_null (ag_training_call_get_step (call));
  g_assert_cmpuint (changed, ==, 4);

  lines = ag_training_call_get_lines (call);
  g_assert_cmpuint (lines->len, ==, 6);
  cpf = ag_training_call_get_customer (call)->values[AG_PII_KIND_CPF];
  expected = g_strdup_printf ("Sure, they are %.3s.%.3s.", cpf + 3, cpf + 6);
  g_assert_true (((AgTrainingLine *) g_ptr_array_index (lines, 2))->from_caller);
  g_assert_cmpstr (((AgTrainingLine *) g_ptr_array_index (lines, 2))->text, ==, expected);
  g_assert_false (((AgTrainingLine *) g_ptr_array_index (lines, 3))->from_caller);

  ag_training_score_finish (ag_training_call_get_score (call));
  assert_score (ag_training_call_get_score (call), 1.0);
  g_assert_finalize_object (call);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/training-score/new-destroy", test_new_destroy);
  ADD ("/training-score/nothing-revealed", test_nothing_revealed);
  ADD ("/training-score/perfect", test_perfect);
  ADD ("/training-score/reveal-before-check", test_reveal_before_check);
  ADD ("/training-score/reveal-after-end", test_reveal_after_end);
  ADD ("/training-score/copy", test_copy);
  ADD ("/training-score/read-unverified", test_read_unverified);
  ADD ("/training-score/wrong-reply", test_wrong_reply);
  ADD ("/training-score/unneeded-kind", test_unneeded_kind);
  ADD ("/training-score/only-unneeded", test_only_unneeded);
  ADD ("/training-score/left-revealed", test_left_revealed);
  ADD ("/training-score/floor", test_floor);
  ADD ("/training-score/duration", test_duration);
  ADD ("/training-score/after-finish", test_after_finish);
  ADD ("/training-score/shipped-runs", test_shipped_runs);
  ADD ("/training-score/pt-br", test_pt_br);
  g_test_add_func ("/training-call/play", test_call);

  return g_test_run ();
}
