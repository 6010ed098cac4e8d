/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define AG_TYPE_CHART (ag_chart_get_type ())

G_DECLARE_FINAL_TYPE (AgChart, ag_chart, AG, CHART, GtkWidget)

AgChart *
ag_chart_new (const char *title);
void
ag_chart_set_bars (AgChart *self, guint n_bars, const char *const *labels, const guint *values);
void
ag_chart_set_limit (AgChart *self, guint limit);
int
ag_chart_get_selected (AgChart *self);
void
ag_chart_select (AgChart *self, int bar);
char *
ag_chart_describe (AgChart *self);

G_END_DECLS
