/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pg-admin"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ag-pg-admin.h"
#include "ag-pg-conn-private.h"

/*
 * The schema is the SQL file set app/pg/schema/NNN-*.sql, installed under
 * datadir/agent-guard/pg; development builds read it from the source tree. Run by a role
 * that may create roles (a superuser for the first version, which makes the pgcrypto
 * extension).
 */

#define ROLE_PREFIX "agent_guard_"

static const char *const group_roles[] = { "agent", "supervisor", "trainee", "auditor", NULL };

const char *
ag_pg_schema_dir (void)
{
#if DEVELOPMENT
  if (g_file_test (AG_PG_SOURCE_SCHEMA_DIR, G_FILE_TEST_IS_DIR))
    return AG_PG_SOURCE_SCHEMA_DIR;
#endif
  return AG_PG_SCHEMA_DIR;
}

const char *const *
ag_pg_admin_roles (void)
{
  return group_roles;
}

/* The schema files, sorted by version: "NNN-name.sql", NNN from 001. */
static GPtrArray *
schema_files (const char *dir, GError **error)
{
  g_autoptr (GDir) folder = g_dir_open (dir, 0, error);
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (folder == NULL)
    return NULL;
  while ((name = g_dir_read_name (folder)) != NULL)
    if (strlen (name) > 8 && g_ascii_isdigit (name[0]) && g_ascii_isdigit (name[1])
        && g_ascii_isdigit (name[2]) && name[3] == '-' && g_str_has_suffix (name, ".sql"))
      g_ptr_array_add (files, g_strdup (name));
  g_ptr_array_sort (files, (GCompareFunc) g_strcmp0);
  return g_steal_pointer (&files);
}

/* The database's schema version, 0 when it has none; -1 on failure. */
static int
current_version (PGconn *conn, GError **error)
{
  g_autoptr (PGresult) exists = NULL;
  g_autoptr (PGresult) result = NULL;

  exists
    = ag_pg_exec (conn, "schema version",
                  "SELECT to_regclass('agent_guard.schema_version') IS NOT NULL", 0, NULL, error);
  if (exists == NULL)
    return -1;
  if (!g_str_equal (PQgetvalue (exists, 0, 0), "t"))
    return 0;
  result = PQexec (conn, "SELECT coalesce(max(version), 0) FROM agent_guard.schema_version");
  if (PQresultStatus (result) != PGRES_TUPLES_OK || PQntuples (result) != 1)
    {
      g_autofree char *message = g_strchomp (g_strdup (PQresultErrorMessage (result)));
      const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);

      g_set_error_literal (error, AG_PG_ERROR,
                           g_strcmp0 (state, AG_PG_SQLSTATE_DENIED) == 0 ? AG_PG_ERROR_DENIED
                                                                         : AG_PG_ERROR_FAILED,
                           message);
      return -1;
    }
  return atoi (PQgetvalue (result, 0, 0));
}

static gboolean
run (PGconn *conn, const char *what, const char *sql, GError **error)
{
  g_autoptr (PGresult) result = ag_pg_exec (conn, what, sql, 0, NULL, error);

  return result != NULL;
}

/* Applies the files of @files newer than @status->current, each in one transaction. */
static gboolean
apply_files (PGconn *conn, const char *dir, GPtrArray *files, AgPgSchemaStatus *status,
             GError **error)
{
  for (guint i = 0; i < files->len; i++)
    {
      const char *name = files->pdata[i];
      g_autofree char *path = NULL;
      g_autofree char *sql = NULL;

      if (atoi (name) <= status->current)
        continue;
      path = g_build_filename (dir, name, NULL);
      if (!g_file_get_contents (path, &sql, NULL, error))
        return FALSE;
      if (!run (conn, name, "BEGIN", error))
        return FALSE;
      if (!run (conn, name, sql, error))
        {
          PQclear (PQexec (conn, "ROLLBACK"));
          return FALSE;
        }
      if (!run (conn, name, "COMMIT", error))
        return FALSE;
      status->applied = atoi (name);
    }
  return TRUE;
}

