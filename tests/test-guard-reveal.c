/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * AgGuard's reveal path (DESIGN §5) against real PAM (the stack of ag-test-guard.h),
 * a real SQLite store with synthetic customers and its keys in a real gnome-keyring
 * (tests/run-test.sh --keyring), and an injected clock: no test waits for real time.
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "ag-keyring.h"
#include "ag-test-guard.h"
#include "ag-test-store.h"

#define N_CUSTOMERS 12
#define SEED        20260405
/* 2026-04-05 12:00:00 UTC: the injected clock of these tests. */
#define T0        G_GINT64_CONSTANT (1775390400000000)
#define SECOND_US G_USEC_PER_SEC
#define HOUR_US   ((gint64) 3600 * G_USEC_PER_SEC)
#define REASON    "customer-request"
#define TICKET    "CH-2026-0042"

typedef struct
{
  char *dir;
  char *path;
  char *store_id;
  GPtrArray *customers; /* AgCustomerData*, the clear values */
  AgSqliteStore *store;

  AgGuard *guard;
  gint64 now;
  guint step; /* the next TOTP step: pam_oath refuses a code it has seen */

  /* How the step-up conversation answers. */
  const char *step_up_password;
  gboolean step_up_cancel; /* cancel @cancellable at the first prompt */
  gboolean step_up_lock;   /* lock the guard at the first prompt */
  guint n_step_up_batches;
  guint max_running_at_step_up; /* PAM attempts running beside a step-up prompt, at most */
  guint n_state_changes;
  guint n_added;

  /* The last reveal's result, and the ledger as its callback saw it. */
  GCancellable *cancellable;
  gboolean done;
  AgReveal *reveal;
  GError *error;
  GPtrArray *ledger_at_callback;
} Fixture;

/* Every ledger entry of the store, in order. */
static GPtrArray *
ledger_entries (Fixture *f)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  AgLedgerFilter filter = { 0 };

  /* What the guard handed to its ledger writer is written first (a guard that went away
   * wrote it before it went). */
  if (f->guard != NULL)
    ag_guard_flush_ledger (f->guard);
  g_assert_true (
    ag_sqlite_store_foreach_event (f->store, &filter, ag_test_collect_entry_cb, entries, &error));
  g_assert_no_error (error);
  return entries;
}

static guint
count_events (GPtrArray *entries, AgLedgerEvent event)
{
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    if (((AgLedgerEntry *) entries->pdata[i])->event == event)
      n++;
  return n;
}

static guint
ledger_entries_count (Fixture *f)
{
  g_autoptr (GPtrArray) entries = ledger_entries (f);

  return entries->len;
}

static const AgLedgerEntry *
last_entry (GPtrArray *entries)
{
  g_assert_cmpuint (entries->len, >, 0);
  return entries->pdata[entries->len - 1];
}

/* The @n-th customer (0-based) that has a value of @kind. */
static const AgCustomerData *
customer_with (Fixture *f, AgPiiKind kind, guint n)
{
  for (guint i = 0; i < f->customers->len; i++)
    {
      const AgCustomerData *data = f->customers->pdata[i];

      if (data->values[kind] != NULL && n-- == 0)
        return data;
    }
  g_assert_not_reached ();
}

/* Compared without printing either: a mismatch must not put a value in the log. */
static void
assert_value (AgReveal *reveal, const char *expected)
{
  const char *value;

  g_assert_nonnull (reveal);
  value = ag_reveal_get_value (reveal);
  g_assert_nonnull (value);
  g_assert_true (strcmp (value, expected) == 0);
}

static void
answer (Fixture *f, AgAuthBatch *batch, const char *password)
{
  for (guint i = 0; i < ag_auth_batch_get_n_messages (batch); i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);

      if (!ag_auth_batch_is_prompt (batch, i))
        continue;
      if (g_str_has_prefix (text, "Password"))
        ag_auth_batch_set_answer (batch, i, password);
      else if (g_str_has_prefix (text, "One-time password"))
        {
          g_autofree char *code = ag_test_pam_code (f->step++);

          ag_auth_batch_set_answer (batch, i, code);
        }
    }
  if (ag_auth_batch_needs_reply (batch))
    ag_auth_batch_reply (batch);
}

static void
conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer data)
{
  answer (data, batch, AG_TEST_PASSWORD);
}

static void
step_up_conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer data)
{
  Fixture *f = data;

  /* The step-up runs while the session stays unlocked. */
  g_assert_cmpint (ag_guard_get_state (guard), ==, AG_GUARD_STATE_UNLOCKED);
  f->n_step_up_batches++;
  /* Attempts only: the ledger entry of a failed step-up before may still be on its way. */
  f->max_running_at_step_up = MAX (f->max_running_at_step_up, ag_guard_get_n_attempts (guard));
  if (f->step_up_cancel)
    g_cancellable_cancel (f->cancellable);
  else if (f->step_up_lock)
    ag_guard_lock (guard, AG_LOCK_CAUSE_MANUAL);
  else
    answer (f, batch, f->step_up_password);
}

static void
state_changed_cb (AgGuard *guard, AgGuardState old_state, AgGuardState new_state, gpointer data)
{
  Fixture *f = data;

  f->n_state_changes++;
}

static void
reveal_added_cb (AgGuard *guard, AgReveal *reveal, gpointer data)
{
  Fixture *f = data;

  g_assert_true (ag_reveal_get_active (reveal));
  f->n_added++;
}

/* The guard's security events go to the same ledger, as the window does it. */
static void
event_cb (const AgGuardEvent *event, gpointer data)
{
  Fixture *f = data;
  g_autoptr (AgLedgerEntry) entry
    = ag_guard_event_to_ledger_entry (event, "s-test", AG_LEDGER_MODE_LIVE);
  g_autoptr (GError) error = NULL;

  /* NULL while the fixture lets the guard go (it ledgers its last re-masks itself). */
  if (f->guard != NULL)
    ag_guard_flush_ledger (f->guard);
  g_assert_true (ag_store_append_event (AG_STORE (f->store), entry, &error));
  g_assert_no_error (error);
}

static gint64
test_clock (gpointer data)
{
  Fixture *f = data;

  return f->now;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_write_stack (NULL);

  f->dir = g_dir_make_tmp ("ag-guard-reveal-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
  f->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  f->store_id = ag_test_make_store (f->path, SEED, N_CUSTOMERS, f->customers);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);

  f->now = T0;
  f->step_up_password = AG_TEST_PASSWORD;
  f->cancellable = g_cancellable_new ();
  f->guard = ag_guard_new (&error);
  g_assert_no_error (error);
  ag_guard_set_clock (f->guard, test_clock, f);
  ag_guard_set_event_sink (f->guard, event_cb, f, NULL);
  ag_guard_set_store (f->guard, AG_STORE (f->store), "s-test", AG_LEDGER_MODE_LIVE);
  g_signal_connect (f->guard, "conversation", G_CALLBACK (conversation_cb), f);
  g_signal_connect (f->guard, "step-up-conversation", G_CALLBACK (step_up_conversation_cb), f);
  g_signal_connect (f->guard, "state-changed", G_CALLBACK (state_changed_cb), f);
  g_signal_connect (f->guard, "reveal-added", G_CALLBACK (reveal_added_cb), f);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->reveal);
  /* Let cancelled workers wind down, so no PAM transaction outlives the test. */
  while (ag_guard_get_n_running (f->guard) > 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_finalize_object (g_steal_pointer (&f->guard));
  g_assert_finalize_object (g_steal_pointer (&f->store));
  ag_keyring_delete_keys (f->store_id, NULL, NULL);
  ag_test_remove_tree (f->dir);
  g_ptr_array_unref (f->customers);
  g_clear_pointer (&f->ledger_at_callback, g_ptr_array_unref);
  g_clear_error (&f->error);
  g_clear_object (&f->cancellable);
  g_free (f->store_id);
  g_free (f->path);
  g_free (f->dir);
}

