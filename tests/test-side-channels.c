/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The signed-in window under Xvfb and its side channels (issue 5): the desktop's locks
 * (logind Lock and PrepareForSleep, the screen savers' ActiveChanged, from python3-dbusmock
 * on private system and session buses) lock it with their cause and let a waiting sleep go
 * on only after; the clipboard policy (deny, allow-with-clear:N), read back through
 * GdkClipboard; focus loss re-masks. Real PAM sign-in, real store in a private keyring.
 */

#define _GNU_SOURCE /* memmem() */

#include "config.h"

#include <adwaita.h>
#include <gdk/x11/gdkx.h>
#include <signal.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ag-a11y-status.h"
#include "ag-application.h"
#include "ag-desktop-monitor.h"
#include "ag-field-row.h"
#include "ag-keyring.h"
#include "ag-masked-label.h"
#include "ag-notifier.h"
#include "ag-record-page.h"
#include "ag-reveal-dialog.h"
#include "ag-secret-clipboard.h"
#include "ag-sqlite-store.h"
#include "ag-test-dbus.h"
#include "ag-test-notify.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"
#include "ag-test-window.h"
#include "ag-window.h"

#define N_CUSTOMERS 10

#define MOCK_IFACE     "org.freedesktop.DBus.Mock"
#define LOGIND_NAME    "org.freedesktop.login1"
#define LOGIND_PATH    "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"
#define SESSION_PATH   "/org/freedesktop/login1/session/"
#define WAIT_SECONDS   60

/* Without a window manager the focus comes and goes under Xvfb: only the focus test itself
 * re-masks on focus loss. */
#define POLICY_DEFAULT "[policy]\nremask-on-focus-loss=false\n"

typedef struct
{
  char *dir;
  char *store_path;
  char *store_id;
  char *system_dir;
  GPtrArray *customers; /* AgCustomerData*, in clear */
  gint64 now;           /* the guard's clock */

  GDBusConnection *system;
  GDBusConnection *session;
  GPtrArray *mocks; /* GSubprocess* */
  AgDesktopMonitor *monitor;
} Fixture;

static AgTestBus system_dbus;
static AgTestBus session_dbus;

/* The system's data and config folders, before G_TEST_OPTION_ISOLATE_DIRS empties them:
 * a child process needs them to find icons' mime types. */
static char *system_data_dirs;
static char *system_config_dirs;

/* Polls something outside this process (a mock's state), with a failure timeout. */
#define POLL_UNTIL(cond)                                                       \
  G_STMT_START                                                                 \
  {                                                                            \
    gint64 give_up_ = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
    while (!(cond))                                                            \
      {                                                                        \
        if (g_get_monotonic_time () > give_up_)                                \
          g_error ("Gave up waiting for: %s", #cond);                          \
        while (g_main_context_iteration (NULL, FALSE))                         \
          ;                                                                    \
        g_usleep (5000);                                                       \
      }                                                                        \
  }                                                                            \
  G_STMT_END

static gint64
fixture_clock (gpointer user_data)
{
  return ((Fixture *) user_data)->now;
}

/* Private buses and dbusmock --------------------------------------------------------------- */

static void
start_mock (Fixture *fixture, GDBusConnection *bus, const char *name, const char *const *args)
{
  g_ptr_array_add (fixture->mocks, ag_test_dbusmock_spawn (&system_dbus, &session_dbus, args));
  POLL_UNTIL (ag_test_bus_has_owner (bus, name));
}

static void
emit (GDBusConnection *bus, const char *name, const char *path, const char *interface,
      const char *signal, GVariant *argument)
{
  GVariantBuilder args;
  g_autoptr (GVariant) reply = NULL;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  g_variant_builder_add (&args, "v", argument);
  reply = ag_test_bus_call (
    bus, name, path, MOCK_IFACE, "EmitSignal",
    g_variant_new ("(sssav)", interface, signal, g_variant_get_type_string (argument), &args),
    NULL);
}

static gsize
n_inhibitors (Fixture *fixture)
{
  g_autoptr (GVariant) reply
    = ag_test_bus_call (fixture->system, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "ListInhibitors",
                        NULL, "(a(ssssuu))");
  g_autoptr (GVariant) list = g_variant_get_child_value (reply, 0);

  return g_variant_n_children (list);
}

/* logind (its dbusmock template, with this process's session c1) and both screen savers,
 * and a desktop monitor on them for the window. */
static void
start_desktop (Fixture *fixture)
{
  const char *const logind[] = { "--system", "--template", "logind", NULL };
  const char *const fdo[] = { "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                              "org.freedesktop.ScreenSaver", NULL };
  const char *const gnome[]
    = { "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", NULL };
  g_autoptr (GVariant) reply = NULL;

  fixture->system = ag_test_bus_connect (&system_dbus);
  fixture->session = ag_test_bus_connect (&session_dbus);
  fixture->mocks = g_ptr_array_new_with_free_func (g_object_unref);
  start_mock (fixture, fixture->system, LOGIND_NAME, logind);
  reply = ag_test_bus_call (
    fixture->system, LOGIND_NAME, LOGIND_PATH, MOCK_IFACE, "AddSession",
    g_variant_new ("(ssusb)", "c1", "seat0", (guint32) getuid (), g_get_user_name (), TRUE), "(s)");
  start_mock (fixture, fixture->session, fdo[0], fdo);
  start_mock (fixture, fixture->session, gnome[0], gnome);

  g_setenv ("XDG_SESSION_ID", "c1", TRUE);
  fixture->monitor = ag_desktop_monitor_new_for_buses (fixture->system, fixture->session);
  AG_TEST_WAIT_UNTIL (ag_desktop_monitor_get_ready (fixture->monitor));
  g_assert_cmpstr (ag_desktop_monitor_get_session_path (fixture->monitor), ==, SESSION_PATH "c1");
  ag_test_bus_sync (fixture->system);
  ag_test_bus_sync (fixture->session);
}

static void
stop_desktop (Fixture *fixture)
{
  if (fixture->monitor != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->monitor));
  for (guint i = 0; fixture->mocks != NULL && i < fixture->mocks->len; i++)
    {
      GSubprocess *mock = g_ptr_array_index (fixture->mocks, i);

      g_subprocess_send_signal (mock, SIGTERM);
      g_subprocess_wait (mock, NULL, NULL);
    }
  g_clear_pointer (&fixture->mocks, g_ptr_array_unref);
  if (fixture->system != NULL)
    g_dbus_connection_close_sync (fixture->system, NULL, NULL);
  if (fixture->session != NULL)
    g_dbus_connection_close_sync (fixture->session, NULL, NULL);
  g_clear_object (&fixture->system);
  g_clear_object (&fixture->session);
  ag_test_spin ();
}

/* The fixture --------------------------------------------------------------------------- */

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *policy_file = NULL;
  const char *policy = user_data;

  ag_test_pam_write_stack (NULL);
  fixture->dir = g_dir_make_tmp ("test-side-channels-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store_path = g_build_filename (fixture->dir, "store.db", NULL);
  fixture->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  fixture->store_id
    = ag_test_make_store (fixture->store_path, 20261123, N_CUSTOMERS, fixture->customers);
  /* The system layer: only it may loosen the built-in defaults (the clipboard). */
  fixture->system_dir = g_build_filename (fixture->dir, "system", NULL);
  g_assert_cmpint (g_mkdir (fixture->system_dir, 0700), ==, 0);
  policy_file = g_build_filename (fixture->system_dir, "policy.conf", NULL);
  g_file_set_contents (policy_file, policy != NULL ? policy : POLICY_DEFAULT, -1, &error);
  g_assert_no_error (error);
  fixture->now = g_get_real_time ();
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  stop_desktop (fixture);
  ag_test_keep_glib_dirs ();
  ag_keyring_delete_keys (fixture->store_id, NULL, NULL);
  ag_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->store_path, g_free);
  g_clear_pointer (&fixture->store_id, g_free);
  g_clear_pointer (&fixture->system_dir, g_free);
  g_clear_pointer (&fixture->customers, g_ptr_array_unref);
}

