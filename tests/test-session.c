/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ag-activity-watch.h"
#include "ag-session-watch.h"
#include "ag-test-guard.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"
#include "ag-test-window.h"
#include "ag-window.h"

#define AG_BUILD_PO_DIR                                                                           \
  (g_getenv ("AG_BUILD_ROOT") != NULL ? g_build_filename (g_getenv ("AG_BUILD_ROOT"), "po", NULL) \
                                      : "po")

/* The guards here run on an injected clock: the deadlines move only when a test says. */
typedef struct
{
  gint64 now;
  char *dir;
  AgGuard *guard;
} Fixture;

static gint64
test_clock (gpointer data)
{
  return ((Fixture *) data)->now;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_write_stack (NULL);
  fixture->dir = g_dir_make_tmp ("test-session-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->now = g_get_real_time ();
  fixture->guard = ag_guard_new (&error);
  g_assert_no_error (error);
  ag_guard_set_clock (fixture->guard, test_clock, fixture);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  ag_test_keep_glib_dirs ();
  while (ag_guard_get_n_running (fixture->guard) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&fixture->guard));
  ag_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
}

/* Moves the clock to @time and lets the guard act on it. */
static void
at (Fixture *fixture, gint64 time)
{
  fixture->now = time;
  ag_guard_process_time (fixture->guard);
}

static AgWindow *
open_window (Fixture *fixture)
{
  g_autofree char *store_path = g_build_filename (fixture->dir, "store.db", NULL);
  AgWindow *window = g_object_new (AG_TYPE_WINDOW, "store-path", store_path, "guard",
                                   fixture->guard, "title", "Session test", NULL);

  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  ag_test_sign_in (GTK_WIDGET (window), fixture->guard, 0);
  AG_TEST_WAIT_UNTIL (ag_window_get_state (window) == AG_WINDOW_STATE_NO_STORE);
  ag_test_spin ();
  return window;
}

/* Real input, through the X server as a mouse or keyboard would give it. */
static void
xdotool (const char *arguments)
{
  g_autofree char *command = g_strdup_printf ("xdotool %s", arguments);
  g_autoptr (GError) error = NULL;
  int status;

  g_spawn_command_line_sync (command, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
}

static GtkWidget *
find_label (GtkWidget *root)
{
  if (GTK_IS_LABEL (root))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* With AG_TEST_SCREENSHOT_DIR set, saves a picture of @widget there as NAME-LANG.png, for
 * people to look at; tests never compare them. */
static void
save_screenshot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("AG_TEST_SCREENSHOT_DIR");
  const char *language = g_getenv ("LANGUAGE");
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *file_name = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  if (dir == NULL)
    return;

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  file_name = g_strdup_printf ("%s-%s.png", name, language != NULL ? language : "en");
  path = g_build_filename (dir, file_name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

/* Tests --------------------------------------------------------------------------------- */

static void
test_activity_watch_new_destroy (Fixture *fixture, gconstpointer user_data)
{
  AgActivityWatch *watch = ag_activity_watch_new (fixture->guard);

  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 0);
  /* Locked: input is nobody's business. */
  ag_activity_watch_input (watch);
  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 0);
  g_assert_finalize_object (watch);
}

static void
test_activity_throttle (Fixture *fixture, gconstpointer user_data)
{
  AgActivityWatch *watch = ag_activity_watch_new (fixture->guard);
  gint64 t0;

  ag_test_guard_sign_in (fixture->guard, 0);
  t0 = fixture->now;

  /* The first input goes through and sets the deadline from now. */
  at (fixture, t0 + 5 * G_USEC_PER_SEC);
  ag_activity_watch_input (watch);
  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 1);
  g_assert_cmpint (ag_guard_get_idle_deadline (fixture->guard), ==,
                   fixture->now + 300 * G_USEC_PER_SEC);

  /* A burst within the second does not reach the guard... */
  at (fixture, fixture->now + G_USEC_PER_SEC / 2);
  ag_activity_watch_input (watch);
  ag_activity_watch_input (watch);
  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 1);
  g_assert_cmpint (ag_guard_get_idle_deadline (fixture->guard), ==, t0 + 305 * G_USEC_PER_SEC);

  /* ...the next second's input does. */
  at (fixture, t0 + 6 * G_USEC_PER_SEC);
  ag_activity_watch_input (watch);
  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 2);

  /* While the lock warning is up, every input goes through at once and ends it. */
  at (fixture, ag_guard_get_idle_deadline (fixture->guard) - 10 * G_USEC_PER_SEC);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  ag_activity_watch_input (watch);
  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 3);
  g_assert_false (ag_guard_get_warning (fixture->guard));
  at (fixture, fixture->now + G_USEC_PER_SEC / 2);
  g_assert_false (ag_guard_get_warning (fixture->guard));
  ag_activity_watch_input (watch);
  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 3);

  /* A clock that went back never holds input off. */
  at (fixture, fixture->now - 60 * G_USEC_PER_SEC);
  ag_activity_watch_input (watch);
  g_assert_cmpuint (ag_activity_watch_get_n_reported (watch), ==, 4);

  ag_guard_lock (fixture->guard, AG_LOCK_CAUSE_MANUAL);
  g_assert_finalize_object (watch);
}

