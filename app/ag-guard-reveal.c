/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-guard"

#include "config.h"

#include "ag-enums.h"
#include "ag-guard-private.h"

#include <string.h>

/*
 * The reveal path of AgGuard (DESIGN §5): the checks (state, policy, reason, ticket), the
 * step-up (an Attempt of its own whose conversation is ::step-up-conversation and whose
 * failure is not an unlock failure), the store's quota and ledgered unseal, the
 * live reveals and their re-masks.
 */

GQuark
ag_reveal_error_quark (void)
{
  return g_quark_from_static_string ("ag-reveal-error-quark");
}

/**
 * ag_reveal_error_to_cause:
 * @code: an #AgRevealError
 *
 * Returns: the `cause` of the ledger's `reveal-denied` entry for @code
 */
const char *
ag_reveal_error_to_cause (AgRevealError code)
{
  return ag_enum_to_nick (AG_TYPE_REVEAL_ERROR, code);
}

/* Whether @digits (n of them) is shaped like a CPF, a CNPJ or a card number. */
static gboolean
digits_look_like_pii (const char *digits, gsize n)
{
  return (n == 11 && ag_pii_cpf_is_valid (digits)) || (n == 14 && ag_pii_cnpj_is_valid (digits))
         || (n >= 13 && n <= 19 && ag_pii_luhn_is_valid (digits));
}

/**
 * ag_guard_check_ticket:
 * @ticket: a ticket or call id
 *
 * The rule of %AG_REVEAL_TICKET_MAX: a ticket goes into the ledger, so it must not be
 * free text and must not carry a customer's document or card number.
 *
 * Returns: %AG_TICKET_OK when @ticket may be ledgered, or why not
 */
AgTicketProblem
ag_guard_check_ticket (const char *ticket)
{
  char digits[AG_REVEAL_TICKET_MAX + 1];
  gsize len, n_digits = 0;

  g_return_val_if_fail (ticket != NULL, AG_TICKET_EMPTY);

  len = strlen (ticket);
  if (len == 0)
    return AG_TICKET_EMPTY;
  if (len > AG_REVEAL_TICKET_MAX)
    return AG_TICKET_TOO_LONG;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (ticket[i]) && strchr ("-_./#:", ticket[i]) == NULL)
      return AG_TICKET_BAD_CHARACTER;
  for (gsize i = 0; i <= len; i++)
    {
      char c = ticket[i];

      if (g_ascii_isdigit (c))
        {
          digits[n_digits++] = c;
          continue;
        }
      /* Separators do not end a run: "529.982.247-25" is one CPF. */
      if (c != '\0' && strchr ("-_./#:", c) != NULL)
        continue;
      digits[n_digits] = '\0';
      if (digits_look_like_pii (digits, n_digits))
        return AG_TICKET_LOOKS_LIKE_PII;
      n_digits = 0;
    }
  return AG_TICKET_OK;
}

/**
 * ag_guard_ticket_is_valid:
 * @ticket: a ticket or call id
 *
 * Returns: whether @ticket may be ledgered (see ag_guard_check_ticket())
 */
gboolean
ag_guard_ticket_is_valid (const char *ticket)
{
  g_return_val_if_fail (ticket != NULL, FALSE);

  return ag_guard_check_ticket (ticket) == AG_TICKET_OK;
}

/**
 * ag_guard_get_reveals:
 *
 * Returns: (transfer none): a #GListModel of the live #AgReveal, oldest first
 */
GListModel *
ag_guard_get_reveals (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), NULL);

  return G_LIST_MODEL (self->reveals);
}

/* Ledgers `remask` for a value that was wiped. The value is gone whatever happens here,
 * so a ledger that fails now is reported and the re-mask stands. */
static void
ledger_remask (AgGuard *self, const char *record_id, AgPiiKind kind, AgRemaskCause cause)
{
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autoptr (GError) error = NULL;

  if (self->store == NULL)
    return;

  entry = ag_guard_new_entry (self, AG_LEDGER_EVENT_REMASK, record_id, kind, self->policy);
  entry->cause = g_strdup (ag_remask_cause_to_string (cause));
  ag_guard_ledger_later (self, g_steal_pointer (&entry));
}

