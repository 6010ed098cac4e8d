/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-desktop-monitor.h"
#include "ag-guard.h"
#include "ag-notifier.h"
#include "ag-policy.h"
#include "ag-store.h"

G_BEGIN_DECLS

#define AG_TYPE_CONSOLE_WINDOW (ag_console_window_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleWindow, ag_console_window, AG, CONSOLE_WINDOW, AdwApplicationWindow)

AgConsoleWindow *
ag_console_window_new (GtkApplication *application, const char *store_path);
AgGuard *
ag_console_window_get_guard (AgConsoleWindow *self);
AgStore *
ag_console_window_get_store (AgConsoleWindow *self);
gboolean
ag_console_window_get_ready (AgConsoleWindow *self);
AdwViewStack *
ag_console_window_get_view_stack (AgConsoleWindow *self);
void
ag_console_window_set_application_services (AgConsoleWindow *self, AgNotifier *notifier,
                                            AgDesktopMonitor *desktop_monitor);

G_END_DECLS
