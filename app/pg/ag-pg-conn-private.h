/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <libpq-fe.h>

#include "ag-pg.h"

G_BEGIN_DECLS

/* Inside app/pg/ only: libpq's types stay here. */

#define AG_PG_SQLSTATE_DENIED "42501"

/* Connects to @uri under the rules of ag_pg_check_uri(); libpq never reads a password
 * file, and a password the server asks for comes from the Secret Service. Server notices
 * are dropped. */
PGconn *
ag_pg_connect (const char *uri, GCancellable *cancellable, GError **error);

/* Runs @sql with @n_params text parameters; a failure becomes @error (DENIED for
 * SQLSTATE 42501, LOST when the connection is gone, else FAILED), its message "@what:
 * the server's message". Returns the result (command or tuples) or %NULL. */
PGresult *
ag_pg_exec (PGconn *conn, const char *what, const char *sql, int n_params,
            const char *const *params, GError **error);

/* Sets @error from a failed @result (or the connection's state when %NULL). */
void
ag_pg_set_error (GError **error, PGconn *conn, const PGresult *result, const char *what);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

G_END_DECLS
