/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-guard.h"
#include "ag-record.h"

G_BEGIN_DECLS

#define AG_TYPE_RECORD_PAGE (ag_record_page_get_type ())

G_DECLARE_FINAL_TYPE (AgRecordPage, ag_record_page, AG, RECORD_PAGE, AdwBin)

GtkWidget *
ag_record_page_new (void);
GtkWidget *
ag_record_page_new_with_guard (AgGuard *guard);
AgGuard *
ag_record_page_get_guard (AgRecordPage *self);
AgRecord *
ag_record_page_get_record (AgRecordPage *self);
void
ag_record_page_set_record (AgRecordPage *self, AgRecord *record);
void
ag_record_page_policy_changed (AgRecordPage *self);

G_END_DECLS
