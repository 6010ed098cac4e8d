/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-roles"

#include "config.h"

#include "ag-roles.h"

#include "ag-policy.h"

/**
 * ag_roles_get_group:
 * @role: a role
 *
 * The Unix group whose members have @role. Development builds take it from
 * `AG_SUPERVISORS_GROUP` or `AG_TRAINEES_GROUP` when set, so that the tests can name a
 * group their user is in; release builds never read them (the agent controls its
 * environment).
 *
 * Returns: the group's name
 */
const char *
ag_roles_get_group (AgRole role)
{
  const char *group
    = role == AG_ROLE_SUPERVISOR ? AG_ROLES_SUPERVISORS_GROUP : AG_ROLES_TRAINEES_GROUP;

#if DEVELOPMENT
  {
    const char *env
      = g_getenv (role == AG_ROLE_SUPERVISOR ? "AG_SUPERVISORS_GROUP" : "AG_TRAINEES_GROUP");

    if (env != NULL && *env != '\0')
      group = env;
  }
#endif

  return group;
}

/**
 * ag_roles_user_has:
 * @user_name: a Unix user
 * @role: a role
 *
 * Whether @user_name is a member of @role's group (ag_roles_get_group()), by the system's
 * group database. An unknown user has no role.
 *
 * Returns: %TRUE when @user_name has @role
 */
gboolean
ag_roles_user_has (const char *user_name, AgRole role)
{
  g_auto (GStrv) groups = NULL;

  g_return_val_if_fail (user_name != NULL, FALSE);

  groups = ag_policy_get_user_groups (user_name);
  return groups != NULL
         && g_strv_contains ((const char *const *) groups, ag_roles_get_group (role));
}
