/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-chart.h"
#include "ag-policy.h"
#include "ag-session.h"

G_BEGIN_DECLS

#define AG_TYPE_CONSOLE_CHARTS (ag_console_charts_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleCharts, ag_console_charts, AG, CONSOLE_CHARTS, GtkWidget)

AgConsoleCharts *
ag_console_charts_new (AgSession *session, const AgPolicyPaths *paths);
void
ag_console_charts_reload (AgConsoleCharts *self);
void
ag_console_charts_clear (AgConsoleCharts *self);
AgChart *
ag_console_charts_get_chart (AgConsoleCharts *self, guint n);

G_END_DECLS