/* Widgets ------------------------------------------------------------------------------- */

static GtkWidget *
find_button_labelled (GtkWidget *root, const char *text)
{
  g_autoptr (GPtrArray) buttons = g_ptr_array_new ();

  ag_test_collect_type (root, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);
      GtkWidget *label = ag_test_find_type (button, GTK_TYPE_LABEL);

      if (label != NULL && g_strcmp0 (gtk_label_get_text (GTK_LABEL (label)), text) == 0)
        return button;
    }
  return NULL;
}

static AgWindow *
open_window (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgPolicyPaths) paths = NULL;

  g_assert_no_error (error);
  ag_guard_set_clock (guard, fixture_clock, fixture);
  paths = ag_policy_paths_new (fixture->system_dir, NULL, NULL);
  return ag_test_open_signed_in_window (fixture->store_path, guard, paths, fixture->monitor);
}

static AgRecordPage *
open_customer (AgWindow *window, Fixture *fixture, guint index)
{
  AgCustomerData *customer = g_ptr_array_index (fixture->customers, index);

  return ag_test_open_customer (window, customer->id);
}

/* Reveals the field of @row for a reason, as the agent does, and returns the reveal. */
static AgReveal *
reveal_field (AgFieldRow *row)
{
  return ag_test_reveal_field (row, "identity-check");
}

static const char *
value_of (Fixture *fixture, guint index, AgPiiKind kind)
{
  AgCustomerData *customer = g_ptr_array_index (fixture->customers, index);

  g_assert_nonnull (customer->values[kind]);
  return customer->values[kind];
}

/* The desktop's locks ------------------------------------------------------------------- */

typedef enum
{
  DESKTOP_LOGIND_LOCK,
  DESKTOP_SLEEP,
  DESKTOP_SCREEN_SAVER,
} DesktopSignal;

static void
test_desktop_lock (Fixture *fixture, gconstpointer user_data, DesktopSignal what)
{
  AgWindow *window;
  AgGuard *guard;
  AgRecordPage *page;
  AgReveal *reveal;
  AgLockCause cause = what == DESKTOP_SLEEP ? AG_LOCK_CAUSE_SUSPEND : AG_LOCK_CAUSE_SCREEN_LOCK;
  g_autofree char *events = NULL;
  g_autofree char *expected = NULL;

  start_desktop (fixture);
  window = open_window (fixture);
  guard = ag_window_get_guard (window);
  page = open_customer (window, fixture, 1);
  reveal = g_object_ref (reveal_field (ag_test_find_field_row (page, AG_PII_KIND_CPF)));
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);

  /* Awake: the sleep waits for us. */
  g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  g_assert_cmpuint (n_inhibitors (fixture), ==, 1);

  switch (what)
    {
      case DESKTOP_LOGIND_LOCK:
        {
          g_autoptr (GVariant) reply
            = ag_test_bus_call (fixture->system, LOGIND_NAME, SESSION_PATH "c1",
                                "org.freedesktop.login1.Session", "Lock", NULL, NULL);
        }
        break;
      case DESKTOP_SLEEP:
        emit (fixture->system, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep",
              g_variant_new_boolean (TRUE));
        break;
      case DESKTOP_SCREEN_SAVER:
        emit (fixture->session, "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
              "org.freedesktop.ScreenSaver", "ActiveChanged", g_variant_new_boolean (TRUE));
        break;
      default:
        g_assert_not_reached ();
    }

  AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) == AG_GUARD_STATE_LOCKED);
  /* At once: the record page is gone and the value wiped, in the same main-loop turn. */
  g_assert_null (page);
  g_assert_null (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_FIELD_ROW));
  g_assert_false (ag_reveal_get_active (reveal));
  g_assert_null (ag_reveal_get_value (reveal));
  g_clear_object (&reveal);
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_LOCKED);
  /* The lock page says why. */
  g_assert_nonnull (ag_test_find_label (GTK_WIDGET (window),
                                        what == DESKTOP_SLEEP
                                          ? "Locked when the computer went to sleep"
                                          : "Locked when the screen locked",
                                        TRUE));

  if (what == DESKTOP_SLEEP)
    {
      /* The sleep goes on once the locked window was drawn: the inhibitor is let go. */
      AG_TEST_WAIT_UNTIL (!ag_desktop_monitor_get_inhibiting (fixture->monitor));
      POLL_UNTIL (n_inhibitors (fixture) == 0);
      /* Awake again: held again. */
      emit (fixture->system, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep",
            g_variant_new_boolean (FALSE));
      AG_TEST_WAIT_UNTIL (ag_desktop_monitor_get_inhibiting (fixture->monitor));
    }
  else
    {
      /* A screen lock without a sleep keeps the inhibitor for the next sleep. */
      ag_test_spin ();
      g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));
    }

  events = ag_test_ledger_events (window);
  expected = g_strdup_printf ("login reveal remask:lock lock:%s ", ag_lock_cause_to_string (cause));
  g_assert_cmpstr (events, ==, expected);

  ag_test_close_window (window);
}

static void
test_logind_lock (Fixture *fixture, gconstpointer user_data)
{
  test_desktop_lock (fixture, user_data, DESKTOP_LOGIND_LOCK);
}

static void
test_sleep (Fixture *fixture, gconstpointer user_data)
{
  test_desktop_lock (fixture, user_data, DESKTOP_SLEEP);
}

static void
test_screen_saver (Fixture *fixture, gconstpointer user_data)
{
  test_desktop_lock (fixture, user_data, DESKTOP_SCREEN_SAVER);
}

static void
test_sleep_while_locked (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (fixture->system_dir, NULL, NULL);
  AgWindow *window;

  /* Nobody signed in: the sleep need not wait, and nothing is ledgered twice. */
  g_assert_no_error (error);
  start_desktop (fixture);
  g_assert_cmpuint (ag_desktop_monitor_get_n_lockers (fixture->monitor), ==, 0);
  window = g_object_new (AG_TYPE_WINDOW, "store-path", fixture->store_path, "guard", guard,
                         "policy-paths", paths, "desktop-monitor", fixture->monitor, NULL);
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  /* Each window on the monitor is a locker a sleep waits for; one gone is not. */
  g_assert_cmpuint (ag_desktop_monitor_get_n_lockers (fixture->monitor), ==, 1);
  {
    g_autoptr (AgGuard) other_guard = ag_guard_new (&error);
    GtkWidget *other;

    g_assert_no_error (error);
    other = g_object_new (AG_TYPE_WINDOW, "store-path", fixture->store_path, "guard", other_guard,
                          "desktop-monitor", fixture->monitor, NULL);
    g_assert_cmpuint (ag_desktop_monitor_get_n_lockers (fixture->monitor), ==, 2);
    ag_test_close_window (AG_WINDOW (other));
    g_assert_cmpuint (ag_desktop_monitor_get_n_lockers (fixture->monitor), ==, 1);
  }
  emit (fixture->system, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep",
        g_variant_new_boolean (TRUE));
  AG_TEST_WAIT_UNTIL (!ag_desktop_monitor_get_inhibiting (fixture->monitor));
  POLL_UNTIL (n_inhibitors (fixture) == 0);
  g_assert_cmpint (ag_guard_get_state (guard), !=, AG_GUARD_STATE_UNLOCKED);
  ag_test_close_window (window);
  g_assert_cmpuint (ag_desktop_monitor_get_n_lockers (fixture->monitor), ==, 0);
}

