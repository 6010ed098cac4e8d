/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-policy.h"
#include "ag-roles.h"

G_BEGIN_DECLS

/* The largest policy file read: a real one is a few kilobytes. */
#define AG_POLICY_FILE_MAX_SIZE (1024 * 1024)

/* The group whose members write the supervisor layer (DESIGN §6). */
#define AG_POLICY_SUPERVISORS_GROUP AG_ROLES_SUPERVISORS_GROUP

gboolean
ag_policy_file_read (const char *path, AgPolicyLayer layer, char **out_contents, gsize *out_length,
                     GError **error);

G_END_DECLS