/* In each language the warning bar is one line at the window's default width (960). */
static void
test_session_warning_one_line (Fixture *fixture, gconstpointer user_data)
{
  const char *language = user_data;
  g_autofree char *localedir = AG_BUILD_PO_DIR;
  AgWindow *window;
  GtkWidget *banner, *label;

  g_setenv ("LANGUAGE", language, TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  window = open_window (fixture);
  /* The window opens at the settings' default size (less its frame). */
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (window)), <=, 960);
  banner = ag_session_watch_get_warning_banner (ag_window_get_session_watch (window));
  at (fixture, ag_guard_get_idle_deadline (fixture->guard) - 30 * G_USEC_PER_SEC);
  AG_TEST_WAIT_UNTIL (gtk_revealer_get_child_revealed (GTK_REVEALER (banner)));
  ag_test_spin ();
  label = find_label (gtk_revealer_get_child (GTK_REVEALER (banner)));
  if (!g_str_equal (language, "C"))
    g_assert_false (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (label)), "Records"));
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (GTK_LABEL (label))), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
  ag_test_spin ();
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "");
  textdomain ("messages");
}

static void
test_session_warning_and_idle_lock (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgSessionWatch *watch = ag_window_get_session_watch (window);
  GtkWidget *banner = ag_session_watch_get_warning_banner (watch);
  GtkWidget *label;
  gint64 deadline;

  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));

  /* lock-warning (30 s) before the idle deadline the banner comes up. */
  deadline = ag_guard_get_idle_deadline (fixture->guard);
  at (fixture, deadline - 30 * G_USEC_PER_SEC);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));
  label = find_label (banner);
  if (g_getenv ("AG_TEST_SCREENSHOT_DIR") != NULL)
    {
      /* Wait for the banner to slide in, then picture it. */
      AG_TEST_WAIT_UNTIL (gtk_revealer_get_child_revealed (GTK_REVEALER (banner)));
      ag_test_spin ();
      save_screenshot (GTK_WIDGET (window), "side-lock-warning");
    }
  else
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                     "Records lock in 30 s for inactivity — move the mouse or press a key to stay "
                     "signed in");

  /* The mouse moving over the window ends it: real motion through the X server. */
  xdotool ("mousemove 40 40");
  xdotool ("mousemove 90 120");
  AG_TEST_WAIT_UNTIL (!ag_guard_get_warning (fixture->guard));
  g_assert_cmpuint (ag_session_watch_get_n_activity_reports (watch), >, 0);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));
  g_assert_cmpint (ag_guard_get_idle_deadline (fixture->guard), ==,
                   fixture->now + 300 * G_USEC_PER_SEC);

  /* The pointer resting while the window changes under it is not input. */
  {
    guint reports = ag_session_watch_get_n_activity_reports (watch);

    at (fixture, fixture->now + 10 * G_USEC_PER_SEC);
    gtk_widget_set_size_request (GTK_WIDGET (window), 900, 700);
    AG_TEST_WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (window)) >= 900);
    ag_test_spin ();
    g_assert_cmpuint (ag_session_watch_get_n_activity_reports (watch), ==, reports);
  }

  /* The warning again, fully in; then at the deadline the records lock. */
  at (fixture, ag_guard_get_idle_deadline (fixture->guard) - 10 * G_USEC_PER_SEC);
  g_assert_true (ag_guard_get_warning (fixture->guard));
  AG_TEST_WAIT_UNTIL (gtk_revealer_get_child_revealed (GTK_REVEALER (banner)));
  at (fixture, ag_guard_get_idle_deadline (fixture->guard));
  g_assert_cmpint (ag_guard_get_state (fixture->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_LOCKED);
  g_assert_false (gtk_revealer_get_reveal_child (GTK_REVEALER (banner)));
  /* Gone at once, not sliding away over the lock page. */
  g_assert_false (gtk_revealer_get_child_revealed (GTK_REVEALER (banner)));
  g_assert_false (gtk_widget_get_mapped (label));

  gtk_window_destroy (GTK_WINDOW (window));
  ag_test_spin ();
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, gpointer user_data)
{
  if (keyval == GDK_KEY_z)
    *(gboolean *) user_data = TRUE;
  return GDK_EVENT_PROPAGATE;
}

static gboolean
witness_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return TRUE;
}

/* Sends Ctrl+Shift+I to @window, then a "z" that tells when the X server delivered both.
 * Returns whether Ctrl+Shift+I reached the window's own bindings, in the bubble phase,
 * where GTK binds the inspector. */