static void
test_application_monitor (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) guard = ag_guard_new (&error);
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (fixture->system_dir, NULL, NULL);
  g_autoptr (AgApplication) application = ag_application_new ();
  g_autoptr (GVariant) reply = NULL;
  g_autofree char *events = NULL;
  AgDesktopMonitor *monitor;
  AgWindow *window;

  /* The application's own monitor, on the buses of the environment: logind on ours. */
  g_assert_no_error (error);
  start_desktop (fixture);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", system_dbus.address, TRUE);
  g_assert_true (g_application_register (G_APPLICATION (application), NULL, &error));
  g_assert_no_error (error);
  ag_guard_set_clock (guard, fixture_clock, fixture);
  window = g_object_new (AG_TYPE_WINDOW, "application", application, "store-path",
                         fixture->store_path, "guard", guard, "policy-paths", paths, NULL);
  monitor = ag_application_get_desktop_monitor (application);
  AG_TEST_WAIT_UNTIL (ag_desktop_monitor_get_ready (monitor));
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");
  g_assert_cmpstr (ag_desktop_monitor_get_session_path (monitor), ==, SESSION_PATH "c1");
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  ag_test_sign_in (GTK_WIDGET (window), guard, 0);
  AG_TEST_WAIT_UNTIL (ag_window_get_state (window) == AG_WINDOW_STATE_READY);

  reply = ag_test_bus_call (fixture->system, LOGIND_NAME, SESSION_PATH "c1",
                            "org.freedesktop.login1.Session", "Lock", NULL, NULL);
  AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) == AG_GUARD_STATE_LOCKED);
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login lock:screen-lock ");

  ag_test_close_window (window);
}

/* The clipboard ------------------------------------------------------------------------- */

static void
read_text_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  char **text = user_data;
  g_autoptr (GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (object), result, &error);
  if (*text == NULL)
    *text = g_strdup ("");
}

/* The clipboard's text, "" when it has none. */
static char *
read_text (GdkClipboard *clipboard)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, read_text_cb, &text);
  AG_TEST_WAIT_UNTIL (text != NULL);
  return text;
}

static void
read_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GInputStream **stream = user_data;
  g_autoptr (GError) error = NULL;

  *stream = gdk_clipboard_read_finish (GDK_CLIPBOARD (object), result, NULL, &error);
  g_assert_no_error (error);
}

static void
splice_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  gboolean *done = user_data;
  g_autoptr (GError) error = NULL;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, &error);
  g_assert_no_error (error);
  *done = TRUE;
}

/* What the clipboard offers as @mime_type; read without blocking, since a local clipboard
 * writes from this same main loop. */
static char *
read_mime_type (GdkClipboard *clipboard, const char *mime_type)
{
  const char *mime_types[] = { mime_type, NULL };
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GOutputStream) out = g_memory_output_stream_new_resizable ();
  gboolean done = FALSE;

  gdk_clipboard_read_async (clipboard, mime_types, G_PRIORITY_DEFAULT, NULL, read_cb, &stream);
  AG_TEST_WAIT_UNTIL (stream != NULL);
  g_output_stream_splice_async (
    out, stream, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE | G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
    G_PRIORITY_DEFAULT, NULL, splice_cb, &done);
  AG_TEST_WAIT_UNTIL (done);
  return g_strndup (g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)),
                    g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)));
}

static guint n_c_keys;

static gboolean
count_c_cb (GtkEventControllerKey *controller, guint keyval, guint keycode, GdkModifierType state,
            gpointer user_data)
{
  if (keyval == GDK_KEY_c && (state & GDK_CONTROL_MASK) != 0)
    n_c_keys++;
  return GDK_EVENT_PROPAGATE;
}

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

/* Runs the xdotool @command (windowfocus, windowminimize…) on @window's X11 window. */
static void
xdotool_window (const char *command, GtkWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_autofree char *arguments = NULL;

  g_assert_true (GDK_IS_X11_SURFACE (surface));
  arguments
    = g_strdup_printf ("%s --sync %lu", command, (gulong) gdk_x11_surface_get_xid (surface));
  xdotool (arguments);
}

static void
test_clipboard_deny (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  AgRecordPage *page = open_customer (window, fixture, 2);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  GtkWidget *label = ag_test_find_type (GTK_WIDGET (row), AG_TYPE_MASKED_LABEL);
  GtkWidget *copy_button;
  GtkEventController *controller;
  g_autofree char *text = NULL;

  /* The built-in default is deny. */
  g_assert_cmpuint (
    ag_policy_get_clipboard_clear (ag_guard_get_policy (ag_window_get_guard (window))), ==, 0);
  gdk_clipboard_set_text (clipboard, "the agent's own text");
  reveal_field (row);
  g_assert_true (ag_masked_label_get_revealed (AG_MASKED_LABEL (label)));

  /* No copy button, no copy action, nothing to select. */
  g_assert_false (ag_field_row_get_can_copy (row));
  copy_button = find_button_labelled (GTK_WIDGET (row), "Copy");
  g_assert_true (copy_button == NULL || !gtk_widget_get_visible (copy_button));
  g_assert_false (gtk_widget_activate_action (label, "clipboard.copy", NULL));
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (row), "clipboard.copy", NULL));
  g_assert_false (GTK_IS_LABEL (label));
  g_assert_null (ag_test_find_type (label, GTK_TYPE_LABEL));

  /* Ctrl+C, typed for real on the focused row: it arrives and copies nothing. */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (count_c_cb), NULL);
  gtk_widget_add_controller (GTK_WIDGET (window), controller);
  n_c_keys = 0;
  gtk_widget_grab_focus (GTK_WIDGET (row));
  xdotool ("key ctrl+c");
  AG_TEST_WAIT_UNTIL (n_c_keys > 0);
  ag_test_spin ();
  text = read_text (clipboard);
  g_assert_cmpstr (text, ==, "the agent's own text");
  g_assert_false (ag_secret_clipboard_holds_copy (clipboard));

  ag_test_close_window (window);
}

static void
test_clipboard_allow (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  AgRecordPage *page = open_customer (window, fixture, 3);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  g_autofree char *formatted
    = ag_pii_format (AG_PII_KIND_CPF, value_of (fixture, 3, AG_PII_KIND_CPF));
  GtkWidget *copy_button;
  g_autofree char *text = NULL;
  g_autofree char *hint = NULL;
  GdkContentFormats *formats;

  g_assert_cmpuint (ag_policy_get_clipboard_clear (ag_guard_get_policy (guard)), ==, 1);
  /* No copy while masked. */
  copy_button = find_button_labelled (GTK_WIDGET (row), "Copy");
  g_assert_nonnull (copy_button);
  g_assert_false (gtk_widget_get_visible (copy_button));

  reveal_field (row);
  g_assert_true (ag_field_row_get_can_copy (row));
  g_assert_true (gtk_widget_get_mapped (copy_button));
  gtk_test_accessible_assert_property (copy_button, GTK_ACCESSIBLE_PROPERTY_LABEL,
                                       "Copy CPF for a short while");
  /* Alt+C, the button's access key, typed for real. */
  ag_test_press_keys (GTK_WINDOW (window), "alt+c");
  AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));

  /* The value as the agent reads it, with the hint that keeps it out of histories. */
  g_assert_true (ag_secret_clipboard_holds_copy (clipboard));
  formats = gdk_clipboard_get_formats (clipboard);
  g_assert_true (gdk_content_formats_contain_mime_type (formats, "text/plain;charset=utf-8"));
  g_assert_true (gdk_content_formats_contain_mime_type (formats, "x-kde-passwordManagerHint"));
  text = read_text (clipboard);
  g_assert_cmpstr (text, ==, formatted);
  hint = read_mime_type (clipboard, "x-kde-passwordManagerHint");
  g_assert_cmpstr (hint, ==, "secret");

  /* N seconds later it is gone. */
  AG_TEST_WAIT_UNTIL (!ag_secret_clipboard_holds_copy (clipboard));
  g_assert_null (gdk_clipboard_get_content (clipboard));
  g_clear_pointer (&text, g_free);
  text = read_text (clipboard);
  g_assert_cmpstr (text, ==, "");

  /* Copied again, then locked: gone at once. */
  g_signal_emit_by_name (copy_button, "clicked");
  AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL));
  g_assert_false (ag_secret_clipboard_holds_copy (clipboard));
  g_assert_null (gdk_clipboard_get_content (clipboard));

  /* What the agent copied since is not ours to clear. */
  ag_test_sign_in (GTK_WIDGET (window), guard, 1);
  AG_TEST_WAIT_UNTIL (
    (page = AG_RECORD_PAGE (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE))) != NULL
    && ag_record_page_get_record (page) != NULL);
  ag_test_spin ();
  row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  reveal_field (row);
  g_signal_emit_by_name (find_button_labelled (GTK_WIDGET (row), "Copy"), "clicked");
  AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));
  gdk_clipboard_set_text (clipboard, "the agent's own text");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL));
  g_clear_pointer (&text, g_free);
  text = read_text (clipboard);
  g_assert_cmpstr (text, ==, "the agent's own text");

  ag_test_close_window (window);
}

