/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* Integration test of the store's half of the reveal path (DESIGN §5, step 3): the ledger
 * entry is committed before the value is opened, and no failure ever ends in a value.
 * Runs under tests/run-test.sh --keyring. Every value is synthetic. */

#define _GNU_SOURCE /* memmem */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libsecret/secret.h>

#include "ag-keyring.h"
#include "ag-sqlite-store-private.h"
#include "ag-test-faultvfs.h"
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
  /* The ledger head recorded in the Secret Service when snapshot_store() ran. */
  GBytes *head_snapshot;
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
  g_clear_pointer (&f->head_snapshot, g_bytes_unref);
  g_free (f->store_id);
  g_free (f->path);
  g_free (f->dir);
}

/* The @n-th customer (0-based) that has a value of @kind. */
static const AgCustomerData *
customer_with (Fixture *f, AgPiiKind kind, guint n)
{
  return ag_test_customer_with (f->customers, kind, n);
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

/* Every ledger entry of @store, in order. */
static GPtrArray *
ledger_entries (AgSqliteStore *store)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  AgLedgerFilter filter = { 0 };

  g_assert_true (
    ag_sqlite_store_foreach_event (store, &filter, ag_test_collect_entry_cb, entries, &error));
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

/* Reveals @kind of @customer as @user at @time_us and asserts the value. */
static void
reveal_ok (AgSqliteStore *store, const char *user, const AgCustomerData *customer, AgPiiKind kind,
           gint64 time_us, guint max_per_hour)
{
  g_autoptr (AgLedgerEntry) entry = reveal_entry (user, customer->id, kind, time_us);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = NULL;

  value = ag_store_reveal (AG_STORE (store), entry, max_per_hour, NULL, &error);
  g_assert_no_error (error);
  assert_value (value, customer->values[kind]);
}

static void
reveal_refused (AgSqliteStore *store, const char *user, const AgCustomerData *customer,
                AgPiiKind kind, gint64 time_us, guint max_per_hour, int code)
{
  g_autoptr (AgLedgerEntry) entry = reveal_entry (user, customer->id, kind, time_us);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = NULL;

  value = ag_store_reveal (AG_STORE (store), entry, max_per_hour, NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, code);
  g_assert_null (value);
}

static guint
n_entries (AgSqliteStore *store)
{
  g_autoptr (GPtrArray) entries = ledger_entries (store);

  return entries->len;
}

static void
test_quota (Fixture *f, gconstpointer data)
{
  const AgCustomerData *a = customer_with (f, AG_PII_KIND_CPF, 0);
  const AgCustomerData *b = customer_with (f, AG_PII_KIND_PHONE, 1);
  const gint64 minute = 60 * G_USEC_PER_SEC;
  g_autoptr (AgLedgerEntry) remask = reveal_entry ("agente01", a->id, AG_PII_KIND_CPF, T0);
  g_autoptr (GError) error = NULL;

  /* Other events do not count. */
  remask->event = AG_LEDGER_EVENT_REMASK;
  g_assert_true (ag_store_append_event (AG_STORE (f->store), remask, &error));
  g_assert_no_error (error);

  /* Exactly three in the hour. */
  reveal_ok (f->store, "agente01", a, AG_PII_KIND_CPF, T0, 3);
  reveal_ok (f->store, "agente01", b, AG_PII_KIND_PHONE, T0 + minute, 3);
  reveal_ok (f->store, "agente01", a, AG_PII_KIND_CPF, T0 + 2 * minute, 3);
  g_assert_cmpuint (n_entries (f->store), ==, 4);

  /* The fourth is refused, leaves no entry, and does not count either. */
  reveal_refused (f->store, "agente01", b, AG_PII_KIND_PHONE, T0 + 3 * minute, 3,
                  AG_STORE_ERROR_QUOTA_EXCEEDED);
  reveal_refused (f->store, "agente01", b, AG_PII_KIND_PHONE, T0 + HOUR_US - 1, 3,
                  AG_STORE_ERROR_QUOTA_EXCEEDED);
  g_assert_cmpuint (n_entries (f->store), ==, 4);

  /* Per agent: another agent has a quota of its own. */
  reveal_ok (f->store, "agente02", b, AG_PII_KIND_PHONE, T0 + 3 * minute, 3);
  /* A higher limit (a policy change) lets the agent go on; 0 is no limit. */
  reveal_ok (f->store, "agente01", b, AG_PII_KIND_PHONE, T0 + 3 * minute, 4);
  reveal_ok (f->store, "agente01", b, AG_PII_KIND_PHONE, T0 + 4 * minute, 0);
  reveal_refused (f->store, "agente01", b, AG_PII_KIND_PHONE, T0 + 5 * minute, 5,
                  AG_STORE_ERROR_QUOTA_EXCEEDED);

  /* One hour after the first reveal (the caller's clock, no sleeping), it has left the
   * window: one more is allowed, and then the window is full again. */
  reveal_ok (f->store, "agente02", a, AG_PII_KIND_CPF, T0 + HOUR_US, 2);
  reveal_refused (f->store, "agente01", a, AG_PII_KIND_CPF, T0 + HOUR_US - 1, 5,
                  AG_STORE_ERROR_QUOTA_EXCEEDED);
  reveal_ok (f->store, "agente01", a, AG_PII_KIND_CPF, T0 + HOUR_US, 5);
  reveal_refused (f->store, "agente01", a, AG_PII_KIND_CPF, T0 + HOUR_US + 1, 5,
                  AG_STORE_ERROR_QUOTA_EXCEEDED);

  /* A refusal for the quota does not hide a missing record behind it, nor the reverse. */
  reveal_refused (f->store, "agente01", a, AG_PII_KIND_NAME, T0 + HOUR_US + 1, 5,
                  AG_STORE_ERROR_NOT_FOUND);

  g_assert_cmpuint (n_entries (f->store), ==, 9);
  assert_ledger_intact (f->store, 9);
}

/* The schema AgKeyring stores keys under, to remove the ledger key behind its back. */
static const SecretSchema store_key_schema = {
  "org.agentguard.AgentGuard.StoreKey",
  SECRET_SCHEMA_NONE,
  {
    { "store-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "purpose", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static void
test_missing_mac_key (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgLedgerEntry) event = reveal_entry ("agente01", customer->id, AG_PII_KIND_CPF, T0);
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) results = NULL;
  g_autofree char *name_word = NULL;

  /* A ledger with an entry, then its key is lost. */
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  g_clear_object (&f->store);
  g_assert_true (secret_password_clear_sync (&store_key_schema, NULL, &error, "store-id",
                                             f->store_id, "purpose", "ledger-mac", NULL));
  g_assert_no_error (error);

  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);

  /* Searching still works. */
  name_word = g_strndup (customer->values[AG_PII_KIND_NAME],
                         strcspn (customer->values[AG_PII_KIND_NAME], " "));
  results = ag_store_search (AG_STORE (f->store), name_word, 0, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), >=, 1);

  /* Every reveal fails closed, and so does every event. */
  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 1, 0,
                  AG_STORE_ERROR_LEDGER);
  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_PHONE, T0 + 2, 100,
                  AG_STORE_ERROR_LEDGER);
  event->event = AG_LEDGER_EVENT_REVEAL_DENIED;
  g_assert_false (ag_store_append_event (AG_STORE (f->store), event, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
  g_clear_error (&error);
  g_assert_false (ag_sqlite_store_verify_ledger (f->store, NULL, NULL, &error));
  g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND);
  g_assert_cmpuint (n_entries (f->store), ==, 1);
}

