/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-guard.h"

G_BEGIN_DECLS

#define AG_TYPE_REVEAL_DIALOG (ag_reveal_dialog_get_type ())

G_DECLARE_FINAL_TYPE (AgRevealDialog, ag_reveal_dialog, AG, REVEAL_DIALOG, AdwWindow)

AgRevealDialog *
ag_reveal_dialog_new (AgGuard *guard, const char *record_id, AgPiiKind kind,
                      const char *field_label);
AgGuard *
ag_reveal_dialog_get_guard (AgRevealDialog *self);
const char *
ag_reveal_dialog_get_record_id (AgRevealDialog *self);
AgPiiKind
ag_reveal_dialog_get_kind (AgRevealDialog *self);
const char *
ag_reveal_dialog_get_reason (AgRevealDialog *self);
gboolean
ag_reveal_dialog_select_reason (AgRevealDialog *self, const char *code);
char *
ag_reveal_dialog_describe_error (AgGuard *guard, const GError *error);

G_END_DECLS