static void
sign_in (Fixture *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (ag_guard_begin (f->guard, &error));
  g_assert_no_error (error);
  while (ag_guard_get_state (f->guard) == AG_GUARD_STATE_AUTHENTICATING)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (ag_guard_get_state (f->guard), ==, AG_GUARD_STATE_UNLOCKED);
}

static void
set_policy (Fixture *f, const char *lines)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *system_dir = g_build_filename (f->dir, "policy", NULL);
  g_autofree char *file = g_build_filename (system_dir, "policy.conf", NULL);
  g_autofree char *contents = g_strdup_printf ("[policy]\n%s", lines);
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new (system_dir, NULL, NULL);
  g_autoptr (AgPolicy) policy = NULL;

  g_assert_cmpint (g_mkdir_with_parents (system_dir, 0755), ==, 0);
  g_file_set_contents (file, contents, -1, &error);
  g_assert_no_error (error);
  policy = ag_policy_load (paths, g_get_user_name (), NULL, NULL, &error);
  g_assert_no_error (error);
  ag_guard_set_policy (f->guard, policy);
  g_assert_true (ag_guard_get_policy (f->guard) == policy);
}

static void
reveal_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;

  g_assert_false (f->done);
  f->reveal = ag_guard_reveal_finish (AG_GUARD (source), result, &f->error);
  g_assert_true ((f->reveal == NULL) != (f->error == NULL));
  /* What the ledger holds at the moment the value is handed over. */
  g_clear_pointer (&f->ledger_at_callback, g_ptr_array_unref);
  f->ledger_at_callback = ledger_entries (f);
  f->done = TRUE;
}

static void
start_reveal (Fixture *f, const char *record_id, AgPiiKind kind, const char *reason)
{
  g_clear_object (&f->reveal);
  g_clear_error (&f->error);
  f->done = FALSE;
  ag_guard_reveal_async (f->guard, record_id, kind, reason, TICKET, f->cancellable, reveal_cb, f);
}

static void
wait_reveal (Fixture *f)
{
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
}

/* One reveal to its end; the result is in f->reveal or f->error. */
static void
reveal (Fixture *f, const char *record_id, AgPiiKind kind, const char *reason)
{
  start_reveal (f, record_id, kind, reason);
  wait_reveal (f);
}

/* The last reveal was denied with @code, ledgered `reveal-denied` with its cause, and no
 * `reveal` entry or value came of it. */
static void
assert_denied (Fixture *f, AgRevealError code, guint reveals_before)
{
  g_autoptr (GPtrArray) entries = ledger_entries (f);
  const AgLedgerEntry *entry = last_entry (entries);

  g_assert_null (f->reveal);
  g_assert_error (f->error, AG_REVEAL_ERROR, (gint) code);
  g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_REVEAL_DENIED);
  g_assert_cmpstr (entry->cause, ==, ag_reveal_error_to_cause (code));
  g_assert_cmpstr (entry->user, ==, g_get_user_name ());
  g_assert_cmpstr (entry->session_id, ==, "s-test");
  g_assert_cmpint (entry->time_us, ==, f->now);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_REVEAL), ==, reveals_before);
}

/* Tests */

typedef struct
{
  guint n_remasked;
  guint n_notified;
  AgRemaskCause cause;
  gboolean value_gone; /* the value was already wiped when the signal came */
} RemaskSeen;

static void
remasked_cb (AgReveal *reveal, AgRemaskCause cause, gpointer data)
{
  RemaskSeen *seen = data;

  seen->n_remasked++;
  seen->cause = cause;
  seen->value_gone = ag_reveal_get_value (reveal) == NULL;
}

static void
notify_active_cb (AgReveal *reveal, GParamSpec *pspec, gpointer data)
{
  RemaskSeen *seen = data;

  g_assert_false (ag_reveal_get_active (reveal));
  /* ::notify::active comes before ::remasked. */
  g_assert_cmpuint (seen->n_remasked, ==, 0);
  seen->n_notified++;
}

static void
test_reveal_object (void)
{
  const char *value = "529.982.247-25";
  AgReveal *reveal = ag_reveal_new ("C-1", AG_PII_KIND_CPF,
                                    ag_secret_new_from_data (value, strlen (value)), 10, 20);
  RemaskSeen seen = { 0 };
  gboolean active = FALSE;
  g_autofree char *record_id = NULL;
  gint64 expires_at = 0;

  g_assert_cmpstr (ag_reveal_get_value (reveal), ==, value);
  g_assert_true (ag_reveal_get_active (reveal));
  g_assert_cmpstr (ag_reveal_get_record_id (reveal), ==, "C-1");
  g_assert_cmpint (ag_reveal_get_kind (reveal), ==, AG_PII_KIND_CPF);
  g_assert_cmpint (ag_reveal_get_revealed_at (reveal), ==, 10);
  g_assert_cmpint (ag_reveal_get_expires_at (reveal), ==, 20);
  g_object_get (reveal, "active", &active, "record-id", &record_id, "expires-at", &expires_at,
                NULL);
  g_assert_true (active);
  g_assert_cmpstr (record_id, ==, "C-1");
  g_assert_cmpint (expires_at, ==, 20);

  g_signal_connect (reveal, "remasked", G_CALLBACK (remasked_cb), &seen);
  g_signal_connect (reveal, "notify::active", G_CALLBACK (notify_active_cb), &seen);
  ag_reveal_remask (reveal, AG_REMASK_CAUSE_HIDDEN);
  g_assert_null (ag_reveal_get_value (reveal));
  g_assert_false (ag_reveal_get_active (reveal));
  g_assert_cmpuint (seen.n_notified, ==, 1);
  g_assert_cmpuint (seen.n_remasked, ==, 1);
  g_assert_cmpint (seen.cause, ==, AG_REMASK_CAUSE_HIDDEN);
  g_assert_true (seen.value_gone);

  /* Once only. */
  ag_reveal_remask (reveal, AG_REMASK_CAUSE_LOCK);
  g_assert_cmpuint (seen.n_remasked, ==, 1);
  g_assert_cmpuint (seen.n_notified, ==, 1);
  g_assert_finalize_object (reveal);

  /* A reveal freed while active takes its value with it (ASan sees a leak otherwise). */
  reveal = ag_reveal_new ("C-2", AG_PII_KIND_PHONE, ag_secret_new_from_data ("1", 1), 0, 0);
  g_assert_finalize_object (reveal);
}