/* The store as a user who cannot write its file sees it. */
static void
assert_read_only_store (Fixture *f, AgSqliteStore *store)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgLedgerEntry) event = reveal_entry ("agente01", customer->id, AG_PII_KIND_CPF, T0);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgRecord) record = NULL;

  record = ag_store_get_record (AG_STORE (store), customer->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ag_record_get_id (record), ==, customer->id);

  reveal_refused (store, "agente01", customer, AG_PII_KIND_CPF, T0 + 1, 0, AG_STORE_ERROR_LEDGER);
  reveal_refused (store, "agente01", customer, AG_PII_KIND_CPF, T0 + 2, 10, AG_STORE_ERROR_LEDGER);
  event->event = AG_LEDGER_EVENT_LOGIN;
  g_assert_false (ag_store_append_event (AG_STORE (store), event, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
  assert_ledger_intact (store, 1);
}

static void
test_read_only (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GError) error = NULL;
  AgSqliteStore *store;

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  g_clear_object (&f->store);

  /* Opened read-only as SQLite does when the file cannot be written. Root, whom file
   * modes do not stop, gets there through the test VFS. */
  ag_test_faultvfs_set_read_only (TRUE);
  store = ag_sqlite_store_open_with_vfs (f->path, AG_SQLITE_STORE_OPEN_DEFAULT,
                                         ag_test_faultvfs_register (), NULL, &error);
  ag_test_faultvfs_set_read_only (FALSE);
  g_assert_no_error (error);
  assert_read_only_store (f, store);
  g_assert_finalize_object (store);

  /* A file whose mode forbids writing, when the test is not root. */
  if (geteuid () != 0)
    {
      g_assert_cmpint (g_chmod (f->path, 0400), ==, 0);
      store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
      g_assert_no_error (error);
      assert_read_only_store (f, store);
      g_assert_finalize_object (store);
      g_assert_cmpint (g_chmod (f->path, 0600), ==, 0);
    }
}

