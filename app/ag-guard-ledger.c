/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-guard"

#include "config.h"

#include "ag-guard-private.h"

/*
 * The ledger side of AgGuard: the sign-in events as ledger entries, the writer thread
 * that appends, in the order handed, what nothing waits for (re-masks, the sign-in
 * events), and the hold that keeps a sign-in AUTHENTICATING until its entry is committed.
 */

static const char *
failure_cause (const GError *error)
{
  if (error == NULL || error->domain != AG_AUTH_ERROR)
    return "error";
  switch ((AgAuthError) error->code)
    {
      case AG_AUTH_ERROR_FAILED:
        return "failed";
      case AG_AUTH_ERROR_CANCELLED:
        return "cancelled";
      case AG_AUTH_ERROR_ACCOUNT_REFUSED:
        return "account-refused";
      case AG_AUTH_ERROR_TOO_FEW_FACTORS:
        return "too-few-factors";
      case AG_AUTH_ERROR_MISCONFIGURED:
        return "misconfigured";
      case AG_AUTH_ERROR_NOT_SAME_USER:
        return "not-same-user";
      default:
        return "error";
    }
}

/**
 * ag_guard_event_to_ledger_entry:
 * @event: an event from the guard's sink
 * @session_id: (nullable): the application session's id
 * @mode: live or training
 *
 * Returns: (transfer full): a new entry for ag_sqlite_store_append_event()
 */
AgLedgerEntry *
ag_guard_event_to_ledger_entry (const AgGuardEvent *event, const char *session_id,
                                AgLedgerMode mode)
{
  AgLedgerEntry *entry;
  AgLedgerEvent kind;

  g_return_val_if_fail (event != NULL, NULL);

  switch (event->kind)
    {
      case AG_GUARD_EVENT_LOGIN:
        kind = AG_LEDGER_EVENT_LOGIN;
        break;
      case AG_GUARD_EVENT_LOGIN_FAILED:
        kind = AG_LEDGER_EVENT_LOGIN_FAILED;
        break;
      case AG_GUARD_EVENT_UNLOCK:
        kind = AG_LEDGER_EVENT_UNLOCK;
        break;
      case AG_GUARD_EVENT_LOCK:
        kind = AG_LEDGER_EVENT_LOCK;
        break;
      default:
        g_return_val_if_reached (NULL);
    }

  entry = ag_ledger_entry_new (kind);
  entry->time_us = event->time_us;
  entry->user = g_strdup (event->user);
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_strdup (session_id);
  entry->mode = mode;
  if (event->kind == AG_GUARD_EVENT_LOCK)
    entry->cause = g_strdup (ag_lock_cause_to_string (event->cause));
  else if (event->kind == AG_GUARD_EVENT_LOGIN_FAILED)
    entry->cause = g_strdup (failure_cause (event->error));
  return entry;
}

/* A ledger entry of the reveal path, with what every such entry carries. */
AgLedgerEntry *
ag_guard_new_entry (AgGuard *self, AgLedgerEvent event, const char *record_id, AgPiiKind kind,
                    AgPolicy *policy)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (event);

  entry->time_us = ag_guard_now (self);
  entry->user = g_strdup (self->user);
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_strdup (self->session_id);
  entry->mode = self->mode;
  entry->record_id = g_strdup (record_id);
  entry->field_kind = kind;
  entry->policy_version = g_strdup (ag_policy_get_version (policy));
  return entry;
}

/* The ledger writer ------------------------------------------------------------------- */

typedef struct
{
  AgStore *store;
  AgLedgerEntry *entry;
  GTask *task; /* ag_guard_ledger_async()'s, or NULL */
} LedgerWrite;

static void
ledger_write_func (gpointer data, gpointer user_data)
{
  LedgerWrite *write = data;
  AgGuard *self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ag_store_append_event (write->store, write->entry, &error))
    g_message ("Could not write a %s entry to the ledger: %s",
               ag_ledger_event_to_string (write->entry->event), error->message);
  if (write->task != NULL)
    {
      if (error != NULL)
        g_task_return_error (write->task, g_steal_pointer (&error));
      else
        g_task_return_boolean (write->task, TRUE);
      g_object_unref (write->task);
    }
  g_object_unref (write->store);
  ag_ledger_entry_free (write->entry);
  g_free (write);
  /* The guard waits for its writer before it goes: @self is alive. */
  g_atomic_int_dec_and_test (&self->pending_writes);
  g_main_context_wakeup (self->context);
}

/* Hands @entry (and @task, both owned) to the writer thread, which starts with the first. */
static void
push_write (AgGuard *self, AgLedgerEntry *entry, GTask *task)
{
  LedgerWrite *write;

  if (self->writer == NULL)
    {
      g_autoptr (GError) error = NULL;

      /* At most one thread: the entries are appended in the order handed. */
      self->writer = g_thread_pool_new (ledger_write_func, self, 1, FALSE, &error);
      g_assert_no_error (error);
    }
  write = g_new0 (LedgerWrite, 1);
  write->store = g_object_ref (self->store);
  write->entry = entry;
  write->task = task;
  g_atomic_int_inc (&self->pending_writes);
  g_thread_pool_push (self->writer, write, NULL);
}

