/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pg-conn"

#include "config.h"

#include <libsecret/secret.h>
#include <string.h>

#include "ag-pg-conn-private.h"

/*
 * Connecting to the PostgreSQL store under the rules of DESIGN §7: Unix-socket peer
 * authentication is the normal path and keeps no secret on the workstation; over TCP only
 * sslmode=verify-full; a password is never read from the URI, the command line, a file or
 * the environment, and where the server asks for one it comes from the Secret Service.
 */

/* libpq reads ~/.pgpass (or PGPASSFILE) unless told another file: one that cannot exist,
 * under a file that is no folder. */
#define NO_PASSFILE "/dev/null/agent-guard-reads-no-password-file"
/* A server that does not answer fails the call (closed) instead of hanging it. */
#define CONNECT_TIMEOUT_S "5"

static const SecretSchema password_schema = {
  "org.agentguard.AgentGuard.PgPassword",
  SECRET_SCHEMA_NONE,
  {
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "port", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "database", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

GQuark
ag_pg_error_quark (void)
{
  return g_quark_from_static_string ("ag-pg-error-quark");
}

static const char *
option_value (const PQconninfoOption *options, const char *keyword)
{
  for (const PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, keyword))
      return o->val != NULL && o->val[0] != '\0' ? o->val : NULL;
  return NULL;
}

/* Whether @hosts (libpq's comma-separated list) reaches a server over TCP. */
static gboolean
hosts_use_tcp (const char *hosts)
{
  g_auto (GStrv) each = NULL;

  if (hosts == NULL || hosts[0] == '\0')
    return FALSE;
  each = g_strsplit (hosts, ",", -1);
  for (guint i = 0; each[i] != NULL; i++)
    if (each[i][0] != '/' && each[i][0] != '@')
      return TRUE;
  return FALSE;
}

/**
 * ag_pg_check_uri:
 * @uri: a libpq URI (`postgresql://…`, `postgresql:///DB?host=/socket/dir`) or
 *   connection string
 * @error: return location for an error: %AG_PG_ERROR_INVALID_URI,
 *   %AG_PG_ERROR_PASSWORD or %AG_PG_ERROR_INSECURE
 *
 * Returns: %TRUE when @uri may be connected to
 */
gboolean
ag_pg_check_uri (const char *uri, GError **error)
{
  g_autofree char *message = NULL;
  PQconninfoOption *options;
  const char *host, *sslmode;
  gboolean tcp;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  options = PQconninfoParse (uri, &message);
  if (options == NULL)
    {
      g_set_error (error, AG_PG_ERROR, AG_PG_ERROR_INVALID_URI, "%s",
                   message != NULL ? g_strchomp (message) : uri);
      if (message != NULL)
        PQfreemem (g_steal_pointer (&message));
      return FALSE;
    }
  if (option_value (options, "password") != NULL || option_value (options, "passfile") != NULL
      || g_getenv ("PGPASSWORD") != NULL)
    {
      PQconninfoFree (options);
      g_set_error_literal (error, AG_PG_ERROR, AG_PG_ERROR_PASSWORD,
                           "A password is never taken from the store's URI, a file or "
                           "PGPASSWORD: it comes from the Secret Service");
      return FALSE;
    }
  host = option_value (options, "host");
  if (host == NULL)
    host = g_getenv ("PGHOST");
  sslmode = option_value (options, "sslmode");
  if (sslmode == NULL)
    sslmode = g_getenv ("PGSSLMODE");
  tcp = option_value (options, "hostaddr") != NULL || hosts_use_tcp (host);
  if (tcp && g_strcmp0 (sslmode, "verify-full") != 0)
    {
      PQconninfoFree (options);
      g_set_error_literal (error, AG_PG_ERROR, AG_PG_ERROR_INSECURE,
                           "A store over TCP needs sslmode=verify-full in its URI");
      return FALSE;
    }
  PQconninfoFree (options);
  return TRUE;
}

/* The server's notices (a REVOKE of a role the user did not have) are not ours to show. */
static void
ignore_notice (void *data, const char *message)
{
}

static PGconn *
connect_with (const char *uri, const char *password)
{
  /* Before the URI, which may set its own timeout; after it, what it may not change. */
  const char *const keywords[] = { "connect_timeout", "dbname", "passfile", "password", NULL };
  const char *const values[] = { CONNECT_TIMEOUT_S, uri, NO_PASSFILE, password, NULL };

  return PQconnectdbParams (keywords, values, TRUE);
}

/* The connection went where the rules allow: a socket, or TLS with verify-full. */
static gboolean
check_connection (PGconn *conn, GError **error)
{
  PQconninfoOption *options;
  gboolean ok;
  const char *host = PQhost (conn);

  if (host != NULL && (host[0] == '/' || host[0] == '@'))
    return TRUE;
  options = PQconninfo (conn);
  ok = PQsslInUse (conn) && options != NULL
       && g_strcmp0 (option_value (options, "sslmode"), "verify-full") == 0;
  if (options != NULL)
    PQconninfoFree (options);
  if (!ok)
    g_set_error_literal (error, AG_PG_ERROR, AG_PG_ERROR_INSECURE,
                         "A store over TCP needs sslmode=verify-full in its URI");
  return ok;
}

PGconn *
ag_pg_connect (const char *uri, GCancellable *cancellable, GError **error)
{
  PGconn *conn;

  g_return_val_if_fail (uri != NULL, NULL);

  if (!ag_pg_check_uri (uri, error))
    return NULL;
  conn = connect_with (uri, NULL);
  if (PQstatus (conn) != CONNECTION_OK && PQconnectionNeedsPassword (conn))
    {
      g_autoptr (GError) local_error = NULL;
      char *password = ag_pg_lookup_password (PQhost (conn), PQport (conn), PQdb (conn),
                                              PQuser (conn), cancellable, &local_error);

      if (local_error != NULL)
        g_debug ("No password from the Secret Service: %s", local_error->message);
      if (password != NULL)
        {
          PQfinish (conn);
          conn = connect_with (uri, password);
          explicit_bzero (password, strlen (password));
          g_free (password);
        }
    }
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strchomp (g_strdup (PQerrorMessage (conn)));

      g_set_error (error, AG_PG_ERROR, AG_PG_ERROR_CONNECT, "%s", message);
      PQfinish (conn);
      return NULL;
    }
  if (!check_connection (conn, error))
    {
      PQfinish (conn);
      return NULL;
    }
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

void
ag_pg_set_error (GError **error, PGconn *conn, const PGresult *result, const char *what)
{
  const char *state = result != NULL ? PQresultErrorField (result, PG_DIAG_SQLSTATE) : NULL;
  const char *text = result != NULL ? PQresultErrorMessage (result) : "";
  g_autofree char *message = NULL;
  AgPgError code = AG_PG_ERROR_FAILED;

  if (text == NULL || text[0] == '\0')
    text = PQerrorMessage (conn);
  message = g_strchomp (g_strdup (text));
  /* Gone, or going: libpq's own error (no SQLSTATE), a connection exception (08) or the
   * server shutting down (57P). libpq may only see it closed at the next call. */
  if (PQstatus (conn) != CONNECTION_OK || state == NULL || g_str_has_prefix (state, "08")
      || g_str_has_prefix (state, "57P"))
    code = AG_PG_ERROR_LOST;
  else if (g_strcmp0 (state, AG_PG_SQLSTATE_DENIED) == 0)
    code = AG_PG_ERROR_DENIED;
  g_set_error (error, AG_PG_ERROR, code, "%s: %s", what, message);
}

PGresult *
ag_pg_exec (PGconn *conn, const char *what, const char *sql, int n_params,
            const char *const *params, GError **error)
{
  PGresult *result;
  ExecStatusType status;

  if (n_params == 0)
    result = PQexec (conn, sql);
  else
    result = PQexecParams (conn, sql, n_params, NULL, params, NULL, NULL, 0);
  status = PQresultStatus (result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    return result;
  ag_pg_set_error (error, conn, result, what);
  PQclear (result);
  return NULL;
}

/**
 * ag_pg_lookup_password:
 *
 * Returns: (transfer full) (nullable): the password, to be wiped; %NULL when the Secret
 *   Service holds none (then @error is unset) or cannot be asked
 */
char *
ag_pg_lookup_password (const char *host, const char *port, const char *database, const char *user,
                       GCancellable *cancellable, GError **error)
{
  char *found;
  char *copy;

  found = secret_password_lookup_sync (&password_schema, cancellable, error, "host",
                                       host != NULL ? host : "", "port", port != NULL ? port : "",
                                       "database", database != NULL ? database : "", "user",
                                       user != NULL ? user : "", NULL);
  if (found == NULL)
    return NULL;
  copy = g_strdup (found);
  secret_password_free (found);
  return copy;
}

gboolean
ag_pg_store_password (const char *host, const char *port, const char *database, const char *user,
                      const char *password, GCancellable *cancellable, GError **error)
{
  g_autofree char *label = g_strdup_printf ("Agent Guard: PostgreSQL password of %s", user);

  return secret_password_store_sync (&password_schema, SECRET_COLLECTION_DEFAULT, label, password,
                                     cancellable, error, "host", host, "port", port, "database",
                                     database, "user", user, NULL);
}
