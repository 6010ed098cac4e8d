/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include "ag-test-pam.h"

/* The prompt entries the lock page shows now, in order (GtkPasswordEntry or GtkEntry,
 * never their inner GtkText). */
void
ag_test_collect_prompts (GtkWidget *widget, GPtrArray *entries)
{
  if (GTK_IS_PASSWORD_ENTRY (widget) || GTK_IS_ENTRY (widget))
    {
      if (gtk_widget_get_mapped (widget))
        g_ptr_array_add (entries, widget);
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    ag_test_collect_prompts (child, entries);
}

GPtrArray *
ag_test_prompts (GtkWidget *page)
{
  GPtrArray *entries = g_ptr_array_new ();

  ag_test_collect_prompts (page, entries);
  return entries;
}

guint
ag_test_n_prompts (GtkWidget *page)
{
  g_autoptr (GPtrArray) entries = ag_test_prompts (page);

  return entries->len;
}

/* The title shown over a prompt's entry. */
const char *
ag_test_prompt_title (GtkWidget *entry)
{
  GtkWidget *label = gtk_widget_get_prev_sibling (entry);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

/* The lock page's primary button ("Sign In" or "Unlock"): the suggested action. */
GtkWidget *
ag_test_find_sign_in_button (GtkWidget *widget)
{
  if (GTK_IS_BUTTON (widget) && gtk_widget_has_css_class (widget, "suggested-action"))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ag_test_find_sign_in_button (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

GtkWidget *
ag_test_find_lock_page (GtkWidget *widget)
{
  if (AG_IS_LOCK_PAGE (widget))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ag_test_find_lock_page (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}