/* Arms the guard's one timer, which now also waits for the earliest expiry among the live
 * reveals. It only wakes the guard: ag_guard_process_time() decides on the guard's clock
 * what expired. */
static void
schedule_expiry (AgGuard *self)
{
  ag_guard_timer_arm (self);
}

/* Takes @reveal out of the live list, wipes it and ledgers the re-mask, once. */
static void
remask_reveal (AgGuard *self, AgReveal *reveal, AgRemaskCause cause)
{
  g_autoptr (AgReveal) keep = NULL;
  guint position;

  if (!g_list_store_find (self->reveals, reveal, &position))
    return;

  /* Out of the list first: a handler of ::remasked that calls back finds it gone. */
  keep = g_object_ref (reveal);
  g_list_store_remove (self->reveals, position);
  ag_reveal_remask (reveal, cause);
  ledger_remask (self, ag_reveal_get_record_id (reveal), ag_reveal_get_kind (reveal), cause);
  schedule_expiry (self);
}

static GPtrArray *
dup_reveals (AgGuard *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->reveals));
  GPtrArray *reveals = g_ptr_array_new_full (n, g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (reveals, g_list_model_get_item (G_LIST_MODEL (self->reveals), i));
  return reveals;
}

/* Takes every live reveal out of the list and wipes it, without writing anything: the
 * values are gone before the first (synced, milliseconds long) ledger write. Returns the
 * wiped reveals for ag_guard_ledger_remasks(). */
static GPtrArray *
wipe_reveals (AgGuard *self, AgRemaskCause cause)
{
  GPtrArray *wiped = dup_reveals (self);

  g_list_store_remove_all (self->reveals);
  for (guint i = 0; i < wiped->len; i++)
    ag_reveal_remask (g_ptr_array_index (wiped, i), cause);
  schedule_expiry (self);
  return wiped;
}

void
ag_guard_ledger_remasks (AgGuard *self, GPtrArray *wiped, AgRemaskCause cause)
{
  for (guint i = 0; i < wiped->len; i++)
    {
      AgReveal *reveal = g_ptr_array_index (wiped, i);

      ledger_remask (self, ag_reveal_get_record_id (reveal), ag_reveal_get_kind (reveal), cause);
    }
}

/**
 * ag_guard_remask:
 * @reveal: a reveal this guard made
 * @cause: why
 *
 * Re-masks @reveal now and ledgers `remask` with @cause; nothing when it is not live.
 */
void
ag_guard_remask (AgGuard *self, AgReveal *reveal, AgRemaskCause cause)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (AG_IS_REVEAL (reveal));

  remask_reveal (self, reveal, cause);
}

/**
 * ag_guard_remask_all:
 * @cause: why
 *
 * Re-masks every live reveal, each ledgered `remask` with @cause.
 */
void
ag_guard_remask_all (AgGuard *self, AgRemaskCause cause)
{
  g_autoptr (GPtrArray) reveals = NULL;

  g_return_if_fail (AG_IS_GUARD (self));

  reveals = wipe_reveals (self, cause);
  ag_guard_ledger_remasks (self, reveals, cause);
}

/* Re-masks the reveals whose expiry passed on the guard's clock: a reveal is live for
 * exactly reveal-duration, not a microsecond longer. */
void
ag_guard_expire_reveals (AgGuard *self)
{
  g_autoptr (GPtrArray) reveals = dup_reveals (self);
  gint64 now = ag_guard_now (self);

  for (guint i = 0; i < reveals->len; i++)
    {
      AgReveal *reveal = g_ptr_array_index (reveals, i);

      if (ag_reveal_get_expires_at (reveal) <= now)
        remask_reveal (self, reveal, AG_REMASK_CAUSE_EXPIRED);
    }
  schedule_expiry (self);
}

/* On a lock or when the guard goes away: every reveal under way is void (its step-up
 * is cancelled; a value still coming from the store is wiped on arrival), and every live
 * reveal is re-masked with @cause. */
