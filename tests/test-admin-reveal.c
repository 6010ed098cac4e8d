/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Runs `agent-guard-admin reveal` ($AG_ADMIN) under tests/run-test.sh --keyring against a
 * store of synthetic customers, signing in through a private two-factor PAM stack
 * (AG_PAM_CONFDIR, development builds only: the real pam_matrix for the password and
 * pam_oath for the TOTP code, computed here with liboath), with the answers fed on
 * standard input as `auth-check`'s tests do, and the policy from a private
 * AG_POLICY_SYSTEM_DIR. Then reads the ledger back and scans every output and the audit
 * exports for the customers' values. Every value is synthetic.
 */

#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ag-auth-session.h"
#include "ag-pii.h"
#include "ag-test-guard.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

#define N_CUSTOMERS 12

/* Set once in main(), before any thread: the admin processes inherit them (and
 * AG_PAM_CONFDIR, from ag_test_pam_init()). */
static char *policy_dir;
static char *supervisor_dir;

typedef struct
{
  char *dir;
  char *store;
  char *ids[N_CUSTOMERS];
  /* The clear values of customer i, normalised, indexed by kind (NULL where none). */
  const char *values[N_CUSTOMERS][AG_PII_N_KINDS];
  GPtrArray *customers; /* AgCustomerData, as imported */
  /* Every value of every customer in every form a leak could take, to look for. */
  GPtrArray *needles;
} Fixture;

static void
add_needle (Fixture *f, const char *value)
{
  /* Shorter values (a house number, a two-letter state) are not worth a false alarm. */
  if (value != NULL && strlen (value) >= 6)
    g_ptr_array_add (f->needles, g_strdup (value));
}

/* The first customer, from @from on, that has a value of @kind. */
static guint
customer_with (Fixture *f, AgPiiKind kind, guint from)
{
  for (guint i = from; i < N_CUSTOMERS; i++)
    if (f->values[i][kind] != NULL)
      return i;
  g_error ("no synthetic customer has a %s", ag_pii_kind_to_string (kind));
}

/* What a reveal prints for customer @i's @kind: the value as it was stored, alone. */
static char *
expected_output (Fixture *f, guint i, AgPiiKind kind)
{
  return g_strdup_printf ("%s\n", f->values[i][kind]);
}

/* Compared without printing either: a mismatch must not put a value in the test log. */
#define assert_output(out, expected) g_assert_true (g_str_equal ((out), (expected)))
#define assert_no_output(out)        g_assert_true ((out)[0] == '\0')

static void
write_policy (const char *text)
{
  g_autofree char *path = g_build_filename (policy_dir, "policy.conf", NULL);
  g_autoptr (GError) error = NULL;

  if (text == NULL)
    {
      g_remove (path);
      return;
    }
  g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
}

/* The answers of one sign-in with the right password and the current code. */
static char *
sign_in_input (void)
{
  g_autofree char *now = ag_test_pam_code (0);

  return g_strdup_printf ("%s\n%s\n", AG_TEST_PASSWORD, now);
}

static void
fixture_set_up (Fixture *f, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = NULL;

  f->dir = g_dir_make_tmp ("ag-admin-reveal-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = g_build_filename (f->dir, "store.db", NULL);
  f->needles = g_ptr_array_new_with_free_func (g_free);
  f->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);

  store_id = ag_test_make_store (f->store, 4242, N_CUSTOMERS, f->customers);
  g_assert_cmpuint (f->customers->len, ==, N_CUSTOMERS);
  for (guint i = 0; i < N_CUSTOMERS; i++)
    {
      AgCustomerData *customer = g_ptr_array_index (f->customers, i);

      f->ids[i] = customer->id;
      for (guint k = 0; k < AG_PII_N_KINDS; k++)
        {
          g_autofree char *formatted = NULL;

          f->values[i][k] = customer->values[k];
          if (customer->values[k] == NULL)
            continue;
          /* A leak could show the value as stored or as formatted for reading. */
          formatted = ag_pii_format (k, customer->values[k]);
          add_needle (f, customer->values[k]);
          add_needle (f, formatted);
        }
    }

  write_policy (NULL);
}

static void
fixture_tear_down (Fixture *f, gconstpointer user_data)
{
  ag_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->store);
  g_ptr_array_unref (f->customers);
  g_ptr_array_unref (f->needles);
  write_policy (NULL);
}

