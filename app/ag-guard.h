/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-auth-session.h"
#include "ag-ledger.h"
#include "ag-policy.h"
#include "ag-reveal.h"
#include "ag-store.h"

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
  AG_LOCK_CAUSE_MINIMISE,    /* the window was minimised and the policy locks on that */
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

#define AG_REVEAL_ERROR (ag_reveal_error_quark ())

/* Why a reveal was denied. Each denial is ledgered `reveal-denied` with the string form
 * (ag_reveal_error_to_cause()) as its cause, when the ledger still works. */
typedef enum
{
  AG_REVEAL_ERROR_LOCKED,          /* "locked": not UNLOCKED, or not the same user */
  AG_REVEAL_ERROR_NOT_MASKED,      /* "not-masked": the policy does not mask this kind */
  AG_REVEAL_ERROR_REASON_REQUIRED, /* "reason-required": the policy requires a reason */
  AG_REVEAL_ERROR_UNKNOWN_REASON,  /* "unknown-reason": not one of the policy's codes */
  AG_REVEAL_ERROR_QUOTA,           /* "quota": max-reveals-per-hour used up */
  AG_REVEAL_ERROR_STEP_UP_FAILED,  /* "step-up-failed": the step-up sign-in failed */
  AG_REVEAL_ERROR_LEDGER,          /* "ledger": the entry could not be made durable */
  AG_REVEAL_ERROR_NOT_FOUND,       /* "not-found": no such customer or field */
  AG_REVEAL_ERROR_CANCELLED,       /* "cancelled": the agent cancelled (e.g. step-up) */
  AG_REVEAL_ERROR_FAILED,          /* "failed": anything else; fail closed */
  AG_REVEAL_ERROR_INVALID_TICKET,  /* "invalid-ticket": not a ticket/call id (see below) */
  AG_REVEAL_ERROR_ROLLED_BACK,     /* "rolled-back": the store's ledger is behind its record */
  AG_REVEAL_ERROR_COPY_DENIED,     /* "copy-denied": the clipboard policy is deny */
} AgRevealError;

/* A ticket or call id: 1–64 characters from A–Z a–z 0–9 and `-_./#:`, holding no digit
 * run (separators ignored) that is a valid CPF, CNPJ or payment card number. The ledger
 * keeps tickets, so one that looks like PII is refused and never written anywhere. A long
 * numeric id passes the card check (Luhn) one time in ten and is refused too: fail closed. */
#define AG_REVEAL_TICKET_MAX 64

/* Why a ticket is refused, for saying so where it is typed (ag_guard_check_ticket()). */
typedef enum
{
  AG_TICKET_OK,
  AG_TICKET_EMPTY,
  AG_TICKET_TOO_LONG,       /* more than AG_REVEAL_TICKET_MAX bytes */
  AG_TICKET_BAD_CHARACTER,  /* a space, or anything outside A–Z a–z 0–9 -_./#: */
  AG_TICKET_LOOKS_LIKE_PII, /* a digit run that is a valid CPF, CNPJ or card number */
} AgTicketProblem;

typedef void (*AgGuardEventSink) (const AgGuardEvent *event, gpointer user_data);

/* The guard's time source, microseconds since the epoch (g_get_real_time() by default);
 * tests inject their own so deadlines run in microseconds. */
typedef gint64 (*AgGuardClock) (gpointer user_data);

#define AG_TYPE_GUARD (ag_guard_get_type ())

G_DECLARE_FINAL_TYPE (AgGuard, ag_guard, AG, GUARD, GObject)

GQuark
ag_reveal_error_quark (void);
const char *
ag_reveal_error_to_cause (AgRevealError code);

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
/* The policy in force (the strict defaults until set). Setting it applies at once: the
 * idle deadline moves, live reveals keep their expiry. */
void
ag_guard_set_policy (AgGuard *self, AgPolicy *policy);
AgPolicy *
ag_guard_get_policy (AgGuard *self);
/* Where reveals are made and their `reveal`, `reveal-denied` and `remask` entries go,
 * with the ledger's @session_id and @mode. Without a store every reveal is denied. */
void
ag_guard_set_store (AgGuard *self, AgStore *store, const char *session_id, AgLedgerMode mode);

/* The reveal path of DESIGN §5, steps 1–4: checks the state, the policy (kind masked,
 * reason, quota), runs a step-up PAM conversation (::step-up-conversation) for the
 * policy's step-up-kinds when the last two-factor sign-in is older than step-up-grace,
 * then has the store ledger and unseal. Any failure is an AG_REVEAL_ERROR, ledgered
 * `reveal-denied`, and no value. The returned reveal is live until its expiry
 * (reveal-duration), a lock, or ag_guard_remask(); each ends ledgered `remask`. */
