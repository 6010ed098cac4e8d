/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Unix groups that give a user a role beside agent (README "Install"): members of the
 * first may open the supervisor console and write the supervisors' policy layer; members
 * of the second are always in training mode. */
#define AG_ROLES_SUPERVISORS_GROUP "agent-guard-supervisors"
#define AG_ROLES_TRAINEES_GROUP    "agent-guard-trainees"

typedef enum
{
  AG_ROLE_SUPERVISOR,
  AG_ROLE_TRAINEE,
} AgRole;

const char *
ag_roles_get_group (AgRole role);
gboolean
ag_roles_user_has (const char *user_name, AgRole role);

G_END_DECLS
