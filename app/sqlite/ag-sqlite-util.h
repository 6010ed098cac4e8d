/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* The SQLite helpers the store and the ledger storage share. */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* What a result code says happened, for a module to map onto its own error codes. */
typedef enum
{
  AG_SQLITE_FAULT_OTHER,
  AG_SQLITE_FAULT_CORRUPT, /* SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_SCHEMA */
  AG_SQLITE_FAULT_IO,      /* SQLITE_IOERR, _FULL, _CANTOPEN, _READONLY, _PERM */
  AG_SQLITE_FAULT_BUSY,    /* SQLITE_BUSY */
  AG_SQLITE_N_FAULTS
} AgSqliteFault;

/* A module's error domain and its code for each fault. */
typedef struct
{
  GQuark (*domain) (void);
  int codes[AG_SQLITE_N_FAULTS];
} AgSqliteErrors;

AgSqliteFault
ag_sqlite_fault (int rc);

/* Sets @error to "@what: SQLite's message" with the code @errors gives the fault of @rc.
 * SQLite's messages name tables and constraints, never bound values. */
void
ag_sqlite_set_error (GError **error, const AgSqliteErrors *errors, sqlite3 *db, int rc,
                     const char *what);

/* sqlite3_prepare_v2(), failing with @what. */
sqlite3_stmt *
ag_sqlite_prepare (sqlite3 *db, const char *sql, const AgSqliteErrors *errors, const char *what,
                   GError **error);

/* sqlite3_exec() without a callback, failing with @what. */
gboolean
ag_sqlite_exec (sqlite3 *db, const char *sql, const AgSqliteErrors *errors, const char *what,
                GError **error);

/* Whether @db has a table @name. */
gboolean
ag_sqlite_table_exists (sqlite3 *db, const char *name, gboolean *exists,
                        const AgSqliteErrors *errors, const char *what, GError **error);

G_END_DECLS
