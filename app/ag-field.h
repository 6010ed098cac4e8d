/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-pii.h"

G_BEGIN_DECLS

#define AG_TYPE_FIELD (ag_field_get_type ())

G_DECLARE_FINAL_TYPE (AgField, ag_field, AG, FIELD, GObject)

/* One PII field of a record as the UI sees it: its kind and its masked text. The value
 * itself is never here; the store reveals it by record id and kind. */
AgField *
ag_field_new (const char *record_id, AgPiiKind kind, const char *masked);
const char *
ag_field_get_record_id (AgField *self);
AgPiiKind
ag_field_get_kind (AgField *self);
const char *
ag_field_get_label (AgField *self);
const char *
ag_field_get_masked (AgField *self);

G_END_DECLS