static GBytes *
read_file_or_empty (const char *path)
{
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return g_bytes_new (NULL, 0);
  return g_bytes_new_take (contents, len);
}

/* Whether @needle is in the store file, its WAL or its journal. */
static gboolean
store_files_contain (const char *path, const char *needle)
{
  const char *suffixes[] = { "", "-wal", "-journal" };

  for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[s], NULL);
      g_autoptr (GBytes) bytes = read_file_or_empty (file);
      gsize len;
      const guint8 *bytes_data = g_bytes_get_data (bytes, &len);

      if (bytes_data != NULL && memmem (bytes_data, len, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
entry_contains (const AgLedgerEntry *entry, const char *needle)
{
  const char *strings[] = { entry->user,   entry->host,   entry->session_id,     entry->record_id,
                            entry->reason, entry->ticket, entry->policy_version, entry->cause };

  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    if (strings[i] != NULL && strstr (strings[i], needle) != NULL)
      return TRUE;
  return FALSE;
}

static void
test_no_value_in_ledger (Fixture *f, gconstpointer data)
{
  const AgPiiKind kinds[] = { AG_PII_KIND_CPF, AG_PII_KIND_PHONE, AG_PII_KIND_EMAIL,
                              AG_PII_KIND_BIRTH_DATE, AG_PII_KIND_ADDRESS };
  g_autoptr (GPtrArray) revealed = g_ptr_array_new ();
  g_autoptr (GPtrArray) entries = NULL;
  gint64 t = T0;

  for (guint i = 0; i < f->customers->len; i++)
    {
      const AgCustomerData *customer = f->customers->pdata[i];

      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        if (customer->values[kinds[k]] != NULL)
          {
            reveal_ok (f->store, "agente01", customer, kinds[k], t++, 0);
            g_ptr_array_add (revealed, customer->values[kinds[k]]);
          }
    }
  g_assert_cmpuint (revealed->len, >=, 20);

  /* In the entries as read back… */
  entries = ledger_entries (f->store);
  g_assert_cmpuint (entries->len, ==, revealed->len);
  for (guint e = 0; e < entries->len; e++)
    for (guint v = 0; v < revealed->len; v++)
      if (entry_contains (entries->pdata[e], revealed->pdata[v]))
        g_error ("Ledger entry %u carries a revealed value (#%u)", e + 1, v);

  /* …and in the bytes on disk, in the WAL while open and in the database after. The scan
   * sees the ledger: the ticket, written in clear on purpose, is found. */
  for (guint pass = 0; pass < 2; pass++)
    {
      g_assert_true (store_files_contain (f->path, "CH-2026-0001"));
      for (guint v = 0; v < revealed->len; v++)
        if (store_files_contain (f->path, revealed->pdata[v]))
          g_error ("A revealed value (#%u) is in clear in the store files", v);
      g_clear_object (&f->store);
    }
}

/* Fault injection */

/* The store file without a WAL, as a store is between two runs, and the ledger head
 * recorded for it, which restore_store() puts back with it (a file put back alone is a
 * rollback, see /reveal-store/rollback/…). */
static GBytes *
snapshot_store (Fixture *f)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autoptr (GError) error = NULL;

  g_clear_object (&f->store);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_clear_pointer (&f->head_snapshot, g_bytes_unref);
  f->head_snapshot = ag_keyring_lookup_ledger_head (f->store_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->head_snapshot);
  return read_file_or_empty (f->path);
}

static void
restore_store (Fixture *f, GBytes *snapshot)
{
  const char *suffixes[] = { "-wal", "-shm", "-journal" };
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *contents = g_bytes_get_data (snapshot, &len);

  for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
    {
      g_autofree char *file = g_strconcat (f->path, suffixes[s], NULL);
      g_unlink (file);
    }
  g_assert_true (
    g_file_set_contents_full (f->path, contents, len, G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);
  if (f->head_snapshot != NULL)
    {
      contents = g_bytes_get_data (f->head_snapshot, &len);
      g_assert_true (
        ag_keyring_store_ledger_head (f->store_id, (const guint8 *) contents, len, NULL, &error));
      g_assert_no_error (error);
    }
}

typedef struct
{
  guint n_runs;
  guint n_failed;
  guint n_committed_but_failed;
} FaultStats;

/* On the store restored from @snapshot and opened on the fault VFS, makes @warm_up clean
 * reveals, then one more with the @n-th write/sync/truncate failing (0: none). Returns
 * how many calls that last reveal made. Asserts that a failed reveal gave no value, and
 * that after reopening without faults the ledger verifies and holds the entry of every
 * value handed out. */
static guint
run_with_fault (Fixture *f, GBytes *snapshot, guint warm_up, guint n, int rc, gboolean sticky,
                FaultStats *stats)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  AgSqliteStore *store;
  guint calls, failures;

  restore_store (f, snapshot);
  store = ag_sqlite_store_open_with_vfs (f->path, AG_SQLITE_STORE_OPEN_DEFAULT,
                                         ag_test_faultvfs_register (), NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < warm_up; i++)
    reveal_ok (store, "agente01", customer, AG_PII_KIND_CPF, T0 + i, 0);

  entry = reveal_entry ("agente01", customer->id, AG_PII_KIND_CPF, T0 + warm_up);
  ag_test_faultvfs_fail_at (n, rc, sticky);
  value = ag_store_reveal (AG_STORE (store), entry, 100, NULL, &error);
  calls = ag_test_faultvfs_get_calls ();
  failures = ag_test_faultvfs_get_failures ();
  ag_test_faultvfs_reset ();

  stats->n_runs++;
  if (failures > 0)
    {
      /* Denied, with no value. */
      g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
      g_assert_null (value);
      stats->n_failed++;

      /* Once the disk is back, the same connection reveals again. */
      g_clear_pointer (&entry, ag_ledger_entry_free);
      g_clear_error (&error);
      entry = reveal_entry ("agente01", customer->id, AG_PII_KIND_CPF, T0 + warm_up + 1);
      value = ag_store_reveal (AG_STORE (store), entry, 100, NULL, &error);
      g_assert_no_error (error);
      assert_value (value, customer->values[AG_PII_KIND_CPF]);
    }
  else
    {
      g_assert_no_error (error);
      assert_value (value, customer->values[AG_PII_KIND_CPF]);
    }
  g_assert_finalize_object (store);

  /* Reopened on the real VFS: the chain verifies; a value never came without its entry. */
  store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  entries = ledger_entries (store);
  {
    guint64 n_verified = 0, bad = 0;

    g_assert_true (ag_sqlite_store_verify_ledger (store, &n_verified, &bad, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (n_verified, ==, entries->len);
  }
  if (failures > 0)
    {
      /* The warm-up entries, maybe the failed one (committed, then reported failed, as
       * when only the checkpoint after the commit broke), and the retry. */
      g_assert_cmpuint (entries->len, >=, warm_up + 1);
      g_assert_cmpuint (entries->len, <=, warm_up + 2);
      if (entries->len == warm_up + 2)
        stats->n_committed_but_failed++;
    }
  else
    g_assert_cmpuint (entries->len, ==, warm_up + 1);
  {
    const AgLedgerEntry *last = entries->pdata[entries->len - 1];

    g_assert_cmpuint (last->seq, ==, entry->seq);
    g_assert_cmpstr (last->record_id, ==, customer->id);
    g_assert_cmpint (last->field_kind, ==, AG_PII_KIND_CPF);
    g_assert_true (memcmp (last->hash, entry->hash, AG_LEDGER_HASH_BYTES) == 0);
  }
  g_assert_finalize_object (store);

  return calls;
}

static void
test_faults (Fixture *f, gconstpointer data)
{
  const int codes[] = { SQLITE_FULL, SQLITE_IOERR };
  g_autoptr (GBytes) snapshot = snapshot_store (f);
  FaultStats stats = { 0 };

  /* The first write after opening (the WAL is created), and a later one (it grows). */
  for (guint warm_up = 0; warm_up <= 2; warm_up += 2)
    {
      guint clean_calls = run_with_fault (f, snapshot, warm_up, 0, SQLITE_OK, FALSE, &stats);

      /* At least a WAL write and its sync. */
      g_assert_cmpuint (clean_calls, >=, 2);
      g_test_message ("A reveal after %u others makes %u writes, syncs and truncates", warm_up,
                      clean_calls);

      for (guint n = 1; n <= clean_calls; n++)
        for (guint c = 0; c < G_N_ELEMENTS (codes); c++)
          for (guint sticky = 0; sticky <= 1; sticky++)
            run_with_fault (f, snapshot, warm_up, n, codes[c], sticky, &stats);
    }

  g_test_message ("%u runs, %u denied, %u of them committed before the failure", stats.n_runs,
                  stats.n_failed, stats.n_committed_but_failed);
  /* Every injected fault was on the path, and denied. */
  g_assert_cmpuint (stats.n_failed, ==, stats.n_runs - 2);
}

static void
test_fault_on_event (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) snapshot = snapshot_store (f);
  g_autoptr (GError) error = NULL;

  for (guint n = 1; n <= 2; n++)
    {
      g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_LOCK);
      AgSqliteStore *store;

      restore_store (f, snapshot);
      store = ag_sqlite_store_open_with_vfs (f->path, AG_SQLITE_STORE_OPEN_DEFAULT,
                                             ag_test_faultvfs_register (), NULL, &error);
      g_assert_no_error (error);
      entry->user = g_strdup ("agente01");
      entry->host = g_strdup ("pa-07");
      entry->session_id = g_strdup ("session-1");
      ag_test_faultvfs_fail_at (n, SQLITE_FULL, TRUE);
      g_assert_false (ag_sqlite_store_append_event (store, entry, &error));
      ag_test_faultvfs_reset ();
      g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
      g_clear_error (&error);
      g_assert_finalize_object (store);
    }
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

/* The store checkpoints the WAL by itself, off the reveals' path (in the background once
 * it has 1,000 frames, inside a commit only past 4,000): a long run of reveals, with
 * nothing else calling ag_store_maintain(), leaves a WAL of at most about 4,000 frames,
 * where without checkpoints it would hold every reveal's. */
static void
test_wal_bounded (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  const gint64 frame = 4096 + 24, bound = 32 + (4000 + 16) * frame;
  gint64 largest = 0, first;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  guint64 n_verified = 0;
  guint n = 3000;

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  first = file_size (wal);
  g_assert_cmpint (first, >, 0);
  for (guint i = 1; i < n; i++)
    {
      reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + i, 0);
      largest = MAX (largest, file_size (wal));
    }
  g_test_message ("One reveal: %" G_GINT64_FORMAT
                  " WAL bytes; the largest WAL over %u: %" G_GINT64_FORMAT,
                  first, n, largest);
  /* Without checkpoints the WAL would have grown past the bound. */
  g_assert_cmpint (first * n, >, bound);
  g_assert_cmpint (largest, <=, bound);

  /* Nothing is lost on the way. */
  ag_store_maintain (AG_STORE (f->store));
  entries = ledger_entries (f->store);
  g_assert_cmpuint (entries->len, ==, n);
  g_assert_true (ag_sqlite_store_verify_ledger (f->store, &n_verified, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_verified, ==, n);
}

/* Rollback: the ledger head recorded in the Secret Service */

/* Runs @sql on the closed store's file, as someone who holds the file would. */
static void
tamper_file (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;

  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Asserts that the store at @f->path opens for audit only: reveals, searches by an
 * identifier and events are refused, the audit read (`export`) is ledgered, and verify
 * reports the rollback at @first_bad. */
static void
assert_rolled_back (Fixture *f, guint64 first_bad)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgLedgerEntry) event = reveal_entry ("agente01", NULL, AG_PII_KIND_CPF, T0 + 100);
  g_autoptr (AgLedgerEntry) audit = reveal_entry ("auditor", NULL, AG_PII_KIND_CPF, T0 + 101);
  g_autoptr (AgLedgerEntry) prune_record = NULL;
  g_autoptr (AgLedgerEntry) access = ag_test_search_access ("agente01");
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;
  guint64 bad = 0;

  g_clear_object (&f->store);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (ag_sqlite_store_verify_ledger (f->store, NULL, &bad, &error));
  g_assert_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK);
  g_assert_cmpuint (bad, ==, first_bad);
  g_clear_error (&error);

  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 102, 0,
                  AG_STORE_ERROR_ROLLED_BACK);
  results = ag_store_search (AG_STORE (f->store), customer->values[AG_PII_KIND_CPF], 0, access, 100,
                             NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK);
  g_assert_null (results);
  g_clear_error (&error);
  event->event = AG_LEDGER_EVENT_LOGIN;
  event->field_kind = AG_LEDGER_NO_FIELD;
  g_assert_false (ag_store_append_event (AG_STORE (f->store), event, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK);
  g_clear_error (&error);
  prune_record = reveal_entry ("auditor", NULL, AG_PII_KIND_CPF, T0 + 103);
  prune_record->field_kind = AG_LEDGER_NO_FIELD;
  g_assert_false (ag_sqlite_store_prune_ledger (f->store, 1, prune_record, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK);
  g_clear_error (&error);

  /* Audit reads are still ledgered, and do not make the rollback go away. */
  audit->event = AG_LEDGER_EVENT_EXPORT;
  audit->field_kind = AG_LEDGER_NO_FIELD;
  g_assert_true (ag_store_append_event (AG_STORE (f->store), audit, &error));
  g_assert_no_error (error);
  g_clear_object (&f->store);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ag_sqlite_store_verify_ledger (f->store, NULL, NULL, &error));
  g_assert_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK);
}

