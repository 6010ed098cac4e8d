/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-guard.h"
#include "ag-session-watch.h"
#include "ag-store.h"

G_BEGIN_DECLS

#define AG_TYPE_WINDOW (ag_window_get_type ())

G_DECLARE_FINAL_TYPE (AgWindow, ag_window, AG, WINDOW, AdwApplicationWindow)

/**
 * AgWindowState:
 * @AG_WINDOW_STATE_OPENING: the store is being opened
 * @AG_WINDOW_STATE_NO_STORE: there is no store file yet
 * @AG_WINDOW_STATE_ERROR: the store could not be opened
 * @AG_WINDOW_STATE_READY: the agent can search
 * @AG_WINDOW_STATE_LOCKED: the lock page, and nothing from the store anywhere in the window
 *
 * What the window shows.
 */
typedef enum
{
  AG_WINDOW_STATE_OPENING,
  AG_WINDOW_STATE_NO_STORE,
  AG_WINDOW_STATE_ERROR,
  AG_WINDOW_STATE_READY,
  AG_WINDOW_STATE_LOCKED,
} AgWindowState;

AgWindow *
ag_window_new (GtkApplication *application, const char *store_path, gboolean training);
const char *
ag_window_get_store_path (AgWindow *self);
AgStore *
ag_window_get_store (AgWindow *self);
AgWindowState
ag_window_get_state (AgWindow *self);
gboolean
ag_window_get_training (AgWindow *self);
AgGuard *
ag_window_get_guard (AgWindow *self);
AgSessionWatch *
ag_window_get_session_watch (AgWindow *self);
void
ag_window_set_application_services (AgWindow *self, AgNotifier *notifier,
                                    AgDesktopMonitor *desktop_monitor);

G_END_DECLS
