/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Roles come from the system's group database: a member of the named group has the role,
 * anyone else (and an unknown user) has not. The tests name a group their own user is in
 * through the development builds' AG_SUPERVISORS_GROUP and AG_TRAINEES_GROUP.
 */

#include "config.h"

#include <grp.h>
#include <unistd.h>

#include "ag-roles.h"

static const char *
own_group (void)
{
  struct group *group = getgrgid (getgid ());

  g_assert_nonnull (group);
  return group->gr_name;
}

static void
test_default_groups (void)
{
  g_unsetenv ("AG_SUPERVISORS_GROUP");
  g_unsetenv ("AG_TRAINEES_GROUP");

  g_assert_cmpstr (ag_roles_get_group (AG_ROLE_SUPERVISOR), ==, "agent-guard-supervisors");
  g_assert_cmpstr (ag_roles_get_group (AG_ROLE_TRAINEE), ==, "agent-guard-trainees");
}

static void
test_member (void)
{
  g_autofree char *group = g_strdup (own_group ());

  if (!DEVELOPMENT)
    {
      g_test_skip ("release builds never take the groups from the environment");
      return;
    }

  g_setenv ("AG_TRAINEES_GROUP", group, TRUE);
  g_setenv ("AG_SUPERVISORS_GROUP", "no-such-group-agent-guard", TRUE);

  g_assert_true (ag_roles_user_has (g_get_user_name (), AG_ROLE_TRAINEE));
  g_assert_false (ag_roles_user_has (g_get_user_name (), AG_ROLE_SUPERVISOR));

  g_setenv ("AG_SUPERVISORS_GROUP", group, TRUE);
  g_assert_true (ag_roles_user_has (g_get_user_name (), AG_ROLE_SUPERVISOR));

  g_unsetenv ("AG_SUPERVISORS_GROUP");
  g_unsetenv ("AG_TRAINEES_GROUP");
}

static void
test_unknown_user (void)
{
  /* Even where the group is one the test's user is in. */
  g_setenv ("AG_TRAINEES_GROUP", own_group (), TRUE);

  g_assert_false (ag_roles_user_has ("no-such-user-agent-guard", AG_ROLE_TRAINEE));

  g_unsetenv ("AG_TRAINEES_GROUP");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/roles/default-groups", test_default_groups);
  g_test_add_func ("/roles/member", test_member);
  g_test_add_func ("/roles/unknown-user", test_unknown_user);

  return g_test_run ();
}