GPtrArray *
ag_guard_void_reveals (AgGuard *self, AgRemaskCause cause)
{
  self->reveal_epoch++;
  for (guint i = 0; i < self->running->len; i++)
    {
      Attempt *attempt = g_ptr_array_index (self->running, i);

      if (attempt->step_up)
        ag_guard_detach_attempt (self, attempt);
    }
  return wipe_reveals (self, cause);
}

void
ag_guard_end_reveals (AgGuard *self, AgRemaskCause cause)
{
  g_autoptr (GPtrArray) wiped = ag_guard_void_reveals (self, cause);

  ag_guard_ledger_remasks (self, wiped, cause);
}

/**
 * ag_guard_set_store:
 * @store: (nullable): where reveals are made and ledgered
 * @session_id: (nullable): the application session's id, for the ledger
 * @mode: live or training
 *
 * Live reveals of the previous store are re-masked (cause `close`) first.
 */
void
ag_guard_set_store (AgGuard *self, AgStore *store, const char *session_id, AgLedgerMode mode)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (store == NULL || AG_IS_STORE (store));
  g_return_if_fail (mode < AG_LEDGER_N_MODES);

  if (store != self->store)
    {
      ag_guard_remask_all (self, AG_REMASK_CAUSE_CLOSE);
      ag_guard_flush_ledger (self);
    }
  g_set_object (&self->store, store);
  g_free (self->session_id);
  self->session_id = g_strdup (session_id);
  self->mode = mode;
}

static gboolean
needs_step_up (AgGuard *self, AgPolicy *policy, AgPiiKind kind)
{
  gint64 now;

  if (!ag_policy_kind_needs_step_up (policy, kind))
    return FALSE;
  if (self->last_auth_us == 0)
    return TRUE;

  /* A clock that went back does not stretch the grace. */
  now = ag_guard_now (self);
  return now < self->last_auth_us
         || now - self->last_auth_us
              > (gint64) ag_policy_get_step_up_grace (policy) * G_USEC_PER_SEC;
}

/**
 * ag_guard_needs_step_up:
 * @kind: a field kind
 *
 * Returns: whether a reveal of @kind now would start a step-up conversation first: the
 *   policy lists @kind in step-up-kinds and the last two-factor success is older than
 *   step-up-grace
 */
gboolean
ag_guard_needs_step_up (AgGuard *self, AgPiiKind kind)
{
  g_return_val_if_fail (AG_IS_GUARD (self), TRUE);
  g_return_val_if_fail (kind >= 0 && kind < AG_PII_N_KINDS, TRUE);

  return needs_step_up (self, self->policy, kind);
}

typedef struct
{
  char *record_id;
  AgPiiKind kind;
  char *reason;
  char *ticket;
  AgPolicy *policy;    /* the policy when the reveal was asked for: it decides throughout */
  guint epoch;         /* the guard's reveal_epoch then */
  Attempt *step_up;    /* the running step-up, or NULL */
  gulong cancelled_id; /* on the caller's cancellable, during the step-up */
} RevealOp;

static void
reveal_op_free (RevealOp *op)
{
  g_assert (op->step_up == NULL);
  g_free (op->record_id);
  g_free (op->reason);
  g_free (op->ticket);
  g_clear_object (&op->policy);
  g_free (op);
}

/* Whether a reveal begun in @op may still become visible. */
static gboolean
still_unlocked (AgGuard *self, RevealOp *op)
{
  return self->reveal_epoch == op->epoch && self->state == AG_GUARD_STATE_UNLOCKED;
}

static void
resume_waiting_reveals (AgGuard *self);

typedef struct
{
  GTask *task;
  AgRevealError code;
  char *message;
  gboolean resume;
} Denial;

static void
end_denial (Denial *denial)
{
  AgGuard *self = g_task_get_source_object (denial->task);

  g_task_return_new_error (denial->task, AG_REVEAL_ERROR, denial->code, "%s", denial->message);
  if (denial->resume)
    resume_waiting_reveals (self);
  g_object_unref (denial->task);
  g_free (denial->message);
  g_free (denial);
}

