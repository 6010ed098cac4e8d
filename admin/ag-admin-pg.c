/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-pg"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ag-admin.h"
#include "ag-pg-admin.h"

/*
 * agent-guard-admin pg init|grant|revoke: the PostgreSQL mode's schema and its people
 * (DESIGN §7). The work is app/pg/ag-pg-admin.c's; here are the options, the messages and
 * the exit codes.
 */

/* Prints what went wrong for @command and returns its exit code. */
static int
report (const char *command, const AgPgSchemaStatus *status, const GError *error)
{
  if (error->domain != AG_PG_ERROR)
    {
      ag_admin_printerr ("%s: %s", command, error->message);
      return AG_EXIT_IOERR;
    }
  switch ((AgPgError) error->code)
    {
      case AG_PG_ERROR_INVALID_URI:
        ag_admin_printerr (_("pg: not a PostgreSQL URI: %s"), error->message);
        return AG_EXIT_USAGE;
      case AG_PG_ERROR_INSECURE:
        ag_admin_printerr (_("pg: a store over TCP needs sslmode=verify-full in its URI"));
        return AG_EXIT_USAGE;
      case AG_PG_ERROR_PASSWORD:
        ag_admin_printerr (_("pg: a password never comes from the URI, a file or PGPASSWORD; "
                              "keep it in the Secret Service"));
        return AG_EXIT_USAGE;
      case AG_PG_ERROR_CONNECT:
        ag_admin_printerr (_("pg: could not connect: %s"), error->message);
        return AG_EXIT_IOERR;
      case AG_PG_ERROR_NO_SCHEMA:
        ag_admin_printerr (_("pg init: no schema files in %s"), error->message);
        return AG_EXIT_IOERR;
      case AG_PG_ERROR_NEWER_SCHEMA:
        ag_admin_printerr (_("pg init: the database's schema is version %d, newer than this "
                              "Agent Guard's (%d): refusing to downgrade"),
                           status->current, status->latest);
        return AG_EXIT_FAILURE;
      case AG_PG_ERROR_LOST:
        ag_admin_printerr ("pg: %s", error->message);
        return AG_EXIT_IOERR;
      case AG_PG_ERROR_DENIED:
      case AG_PG_ERROR_FAILED:
      case AG_PG_ERROR_UNSAFE:
      default:
        if (status != NULL && status->current < 0)
          ag_admin_printerr (_("pg: could not read the schema version: %s"), error->message);
        else
          ag_admin_printerr ("pg: %s", error->message);
        return error->code == AG_PG_ERROR_DENIED ? AG_EXIT_DENIED : AG_EXIT_FAILURE;
    }
}

int
ag_admin_pg_init (int argc, char **argv)
{
  g_autofree char *uri = NULL;
  GOptionEntry entries[] = { { "store", 0, 0, G_OPTION_ARG_STRING, &uri,
                               N_("The PostgreSQL store (a libpq URI)"), N_("URI") },
                             { NULL } };
  g_autoptr (GError) error = NULL;
  AgPgSchemaStatus status;

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

  if (!ag_pg_admin_init (uri, ag_pg_schema_dir (), &status, &error))
    return report ("pg init", &status, error);
  if (status.applied == 0)
    g_print (_("The schema is up to date (version %d).\n"), status.current);
  else
    g_print (_("The schema is now version %d.\n"), status.applied);
  return AG_EXIT_OK;
}

/* Sets @user's group role to @role, or none; returns the exit code. */
static int
set_role (const char *uri, const char *user, const char *role)
{
  g_autoptr (GError) error = NULL;

  if (!ag_pg_admin_set_role (uri, user, role, &error))
    return report ("pg", NULL, error);
  return AG_EXIT_OK;
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
  known = role != NULL && g_strv_contains (ag_pg_admin_roles (), role);
  if (uri == NULL || !known || argc != 2)
    {
      ag_admin_printerr (
        _("pg grant: expected USER, --store URI and --role agent|supervisor|trainee|auditor"));
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), "pg grant");
      return AG_EXIT_USAGE;
    }
  if (!ag_pg_admin_valid_user_name (argv[1]))
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
  if (!ag_pg_admin_valid_user_name (argv[1]))
    {
      ag_admin_printerr (_("pg revoke: “%s” is not a user name"), argv[1]);
      return AG_EXIT_USAGE;
    }
  exit_code = set_role (uri, argv[1], NULL);
  if (exit_code == AG_EXIT_OK)
    g_print (_("%s has no Agent Guard role now.\n"), argv[1]);
  return exit_code;
}
