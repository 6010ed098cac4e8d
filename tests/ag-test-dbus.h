/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Private D-Bus daemons and python3-dbusmock for tests that play the desktop (logind, the
 * screen savers, a notification daemon): every child dies with the test, even when it
 * aborts, so nothing is left holding its output.
 */

#pragma once

#include <gio/gio.h>
#include <signal.h>
#include <sys/prctl.h>

/* Not the first python3 on PATH: that one may lack dbusmock (TESTING.md). */
#define AG_TEST_PYTHON "/usr/bin/python3"

/* A private bus: a dbus-daemon of our own and its address. */
typedef struct
{
  GSubprocess *daemon;
  char *address;
} AgTestBus;

void
ag_test_die_with_parent (gpointer data);

void
ag_test_bus_up (AgTestBus *bus);

void
ag_test_bus_down (AgTestBus *bus);

GDBusConnection *
ag_test_bus_connect (AgTestBus *bus);

/* A synchronous call that must succeed; the reply, or NULL for no @reply_type. */
GVariant *
ag_test_bus_call (GDBusConnection *bus, const char *name, const char *path, const char *interface,
                  const char *method, GVariant *parameters, const char *reply_type);

gboolean
ag_test_bus_has_owner (GDBusConnection *bus, const char *name);

/* A round trip to the bus daemon: everything @bus sent before (its match rules) is done. */
void
ag_test_bus_sync (GDBusConnection *bus);

/* Starts `python3 -m dbusmock ARGS` with both private buses in its environment; the caller
 * waits until it owns its name. */
GSubprocess *
ag_test_dbusmock_spawn (const AgTestBus *system_bus, const AgTestBus *session_bus,
                        const char *const *args);