/* The window's open "Not Copied" message, or NULL. */
static GtkWindow *
find_not_copied (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (window) && gtk_widget_get_mapped (GTK_WIDGET (window))
          && g_strcmp0 (adw_message_dialog_get_heading (ADW_MESSAGE_DIALOG (window)), "Not Copied")
               == 0)
        return window;
    }
  return NULL;
}

/* With clipboard=allow-with-clear:N the copy goes at whichever comes first: N seconds
 * (test_clipboard_allow), the reveal's end (Hide Now, its expiry, another record) or a
 * lock. Each copy is ledgered `copy` before it is offered. */
static void
test_clipboard_clear_with_reveal (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  AgRecordPage *page = open_customer (window, fixture, 3);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  g_autofree char *events = NULL;
  g_autofree char *text = NULL;
  AgReveal *reveal;

  g_assert_cmpuint (ag_policy_get_clipboard_clear (ag_guard_get_policy (guard)), ==, 300);

  /* Hide Now: the copy goes with the value. */
  reveal_field (row);
  ag_test_press_keys (GTK_WINDOW (window), "alt+c");
  AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));
  ag_test_press_keys (GTK_WINDOW (window), "alt+h");
  g_assert_null (ag_field_row_get_reveal (row));
  g_assert_false (ag_secret_clipboard_holds_copy (clipboard));
  g_assert_null (gdk_clipboard_get_content (clipboard));

  /* The reveal's expiry, long before the 300 s. */
  reveal = reveal_field (row);
  ag_test_press_keys (GTK_WINDOW (window), "alt+c");
  AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));
  fixture->now = ag_reveal_get_expires_at (reveal);
  ag_guard_process_time (guard);
  g_assert_false (ag_secret_clipboard_holds_copy (clipboard));
  text = read_text (clipboard);
  g_assert_cmpstr (text, ==, "");

  /* Another record. */
  reveal_field (row);
  ag_test_press_keys (GTK_WINDOW (window), "alt+c");
  AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));
  page = open_customer (window, fixture, 4);
  g_assert_false (ag_secret_clipboard_holds_copy (clipboard));
  g_assert_null (gdk_clipboard_get_content (clipboard));

  /* Each copy was ledgered before it was offered, with the seconds it may stay. */
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==,
                   "login reveal copy:clear-after:300 remask:hidden reveal copy:clear-after:300 "
                   "remask:expired reveal copy:clear-after:300 remask:record-changed ");

  ag_test_close_window (window);
}

/* A clipboard manager keeps what it takes off the clipboard: while one owns the X11
 * CLIPBOARD_MANAGER selection (here a real owner, tests/selection-owner.c), a copy is
 * refused with a message and nothing is ledgered or offered. */
static void
test_clipboard_manager (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
  AgRecordPage *page = open_customer (window, fixture, 5);
  AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
  const char *argv[] = { g_getenv ("AG_SELECTION_OWNER"), "CLIPBOARD_MANAGER", NULL };
  g_autoptr (GSubprocess) owner = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *line = NULL;
  g_autofree char *events = NULL;
  g_autofree char *text = NULL;
  GtkWindow *message;

  g_assert_nonnull (argv[0]);
  g_assert_false (ag_secret_clipboard_has_manager (display));
  owner = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (owner));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "owned");
  g_assert_true (ag_secret_clipboard_has_manager (display));

  gdk_clipboard_set_text (clipboard, "the agent's own text");
  reveal_field (row);
  ag_test_press_keys (GTK_WINDOW (window), "alt+c");
  AG_TEST_WAIT_UNTIL ((message = find_not_copied ()) != NULL);
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (message)),
                                   "A clipboard manager is running on this desktop."));
  g_assert_false (ag_secret_clipboard_holds_copy (clipboard));
  text = read_text (clipboard);
  g_assert_cmpstr (text, ==, "the agent's own text");
  ag_test_press_keys (message, "Escape");
  AG_TEST_WAIT_UNTIL (find_not_copied () == NULL);

  /* The manager gone, the copy works. */
  g_subprocess_force_exit (owner);
  g_subprocess_wait (owner, NULL, NULL);
  AG_TEST_WAIT_UNTIL (!ag_secret_clipboard_has_manager (display));
  ag_test_press_keys (GTK_WINDOW (window), "alt+c");
  AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal copy:clear-after:300 ");

  ag_test_close_window (window);
}

/* Accessibility ------------------------------------------------------------------------- */

#define A11Y_APP_NAME "ag-test-side-channels"

typedef struct
{
  gboolean done;
  int status;
  char *out;
} Driver;

static void
driver_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  Driver *driver = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (object), result, &driver->out, NULL, &error);
  g_assert_no_error (error);
  driver->status = g_subprocess_get_exit_status (G_SUBPROCESS (object));
  driver->done = TRUE;
}

/* How many accessible objects of this process hold each of @needles, as an assistive
 * technology sees them over AT-SPI (tests/a11y-count.py). The main loop runs meanwhile:
 * it is what answers. */
static void
count_in_a11y_tree (const char *const *needles, guint *counts)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "a11y-count.py", NULL);
  guint n = g_strv_length ((char **) needles);

  for (guint attempt = 0;; attempt++)
    {
      g_autoptr (GPtrArray) argv = g_ptr_array_new ();
      g_autoptr (GSubprocess) process = NULL;
      g_autoptr (GError) error = NULL;
      g_auto (GStrv) fields = NULL;
      Driver driver = { 0 };

      g_ptr_array_add (argv, (char *) AG_TEST_PYTHON);
      g_ptr_array_add (argv, script);
      g_ptr_array_add (argv, (char *) A11Y_APP_NAME);
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (argv, (char *) needles[i]);
      g_ptr_array_add (argv, NULL);
      process = g_subprocess_newv ((const char *const *) argv->pdata,
                                   G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8_async (process, NULL, NULL, driver_done_cb, &driver);
      AG_TEST_WAIT_UNTIL (driver.done);
      if (driver.status == 2)
        {
          g_assert_cmpuint (attempt, <, 100);
          /* Not registered on the accessibility bus yet. */
          g_free (driver.out);
          g_usleep (50000);
          ag_test_spin ();
          continue;
        }
      g_assert_cmpint (driver.status, ==, 0);
      fields = g_strsplit (g_strstrip (driver.out), " ", -1);
      g_free (driver.out);
      g_assert_cmpuint (g_strv_length (fields), ==, n);
      for (guint i = 0; i < n; i++)
        counts[i] = (guint) g_ascii_strtoull (fields[i], NULL, 10);
      return;
    }
}

/* Turns the accessibility bus's ScreenReaderEnabled on or off, as a screen reader does
 * when it starts and stops (at-spi-bus-launcher keeps it in the private HOME's dconf). */
static void
set_screen_reader (gboolean enabled)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (bus);
  reply = g_dbus_connection_call_sync (
    bus, "org.a11y.Bus", "/org/a11y/bus", "org.freedesktop.DBus.Properties", "Set",
    g_variant_new ("(ssv)", "org.a11y.Status", "ScreenReaderEnabled",
                   g_variant_new_boolean (enabled)),
    NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
  g_assert_no_error (error);
}

