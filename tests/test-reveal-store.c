/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* Integration test of the store's half of the reveal path (DESIGN §5, step 3): the ledger
 * entry is committed before the value is opened, and no failure ever ends in a value.
 * Runs under tests/run-test.sh --keyring. Every value is synthetic. */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "ag-keyring.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

#define N_CUSTOMERS 12
#define SEED        20260404
/* 2026-04-04 12:00:00 UTC: the injected clock of these tests. */
#define T0      G_GINT64_CONSTANT (1775304000000000)
#define HOUR_US ((gint64) 3600 * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  char *path;
  char *store_id;
  GPtrArray *customers; /* AgCustomerData*, the clear values */
  AgSqliteStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ag-reveal-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "store.db", NULL);
  f->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  f->store_id = ag_test_make_store (f->path, SEED, N_CUSTOMERS, f->customers);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  ag_keyring_delete_keys (f->store_id, NULL, NULL);
  ag_test_remove_tree (f->dir);
  g_ptr_array_unref (f->customers);
  g_free (f->store_id);
  g_free (f->path);
  g_free (f->dir);
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

static AgLedgerEntry *
reveal_entry (const char *user, const char *record_id, AgPiiKind kind, gint64 time_us)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (AG_LEDGER_EVENT_REVEAL);

  entry->time_us = time_us;
  entry->user = g_strdup (user);
  entry->host = g_strdup ("pa-07");
  entry->session_id = g_strdup ("session-1");
  entry->record_id = g_strdup (record_id);
  entry->field_kind = kind;
  entry->reason = g_strdup ("customer-request");
  entry->ticket = g_strdup ("CH-2026-0001");
  entry->policy_version = g_strdup ("7");
  return entry;
}

static gboolean
collect_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  g_ptr_array_add (user_data, ag_ledger_entry_copy (entry));
  return TRUE;
}

/* Every ledger entry of @store, in order. */
static GPtrArray *
ledger_entries (AgSqliteStore *store)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  AgLedgerFilter filter = { 0 };

  g_assert_true (ag_sqlite_store_foreach_event (store, &filter, collect_cb, entries, &error));
  g_assert_no_error (error);
  return entries;
}

static void
assert_ledger_intact (AgSqliteStore *store, guint64 expected_entries)
{
  g_autoptr (GError) error = NULL;
  guint64 n = 0, bad = 0;

  g_assert_true (ag_sqlite_store_verify_ledger (store, &n, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, expected_entries);
}

static void
assert_value (AgSecret *value, const char *expected)
{
  gsize len = 0;
  const guint8 *data;

  g_assert_nonnull (value);
  data = ag_secret_get_data (value, &len);
  g_assert_cmpuint (len, ==, strlen (expected));
  /* Compared without printing either: a mismatch must not put a value in the log. */
  g_assert_true (memcmp (data, expected, len) == 0);
}

/* Tests */

static void
test_success (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgLedgerEntry) entry = reveal_entry ("agente01", customer->id, AG_PII_KIND_CPF, T0);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  const AgLedgerEntry *stored;

  value = ag_store_reveal (AG_STORE (f->store), entry, 0, NULL, &error);
  g_assert_no_error (error);
  assert_value (value, customer->values[AG_PII_KIND_CPF]);

  /* The caller's entry is filled in as committed. */
  g_assert_cmpuint (entry->seq, ==, 1);
  g_assert_cmpint (entry->time_us, ==, T0);

  entries = ledger_entries (f->store);
  g_assert_cmpuint (entries->len, ==, 1);
  stored = entries->pdata[0];
  g_assert_cmpuint (stored->seq, ==, 1);
  g_assert_cmpint (stored->event, ==, AG_LEDGER_EVENT_REVEAL);
  g_assert_cmpint (stored->time_us, ==, T0);
  g_assert_cmpstr (stored->user, ==, "agente01");
  g_assert_cmpstr (stored->host, ==, "pa-07");
  g_assert_cmpstr (stored->session_id, ==, "session-1");
  g_assert_cmpint (stored->mode, ==, AG_LEDGER_MODE_LIVE);
  g_assert_cmpstr (stored->record_id, ==, customer->id);
  g_assert_cmpint (stored->field_kind, ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (stored->reason, ==, "customer-request");
  g_assert_cmpstr (stored->ticket, ==, "CH-2026-0001");
  g_assert_cmpstr (stored->policy_version, ==, "7");
  g_assert_true (memcmp (stored->hash, entry->hash, AG_LEDGER_HASH_BYTES) == 0);
  g_assert_true (memcmp (stored->mac, entry->mac, AG_LEDGER_HASH_BYTES) == 0);
  assert_ledger_intact (f->store, 1);

  /* A second reveal chains on the first; each kind opens to its own value. */
  {
    g_autoptr (AgLedgerEntry) second
      = reveal_entry ("agente01", customer->id, AG_PII_KIND_PHONE, T0 + 1);
    g_autoptr (AgSecret) phone = ag_store_reveal (AG_STORE (f->store), second, 0, NULL, &error);

    g_assert_no_error (error);
    assert_value (phone, customer->values[AG_PII_KIND_PHONE]);
    g_assert_cmpuint (second->seq, ==, 2);
    g_assert_true (memcmp (second->prev_hash, entry->hash, AG_LEDGER_HASH_BYTES) == 0);
  }
  assert_ledger_intact (f->store, 2);

  /* The entry survives the store: it was committed, not just cached. */
  g_clear_object (&f->store);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  assert_ledger_intact (f->store, 2);
}

static void
test_now (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_EMAIL, 0);
  g_autoptr (AgLedgerEntry) entry = reveal_entry ("agente01", customer->id, AG_PII_KIND_EMAIL, 0);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = NULL;
  gint64 before = g_get_real_time ();

  value = ag_store_reveal (AG_STORE (f->store), entry, 10, NULL, &error);
  g_assert_no_error (error);
  assert_value (value, customer->values[AG_PII_KIND_EMAIL]);
  /* Time 0 is "now". */
  g_assert_cmpint (entry->time_us, >=, before);
  g_assert_cmpint (entry->time_us, <=, g_get_real_time ());
}