/**
 * ag_guard_ledger_later:
 * @entry: (transfer full): the entry
 *
 * Appends @entry to the ledger of the guard's store on the guard's writer thread, after
 * every entry handed before it; dropped when there is no store. For what nothing waits
 * for: a failure is reported in the log, like any write after the fact. Reveals, denials
 * and ag_guard_flush_ledger() wait for what was handed before them.
 */
void
ag_guard_ledger_later (AgGuard *self, AgLedgerEntry *entry)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (entry != NULL);

  if (self->store == NULL)
    {
      ag_ledger_entry_free (entry);
      return;
    }
  push_write (self, entry, NULL);
}

/**
 * ag_guard_ledger_async:
 * @entry: (transfer full): the entry
 *
 * Appends @entry as ag_guard_ledger_later() does, on the writer thread after every entry
 * handed before it, and reports in the guard's main context whether it was committed:
 * for what must wait on it (a sign-in) without the main loop waiting on the disk.
 * Without a store it fails with AG_STORE_ERROR_LEDGER.
 */
void
ag_guard_ledger_async (AgGuard *self, AgLedgerEntry *entry, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (entry != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_ledger_async);
  if (self->store == NULL)
    {
      ag_ledger_entry_free (entry);
      g_task_return_new_error (task, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
                               "No store is open to ledger in");
      return;
    }
  push_write (self, entry, g_steal_pointer (&task));
}

gboolean
ag_guard_ledger_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * ag_guard_flush_ledger:
 *
 * Waits until every entry handed to ag_guard_ledger_later() is written (or failed).
 */
void
ag_guard_flush_ledger (AgGuard *self)
{
  g_return_if_fail (AG_IS_GUARD (self));

  if (self->writer == NULL)
    return;
  /* Runs every queued write, then joins the thread; the next entry starts a new one. */
  g_thread_pool_free (self->writer, FALSE, TRUE);
  self->writer = NULL;
  g_assert_cmpint (g_atomic_int_get (&self->pending_writes), ==, 0);
}

/**
 * ag_guard_ledger_policy_refusal:
 * @refusal: a policy layer the load refused
 *
 * Ledgers `policy-refused` for @refusal (DESIGN §6), with its cause from
 * ag_policy_refusal_to_cause(), on the writer thread; dropped when there is no store.
 */
void
ag_guard_ledger_policy_refusal (AgGuard *self, const AgPolicyRefusal *refusal)
{
  AgLedgerEntry *entry;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (refusal != NULL);

  if (self->store == NULL)
    return;

  entry = ag_guard_new_entry (self, AG_LEDGER_EVENT_POLICY_REFUSED, NULL, AG_LEDGER_NO_FIELD,
                              self->policy);
  entry->cause = ag_policy_refusal_to_cause (refusal);
  ag_guard_ledger_later (self, entry);
}

/**
 * ag_guard_hold_unlock:
 *
 * Called by the event sink while it handles a login or unlock event: the guard stays
 * AUTHENTICATING until ag_guard_release_unlock() with the returned token says whether the
 * sign-in's ledger entry was committed. A cancel or a lock meanwhile ends the hold (the
 * guard is LOCKED) and the release is then ignored.
 *
 * Returns: the token for ag_guard_release_unlock()
 */
guint
ag_guard_hold_unlock (AgGuard *self)
{
  g_return_val_if_fail (AG_IS_GUARD (self), 0);
  g_return_val_if_fail (self->accepting_hold, 0);

  if (++self->last_hold == 0)
    self->last_hold = 1;
  self->unlock_hold = self->last_hold;
  return self->unlock_hold;
}

/**
 * ag_guard_release_unlock:
 * @token: from ag_guard_hold_unlock()
 * @error: (nullable): why the sign-in's entry could not be committed, or %NULL
 *
 * Ends the hold: without @error the guard unlocks; with it the guard is LOCKED again and
 * emits ::attempt-failed with @error (not counted as a failed attempt: PAM said yes, the
 * ledger did not).
 */
void
ag_guard_release_unlock (AgGuard *self, guint token, const GError *error)
{
  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (token != 0);

  if (token != self->unlock_hold)
    return;
  self->unlock_hold = 0;
  /* From inside the sink, while the guard hands it the event: the guard acts on the answer
   * once the handing is over (authenticate_cb), not in the middle of it. */
  if (self->accepting_hold)
    {
      g_clear_error (&self->hold_error);
      if (error != NULL)
        self->hold_error = g_error_copy (error);
      return;
    }

  g_object_ref (self);
  g_object_freeze_notify (G_OBJECT (self));
  if (error == NULL)
    ag_guard_complete_unlock (self, self->hold_first);
  else
    ag_guard_fail_held_unlock (self, error);
  g_object_thaw_notify (G_OBJECT (self));
  g_object_unref (self);
}

/* The sign-in's entry could not be committed: LOCKED again, and ::attempt-failed says why
 * (not a failed attempt: PAM said yes, the ledger did not). */
void
ag_guard_fail_held_unlock (AgGuard *self, const GError *error)
{
  g_message ("The sign-in's ledger entry was not committed: %s", error->message);
  ag_guard_set_state (self, AG_GUARD_STATE_LOCKED);
  g_signal_emit (self, ag_guard_signals[SIGNAL_ATTEMPT_FAILED], 0, error);
}