/* Fails the test when @text holds any customer value (@what names where it was seen). */
static void
assert_no_values (Fixture *f, const char *text, const char *what)
{
  for (guint i = 0; i < f->needles->len; i++)
    if (strstr (text, g_ptr_array_index (f->needles, i)) != NULL)
      g_error ("%s shows synthetic customer value %u", what, i);
}

/* Runs `agent-guard-admin ARGS…` with @input (may be NULL) on stdin and @env (NULL, or
 * NAME, VALUE pairs and NULL) added to its environment. Nothing of any customer's value may
 * ever be on stderr. */
static int
run_admin_full (Fixture *f, const char *const *env, const char *input, char **out, char **err,
                const char *const *args)
{
  g_autoptr (GPtrArray) needles = g_ptr_array_new ();
  AgTestAdminRun run = { input, env, needles, TRUE };

  /* stdout carries the revealed value; stderr never shows one, nor the password. */
  for (guint i = 0; i < f->needles->len; i++)
    g_ptr_array_add (needles, f->needles->pdata[i]);
  g_ptr_array_add (needles, (gpointer) AG_TEST_PASSWORD);
  return ag_test_run_admin (&run, out, err, args);
}

static int
run_admin_v (Fixture *f, const char *input, char **out, char **err, const char *const *args)
{
  return run_admin_full (f, NULL, input, out, err, args);
}

#define run_admin(f, input, out, err, ...) \
  run_admin_v (f, input, out, err, (const char *const[]){ __VA_ARGS__, NULL })

/* `reveal --store STORE ARGS…`, after a fresh PAM stack: the current code is never a
 * replay of an earlier run's. */
#define run_reveal(f, input, out, err, ...) \
  (ag_test_pam_write_stack (NULL),          \
   run_admin_v (f, input, out, err,         \
                (const char *const[]){ "reveal", "--store", (f)->store, __VA_ARGS__, NULL }))

static GPtrArray *
ledger (Fixture *f)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  AgLedgerFilter filter = { 0 };

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (
    ag_sqlite_store_foreach_event (store, &filter, ag_test_collect_entry_cb, entries, &error));
  g_assert_no_error (error);
  return entries;
}

/* The events of the ledger, space-separated ("login reveal remask lock"). */
static char *
ledger_events (Fixture *f)
{
  g_autoptr (GPtrArray) entries = ledger (f);
  GString *events = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    {
      const AgLedgerEntry *entry = g_ptr_array_index (entries, i);

      g_string_append_printf (events, "%s%s", i > 0 ? " " : "",
                              ag_ledger_event_to_string (entry->event));
    }
  return g_string_free (events, FALSE);
}

/* The one entry of @event in the ledger. */
static AgLedgerEntry *
ledger_find (Fixture *f, AgLedgerEvent event)
{
  g_autoptr (GPtrArray) entries = ledger (f);
  AgLedgerEntry *found = NULL;

  for (guint i = 0; i < entries->len; i++)
    {
      AgLedgerEntry *entry = g_ptr_array_index (entries, i);

      if (entry->event != event)
        continue;
      g_assert_null (found);
      found = ag_ledger_entry_copy (entry);
    }
  g_assert_nonnull (found);
  return found;
}

static void
assert_verifies (Fixture *f)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (run_admin (f, NULL, &out, NULL, "audit", "verify", "--store", f->store), ==, 0);
  g_assert_true (g_str_has_prefix (out, "The audit ledger is intact"));
}

/* Tests ------------------------------------------------------------------------------- */

