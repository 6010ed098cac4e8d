/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-policy.h"

G_BEGIN_DECLS

#define AG_TYPE_POLICY_SOURCE (ag_policy_source_get_type ())

G_DECLARE_FINAL_TYPE (AgPolicySource, ag_policy_source, AG, POLICY_SOURCE, GObject)

AgPolicySource *
ag_policy_source_new (const AgPolicyPaths *paths, const char *user_name, const char *const *groups);
AgPolicy *
ag_policy_source_get_policy (AgPolicySource *self);
const GError *
ag_policy_source_get_last_error (AgPolicySource *self);
GPtrArray *
ag_policy_source_get_warnings (AgPolicySource *self);
GPtrArray *
ag_policy_source_get_refusals (AgPolicySource *self);
const char *
ag_policy_source_get_user_name (AgPolicySource *self);
gboolean
ag_policy_source_reload (AgPolicySource *self, GError **error);

G_END_DECLS