/* Three reveals, then the newest two are cut off the end. */
static void
test_rollback_tail_cut (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);

  for (guint i = 0; i < 3; i++)
    reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + i, 0);
  assert_ledger_intact (f->store, 3);
  tamper_file (f, "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq > 1");
  assert_rolled_back (f, 2);
}

/* A copy of the file taken after one reveal is put back after two more. */
static void
test_rollback_snapshot (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GBytes) snapshot = NULL;
  g_autoptr (GError) error = NULL;

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  snapshot = snapshot_store (f);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 1, 0);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 2, 0);
  g_clear_object (&f->store);

  /* Only the file: the record of the head stays where it is. */
  g_clear_pointer (&f->head_snapshot, g_bytes_unref);
  restore_store (f, snapshot);
  assert_rolled_back (f, 2);
}

/* The copy put back is written to (a different entry 3): forked, not only behind. */
static void
test_rollback_forked (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GBytes) snapshot = NULL;
  g_autoptr (GBytes) head = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data_;

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  snapshot = snapshot_store (f);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 1, 0);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 2, 0);
  g_clear_object (&f->store);
  head = ag_keyring_lookup_ledger_head (f->store_id, NULL, &error);
  g_assert_no_error (error);

  /* Put back the copy with its old record, write two other entries, then put the newer
   * record back: the file reaches entry 3, but it is not the recorded one. */
  restore_store (f, snapshot);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  reveal_ok (f->store, "agente02", customer, AG_PII_KIND_CPF, T0 + 3, 0);
  reveal_ok (f->store, "agente02", customer, AG_PII_KIND_CPF, T0 + 4, 0);
  g_clear_object (&f->store);
  data_ = g_bytes_get_data (head, &len);
  g_assert_true (ag_keyring_store_ledger_head (f->store_id, data_, len, NULL, &error));
  g_assert_no_error (error);
  assert_rolled_back (f, 3);
}

