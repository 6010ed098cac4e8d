/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For UI tests: a private two-factor PAM stack through AG_PAM_CONFDIR (development builds)
 * with the real pam_matrix and pam_oath, TOTP codes from liboath, and a helper that signs
 * in on a window's lock page the way an agent does: click, type, Enter.
 */

#pragma once

#include <adwaita.h>
#include <liboath/oath.h>
#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "ag-guard.h"
#include "ag-lock-page.h"
#include "ag-test-util.h"

#define AG_TEST_MATRIX       "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
#define AG_TEST_OATH         "/lib/x86_64-linux-gnu/security/pam_oath.so"
#define AG_TEST_PASSWORD     "ui-Pw-5309"
#define AG_TEST_KEY_HEX      "3132333435363738393031323334353637383930"
#define AG_TEST_WAIT_SECONDS 120

static char *ag_test_pam_dir;

/* Call once in main(), before any thread starts: the sessions read AG_PAM_CONFDIR. */
static inline void
ag_test_pam_init (void)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_dir = g_dir_make_tmp ("ag-ui-pam-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("AG_PAM_CONFDIR", ag_test_pam_dir, TRUE);
}

static inline void
ag_test_pam_cleanup (void)
{
  ag_test_remove_tree (ag_test_pam_dir);
  g_clear_pointer (&ag_test_pam_dir, g_free);
}

/* Writes the password database, a fresh TOTP users file (so that a code is never a
 * replay of an earlier test's) and the service file: @before (may be NULL) comes first,
 * then pam_matrix and pam_oath. */
static inline void
ag_test_pam_write_stack (const char *before)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *passdb = g_build_filename (ag_test_pam_dir, "passdb", NULL);
  g_autofree char *oathdir = g_build_filename (ag_test_pam_dir, "oath", NULL);
  g_autofree char *usersfile = g_build_filename (oathdir, "users.oath", NULL);
  g_autofree char *service = g_build_filename (ag_test_pam_dir, AG_AUTH_SERVICE, NULL);
  g_autofree char *line = NULL;
  g_autofree char *stack = NULL;

  g_mkdir_with_parents (oathdir, 0700);
  line = g_strdup_printf ("%s:%s:%s\n", g_get_user_name (), AG_TEST_PASSWORD, AG_AUTH_SERVICE);
  g_file_set_contents (passdb, line, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("HOTP/T30/6 %s - %s\n", g_get_user_name (), AG_TEST_KEY_HEX);
  g_file_set_contents_full (usersfile, line, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);

  stack = g_strdup_printf ("%s"
                           "auth required " AG_TEST_MATRIX " passdb=%s\n"
                           "auth required " AG_TEST_OATH " usersfile=%s window=5\n"
                           "account required " AG_TEST_MATRIX " passdb=%s\n",
                           before != NULL ? before : "", passdb, usersfile, passdb);
  g_file_set_contents (service, stack, -1, &error);
  g_assert_no_error (error);
}

/* The code for the time step @step steps from now: each sign-in in one test takes the
 * next step, as pam_oath refuses a code it has seen. */
static inline char *
ag_test_pam_code (guint step)
{
  char secret[20];
  size_t secret_len = sizeof secret;
  char code[16];

  g_assert_cmpint (oath_init (), ==, OATH_OK);
  g_assert_cmpint (oath_hex2bin (AG_TEST_KEY_HEX, secret, &secret_len), ==, OATH_OK);
  g_assert_cmpint (
    oath_totp_generate (secret, secret_len, time (NULL) + 30 * (time_t) step, 30, 0, 6, code), ==,
    OATH_OK);
  oath_done ();
  return g_strdup (code);
}

static inline gboolean
ag_test_wait_timed_out_cb (gpointer user_data)
{
  g_error ("Gave up waiting for: %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* A failure timeout for waiting on the main loop, not a timed assertion. */
#define AG_TEST_WAIT_UNTIL(cond)                                                        \
  G_STMT_START                                                                          \
  {                                                                                     \
    guint timeout_id_                                                                   \
      = g_timeout_add_seconds (AG_TEST_WAIT_SECONDS, ag_test_wait_timed_out_cb, #cond); \
    while (!(cond))                                                                     \
      g_main_context_iteration (NULL, TRUE);                                            \
    g_source_remove (timeout_id_);                                                      \
  }                                                                                     \
  G_STMT_END

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
