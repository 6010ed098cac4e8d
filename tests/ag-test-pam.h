/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For UI tests: the private two-factor PAM stack of ag-test-guard.h and what the lock page
 * shows of it (ag-test-window.h signs in on it the way an agent does: typing, Enter).
 */

#pragma once

#include <adwaita.h>
#include <string.h>

#include "ag-lock-page.h"
#include "ag-test-guard.h"

/* The prompt entries the lock page shows now, in order (GtkPasswordEntry or GtkEntry,
 * never their inner GtkText). */
void
ag_test_collect_prompts (GtkWidget *widget, GPtrArray *entries);

GPtrArray *
ag_test_prompts (GtkWidget *page);

guint
ag_test_n_prompts (GtkWidget *page);

/* The title shown over a prompt's entry. */
const char *
ag_test_prompt_title (GtkWidget *entry);

/* The lock page's primary button ("Sign In" or "Unlock"): the suggested action. */
GtkWidget *
ag_test_find_sign_in_button (GtkWidget *widget);

GtkWidget *
ag_test_find_lock_page (GtkWidget *widget);
