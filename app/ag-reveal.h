/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-pii.h"
#include "ag-secret.h"

G_BEGIN_DECLS

/* Why a revealed value went back to its mask; the string forms (ag_remask_cause_to_string())
 * are the `cause` of the ledger's `remask` entry. */
typedef enum
{
  AG_REMASK_CAUSE_EXPIRED,        /* "expired": reveal-duration passed */
  AG_REMASK_CAUSE_HIDDEN,         /* "hidden": the agent hid it */
  AG_REMASK_CAUSE_RECORD_CHANGED, /* "record-changed": another customer was opened */
  AG_REMASK_CAUSE_LOCK,           /* "lock": the session locked */
  AG_REMASK_CAUSE_FOCUS_LOSS,     /* "focus-loss": the window lost focus (policy) */
  AG_REMASK_CAUSE_CLOSE,          /* "close": the window or the guard went away */
  AG_REMASK_CAUSE_INSPECTOR,      /* "inspector": the GTK inspector opened (development) */
} AgRemaskCause;

#define AG_TYPE_REVEAL (ag_reveal_get_type ())

G_DECLARE_FINAL_TYPE (AgReveal, ag_reveal, AG, REVEAL, GObject)

const char *
ag_remask_cause_to_string (AgRemaskCause cause);

/* For AgGuard only: a live reveal owning @value (transfer full, wiped on free). */
AgReveal *
ag_reveal_new (const char *record_id, AgPiiKind kind, AgSecret *value, gint64 revealed_at_us,
               gint64 expires_at_us);
/* For AgGuard only: wipes the value; ::notify::active and ::remasked follow. Idempotent. */
void
ag_reveal_remask (AgReveal *self, AgRemaskCause cause);

const char *
ag_reveal_get_record_id (AgReveal *self);
AgPiiKind
ag_reveal_get_kind (AgReveal *self);
/* The value, NUL-terminated UTF-8 in locked memory, while the reveal is active; %NULL
 * once it was re-masked. Never copy it anywhere that outlives the reveal. */
const char *
ag_reveal_get_value (AgReveal *self);
/* TRUE until re-masked (property "active"). */
gboolean
ag_reveal_get_active (AgReveal *self);
/* On the guard's clock, microseconds since the epoch. */
gint64
ag_reveal_get_revealed_at (AgReveal *self);
gint64
ag_reveal_get_expires_at (AgReveal *self);

G_END_DECLS