/**
 * ag_pg_admin_init:
 * @uri: the store
 * @dir: the schema files' folder (ag_pg_schema_dir())
 * @status: (out caller-allocates): the versions before and after
 * @error: return location for an error
 *
 * Creates or upgrades the schema; changes nothing when it is up to date.
 *
 * Returns: %TRUE when the database holds the newest schema
 */
gboolean
ag_pg_admin_init (const char *uri, const char *dir, AgPgSchemaStatus *status, GError **error)
{
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) local_error = NULL;
  PGconn *conn;
  gboolean ok;

  g_return_val_if_fail (uri != NULL && dir != NULL && status != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  *status = (AgPgSchemaStatus){ -1, 0, 0 };
  files = schema_files (dir, &local_error);
  if (files == NULL || files->len == 0)
    {
      g_set_error_literal (error, AG_PG_ERROR, AG_PG_ERROR_NO_SCHEMA,
                           local_error != NULL ? local_error->message : dir);
      return FALSE;
    }
  for (guint i = 0; i < files->len; i++)
    status->latest = MAX (status->latest, atoi (files->pdata[i]));

  conn = ag_pg_connect (uri, NULL, error);
  if (conn == NULL)
    return FALSE;
  status->current = current_version (conn, error);
  if (status->current < 0)
    ok = FALSE;
  else if (status->current > status->latest)
    {
      g_set_error (error, AG_PG_ERROR, AG_PG_ERROR_NEWER_SCHEMA,
                   "The database's schema is version %d, newer than this Agent Guard's (%d)",
                   status->current, status->latest);
      ok = FALSE;
    }
  else
    ok = apply_files (conn, dir, files, status, error);
  PQfinish (conn);
  return ok;
}

gboolean
ag_pg_admin_valid_user_name (const char *user)
{
  if (user == NULL || user[0] == '\0' || strlen (user) > 63
      || !(g_ascii_islower (user[0]) || user[0] == '_'))
    return FALSE;
  for (const char *p = user; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && strchr ("_.-", *p) == NULL)
      return FALSE;
  return !g_str_has_prefix (user, ROLE_PREFIX) && !g_str_has_prefix (user, "pg_");
}

/**
 * ag_pg_admin_set_role:
 * @uri: the store
 * @user: a valid user name (ag_pg_admin_valid_user_name())
 * @role: (nullable): one of ag_pg_admin_roles(), or %NULL for none
 * @error: return location for an error; %AG_PG_ERROR_DENIED when the connected role may
 *   not grant roles
 *
 * Returns: %TRUE once committed
 */
gboolean
ag_pg_admin_set_role (const char *uri, const char *user, const char *role, GError **error)
{
  g_autoptr (GString) sql = g_string_new ("BEGIN;");
  char *identifier;
  char *literal;
  PGconn *conn;
  gboolean ok;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (ag_pg_admin_valid_user_name (user), FALSE);
  g_return_val_if_fail (role == NULL || g_strv_contains (group_roles, role), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  conn = ag_pg_connect (uri, NULL, error);
  if (conn == NULL)
    return FALSE;

  identifier = PQescapeIdentifier (conn, user, strlen (user));
  literal = PQescapeLiteral (conn, user, strlen (user));
  if (role != NULL)
    g_string_append_printf (sql,
                            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles"
                            " WHERE rolname = %s) THEN CREATE ROLE %s LOGIN; END IF; END $$;",
                            literal, identifier);
  for (guint i = 0; group_roles[i] != NULL; i++)
    if (role == NULL || !g_str_equal (role, group_roles[i]))
      g_string_append_printf (sql, "REVOKE " ROLE_PREFIX "%s FROM %s;", group_roles[i], identifier);
  if (role != NULL)
    g_string_append_printf (sql, "GRANT " ROLE_PREFIX "%s TO %s;", role, identifier);
  g_string_append (sql, "COMMIT;");
  PQfreemem (identifier);
  PQfreemem (literal);

  ok = run (conn, user, sql->str, error);
  if (!ok)
    PQclear (PQexec (conn, "ROLLBACK"));
  PQfinish (conn);
  return ok;
}