static void
test_success (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *input = sign_in_input ();
  g_autofree char *expected = expected_output (f, i, AG_PII_KIND_CPF);
  g_autofree char *out = NULL, *err = NULL, *events = NULL;
  g_autoptr (AgLedgerEntry) reveal = NULL;
  g_autoptr (AgLedgerEntry) remask = NULL;
  g_autoptr (AgLedgerEntry) login = NULL;

  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field", "cpf",
                               "--reason", "identity-check", "--ticket", "T-100"),
                   ==, 0);
  /* The value alone, then a newline; the prompts went to stderr. */
  assert_output (out, expected);
  g_assert_nonnull (strstr (err, "Password"));
  g_assert_nonnull (strstr (err, "One-time password"));
  g_assert_null (strstr (err, "agent-guard-admin:"));

  /* Signed in, revealed, hidden again before the process ended. */
  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "login reveal remask lock");
  login = ledger_find (f, AG_LEDGER_EVENT_LOGIN);
  reveal = ledger_find (f, AG_LEDGER_EVENT_REVEAL);
  remask = ledger_find (f, AG_LEDGER_EVENT_REMASK);
  g_assert_cmpstr (reveal->user, ==, g_get_user_name ());
  g_assert_cmpstr (reveal->record_id, ==, f->ids[i]);
  g_assert_cmpint (reveal->field_kind, ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (reveal->reason, ==, "identity-check");
  g_assert_cmpstr (reveal->ticket, ==, "T-100");
  g_assert_cmpint (reveal->mode, ==, AG_LEDGER_MODE_LIVE);
  g_assert_true (g_uuid_string_is_valid (reveal->session_id));
  g_assert_cmpstr (login->session_id, ==, reveal->session_id);
  g_assert_cmpstr (remask->session_id, ==, reveal->session_id);
  g_assert_cmpstr (remask->record_id, ==, f->ids[i]);
  g_assert_cmpint (remask->field_kind, ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (remask->cause, ==, "close");
  g_assert_cmpuint (remask->seq, >, reveal->seq);
  assert_verifies (f);

  /* Another run is another session. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&input, g_free);
  input = sign_in_input ();
  g_assert_cmpint (run_reveal (f, input, &out, NULL, "--record", f->ids[i], "--field", "cpf",
                               "--reason", "customer-request"),
                   ==, 0);
  assert_output (out, expected);
  {
    g_autoptr (GPtrArray) entries = ledger (f);
    const AgLedgerEntry *second = g_ptr_array_index (entries, 5);

    g_assert_cmpuint (entries->len, ==, 8);
    g_assert_cmpint (second->event, ==, AG_LEDGER_EVENT_REVEAL);
    g_assert_cmpstr (second->reason, ==, "customer-request");
    g_assert_null (second->ticket);
    g_assert_cmpstr (second->session_id, !=, reveal->session_id);
  }
}

/* With every debug message on, stdout is still the value alone: the messages (the guard's
 * state changes, the re-mask) go to stderr, and none of them shows a value. */
static void
test_debug_messages (Fixture *f, gconstpointer data)
{
  const char *const env[] = { "G_MESSAGES_DEBUG", "all", NULL };
  guint i = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *input = sign_in_input ();
  g_autofree char *expected = expected_output (f, i, AG_PII_KIND_CPF);
  g_autofree char *out = NULL, *err = NULL;

  ag_test_pam_write_stack (NULL);
  g_assert_cmpint (
    run_admin_full (f, env, input, &out, &err,
                    (const char *const[]){ "reveal", "--store", f->store, "--record", f->ids[i],
                                           "--field", "cpf", "--reason", "identity-check", NULL }),
    ==, 0);
  assert_output (out, expected);
  g_assert_nonnull (strstr (err, "ag-guard-DEBUG"));
  g_assert_nonnull (strstr (err, "re-masked (close)"));
}

static void
test_wrong_password (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *now = ag_test_pam_code (0);
  g_autofree char *input = g_strdup_printf ("not-%s\n%s\n", AG_TEST_PASSWORD, now);
  g_autofree char *out = NULL, *err = NULL, *events = NULL;

  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field", "cpf",
                               "--reason", "identity-check"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "FAILED"));
  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "login-failed");
  assert_verifies (f);
}

static void
test_end_of_input (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *out = NULL, *err = NULL, *events = NULL;

  g_assert_cmpint (run_reveal (f, AG_TEST_PASSWORD "\n", &out, &err, "--record", f->ids[i],
                               "--field", "cpf", "--reason", "identity-check"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "no answer"));
  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "");
}

/* A missing --reason is not a usage error: the policy may not require one. When it does,
 * the guard denies the reveal, ledgered, and the command lists the codes. */
