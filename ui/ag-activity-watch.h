/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gtk/gtk.h>

#include "ag-guard.h"

G_BEGIN_DECLS

#define AG_TYPE_ACTIVITY_WATCH (ag_activity_watch_get_type ())

G_DECLARE_FINAL_TYPE (AgActivityWatch, ag_activity_watch, AG, ACTIVITY_WATCH, GObject)

AgActivityWatch *
ag_activity_watch_new (AgGuard *guard);
void
ag_activity_watch_add_window (AgActivityWatch *self, GtkWindow *window);
void
ag_activity_watch_input (AgActivityWatch *self);
guint
ag_activity_watch_get_n_reported (AgActivityWatch *self);

G_END_DECLS