static void
test_names (void)
{
  g_assert_cmpstr (ag_remask_cause_to_string (AG_REMASK_CAUSE_RECORD_CHANGED), ==,
                   "record-changed");
  g_assert_cmpstr (ag_remask_cause_to_string (AG_REMASK_CAUSE_FOCUS_LOSS), ==, "focus-loss");
  g_assert_cmpstr (ag_reveal_error_to_cause (AG_REVEAL_ERROR_STEP_UP_FAILED), ==, "step-up-failed");
  g_assert_cmpstr (ag_reveal_error_to_cause (AG_REVEAL_ERROR_REASON_REQUIRED), ==,
                   "reason-required");
}

static void
test_success (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  const AgLedgerEntry *entry;
  GListModel *reveals = ag_guard_get_reveals (f->guard);
  g_autoptr (AgReveal) live = NULL;

  sign_in (f);
  f->now += 5 * SECOND_US;
  g_assert_false (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CPF));
  reveal (f, customer->id, AG_PII_KIND_CPF, REASON);

  g_assert_no_error (f->error);
  assert_value (f->reveal, customer->values[AG_PII_KIND_CPF]);
  g_assert_cmpstr (ag_reveal_get_record_id (f->reveal), ==, customer->id);
  g_assert_cmpint (ag_reveal_get_kind (f->reveal), ==, AG_PII_KIND_CPF);
  g_assert_cmpint (ag_reveal_get_revealed_at (f->reveal), ==, f->now);
  /* The strict default reveal-duration: 20 s. */
  g_assert_cmpint (ag_reveal_get_expires_at (f->reveal), ==, f->now + 20 * SECOND_US);

  /* The entry was committed before the value was handed over: login, then the reveal. */
  g_assert_cmpuint (f->ledger_at_callback->len, ==, 2);
  g_assert_cmpint (((AgLedgerEntry *) f->ledger_at_callback->pdata[0])->event, ==,
                   AG_LEDGER_EVENT_LOGIN);
  entry = last_entry (f->ledger_at_callback);
  g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_REVEAL);
  g_assert_cmpint (entry->time_us, ==, f->now);
  g_assert_cmpstr (entry->user, ==, g_get_user_name ());
  g_assert_cmpstr (entry->host, ==, g_get_host_name ());
  g_assert_cmpstr (entry->session_id, ==, "s-test");
  g_assert_cmpint (entry->mode, ==, AG_LEDGER_MODE_LIVE);
  g_assert_cmpstr (entry->record_id, ==, customer->id);
  g_assert_cmpint (entry->field_kind, ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (entry->reason, ==, REASON);
  g_assert_cmpstr (entry->ticket, ==, TICKET);
  g_assert_cmpstr (entry->policy_version, ==,
                   ag_policy_get_version (ag_guard_get_policy (f->guard)));
  g_assert_null (entry->cause);

  /* It is live: in the guard's list, announced once. */
  g_assert_cmpuint (f->n_added, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (reveals), ==, 1);
  live = g_list_model_get_item (reveals, 0);
  g_assert_true (live == f->reveal);
}

static void
test_denied_locked (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);

  /* Before the sign-in. */
  reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  assert_denied (f, AG_REVEAL_ERROR_LOCKED, 0);

  /* After a lock. */
  sign_in (f);
  ag_guard_lock (f->guard, AG_LOCK_CAUSE_MANUAL);
  reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  assert_denied (f, AG_REVEAL_ERROR_LOCKED, 0);
  g_assert_cmpuint (f->n_added, ==, 0);
}

static void
test_denied_policy (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_EMAIL, 0);

  sign_in (f);

  /* The name is not masked by the strict defaults: there is nothing to reveal. */
  reveal (f, customer->id, AG_PII_KIND_NAME, REASON);
  assert_denied (f, AG_REVEAL_ERROR_NOT_MASKED, 0);

  /* require-reason is on by default. */
  reveal (f, customer->id, AG_PII_KIND_EMAIL, NULL);
  assert_denied (f, AG_REVEAL_ERROR_REASON_REQUIRED, 0);
  reveal (f, customer->id, AG_PII_KIND_EMAIL, "");
  assert_denied (f, AG_REVEAL_ERROR_REASON_REQUIRED, 0);

  /* A reason that is not one of the policy's codes. */
  reveal (f, customer->id, AG_PII_KIND_EMAIL, "curiosity");
  assert_denied (f, AG_REVEAL_ERROR_UNKNOWN_REASON, 0);
  g_assert_cmpstr (last_entry (f->ledger_at_callback)->reason, ==, "curiosity");

  /* No such customer: the store refuses, nothing is committed but the denial. */
  reveal (f, "no-such-customer", AG_PII_KIND_EMAIL, REASON);
  assert_denied (f, AG_REVEAL_ERROR_NOT_FOUND, 0);

  /* A policy that needs no reason: a reveal without one goes through, and an unknown
   * reason is still refused when one is given. */
  set_policy (f, "masked-kinds=cpf;email\nrequire-reason=false\n");
  reveal (f, customer->id, AG_PII_KIND_EMAIL, NULL);
  g_assert_no_error (f->error);
  assert_value (f->reveal, customer->values[AG_PII_KIND_EMAIL]);
  g_assert_null (last_entry (f->ledger_at_callback)->reason);
  reveal (f, customer->id, AG_PII_KIND_EMAIL, "curiosity");
  assert_denied (f, AG_REVEAL_ERROR_UNKNOWN_REASON, 1);

  /* Phones are no longer masked under this policy. */
  reveal (f, customer->id, AG_PII_KIND_PHONE, REASON);
  assert_denied (f, AG_REVEAL_ERROR_NOT_MASKED, 1);
}

static void
test_ticket_rule (void)
{
  static const struct
  {
    const char *ticket;
    AgTicketProblem problem;
  } cases[] = {
    { "CHAMADO-2026-000123", AG_TICKET_OK },
    { "INC0012345", AG_TICKET_OK },
    { "call#4471/b", AG_TICKET_OK },
    { "20261123.153045.0043", AG_TICKET_OK },
    /* Long numeric ids pass the Luhn check one time in ten: refused, to be safe. */
    { "20261123.153045.0042", AG_TICKET_LOOKS_LIKE_PII },
    { "A", AG_TICKET_OK },
    { "1234567890123456789012345678901234567890123456789012345678901234", AG_TICKET_OK },
    { "12345678901234567890123456789012345678901234567890123456789012345", AG_TICKET_TOO_LONG },
    { "", AG_TICKET_EMPTY },
    /* Free text, spaces and anything outside the set: a name could hide there. */
    { "Maria da Silva", AG_TICKET_BAD_CHARACTER },
    { "ticket;drop", AG_TICKET_BAD_CHARACTER },
    { "caf\xc3\xa9", AG_TICKET_BAD_CHARACTER },
    { "a@b.example", AG_TICKET_BAD_CHARACTER },
    /* Documents and cards, with or without their separators, alone or inside. */
    { "52998224725", AG_TICKET_LOOKS_LIKE_PII },
    { "529.982.247-25", AG_TICKET_LOOKS_LIKE_PII },
    { "CPF-529.982.247-25", AG_TICKET_LOOKS_LIKE_PII },
    { "11.222.333/0001-81", AG_TICKET_LOOKS_LIKE_PII },
    { "4111111111111111", AG_TICKET_LOOKS_LIKE_PII },
    { "4111-1111-1111-1111", AG_TICKET_LOOKS_LIKE_PII },
    /* Same lengths, failing their check digits: call ids, not documents. */
    { "52998224724", AG_TICKET_OK },
    { "4111111111111112", AG_TICKET_OK },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_cmpint (ag_guard_check_ticket (cases[i].ticket), ==, cases[i].problem);
      g_assert_cmpint (ag_guard_ticket_is_valid (cases[i].ticket), ==,
                       cases[i].problem == AG_TICKET_OK);
    }
}

