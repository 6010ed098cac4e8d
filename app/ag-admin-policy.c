/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-policy"

#include "config.h"

#include "ag-admin.h"

/* Placeholders until the commands land. */
int
ag_admin_policy_show (int argc, char **argv)
{
  return AG_EXIT_FAILURE;
}

int
ag_admin_policy_check (int argc, char **argv)
{
  return AG_EXIT_FAILURE;
}
