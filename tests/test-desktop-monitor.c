/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * AgDesktopMonitor on a private system bus and session bus (two dbus-daemons), with
 * python3-dbusmock as logind (its template) and as the two screen savers (generic mocks).
 * The signals are emitted the way the real services emit them; the monitor must ask for
 * a lock with the right cause, hold a delay inhibitor while awake and let go of it only
 * after the lock.
 */

#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ag-desktop-monitor.h"
#include "ag-test-dbus.h"

#define MOCK_IFACE     "org.freedesktop.DBus.Mock"
#define LOGIND_NAME    "org.freedesktop.login1"
#define LOGIND_PATH    "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"
#define SESSION_PATH   "/org/freedesktop/login1/session/"
#define WAIT_SECONDS   60

static AgTestBus system_dbus;
static AgTestBus session_dbus;

typedef struct
{
  GDBusConnection *system;
  GDBusConnection *session;
  GPtrArray *mocks; /* of GSubprocess */
  AgDesktopMonitor *monitor;
  GArray *causes; /* of gint, one per ::lock-requested */
  gboolean done_in_handler;
} Fixture;

static gboolean
wait_timed_out_cb (gpointer data)
{
  g_error ("Gave up waiting for: %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

/* A failure timeout for waiting on the main loop, not a timed assertion. */
#define WAIT_UNTIL(cond)                                                                           \
  G_STMT_START                                                                                     \
  {                                                                                                \
    guint timeout_id_ = g_timeout_add_seconds (WAIT_SECONDS, wait_timed_out_cb, (gpointer) #cond); \
    while (!(cond))                                                                                \
      g_main_context_iteration (NULL, TRUE);                                                       \
    g_source_remove (timeout_id_);                                                                 \
  }                                                                                                \
  G_STMT_END

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

/* Children die with the test, even when it aborts: nothing is left holding its output. */

/* Starts python3-dbusmock with @args on @bus and waits until it owns @name. */
static void
start_mock (Fixture *fixture, GDBusConnection *bus, const char *name, const char *const *args)
{
  g_ptr_array_add (fixture->mocks, ag_test_dbusmock_spawn (&system_dbus, &session_dbus, args));
  POLL_UNTIL (ag_test_bus_has_owner (bus, name));
}

static void
start_logind (Fixture *fixture)
{
  const char *const args[] = { "--system", "--template", "logind", NULL };
  g_autofree char *uid = g_strdup_printf ("%u", (guint) getuid ());

  start_mock (fixture, fixture->system, LOGIND_NAME, args);
  for (guint i = 1; i <= 2; i++)
    {
      g_autofree char *id = g_strdup_printf ("c%u", i);
      g_autoptr (GVariant) reply = ag_test_bus_call (
        fixture->system, LOGIND_NAME, LOGIND_PATH, MOCK_IFACE, "AddSession",
        g_variant_new ("(ssusb)", id, "seat0", (guint32) getuid (), g_get_user_name (), i == 1),
        "(s)");
    }
}

static void
start_screen_savers (Fixture *fixture)
{
  const char *const fdo[] = { "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                              "org.freedesktop.ScreenSaver", NULL };
  const char *const gnome[]
    = { "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", NULL };

  start_mock (fixture, fixture->session, fdo[0], fdo);
  start_mock (fixture, fixture->session, gnome[0], gnome);
}

/* Has the mock owning @name emit a signal, as the real service does. */
static void
emit (GDBusConnection *bus, const char *name, const char *path, const char *interface,
      const char *signal, GVariant *argument)
{
  GVariantBuilder args;
  g_autoptr (GVariant) reply = NULL;

  g_variant_builder_init (&args, G_VARIANT_TYPE ("av"));
  if (argument != NULL)
    g_variant_builder_add (&args, "v", argument);
  reply = ag_test_bus_call (
    bus, name, path, MOCK_IFACE, "EmitSignal",
    g_variant_new ("(sssav)", interface, signal,
                   argument != NULL ? g_variant_get_type_string (argument) : "", &args),
    NULL);
}

static void
prepare_for_sleep (Fixture *fixture, gboolean start)
{
  emit (fixture->system, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep",
        g_variant_new_boolean (start));
}

/* The session's Lock method makes the mock emit its Lock signal, as logind's LockSession. */
static void
lock_session (Fixture *fixture, const char *id)
{
  g_autofree char *path = g_strconcat (SESSION_PATH, id, NULL);
  g_autoptr (GVariant) reply = ag_test_bus_call (
    fixture->system, LOGIND_NAME, path, "org.freedesktop.login1.Session", "Lock", NULL, NULL);
}

/* The inhibitors logind (the mock) holds now. */
static GVariant *
list_inhibitors (Fixture *fixture)
{
  g_autoptr (GVariant) reply
    = ag_test_bus_call (fixture->system, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "ListInhibitors",
                        NULL, "(a(ssssuu))");

  return g_variant_get_child_value (reply, 0);
}

static gsize
n_inhibitors (Fixture *fixture)
{
  g_autoptr (GVariant) list = list_inhibitors (fixture);

  return g_variant_n_children (list);
}

static void
assert_our_inhibitor (Fixture *fixture)
{
  g_autoptr (GVariant) list = list_inhibitors (fixture);
  const char *what, *who, *why, *mode;

  g_assert_cmpuint (g_variant_n_children (list), ==, 1);
  g_variant_get_child (list, 0, "(&s&s&s&suu)", &what, &who, &why, &mode, NULL, NULL);
  g_assert_cmpstr (what, ==, "sleep");
  g_assert_cmpstr (who, ==, "Agent Guard");
  g_assert_cmpstr (mode, ==, "delay");
  g_assert_cmpuint (strlen (why), >, 0);
}

static void
lock_requested_cb (AgDesktopMonitor *monitor, gint cause, gpointer data)
{
  Fixture *fixture = data;

  g_array_append_val (fixture->causes, cause);
  if (fixture->done_in_handler)
    ag_desktop_monitor_lock_done (monitor);
}

static gint
last_cause (Fixture *fixture)
{
  g_assert_cmpuint (fixture->causes->len, >, 0);
  return g_array_index (fixture->causes, gint, fixture->causes->len - 1);
}

static void
start_monitor (Fixture *fixture, GDBusConnection *system, GDBusConnection *session)
{
  fixture->monitor = ag_desktop_monitor_new_for_buses (system, session);
  g_signal_connect (fixture->monitor, "lock-requested", G_CALLBACK (lock_requested_cb), fixture);
  WAIT_UNTIL (ag_desktop_monitor_get_ready (fixture->monitor));
  if (system != NULL)
    ag_test_bus_sync (system);
  if (session != NULL)
    ag_test_bus_sync (session);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->system = ag_test_bus_connect (&system_dbus);
  fixture->session = ag_test_bus_connect (&session_dbus);
  fixture->mocks = g_ptr_array_new_with_free_func (g_object_unref);
  fixture->causes = g_array_new (FALSE, FALSE, sizeof (gint));
  g_setenv ("XDG_SESSION_ID", "c1", TRUE);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  if (fixture->monitor != NULL)
    g_assert_finalize_object (g_steal_pointer (&fixture->monitor));
  for (guint i = 0; i < fixture->mocks->len; i++)
    {
      GSubprocess *mock = g_ptr_array_index (fixture->mocks, i);

      g_subprocess_send_signal (mock, SIGTERM);
      g_subprocess_wait (mock, NULL, NULL);
    }
  g_ptr_array_unref (fixture->mocks);
  g_array_unref (fixture->causes);
  g_dbus_connection_close_sync (fixture->system, NULL, NULL);
  g_dbus_connection_close_sync (fixture->session, NULL, NULL);
  g_clear_object (&fixture->system);
  g_clear_object (&fixture->session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_new_destroy (void)
{
  AgDesktopMonitor *monitor = ag_desktop_monitor_new_for_buses (NULL, NULL);
  gboolean ready = FALSE;

  /* No bus at all is no error: there is simply nothing to wait for. */
  g_object_get (monitor, "ready", &ready, NULL);
  g_assert_true (ready);
  g_assert_null (ag_desktop_monitor_get_session_path (monitor));
  g_assert_false (ag_desktop_monitor_get_inhibiting (monitor));
  ag_desktop_monitor_lock_done (monitor);
  g_assert_finalize_object (monitor);
}

static void
test_no_services (Fixture *fixture, gconstpointer data)
{
  /* Buses, but neither logind nor a screen saver on them. */
  start_monitor (fixture, fixture->system, fixture->session);
  g_assert_null (ag_desktop_monitor_get_session_path (fixture->monitor));
  g_assert_false (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  g_assert_cmpuint (fixture->causes->len, ==, 0);
}

static void
test_session_lock (Fixture *fixture, gconstpointer data)
{
  start_logind (fixture);
  start_monitor (fixture, fixture->system, NULL);
  g_assert_cmpstr (ag_desktop_monitor_get_session_path (fixture->monitor), ==, SESSION_PATH "c1");

  /* Another session's lock is not ours; logind sends both in order. */
  lock_session (fixture, "c2");
  lock_session (fixture, "c1");
  WAIT_UNTIL (fixture->causes->len > 0);
  g_assert_cmpuint (fixture->causes->len, ==, 1);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);
}

static void
test_session_by_pid (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GVariant) reply = NULL;

  g_unsetenv ("XDG_SESSION_ID");
  start_logind (fixture);
  reply = ag_test_bus_call (fixture->system, LOGIND_NAME, LOGIND_PATH, MOCK_IFACE, "AddMethod",
                            g_variant_new ("(sssss)", LOGIND_MANAGER, "GetSessionByPID", "u", "o",
                                           "ret = '" SESSION_PATH "c2'"),
                            NULL);
  start_monitor (fixture, fixture->system, NULL);
  g_assert_cmpstr (ag_desktop_monitor_get_session_path (fixture->monitor), ==, SESSION_PATH "c2");

  lock_session (fixture, "c1");
  lock_session (fixture, "c2");
  WAIT_UNTIL (fixture->causes->len > 0);
  g_assert_cmpuint (fixture->causes->len, ==, 1);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);
}

static void
test_session_auto (Fixture *fixture, gconstpointer data)
{
  /* No XDG_SESSION_ID and a logind without GetSessionByPID (the mock's): "auto". */
  g_unsetenv ("XDG_SESSION_ID");
  start_logind (fixture);
  start_monitor (fixture, fixture->system, NULL);
  g_assert_cmpstr (ag_desktop_monitor_get_session_path (fixture->monitor), ==, SESSION_PATH "auto");
}

static void
test_session_display (Fixture *fixture, gconstpointer data)
{
  g_autofree char *user_path = g_strdup_printf ("/org/freedesktop/login1/user/%u", getuid ());
  g_autoptr (GVariant) reply = NULL;

  /* A logind that knows neither this process nor "auto": the user's display session. */
  g_unsetenv ("XDG_SESSION_ID");
  start_logind (fixture);
  reply = ag_test_bus_call (fixture->system, LOGIND_NAME, LOGIND_PATH, MOCK_IFACE, "AddMethod",
                            g_variant_new ("(sssss)", LOGIND_MANAGER, "GetSession", "s", "o",
                                           "raise dbus.exceptions.DBusException('no such session', "
                                           "name='org.freedesktop.login1.NoSuchSession')"),
                            NULL);
  g_clear_pointer (&reply, g_variant_unref);
  /* The template's own GetUser fails (it adds a number to a string). */
  reply = ag_test_bus_call (fixture->system, LOGIND_NAME, LOGIND_PATH, MOCK_IFACE, "AddMethod",
                            g_variant_new ("(sssss)", LOGIND_MANAGER, "GetUser", "u", "o",
                                           "ret = '/org/freedesktop/login1/user/%d' % args[0]"),
                            NULL);
  g_clear_pointer (&reply, g_variant_unref);
  reply = ag_test_bus_call (fixture->system, LOGIND_NAME, user_path,
                            "org.freedesktop.DBus.Properties", "Set",
                            g_variant_new ("(ssv)", "org.freedesktop.login1.User", "Display",
                                           g_variant_new ("(so)", "c2", SESSION_PATH "c2")),
                            NULL);
  start_monitor (fixture, fixture->system, NULL);
  g_assert_cmpstr (ag_desktop_monitor_get_session_path (fixture->monitor), ==, SESSION_PATH "c2");

  lock_session (fixture, "c2");
  WAIT_UNTIL (fixture->causes->len > 0);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);
}

static void
test_sleep (Fixture *fixture, gconstpointer data)
{
  start_logind (fixture);
  start_monitor (fixture, fixture->system, NULL);
  /* The test locks, as a window does. */
  ag_desktop_monitor_add_locker (fixture->monitor);

  /* Awake: a delay inhibitor is held, so a sleep waits for the lock. */
  g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  assert_our_inhibitor (fixture);

  /* A lock done without a sleep waiting keeps it. */
  ag_desktop_monitor_lock_done (fixture->monitor);
  g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));

  prepare_for_sleep (fixture, TRUE);
  WAIT_UNTIL (fixture->causes->len > 0);
  g_assert_cmpuint (fixture->causes->len, ==, 1);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SUSPEND);

  /* Not released before the lock is done. */
  g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  assert_our_inhibitor (fixture);

  ag_desktop_monitor_lock_done (fixture->monitor);
  g_assert_false (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  POLL_UNTIL (n_inhibitors (fixture) == 0);

  /* Awake again: taken again. */
  prepare_for_sleep (fixture, FALSE);
  WAIT_UNTIL (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  assert_our_inhibitor (fixture);
  g_assert_cmpuint (fixture->causes->len, ==, 1);

  /* The owner may lock and say so in the handler itself. */
  fixture->done_in_handler = TRUE;
  prepare_for_sleep (fixture, TRUE);
  WAIT_UNTIL (fixture->causes->len > 1);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SUSPEND);
  g_assert_false (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  POLL_UNTIL (n_inhibitors (fixture) == 0);
  prepare_for_sleep (fixture, FALSE);
  WAIT_UNTIL (ag_desktop_monitor_get_inhibiting (fixture->monitor));

  /* Going away lets go of it. */
  g_assert_finalize_object (g_steal_pointer (&fixture->monitor));
  POLL_UNTIL (n_inhibitors (fixture) == 0);
}

/* Awake again: the monitor takes its inhibitor back. */
static void
wake (Fixture *fixture)
{
  prepare_for_sleep (fixture, FALSE);
  WAIT_UNTIL (ag_desktop_monitor_get_inhibiting (fixture->monitor));
}

/* A sleep, held until the last of @n_answers lockers has said it is done. */
static void
sleep_with_answers (Fixture *fixture, guint n_answers)
{
  guint n_causes = fixture->causes->len;

  prepare_for_sleep (fixture, TRUE);
  WAIT_UNTIL (fixture->causes->len > n_causes);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SUSPEND);
  for (guint i = 0; i < n_answers; i++)
    {
      g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));
      ag_desktop_monitor_lock_done (fixture->monitor);
    }
  g_assert_false (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  POLL_UNTIL (n_inhibitors (fixture) == 0);
}