static void
test_a11y_tree (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 4);
  const char *cpf = value_of (fixture, 4, AG_PII_KIND_CPF);
  const char *phone = value_of (fixture, 4, AG_PII_KIND_PHONE);
  g_autofree char *cpf_formatted = ag_pii_format (AG_PII_KIND_CPF, cpf);
  g_autofree char *phone_formatted = ag_pii_format (AG_PII_KIND_PHONE, phone);
  const char *needles[] = { cpf,
                            cpf_formatted,
                            phone,
                            phone_formatted,
                            "CPF, hidden",
                            "Hidden to protect the customer",
                            "CPF, revealed",
                            NULL };
  AgA11yStatus *status = ag_a11y_status_get_default ();
  guint counts[G_N_ELEMENTS (needles) - 1];

  g_assert_true (
    ag_policy_kind_is_masked (ag_guard_get_policy (ag_window_get_guard (window)), AG_PII_KIND_CPF));
  g_assert_true (ag_policy_kind_is_masked (ag_guard_get_policy (ag_window_get_guard (window)),
                                           AG_PII_KIND_PHONE));

  /* Masked: the fields are in the tree, named and described as hidden, without values. */
  count_in_a11y_tree (needles, counts);
  g_assert_cmpuint (counts[0], ==, 0);
  g_assert_cmpuint (counts[1], ==, 0);
  g_assert_cmpuint (counts[2], ==, 0);
  g_assert_cmpuint (counts[3], ==, 0);
  g_assert_cmpuint (counts[4], >=, 1);
  g_assert_cmpuint (counts[5], >=, 2);

  /* Revealed without a screen reader: named as revealed, the value stays out of the tree
   * (GTK would broadcast it and keep it in freed memory). */
  reveal_field (ag_test_find_field_row (page, AG_PII_KIND_CPF));
  ag_test_spin ();
  g_assert_false (ag_a11y_status_get_screen_reader (status));
  count_in_a11y_tree (needles, counts);
  g_assert_cmpuint (counts[0], ==, 0);
  g_assert_cmpuint (counts[1], ==, 0);
  g_assert_cmpuint (counts[4], ==, 0);
  g_assert_cmpuint (counts[6], >=, 1);

  /* A screen reader starts (it sets ScreenReaderEnabled on the accessibility bus, as
   * Orca does): the CPF is there to be read out, the phone still is not. */
  set_screen_reader (TRUE);
  AG_TEST_WAIT_UNTIL (ag_a11y_status_get_screen_reader (status));
  ag_test_spin ();
  count_in_a11y_tree (needles, counts);
  g_assert_cmpuint (counts[1], >=, 1);
  g_assert_cmpuint (counts[2], ==, 0);
  g_assert_cmpuint (counts[3], ==, 0);
  g_assert_cmpuint (counts[4], ==, 0);

  /* It stops: the value leaves the name at once, the field still revealed. */
  set_screen_reader (FALSE);
  AG_TEST_WAIT_UNTIL (!ag_a11y_status_get_screen_reader (status));
  ag_test_spin ();
  g_assert_nonnull (ag_field_row_get_reveal (ag_test_find_field_row (page, AG_PII_KIND_CPF)));
  count_in_a11y_tree (needles, counts);
  g_assert_cmpuint (counts[1], ==, 0);
  g_assert_cmpuint (counts[6], >=, 1);

  /* Locked: gone, with the fields themselves. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.lock", NULL));
  ag_test_spin ();
  count_in_a11y_tree (needles, counts);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    g_assert_cmpuint (counts[i], ==, 0);

  ag_test_close_window (window);
}

/* A scripted session, scanned for leaks ----------------------------------------------------- */

/* Every masked value of customer @index, raw and as ag_pii_format() writes it. */
static GPtrArray *
leak_needles (Fixture *fixture, guint index, AgPolicy *policy)
{
  AgCustomerData *customer = g_ptr_array_index (fixture->customers, index);
  GPtrArray *needles = g_ptr_array_new_with_free_func (g_free);

  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      if (customer->values[kind] == NULL || !ag_policy_kind_is_masked (policy, kind))
        continue;
      g_ptr_array_add (needles, g_strdup (customer->values[kind]));
      g_ptr_array_add (needles, ag_pii_format (kind, customer->values[kind]));
    }
  g_assert_cmpuint (needles->len, >=, 4);
  return needles;
}

/* Scans every file under @dir for @needles; returns how many files it read. */
static guint
scan_files (const char *dir, GPtrArray *needles)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  if (handle == NULL)
    return 0;
  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          n += scan_files (path, needles);
          continue;
        }
      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      n++;
      for (guint i = 0; i < needles->len; i++)
        if (memmem (contents, length, g_ptr_array_index (needles, i),
                    strlen (g_ptr_array_index (needles, i)))
            != NULL)
          g_error ("A file the session wrote holds a customer's value: %s", path);
    }
  return n;
}

/* For a child process: the system's data and config folders, where it finds icons' mime
 * types. */
static void
restore_system_dirs (void)
{
  if (system_data_dirs != NULL)
    g_setenv ("XDG_DATA_DIRS", system_data_dirs, TRUE);
  else
    g_unsetenv ("XDG_DATA_DIRS");
  if (system_config_dirs != NULL)
    g_setenv ("XDG_CONFIG_DIRS", system_config_dirs, TRUE);
  else
    g_unsetenv ("XDG_CONFIG_DIRS");
}

/* In a child process (so that its whole stdout and stderr can be scanned) with
 * G_MESSAGES_DEBUG=all (main() sets it): sign in, search (by the CPF the caller gives, then by id),
 * reveal two fields, get the idle warning and the idle lock (the guard's injected clock), close.
 * Then its stdout, stderr, the notifications it sent and every file under its HOME and
 * XDG folders must hold none of the customer's values. */
static void
test_leak_scan (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *log_path = NULL;
  g_autofree char *notifications = NULL;
  g_autoptr (GPtrArray) needles = NULL;
  g_autoptr (AgPolicy) policy = ag_policy_new_default ();
  AgTestNotifyDaemon *daemon;

  needles = leak_needles (fixture, 5, policy);

  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (AgGuard) guard = ag_guard_new (&error);
      g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (fixture->system_dir, NULL, NULL);
      g_autoptr (AgNotifier) notifier = ag_notifier_new ();
      /* The private HOME and XDG folders, and the store's folder: its ledger is written by
       * the session, and its values are sealed. */
      const char *dirs[]
        = { g_get_home_dir (),       g_get_user_config_dir (), g_get_user_data_dir (),
            g_get_user_cache_dir (), g_get_user_state_dir (),  fixture->dir };
      AgCustomerData *customer = g_ptr_array_index (fixture->customers, 5);
      AgWindow *window;
      AgRecordPage *page;
      GtkWidget *search;
      guint n_files = 0;
      gint64 deadline;

      g_assert_no_error (error);
      ag_guard_set_clock (guard, fixture_clock, fixture);
      window = g_object_new (AG_TYPE_WINDOW, "store-path", fixture->store_path, "guard", guard,
                             "policy-paths", paths, "notifier", notifier, NULL);
      gtk_window_present (GTK_WINDOW (window));
      AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
      ag_test_sign_in (GTK_WIDGET (window), guard, 0);
      AG_TEST_WAIT_UNTIL (ag_window_get_state (window) == AG_WINDOW_STATE_READY);

      /* The agent types the caller's CPF into the search. */
      search = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
      gtk_editable_set_text (GTK_EDITABLE (search), customer->values[AG_PII_KIND_CPF]);
      AG_TEST_WAIT_UNTIL (
        g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (gtk_widget_get_ancestor (
                     ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_LIST_BOX), GTK_TYPE_STACK))),
                   "searching")
        != 0);
      ag_test_spin ();

      page = open_customer (window, fixture, 5);
      reveal_field (ag_test_find_field_row (page, AG_PII_KIND_CPF));
      reveal_field (ag_test_find_field_row (page, AG_PII_KIND_PHONE));

      /* Idle: the warning, then the lock, on the guard's clock. */
      deadline = ag_guard_get_idle_deadline (guard);
      fixture->now = deadline - 10 * G_USEC_PER_SEC;
      ag_guard_process_time (guard);
      g_assert_true (ag_guard_get_warning (guard));
      ag_test_spin ();
      fixture->now = deadline;
      ag_guard_process_time (guard);
      g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_LOCKED);
      ag_test_spin ();
      ag_notifier_flush (notifier);

      /* Closed as the agent closes it (the window keeps its size in GSettings, the memory
       * backend here). */
      gtk_window_close (GTK_WINDOW (window));
      AG_TEST_WAIT_UNTIL (ag_guard_get_n_running (guard) == 0);
      ag_test_spin ();

      for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
        n_files += scan_files (dirs[i], needles);
      /* At least the store: the scan looked at something. */
      g_assert_cmpuint (n_files, >, 0);
      g_print ("session done, %u files scanned\n", n_files);
      return;
    }

  log_path = g_build_filename (fixture->dir, "notifications.log", NULL);
  daemon = ag_test_notify_daemon_start (log_path);
  restore_system_dirs ();
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stdout ("*session done*");
  /* The debug messages were on: there was something to scan. */
  g_test_trap_assert_stdout ("*ag-guard-DEBUG*");
  for (guint i = 0; i < needles->len; i++)
    {
      g_autofree char *pattern = g_strdup_printf ("*%s*", (char *) g_ptr_array_index (needles, i));

      g_test_trap_assert_stdout_unmatched (pattern);
      g_test_trap_assert_stderr_unmatched (pattern);
    }

  /* The warning and the idle lock were notified, without any value. */
  notifications = ag_test_notify_daemon_read_log (daemon);
  g_assert_cmpuint (ag_test_notify_daemon_count (daemon, "Notify", NULL), >=, 2);
  ag_test_notify_daemon_stop (daemon);
  for (guint i = 0; i < needles->len; i++)
    g_assert_null (strstr (notifications, g_ptr_array_index (needles, i)));
}

