/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-lock-page.h"
#include "ag-policy-source.h"
#include "ag-record-page.h"
#include "ag-session.h"
#include "ag-window.h"

G_BEGIN_DECLS

/* What AgWindow's files share: the window itself (ag-window.c: states, locking, the
 * sign-in events and the policy, the session watch), opening the store and committing the
 * sign-in (ag-window-store.c), searching and showing a record (ag-window-search.c), and
 * the actions (ag-window-actions.c). */

/**
 * AgWindow:
 *
 * The main window: a search entry and the results on the left, the selected customer's
 * record on the right, in an #AdwLeaflet that folds on narrow screens. Before that it
 * opens the store and says clearly when there is none or it cannot be opened.
 *
 * The window title is always "Agent Guard": a customer's name only ever appears inside
 * the window, where locking can take it away.
 *
 * The window starts locked, on the lock page, and renders what its #AgGuard says: the
 * store is opened after the first sign-in, and every lock destroys the record page and
 * the result rows and empties the search (DESIGN §9); after the unlock the agent is back
 * on the same customer, fetched again by id and masked again.
 *
 * It hands the guard the effective policy, from an #AgPolicySource that reloads it live
 * (a layer with errors is refused alone and the layers below it stay in force: the source
 * logs it, the window ledgers it as `policy-refused`, and the supervisor sees it with
 * `agent-guard-admin policy show`), and the opened store,
 * through which reveals are ledgered and unsealed. Opening another customer re-masks
 * every live reveal first.
 */
struct _AgWindow
{
  AdwApplicationWindow parent_instance;

  char *store_path;
  gboolean training;
  AgWindowState state; /* of the store; LOCKED is the guard's */
  GSettings *settings;
  AgGuard *guard;
  /* The user, the session id, the mode, the open store and the policy source. */
  AgSession *session;
  AgPolicyPaths *policy_paths;
  char *locked_record_id;
  GPtrArray *pending_entries; /* AgLedgerEntry*: events before the store was open */
  /* The sign-in held on the lock page until its entry is committed (ag_guard_hold_unlock()),
   * and that entry while the store is being opened for it. */
  guint sign_in_hold;
  AgLedgerEntry *sign_in_entry;

  GCancellable *open_cancellable;
  gboolean opening; /* the store is being opened */
  GCancellable *search_cancellable;
  /* Return asked for a search by an identifier: open its first result when it comes. */
  gboolean open_first_result;
  /* The text changed since the last search started (the entry waits a moment before
   * ::search-changed): what the list shows is not for the text in the entry. */
  gboolean results_stale;
  GCancellable *record_cancellable;
  GListModel *results;
  char *shown_id; /* the customer on screen, or being fetched for it */

  GtkStack *main_stack;
  GtkStack *status_stack;
  AdwWindowTitle *status_title;
  GtkLabel *no_store_command;
  GtkLabel *no_store_demo_command;
  AdwStatusPage *error_page;
  GtkLabel *error_detail;
  AdwLeaflet *leaflet;
  AdwWindowTitle *sidebar_title;
  GtkSearchEntry *search_entry;
  GtkStack *results_stack;
  AdwStatusPage *search_error_page;
  GtkListBox *results_list;
  GtkStack *content_stack;
  AdwStatusPage *record_error_page;
  AgRecordPage *record_page; /* NULL while locked */
  AgLockPage *lock_page;
  AgSessionWatch *session_watch; /* idle input, lock warning, focus loss, minimise */
  AgDesktopMonitor *desktop_monitor;
  AgNotifier *notifier;
};

enum
{
  PROP_0,
  PROP_STORE_PATH,
  PROP_TRAINING,
  PROP_STORE,
  PROP_STATE,
  PROP_GUARD,
  PROP_POLICY_PATHS,
  PROP_DESKTOP_MONITOR,
  PROP_NOTIFIER,
  N_PROPS
};

extern GParamSpec *ag_window_properties[N_PROPS];

/* ag-window.c */

gboolean
ag_window_is_unlocked (AgWindow *self);
void
ag_window_set_state (AgWindow *self, AgWindowState state);
/* Drops every customer from the window: the results and the record page with its
 * widgets. */
void
ag_window_forget_customers (AgWindow *self);

/* ag-window-store.c */

/* The line under an error for IT staff. */
char *
ag_window_format_technical_detail (const GError *error);
/* Hands what happened to the guard's ledger writer, in order, once the store is open. */
void
ag_window_flush_ledger (AgWindow *self);
/* Commits the held sign-in's entry, opening the store for it first when needed. */
void
ag_window_commit_sign_in (AgWindow *self);
void
ag_window_open_store (AgWindow *self);

/* ag-window-search.c */

void
ag_window_show_record (AgWindow *self, const char *id);
void
ag_window_class_init_search (GtkWidgetClass *widget_class);
void
ag_window_init_search (AgWindow *self);

/* ag-window-actions.c */

void
ag_window_class_init_actions (GtkWidgetClass *widget_class);

G_END_DECLS
