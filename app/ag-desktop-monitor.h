/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-guard.h"

G_BEGIN_DECLS

#define AG_TYPE_DESKTOP_MONITOR (ag_desktop_monitor_get_type ())

G_DECLARE_FINAL_TYPE (AgDesktopMonitor, ag_desktop_monitor, AG, DESKTOP_MONITOR, GObject)

/* The desktop's signals that must lock the app at once, as ::lock-requested:
 * - session bus: org.freedesktop.ScreenSaver and org.gnome.ScreenSaver ActiveChanged(true)
 *   (AG_LOCK_CAUSE_SCREEN_LOCK);
 * - system bus: logind's Lock on this process's session (AG_LOCK_CAUSE_SCREEN_LOCK) and the
 *   manager's PrepareForSleep(true) (AG_LOCK_CAUSE_SUSPEND). While awake the monitor holds a
 *   logind "delay" sleep inhibitor, so the machine waits for the lock; it is released by
 *   ag_desktop_monitor_lock_done() and taken again on PrepareForSleep(false).
 * A bus or service that is not there is no error: the rest keeps working.
 *
 * ::lock-requested (gint cause): an AgLockCause. Lock, then call
 *   ag_desktop_monitor_lock_done().
 * Each owner that locks on it (one per window) says so with ag_desktop_monitor_add_locker(),
 * and a sleep waits for the lock_done() of every one; with none, it does not wait.
 */

/* On the system and session buses of the process (DBUS_SYSTEM_BUS_ADDRESS and
 * DBUS_SESSION_BUS_ADDRESS are honoured), connected asynchronously. */
AgDesktopMonitor *
ag_desktop_monitor_new (void);
/* On these connections; either may be NULL (no such bus). For tests and private buses. */
AgDesktopMonitor *
ag_desktop_monitor_new_for_buses (GDBusConnection *system_bus, GDBusConnection *session_bus);

/* TRUE once the buses are connected, the session looked up, the subscriptions made and the
 * first inhibitor asked for (each successful or not); property "ready". */
gboolean
ag_desktop_monitor_get_ready (AgDesktopMonitor *self);
/* The logind session whose Lock is watched, or NULL when none was found. */
const char *
ag_desktop_monitor_get_session_path (AgDesktopMonitor *self);

/* Whether the monitor holds a logind sleep inhibitor now. */
gboolean
ag_desktop_monitor_get_inhibiting (AgDesktopMonitor *self);

/* The app has locked (or already was) after ::lock-requested: a sleep waiting for it may
 * go on, so the sleep inhibitor is released once every locker has said so. Nothing when
 * no sleep is waiting. */
void
ag_desktop_monitor_lock_done (AgDesktopMonitor *self);

/* One more (or one less) answers ::lock-requested with its own lock_done(). */
void
ag_desktop_monitor_add_locker (AgDesktopMonitor *self);
void
ag_desktop_monitor_remove_locker (AgDesktopMonitor *self);
/* How many have said so. */
guint
ag_desktop_monitor_get_n_lockers (AgDesktopMonitor *self);

G_END_DECLS