static void
test_denied_ticket (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GPtrArray) entries = NULL;

  sign_in (f);
  g_clear_object (&f->reveal);
  g_clear_error (&f->error);
  f->done = FALSE;
  ag_guard_reveal_async (f->guard, customer->id, AG_PII_KIND_CPF, REASON, "529.982.247-25",
                         f->cancellable, reveal_cb, f);
  wait_reveal (f);
  assert_denied (f, AG_REVEAL_ERROR_INVALID_TICKET, 0);
  /* The denial is ledgered without the refused ticket. */
  entries = ledger_entries (f);
  for (guint i = 0; i < entries->len; i++)
    g_assert_null (((AgLedgerEntry *) entries->pdata[i])->ticket);
}

static void
test_no_store (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);

  sign_in (f);
  ag_guard_set_store (f->guard, NULL, NULL, AG_LEDGER_MODE_LIVE);
  reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  g_assert_null (f->reveal);
  g_assert_error (f->error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LEDGER);
}

static void
test_quota (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_PHONE, 0);

  set_policy (f, "max-reveals-per-hour=3\n");
  sign_in (f);

  for (guint i = 0; i < 3; i++)
    {
      f->now += SECOND_US;
      reveal (f, customer->id, AG_PII_KIND_PHONE, REASON);
      g_assert_no_error (f->error);
      ag_guard_remask (f->guard, f->reveal, AG_REMASK_CAUSE_HIDDEN);
    }
  /* The fourth within the hour is refused, and a refusal does not count. */
  f->now += 30 * 60 * SECOND_US;
  reveal (f, customer->id, AG_PII_KIND_PHONE, REASON);
  assert_denied (f, AG_REVEAL_ERROR_QUOTA, 3);
  reveal (f, customer->id, AG_PII_KIND_PHONE, REASON);
  assert_denied (f, AG_REVEAL_ERROR_QUOTA, 3);

  /* An hour after the first, one is free again, and only one. */
  f->now = T0 + SECOND_US + HOUR_US;
  reveal (f, customer->id, AG_PII_KIND_PHONE, REASON);
  g_assert_no_error (f->error);
  assert_value (f->reveal, customer->values[AG_PII_KIND_PHONE]);
  ag_guard_remask (f->guard, f->reveal, AG_REMASK_CAUSE_HIDDEN);
  reveal (f, customer->id, AG_PII_KIND_PHONE, REASON);
  assert_denied (f, AG_REVEAL_ERROR_QUOTA, 4);
}

static void
test_step_up (Fixture *f, gconstpointer data)
{
  const AgCustomerData *card = customer_with (f, AG_PII_KIND_CARD_NUMBER, 0);
  const AgCustomerData *bank = customer_with (f, AG_PII_KIND_BANK_ACCOUNT, 0);
  guint state_changes;

  sign_in (f);
  state_changes = f->n_state_changes;

  /* Within step-up-grace (120 s by default) of the sign-in: no step-up. */
  f->now = T0 + 120 * SECOND_US;
  g_assert_false (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CARD_NUMBER));
  g_assert_false (ag_guard_needs_step_up (f->guard, AG_PII_KIND_BANK_ACCOUNT));
  reveal (f, card->id, AG_PII_KIND_CARD_NUMBER, REASON);
  g_assert_no_error (f->error);
  assert_value (f->reveal, card->values[AG_PII_KIND_CARD_NUMBER]);
  g_assert_cmpuint (f->n_step_up_batches, ==, 0);

  /* A microsecond later both step-up kinds need it, other kinds not. */
  f->now += 1;
  g_assert_true (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CARD_NUMBER));
  g_assert_true (ag_guard_needs_step_up (f->guard, AG_PII_KIND_BANK_ACCOUNT));
  g_assert_false (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CPF));
  reveal (f, bank->id, AG_PII_KIND_BANK_ACCOUNT, REASON);
  g_assert_no_error (f->error);
  assert_value (f->reveal, bank->values[AG_PII_KIND_BANK_ACCOUNT]);
  /* Both factors again, and the session never left UNLOCKED. */
  g_assert_cmpuint (f->n_step_up_batches, ==, 2);
  g_assert_cmpuint (f->n_state_changes, ==, state_changes);
  g_assert_cmpint (ag_guard_get_state (f->guard), ==, AG_GUARD_STATE_UNLOCKED);

  /* The step-up starts a new grace. */
  g_assert_false (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CARD_NUMBER));
  f->now += 120 * SECOND_US;
  reveal (f, card->id, AG_PII_KIND_CARD_NUMBER, REASON);
  g_assert_no_error (f->error);
  g_assert_cmpuint (f->n_step_up_batches, ==, 2);
  f->now += 1;
  g_assert_true (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CARD_NUMBER));

  /* A clock that went back before the last sign-in does not stretch the grace. */
  f->now = T0 - SECOND_US;
  g_assert_true (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CARD_NUMBER));
}

typedef struct
{
  gboolean done;
  AgReveal *reveal;
  GError *error;
} RevealResult;

static void
reveal_result_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  RevealResult *out = data;

  out->reveal = ag_guard_reveal_finish (AG_GUARD (source), result, &out->error);
  out->done = TRUE;
}

/* Two reveals that both need a step-up run one PAM conversation at a time: the second
 * waits for the first; after a success it goes on within the grace that one started,
 * after a failure it asks for its own. */
static void
test_step_up_serialized (Fixture *f, gconstpointer data)
{
  const AgCustomerData *card = customer_with (f, AG_PII_KIND_CARD_NUMBER, 0);
  const AgCustomerData *bank = customer_with (f, AG_PII_KIND_BANK_ACCOUNT, 0);

  sign_in (f);
  for (guint round = 0; round < 2; round++)
    {
      RevealResult first = { 0 }, second = { 0 };

      /* Attempts of the sign-in may still be winding down (ag_guard_get_n_running()). */
      while (ag_guard_get_n_running (f->guard) > 0)
        g_main_context_iteration (NULL, TRUE);
      f->now += 121 * SECOND_US;
      f->n_step_up_batches = 0;
      f->max_running_at_step_up = 0;
      f->step_up_password = round == 0 ? AG_TEST_PASSWORD : "not-the-password";
      ag_guard_reveal_async (f->guard, card->id, AG_PII_KIND_CARD_NUMBER, REASON, NULL, NULL,
                             reveal_result_cb, &first);
      ag_guard_reveal_async (f->guard, bank->id, AG_PII_KIND_BANK_ACCOUNT, REASON, NULL, NULL,
                             reveal_result_cb, &second);
      while (!first.done || !second.done)
        g_main_context_iteration (NULL, TRUE);

      /* Never two conversations at once. */
      g_assert_cmpuint (f->max_running_at_step_up, ==, 1);
      if (round == 0)
        {
          /* One conversation (its two prompts) for both. */
          g_assert_cmpuint (f->n_step_up_batches, ==, 2);
          g_assert_no_error (first.error);
          g_assert_no_error (second.error);
          assert_value (first.reveal, card->values[AG_PII_KIND_CARD_NUMBER]);
          assert_value (second.reveal, bank->values[AG_PII_KIND_BANK_ACCOUNT]);
        }
      else
        {
          /* Each failed on its own conversation, one after the other. */
          g_assert_cmpuint (f->n_step_up_batches, ==, 4);
          g_assert_error (first.error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_STEP_UP_FAILED);
          g_assert_error (second.error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_STEP_UP_FAILED);
          g_assert_null (first.reveal);
          g_assert_null (second.reveal);
        }
      ag_guard_remask_all (f->guard, AG_REMASK_CAUSE_HIDDEN);
      g_clear_object (&first.reveal);
      g_clear_object (&second.reveal);
      g_clear_error (&first.error);
      g_clear_error (&second.error);
    }
}

