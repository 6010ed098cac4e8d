/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-policy-source.h"

G_BEGIN_DECLS

#define AG_TYPE_POLICY_NOTICE (ag_policy_notice_get_type ())

G_DECLARE_FINAL_TYPE (AgPolicyNotice, ag_policy_notice, AG, POLICY_NOTICE, GtkWidget)

GtkWidget *
ag_policy_notice_new (AgPolicySource *source);
AgPolicySource *
ag_policy_notice_get_source (AgPolicyNotice *self);
gboolean
ag_policy_notice_get_shown (AgPolicyNotice *self);
AgPolicyNotice *
ag_policy_notice_add_to_window (AdwApplicationWindow *window, AgPolicySource *source);

G_END_DECLS
