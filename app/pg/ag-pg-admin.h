/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-pg.h"

G_BEGIN_DECLS

/* The PostgreSQL mode's schema and its people (DESIGN §7), for `agent-guard-admin pg`. */

typedef struct
{
  int current; /* the database's schema version before, 0 for none; -1 when not read */
  int latest;  /* the newest version of the schema files */
  int applied; /* the last version applied now; 0 when none was */
} AgPgSchemaStatus;

/* The folder of the schema files NNN-*.sql: the installed one, or in development builds
 * the source tree's. */
const char *
ag_pg_schema_dir (void);

/* Applies each schema file of @dir newer than the database's version, in order, each in
 * one transaction; refuses (AG_PG_ERROR_NEWER_SCHEMA) a database newer than the files.
 * The files are listed before connecting (AG_PG_ERROR_NO_SCHEMA, or a G_FILE_ERROR). A
 * failure to read the version leaves @status->current at -1. */
gboolean
ag_pg_admin_init (const char *uri, const char *dir, AgPgSchemaStatus *status, GError **error);

/* The Agent Guard group roles a person may hold: agent, supervisor, trainee, auditor. */
const char *const *
ag_pg_admin_roles (void);

/* Whether @user may be a role of the floor: a lower-case Unix user name, not one of Agent
 * Guard's own roles nor PostgreSQL's. */
gboolean
ag_pg_admin_valid_user_name (const char *user);

/* Gives @user the group role @role (one of ag_pg_admin_roles()) in place of any other, or
 * none when %NULL, in one transaction; makes @user a LOGIN role first when it does not
 * exist. */
gboolean
ag_pg_admin_set_role (const char *uri, const char *user, const char *role, GError **error);

G_END_DECLS
