/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The PostgreSQL mode's errors (DESIGN §7), beside AG_STORE_ERROR. No libpq type in this
 * header: programs use the backend through it and AgStore only. */
#define AG_PG_ERROR (ag_pg_error_quark ())

typedef enum
{
  /* A statement failed (the message names what and says the server's reason). */
  AG_PG_ERROR_FAILED,
  /* The server refused it: SQLSTATE 42501, insufficient privilege. */
  AG_PG_ERROR_DENIED,
  /* Not a libpq URI or connection string. */
  AG_PG_ERROR_INVALID_URI,
  /* Over TCP without sslmode=verify-full. */
  AG_PG_ERROR_INSECURE,
  /* A password in the URI, a password file, or PGPASSWORD: a password comes from the
   * Secret Service only. */
  AG_PG_ERROR_PASSWORD,
  /* Could not connect. */
  AG_PG_ERROR_CONNECT,
  /* The connection went away during a call; the next call connects again. */
  AG_PG_ERROR_LOST,
  /* The database's schema is newer than this program's files (no downgrade). */
  AG_PG_ERROR_NEWER_SCHEMA,
  /* No schema files where they should be. */
  AG_PG_ERROR_NO_SCHEMA,
  /* The startup self-check found a grant that breaks the guard (the message names it). */
  AG_PG_ERROR_UNSAFE,
} AgPgError;

GQuark
ag_pg_error_quark (void);

/* Checks @uri against the connection rules before any connection is made: a libpq URI or
 * connection string, no password nor password file in it, and over TCP (any host that
 * is not a socket folder, from @uri or PGHOST) sslmode=verify-full. */
gboolean
ag_pg_check_uri (const char *uri, GError **error);

/* The password the Secret Service holds for @user on @host:@port/@database (attributes of
 * the schema org.agentguard.AgentGuard.PgPassword), or %NULL with @error unset when it
 * holds none. Blocks on D-Bus. */
char *
ag_pg_lookup_password (const char *host, const char *port, const char *database, const char *user,
                       GCancellable *cancellable, GError **error);

/* Stores that password (for the tests and an administrator's setup). */
gboolean
ag_pg_store_password (const char *host, const char *port, const char *database, const char *user,
                      const char *password, GCancellable *cancellable, GError **error);

G_END_DECLS
