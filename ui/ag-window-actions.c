/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-window"

#include "config.h"

#include "ag-window-private.h"

/* AgWindow's actions and their shortcuts: win.search (Ctrl+F), win.back, win.open-store,
 * win.lock (Ctrl+L). */

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  AgWindow *self = AG_WINDOW (widget);

  if (self->state != AG_WINDOW_STATE_READY)
    return;

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
back_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  AgWindow *self = AG_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
open_store_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ag_window_open_store (AG_WINDOW (widget));
}

static void
lock_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  AgWindow *self = AG_WINDOW (widget);

  ag_guard_lock (self->guard, AG_LOCK_CAUSE_MANUAL);
}

void
ag_window_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "win.open-store", NULL, open_store_action);
  gtk_widget_class_install_action (widget_class, "win.lock", NULL, lock_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_l, GDK_CONTROL_MASK, "win.lock", NULL);
}
