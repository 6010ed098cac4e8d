/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-pg"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <libpq-fe.h>

#include "ag-admin.h"

/*
 * agent-guard-admin pg init|grant|revoke: the PostgreSQL mode's schema and its people
 * (DESIGN §7). The schema is the SQL file set app/pg/schema/NNN-*.sql, installed under
 * datadir/agent-guard/pg; development builds read it from the source tree. Run by a role
 * that may create roles (a superuser for `init`, which makes the pgcrypto extension).
 */

#define ROLE_PREFIX     "agent_guard_"
#define SQLSTATE_DENIED "42501"

static const char *const group_roles[] = { "agent", "supervisor", "trainee", "auditor" };

static const char *
schema_dir (void)
{
#if DEVELOPMENT
  if (g_file_test (AG_PG_SOURCE_SCHEMA_DIR, G_FILE_TEST_IS_DIR))
    return AG_PG_SOURCE_SCHEMA_DIR;
#endif
  return AG_PG_SCHEMA_DIR;
}

/* Over TCP, only a server whose certificate and name are checked (DESIGN §7). */
static gboolean
check_uri (const char *uri)
{
  g_autofree char *message = NULL;
  PQconninfoOption *options;
  const char *host = NULL;
  const char *sslmode = NULL;
  gboolean ok;

  options = PQconninfoParse (uri, &message);
  if (options == NULL)
    {
      ag_admin_printerr (_("pg: not a PostgreSQL URI: %s"), message != NULL ? message : uri);
      if (message != NULL)
        PQfreemem (g_steal_pointer (&message));
      return FALSE;
    }
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    {
      if (g_str_equal (o->keyword, "host"))
        host = o->val;
      else if (g_str_equal (o->keyword, "sslmode"))
        sslmode = o->val;
    }
  /* No host, or every host a socket folder: a Unix socket. */
  ok = host == NULL || host[0] == '\0' || host[0] == '/';
  if (host != NULL && !ok)
    {
      g_auto (GStrv) hosts = g_strsplit (host, ",", -1);

      ok = TRUE;
      for (guint i = 0; hosts[i] != NULL; i++)
        ok = ok && hosts[i][0] == '/';
      ok = ok || g_strcmp0 (sslmode, "verify-full") == 0;
    }
  PQconninfoFree (options);
  if (!ok)
    ag_admin_printerr (_("pg: a store over TCP needs sslmode=verify-full in its URI"));
  return ok;
}

/* The server's notices (a REVOKE of a role the user did not have) are not ours to show. */
static void
ignore_notice (void *data, const char *message)
{
}

static PGconn *
connect_store (const char *uri, int *exit_code)
{
  PGconn *conn;

  if (!check_uri (uri))
    {
      *exit_code = AG_EXIT_USAGE;
      return NULL;
    }
  conn = PQconnectdb (uri);
  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_autofree char *message = g_strchomp (g_strdup (PQerrorMessage (conn)));

      ag_admin_printerr (_("pg: could not connect: %s"), message);
      PQfinish (conn);
      *exit_code = AG_EXIT_IOERR;
      return NULL;
    }
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

/* Runs @sql; on failure prints it with @what and sets @exit_code (77 when denied). */
static gboolean
run_sql (PGconn *conn, const char *sql, const char *what, int *exit_code)
{
  PGresult *result = PQexec (conn, sql);
  ExecStatusType status = PQresultStatus (result);
  gboolean ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;

  if (!ok)
    {
      const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
      g_autofree char *message = g_strchomp (g_strdup (PQresultErrorMessage (result)));

      ag_admin_printerr ("pg: %s: %s", what, message);
      if (PQstatus (conn) != CONNECTION_OK)
        *exit_code = AG_EXIT_IOERR;
      else if (g_strcmp0 (state, SQLSTATE_DENIED) == 0)
        *exit_code = AG_EXIT_DENIED;
      else
        *exit_code = AG_EXIT_FAILURE;
    }
  PQclear (result);
  return ok;
}