static void
test_reason_required (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_PHONE, 0);
  g_autofree char *input = sign_in_input ();
  g_autofree char *out = NULL, *err = NULL, *events = NULL;
  g_autoptr (AgLedgerEntry) denied = NULL;

  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field", "phone"), ==,
                   1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "requires a reason"));
  g_assert_nonnull (strstr (err, "identity-check"));
  g_assert_nonnull (strstr (err, "legal-request"));
  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "login reveal-denied lock");
  denied = ledger_find (f, AG_LEDGER_EVENT_REVEAL_DENIED);
  g_assert_cmpstr (denied->cause, ==, "reason-required");
  g_assert_cmpstr (denied->record_id, ==, f->ids[i]);
  g_assert_cmpint (denied->field_kind, ==, AG_PII_KIND_PHONE);

  /* Without require-reason, no reason is fine. */
  write_policy ("[policy]\nrequire-reason=false\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&input, g_free);
  input = sign_in_input ();
  g_assert_cmpint (run_reveal (f, input, &out, NULL, "--record", f->ids[i], "--field", "phone"), ==,
                   0);
  g_assert_nonnull (out);
  {
    g_autofree char *expected = expected_output (f, i, AG_PII_KIND_PHONE);

    assert_output (out, expected);
  }
}

static void
test_unknown_reason (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_EMAIL, 0);
  g_autofree char *input = sign_in_input ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (AgLedgerEntry) denied = NULL;

  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field", "email",
                               "--reason", "curiosity"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "“curiosity” is not a reason code"));
  /* Every valid code, with its label. */
  g_assert_nonnull (strstr (err, "identity-check"));
  g_assert_nonnull (strstr (err, "Identity check"));
  g_assert_nonnull (strstr (err, "customer-request"));
  g_assert_nonnull (strstr (err, "billing-dispute"));
  g_assert_nonnull (strstr (err, "fraud-check"));
  g_assert_nonnull (strstr (err, "legal-request"));
  denied = ledger_find (f, AG_LEDGER_EVENT_REVEAL_DENIED);
  g_assert_cmpstr (denied->cause, ==, "unknown-reason");

  /* A policy's own codes replace the built-in ones. */
  write_policy ("[policy]\nreason-codes=callback;chargeback\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&input, g_free);
  input = sign_in_input ();
  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field", "email",
                               "--reason", "identity-check"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "callback"));
  g_assert_nonnull (strstr (err, "chargeback"));
  g_assert_null (strstr (err, "legal-request"));
}

static void
test_quota (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *input = sign_in_input ();
  g_autofree char *expected = expected_output (f, i, AG_PII_KIND_CPF);
  g_autofree char *out = NULL, *err = NULL, *events = NULL;
  g_autoptr (AgLedgerEntry) denied = NULL;

  write_policy ("[policy]\nmax-reveals-per-hour=1\n");
  g_assert_cmpint (run_reveal (f, input, &out, NULL, "--record", f->ids[i], "--field", "cpf",
                               "--reason", "identity-check"),
                   ==, 0);
  assert_output (out, expected);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&input, g_free);
  input = sign_in_input ();
  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field", "cpf",
                               "--reason", "identity-check"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "limit of 1 reveal per hour"));
  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "login reveal remask lock login reveal-denied lock");
  denied = ledger_find (f, AG_LEDGER_EVENT_REVEAL_DENIED);
  g_assert_cmpstr (denied->cause, ==, "quota");
  assert_verifies (f);
}

static void
test_not_found (Fixture *f, gconstpointer data)
{
  g_autofree char *input = sign_in_input ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (AgLedgerEntry) denied = NULL;

  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", "no-such-customer", "--field",
                               "cpf", "--reason", "identity-check"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "no customer “no-such-customer”"));
  denied = ledger_find (f, AG_LEDGER_EVENT_REVEAL_DENIED);
  g_assert_cmpstr (denied->cause, ==, "not-found");
  g_assert_cmpstr (denied->record_id, ==, "no-such-customer");
}

/* The name is not masked by default: there is nothing to reveal. */
static void
test_not_masked (Fixture *f, gconstpointer data)
{
  g_autofree char *input = sign_in_input ();
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (AgLedgerEntry) denied = NULL;

  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[0], "--field", "name",
                               "--reason", "identity-check"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "does not mask"));
  denied = ledger_find (f, AG_LEDGER_EVENT_REVEAL_DENIED);
  g_assert_cmpstr (denied->cause, ==, "not-masked");
}

