/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The training pane under Xvfb, played with real key presses: the caller's lines step by
 * step, the replies as buttons reached with Tab and pressed with Return, the end of the
 * call and the explained score; and the same in pt_BR, with a screenshot
 * (AG_TRAINING_SHOT=FILE keeps one to look at).
 */

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ag-test-guard.h"
#include "ag-test-ui.h"
#include "ag-test-window.h"
#include "ag-training-pane.h"

typedef struct
{
  AgTrainingScenario *scenario;
  AgTrainingCall *call;
  GtkWindow *window;
  AgTrainingPane *pane;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = g_build_filename (g_getenv ("AG_SOURCE_ROOT"), "data", "training",
                                            "01-partial-cpf.scenario", NULL);
  g_autoptr (GError) error = NULL;

  if (user_data != NULL)
    {
      g_autofree char *localedir = g_build_filename (g_getenv ("AG_BUILD_ROOT"), "po", NULL);

      g_setenv ("LANGUAGE", user_data, TRUE);
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }

  fixture->scenario = ag_training_scenario_new_from_file (path, &error);
  g_assert_no_error (error);
  fixture->call = ag_training_call_new (fixture->scenario);
  fixture->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (fixture->window, 480, 700);
  fixture->pane = AG_TRAINING_PANE (ag_training_pane_new (fixture->call));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->pane));
  gtk_window_present (fixture->window);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
  ag_test_spin ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  gtk_window_destroy (fixture->window);
  ag_test_spin ();
  g_assert_finalize_object (fixture->call);
  g_assert_finalize_object (fixture->scenario);
  ag_test_keep_glib_dirs ();
  if (user_data != NULL)
    {
      g_unsetenv ("LANGUAGE");
      textdomain ("messages");
    }
}

/* The text of the button that has the focus. */
static const char *
focused_button_text (Fixture *fixture)
{
  GtkWidget *focus = gtk_window_get_focus (fixture->window);
  GtkWidget *child;

  g_assert_true (GTK_IS_BUTTON (focus));
  child = gtk_button_get_child (GTK_BUTTON (focus));
  g_assert_true (GTK_IS_LABEL (child));
  return gtk_label_get_text (GTK_LABEL (child));
}

static gboolean
shows (Fixture *fixture, const char *text)
{
  return ag_test_find_label (GTK_WIDGET (fixture->window), text, TRUE) != NULL;
}

/* The right reply at every step, with Return on the focused first reply. */
static void
test_perfect (Fixture *fixture, gconstpointer user_data)
{
  AgTrainingScore *score = ag_training_call_get_score (fixture->call);

  g_assert_true (shows (fixture, "Identity check with a partial CPF"));
  g_assert_true (
    shows (fixture, "Caller: Hi, good morning. I'd like to know when my bill is due."));
  g_assert_cmpstr (focused_button_text (fixture), ==,
                   "Of course. To confirm it's you, could you tell me the middle digits of your "
                   "CPF?");

  ag_test_press_keys (fixture->window, "Return");
  g_assert_cmpstr (ag_training_call_get_step (fixture->call)->id, ==, "identify");
  g_assert_true (g_str_has_prefix (focused_button_text (fixture), "Thank you, "));
  ag_test_press_keys (fixture->window, "Return");
  g_assert_true (ag_training_score_get_identity_checked (score));
  ag_test_press_keys (fixture->window, "Return");
  g_assert_true (ag_training_call_get_ended (fixture->call));
  g_assert_true (
    shows (fixture, "You: It's due on the 10th. Is there anything else I can help you with?"));

  /* The call ended: the focus is on the button that shows the score. */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (gtk_window_get_focus (fixture->window))), ==,
                   "_See the Score");
  ag_test_press_keys (fixture->window, "Return");
  g_assert_true (ag_training_score_get_finished (score));
  g_assert_cmpfloat (ag_training_score_get_score (score), ==, 1.0);
  g_assert_true (shows (fixture, "You revealed nothing: the masked values were enough for this "
                                 "call."));
}

/* Tab reaches the wrong reply: the pane shows the penalty and its rule. */
static void
test_tricked (Fixture *fixture, gconstpointer user_data)
{
  AgTrainingScore *score = ag_training_call_get_score (fixture->call);

  ag_test_press_keys (fixture->window, "Tab");
  g_assert_cmpstr (focused_button_text (fixture), ==,
                   "Let me read you the CPF we have on file, and you tell me if it's yours.");
  ag_test_press_keys (fixture->window, "Return");
  g_assert_true (shows (fixture, "You: Let me read you the CPF we have on file, and you tell me "
                                 "if it's yours."));
  /* The trainee ends the call from the keyboard: Tab past the replies to End Call. */
  ag_test_press_keys (fixture->window, "Tab Tab Return");
  g_assert_true (ag_training_call_get_ended (fixture->call));
  ag_test_press_keys (fixture->window, "Return");
  g_assert_true (ag_training_score_get_finished (score));
  g_assert_cmpfloat_with_epsilon (ag_training_score_get_score (score), 0.25, 1e-9);
  g_assert_true (shows (fixture, "You read out CPF to a caller whose identity was not checked."));
  g_assert_true (shows (fixture, "LGPD art. 46, security of processing · −0.50"));
}

/* pt_BR: the scenario's and the pane's strings translated; a screenshot to look at. */
static void
test_pt_br (Fixture *fixture, gconstpointer user_data)
{
  const char *shot = g_getenv ("AG_TRAINING_SHOT");

  g_assert_true (shows (fixture, "Verificação de identidade com parte do CPF"));
  g_assert_true (
    shows (fixture, "Cliente: Oi, bom dia. Queria saber quando vence a minha fatura."));
  ag_test_press_keys (fixture->window, "Tab Return");
  ag_test_press_keys (fixture->window, "Return Return");
  g_assert_true (ag_training_call_get_ended (fixture->call));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (gtk_window_get_focus (fixture->window))), ==,
                   "_Ver a nota");
  ag_test_press_keys (fixture->window, "Return");
  g_assert_true (shows (fixture, "LGPD art. 46 — segurança no tratamento · −0.50"));

  if (shot != NULL)
    {
      g_autofree char *command = g_strdup_printf ("import -window root %s", shot);

      ag_test_spin ();
      g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#if defined(__SANITIZE_ADDRESS__)
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  gtk_init ();
  adw_init ();
  ag_test_keep_glib_dirs ();

  g_test_add ("/training-pane/perfect", Fixture, NULL, fixture_set_up, test_perfect,
              fixture_tear_down);
  g_test_add ("/training-pane/tricked", Fixture, NULL, fixture_set_up, test_tricked,
              fixture_tear_down);
  g_test_add ("/training-pane/pt-br", Fixture, "pt_BR", fixture_set_up, test_pt_br,
              fixture_tear_down);

  return g_test_run ();
}