static void
test_step_up_failed (Fixture *f, gconstpointer data)
{
  const AgCustomerData *card = customer_with (f, AG_PII_KIND_CARD_NUMBER, 0);

  sign_in (f);
  f->now += 121 * SECOND_US;
  f->step_up_password = "not-the-password";
  reveal (f, card->id, AG_PII_KIND_CARD_NUMBER, REASON);
  assert_denied (f, AG_REVEAL_ERROR_STEP_UP_FAILED, 0);
  g_assert_cmpuint (f->n_step_up_batches, ==, 2);
  /* Not an unlock failure: still UNLOCKED, nothing counted, and still needed. */
  g_assert_cmpint (ag_guard_get_state (f->guard), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_cmpuint (ag_guard_get_failed_attempts (f->guard), ==, 0);
  g_assert_true (ag_guard_needs_step_up (f->guard, AG_PII_KIND_CARD_NUMBER));
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 0);

  /* The right factors then pass. */
  f->step_up_password = AG_TEST_PASSWORD;
  reveal (f, card->id, AG_PII_KIND_CARD_NUMBER, REASON);
  g_assert_no_error (f->error);
  assert_value (f->reveal, card->values[AG_PII_KIND_CARD_NUMBER]);
}

static void
test_step_up_cancelled (Fixture *f, gconstpointer data)
{
  const AgCustomerData *bank = customer_with (f, AG_PII_KIND_BANK_ACCOUNT, 0);

  sign_in (f);
  f->now += 121 * SECOND_US;
  f->step_up_cancel = TRUE;
  reveal (f, bank->id, AG_PII_KIND_BANK_ACCOUNT, REASON);
  assert_denied (f, AG_REVEAL_ERROR_CANCELLED, 0);
  g_assert_cmpuint (f->n_step_up_batches, ==, 1);
  g_assert_cmpint (ag_guard_get_state (f->guard), ==, AG_GUARD_STATE_UNLOCKED);
  g_assert_cmpuint (ag_guard_get_failed_attempts (f->guard), ==, 0);

  /* A cancellable cancelled before the start: nothing runs. */
  f->n_step_up_batches = 0;
  reveal (f, bank->id, AG_PII_KIND_BANK_ACCOUNT, REASON);
  assert_denied (f, AG_REVEAL_ERROR_CANCELLED, 0);
  g_assert_cmpuint (f->n_step_up_batches, ==, 0);
}

static void
test_lock_during_step_up (Fixture *f, gconstpointer data)
{
  const AgCustomerData *card = customer_with (f, AG_PII_KIND_CARD_NUMBER, 0);
  g_autoptr (GPtrArray) entries = NULL;

  sign_in (f);
  f->now += 121 * SECOND_US;
  f->step_up_lock = TRUE;
  reveal (f, card->id, AG_PII_KIND_CARD_NUMBER, REASON);
  assert_denied (f, AG_REVEAL_ERROR_LOCKED, 0);
  g_assert_cmpint (ag_guard_get_state (f->guard), ==, AG_GUARD_STATE_LOCKED);
  entries = ledger_entries (f);
  g_assert_cmpint (((AgLedgerEntry *) entries->pdata[entries->len - 2])->event, ==,
                   AG_LEDGER_EVENT_LOCK);
}

static void
test_lock_during_reveal (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GPtrArray) entries = NULL;
  const AgLedgerEntry *entry;

  sign_in (f);
  /* The store works in its thread while the session locks. */
  start_reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  ag_guard_lock (f->guard, AG_LOCK_CAUSE_SCREEN_LOCK);
  wait_reveal (f);

  g_assert_null (f->reveal);
  g_assert_error (f->error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED);
  g_assert_cmpuint (f->n_added, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 0);

  /* The committed entry is closed by its re-mask: the value was wiped unseen. */
  entries = ledger_entries (f);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_REVEAL), ==, 1);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_REMASK), ==, 1);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_LOCK), ==, 1);
  entry = last_entry (entries);
  g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_REMASK);
  g_assert_cmpstr (entry->cause, ==, "lock");
  g_assert_cmpstr (entry->record_id, ==, customer->id);
  g_assert_cmpint (entry->field_kind, ==, AG_PII_KIND_CPF);

  /* Locked and unlocked again before the store answered: still void. */
  f->step++;
  sign_in (f);
  start_reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  ag_guard_lock (f->guard, AG_LOCK_CAUSE_MANUAL);
  sign_in (f);
  wait_reveal (f);
  g_assert_null (f->reveal);
  g_assert_error (f->error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED);
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 0);
}

static void
test_cancel_during_reveal (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GPtrArray) entries = NULL;

  sign_in (f);
  start_reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  g_cancellable_cancel (f->cancellable);
  wait_reveal (f);

  g_assert_null (f->reveal);
  g_assert_error (f->error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED);
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 0);
  entries = ledger_entries (f);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_REVEAL), ==, 1);
  g_assert_cmpint (last_entry (entries)->event, ==, AG_LEDGER_EVENT_REMASK);
  g_assert_cmpstr (last_entry (entries)->cause, ==, "hidden");
}

static void
test_expiry (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_EMAIL, 0);
  g_autoptr (GPtrArray) entries = NULL;
  RemaskSeen seen = { 0 };
  gint64 revealed_at;

  set_policy (f, "reveal-duration=45\n");
  sign_in (f);
  f->now += 7 * SECOND_US;
  revealed_at = f->now;
  reveal (f, customer->id, AG_PII_KIND_EMAIL, REASON);
  g_assert_no_error (f->error);
  g_assert_cmpint (ag_reveal_get_expires_at (f->reveal), ==, revealed_at + 45 * SECOND_US);
  g_signal_connect (f->reveal, "remasked", G_CALLBACK (remasked_cb), &seen);

  /* Not a microsecond early. */
  f->now = revealed_at + 45 * SECOND_US - 1;
  ag_guard_process_time (f->guard);
  assert_value (f->reveal, customer->values[AG_PII_KIND_EMAIL]);
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 1);

  /* A policy set now does not move a live reveal's expiry. */
  set_policy (f, "reveal-duration=300\n");
  f->now = revealed_at + 45 * SECOND_US;
  ag_guard_process_time (f->guard);
  g_assert_false (ag_reveal_get_active (f->reveal));
  g_assert_null (ag_reveal_get_value (f->reveal));
  g_assert_cmpuint (seen.n_remasked, ==, 1);
  g_assert_cmpint (seen.cause, ==, AG_REMASK_CAUSE_EXPIRED);
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 0);

  entries = ledger_entries (f);
  g_assert_cmpint (last_entry (entries)->event, ==, AG_LEDGER_EVENT_REMASK);
  g_assert_cmpstr (last_entry (entries)->cause, ==, "expired");
  g_assert_cmpstr (last_entry (entries)->record_id, ==, customer->id);
  g_assert_cmpint (last_entry (entries)->field_kind, ==, AG_PII_KIND_EMAIL);
  g_assert_cmpint (last_entry (entries)->time_us, ==, f->now);

  /* Nothing more to do later. */
  f->now += HOUR_US;
  ag_guard_process_time (f->guard);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = ledger_entries (f);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_REMASK), ==, 1);
}