/* Removing the record from the keyring does not reset the check. */
static void
test_rollback_record_removed (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GError) error = NULL;

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  g_clear_object (&f->store);
  g_assert_true (secret_password_clear_sync (&store_key_schema, NULL, &error, "store-id",
                                             f->store_id, "purpose", "ledger-head", NULL));
  g_assert_no_error (error);
  assert_rolled_back (f, 1);
}

/* A record that is not sealed with the store's key (forged, or from another store). */
static void
test_rollback_record_forged (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GBytes) head = NULL;
  g_autoptr (GError) error = NULL;
  guint8 forged[AG_LEDGER_SEALED_HEAD_BYTES];
  gsize len;

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 1, 0);
  g_clear_object (&f->store);
  head = ag_keyring_lookup_ledger_head (f->store_id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (head), ==, sizeof forged);
  memcpy (forged, g_bytes_get_data (head, &len), sizeof forged);
  /* Claims entry 1 is the newest (so that entry 2 could be cut), with the MAC unchanged. */
  forged[8] = 1;
  g_assert_true (ag_keyring_store_ledger_head (f->store_id, forged, sizeof forged, NULL, &error));
  g_assert_no_error (error);
  assert_rolled_back (f, 1);
}

/* Dropping the ledger and its key does not give a fresh one: the record is sealed with
 * the old key. */
