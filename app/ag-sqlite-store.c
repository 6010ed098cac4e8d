/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#include "config.h"

#include "ag-sqlite-store.h"

/* Placeholder until the store lands. */
AgSqliteStore *
ag_sqlite_store_open (const char *path, AgSqliteStoreFlags flags, GCancellable *cancellable,
                      GError **error)
{
  g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_FAILED, "not implemented");
  return NULL;
}
