/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For tests that look at desktop notifications: a private notification daemon
 * (python-dbusmock's notification_daemon template) on the test's session bus, logging
 * every call it gets to a file.
 */

#pragma once

#include <gio/gio.h>
#include <string.h>

typedef struct
{
  GSubprocess *process;
  char *log_path;
} AgTestNotifyDaemon;

void
ag_test_notify_name_appeared_cb (GDBusConnection *connection, const char *name, const char *owner,
                                 gpointer user_data);

/* Starts the daemon, logging to @log_path, and waits until it owns its bus name. */
AgTestNotifyDaemon *
ag_test_notify_daemon_start (const char *log_path);

void
ag_test_notify_daemon_stop (AgTestNotifyDaemon *daemon);

/* The daemon's log so far ("" before the first call). */
char *
ag_test_notify_daemon_read_log (AgTestNotifyDaemon *daemon);

/* How many lines of the log contain every one of the NULL-terminated strings. */
guint
ag_test_notify_daemon_count (AgTestNotifyDaemon *daemon, ...);