static void
test_rollback_ledger_reset (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GError) error = NULL;

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  tamper_file (f, "DROP TABLE ledger; DROP TABLE ledger_meta");
  g_assert_true (secret_password_clear_sync (&store_key_schema, NULL, &error, "store-id",
                                             f->store_id, "purpose", "ledger-mac", NULL));
  g_assert_no_error (error);
  assert_rolled_back (f, 1);
}

/* What is not a rollback: another connection appending meanwhile puts the file ahead of
 * this connection's record, and a crash between a commit and its record leaves the file
 * one entry ahead. Both open for everything. */
static void
test_rollback_ahead (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgSqliteStore) other = NULL;
  g_autoptr (GBytes) head = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data_;

  other = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  /* Verifying waits for the record of entry 1. */
  assert_ledger_intact (f->store, 1);
  head = ag_keyring_lookup_ledger_head (f->store_id, NULL, &error);
  g_assert_no_error (error);
  reveal_ok (other, "agente02", customer, AG_PII_KIND_CPF, T0 + 1, 0);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 2, 0);
  g_clear_object (&other);
  g_clear_object (&f->store);

  /* As if the process died after committing entries 2 and 3 but before recording them. */
  data_ = g_bytes_get_data (head, &len);
  g_assert_true (ag_keyring_store_ledger_head (f->store_id, data_, len, NULL, &error));
  g_assert_no_error (error);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  assert_ledger_intact (f->store, 3);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 3, 0);
  assert_ledger_intact (f->store, 4);
}