static void
denial_ledgered_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!ag_guard_ledger_finish (AG_GUARD (source), result, &error))
    g_debug ("Could not ledger a denied reveal: %s", error->message);
  end_denial (user_data);
}

/* Ends @task with an AG_REVEAL_ERROR, ledgered `reveal-denied` with its cause when the
 * ledger still works (when it does not, the denial stands all the same). The entry goes
 * through the ledger's writer thread, after what was handed to it before, and the task
 * ends once it is written, so the main loop never waits on the store (a network one
 * either); with @resume, the reveals waiting for a step-up go on after that. */
static void
deny_full (GTask *task, AgRevealError code, const char *message, gboolean resume)
{
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  AgLedgerEntry *entry;
  Denial *denial;

  g_debug ("reveal denied: %s", ag_reveal_error_to_cause (code));
  denial = g_new0 (Denial, 1);
  denial->task = g_object_ref (task);
  denial->code = code;
  denial->message = g_strdup (message);
  denial->resume = resume;
  if (self->store == NULL)
    {
      end_denial (denial);
      return;
    }
  entry
    = ag_guard_new_entry (self, AG_LEDGER_EVENT_REVEAL_DENIED, op->record_id, op->kind, op->policy);
  entry->reason = g_strdup (op->reason);
  entry->ticket = g_strdup (op->ticket);
  entry->cause = g_strdup (ag_reveal_error_to_cause (code));
  ag_guard_ledger_async (self, entry, NULL, denial_ledgered_cb, denial);
}

static void
deny (GTask *task, AgRevealError code, const char *message)
{
  deny_full (task, code, message, FALSE);
}

static AgRevealError
store_error_to_reveal_error (const GError *error)
{
  if (error->domain != AG_STORE_ERROR)
    return AG_REVEAL_ERROR_FAILED;
  switch ((AgStoreError) error->code)
    {
      case AG_STORE_ERROR_QUOTA_EXCEEDED:
        return AG_REVEAL_ERROR_QUOTA;
      case AG_STORE_ERROR_LEDGER:
        return AG_REVEAL_ERROR_LEDGER;
      case AG_STORE_ERROR_NOT_FOUND:
        return AG_REVEAL_ERROR_NOT_FOUND;
      case AG_STORE_ERROR_ROLLED_BACK:
        return AG_REVEAL_ERROR_ROLLED_BACK;
      default:
        return AG_REVEAL_ERROR_FAILED;
    }
}

static void
store_reveal_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  AgSecret *value;
  AgReveal *reveal;
  gint64 now;

  value = ag_store_reveal_finish (AG_STORE (source), result, NULL, &error);
  if (value == NULL)
    {
      g_autofree char *message
        = g_strdup_printf ("The store refused the reveal: %s", error->message);

      deny (task, store_error_to_reveal_error (error), message);
      return;
    }

  /* The `reveal` entry is committed. A value that may no longer be shown is wiped before
   * anything else happens, and its re-mask closes the entry in the ledger. */
  if (!still_unlocked (self, op))
    {
      ag_secret_free (value);
      ledger_remask (self, op->record_id, op->kind, AG_REMASK_CAUSE_LOCK);
      g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                               "The session locked before the value could be shown");
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      ag_secret_free (value);
      ledger_remask (self, op->record_id, op->kind, AG_REMASK_CAUSE_HIDDEN);
      g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                               "The reveal was cancelled before the value was shown");
      return;
    }

  now = ag_guard_now (self);
  reveal
    = ag_reveal_new (op->record_id, op->kind, value, now,
                     now + (gint64) ag_policy_get_reveal_duration (op->policy) * G_USEC_PER_SEC);
  g_list_store_append (self->reveals, reveal);
  schedule_expiry (self);
  g_signal_emit (self, ag_guard_signals[SIGNAL_REVEAL_ADDED], 0, reveal);
  g_task_return_pointer (task, reveal, g_object_unref);
}

/* Step 3 of DESIGN §5: the store ledgers, commits, and only then unseals. The caller's
 * cancellable is not handed on: a commit is never half cancelled (a value that arrives
 * after a cancel is wiped unseen instead). */