static void
assert_not_found (Fixture *f, const char *record_id, AgPiiKind kind)
{
  g_autoptr (AgLedgerEntry) entry = reveal_entry ("agente01", record_id, kind, T0);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = NULL;

  value = ag_store_reveal (AG_STORE (f->store), entry, 0, NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
  g_assert_null (value);
}

static void
test_not_found (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) entries = NULL;
  const AgCustomerData *without = NULL;
  AgPiiKind missing = AG_PII_N_KINDS;

  assert_not_found (f, "no-such-customer", AG_PII_KIND_CPF);
  /* The name is kept in clear for search, never sealed: nothing to reveal. */
  assert_not_found (f, customer_with (f, AG_PII_KIND_CPF, 0)->id, AG_PII_KIND_NAME);

  /* A customer without some kind. */
  for (guint i = 0; i < f->customers->len && without == NULL; i++)
    {
      const AgCustomerData *c = f->customers->pdata[i];

      for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
        if (c->values[kind] == NULL)
          {
            without = c;
            missing = kind;
            break;
          }
    }
  if (without != NULL)
    assert_not_found (f, without->id, missing);

  /* Nothing was ledgered: the reveal did not happen. */
  entries = ledger_entries (f->store);
  g_assert_cmpuint (entries->len, ==, 0);
}

static void
reveal_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static void
test_async (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 1);
  g_autoptr (AgLedgerEntry) entry = reveal_entry ("agente01", customer->id, AG_PII_KIND_CPF, T0);
  g_autoptr (AgLedgerEntry) committed = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = NULL;

  ag_store_reveal_async (AG_STORE (f->store), entry, 0, NULL, reveal_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  value = ag_store_reveal_finish (AG_STORE (f->store), result, &committed, &error);
  g_assert_no_error (error);
  assert_value (value, customer->values[AG_PII_KIND_CPF]);
  /* The caller's entry is left alone; the copy is what was committed. */
  g_assert_cmpuint (entry->seq, ==, 0);
  g_assert_cmpuint (committed->seq, ==, 1);
  g_assert_cmpstr (committed->record_id, ==, customer->id);
  g_assert_cmpint (committed->field_kind, ==, AG_PII_KIND_CPF);
  assert_ledger_intact (f->store, 1);

  /* An error comes back through the same path. */
  g_clear_object (&result);
  g_clear_pointer (&committed, ag_ledger_entry_free);
  g_clear_pointer (&value, ag_secret_free);
  g_free (entry->record_id);
  entry->record_id = g_strdup ("no-such-customer");
  ag_store_reveal_async (AG_STORE (f->store), entry, 0, NULL, reveal_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  value = ag_store_reveal_finish (AG_STORE (f->store), result, &committed, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
  g_assert_null (value);
  g_assert_cmpuint (committed->seq, ==, 0);
  assert_ledger_intact (f->store, 1);
}

static void
test_append_event (Fixture *f, gconstpointer data)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_UNLOCK);
  g_autoptr (AgLedgerEntry) invalid = ag_ledger_entry_new (AG_LEDGER_EVENT_REMASK);
  g_autoptr (GError) error = NULL;

  entry->user = g_strdup ("agente01");
  entry->host = g_strdup ("pa-07");
  entry->session_id = g_strdup ("session-1");
  g_assert_true (ag_store_append_event (AG_STORE (f->store), entry, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (entry->seq, ==, 1);
  g_assert_cmpint (entry->time_us, >, 0);

  /* An entry the ledger refuses is a ledger failure, and leaves nothing behind. */
  invalid->user = g_strdup ("agente01");
  invalid->host = g_strdup ("pa-07");
  invalid->session_id = g_strdup ("session-1");
  g_assert_false (ag_store_append_event (AG_STORE (f->store), invalid, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
  assert_ledger_intact (f->store, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) \
  g_test_add ("/reveal-store/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("success", test_success);
  ADD ("now", test_now);
  ADD ("not-found", test_not_found);
  ADD ("async", test_async);
  ADD ("append-event", test_append_event);

#undef ADD

  return g_test_run ();
}
