/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#include "config.h"

#include <string.h>

#include "ag-sqlite-store-private.h"

/*
 * The store's mode and what ag_store_get_info() tells about it. The mode is the meta key
 * `mode`, written when the store is created; stores made before it existed have none and
 * are live, so they open as they did, without a migration.
 */

/* Reads the mode into @self->mode, under the opening (no lock needed yet). */
gboolean
_ag_sqlite_store_load_mode (AgSqliteStore *self, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *value;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, MODE_META_KEY, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  if (rc == SQLITE_DONE)
    {
      self->mode = AG_LEDGER_MODE_LIVE;
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    {
      _ag_sqlite_store_set_error (error, self->db, rc, "Could not read the store");
      g_prefix_error (error, "%s: ", self->path);
      return FALSE;
    }

  value = (const char *) sqlite3_column_text (stmt, 0);
  for (AgLedgerMode mode = AG_LEDGER_MODE_LIVE; mode < AG_LEDGER_N_MODES; mode++)
    if (g_strcmp0 (value, ag_ledger_mode_to_string (mode)) == 0)
      {
        self->mode = mode;
        return TRUE;
      }

  /* Not a mode this version knows: open it in none rather than guess. */
  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT,
               "%s: the store's mode “%s” is not one this version knows (live, training)",
               self->path, value != NULL ? value : "");
  return FALSE;
}

static AgLedgerMode
ag_sqlite_store_get_mode (AgStore *store)
{
  return AG_SQLITE_STORE (store)->mode;
}

static gint64
count_rows (AgSqliteStore *self, const char *sql, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _ag_sqlite_store_set_error (error, self->db, rc, "Could not count in the store");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

static gboolean
ag_sqlite_store_get_info (AgStore *store, AgStoreInfo *info, GError **error)
{
  AgSqliteStore *self = AG_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  info->format = "sqlite";
  info->format_version = AG_SQLITE_STORE_SCHEMA_VERSION;
  info->mode = self->mode;
  /* One read transaction: both counts are of the same moment. */
  if (!_ag_sqlite_store_exec (self, "BEGIN", error))
    return FALSE;
  info->n_records = count_rows (self, "SELECT count(*) FROM customer", error);
  info->n_ledger_entries
    = info->n_records < 0 ? -1 : count_rows (self, "SELECT count(*) FROM ledger", error);
  sqlite3_exec (self->db, "COMMIT", NULL, NULL, NULL);
  return info->n_ledger_entries >= 0;
}

void
_ag_sqlite_store_init_info (AgStoreInterface *iface)
{
  iface->get_mode = ag_sqlite_store_get_mode;
  iface->get_info = ag_sqlite_store_get_info;
}