/* Usage errors stop before the sign-in: no prompt, nothing ledgered. */
static void
assert_usage_error (Fixture *f, const char *needle, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *input = sign_in_input ();
  g_autofree char *out = NULL, *err = NULL, *events = NULL;

  g_ptr_array_add (argv, "reveal");
  g_ptr_array_add (argv, "--store");
  g_ptr_array_add (argv, f->store);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  g_assert_cmpint (run_admin_v (f, input, &out, &err, (const char *const *) argv->pdata), ==, 2);
  assert_no_output (out);
  g_assert_null (strstr (err, "Password"));
  g_assert_nonnull (strstr (err, needle));
  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "");
}

static void
test_usage (Fixture *f, gconstpointer data)
{
  const char *id = f->ids[0];

  assert_usage_error (
    f, "unknown field kind “iban”",
    (const char *const[]){ "--record", id, "--field", "iban", "--reason", "identity-check", NULL });
  assert_usage_error (f, "card_number", /* the valid kinds are listed */
                      (const char *const[]){ "--record", id, "--field", "iban", NULL });
  assert_usage_error (
    f, "missing --record",
    (const char *const[]){ "--field", "cpf", "--reason", "identity-check", NULL });
  assert_usage_error (f, "missing --field",
                      (const char *const[]){ "--record", id, "--reason", "identity-check", NULL });
  assert_usage_error (f, "unexpected argument",
                      (const char *const[]){ "--record", id, "--field", "cpf", "extra", NULL });
  assert_usage_error (f, "--no-such-option",
                      (const char *const[]){ "--record", id, "--no-such-option", NULL });
  /* A CPF typed into --ticket is refused before anything, and never echoed back. */
  assert_usage_error (f, "--ticket takes a ticket or call id",
                      (const char *const[]){ "--record", id, "--field", "cpf", "--reason",
                                             "identity-check", "--ticket", "529.982.247-25",
                                             NULL });
}

static void
test_help (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (run_admin (f, NULL, &out, NULL, "reveal", "--help"), ==, 0);
  g_assert_nonnull (strstr (out, "--record=ID"));
  g_assert_nonnull (strstr (out, "--field=KIND"));
  g_assert_nonnull (strstr (out, "--reason=CODE"));
  g_assert_nonnull (strstr (out, "--ticket=T"));
  g_assert_nonnull (strstr (out, "--store=PATH"));
  g_assert_nonnull (strstr (out, "require-reason"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_admin (f, NULL, &out, NULL, "--help"), ==, 0);
  g_assert_nonnull (strstr (out, "  reveal "));
}

static void
test_io_error (Fixture *f, gconstpointer data)
{
  g_autofree char *folder = g_build_filename (f->dir, "folder.db", NULL);
  g_autofree char *input = sign_in_input ();
  g_autofree char *out = NULL, *err = NULL;

  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_cmpint (run_admin (f, input, &out, &err, "reveal", "--store", folder, "--record",
                              f->ids[0], "--field", "cpf", "--reason", "identity-check"),
                   ==, 74);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "folder.db"));
  g_assert_null (strstr (err, "Password"));
}

/* Standard output that cannot be written: exit 74, and the value, though committed to the
 * ledger, is re-masked all the same. */
static void
test_stdout_full (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *input = sign_in_input ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL, *events = NULL;
  g_autoptr (AgLedgerEntry) remask = NULL;

  ag_test_pam_write_stack (NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  ag_test_launcher_set_input (launcher, input);
  g_subprocess_launcher_set_stdout_file_path (launcher, "/dev/full");
  process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AG_ADMIN"), "reveal",
                                         "--store", f->store, "--record", f->ids[i], "--field",
                                         "cpf", "--reason", "identity-check", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 74);
  assert_no_values (f, err, "stderr");
  g_assert_nonnull (strstr (err, "cannot write to standard output"));

  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "login reveal remask lock");
  remask = ledger_find (f, AG_LEDGER_EVENT_REMASK);
  g_assert_cmpstr (remask->cause, ==, "close");
}

/* Card numbers need step-up; the sign-in just before counts, within step-up-grace. */
static void
test_step_up_within_grace (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CARD_NUMBER, 0);
  g_autofree char *input = sign_in_input ();
  g_autofree char *expected = expected_output (f, i, AG_PII_KIND_CARD_NUMBER);
  g_autofree char *out = NULL, *err = NULL;

  /* Only one sign-in's answers: a second conversation would find stdin at its end. */
  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field",
                               "card-number", "--reason", "billing-dispute"),
                   ==, 0);
  assert_output (out, expected);
}