/* The guard's own timer: nobody calls ag_guard_process_time() here. It wakes the guard at
 * the expiry (one real second, the shortest reveal-duration); the injected clock decides. */
static void
test_expiry_timer (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GPtrArray) entries = NULL;

  set_policy (f, "reveal-duration=1\n");
  sign_in (f);
  reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  g_assert_no_error (f->error);
  f->now += SECOND_US;
  while (ag_reveal_get_active (f->reveal))
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (ag_reveal_get_value (f->reveal));
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 0);
  entries = ledger_entries (f);
  g_assert_cmpint (last_entry (entries)->event, ==, AG_LEDGER_EVENT_REMASK);
  g_assert_cmpstr (last_entry (entries)->cause, ==, "expired");
}

/* Three live reveals of @f's first customer with a phone, a CPF and an e-mail. */
static void
reveal_three (Fixture *f, AgReveal **out)
{
  const AgPiiKind kinds[] = { AG_PII_KIND_PHONE, AG_PII_KIND_CPF, AG_PII_KIND_EMAIL };
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_EMAIL, 0);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      reveal (f, customer->id, kinds[i], REASON);
      g_assert_no_error (f->error);
      out[i] = g_steal_pointer (&f->reveal);
    }
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 3);
}

static void
assert_remasks (Fixture *f, guint n_expected, const char *cause)
{
  g_autoptr (GPtrArray) entries = ledger_entries (f);
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      const AgLedgerEntry *entry = entries->pdata[i];

      if (entry->event == AG_LEDGER_EVENT_REMASK && g_strcmp0 (entry->cause, cause) == 0)
        n++;
    }
  g_assert_cmpuint (n, ==, n_expected);
}

static void
test_remask (Fixture *f, gconstpointer data)
{
  AgReveal *reveals[3] = { NULL };
  g_autoptr (GPtrArray) entries = NULL;
  guint lock_at = 0;

  sign_in (f);

  /* One, hidden by the agent: ledgered once, however often asked. */
  reveal_three (f, reveals);
  ag_guard_remask (f->guard, reveals[1], AG_REMASK_CAUSE_HIDDEN);
  ag_guard_remask (f->guard, reveals[1], AG_REMASK_CAUSE_HIDDEN);
  g_assert_null (ag_reveal_get_value (reveals[1]));
  g_assert_nonnull (ag_reveal_get_value (reveals[0]));
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 2);
  assert_remasks (f, 1, "hidden");

  /* The rest, on a change of record. */
  ag_guard_remask_all (f->guard, AG_REMASK_CAUSE_RECORD_CHANGED);
  g_assert_null (ag_reveal_get_value (reveals[0]));
  g_assert_null (ag_reveal_get_value (reveals[2]));
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (f->guard)), ==, 0);
  assert_remasks (f, 2, "record-changed");
  ag_guard_remask_all (f->guard, AG_REMASK_CAUSE_RECORD_CHANGED);
  assert_remasks (f, 2, "record-changed");
  for (guint i = 0; i < 3; i++)
    g_assert_finalize_object (reveals[i]);

  /* All, on a lock: each re-mask is ledgered before the lock. */
  reveal_three (f, reveals);
  ag_guard_lock (f->guard, AG_LOCK_CAUSE_IDLE);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_null (ag_reveal_get_value (reveals[i]));
      g_assert_finalize_object (reveals[i]);
    }
  assert_remasks (f, 3, "lock");
  entries = ledger_entries (f);
  for (guint i = 0; i < entries->len; i++)
    if (((AgLedgerEntry *) entries->pdata[i])->event == AG_LEDGER_EVENT_LOCK)
      lock_at = i;
  g_assert_cmpuint (lock_at, ==, entries->len - 1);
  for (guint i = 1; i <= 3; i++)
    g_assert_cmpint (((AgLedgerEntry *) entries->pdata[lock_at - i])->event, ==,
                     AG_LEDGER_EVENT_REMASK);

  /* All, when the guard goes away. */
  f->step++;
  sign_in (f);
  reveal_three (f, reveals);
  g_assert_finalize_object (g_steal_pointer (&f->guard));
  for (guint i = 0; i < 3; i++)
    {
      g_assert_null (ag_reveal_get_value (reveals[i]));
      g_assert_finalize_object (reveals[i]);
    }
  assert_remasks (f, 3, "close");

  /* For the tear-down. */
  f->guard = ag_guard_new (NULL);
}

static void
copy_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;
  gboolean ok;

  g_assert_false (f->done);
  g_clear_error (&f->error);
  ok = ag_guard_copy_finish (AG_GUARD (source), result, &f->error);
  g_assert_true (ok == (f->error == NULL));
  /* What the ledger holds when the copy may go on the clipboard. */
  g_clear_pointer (&f->ledger_at_callback, g_ptr_array_unref);
  f->ledger_at_callback = ledger_entries (f);
  f->done = TRUE;
}

static void
copy (Fixture *f, AgReveal *reveal)
{
  f->done = FALSE;
  ag_guard_copy_async (f->guard, reveal, NULL, copy_cb, f);
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
}

/* No entry, no copy: the `copy` entry (record, field, clear-after) is committed before
 * the copy may go on the clipboard, and a copy the policy or the reveal's state refuses
 * writes nothing. */
