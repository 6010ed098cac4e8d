/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

void
ag_list_keynav_single_tab_stop (GtkListBox *list);
void
ag_list_keynav_leave (GtkListBox *list, GtkDirectionType direction);

G_END_DECLS