/* The application's monitor is shared by its windows: a sleep waits for each window's
 * lock, and the screen lock the desktop sends as it suspends is not a second request. */
static void
test_sleep_lockers (Fixture *fixture, gconstpointer data)
{
  start_logind (fixture);
  start_monitor (fixture, fixture->system, NULL);
  ag_desktop_monitor_add_locker (fixture->monitor);
  ag_desktop_monitor_add_locker (fixture->monitor);

  prepare_for_sleep (fixture, TRUE);
  WAIT_UNTIL (fixture->causes->len > 0);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SUSPEND);
  ag_desktop_monitor_lock_done (fixture->monitor);
  /* One window has locked, the other not yet. */
  g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));

  lock_session (fixture, "c1");
  ag_test_bus_sync (fixture->system);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->causes->len, ==, 1);
  g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));

  ag_desktop_monitor_lock_done (fixture->monitor);
  g_assert_false (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  POLL_UNTIL (n_inhibitors (fixture) == 0);
  /* A late answer counts for no later sleep. */
  ag_desktop_monitor_lock_done (fixture->monitor);
  wake (fixture);
  sleep_with_answers (fixture, 2);
  wake (fixture);

  /* A window closed: the next sleep waits for the one left. */
  ag_desktop_monitor_remove_locker (fixture->monitor);
  sleep_with_answers (fixture, 1);

  /* Awake, the desktop's screen lock is a request again. */
  wake (fixture);
  lock_session (fixture, "c1");
  WAIT_UNTIL (fixture->causes->len > 3);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);

  /* No window left: a sleep has nothing to wait for. */
  ag_desktop_monitor_remove_locker (fixture->monitor);
  prepare_for_sleep (fixture, TRUE);
  WAIT_UNTIL (fixture->causes->len > 4);
  g_assert_false (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  POLL_UNTIL (n_inhibitors (fixture) == 0);
}