/* The process's memory after a re-mask ----------------------------------------------- */

/* The needles travel to the child and live in it only XORed with this byte, so that the
 * scan cannot find its own copy: the child never holds a value in clear but through the
 * reveal under test. */
#define NEEDLE_KEY 0x5a

static char *
obscure_hex (const char *needle)
{
  GString *hex = g_string_new (NULL);

  for (const char *c = needle; *c != '\0'; c++)
    g_string_append_printf (hex, "%02x", (guint8) (*c ^ NEEDLE_KEY));
  return g_string_free (hex, FALSE);
}

static GBytes *
unhex (const char *hex)
{
  gsize len = strlen (hex) / 2;
  guint8 *data = g_malloc (len);

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) g_ascii_xdigit_value (hex[2 * i]) << 4
              | (guint8) g_ascii_xdigit_value (hex[2 * i + 1]);
  return g_bytes_new_take (data, len);
}

/* How often the obscured @needle occurs in @data, compared byte by byte through the key. */
static guint
count_obscured (const guint8 *data, gsize len, GBytes *needle)
{
  gsize n_len;
  const guint8 *n = g_bytes_get_data (needle, &n_len);
  guint count = 0;

  for (gsize i = 0; i + n_len <= len; i++)
    {
      gsize j = 0;

      while (j < n_len && (data[i + j] ^ NEEDLE_KEY) == n[j])
        j++;
      if (j == n_len)
        count++;
    }
  return count;
}

#define SCAN_CHUNK (1024 * 1024)

/* Reads every writable private mapping of this process (heap, stacks, anonymous maps,
 * libraries' data) through /proc/self/mem and counts each needle in it. The reading
 * buffer is a mapping of its own, left out of the scan and wiped after. */
static void
scan_own_memory (GPtrArray *needles, guint *counts, gsize *scanned)
{
  g_autofree char *maps = NULL;
  g_auto (GStrv) lines = NULL;
  guint8 *buffer;
  int fd;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  buffer = mmap (NULL, SCAN_CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  g_assert_true (buffer != MAP_FAILED);
  fd = open ("/proc/self/mem", O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (fd, >=, 0);
  *scanned = 0;

  for (guint l = 0; lines[l] != NULL; l++)
    {
      guint64 start, end;
      char perms[5] = { 0 };

      if (sscanf (lines[l], "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x %4s", &start, &end,
                  perms)
            != 3
          || perms[0] != 'r' || perms[1] != 'w' || perms[3] != 'p')
        continue;
      /* Chunks that overlap by a needle's length, so no match falls between two. */
      for (guint64 at = start; at < end;)
        {
          gsize want = (gsize) MIN (end - at, SCAN_CHUNK);
          ssize_t got = pread (fd, buffer, want, (off_t) at);

          if (got <= 0)
            break;
          *scanned += (gsize) got;
          for (guint i = 0; i < needles->len; i++)
            counts[i] += count_obscured (buffer, (gsize) got, g_ptr_array_index (needles, i));
          if (at + (guint64) got >= end)
            break;
          at += (guint64) MAX (got - 32, 1);
        }
    }
  close (fd);
  explicit_bzero (buffer, SCAN_CHUNK);
  munmap (buffer, SCAN_CHUNK);
}

/* The child of test_memory_after_remask gets the store, its policy and the customer from
 * the parent, not from a fixture of its own (which would hold the values in clear). */
static void
memory_set_up (Fixture *fixture, gconstpointer user_data)
{
  if (!g_test_subprocess ())
    {
      fixture_set_up (fixture, user_data);
      return;
    }
  ag_test_pam_write_stack (NULL);
  fixture->dir = g_strdup (g_getenv ("AG_TEST_MEMORY_DIR"));
  fixture->store_path = g_build_filename (fixture->dir, "store.db", NULL);
  fixture->system_dir = g_build_filename (fixture->dir, "system", NULL);
  fixture->now = g_get_real_time ();
}

static void
memory_tear_down (Fixture *fixture, gconstpointer user_data)
{
  if (!g_test_subprocess ())
    {
      fixture_tear_down (fixture, user_data);
      return;
    }
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->store_path, g_free);
  g_clear_pointer (&fixture->system_dir, g_free);
}

/* Reveal, copy, wait for the re-mask: then no copy of the value is left anywhere in the
 * process's memory, raw or formatted (issue 19). The child reveals the CPF through the
 * dialog, copies it to the clipboard, and lets it expire on the guard's clock; then it
 * reads its own memory. */
static void
test_memory_after_remask (Fixture *fixture, gconstpointer user_data)
{
#if defined(__SANITIZE_ADDRESS__)
  /* The sanitizer's shadow and quarantine are terabytes of mappings to scan, and its
   * allocator keeps freed memory in quarantine anyway; the development build runs this. */
  g_test_skip ("a memory scan under AddressSanitizer scans its shadow memory");
  return;
#endif
  if (g_test_subprocess ())
    {
      g_auto (GStrv) hex = g_strsplit (g_getenv ("AG_TEST_MEMORY_NEEDLES"), ",", -1);
      g_autoptr (GPtrArray) needles
        = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
      AgWindow *window = open_window (fixture);
      AgGuard *guard = ag_window_get_guard (window);
      GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (window));
      AgRecordPage *page = ag_test_open_customer (window, g_getenv ("AG_TEST_MEMORY_RECORD"));
      AgFieldRow *row = ag_test_find_field_row (page, AG_PII_KIND_CPF);
      g_autofree guint *counts = NULL;
      gint64 expires_at;
      gsize scanned;

      for (guint i = 0; hex[i] != NULL; i++)
        g_ptr_array_add (needles, unhex (hex[i]));
      counts = g_new0 (guint, needles->len);

      /* The scan finds a value where there is one: while it is shown. */
      expires_at = ag_reveal_get_expires_at (reveal_field (row));
      ag_test_spin ();
      scan_own_memory (needles, counts, &scanned);
      g_assert_cmpuint (counts[0] + counts[1], >, 0);
      memset (counts, 0, needles->len * sizeof *counts);

      ag_test_press_keys (GTK_WINDOW (window), "alt+c");
      AG_TEST_WAIT_UNTIL (ag_secret_clipboard_holds_copy (clipboard));
      fixture->now = expires_at;
      ag_guard_process_time (guard);
      g_assert_null (ag_field_row_get_reveal (row));
      g_assert_false (ag_secret_clipboard_holds_copy (clipboard));
      /* Redrawn masked, and what a frame or two keeps let go. */
      for (guint i = 0; i < 3; i++)
        {
          gtk_widget_queue_draw (GTK_WIDGET (window));
          ag_test_spin ();
        }

      scan_own_memory (needles, counts, &scanned);
      g_assert_cmpuint (scanned, >, 1024 * 1024);
      for (guint i = 0; i < needles->len; i++)
        if (counts[i] > 0)
          g_error ("%u copies of value %u are in the memory after the re-mask", counts[i], i);
      g_print ("memory scanned: %" G_GSIZE_FORMAT " bytes\n", scanned);
      ag_test_close_window (window);
      return;
    }
  else
    {
      AgCustomerData *customer = g_ptr_array_index (fixture->customers, 8);
      const char *cpf = value_of (fixture, 8, AG_PII_KIND_CPF);
      g_autofree char *formatted = ag_pii_format (AG_PII_KIND_CPF, cpf);
      g_autofree char *raw_hex = obscure_hex (cpf);
      g_autofree char *formatted_hex = obscure_hex (formatted);
      g_autofree char *hex = g_strdup_printf ("%s,%s", formatted_hex, raw_hex);

      g_setenv ("AG_TEST_MEMORY_DIR", fixture->dir, TRUE);
      g_setenv ("AG_TEST_MEMORY_RECORD", customer->id, TRUE);
      g_setenv ("AG_TEST_MEMORY_NEEDLES", hex, TRUE);
      restore_system_dirs ();
      /* Freed memory as the app leaves it: meson's MALLOC_PERTURB_ would overwrite it. */
      g_unsetenv ("MALLOC_PERTURB_");
#if !defined(__SANITIZE_ADDRESS__)
      /* And kept: free() frees nothing in the child, so an unwiped copy that was freed is
       * still there for the scan, not reused by chance. (The sanitizer build has its own
       * allocator, which must come first.) */
      g_assert_nonnull (g_getenv ("AG_KEEP_FREED"));
      g_setenv ("LD_PRELOAD", g_getenv ("AG_KEEP_FREED"), TRUE);
#endif
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_unsetenv ("LD_PRELOAD");
      g_test_trap_assert_passed ();
      g_test_trap_assert_stdout ("*memory scanned*");
    }
}

