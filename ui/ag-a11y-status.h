/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AG_TYPE_A11Y_STATUS (ag_a11y_status_get_type ())

G_DECLARE_FINAL_TYPE (AgA11yStatus, ag_a11y_status, AG, A11Y_STATUS, GObject)

AgA11yStatus *
ag_a11y_status_get_default (void);
gboolean
ag_a11y_status_get_screen_reader (AgA11yStatus *self);

G_END_DECLS