void
ag_guard_reveal_async (AgGuard *self, const char *record_id, AgPiiKind kind, const char *reason,
                       const char *ticket, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data);
AgReveal *
ag_guard_reveal_finish (AgGuard *self, GAsyncResult *result, GError **error);
/* Ledgers `copy` for a live @reveal (its record and field, cause `clear-after:N`) and
 * reports once the entry is committed: only then may the value go on the clipboard, and
 * only while @reveal is still live. No entry, no copy. */
void
ag_guard_copy_async (AgGuard *self, AgReveal *reveal, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data);
gboolean
ag_guard_copy_finish (AgGuard *self, GAsyncResult *result, GError **error);
gboolean
ag_guard_ticket_is_valid (const char *ticket);
AgTicketProblem
ag_guard_check_ticket (const char *ticket);
/* A search of the store as this guard's agent. A search by an identifier (CPF, phone,
 * e-mail…) is an access: the store ledgers it `search` under this guard's session (or
 * `search-denied` when the policy's max-identifier-searches-per-hour is used up, an
 * AG_STORE_ERROR_QUOTA_EXCEEDED) before any result comes back. The async form is the
 * window's: it fails with AG_REVEAL_ERROR_LOCKED unless UNLOCKED. The blocking form is
 * the CLI's, which shows masked values without a sign-in, ledgered under the Unix user.
 * Without a store: AG_STORE_ERROR_LEDGER. */
void
ag_guard_search_async (AgGuard *self, const char *query, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data);
GListModel *
ag_guard_search_finish (AgGuard *self, GAsyncResult *result, GError **error);
GListModel *
ag_guard_search (AgGuard *self, const char *query, GCancellable *cancellable, GError **error);
/* Whether a reveal of @kind now would start a step-up conversation first. */
gboolean
ag_guard_needs_step_up (AgGuard *self, AgPiiKind kind);
/* Re-masks @reveal (ledgered `remask` with @cause); nothing when it is not live. */
void
ag_guard_remask (AgGuard *self, AgReveal *reveal, AgRemaskCause cause);
/* Re-masks every live reveal, e.g. on a change of record or on focus loss. */
void
ag_guard_remask_all (AgGuard *self, AgRemaskCause cause);
/* The live reveals, a GListModel of AgReveal. */
GListModel *
ag_guard_get_reveals (AgGuard *self);

/* Input on the app's windows (keys, pointer motion, clicks, scrolls): moves the idle
 * deadline to now + idle-lock and ends a lock warning (::notify::warning). */
void
ag_guard_report_activity (AgGuard *self);
/* When the session locks for idleness, on the guard's clock; 0 unless UNLOCKED. */
gint64
ag_guard_get_idle_deadline (AgGuard *self);
/* TRUE from lock-warning seconds before the idle deadline until input or the lock
 * (property "warning"; ::lock-warning is emitted when it turns on). */
gboolean
ag_guard_get_warning (AgGuard *self);
AgLockCause
ag_guard_get_lock_cause (AgGuard *self);
/* Acts on every deadline that passed on the guard's clock: reveals expire, the warning
 * starts, the session locks for idleness. The guard's own timer calls it; tests that
 * inject a clock call it after moving the clock. */
void
ag_guard_process_time (AgGuard *self);

/* Signals, besides ::state-changed, ::conversation and ::attempt-failed:
 * ::step-up-conversation (AgAuthBatch *batch): a message batch of a reveal's step-up
 *   PAM conversation; the state stays UNLOCKED meanwhile.
 * ::lock-warning (gint64 seconds_left): the idle deadline is lock-warning seconds away.
 * ::reveal-added (AgReveal *reveal): a reveal became live (also in ag_guard_get_reveals()). */

/* For tests: how many attempts' worker threads have not returned yet (a cancelled attempt
 * winds down after the guard moved on), plus the ledger entries not written yet. */
guint
ag_guard_get_n_running (AgGuard *self);

/* For tests: how many PAM attempts' worker threads have not returned yet, without the
 * ledger writes ag_guard_get_n_running() also counts. */
guint
ag_guard_get_n_attempts (AgGuard *self);

void
ag_guard_ledger_later (AgGuard *self, AgLedgerEntry *entry);
void
ag_guard_ledger_async (AgGuard *self, AgLedgerEntry *entry, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data);
gboolean
ag_guard_ledger_finish (AgGuard *self, GAsyncResult *result, GError **error);
/* For the event sink of a login or unlock event: hold the unlock until the sign-in's
 * ledger entry is committed (see ag-guard.c). */
guint
ag_guard_hold_unlock (AgGuard *self);
void
ag_guard_release_unlock (AgGuard *self, guint token, const GError *error);
void
ag_guard_ledger_policy_refusal (AgGuard *self, const AgPolicyRefusal *refusal);
void
ag_guard_flush_ledger (AgGuard *self);

G_END_DECLS
