/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-guard.h"
#include "ag-ledger.h"
#include "ag-policy-source.h"
#include "ag-store.h"

G_BEGIN_DECLS

#define AG_TYPE_SESSION (ag_session_get_type ())

G_DECLARE_FINAL_TYPE (AgSession, ag_session, AG, SESSION, GObject)

AgSession *
ag_session_new (AgGuard *guard, AgLedgerMode mode, AgPolicySource *policy_source);

/* The training boundary (issue 16): the one place that decides live or training. */

/* How many synthetic customers a trainee's training store is filled with at first use. */
#define AG_SESSION_TRAINING_CUSTOMERS 200

/* A trainee (AG_ROLE_TRAINEE) is always in training mode; anyone else when they ask. */
AgLedgerMode
ag_session_choose_mode (const char *user, gboolean training_asked, gboolean *out_trainee);
/* ag_session_new() in the mode ag_session_choose_mode() gives the guard's user. */
AgSession *
ag_session_new_for_user (AgGuard *guard, gboolean training_asked, AgPolicySource *policy_source);
gboolean
ag_session_get_trainee (AgSession *self);
char *
ag_session_get_training_store_path (const char *user);
guint64
ag_session_get_training_seed (const char *user);
AgStore *
ag_session_open_store_for (const char *user, AgLedgerMode mode, const char *location,
                           gboolean create, GCancellable *cancellable, GError **error);
AgStore *
ag_session_open_store (AgSession *self, const char *location, gboolean create,
                       GCancellable *cancellable, GError **error);

AgGuard *
ag_session_get_guard (AgSession *self);
const char *
ag_session_get_user (AgSession *self);
const char *
ag_session_get_host (AgSession *self);
const char *
ag_session_get_session_id (AgSession *self);
AgLedgerMode
ag_session_get_mode (AgSession *self);
gboolean
ag_session_get_training (AgSession *self);
AgPolicySource *
ag_session_get_policy_source (AgSession *self);
AgStore *
ag_session_get_store (AgSession *self);
void
ag_session_set_store (AgSession *self, AgStore *store);

/* The ledger entry of @event with what every entry of this session carries: the user, this
 * host, the session id and the mode. */
AgLedgerEntry *
ag_session_new_entry (AgSession *self, AgLedgerEvent event);
/* The ledger entry of a guard event (ag_guard_event_to_ledger_entry()) in this session. */
AgLedgerEntry *
ag_session_guard_event_to_entry (AgSession *self, const AgGuardEvent *event);

G_END_DECLS