/* Entries cut off while a process keeps the store open (the GUI all day, or the CLI at its
 * PAM prompt): its next commit must not be recorded over them. */
static void
test_rollback_cut_while_open (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  sqlite3 *db = NULL;

  for (guint i = 0; i < 5; i++)
    reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + i, 0);
  assert_ledger_intact (f->store, 5);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq > 1",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 10, 0,
                  AG_STORE_ERROR_ROLLED_BACK);
  assert_rolled_back (f, 2);
}

static guint
secret_service_pid (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_autoptr (GVariant) reply = NULL;
  guint pid = 0;

  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "GetConnectionUnixProcessID",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(u)"), 0, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (reply, "(u)", &pid);
  g_assert_cmpuint (pid, >, 0);
  return pid;
}

/* A Secret Service that does not answer (stopped here; an unlock prompt would do the
 * same): the reveal whose record is on its way goes through, the next one waits, then is
 * refused. At most one reveal can ever be cut off unseen. */
static void
test_rollback_keyring_stalled (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  guint pid = secret_service_pid ();

  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0, 0);
  assert_ledger_intact (f->store, 1);
  g_assert_cmpint (kill ((pid_t) pid, SIGSTOP), ==, 0);
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 1, 0);
  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 2, 0,
                  AG_STORE_ERROR_LEDGER);
  g_assert_cmpint (kill ((pid_t) pid, SIGCONT), ==, 0);
  /* Once it answers, reveals go on. */
  reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 3, 0);
  assert_ledger_intact (f->store, 3);
}

