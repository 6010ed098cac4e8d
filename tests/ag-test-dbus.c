/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include "ag-test-dbus.h"

void
ag_test_die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

void
ag_test_bus_up (AgTestBus *bus)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GDataInputStream) out = NULL;

  g_subprocess_launcher_set_child_setup (launcher, ag_test_die_with_parent, NULL, NULL);
  bus->daemon = g_subprocess_launcher_spawn (launcher, &error, "dbus-daemon", "--session",
                                             "--nofork", "--nopidfile", "--print-address=1", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bus->daemon));
  bus->address = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bus->address);
}

void
ag_test_bus_down (AgTestBus *bus)
{
  g_subprocess_send_signal (bus->daemon, SIGTERM);
  g_subprocess_wait (bus->daemon, NULL, NULL);
  g_clear_object (&bus->daemon);
  g_clear_pointer (&bus->address, g_free);
}

GDBusConnection *
ag_test_bus_connect (AgTestBus *bus)
{
  g_autoptr (GError) error = NULL;
  GDBusConnection *connection = g_dbus_connection_new_for_address_sync (
    bus->address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);

  g_assert_no_error (error);
  return connection;
}

GVariant *
ag_test_bus_call (GDBusConnection *bus, const char *name, const char *path, const char *interface,
                  const char *method, GVariant *parameters, const char *reply_type)
{
  g_autoptr (GError) error = NULL;
  GVariant *reply
    = g_dbus_connection_call_sync (bus, name, path, interface, method, parameters,
                                   reply_type != NULL ? G_VARIANT_TYPE (reply_type) : NULL,
                                   G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, &error);

  g_assert_no_error (error);
  return reply;
}

gboolean
ag_test_bus_has_owner (GDBusConnection *bus, const char *name)
{
  g_autoptr (GVariant) reply
    = ag_test_bus_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus", "NameHasOwner", g_variant_new ("(s)", name), "(b)");
  gboolean owned;

  g_variant_get (reply, "(b)", &owned);
  return owned;
}

void
ag_test_bus_sync (GDBusConnection *bus)
{
  g_autoptr (GVariant) reply
    = ag_test_bus_call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                        "org.freedesktop.DBus", "GetId", NULL, "(s)");
}

GSubprocess *
ag_test_dbusmock_spawn (const AgTestBus *system_bus, const AgTestBus *session_bus,
                        const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  GSubprocess *mock;

  g_subprocess_launcher_set_child_setup (launcher, ag_test_die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "DBUS_SYSTEM_BUS_ADDRESS", system_bus->address, TRUE);
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", session_bus->address, TRUE);
  g_ptr_array_add (argv, (char *) AG_TEST_PYTHON);
  g_ptr_array_add (argv, (char *) "-m");
  g_ptr_array_add (argv, (char *) "dbusmock");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  mock = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return mock;
}
