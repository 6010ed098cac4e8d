/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

void
ag_backends_register (void);

G_END_DECLS