/* The recorded head kept, the older entries of the hour deleted: the quota would start
 * again. The window is verified before it is counted. */
static void
test_rollback_window_cut (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GError) error = NULL;
  sqlite3 *db = NULL;

  for (guint i = 0; i < 3; i++)
    reveal_ok (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + i, 3);
  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 3, 3,
                  AG_STORE_ERROR_QUOTA_EXCEEDED);
  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq < 3",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);

  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 4, 3,
                  AG_STORE_ERROR_LEDGER);
  g_clear_object (&f->store);

  /* Giving the hour's entries to another user instead is found the same way. */
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DROP TRIGGER ledger_no_update; UPDATE ledger SET user = 'x'",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  f->store = ag_sqlite_store_open (f->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  reveal_refused (f->store, "agente01", customer, AG_PII_KIND_CPF, T0 + 5, 3,
                  AG_STORE_ERROR_LEDGER);
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
  ADD ("quota", test_quota);
  ADD ("missing-mac-key", test_missing_mac_key);
  ADD ("read-only", test_read_only);
  ADD ("no-value-in-ledger", test_no_value_in_ledger);
  ADD ("faults", test_faults);
  ADD ("wal-bounded", test_wal_bounded);
  ADD ("fault-on-event", test_fault_on_event);
  ADD ("rollback/tail-cut", test_rollback_tail_cut);
  ADD ("rollback/snapshot", test_rollback_snapshot);
  ADD ("rollback/forked", test_rollback_forked);
  ADD ("rollback/record-removed", test_rollback_record_removed);
  ADD ("rollback/record-forged", test_rollback_record_forged);
  ADD ("rollback/ledger-reset", test_rollback_ledger_reset);
  ADD ("rollback/ahead", test_rollback_ahead);
  ADD ("rollback/cut-while-open", test_rollback_cut_while_open);
  ADD ("rollback/keyring-stalled", test_rollback_keyring_stalled);
  ADD ("rollback/window-cut", test_rollback_window_cut);

#undef ADD

  return g_test_run ();
}
