/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-util"

#include "config.h"

#include "ag-sqlite-util.h"

AgSqliteFault
ag_sqlite_fault (int rc)
{
  switch (rc & 0xff)
    {
      case SQLITE_CORRUPT:
      case SQLITE_NOTADB:
      case SQLITE_SCHEMA:
        return AG_SQLITE_FAULT_CORRUPT;
      case SQLITE_IOERR:
      case SQLITE_FULL:
      case SQLITE_CANTOPEN:
      case SQLITE_READONLY:
      case SQLITE_PERM:
        return AG_SQLITE_FAULT_IO;
      case SQLITE_BUSY:
        return AG_SQLITE_FAULT_BUSY;
      default:
        return AG_SQLITE_FAULT_OTHER;
    }
}

void
ag_sqlite_set_error (GError **error, const AgSqliteErrors *errors, sqlite3 *db, int rc,
                     const char *what)
{
  g_set_error (error, errors->domain (), errors->codes[ag_sqlite_fault (rc)], "%s: %s", what,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
}

sqlite3_stmt *
ag_sqlite_prepare (sqlite3 *db, const char *sql, const AgSqliteErrors *errors, const char *what,
                   GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      ag_sqlite_set_error (error, errors, db, rc, what);
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

gboolean
ag_sqlite_exec (sqlite3 *db, const char *sql, const AgSqliteErrors *errors, const char *what,
                GError **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      ag_sqlite_set_error (error, errors, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

gboolean
ag_sqlite_table_exists (sqlite3 *db, const char *name, gboolean *exists,
                        const AgSqliteErrors *errors, const char *what, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  *exists = FALSE;
  stmt = ag_sqlite_prepare (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                            errors, what, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      ag_sqlite_set_error (error, errors, db, rc, what);
      return FALSE;
    }
  *exists = rc == SQLITE_ROW;
  return TRUE;
}