static void
test_copy (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgReveal) revealed = NULL;
  const AgLedgerEntry *entry;
  guint n_entries;

  sign_in (f);
  reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  g_assert_no_error (f->error);
  revealed = g_object_ref (f->reveal);

  /* The built-in default is deny. */
  n_entries = f->ledger_at_callback->len;
  copy (f, revealed);
  g_assert_error (f->error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_COPY_DENIED);
  g_assert_cmpuint (f->ledger_at_callback->len, ==, n_entries);
  g_assert_cmpuint (count_events (f->ledger_at_callback, AG_LEDGER_EVENT_COPY), ==, 0);

  set_policy (f, "clipboard=allow-with-clear:15\n");
  f->now += SECOND_US;
  copy (f, revealed);
  g_assert_no_error (f->error);
  entry = last_entry (f->ledger_at_callback);
  g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_COPY);
  g_assert_cmpstr (ag_ledger_event_to_string (entry->event), ==, "copy");
  g_assert_cmpstr (entry->record_id, ==, customer->id);
  g_assert_cmpint (entry->field_kind, ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (entry->cause, ==, "clear-after:15");
  g_assert_cmpstr (entry->user, ==, g_get_user_name ());
  g_assert_cmpstr (entry->session_id, ==, "s-test");
  g_assert_cmpint (entry->time_us, ==, f->now);
  g_assert_cmpstr (entry->policy_version, ==,
                   ag_policy_get_version (ag_guard_get_policy (f->guard)));

  /* Hidden: nothing to copy, nothing written. */
  ag_guard_remask (f->guard, revealed, AG_REMASK_CAUSE_HIDDEN);
  n_entries = ledger_entries_count (f);
  copy (f, revealed);
  g_assert_error (f->error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_CANCELLED);
  g_assert_cmpuint (f->ledger_at_callback->len, ==, n_entries);

  /* Locked: refused too. */
  reveal (f, customer->id, AG_PII_KIND_CPF, REASON);
  g_clear_object (&revealed);
  revealed = g_object_ref (f->reveal);
  ag_guard_lock (f->guard, AG_LOCK_CAUSE_MANUAL);
  n_entries = ledger_entries_count (f);
  copy (f, revealed);
  g_assert_error (f->error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED);
  g_assert_cmpuint (f->ledger_at_callback->len, ==, n_entries);
  g_assert_cmpuint (count_events (f->ledger_at_callback, AG_LEDGER_EVENT_COPY), ==, 1);
}

/* The window's sink: the entry goes to the guard's ledger writer, after the re-masks. */
static void
later_event_cb (const AgGuardEvent *event, gpointer data)
{
  Fixture *f = data;

  ag_guard_ledger_later (f->guard,
                         ag_guard_event_to_ledger_entry (event, "s-test", AG_LEDGER_MODE_LIVE));
}

/* A lock never waits on the disk: while another process holds the store's write lock, the
 * lock is done at once (every value wiped, LOCKED); its entries follow in order once the
 * disk is free. */
static void
test_lock_does_not_wait_for_ledger (Fixture *f, gconstpointer data)
{
  AgReveal *reveals[3];
  g_autoptr (GPtrArray) before = NULL;
  g_autoptr (GPtrArray) after = NULL;
  sqlite3 *blocker = NULL;

  sign_in (f);
  reveal_three (f, reveals);
  before = ledger_entries (f);
  ag_guard_set_event_sink (f->guard, later_event_cb, f, NULL);

  g_assert_cmpint (sqlite3_open (f->path, &blocker), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (blocker, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  ag_guard_lock (f->guard, AG_LOCK_CAUSE_IDLE);
  g_assert_cmpint (ag_guard_get_state (f->guard), ==, AG_GUARD_STATE_LOCKED);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (ag_reveal_get_active (reveals[i]));
      g_assert_null (ag_reveal_get_value (reveals[i]));
    }
  /* Three re-masks and the lock wait for the disk, not the agent. */
  g_assert_cmpuint (ag_guard_get_n_running (f->guard), ==, 4);

  g_assert_cmpint (sqlite3_exec (blocker, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (blocker);
  after = ledger_entries (f);
  g_assert_cmpuint (ag_guard_get_n_running (f->guard), ==, 0);
  g_assert_cmpuint (after->len, ==, before->len + 4);
  for (guint i = 0; i < 3; i++)
    {
      AgLedgerEntry *entry = after->pdata[before->len + i];

      g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_REMASK);
      g_assert_cmpstr (entry->cause, ==, "lock");
    }
  g_assert_cmpint (((AgLedgerEntry *) after->pdata[before->len + 3])->event, ==,
                   AG_LEDGER_EVENT_LOCK);
  g_assert_cmpstr (((AgLedgerEntry *) after->pdata[before->len + 3])->cause, ==, "idle");
  {
    g_autoptr (GError) error = NULL;

    g_assert_true (ag_sqlite_store_verify_ledger (f->store, NULL, NULL, &error));
    g_assert_no_error (error);
  }

  for (guint i = 0; i < 3; i++)
    g_assert_finalize_object (reveals[i]);
}

/* Searches ----------------------------------------------------------------------------- */

typedef struct
{
  gboolean done;
  GListModel *results;
  GError *error;
} SearchResult;

static void
search_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  SearchResult *out = data;

  out->results = ag_guard_search_finish (AG_GUARD (source), result, &out->error);
  out->done = TRUE;
}

/* Searches through the guard as the window does; returns the results, or NULL with
 * @error set. */
static GListModel *
guard_search (Fixture *f, const char *query, GError **error)
{
  SearchResult out = { 0 };
  guint store_refs = G_OBJECT (f->store)->ref_count;

  ag_guard_search_async (f->guard, query, NULL, search_cb, &out);
  while (!out.done)
    g_main_context_iteration (NULL, TRUE);
  /* The store's worker thread lets go of its task (and so of the store) just after the
   * result was handed over: wait for it, so that the fixture can check the store goes. */
  while (g_atomic_int_get ((gint *) &G_OBJECT (f->store)->ref_count) > (gint) store_refs)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (100);
  g_assert_true ((out.results == NULL) != (out.error == NULL));
  if (out.error != NULL)
    g_propagate_error (error, out.error);
  return out.results;
}

/* How many entries of @event the ledger holds now. */
static guint
count_now (Fixture *f, AgLedgerEvent event)
{
  g_autoptr (GPtrArray) entries = ledger_entries (f);

  return count_events (entries, event);
}

static gboolean
has_id (GListModel *results, const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr (AgRecord) record = g_list_model_get_item (results, i);

      if (g_str_equal (ag_record_get_id (record), id))
        return TRUE;
    }
  return FALSE;
}

/* No entry holds @digits in any of its strings. */
static void
assert_not_in_ledger (GPtrArray *entries, const char *digits)
{
  for (guint i = 0; i < entries->len; i++)
    {
      const AgLedgerEntry *e = entries->pdata[i];
      const char *strings[] = { e->user,   e->host,           e->session_id, e->record_id,
                                e->reason, e->policy_version, e->ticket,     e->cause };

      for (guint j = 0; j < G_N_ELEMENTS (strings); j++)
        g_assert_true (strings[j] == NULL || strstr (strings[j], digits) == NULL);
    }
}