static gboolean
press_inspector_keys (GtkWindow *window)
{
  GtkEventController *controller = gtk_event_controller_key_new ();
  GtkEventController *witness = gtk_shortcut_controller_new ();
  gboolean got_z = FALSE;
  gboolean reached = FALSE;

  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (witness),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_I, GDK_CONTROL_MASK | GDK_SHIFT_MASK),
                      gtk_callback_action_new (witness_cb, &reached, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (window), witness);

  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), &got_z);
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
  xdotool ("mousemove 50 50");
  xdotool ("key --clearmodifiers ctrl+shift+i z");
  AG_TEST_WAIT_UNTIL (got_z);
  ag_test_spin ();
  gtk_widget_remove_controller (GTK_WIDGET (window), controller);
  gtk_widget_remove_controller (GTK_WIDGET (window), witness);
  return reached;
}

static gboolean
has_inspector (void)
{
  g_autoptr (GListModel) toplevels = NULL;
  guint n;

  toplevels = g_object_ref (gtk_window_get_toplevels ());
  n = g_list_model_get_n_items (toplevels);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) window = g_list_model_get_item (toplevels, i);

      if (strstr (G_OBJECT_TYPE_NAME (window), "Inspector") != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
close_inspector (void)
{
  g_autoptr (GListModel) toplevels = g_object_ref (gtk_window_get_toplevels ());

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if (strstr (G_OBJECT_TYPE_NAME (window), "Inspector") != NULL)
        gtk_window_destroy (window);
    }
  ag_test_spin ();
}

static void
test_inspector_blocked (void)
{
  g_autoptr (GSettings) debug = g_settings_new ("org.gtk.gtk4.Settings.Debug");
  GtkWidget *window = gtk_window_new ();

  /* The desktop's default: the keys would open the inspector. */
  g_assert_true (g_settings_get_boolean (debug, "enable-inspector-keybinding"));
  g_settings_set_boolean (debug, "inspector-warning", FALSE);

  gtk_window_set_title (GTK_WINDOW (window), "Inspector test");
  gtk_window_set_default_size (GTK_WINDOW (window), 300, 200);
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (window));
  ag_test_spin ();

  /* Unblocked, the keys reach the window's bindings, where GTK's inspector binding is
   * (with G_TEST_OPTION_ISOLATE_DIRS, GTK does not find its debug settings and does not
   * open the inspector itself; a desktop session does)... */
  g_assert_true (press_inspector_keys (GTK_WINDOW (window)));
  close_inspector ();

  /* ...blocked, they stop before, and no inspector opens. */
  ag_session_watch_block_inspector (GTK_WINDOW (window));
  g_assert_false (press_inspector_keys (GTK_WINDOW (window)));
  g_assert_false (has_inspector ());

  gtk_window_destroy (GTK_WINDOW (window));
  ag_test_spin ();
}

int
main (int argc, char **argv)
{
  g_autofree char *content_type = NULL;
  int status;

  content_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);
  /* GTK looks up org.gtk.gtk4.Settings.Debug, which decides whether Ctrl+Shift+I opens the
   * inspector, in the default schema source: read it before the system data directories
   * are hidden, so the test meets the setting as a desktop has it. */
  g_settings_schema_source_get_default ();
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#if defined(__SANITIZE_ADDRESS__)
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  g_setenv ("GTK_A11Y", "test", TRUE);
  if (g_getenv ("AG_TEST_SCREENSHOT_DIR") != NULL)
    {
      /* Pictures in the language of LANGUAGE, from the build's translations. */
      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, AG_BUILD_PO_DIR);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  ag_test_pam_init ();
  gtk_init ();
  adw_init ();
  if (g_getenv ("AG_TEST_SCREENSHOT_DIR") != NULL)
    {
      /* AdwApplication loads the app's style sheet; these windows have no application. */
      g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/org/agentguard/AgentGuard/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                  GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }
  ag_test_keep_glib_dirs ();

  g_test_add ("/activity-watch/new-destroy", Fixture, NULL, fixture_set_up,
              test_activity_watch_new_destroy, fixture_tear_down);
  g_test_add ("/activity-watch/throttle", Fixture, NULL, fixture_set_up, test_activity_throttle,
              fixture_tear_down);
  g_test_add ("/session/warning-and-idle-lock", Fixture, NULL, fixture_set_up,
              test_session_warning_and_idle_lock, fixture_tear_down);
  g_test_add ("/session/warning-one-line/en", Fixture, "C", fixture_set_up,
              test_session_warning_one_line, fixture_tear_down);
  g_test_add ("/session/warning-one-line/pt-BR", Fixture, "pt_BR", fixture_set_up,
              test_session_warning_one_line, fixture_tear_down);
  g_test_add_func ("/session/inspector-blocked", test_inspector_blocked);

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
