/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define AG_TYPE_NOTIFIER (ag_notifier_get_type ())

G_DECLARE_FINAL_TYPE (AgNotifier, ag_notifier, AG, NOTIFIER, GObject)

AgNotifier *
ag_notifier_new (void);
void
ag_notifier_show_lock_warning (AgNotifier *self, gint64 lock_time_us);
void
ag_notifier_withdraw_lock_warning (AgNotifier *self);
gboolean
ag_notifier_get_warning_shown (AgNotifier *self);
void
ag_notifier_show_idle_lock (AgNotifier *self, guint idle_seconds);
void
ag_notifier_flush (AgNotifier *self);
/* In training mode every notification says so (issue 16). */
void
ag_notifier_set_training (AgNotifier *self, gboolean training);

G_END_DECLS
