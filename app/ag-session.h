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
