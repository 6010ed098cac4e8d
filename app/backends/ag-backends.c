/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-backends"

#include "config.h"

#include <string.h>

#include "ag-backends.h"
#include "ag-pg-store.h"
#include "ag-sqlite-store.h"
#include "ag-store.h"

static AgStore *
open_sqlite_path (const char *path, AgStoreOpenFlags flags, GCancellable *cancellable,
                  GError **error)
{
  if (*path == '\0')
    {
      g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                           "The store location names no file");
      return NULL;
    }
  return AG_STORE (ag_sqlite_store_open (
    path,
    ((flags & AG_STORE_OPEN_CREATE) ? AG_SQLITE_STORE_OPEN_CREATE : AG_SQLITE_STORE_OPEN_DEFAULT)
      | ((flags & AG_STORE_OPEN_TRAINING) ? AG_SQLITE_STORE_OPEN_TRAINING : 0),
    cancellable, error));
}

/* `sqlite:PATH`. */
static AgStore *
open_sqlite (const char *location, AgStoreOpenFlags flags, GCancellable *cancellable,
             GError **error)
{
  g_assert (g_ascii_strncasecmp (location, "sqlite:", strlen ("sqlite:")) == 0);

  return open_sqlite_path (location + strlen ("sqlite:"), flags, cancellable, error);
}

/* `postgresql://…` and `postgres://…`: libpq URIs. The schema is made by `agent-guard-admin
 * pg init`, never by opening. */
static AgStore *
open_pg (const char *location, AgStoreOpenFlags flags, GCancellable *cancellable, GError **error)
{
  return AG_STORE (ag_pg_store_open (location, cancellable, error));
}

/**
 * ag_backends_register:
 *
 * Makes every backend of this build known to ag_store_open(): a plain path and
 * `sqlite:PATH` open an embedded (SQLite) store, `postgresql://…` a PostgreSQL one. Call it once at
 * start; calling it again does nothing.
 */
void
ag_backends_register (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      ag_store_register_backend (NULL, open_sqlite_path);
      ag_store_register_backend ("sqlite", open_sqlite);
      ag_store_register_backend ("postgresql", open_pg);
      ag_store_register_backend ("postgres", open_pg);
      g_once_init_leave (&done, 1);
    }
}
