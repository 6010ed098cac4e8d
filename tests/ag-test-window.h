/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For UI tests and benchmarks: looking at a widget tree (by type, by label, every text it
 * holds) and driving an AgWindow as an agent does: sign in, search, open a customer,
 * reveal a field through the dialog, read the window's ledger back; pressing keys for real,
 * through the X server.
 */

#pragma once

#include <adwaita.h>

#include "ag-desktop-monitor.h"
#include "ag-field-row.h"
#include "ag-policy-source.h"
#include "ag-record-page.h"
#include "ag-reveal-dialog.h"
#include "ag-window.h"

/* Looking at widgets */
typedef gboolean (*AgTestWidgetPredicate) (GtkWidget *widget, gconstpointer data);

GtkWidget *
ag_test_find_widget (GtkWidget *root, AgTestWidgetPredicate predicate, gconstpointer data);
GtkWidget *
ag_test_find_type (GtkWidget *root, GType type);
void
ag_test_collect_type (GtkWidget *root, GType type, GPtrArray *found);
GtkWidget *
ag_test_find_label (GtkWidget *root, const char *text, gboolean mapped);
void
ag_test_collect_texts (GtkWidget *widget, GPtrArray *texts);

/* The reveal dialog */
AgRevealDialog *
ag_test_find_reveal_dialog (void);
GtkWidget *
ag_test_reveal_dialog_button (AgRevealDialog *dialog);
AgReveal *
ag_test_reveal_field (AgFieldRow *row, const char *reason);

/* Real key presses */
void
ag_test_press_keys (GtkWindow *window, const char *keys);
void
ag_test_type_text (GtkWindow *window, const char *text);

/* The lock page */
GtkWidget *
ag_test_focused_prompt (GtkWidget *page);
void
ag_test_answer_prompts (GtkWidget *page, AgGuard *guard, const char *password, const char *code);
void
ag_test_sign_in (GtkWidget *root, AgGuard *guard, guint step);

/* The window */
AgWindow *
ag_test_open_signed_in_window (const char *store_path, AgGuard *guard, AgPolicyPaths *paths,
                               AgDesktopMonitor *monitor);
void
ag_test_close_window (AgWindow *window);
GtkWidget *
ag_test_find_result_row (GtkWidget *window, const char *id);
AgRecordPage *
ag_test_open_customer (AgWindow *window, const char *id);
AgFieldRow *
ag_test_find_field_row (AgRecordPage *page, AgPiiKind kind);
char *
ag_test_ledger_events (AgWindow *window);