static void
start_store_reveal (GTask *task)
{
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  g_autoptr (AgLedgerEntry) entry = NULL;

  entry = ag_guard_new_entry (self, AG_LEDGER_EVENT_REVEAL, op->record_id, op->kind, op->policy);
  entry->reason = g_strdup (op->reason);
  entry->ticket = g_strdup (op->ticket);
  /* The reveal's entry comes after every entry handed before (the sign-in, say). */
  ag_guard_flush_ledger (self);
  ag_store_reveal_async (self->store, entry, ag_policy_get_max_reveals_per_hour (op->policy), NULL,
                         store_reveal_cb, g_object_ref (task));
}

static void
step_up_conversation_cb (AgAuthSession *session, AgAuthBatch *batch, gpointer data)
{
  Attempt *attempt = data;

  if (attempt->guard != NULL)
    g_signal_emit (attempt->guard, ag_guard_signals[SIGNAL_STEP_UP_CONVERSATION], 0, batch);
}

static void
cancel_step_up_cb (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
start_step_up (GTask *task);

/* After a step-up: the reveals that waited for it go on, in order: within the grace it
 * started they need no conversation of their own; after a failure or a cancel the next
 * one asks for its own, and the others wait again. */
static void
resume_waiting_reveals (AgGuard *self)
{
  GTask *task;

  while (!self->step_up_running && (task = g_queue_pop_head (&self->step_up_waiting)) != NULL)
    {
      RevealOp *op = g_task_get_task_data (task);

      if (!still_unlocked (self, op))
        deny (task, AG_REVEAL_ERROR_LOCKED, "The session locked during the step-up");
      else if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
        deny (task, AG_REVEAL_ERROR_CANCELLED, "The reveal was cancelled");
      else if (needs_step_up (self, op->policy, op->kind))
        start_step_up (task);
      else
        start_store_reveal (task);
      g_object_unref (task);
    }
}

static void
step_up_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  Attempt *attempt = g_steal_pointer (&op->step_up);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = ag_auth_session_authenticate_finish (AG_AUTH_SESSION (source), result, &error);
  if (ok && !g_str_equal (ag_auth_session_get_user (attempt->session), self->user))
    ok = FALSE;

  if (op->cancelled_id != 0)
    g_cancellable_disconnect (cancellable, op->cancelled_id);
  op->cancelled_id = 0;
  if (attempt->guard != NULL)
    g_ptr_array_remove (self->running, attempt);
  ag_guard_attempt_free (attempt);
  self->step_up_running = FALSE;

  /* A step-up failure is not an unlock failure: the guard stays UNLOCKED and its count
   * of failed attempts stays; the denial is ledgered, and pam_faillock in the PAM stack
   * counts the failure as it counts every other. */
  if (!still_unlocked (self, op))
    deny_full (task, AG_REVEAL_ERROR_LOCKED, "The session locked during the step-up", TRUE);
  else if (g_cancellable_is_cancelled (cancellable)
           || g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_CANCELLED))
    deny_full (task, AG_REVEAL_ERROR_CANCELLED, "The step-up was cancelled", TRUE);
  else if (!ok)
    deny_full (task, AG_REVEAL_ERROR_STEP_UP_FAILED, "The step-up authentication failed", TRUE);
  else
    {
      self->last_auth_us = ag_guard_now (self);
      start_store_reveal (task);
      resume_waiting_reveals (self);
    }
}

/* The PAM conversation again, both factors, for the same user, while UNLOCKED. */
static void
start_step_up (GTask *task)
{
  AgGuard *self = g_task_get_source_object (task);
  RevealOp *op = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr (AgAuthSession) session = NULL;
  g_autoptr (GError) error = NULL;
  Attempt *attempt;

  session = ag_auth_session_new_for_user (self->user, &error);
  if (session == NULL)
    {
      deny (task, AG_REVEAL_ERROR_FAILED, "The step-up authentication could not start");
      return;
    }

  attempt = g_new0 (Attempt, 1);
  attempt->guard = self;
  attempt->session = g_steal_pointer (&session);
  attempt->cancellable = g_cancellable_new ();
  attempt->step_up = TRUE;
  attempt->conversation_id = g_signal_connect (attempt->session, "conversation",
                                               G_CALLBACK (step_up_conversation_cb), attempt);
  g_ptr_array_add (self->running, attempt);
  op->step_up = attempt;
  self->step_up_running = TRUE;
  if (cancellable != NULL)
    op->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_step_up_cb),
                                              g_object_ref (attempt->cancellable), g_object_unref);

  ag_auth_session_authenticate_async (attempt->session, attempt->cancellable, step_up_cb,
                                      g_object_ref (task));
}

