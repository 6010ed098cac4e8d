/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gtk/gtk.h>

#include "ag-guard.h"

G_BEGIN_DECLS

/* The mime type password managers use to keep a copy out of clipboard histories (KDE
 * Klipper and others); its content is "secret". */
#define AG_SECRET_CLIPBOARD_HINT_MIME_TYPE "x-kde-passwordManagerHint"

void
ag_secret_clipboard_copy (GdkClipboard *clipboard, AgGuard *guard, AgReveal *reveal,
                          const char *text, guint clear_after_seconds);
gboolean
ag_secret_clipboard_has_manager (GdkDisplay *display);
gboolean
ag_secret_clipboard_holds_copy (GdkClipboard *clipboard);
void
ag_secret_clipboard_clear (GdkClipboard *clipboard);

G_END_DECLS
