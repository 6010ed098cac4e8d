/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-masked-label.h"

G_BEGIN_DECLS

/* For tests only: draws the masked text with another blur radius (0 draws it sharp), so a
 * test can prove that the blur is really applied. */
void
ag_masked_label_set_blur_radius_for_testing (AgMaskedLabel *self, double radius);

G_END_DECLS
