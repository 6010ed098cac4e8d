/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * A test-only SQLite VFS that wraps the default one and fails the Nth write, sync or
 * truncate (of the database, its WAL or its journal alike) with a chosen error, to prove
 * that every failure on the ledger path ends in "denied" and never in a value.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define AG_TEST_FAULTVFS_NAME "ag-test-fault"

/* Registers the VFS (once; not as the default) and returns its name. */
const char *
ag_test_faultvfs_register (void);

/* Starts counting again from 0 and injects nothing. */
void
ag_test_faultvfs_reset (void);

/* Fails the @n-th write, sync or truncate from now on (1-based) with @rc (SQLITE_FULL or
 * SQLITE_IOERR; an I/O error becomes the extended code of the call). With @sticky every
 * later call fails too, as on a disk that stays full. */
void
ag_test_faultvfs_fail_at (guint n, int rc, gboolean sticky);

/* Counted calls since the last reset or fail_at, and how many of them failed. */
guint
ag_test_faultvfs_get_calls (void);
guint
ag_test_faultvfs_get_failures (void);

/* Opens every database from now on read-only, as SQLite does with a file the user
 * cannot write (even when the tests run as root, whom permissions do not stop). */
void
ag_test_faultvfs_set_read_only (gboolean read_only);

G_END_DECLS