/* Reveal ------------------------------------------------------------------------------- */

/**
 * ag_guard_reveal_async:
 * @record_id: the customer's opaque id
 * @kind: the field to reveal
 * @reason: (nullable): a reason code from the policy's reason-codes
 * @ticket: (nullable): a ticket or call id
 * @cancellable: (nullable): cancels a step-up conversation; a value that arrives after
 *   a cancel is wiped unseen
 * @callback: called with the result
 * @user_data: for @callback
 *
 * The reveal path of DESIGN §5. The checks come in this order, the first that fails
 * ends it: UNLOCKED (%AG_REVEAL_ERROR_LOCKED; without a store %AG_REVEAL_ERROR_LEDGER),
 * the kind is masked by the policy, the reason (required by require-reason, one of
 * reason-codes when given), then the step-up for the policy's step-up-kinds past
 * step-up-grace, then the store's quota, ledger entry and unseal.
 */
void
ag_guard_reveal_async (AgGuard *self, const char *record_id, AgPiiKind kind, const char *reason,
                       const char *ticket, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  gboolean bad_ticket;
  RevealOp *op;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (record_id != NULL);
  g_return_if_fail (kind >= 0 && kind < AG_PII_N_KINDS);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_reveal_async);
  /* Cancellation is decided here, with the ledger in mind, not by GTask. */
  g_task_set_check_cancellable (task, FALSE);

  op = g_new0 (RevealOp, 1);
  op->record_id = g_strdup (record_id);
  op->kind = kind;
  op->reason = reason != NULL && *reason != '\0' ? g_strdup (reason) : NULL;
  op->ticket = ticket != NULL && *ticket != '\0' ? g_strdup (ticket) : NULL;
  op->policy = g_object_ref (self->policy);
  op->epoch = self->reveal_epoch;
  g_task_set_task_data (task, op, (GDestroyNotify) reveal_op_free);
  /* A refused ticket is never ledgered, not even in the denial: it may be a customer's
   * number typed into the wrong box. */
  bad_ticket = op->ticket != NULL && !ag_guard_ticket_is_valid (op->ticket);
  if (bad_ticket)
    g_clear_pointer (&op->ticket, g_free);

  if (self->state != AG_GUARD_STATE_UNLOCKED)
    deny (task, AG_REVEAL_ERROR_LOCKED, "The session is not unlocked");
  else if (self->store == NULL)
    deny (task, AG_REVEAL_ERROR_LEDGER, "There is no store to ledger the reveal in");
  else if (bad_ticket)
    deny (task, AG_REVEAL_ERROR_INVALID_TICKET, "The ticket is not a ticket or call id");
  else if (!ag_policy_kind_is_masked (op->policy, kind))
    deny (task, AG_REVEAL_ERROR_NOT_MASKED, "The policy does not mask this kind");
  else if (op->reason == NULL && ag_policy_get_require_reason (op->policy))
    deny (task, AG_REVEAL_ERROR_REASON_REQUIRED, "The policy requires a reason code");
  else if (op->reason != NULL && !ag_policy_has_reason_code (op->policy, op->reason))
    deny (task, AG_REVEAL_ERROR_UNKNOWN_REASON, "The reason is not one of the policy's codes");
  else if (g_cancellable_is_cancelled (cancellable))
    deny (task, AG_REVEAL_ERROR_CANCELLED, "The reveal was cancelled");
  else if (needs_step_up (self, op->policy, kind) && self->step_up_running)
    /* Not a second PAM conversation beside the first: its outcome decides. */
    g_queue_push_tail (&self->step_up_waiting, g_object_ref (task));
  else if (needs_step_up (self, op->policy, kind))
    start_step_up (task);
  else
    start_store_reveal (task);
}

