/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-list-keynav"

#include "config.h"

#include "ag-list-keynav.h"

/**
 * SECTION:ag-list-keynav
 *
 * A #GtkListBox as one stop of the Tab chain, as GNOME's lists are to the keyboard: Tab
 * enters it on its selected row (or its first), the arrow keys move within it, and the
 * next Tab or Shift+Tab leaves it, from whichever row has the focus. GTK 4.8's list box
 * would take each row as a Tab stop of its own (issue 18: tabbing through the search
 * results went through every customer on the way).
 */

/**
 * ag_list_keynav_leave:
 * @list: a list box with the focus in it
 * @direction: %GTK_DIR_TAB_FORWARD or %GTK_DIR_TAB_BACKWARD
 *
 * Moves the focus to the widget before or after @list in the window's focus chain, as if
 * @list were a single widget.
 */
void
ag_list_keynav_leave (GtkListBox *list, GtkDirectionType direction)
{
  GtkRoot *root;

  g_return_if_fail (GTK_IS_LIST_BOX (list));
  g_return_if_fail (direction == GTK_DIR_TAB_FORWARD || direction == GTK_DIR_TAB_BACKWARD);

  root = gtk_widget_get_root (GTK_WIDGET (list));
  if (root == NULL)
    return;

  /* While @list cannot take the focus, the window's own focus chain skips it and every row
   * in it, and goes on from where it is: out of the list. */
  gtk_widget_set_can_focus (GTK_WIDGET (list), FALSE);
  gtk_widget_child_focus (GTK_WIDGET (root), direction);
  gtk_widget_set_can_focus (GTK_WIDGET (list), TRUE);
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, gpointer user_data)
{
  GtkListBox *list
    = GTK_LIST_BOX (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();
  GtkDirectionType direction;

  if ((keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab) && modifiers == 0)
    direction = GTK_DIR_TAB_FORWARD;
  else if ((keyval == GDK_KEY_ISO_Left_Tab || keyval == GDK_KEY_Tab || keyval == GDK_KEY_KP_Tab)
           && modifiers == GDK_SHIFT_MASK)
    direction = GTK_DIR_TAB_BACKWARD;
  else
    return GDK_EVENT_PROPAGATE;

  ag_list_keynav_leave (list, direction);
  return GDK_EVENT_STOP;
}

/**
 * ag_list_keynav_single_tab_stop:
 * @list: a list box
 *
 * Makes @list one stop of the Tab chain: Tab and Shift+Tab leave it from any row.
 */
void
ag_list_keynav_single_tab_stop (GtkListBox *list)
{
  GtkEventController *controller;

  g_return_if_fail (GTK_IS_LIST_BOX (list));

  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_name (controller, "ag-list-keynav");
  /* Before the rows and the list's own bindings, which would move on to the next row. */
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), NULL);
  gtk_widget_add_controller (GTK_WIDGET (list), controller);
}
