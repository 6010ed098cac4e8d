/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For core tests of AgGuard and AgAuthSession (no GTK): a private two-factor PAM stack
 * in a folder read through AG_PAM_CONFDIR (development builds only), with the real
 * pam_matrix for the password and pam_oath for the TOTP code, computed with liboath.
 */

#pragma once

#include <liboath/oath.h>
#include <time.h>

#include <glib/gstdio.h>

#include "ag-auth-session.h"

#define AG_TEST_STACK_MATRIX   "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
#define AG_TEST_STACK_OATH     "/lib/x86_64-linux-gnu/security/pam_oath.so"
#define AG_TEST_STACK_PASSWORD "guard-Pw-7315"
#define AG_TEST_STACK_KEY_HEX  "3132333435363738393031323334353637383930"

/* Writes into @dir the password database, a fresh TOTP users file (so that no code is a
 * replay of an earlier test's: pam_oath refuses those) and the service file: pam_matrix
 * then pam_oath for auth, pam_matrix for account. */
static inline void
ag_test_pam_stack_write (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *passdb = g_build_filename (dir, "passdb", NULL);
  g_autofree char *oathdir = g_build_filename (dir, "oath", NULL);
  g_autofree char *usersfile = g_build_filename (oathdir, "users.oath", NULL);
  g_autofree char *service = g_build_filename (dir, AG_AUTH_SERVICE, NULL);
  g_autofree char *line = NULL;
  g_autofree char *stack = NULL;

  /* pam_oath rewrites its file: its folder must be the user's. */
  g_assert_cmpint (g_mkdir_with_parents (oathdir, 0700), ==, 0);
  line
    = g_strdup_printf ("%s:%s:%s\n", g_get_user_name (), AG_TEST_STACK_PASSWORD, AG_AUTH_SERVICE);
  g_file_set_contents (passdb, line, -1, &error);
  g_assert_no_error (error);
  g_clear_pointer (&line, g_free);
  line = g_strdup_printf ("HOTP/T30/6 %s - %s\n", g_get_user_name (), AG_TEST_STACK_KEY_HEX);
  g_file_set_contents_full (usersfile, line, -1, G_FILE_SET_CONTENTS_NONE, 0600, &error);
  g_assert_no_error (error);

  stack = g_strdup_printf ("auth required " AG_TEST_STACK_MATRIX " passdb=%s\n"
                           "auth required " AG_TEST_STACK_OATH " usersfile=%s window=5\n"
                           "account required " AG_TEST_STACK_MATRIX " passdb=%s\n",
                           passdb, usersfile, passdb);
  g_file_set_contents (service, stack, -1, &error);
  g_assert_no_error (error);
}

/* The TOTP code @step time steps from now: each sign-in of one test takes the next step
 * (pam_oath accepts five either side). */
static inline char *
ag_test_pam_stack_code (guint step)
{
  char secret[20];
  size_t secret_len = sizeof secret;
  char code[16];

  g_assert_cmpint (oath_init (), ==, OATH_OK);
  g_assert_cmpint (oath_hex2bin (AG_TEST_STACK_KEY_HEX, secret, &secret_len), ==, OATH_OK);
  g_assert_cmpint (
    oath_totp_generate (secret, secret_len, time (NULL) + 30 * (time_t) step, 30, 0, 6, code), ==,
    OATH_OK);
  oath_done ();
  return g_strdup (code);
}
