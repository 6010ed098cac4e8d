/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gtk/gtk.h>

#include "ag-reveal.h"

G_BEGIN_DECLS

#define AG_TYPE_MASKED_LABEL (ag_masked_label_get_type ())

G_DECLARE_FINAL_TYPE (AgMaskedLabel, ag_masked_label, AG, MASKED_LABEL, GtkWidget)

/* The blur radius a masked field is drawn with, in pixels. What is drawn is the mask,
 * which is safe to read back, and the agent must read the digits it keeps to match a
 * caller: the blur is a soft cue that the field is hidden, not the protection. */
#define AG_MASKED_LABEL_BLUR_RADIUS 1.5

GtkWidget *
ag_masked_label_new (const char *field_label, const char *masked);
const char *
ag_masked_label_get_masked (AgMaskedLabel *self);
void
ag_masked_label_set_masked (AgMaskedLabel *self, const char *masked);
const char *
ag_masked_label_get_field_label (AgMaskedLabel *self);
void
ag_masked_label_set_field_label (AgMaskedLabel *self, const char *field_label);
gboolean
ag_masked_label_get_revealed (AgMaskedLabel *self);
AgReveal *
ag_masked_label_get_reveal (AgMaskedLabel *self);
void
ag_masked_label_set_reveal (AgMaskedLabel *self, AgReveal *reveal);

G_END_DECLS
