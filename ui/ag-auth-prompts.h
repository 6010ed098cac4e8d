/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-auth-session.h"

G_BEGIN_DECLS

#define AG_TYPE_AUTH_PROMPTS (ag_auth_prompts_get_type ())

G_DECLARE_FINAL_TYPE (AgAuthPrompts, ag_auth_prompts, AG, AUTH_PROMPTS, AdwBin)

GtkWidget *
ag_auth_prompts_new (void);
void
ag_auth_prompts_show_batch (AgAuthPrompts *self, AgAuthBatch *batch);
void
ag_auth_prompts_expect (AgAuthPrompts *self);
gboolean
ag_auth_prompts_get_waiting (AgAuthPrompts *self);
void
ag_auth_prompts_submit (AgAuthPrompts *self);
void
ag_auth_prompts_clear_prompts (AgAuthPrompts *self);
void
ag_auth_prompts_clear (AgAuthPrompts *self);

G_END_DECLS
