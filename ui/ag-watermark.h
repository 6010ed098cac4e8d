/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define AG_TYPE_WATERMARK (ag_watermark_get_type ())

G_DECLARE_FINAL_TYPE (AgWatermark, ag_watermark, AG, WATERMARK, GtkWidget)

GtkWidget *
ag_watermark_new (void);
const char *
ag_watermark_get_text (AgWatermark *self);

/* Puts a watermark over all of @window's content (an AdwApplicationWindow or AdwWindow), every page
 * of it, and, when @banner is not NULL, a banner with that text above the content. */
AgWatermark *
ag_watermark_add_to_window (GtkWindow *window, const char *banner);

G_END_DECLS