/* Focus loss --------------------------------------------------------------------------- */

static void
reveal_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  AgReveal **reveal = user_data;
  g_autoptr (GError) error = NULL;

  *reveal = ag_guard_reveal_finish (AG_GUARD (object), result, &error);
  g_assert_no_error (error);
}

/* Gives @window the X input focus, as a click on it would. */
static void
focus_window (GtkWindow *window)
{
  xdotool_window ("windowfocus", window);
  AG_TEST_WAIT_UNTIL (gtk_window_is_active (window));
}

static void
test_focus_loss (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  AgCustomerData *customer = g_ptr_array_index (fixture->customers, 6);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgGuard) other_guard = ag_guard_new (&error);
  g_autofree char *events = NULL;
  AgReveal *reveal = NULL;
  GtkWidget *other;

  g_assert_no_error (error);
  g_assert_true (ag_policy_get_remask_on_focus_loss (ag_guard_get_policy (guard)));
  open_customer (window, fixture, 6);
  focus_window (GTK_WINDOW (window));

  ag_guard_reveal_async (guard, customer->id, AG_PII_KIND_CPF, "identity-check", NULL, NULL,
                         reveal_done_cb, &reveal);
  AG_TEST_WAIT_UNTIL (reveal != NULL);
  g_assert_true (ag_reveal_get_active (reveal));

  /* Another window, not of this session (another main window, with its own guard), takes
   * the focus, as another application would. */
  other
    = g_object_new (AG_TYPE_WINDOW, "store-path", fixture->store_path, "guard", other_guard, NULL);
  gtk_window_present (GTK_WINDOW (other));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (other));
  focus_window (GTK_WINDOW (other));
  g_assert_false (gtk_window_is_active (GTK_WINDOW (window)));

  AG_TEST_WAIT_UNTIL (!ag_reveal_get_active (reveal));
  g_assert_null (ag_reveal_get_value (reveal));
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_UNLOCKED);
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:focus-loss ");

  g_clear_object (&reveal);
  gtk_window_destroy (GTK_WINDOW (other));
  ag_test_close_window (window);
}

/* The reveal dialog closing leaves no window of ours focused until the window manager
 * gives the focus back to the main window. That may take a while on a busy machine, and
 * must not re-mask the value just revealed: the app waits a second for it. And a closed
 * dialog never says that it lost the focus: the app must check all the same. Xvfb alone
 * has no window manager, so here the focus never comes back and the value goes, but only
 * a second after the dialog went. */
static void
dialog_unmapped_cb (GtkWidget *dialog, gint64 *unmapped_at)
{
  *unmapped_at = g_get_monotonic_time ();
}

static void
toplevel_added_cb (GListModel *toplevels, guint position, guint removed, guint added,
                   gint64 *unmapped_at)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (AG_IS_REVEAL_DIALOG (window))
        g_signal_connect (window, "unmap", G_CALLBACK (dialog_unmapped_cb), unmapped_at);
    }
}

static void
test_focus_loss_dialog_closing (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgRecordPage *page = open_customer (window, fixture, 7);
  GListModel *toplevels = gtk_window_get_toplevels ();
  g_autofree char *events = NULL;
  gint64 unmapped_at = 0;
  AgReveal *reveal;

  g_assert_true (
    ag_policy_get_remask_on_focus_loss (ag_guard_get_policy (ag_window_get_guard (window))));
  focus_window (GTK_WINDOW (window));
  g_signal_connect (toplevels, "items-changed", G_CALLBACK (toplevel_added_cb), &unmapped_at);
  reveal = g_object_ref (reveal_field (ag_test_find_field_row (page, AG_PII_KIND_CPF)));
  g_signal_handlers_disconnect_by_data (toplevels, &unmapped_at);
  g_assert_cmpint (unmapped_at, >, 0);
  g_assert_false (gtk_window_is_active (GTK_WINDOW (window)));

  AG_TEST_WAIT_UNTIL (!ag_reveal_get_active (reveal));
  /* Not within the 200 ms a dialog opening has, but a second after the dialog went (less
   * the moment between the app's handler of that signal and the test's). */
  g_assert_cmpint (g_get_monotonic_time () - unmapped_at, >=, 990 * 1000);
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:focus-loss ");

  g_object_unref (reveal);
  ag_test_close_window (window);
}

/* Minimising (run-test.sh --wm: openbox, a real EWMH window manager) -------------------- */

static gboolean
is_minimised (GtkWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  return (gdk_toplevel_get_state (GDK_TOPLEVEL (surface)) & GDK_TOPLEVEL_STATE_MINIMIZED) != 0;
}

/* Asks the window manager to minimise @window, as its title-bar button or a desktop
 * shortcut does (an ICCCM WM_CHANGE_STATE message to the root window). */
static void
minimise (GtkWindow *window)
{
  xdotool_window ("windowminimize", window);
}

/* A signed-in window on customer @index with its CPF revealed: returns the reveal (a
 * reference of its own) and the page. */
static AgReveal *
open_with_cpf_revealed (Fixture *fixture, guint index, AgWindow **window, AgRecordPage **page)
{
  *window = open_window (fixture);
  *page = open_customer (*window, fixture, index);
  return g_object_ref (reveal_field (ag_test_find_field_row (*page, AG_PII_KIND_CPF)));
}

