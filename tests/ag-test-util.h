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

G_END_DECLS