/* With no grace, the guard asks again: answered on the terminal too. */
static void
test_step_up_asked (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CARD_NUMBER, 0);
  g_autofree char *first = ag_test_pam_code (0);
  g_autofree char *second = ag_test_pam_code (1);
  g_autofree char *input
    = g_strdup_printf ("%s\n%s\n%s\n%s\n", AG_TEST_PASSWORD, first, AG_TEST_PASSWORD, second);
  g_autofree char *expected = expected_output (f, i, AG_PII_KIND_CARD_NUMBER);
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (AgLedgerEntry) reveal = NULL;
  const char *prompt;

  write_policy ("[policy]\nstep-up-grace=0\n");
  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field",
                               "card_number", "--reason", "billing-dispute"),
                   ==, 0);
  assert_output (out, expected);
  prompt = strstr (err, "Password");
  g_assert_nonnull (prompt);
  g_assert_nonnull (strstr (prompt + 1, "Password"));
  reveal = ledger_find (f, AG_LEDGER_EVENT_REVEAL);
  g_assert_cmpint (reveal->field_kind, ==, AG_PII_KIND_CARD_NUMBER);

  /* A wrong second password: denied, ledgered, no value. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&input, g_free);
  g_clear_pointer (&first, g_free);
  g_clear_pointer (&second, g_free);
  first = ag_test_pam_code (0);
  second = ag_test_pam_code (1);
  input
    = g_strdup_printf ("%s\n%s\nnot-%s\n%s\n", AG_TEST_PASSWORD, first, AG_TEST_PASSWORD, second);
  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field",
                               "card_number", "--reason", "billing-dispute"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "second sign-in"));
  {
    g_autoptr (AgLedgerEntry) denied = ledger_find (f, AG_LEDGER_EVENT_REVEAL_DENIED);

    g_assert_cmpstr (denied->cause, ==, "step-up-failed");
  }
}

/* The members of an export line that are hashes or ids, never free text: they are checked
 * for their shape and left out of the scan (a run of digits may occur in any hex string). */
static gboolean
is_opaque_column (const char *name, const char *value)
{
  if (g_str_equal (name, "hash") || g_str_equal (name, "prev_hash") || g_str_equal (name, "mac"))
    {
      g_assert_cmpuint (strlen (value), ==, 64);
      for (const char *p = value; *p; p++)
        g_assert_true (g_ascii_isxdigit (*p));
      return TRUE;
    }
  if (g_str_equal (name, "session"))
    {
      g_assert_true (g_uuid_string_is_valid (value));
      return TRUE;
    }
  return FALSE;
}

