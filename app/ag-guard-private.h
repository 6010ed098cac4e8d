/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-guard.h"

G_BEGIN_DECLS

/* The state AgGuard's files share: the state machine and the sign-in attempts
 * (ag-guard.c), the deadlines (ag-guard-idle.c), the reveal and step-up path
 * (ag-guard-reveal.c) and the ledger writer (ag-guard-ledger.c). */

struct _AgGuard
{
  GObject parent_instance;

  char *user;
  AgGuardState state;
  guint failed_attempts;
  gboolean signed_in;

  AgGuardClock clock;
  gpointer clock_data;

  AgGuardEventSink sink;
  gpointer sink_data;
  GDestroyNotify sink_destroy;

  /* The attempt whose conversation is shown (state AUTHENTICATING), or NULL. */
  struct _Attempt *attempt;
  /* Every attempt whose worker has not returned yet, the current one included. */
  GPtrArray *running;

  /* The policy in force: the strict defaults until ag_guard_set_policy(). */
  AgPolicy *policy;

  /* One timer for the next deadline of any kind; it calls ag_guard_process_time(). */
  GSource *timer;

  /* The reveal path. */
  AgStore *store;
  char *session_id;
  AgLedgerMode mode;
  GListStore *reveals; /* the live AgReveals */
  /* The ledger writer: one thread that appends, in the order handed, the entries nothing
   * waits for (re-masks, the sign-in events), so that a lock never waits on the disk. */
  GThreadPool *writer;
  gint pending_writes;   /* atomic: handed to the writer and not written yet */
  GMainContext *context; /* the guard's, woken after each write (ag_guard_get_n_running) */
  gint64 last_auth_us;   /* the last two-factor success (sign-in, unlock, step-up); 0: none */
  /* One step-up conversation at a time: reveals that need one while it runs wait here
   * (GTask*, owned) for its outcome. */
  gboolean step_up_running;
  GQueue step_up_waiting;
  guint reveal_epoch; /* bumped on every lock: a reveal started before it is void */

  /* A successful sign-in whose ledger entry is being committed (ag_guard_hold_unlock()):
   * the state stays AUTHENTICATING until ag_guard_release_unlock() with this token. */
  guint unlock_hold;
  guint last_hold;
  gboolean hold_first;     /* the held sign-in is the first (login), not an unlock */
  gboolean accepting_hold; /* a login or unlock event is being handed to the sink */
  GError *hold_error;      /* a release from inside the sink, with an error */

  /* The idle deadline (idle_*): 0 unless UNLOCKED. */
  gint64 idle_last_input;
  gint64 idle_deadline;
  gboolean idle_warning;
  AgLockCause lock_cause; /* of the last lock */
};

typedef struct _Attempt
{
  AgGuard *guard; /* NULL once detached from a guard that went away */
  AgAuthSession *session;
  GCancellable *cancellable;
  gulong conversation_id;
  gboolean step_up; /* a reveal's step-up, not an unlock attempt */
} Attempt;

enum
{
  PROP_0,
  PROP_STATE,
  PROP_USER,
  PROP_FAILED_ATTEMPTS,
  PROP_SIGNED_IN,
  PROP_WARNING,
  N_PROPS
};

extern GParamSpec *ag_guard_properties[N_PROPS];

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_CONVERSATION,
  SIGNAL_ATTEMPT_FAILED,
  SIGNAL_STEP_UP_CONVERSATION,
  SIGNAL_REVEAL_ADDED,
  SIGNAL_LOCK_WARNING,
  N_SIGNALS
};

extern guint ag_guard_signals[N_SIGNALS];

/* The state machine and the attempts (ag-guard.c) */

void
ag_guard_attempt_free (Attempt *attempt);
/* Cancels @attempt and stops forwarding its conversation; its result will be ignored. */
void
ag_guard_detach_attempt (AgGuard *self, Attempt *attempt);
void
ag_guard_set_state (AgGuard *self, AgGuardState state);
void
ag_guard_complete_unlock (AgGuard *self, gboolean first);
void
ag_guard_fail_held_unlock (AgGuard *self, const GError *error);

/* The deadlines (ag-guard-idle.c) */

void
ag_guard_timer_init (AgGuard *self);
/* Arms the timer for the next deadline; a timer that fires no later stays as it is. */
void
ag_guard_timer_arm (AgGuard *self);
/* Input, or the unlock: the deadline is idle-lock from now. */
void
ag_guard_idle_restart (AgGuard *self);
void
ag_guard_idle_stop (AgGuard *self);
void
ag_guard_idle_policy_changed (AgGuard *self);

/* The reveal path (ag-guard-reveal.c) */

/* Re-masks the reveals whose expiry passed on the guard's clock. */
void
ag_guard_expire_reveals (AgGuard *self);
/* On a lock or when the guard goes away: every reveal under way is void and every live
 * reveal is wiped, without writing anything; returns the wiped ones for
 * ag_guard_ledger_remasks(). */
GPtrArray *
ag_guard_void_reveals (AgGuard *self, AgRemaskCause cause);
void
ag_guard_ledger_remasks (AgGuard *self, GPtrArray *wiped, AgRemaskCause cause);
/* ag_guard_void_reveals(), then the re-masks ledgered. */
void
ag_guard_end_reveals (AgGuard *self, AgRemaskCause cause);

/* The ledger writer (ag-guard-ledger.c) */

/* A ledger entry of the reveal path, with what every such entry carries. */
AgLedgerEntry *
ag_guard_new_entry (AgGuard *self, AgLedgerEvent event, const char *record_id, AgPiiKind kind,
                    AgPolicy *policy);

G_END_DECLS
