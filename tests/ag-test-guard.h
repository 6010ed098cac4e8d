/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For tests of the core and the UI: a private two-factor PAM stack through AG_PAM_CONFDIR
 * (development builds) with the real pam_matrix and pam_oath, TOTP codes from liboath, and
 * a helper that signs an AgGuard in through it, answering the conversation as an agent
 * would. GIO only.
 */

#pragma once

#include <string.h>
#include <time.h>

#include <glib/gstdio.h>

#include "ag-guard.h"
#include "ag-test-util.h"

#define AG_TEST_MATRIX       "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
#define AG_TEST_OATH         "/lib/x86_64-linux-gnu/security/pam_oath.so"
#define AG_TEST_PASSWORD     "ui-Pw-5309"
#define AG_TEST_KEY_HEX      "3132333435363738393031323334353637383930"
#define AG_TEST_WAIT_SECONDS 120

/* Call once in main(), before any thread starts: the sessions read AG_PAM_CONFDIR. */
void
ag_test_pam_init (void);

void
ag_test_pam_cleanup (void);

/* Writes the password database, a fresh TOTP users file (so that a code is never a
 * replay of an earlier test's) and the service file: @before (may be NULL) comes first,
 * then pam_matrix and pam_oath. */
void
ag_test_pam_write_stack (const char *before);

/* The code for the time step @step steps from now: each sign-in in one test takes the
 * next step, as pam_oath refuses a code it has seen. */
char *
ag_test_pam_code (guint step);

gboolean
ag_test_wait_timed_out_cb (gpointer user_data);

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

/* Answers the password and code prompts of one batch; the code is that of *step. */
void
ag_test_guard_conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer user_data);

/* Signs @guard in with the right password and the code of @step (each sign-in in one test
 * takes the next step) through the stack of ag_test_pam_write_stack(). */
void
ag_test_guard_sign_in (AgGuard *guard, guint step);