/**
 * ag_guard_reveal_finish:
 * @result: the result
 * @error: return location for an %AG_REVEAL_ERROR
 *
 * Returns: (transfer full): a live reveal, or %NULL: then nothing was shown
 */
AgReveal *
ag_guard_reveal_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  AgReveal *reveal;

  g_return_val_if_fail (AG_IS_GUARD (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_guard_reveal_async, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reveal = g_task_propagate_pointer (G_TASK (result), error);
  /* Re-masked between the task's return and this call (a lock, say): it is not handed
   * out, even wiped. */
  if (reveal != NULL && !ag_reveal_get_active (reveal))
    {
      g_clear_object (&reveal);
      if (self->state != AG_GUARD_STATE_UNLOCKED)
        g_set_error_literal (error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                             "The session locked before the value could be shown");
      else
        g_set_error_literal (error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                             "The value was re-masked before it was shown");
    }
  return reveal;
}

/* Copying a revealed value ------------------------------------------------------------- */

static void
copy_ledgered_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AgGuard *self = AG_GUARD (object);
  AgReveal *reveal = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (!ag_guard_ledger_finish (self, result, &error))
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LEDGER,
                             "The copy could not be ledgered: %s", error->message);
  else if (!ag_reveal_get_active (reveal))
    /* Ledgered, but the value went meanwhile (a lock, the expiry): nothing to copy. */
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                             "The value was re-masked before it could be copied");
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * ag_guard_copy_async:
 * @reveal: a live reveal of this guard
 * @cancellable: (nullable): a #GCancellable
 * @callback: called once the entry is committed, or the copy refused
 * @user_data: for @callback
 *
 * Ledgers `copy` for @reveal: its record and field, the policy's version and the cause
 * `clear-after:N`, N the seconds of the `clipboard=allow-with-clear:N` policy. The caller
 * puts the value on the clipboard only when this succeeds, and only while @reveal is
 * live. Refused, without an entry, unless UNLOCKED (%AG_REVEAL_ERROR_LOCKED), with a
 * store (%AG_REVEAL_ERROR_LEDGER), the policy allows copying (%AG_REVEAL_ERROR_COPY_DENIED)
 * and @reveal is live (%AG_REVEAL_ERROR_CANCELLED).
 */
void
ag_guard_copy_async (AgGuard *self, AgReveal *reveal, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  AgLedgerEntry *entry;
  guint clear_after;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (AG_IS_REVEAL (reveal));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_copy_async);
  g_task_set_task_data (task, g_object_ref (reveal), g_object_unref);
  clear_after = ag_policy_get_clipboard_clear (self->policy);

  if (self->state != AG_GUARD_STATE_UNLOCKED)
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                             "The session is not unlocked");
  else if (self->store == NULL)
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LEDGER,
                             "There is no store to ledger the copy in");
  else if (clear_after == 0)
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_COPY_DENIED,
                             "The policy does not allow copying");
  else if (!ag_reveal_get_active (reveal) || !g_list_store_find (self->reveals, reveal, NULL))
    g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED,
                             "The value is not revealed");
  else
    {
      entry = ag_guard_new_entry (self, AG_LEDGER_EVENT_COPY, ag_reveal_get_record_id (reveal),
                                  ag_reveal_get_kind (reveal), self->policy);
      entry->cause = g_strdup_printf ("clear-after:%u", clear_after);
      ag_guard_ledger_async (self, entry, cancellable, copy_ledgered_cb, g_steal_pointer (&task));
    }
}

/**
 * ag_guard_copy_finish:
 * @result: the result
 * @error: return location for an %AG_REVEAL_ERROR
 *
 * Returns: whether the `copy` entry is committed and the value may go on the clipboard
 */
gboolean
ag_guard_copy_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (AG_IS_GUARD (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_guard_copy_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
