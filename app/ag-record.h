/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-field.h"

G_BEGIN_DECLS

#define AG_TYPE_RECORD (ag_record_get_type ())

G_DECLARE_FINAL_TYPE (AgRecord, ag_record, AG, RECORD, GObject)

/* One customer: id, display name and the masked fields, in AgPiiKind order. */
AgRecord *
ag_record_new (const char *id, const char *name);
void
ag_record_add_field (AgRecord *self, AgField *field);
const char *
ag_record_get_id (AgRecord *self);
const char *
ag_record_get_name (AgRecord *self);
GListModel *
ag_record_get_fields (AgRecord *self);
AgField *
ag_record_get_field (AgRecord *self, AgPiiKind kind);

G_END_DECLS
