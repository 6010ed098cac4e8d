/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-guard.h"

G_BEGIN_DECLS

#define AG_TYPE_LOCK_PAGE (ag_lock_page_get_type ())

G_DECLARE_FINAL_TYPE (AgLockPage, ag_lock_page, AG, LOCK_PAGE, AdwBin)

GtkWidget *
ag_lock_page_new (AgGuard *guard);
AgGuard *
ag_lock_page_get_guard (AgLockPage *self);

G_END_DECLS
