/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The notice that names the ignored lines of the agent's own policy file, under Xvfb: it
 * comes out for a line that cannot apply, follows the file as it changes, and goes away
 * when the agent dismisses it with the keyboard until the lines change.
 */

#include "config.h"

#include <adwaita.h>

#include "ag-policy-notice.h"
#include "ag-test-guard.h"
#include "ag-test-ui.h"
#include "ag-test-util.h"
#include "ag-test-window.h"

typedef struct
{
  char *dir;
  char *user_file;
  AgPolicySource *source;
  GtkWindow *window;
  AgPolicyNotice *notice;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicyPaths) paths = NULL;

  fixture->dir = g_dir_make_tmp ("test-policy-notice-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->user_file = ag_test_write_file (fixture->dir, "policy.conf", user_data);
  paths = ag_policy_paths_new (NULL, NULL, fixture->user_file);
  fixture->source = ag_policy_source_new (paths, "ana", NULL);

  fixture->window = GTK_WINDOW (gtk_window_new ());
  fixture->notice = AG_POLICY_NOTICE (ag_policy_notice_new (fixture->source));
  gtk_window_set_child (fixture->window, GTK_WIDGET (fixture->notice));
  gtk_window_present (fixture->window);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (fixture->window)));
  ag_test_spin ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  gtk_window_destroy (fixture->window);
  ag_test_spin ();
  g_assert_finalize_object (fixture->source);
  ag_test_keep_glib_dirs ();
  ag_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->user_file, g_free);
}

static void
rewrite (Fixture *fixture, const char *contents)
{
  g_free (ag_test_write_file (fixture->dir, "policy.conf", contents));
  ag_policy_source_reload (fixture->source, NULL);
  ag_test_spin ();
}

/* Whether a label showing exactly @text is in sight. */
static gboolean
shows (Fixture *fixture, const char *text)
{
  return ag_test_find_label (GTK_WIDGET (fixture->window), text, TRUE) != NULL;
}

/* The text that the notice shows for the agent's file line @line. */
static char *
line_text (Fixture *fixture, guint line, const char *rest)
{
  return g_strdup_printf ("%s:%u: %s", fixture->user_file, line, rest);
}

static void
test_new_destroy (void)
{
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (NULL, NULL, NULL);
  g_autoptr (AgPolicySource) source = ag_policy_source_new (paths, "ana", NULL);
  GtkWidget *notice = g_object_ref_sink (ag_policy_notice_new (source));

  g_assert_true (ag_policy_notice_get_source (AG_POLICY_NOTICE (notice)) == source);
  g_assert_false (ag_policy_notice_get_shown (AG_POLICY_NOTICE (notice)));
  g_assert_finalize_object (notice);
}

static void
test_shows_ignored_line (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *looser
    = line_text (fixture, 3,
                 "idle-lock: 600 is looser than the policy in force (300, from "
                 "built-in); ignored");
  g_autofree char *conflict
    = line_text (fixture, 2, "lock-warning: 90 is not shorter than idle-lock (60); ignored");

  /* A looser line is named with its file, line and key; the tighter one is not. */
  g_assert_true (ag_policy_notice_get_shown (fixture->notice));
  g_assert_true (shows (fixture, "A line of your own policy file is ignored"));
  g_assert_true (shows (fixture, looser));

  /* Fixed: the notice goes. */
  rewrite (fixture, "[policy]\nreveal-duration=5\nidle-lock=60\n");
  g_assert_false (ag_policy_notice_get_shown (fixture->notice));
  AG_TEST_WAIT_UNTIL (!shows (fixture, looser));

  /* A stricter idle lock in either order with its warning raises nothing; a warning that
   * does not fit below it does. */
  rewrite (fixture, "[policy]\nlock-warning=5\nidle-lock=30\n");
  g_assert_false (ag_policy_notice_get_shown (fixture->notice));
  rewrite (fixture, "[policy]\nlock-warning=90\nidle-lock=60\n");
  g_assert_true (ag_policy_notice_get_shown (fixture->notice));
  AG_TEST_WAIT_UNTIL (shows (fixture, conflict));
}

static void
test_file_refused (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *problem = line_text (fixture, 2, "foo: unknown key");

  g_assert_true (ag_policy_notice_get_shown (fixture->notice));
  g_assert_true (shows (fixture, "Your own policy file is ignored whole, for the problems below"));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (ag_test_find_label (
                                     GTK_WIDGET (fixture->window), problem, TRUE))),
                                   problem));
}

static void
test_dismiss (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *button = ag_test_find_type (GTK_WIDGET (fixture->notice), GTK_TYPE_BUTTON);

  g_assert_true (ag_policy_notice_get_shown (fixture->notice));

  /* The agent dismisses it from the keyboard. */
  gtk_widget_grab_focus (button);
  ag_test_press_keys (fixture->window, "space");
  g_assert_false (ag_policy_notice_get_shown (fixture->notice));

  /* The same lines again keep it away; other lines bring it back. */
  rewrite (fixture, "[policy]\nidle-lock=600\n");
  g_assert_false (ag_policy_notice_get_shown (fixture->notice));
  rewrite (fixture, "[policy]\nidle-lock=700\n");
  g_assert_true (ag_policy_notice_get_shown (fixture->notice));
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

  g_test_add_func ("/policy-notice/new-destroy", test_new_destroy);
#define ADD(path, contents, func) \
  g_test_add ("/policy-notice/" path, Fixture, contents, fixture_set_up, func, fixture_tear_down)
  ADD ("shows-ignored-line", "[policy]\nreveal-duration=5\nidle-lock=600\n",
       test_shows_ignored_line);
  ADD ("file-refused", "[policy]\nfoo=1\n", test_file_refused);
  ADD ("dismiss", "[policy]\nidle-lock=600\n", test_dismiss);
#undef ADD

  return g_test_run ();
}
