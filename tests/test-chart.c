/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The console's bar chart in a real window under Xvfb: it takes the focus by keyboard,
 * real Left/Right/Home/End key presses move the selected bar, and its accessible
 * description states every number, the limit and the selection (what a screen reader
 * says of it). With AG_SCREENSHOT_DIR, a screenshot to look at (LANGUAGE=pt_BR
 * AG_LOCALEDIR=_build/po for the translation).
 */

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ag-chart.h"
#include "ag-test-guard.h"
#include "ag-test-ui.h"
#include "ag-test-util.h"
#include "ag-test-window.h"

static const char *const labels[] = { "CPF", "Phone", "E-mail", "Card" };
static const guint values[] = { 12, 3, 0, 7 };

static GtkWindow *
open_chart_window (AgChart **out_chart)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *button = gtk_button_new_with_label ("Before");
  AgChart *chart = ag_chart_new ("Reveals by field");

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (chart));
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 300);
  ag_chart_set_bars (chart, G_N_ELEMENTS (labels), labels, values);
  ag_chart_set_limit (chart, 10);
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (chart)));
  gtk_widget_grab_focus (button);

  *out_chart = chart;
  return GTK_WINDOW (window);
}

static void
test_keyboard (void)
{
  AgChart *chart = NULL;
  GtkWindow *window = open_chart_window (&chart);

  /* Tab from the button before it: the chart takes the focus, nothing selected yet. */
  ag_test_press_keys (window, "Tab");
  g_assert_true (gtk_widget_has_focus (GTK_WIDGET (chart)));
  g_assert_cmpint (ag_chart_get_selected (chart), ==, -1);

  ag_test_press_keys (window, "Right");
  g_assert_cmpint (ag_chart_get_selected (chart), ==, 0);
  ag_test_press_keys (window, "Right Right");
  g_assert_cmpint (ag_chart_get_selected (chart), ==, 2);
  ag_test_press_keys (window, "End");
  g_assert_cmpint (ag_chart_get_selected (chart), ==, 3);
  ag_test_press_keys (window, "Right");
  g_assert_cmpint (ag_chart_get_selected (chart), ==, 3);
  ag_test_press_keys (window, "Home");
  g_assert_cmpint (ag_chart_get_selected (chart), ==, 0);
  ag_test_press_keys (window, "Left");
  g_assert_cmpint (ag_chart_get_selected (chart), ==, 0);

  gtk_window_destroy (window);
}

static void
test_description (void)
{
  AgChart *chart = NULL;
  GtkWindow *window = open_chart_window (&chart);
  g_autofree char *before = ag_chart_describe (chart);
  g_autofree char *selected = NULL;
  g_autofree char *empty = NULL;

  g_assert_cmpstr (before, ==, "CPF: 12; Phone: 3; E-mail: 0; Card: 7. Limit: 10.");
  gtk_test_accessible_assert_role (chart, GTK_ACCESSIBLE_ROLE_IMG);
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_LABEL, "Reveals by field");
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, before);

  ag_chart_select (chart, 3);
  selected = ag_chart_describe (chart);
  g_assert_cmpstr (selected, ==,
                   "CPF: 12; Phone: 3; E-mail: 0; Card: 7. Limit: 10. Selected: Card, 7.");
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, selected);

  /* New data with fewer bars keeps a selection that still exists, on the last bar. */
  ag_chart_set_bars (chart, 2, labels, values);
  g_assert_cmpint (ag_chart_get_selected (chart), ==, 1);

  ag_chart_set_bars (chart, 0, NULL, NULL);
  g_assert_cmpint (ag_chart_get_selected (chart), ==, -1);
  empty = ag_chart_describe (chart);
  g_assert_cmpstr (empty, ==, "Nothing to show in this period.");
  gtk_test_accessible_assert_property (chart, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, empty);

  gtk_window_destroy (window);
}

static gboolean
shot_ready_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Only with AG_SCREENSHOT_DIR: for looking at, nothing asserted. */
static void
test_screenshot (void)
{
  const char *language = g_getenv ("LANGUAGE");
  g_autoptr (GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *path = NULL;
  AgChart *chart = NULL;
  GtkWindow *window;
  gboolean ready = FALSE;
  int status = 0;

  if (g_getenv ("AG_SCREENSHOT_DIR") == NULL)
    {
      g_test_skip ("AG_SCREENSHOT_DIR is not set");
      return;
    }

  window = open_chart_window (&chart);
  ag_test_press_keys (window, "Tab End");
  g_timeout_add (1000, shot_ready_cb, &ready);
  AG_TEST_WAIT_UNTIL (ready);
  file = g_strdup_printf ("chart-%s.png", language != NULL && *language != '\0' ? language : "en");
  path = g_build_filename (g_getenv ("AG_SCREENSHOT_DIR"), file, NULL);
  g_spawn_sync (NULL, (char *[]){ "import", "-window", "root", path, NULL }, NULL,
                G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_test_message ("screenshot: %s", path);
  gtk_window_destroy (window);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#if defined(__SANITIZE_ADDRESS__)
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  /* GTK's test accessibility backend keeps the accessible properties for the assertions. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (g_getenv ("AG_SCREENSHOT_DIR") != NULL)
    {
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, g_getenv ("AG_LOCALEDIR"));
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  gtk_init ();
  adw_init ();
  ag_test_keep_glib_dirs ();

  g_test_add_func ("/chart/keyboard", test_keyboard);
  g_test_add_func ("/chart/description", test_description);
  g_test_add_func ("/chart/screenshot", test_screenshot);

  return g_test_run ();
}