static void
scan_jsonl (Fixture *f, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint n = 0;

  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      g_autoptr (GList) members = NULL;
      JsonObject *object;

      if (lines[l][0] == '\0')
        continue;
      json_parser_load_from_data (parser, lines[l], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      members = json_object_get_members (object);
      for (GList *m = members; m != NULL; m = m->next)
        {
          JsonNode *node = json_object_get_member (object, m->data);
          const char *value;

          if (JSON_NODE_HOLDS_NULL (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            continue;
          value = json_node_get_string (node);
          if (!is_opaque_column (m->data, value))
            assert_no_values (f, value, "audit export --format jsonl");
        }
      n++;
    }
  g_assert_cmpuint (n, >, 0);
}

static void
scan_csv (Fixture *f, const char *text)
{
  g_auto (GStrv) lines = g_strsplit (text, "\r\n", -1);
  g_auto (GStrv) header = g_strsplit (lines[0], ",", -1);

  g_assert_nonnull (lines[1]);
  for (guint l = 1; lines[l] != NULL; l++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[l], ",", -1);

      /* No test value has a comma, so the columns line up with the header. */
      if (lines[l][0] == '\0')
        continue;
      g_assert_cmpuint (g_strv_length (fields), ==, g_strv_length (header));
      for (guint c = 0; fields[c] != NULL; c++)
        if (!is_opaque_column (header[c], fields[c]))
          assert_no_values (f, fields[c], "audit export --format csv");
    }
}

/* After reveals and denials of many kinds, none of the values is in the ledger's exports
 * or in a data subject's report. */
static void
test_pii_scan (Fixture *f, gconstpointer data)
{
  const AgPiiKind kinds[] = { AG_PII_KIND_CPF,   AG_PII_KIND_PHONE,       AG_PII_KIND_EMAIL,
                              AG_PII_KIND_RG,    AG_PII_KIND_BIRTH_DATE,  AG_PII_KIND_ADDRESS,
                              AG_PII_KIND_CNPJ,  AG_PII_KIND_CARD_NUMBER, AG_PII_KIND_PIX_KEY,
                              AG_PII_KIND_NOTES, AG_PII_KIND_BANK_ACCOUNT };
  guint subject = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *out = NULL;
  guint n_revealed = 0;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *input = sign_in_input ();
      g_autofree char *stdout_text = NULL;
      g_autofree char *expected = NULL;
      g_autofree char *ticket = g_strdup_printf ("T-%u", k);
      guint i;

      if (f->values[subject][kinds[k]] != NULL)
        i = subject;
      else
        {
          i = N_CUSTOMERS;
          for (guint c = 0; c < N_CUSTOMERS && i == N_CUSTOMERS; c++)
            if (f->values[c][kinds[k]] != NULL)
              i = c;
          if (i == N_CUSTOMERS)
            continue;
        }
      expected = expected_output (f, i, kinds[k]);
      g_assert_cmpint (run_reveal (f, input, &stdout_text, NULL, "--record", f->ids[i], "--field",
                                   ag_pii_kind_to_string (kinds[k]), "--reason", "fraud-check",
                                   "--ticket", ticket),
                       ==, 0);
      assert_output (stdout_text, expected);
      n_revealed++;
    }
  g_assert_cmpuint (n_revealed, >=, 8);

  /* And a few denials. */
  {
    g_autofree char *input = sign_in_input ();

    g_assert_cmpint (run_reveal (f, input, NULL, NULL, "--record", f->ids[subject], "--field",
                                 "cpf", "--reason", "curiosity"),
                     ==, 1);
  }
  {
    g_autofree char *input = sign_in_input ();

    g_assert_cmpint (
      run_reveal (f, input, NULL, NULL, "--record", f->ids[subject], "--field", "cpf"), ==, 1);
  }

  g_assert_cmpint (
    run_admin (f, NULL, &out, NULL, "audit", "export", "--format", "jsonl", "--store", f->store),
    ==, 0);
  g_assert_nonnull (strstr (out, "\"reveal\""));
  g_assert_nonnull (strstr (out, "\"remask\""));
  g_assert_nonnull (strstr (out, "\"reveal-denied\""));
  scan_jsonl (f, out);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (
    run_admin (f, NULL, &out, NULL, "audit", "export", "--format", "csv", "--store", f->store), ==,
    0);
  g_assert_nonnull (strstr (out, ",reveal,"));
  scan_csv (f, out);
  g_clear_pointer (&out, g_free);

  for (guint i = 0; i < N_CUSTOMERS; i++)
    {
      g_assert_cmpint (
        run_admin (f, NULL, &out, NULL, "audit", "subject", f->ids[i], "--store", f->store), ==, 0);
      assert_no_values (f, out, "audit subject");
      if (i == subject)
        g_assert_nonnull (strstr (out, "fraud-check"));
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_admin (f, NULL, &out, NULL, "audit", "subject", "--json", f->ids[i],
                                  "--store", f->store),
                       ==, 0);
      assert_no_values (f, out, "audit subject --json");
      g_clear_pointer (&out, g_free);
    }

  assert_verifies (f);
}

/* `search` by an identifier is an access: ledgered, counted, refused past the limit
 * (exit 1), the refusal ledgered too; a name search stays free. */
