/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Removes @path and, when it is a folder, everything in it; a missing path is fine. */
void
ag_test_remove_tree (const char *path);

/* Gives the processes @launcher starts @input as their standard input, from a file that is
 * already unlinked. Unlike a pipe it never makes the test's write fail (EPIPE) when the
 * process exits without reading it, as on a usage error. */
void
ag_test_launcher_set_input (GSubprocessLauncher *launcher, const char *input);

/* Writes @contents to @dir/@name (making its folders, 0755) and returns that path; put
 * does the same without. */
char *
ag_test_write_file (const char *dir, const char *name, const char *contents);
void
ag_test_put_file (const char *dir, const char *name, const char *contents);

/* How ag_test_run_admin() runs agent-guard-admin ($AG_ADMIN). */
typedef struct
{
  const char *input;      /* its standard input, or NULL for none */
  const char *const *env; /* NAME, VALUE pairs added to its environment, NULL-terminated */
  GPtrArray *needles;     /* strings that must appear in neither output (customer values) */
  gboolean stdout_free;   /* stdout may show anything (a revealed value): scan stderr only */
} AgTestAdminRun;

/* Runs agent-guard-admin with the NULL-terminated @args; fails the test when it dies of a
 * signal or shows a needle. Its stdout and stderr go to @out and @err when given. Returns
 * its exit status. */
int
ag_test_run_admin (const AgTestAdminRun *run, char **out, char **err, const char *const *args);

G_END_DECLS
