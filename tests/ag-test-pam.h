/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For UI tests: the private two-factor PAM stack of ag-test-guard.h and a helper that signs
 * in on a window's lock page the way an agent does: click, type, Enter.
 */

#pragma once

#include <adwaita.h>
#include <string.h>

#include "ag-lock-page.h"
#include "ag-test-guard.h"

/* The prompt entries the lock page shows now, in order (GtkPasswordEntry or GtkEntry,
 * never their inner GtkText). */
static inline void
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

static inline GPtrArray *
ag_test_prompts (GtkWidget *page)
{
  GPtrArray *entries = g_ptr_array_new ();

  ag_test_collect_prompts (page, entries);
  return entries;
}

static inline guint
ag_test_n_prompts (GtkWidget *page)
{
  g_autoptr (GPtrArray) entries = ag_test_prompts (page);

  return entries->len;
}

/* The title shown over a prompt's entry. */
static inline const char *
ag_test_prompt_title (GtkWidget *entry)
{
  GtkWidget *label = gtk_widget_get_prev_sibling (entry);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

/* The lock page's primary button ("Sign In" or "Unlock"): the suggested action. */
static inline GtkWidget *
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

/* Answers each prompt as it comes, by its title, typing into the entries and pressing
 * Enter in the last one, until @guard is no longer AUTHENTICATING. */
static inline void
ag_test_answer_prompts (GtkWidget *page, AgGuard *guard, const char *password, const char *code)
{
  while (TRUE)
    {
      g_autoptr (GPtrArray) entries = NULL;

      AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) != AG_GUARD_STATE_AUTHENTICATING
                          || ag_test_n_prompts (page) > 0);
      if (ag_guard_get_state (guard) != AG_GUARD_STATE_AUTHENTICATING)
        return;

      entries = ag_test_prompts (page);
      /* The page drops the prompt widgets when the answers go: keep them for the check. */
      g_ptr_array_set_free_func (entries, g_object_unref);
      for (guint i = 0; i < entries->len; i++)
        g_object_ref (g_ptr_array_index (entries, i));
      for (guint i = 0; i < entries->len; i++)
        {
          GtkWidget *entry = g_ptr_array_index (entries, i);
          const char *title = ag_test_prompt_title (entry);

          if (strstr (title, "Password") != NULL || strstr (title, "Senha") != NULL)
            gtk_editable_set_text (GTK_EDITABLE (entry), password);
          else
            gtk_editable_set_text (GTK_EDITABLE (entry), code);
        }
      for (guint i = 0; i < entries->len; i++)
        g_signal_emit_by_name (g_ptr_array_index (entries, i), "activate");
      /* The entries are emptied as the answers go. */
      for (guint i = 0; i < entries->len; i++)
        g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (entries, i)), ==, "");
      g_ptr_array_set_size (entries, 0);
      AG_TEST_WAIT_UNTIL (ag_guard_get_state (guard) != AG_GUARD_STATE_AUTHENTICATING
                          || ag_test_n_prompts (page) == 0);
    }
}

static inline GtkWidget *
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

/* Signs in on the lock page inside @root with the right password and the code of @step. */
static inline void
ag_test_sign_in (GtkWidget *root, AgGuard *guard, guint step)
{
  g_autofree char *code = ag_test_pam_code (step);
  GtkWidget *page = ag_test_find_lock_page (root);
  GtkWidget *button = page != NULL ? ag_test_find_sign_in_button (page) : NULL;

  g_assert_nonnull (button);
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_true (gtk_widget_get_mapped (page));
  g_signal_emit_by_name (button, "clicked");
  ag_test_answer_prompts (page, guard, AG_TEST_PASSWORD, code);
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_UNLOCKED);
}