static void
test_search_quota (Fixture *f, gconstpointer user_data)
{
  const AgCustomerData *customer = g_ptr_array_index (f->customers, 0);
  const char *cpf = customer->values[AG_PII_KIND_CPF];
  g_autofree char *formatted = ag_pii_format (AG_PII_KIND_CPF, cpf);
  g_autofree char *query_line = g_strdup_printf ("%s\n", formatted);
  g_autofree char *events = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  const AgLedgerEntry *entry;

  write_policy ("[policy]\nmax-identifier-searches-per-hour=2\n");

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_assert_cmpint (
        run_admin (f, query_line, &out, &err, "search", "--store", f->store, "--json", "-"), ==, 0);
      g_assert_nonnull (strstr (out, customer->id));
    }
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (
      run_admin (f, query_line, &out, &err, "search", "--store", f->store, "--json", "-"), ==, 1);
    assert_no_output (out);
    g_assert_nonnull (strstr (err, "search refused: you have made the 2 searches by CPF"));
    g_assert_nonnull (strstr (err, "max-identifier-searches-per-hour"));
    g_assert_null (strstr (err, cpf + 3));
  }
  {
    /* A name is not an identifier: it still finds. */
    g_autofree char *out = NULL;

    g_assert_cmpint (run_admin (f, NULL, &out, NULL, "search", "--store", f->store, "--json",
                                customer->values[AG_PII_KIND_NAME]),
                     ==, 0);
    g_assert_nonnull (strstr (out, customer->id));
  }

  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "search search search-denied");
  entries = ledger (f);
  for (guint i = 0; i < entries->len; i++)
    {
      entry = g_ptr_array_index (entries, i);
      g_assert_cmpstr (entry->user, ==, g_get_user_name ());
      g_assert_cmpint (entry->field_kind, ==, AG_PII_KIND_CPF);
      g_assert_null (strstr (entry->cause, cpf + 3));
      if (entry->event == AG_LEDGER_EVENT_SEARCH)
        g_assert_cmpstr (entry->record_id, ==, customer->id);
      else
        g_assert_cmpstr (entry->cause, ==, "quota");
    }
  write_policy (NULL);
}

/* A store whose newest ledger entries were cut off opens for audit only: the reveal is
 * refused with the reason, and nothing is shown. */
static void
test_rolled_back (Fixture *f, gconstpointer data)
{
  guint i = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *input = sign_in_input ();
  g_autofree char *out = NULL, *err = NULL, *events = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (run_reveal (f, input, &out, NULL, "--record", f->ids[i], "--field", "cpf",
                               "--reason", "identity-check"),
                   ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&input, g_free);

  /* Cut everything after the login. */
  g_assert_cmpint (sqlite3_open (f->store, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq > 1",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  input = sign_in_input ();
  g_assert_cmpint (run_reveal (f, input, &out, &err, "--record", f->ids[i], "--field", "cpf",
                               "--reason", "identity-check"),
                   ==, 1);
  assert_no_output (out);
  g_assert_nonnull (strstr (err, "open for audit only"));
  g_assert_nonnull (strstr (err, "reveal denied"));
  events = ledger_events (f);
  g_assert_cmpstr (events, ==, "login");
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#if !DEVELOPMENT
  g_test_skip ("AG_PAM_CONFDIR and AG_POLICY_SYSTEM_DIR need a development build");
  return g_test_run ();
#endif

  ag_test_pam_init ();
  policy_dir = g_dir_make_tmp ("ag-reveal-policy-XXXXXX", &error);
  g_assert_no_error (error);
  supervisor_dir = g_dir_make_tmp ("ag-reveal-supervisor-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("AG_POLICY_SYSTEM_DIR", policy_dir, TRUE);
  g_setenv ("AG_POLICY_SUPERVISOR_DIR", supervisor_dir, TRUE);

#define ADD(path, func) \
  g_test_add ("/admin-reveal/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("success", test_success);
  ADD ("rolled-back", test_rolled_back);
  ADD ("debug-messages", test_debug_messages);
  ADD ("wrong-password", test_wrong_password);
  ADD ("end-of-input", test_end_of_input);
  ADD ("reason-required", test_reason_required);
  ADD ("unknown-reason", test_unknown_reason);
  ADD ("quota", test_quota);
  ADD ("not-found", test_not_found);
  ADD ("not-masked", test_not_masked);
  ADD ("usage", test_usage);
  ADD ("help", test_help);
  ADD ("io-error", test_io_error);
  ADD ("stdout-full", test_stdout_full);
  ADD ("step-up/within-grace", test_step_up_within_grace);
  ADD ("step-up/asked", test_step_up_asked);
  ADD ("pii-scan", test_pii_scan);
  ADD ("search-quota", test_search_quota);
#undef ADD

  status = g_test_run ();
  ag_test_pam_cleanup ();
  ag_test_remove_tree (policy_dir);
  ag_test_remove_tree (supervisor_dir);
  g_free (policy_dir);
  g_free (supervisor_dir);
  return status;
}