/* The database's schema version, 0 when it has none; -1 on failure. */
static int
current_version (PGconn *conn, int *exit_code)
{
  const char *sql
    = "SELECT CASE WHEN to_regclass('agent_guard.schema_version') IS NULL THEN -1 ELSE 0 END";
  PGresult *result = PQexec (conn, sql);
  int version = -1;

  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    version = atoi (PQgetvalue (result, 0, 0));
  PQclear (result);
  if (version == -1)
    return 0;

  result = PQexec (conn, "SELECT coalesce(max(version), 0) FROM agent_guard.schema_version");
  if (PQresultStatus (result) == PGRES_TUPLES_OK && PQntuples (result) == 1)
    version = atoi (PQgetvalue (result, 0, 0));
  else
    {
      g_autofree char *message = g_strchomp (g_strdup (PQresultErrorMessage (result)));
      const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);

      ag_admin_printerr (_("pg: could not read the schema version: %s"), message);
      *exit_code = g_strcmp0 (state, SQLSTATE_DENIED) == 0 ? AG_EXIT_DENIED : AG_EXIT_FAILURE;
      version = -1;
    }
  PQclear (result);
  return version;
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

int
ag_admin_pg_init (int argc, char **argv)
{
  g_autofree char *uri = NULL;
  GOptionEntry entries[] = { { "store", 0, 0, G_OPTION_ARG_STRING, &uri,
                               N_("The PostgreSQL store (a libpq URI)"), N_("URI") },
                             { NULL } };
  g_autoptr (GPtrArray) files = NULL;
  g_autoptr (GError) error = NULL;
  const char *dir = schema_dir ();
  int exit_code = AG_EXIT_OK;
  int current, latest = 0, applied = 0;
  PGconn *conn;

  if (!ag_admin_parse_options (
        "pg init", NULL,
        _("Creates or upgrades Agent Guard's schema and group roles in a PostgreSQL database, "
           "applying each schema file the database does not have yet, in order, each in one "
           "transaction. Changes nothing when the schema is up to date; refuses a database "
           "whose schema is newer than this version of Agent Guard. Run it as a superuser."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (uri == NULL || argc != 1)
    {
      ag_admin_printerr (_("pg init: expected --store URI and nothing else"));
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), "pg init");
      return AG_EXIT_USAGE;
    }

  files = schema_files (dir, &error);
  if (files == NULL || files->len == 0)
    {
      ag_admin_printerr (_("pg init: no schema files in %s"),
                         error != NULL ? error->message : dir);
      return AG_EXIT_IOERR;
    }
  for (guint i = 0; i < files->len; i++)
    latest = MAX (latest, atoi (files->pdata[i]));

  conn = connect_store (uri, &exit_code);
  if (conn == NULL)
    return exit_code;
  current = current_version (conn, &exit_code);
  if (current < 0)
    goto out;
  if (current > latest)
    {
      ag_admin_printerr (_("pg init: the database's schema is version %d, newer than this "
                            "Agent Guard's (%d): refusing to downgrade"),
                         current, latest);
      exit_code = AG_EXIT_FAILURE;
      goto out;
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *name = files->pdata[i];
      g_autofree char *path = NULL;
      g_autofree char *sql = NULL;

      if (atoi (name) <= current)
        continue;
      path = g_build_filename (dir, name, NULL);
      if (!g_file_get_contents (path, &sql, NULL, &error))
        {
          ag_admin_printerr ("pg init: %s", error->message);
          exit_code = AG_EXIT_IOERR;
          goto out;
        }
      if (!run_sql (conn, "BEGIN", name, &exit_code))
        goto out;
      if (!run_sql (conn, sql, name, &exit_code))
        {
          PQclear (PQexec (conn, "ROLLBACK"));
          goto out;
        }
      if (!run_sql (conn, "COMMIT", name, &exit_code))
        goto out;
      applied = atoi (name);
    }

  if (applied == 0)
    g_print (_("The schema is up to date (version %d).\n"), current);
  else
    g_print (_("The schema is now version %d.\n"), applied);

out:
  PQfinish (conn);
  return exit_code;
}

static gboolean
valid_user_name (const char *user)
{
  if (user == NULL || user[0] == '\0' || strlen (user) > 63
      || !(g_ascii_islower (user[0]) || user[0] == '_'))
    return FALSE;
  for (const char *p = user; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && strchr ("_.-", *p) == NULL)
      return FALSE;
  return !g_str_has_prefix (user, ROLE_PREFIX) && !g_str_has_prefix (user, "pg_");
}

/* Sets @user's group role to @role ("agent" …), or to none when %NULL, in one
 * transaction; makes @user a LOGIN role first when it does not exist. @user is a valid
 * user name (valid_user_name()). */
static int
set_role (const char *uri, const char *user, const char *role)
{
  g_autoptr (GString) sql = g_string_new ("BEGIN;");
  int exit_code = AG_EXIT_OK;
  char *identifier;
  char *literal;
  PGconn *conn;

  conn = connect_store (uri, &exit_code);
  if (conn == NULL)
    return exit_code;

  identifier = PQescapeIdentifier (conn, user, strlen (user));
  literal = PQescapeLiteral (conn, user, strlen (user));
  if (role != NULL)
    g_string_append_printf (sql,
                            "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles"
                            " WHERE rolname = %s) THEN CREATE ROLE %s LOGIN; END IF; END $$;",
                            literal, identifier);
  for (guint i = 0; i < G_N_ELEMENTS (group_roles); i++)
    if (role == NULL || !g_str_equal (role, group_roles[i]))
      g_string_append_printf (sql, "REVOKE " ROLE_PREFIX "%s FROM %s;", group_roles[i], identifier);
  if (role != NULL)
    g_string_append_printf (sql, "GRANT " ROLE_PREFIX "%s TO %s;", role, identifier);
  g_string_append (sql, "COMMIT;");
  PQfreemem (identifier);
  PQfreemem (literal);

  if (!run_sql (conn, sql->str, user, &exit_code))
    PQclear (PQexec (conn, "ROLLBACK"));
  PQfinish (conn);
  return exit_code;
}

int
ag_admin_pg_grant (int argc, char **argv)
{
  g_autofree char *uri = NULL;
  g_autofree char *role = NULL;
  GOptionEntry entries[] = { { "store", 0, 0, G_OPTION_ARG_STRING, &uri,
                               N_("The PostgreSQL store (a libpq URI)"), N_("URI") },
                             { "role", 0, 0, G_OPTION_ARG_STRING, &role, N_("The role to give"),
                               N_("agent|supervisor|trainee|auditor") },
                             { NULL } };
  gboolean known = FALSE;
  int exit_code;

  if (!ag_admin_parse_options (
        "pg grant", _("USER"),
        _("Gives USER (the Unix user, which is also the database role it signs in as) one "
           "Agent Guard role, in place of any other it had, and makes the database role when "
           "it does not exist. Exits 77 when you may not grant roles."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;
  for (guint i = 0; role != NULL && i < G_N_ELEMENTS (group_roles); i++)
    known = known || g_str_equal (role, group_roles[i]);
  if (uri == NULL || !known || argc != 2)
    {
      ag_admin_printerr (
        _("pg grant: expected USER, --store URI and --role agent|supervisor|trainee|auditor"));
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), "pg grant");
      return AG_EXIT_USAGE;
    }
  if (!valid_user_name (argv[1]))
    {
      ag_admin_printerr (_("pg grant: “%s” is not a user name"), argv[1]);
      return AG_EXIT_USAGE;
    }
  exit_code = set_role (uri, argv[1], role);
  if (exit_code == AG_EXIT_OK)
    g_print (_("%s is now %s.\n"), argv[1], role);
  return exit_code;
}

int
ag_admin_pg_revoke (int argc, char **argv)
{
  g_autofree char *uri = NULL;
  GOptionEntry entries[] = { { "store", 0, 0, G_OPTION_ARG_STRING, &uri,
                               N_("The PostgreSQL store (a libpq URI)"), N_("URI") },
                             { NULL } };
  int exit_code;

  if (!ag_admin_parse_options ("pg revoke", _("USER"),
                               _("Takes every Agent Guard role from USER. The database role "
                                  "stays, with its ledger entries. Exits 77 when you may not "
                                  "revoke roles."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (uri == NULL || argc != 2)
    {
      ag_admin_printerr (_("pg revoke: expected USER and --store URI"));
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), "pg revoke");
      return AG_EXIT_USAGE;
    }
  if (!valid_user_name (argv[1]))
    {
      ag_admin_printerr (_("pg revoke: “%s” is not a user name"), argv[1]);
      return AG_EXIT_USAGE;
    }
  exit_code = set_role (uri, argv[1], NULL);
  if (exit_code == AG_EXIT_OK)
    g_print (_("%s has no Agent Guard role now.\n"), argv[1]);
  return exit_code;
}