static void
test_screen_savers (Fixture *fixture, gconstpointer data)
{
  start_screen_savers (fixture);
  start_monitor (fixture, NULL, fixture->session);

  /* Deactivation is nothing; neither is the freedesktop signal sent by another name. */
  emit (fixture->session, "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver", "ActiveChanged", g_variant_new_boolean (FALSE));
  emit (fixture->session, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
        "org.freedesktop.ScreenSaver", "ActiveChanged", g_variant_new_boolean (TRUE));
  emit (fixture->session, "org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
        "org.freedesktop.ScreenSaver", "ActiveChanged", g_variant_new_boolean (TRUE));
  WAIT_UNTIL (fixture->causes->len > 0);
  ag_test_bus_sync (fixture->session);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (fixture->causes->len, ==, 1);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);

  emit (fixture->session, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
        "org.gnome.ScreenSaver", "ActiveChanged", g_variant_new_boolean (FALSE));
  emit (fixture->session, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
        "org.gnome.ScreenSaver", "ActiveChanged", g_variant_new_boolean (TRUE));
  WAIT_UNTIL (fixture->causes->len > 1);
  g_assert_cmpuint (fixture->causes->len, ==, 2);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);
}

static void
test_default_buses (Fixture *fixture, gconstpointer data)
{
  /* ag_desktop_monitor_new() finds the buses from the environment, as in a session. */
  start_logind (fixture);
  start_screen_savers (fixture);
  g_setenv ("DBUS_SYSTEM_BUS_ADDRESS", system_dbus.address, TRUE);
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", session_dbus.address, TRUE);

  fixture->monitor = ag_desktop_monitor_new ();
  g_signal_connect (fixture->monitor, "lock-requested", G_CALLBACK (lock_requested_cb), fixture);
  WAIT_UNTIL (ag_desktop_monitor_get_ready (fixture->monitor));
  g_assert_cmpstr (ag_desktop_monitor_get_session_path (fixture->monitor), ==, SESSION_PATH "c1");
  g_assert_true (ag_desktop_monitor_get_inhibiting (fixture->monitor));
  assert_our_inhibitor (fixture);

  emit (fixture->session, "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver",
        "org.gnome.ScreenSaver", "ActiveChanged", g_variant_new_boolean (TRUE));
  WAIT_UNTIL (fixture->causes->len == 1);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);
  lock_session (fixture, "c1");
  WAIT_UNTIL (fixture->causes->len == 2);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SCREEN_LOCK);
  prepare_for_sleep (fixture, TRUE);
  WAIT_UNTIL (fixture->causes->len == 3);
  g_assert_cmpint (last_cause (fixture), ==, AG_LOCK_CAUSE_SUSPEND);
  ag_desktop_monitor_lock_done (fixture->monitor);
  POLL_UNTIL (n_inhibitors (fixture) == 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  /* Two private buses: one plays the system bus, one the session bus. */
  ag_test_bus_up (&system_dbus);
  ag_test_bus_up (&session_dbus);
  g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_unsetenv ("DBUS_SYSTEM_BUS_ADDRESS");

  g_test_add_func ("/desktop-monitor/new-destroy", test_new_destroy);
#define ADD(path, func) \
  g_test_add ("/desktop-monitor/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("no-services", test_no_services);
  ADD ("session-lock", test_session_lock);
  ADD ("session-by-pid", test_session_by_pid);
  ADD ("session-auto", test_session_auto);
  ADD ("session-display", test_session_display);
  ADD ("sleep", test_sleep);
  ADD ("sleep-lockers", test_sleep_lockers);
  ADD ("screen-savers", test_screen_savers);
  ADD ("default-buses", test_default_buses);
#undef ADD

  status = g_test_run ();

  ag_test_bus_down (&session_dbus);
  ag_test_bus_down (&system_dbus);
  return status;
}
