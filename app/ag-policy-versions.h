/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The file of the supervisors' layer that `policy set` and the console write, and the
 * folder (beside it, never read as a layer) that keeps every version of it. */
#define AG_POLICY_VERSIONS_FILE   "console.conf"
#define AG_POLICY_VERSIONS_FOLDER "history"

/**
 * AgPolicyVersion:
 * @number: 1, 2, …
 * @author: who saved it
 * @time_us: when, UTC
 * @comment: (nullable): why, one line
 * @body: the policy text of that version: `[team:…]` and `[user:…]` sections
 *
 * One saved version of the supervisors' file.
 */
typedef struct
{
  guint number;
  char *author;
  gint64 time_us;
  char *comment;
  char *body;
} AgPolicyVersion;

void
ag_policy_version_free (AgPolicyVersion *version);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgPolicyVersion, ag_policy_version_free)

GPtrArray *
ag_policy_versions_list (const char *supervisor_dir, GError **error);
AgPolicyVersion *
ag_policy_versions_get (const char *supervisor_dir, guint number, GError **error);
char *
ag_policy_versions_set_value (const char *body, const char *section, const char *key,
                              const char *value, GError **error);
char *
ag_policy_versions_format (const AgPolicyVersion *version);
AgPolicyVersion *
ag_policy_versions_save (const char *supervisor_dir, const char *body, const char *author,
                         const char *comment, GError **error);

G_END_DECLS
