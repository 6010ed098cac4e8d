/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-auth-session.h"
#include "ag-ledger.h"

G_BEGIN_DECLS

typedef enum
{
  AG_GUARD_STATE_LOCKED,         /* nothing from the store may be on screen */
  AG_GUARD_STATE_AUTHENTICATING, /* a PAM conversation runs; still nothing on screen */
  AG_GUARD_STATE_UNLOCKED,       /* signed in with two factors */
} AgGuardState;

typedef enum
{
  AG_LOCK_CAUSE_MANUAL,      /* the agent asked (Ctrl+L, the lock button) */
  AG_LOCK_CAUSE_IDLE,        /* the app's idle deadline passed */
  AG_LOCK_CAUSE_SCREEN_LOCK, /* the desktop's screen lock or logind Lock */
  AG_LOCK_CAUSE_SUSPEND,     /* logind PrepareForSleep */
  AG_LOCK_CAUSE_CLOSE,       /* the window or the application went away */
} AgLockCause;

typedef enum
{
  AG_GUARD_EVENT_LOGIN,        /* the first successful sign-in of this guard */
  AG_GUARD_EVENT_LOGIN_FAILED, /* a sign-in or unlock attempt that PAM refused */
  AG_GUARD_EVENT_UNLOCK,       /* a later successful sign-in, after a lock */
  AG_GUARD_EVENT_LOCK,         /* UNLOCKED → LOCKED, with its cause */
} AgGuardEventKind;

/**
 * AgGuardEvent:
 *
 * One security event, handed to the event sink (the ledger) as it happens. Valid only
 * during the call. It never carries a secret: no answer, no PAM message.
 */
typedef struct
{
  AgGuardEventKind kind;
  gint64 time_us;        /* from the guard's clock, microseconds since the epoch */
  const char *user;      /* the fixed Unix user */
  AgLockCause cause;     /* AG_GUARD_EVENT_LOCK only */
  guint failed_attempts; /* failed attempts since the last success, this one included */
  const GError *error;   /* AG_GUARD_EVENT_LOGIN_FAILED only: an AG_AUTH_ERROR */
} AgGuardEvent;

typedef void (*AgGuardEventSink) (const AgGuardEvent *event, gpointer user_data);

/* The guard's time source, microseconds since the epoch (g_get_real_time() by default);
 * tests inject their own so deadlines run in microseconds. */
typedef gint64 (*AgGuardClock) (gpointer user_data);

#define AG_TYPE_GUARD_STATE (ag_guard_state_get_type ())

GType
ag_guard_state_get_type (void);

#define AG_TYPE_GUARD (ag_guard_get_type ())

G_DECLARE_FINAL_TYPE (AgGuard, ag_guard, AG, GUARD, GObject)

const char *
ag_guard_state_to_string (AgGuardState state);
const char *
ag_lock_cause_to_string (AgLockCause cause);
const char *
ag_guard_event_kind_to_string (AgGuardEventKind kind);
/* The ledger entry for @event: event, time, user, this host, @session_id, @mode and the
 * cause (the lock cause, or what failed for a login-failed: never a PAM message). */
AgLedgerEntry *
ag_guard_event_to_ledger_entry (const AgGuardEvent *event, const char *session_id,
                                AgLedgerMode mode);

/* For the user running the process; starts LOCKED. */
AgGuard *
ag_guard_new (GError **error);
/* Fails with AG_AUTH_ERROR_NOT_SAME_USER unless @user is the user running the process. */
AgGuard *
ag_guard_new_for_user (const char *user, GError **error);

void
ag_guard_set_event_sink (AgGuard *self, AgGuardEventSink sink, gpointer user_data,
                         GDestroyNotify destroy);
void
ag_guard_set_clock (AgGuard *self, AgGuardClock clock, gpointer user_data);
gint64
ag_guard_now (AgGuard *self);

AgGuardState
ag_guard_get_state (AgGuard *self);
const char *
ag_guard_get_user (AgGuard *self);
guint
ag_guard_get_failed_attempts (AgGuard *self);
/* TRUE once the user has signed in: the next success is an unlock, not a login. */
gboolean
ag_guard_get_signed_in (AgGuard *self);

/* LOCKED → AUTHENTICATING: starts a PAM conversation (a new AgAuthSession) whose batches
 * are re-emitted as ::conversation. FALSE with an error when not LOCKED or when the
 * session cannot be made. */
gboolean
ag_guard_begin (AgGuard *self, GError **error);
/* Ends a running conversation: AUTHENTICATING → LOCKED, not counted as a failure. */
void
ag_guard_cancel (AgGuard *self);
/* UNLOCKED → LOCKED with a lock event; a running conversation is cancelled. */
void
ag_guard_lock (AgGuard *self, AgLockCause cause);
/* For tests: how many attempts' worker threads have not returned yet (a cancelled attempt
 * winds down after the guard moved on). */
guint
ag_guard_get_n_running (AgGuard *self);

G_END_DECLS