static void
test_minimise_locks (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window;
  AgRecordPage *page;
  AgReveal *reveal = open_with_cpf_revealed (fixture, 2, &window, &page);
  AgGuard *guard = ag_window_get_guard (window);
  g_autofree char *events = NULL;

  g_assert_true (ag_policy_get_lock_on_minimise (ag_guard_get_policy (guard)));
  g_object_add_weak_pointer (G_OBJECT (page), (gpointer *) &page);

  minimise (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) == AG_GUARD_STATE_LOCKED);
  g_assert_true (is_minimised (GTK_WINDOW (window)));
  /* The value is wiped and the record page destroyed, not covered. */
  g_assert_false (ag_reveal_get_active (reveal));
  g_assert_null (ag_reveal_get_value (reveal));
  AG_TEST_WAIT_UNTIL (page == NULL);
  g_assert_null (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_MASKED_LABEL));
  AG_TEST_WAIT_UNTIL (ag_guard_get_n_running (guard) == 0);
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:lock lock:minimise ");
  /* Nobody sees a minimised window's lock page: no sign-in waits there. */
  ag_test_spin ();
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_LOCKED);

  /* Back on screen, it is the lock page: both factors again, the password entry waiting
   * for the first key. */
  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (!is_minimised (GTK_WINDOW (window)));
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_LOCKED);
  g_assert_nonnull (ag_test_find_lock_page (GTK_WIDGET (window)));
  g_assert_true (gtk_widget_get_mapped (ag_test_find_lock_page (GTK_WIDGET (window))));
  g_assert_nonnull (
    ag_test_find_label (GTK_WIDGET (window), "Locked when the window was minimized", TRUE));
  AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) == AG_GUARD_STATE_AUTHENTICATING
                      && ag_test_focused_prompt (ag_test_find_lock_page (GTK_WIDGET (window)))
                           != NULL);

  g_object_unref (reveal);
  ag_test_close_window (window);
}

static void
test_minimise_policy_off (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture);
  AgGuard *guard = ag_window_get_guard (window);
  AgCustomerData *customer = g_ptr_array_index (fixture->customers, 3);
  g_autofree char *events = NULL;
  AgReveal *reveal = NULL;

  g_assert_false (ag_policy_get_lock_on_minimise (ag_guard_get_policy (guard)));
  g_assert_true (ag_policy_get_remask_on_focus_loss (ag_guard_get_policy (guard)));
  /* Revealed through the guard, with the window focused: the reveal dialog closing would
   * leave a moment with no window of ours focused, and under load the window manager may
   * give the focus back after the 200 ms a focus loss allows. */
  open_customer (window, fixture, 3);
  focus_window (GTK_WINDOW (window));
  ag_guard_reveal_async (guard, customer->id, AG_PII_KIND_CPF, "identity-check", NULL, NULL,
                         reveal_done_cb, &reveal);
  AG_TEST_WAIT_UNTIL (reveal != NULL);
  g_assert_true (ag_reveal_get_active (reveal));

  /* No lock, but a minimised window has lost the focus: the value goes all the same. */
  minimise (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (is_minimised (GTK_WINDOW (window)));
  AG_TEST_WAIT_UNTIL (!ag_reveal_get_active (reveal));
  g_assert_null (ag_reveal_get_value (reveal));
  AG_TEST_WAIT_UNTIL (ag_guard_get_n_running (guard) == 0);
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_UNLOCKED);
  events = ag_test_ledger_events (window);
  g_assert_cmpstr (events, ==, "login reveal remask:focus-loss ");

  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (!is_minimised (GTK_WINDOW (window)));
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_READY);

  g_object_unref (reveal);
  ag_test_close_window (window);
}

/* main ---------------------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  g_autofree char *content_type = NULL;
  gboolean atspi = argc > 1 && g_str_equal (argv[argc - 1], "--atspi");
  /* Under a window manager (run-test.sh --wm): the tests that need one. */
  gboolean wm = argc > 1 && g_str_equal (argv[argc - 1], "--wm");
  int status;

  if (atspi || wm)
    argc--;
  /* A child of g_test_trap_subprocess() runs as its parent does. */
  if (atspi)
    g_setenv ("AG_TEST_ATSPI", "1", TRUE);
  else
    for (int i = 1; i < argc; i++)
      if (g_str_equal (argv[i], "--GTestSubprocess") && g_getenv ("AG_TEST_ATSPI") != NULL)
        atspi = TRUE;
  /* The child of the leak scan (the only g_test_trap_subprocess() here) logs everything,
   * from the start: its output is what the parent scans, not TAP. */
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--GTestSubprocess"))
      g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  system_data_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));
  system_config_dirs = g_strdup (g_getenv ("XDG_CONFIG_DIRS"));
  content_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#if !DEVELOPMENT
  g_test_skip ("AG_PAM_CONFDIR needs a development build (-Ddevelopment=true)");
  return g_test_run ();
#endif

#if defined(__SANITIZE_ADDRESS__)
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  if (atspi)
    {
      /* The real AT-SPI bridge, on the accessibility bus that the private session bus of
       * run-test.sh starts (at-spi-bus-launcher), under the private HOME it gives. */
      g_setenv ("GTK_A11Y", "atspi", TRUE);
      g_unsetenv ("NO_AT_BRIDGE");
      g_set_prgname (A11Y_APP_NAME);
    }
  else
    {
      /* GTK's test backend keeps the accessible properties for the assertions. */
      g_setenv ("GTK_A11Y", "test", TRUE);
    }
  ag_test_pam_init ();
  gtk_init ();
  adw_init ();
  ag_test_keep_glib_dirs ();

  /* Two private buses for the desktop: one plays the system bus, one the session bus (the
   * test's own session bus carries the keyring). */
  ag_test_bus_up (&system_dbus);
  ag_test_bus_up (&session_dbus);

#define ADD(path, policy, func) \
  g_test_add ("/side-channels/" path, Fixture, policy, fixture_set_up, func, fixture_tear_down)
  if (atspi)
    {
      ADD ("a11y/tree", NULL, test_a11y_tree);
      /* With the real bridge, which sends every accessible name over the bus. */
      g_test_add ("/side-channels/a11y/memory-after-remask", Fixture,
                  POLICY_DEFAULT "clipboard=allow-with-clear:300\n", memory_set_up,
                  test_memory_after_remask, memory_tear_down);
    }
  else if (wm)
    {
      ADD ("minimise/locks", POLICY_DEFAULT, test_minimise_locks);
      ADD ("minimise/policy-off", "[policy]\nlock-on-minimise=false\n", test_minimise_policy_off);
    }
  else
    {
      ADD ("desktop/logind-lock", NULL, test_logind_lock);
      ADD ("desktop/sleep", NULL, test_sleep);
      ADD ("desktop/screen-saver", NULL, test_screen_saver);
      ADD ("desktop/sleep-while-locked", NULL, test_sleep_while_locked);
      ADD ("desktop/application-monitor", NULL, test_application_monitor);
      ADD ("clipboard/deny", NULL, test_clipboard_deny);
      ADD ("leak-scan", NULL, test_leak_scan);
      ADD ("focus-loss", "[policy]\n", test_focus_loss);
      ADD ("focus-loss/dialog-closing", "[policy]\n", test_focus_loss_dialog_closing);
      ADD ("clipboard/allow-with-clear", POLICY_DEFAULT "clipboard=allow-with-clear:1\n",
           test_clipboard_allow);
      ADD ("clipboard/clear-with-reveal", POLICY_DEFAULT "clipboard=allow-with-clear:300\n",
           test_clipboard_clear_with_reveal);
      ADD ("clipboard/manager", POLICY_DEFAULT "clipboard=allow-with-clear:300\n",
           test_clipboard_manager);
      g_test_add ("/side-channels/memory-after-remask", Fixture,
                  POLICY_DEFAULT "clipboard=allow-with-clear:300\n", memory_set_up,
                  test_memory_after_remask, memory_tear_down);
    }
#undef ADD

  status = g_test_run ();
  ag_test_bus_down (&session_dbus);
  ag_test_bus_down (&system_dbus);
  ag_test_pam_cleanup ();
  g_free (system_data_dirs);
  g_free (system_config_dirs);
  return status;
}