static void
test_search_identifier (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *formatted = ag_pii_format (AG_PII_KIND_CPF, customer->values[AG_PII_KIND_CPF]);
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;
  const AgLedgerEntry *entry;
  const char *name_word;

  /* Locked: nothing is searched, nothing ledgered. */
  g_assert_null (guard_search (f, formatted, &error));
  g_assert_error (error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED);
  g_clear_error (&error);
  g_assert_cmpuint (count_now (f, AG_LEDGER_EVENT_SEARCH), ==, 0);

  sign_in (f);
  results = guard_search (f, formatted, &error);
  g_assert_no_error (error);
  g_assert_true (has_id (results, customer->id));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);

  /* One `search` entry: the kinds searched and the customer found, never the query. */
  entries = ledger_entries (f);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_SEARCH), ==, 1);
  entry = last_entry (entries);
  g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_SEARCH);
  g_assert_cmpstr (entry->record_id, ==, customer->id);
  g_assert_cmpint (entry->field_kind, ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (entry->user, ==, g_get_user_name ());
  g_assert_cmpstr (entry->session_id, ==, "s-test");
  g_assert_cmpint (entry->time_us, ==, f->now);
  g_assert_true (g_str_has_prefix (entry->cause, "kinds=cpf"));
  g_assert_true (g_str_has_suffix (entry->cause, " found=1"));
  g_assert_cmpstr (entry->policy_version, ==,
                   ag_policy_get_version (ag_guard_get_policy (f->guard)));
  assert_not_in_ledger (entries, customer->values[AG_PII_KIND_CPF]);
  g_clear_object (&results);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* Found or not, it is ledgered: a valid CPF nobody has. */
  results = guard_search (f, "111.444.777-35", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
  entries = ledger_entries (f);
  entry = last_entry (entries);
  g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_SEARCH);
  g_assert_null (entry->record_id);
  g_assert_true (g_str_has_suffix (entry->cause, " found=0"));
  assert_not_in_ledger (entries, "11144477735");
  g_clear_object (&results);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* A name search stays free: found, and not ledgered. */
  name_word = customer->values[AG_PII_KIND_NAME];
  results = guard_search (f, name_word, &error);
  g_assert_no_error (error);
  g_assert_true (has_id (results, customer->id));
  g_assert_cmpuint (count_now (f, AG_LEDGER_EVENT_SEARCH), ==, 2);
}

/* The review's attack: a CPF mask shows digits 4 to 9, so the 1,000 first three digits
 * (each with its check digits) recover the whole CPF by exact search. */
static void
test_search_walk (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;
  const char *cpf;
  guint target, n_search_entries = 0, n_refused = 0;

  /* A customer whose CPF the walk would reach only after the limit. */
  for (guint n = 0; customer == NULL; n++)
    {
      const AgCustomerData *candidate = customer_with (f, AG_PII_KIND_CPF, n);

      if (g_ascii_strtoull (candidate->values[AG_PII_KIND_CPF], NULL, 10) / 100000000 >= 5)
        customer = candidate;
    }
  cpf = customer->values[AG_PII_KIND_CPF];
  target = (cpf[0] - '0') * 100 + (cpf[1] - '0') * 10 + (cpf[2] - '0');

  set_policy (f, "max-identifier-searches-per-hour=5\n");
  sign_in (f);

  for (guint d = 0; d < 1000; d++)
    {
      char candidate[12];
      g_autoptr (GListModel) found = NULL;

      /* The first three digits, the six the mask shows, and the check digits. */
      for (guint check = 0; check < 100; check++)
        {
          g_snprintf (candidate, sizeof candidate, "%03u%.6s%02u", d, cpf + 3, check);
          if (ag_pii_cpf_is_valid (candidate))
            break;
        }
      f->now += SECOND_US;
      found = guard_search (f, candidate, &error);
      if (found != NULL)
        {
          g_assert_cmpuint (d, <, 5);
          /* One entry per customer found, one for a search that found nobody. */
          n_search_entries += MAX (g_list_model_get_n_items (found), 1);
          g_assert_false (has_id (found, customer->id));
        }
      else
        {
          g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED);
          g_assert_cmpuint (d, >=, 5);
          n_refused++;
          g_clear_error (&error);
        }
    }
  g_assert_cmpuint (target, >=, 5);
  g_assert_cmpuint (n_refused, ==, 995);

  /* Every attempt is in the ledger: five searches, 995 refusals, no CPF. */
  entries = ledger_entries (f);
  g_assert_cmpuint (n_search_entries, >=, 5);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_SEARCH), ==, n_search_entries);
  g_assert_cmpuint (count_events (entries, AG_LEDGER_EVENT_SEARCH_DENIED), ==, 995);
  for (guint i = 0; i < entries->len; i++)
    {
      const AgLedgerEntry *entry = entries->pdata[i];

      if (entry->event == AG_LEDGER_EVENT_SEARCH_DENIED)
        {
          g_assert_cmpstr (entry->cause, ==, "quota");
          g_assert_cmpint (entry->field_kind, ==, AG_PII_KIND_CPF);
          g_assert_null (entry->record_id);
        }
    }
  assert_not_in_ledger (entries, cpf);
  assert_not_in_ledger (entries, cpf + 3);
  g_clear_pointer (&entries, g_ptr_array_unref);

  /* A name search is not counted, even now. */
  results = guard_search (f, customer->values[AG_PII_KIND_NAME], &error);
  g_assert_no_error (error);
  g_assert_true (has_id (results, customer->id));
  g_clear_object (&results);

  /* An hour after the first search, one is free again. */
  f->now = T0 + SECOND_US + HOUR_US;
  {
    g_autofree char *formatted = ag_pii_format (AG_PII_KIND_CPF, cpf);

    results = guard_search (f, formatted, &error);
    g_assert_no_error (error);
    g_assert_true (has_id (results, customer->id));
  }
}

/* The store refuses a search by an identifier that comes without its ledger entry. */
static void
test_search_needs_access (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_PHONE, 0);
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;

  results = ag_store_search (AG_STORE (f->store), customer->values[AG_PII_KIND_PHONE], 0, NULL, 0,
                             NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
  g_assert_null (results);
  g_assert_cmpuint (count_now (f, AG_LEDGER_EVENT_SEARCH), ==, 0);
  g_assert_cmpuint (count_now (f, AG_LEDGER_EVENT_SEARCH_DENIED), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#if !DEVELOPMENT
  g_test_skip ("AG_PAM_CONFDIR needs a development build (-Ddevelopment=true)");
  return g_test_run ();
#endif

  /* Before any thread: the sessions read AG_PAM_CONFDIR when they start. */
  ag_test_pam_init ();

  g_test_add_func ("/guard-reveal/reveal-object", test_reveal_object);
  g_test_add_func ("/guard-reveal/names", test_names);
  g_test_add_func ("/guard-reveal/ticket-rule", test_ticket_rule);
#define ADD(path, func) \
  g_test_add ("/guard-reveal/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("success", test_success);
  ADD ("denied-locked", test_denied_locked);
  ADD ("denied-policy", test_denied_policy);
  ADD ("denied-ticket", test_denied_ticket);
  ADD ("no-store", test_no_store);
  ADD ("quota", test_quota);
  ADD ("step-up", test_step_up);
  ADD ("step-up-failed", test_step_up_failed);
  ADD ("step-up-cancelled", test_step_up_cancelled);
  ADD ("step-up-serialized", test_step_up_serialized);
  ADD ("lock-during-step-up", test_lock_during_step_up);
  ADD ("lock-during-reveal", test_lock_during_reveal);
  ADD ("cancel-during-reveal", test_cancel_during_reveal);
  ADD ("expiry", test_expiry);
  ADD ("expiry-timer", test_expiry_timer);
  ADD ("remask", test_remask);
  ADD ("copy", test_copy);
  ADD ("lock-does-not-wait-for-ledger", test_lock_does_not_wait_for_ledger);
#undef ADD
#define ADD(path, func) \
  g_test_add ("/guard-search/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("identifier", test_search_identifier);
  ADD ("walk", test_search_walk);
  ADD ("needs-access", test_search_needs_access);
#undef ADD

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
