/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-field.h"
#include "ag-guard.h"

G_BEGIN_DECLS

#define AG_TYPE_FIELD_ROW (ag_field_row_get_type ())

G_DECLARE_FINAL_TYPE (AgFieldRow, ag_field_row, AG, FIELD_ROW, AdwActionRow)

GtkWidget *
ag_field_row_new (AgField *field, AgGuard *guard);
AgField *
ag_field_row_get_field (AgFieldRow *self);
AgGuard *
ag_field_row_get_guard (AgFieldRow *self);
gboolean
ag_field_row_get_can_reveal (AgFieldRow *self);
gboolean
ag_field_row_get_can_copy (AgFieldRow *self);
void
ag_field_row_policy_changed (AgFieldRow *self);
AgReveal *
ag_field_row_get_reveal (AgFieldRow *self);
GtkWindow *
ag_field_row_open_reveal_dialog (AgFieldRow *self);

G_END_DECLS
