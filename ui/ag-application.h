/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-desktop-monitor.h"
#include "ag-notifier.h"

G_BEGIN_DECLS

#define AG_TYPE_APPLICATION (ag_application_get_type ())

G_DECLARE_FINAL_TYPE (AgApplication, ag_application, AG, APPLICATION, AdwApplication)

AgApplication *
ag_application_new (void);
AgNotifier *
ag_application_get_notifier (AgApplication *self);
AgDesktopMonitor *
ag_application_get_desktop_monitor (AgApplication *self);

G_END_DECLS
