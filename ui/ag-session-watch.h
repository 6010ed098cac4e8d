/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-desktop-monitor.h"
#include "ag-guard.h"
#include "ag-notifier.h"

G_BEGIN_DECLS

#define AG_TYPE_SESSION_WATCH (ag_session_watch_get_type ())

G_DECLARE_FINAL_TYPE (AgSessionWatch, ag_session_watch, AG, SESSION_WATCH, GObject)

AgSessionWatch *
ag_session_watch_new (AdwApplicationWindow *window, AgGuard *guard, AgNotifier *notifier);
void
ag_session_watch_guard_event (AgSessionWatch *self, const AgGuardEvent *event);
void
ag_session_watch_set_notifier (AgSessionWatch *self, AgNotifier *notifier);
void
ag_session_watch_set_desktop_monitor (AgSessionWatch *self, AgDesktopMonitor *monitor);
void
ag_session_watch_stop (AgSessionWatch *self);
GtkWidget *
ag_session_watch_get_warning_banner (AgSessionWatch *self);
guint
ag_session_watch_get_n_activity_reports (AgSessionWatch *self);
void
ag_session_watch_block_inspector (GtkWindow *window);

G_END_DECLS
