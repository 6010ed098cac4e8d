/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-alert-scan.h"
#include "ag-policy.h"
#include "ag-session.h"

G_BEGIN_DECLS

#define AG_TYPE_CONSOLE_ALERTS (ag_console_alerts_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleAlerts, ag_console_alerts, AG, CONSOLE_ALERTS, GtkWidget)

AgConsoleAlerts *
ag_console_alerts_new (AgSession *session, const AgPolicyPaths *paths);
gboolean
ag_console_alerts_refresh (AgConsoleAlerts *self, GError **error);
void
ag_console_alerts_clear (AgConsoleAlerts *self);
guint
ag_console_alerts_get_n_alerts (AgConsoleAlerts *self);
const AgAlertRecord *
ag_console_alerts_get_alert (AgConsoleAlerts *self, guint position);
gboolean
ag_console_alerts_acknowledge (AgConsoleAlerts *self, guint64 id, const char *note, GError **error);

G_END_DECLS
