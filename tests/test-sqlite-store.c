/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* Integration test of the SQLite store: runs under tests/run-test.sh --keyring, with a
 * private session bus and a real, unlocked gnome-keyring. Every value is synthetic. */

#define _GNU_SOURCE /* memmem */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include <libsecret/secret.h>

#include "ag-keyring.h"
#include "ag-sealer.h"
#include "ag-sqlite-store-private.h"
#include "ag-synth.h"
#include "ag-test-store.h"

/* A customer as an import file would carry it: raw, formatted input. */
typedef struct
{
  const char *id;
  const char *raw[AG_PII_N_KINDS];
} RawCustomer;

static const RawCustomer maria = {
  "C-1",
  {
    [AG_PII_KIND_NAME] = "Maria da Silva",
    [AG_PII_KIND_CPF] = "529.982.247-25",
    [AG_PII_KIND_CNPJ] = "11.222.333/0001-81",
    [AG_PII_KIND_RG] = "12.345.678-9",
    [AG_PII_KIND_BIRTH_DATE] = "12/03/1985",
    [AG_PII_KIND_PHONE] = "(11) 98765-4321",
    [AG_PII_KIND_EMAIL] = "Maria.Silva@Example.COM",
    [AG_PII_KIND_ADDRESS] = "Rua das Acácias, 1234 - Jardim Paulistano, São Paulo - SP, "
                            "01452-000",
    [AG_PII_KIND_CARD_NUMBER] = "4111 1111 1111 1111",
    [AG_PII_KIND_BANK_ACCOUNT] = "0001 12345-6",
    [AG_PII_KIND_PIX_KEY] = "+55 21 99876-5432",
    [AG_PII_KIND_NOTES] = "Prefere atendimento à tarde; cliente desde março, "
                          "pediu segunda via do cartão",
  },
};

static const RawCustomer joao = {
  "C-2",
  {
    [AG_PII_KIND_NAME] = "João Pereira",
    [AG_PII_KIND_PHONE] = "(21) 3456-7890",
    [AG_PII_KIND_EMAIL] = "joao.pereira@example.net",
  },
};

static const RawCustomer mariana = {
  "C-3",
  {
    [AG_PII_KIND_NAME] = "Mariana Souza",
  },
};

/* Helpers */

static void
customer_from_raw (const RawCustomer *raw, AgCustomerData *out)
{
  memset (out, 0, sizeof *out);
  out->id = g_strdup (raw->id);
  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    if (raw->raw[kind] != NULL)
      {
        g_autoptr (GError) error = NULL;

        out->values[kind] = ag_pii_normalize (kind, raw->raw[kind], &error);
        g_assert_no_error (error);
      }
}

/* Hands out copies of an array of customers; fails at @fail_at (1-based) when set. */
typedef struct
{
  AgCustomerData *customers;
  guint n_customers;
  guint next;
  guint fail_at;
  GCancellable *cancel_at_end;
} ArraySource;

static gboolean
array_source (AgCustomerData *out, gpointer user_data, GError **error)
{
  ArraySource *source = user_data;
  const AgCustomerData *from;

  if (source->fail_at != 0 && source->next + 1 == source->fail_at)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the source broke");
      return FALSE;
    }
  if (source->next == source->n_customers)
    {
      if (source->cancel_at_end != NULL)
        g_cancellable_cancel (source->cancel_at_end);
      return FALSE;
    }

  from = &source->customers[source->next++];
  out->id = g_strdup (from->id);
  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    out->values[i] = g_strdup (from->values[i]);
  out->line = source->next + 1;

  return TRUE;
}

static gboolean
import_array (AgStore *store, AgCustomerData *customers, guint n, GError **error)
{
  ArraySource source = { customers, n, 0, 0, NULL };

  return ag_store_import (store, array_source, &source, n, NULL, NULL, NULL, error);
}

typedef struct
{
  AgSynth *synth;
  guint remaining;
} SynthSource;

static gboolean
synth_source (AgCustomerData *out, gpointer user_data, GError **error)
{
  SynthSource *source = user_data;

  if (source->remaining == 0)
    return FALSE;
  source->remaining--;
  ag_synth_next (source->synth, out);
  return TRUE;
}

typedef struct
{
  char *dir;
  char *path;
  AgSqliteStore *store;
  AgCustomerData customers[3];
} Fixture;

static AgSqliteStore *
open_store (const char *path, AgSqliteStoreFlags flags)
{
  g_autoptr (GError) error = NULL;
  AgSqliteStore *store = ag_sqlite_store_open (path, flags, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "store.db", NULL);
  fixture->store = open_store (fixture->path, AG_SQLITE_STORE_OPEN_CREATE);

  customer_from_raw (&maria, &fixture->customers[0]);
  customer_from_raw (&joao, &fixture->customers[1]);
  customer_from_raw (&mariana, &fixture->customers[2]);
  import_array (AG_STORE (fixture->store), fixture->customers, 3, &error);
  g_assert_no_error (error);
}

static void
remove_store_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_unlink (file);
    }
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->store);
  for (guint i = 0; i < G_N_ELEMENTS (fixture->customers); i++)
    ag_customer_data_clear (&fixture->customers[i]);
  remove_store_files (fixture->path);
  g_rmdir (fixture->dir);
  g_free (fixture->path);
  g_free (fixture->dir);
}

static GListModel *
search (Fixture *fixture, const char *query)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgLedgerEntry) access = ag_test_search_access (NULL);
  GListModel *results
    = ag_store_search (AG_STORE (fixture->store), query, 0, access, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  return results;
}

/* Asserts that @query finds exactly the customers @ids (NULL-terminated), in that order. */
static void
assert_search (Fixture *fixture, const char *query, ...)
{
  g_autoptr (GListModel) results = search (fixture, query);
  g_autoptr (GPtrArray) expected = g_ptr_array_new ();
  const char *id;
  va_list args;

  va_start (args, query);
  while ((id = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (expected, (gpointer) id);
  va_end (args);

  if (g_list_model_get_n_items (results) != expected->len)
    g_error ("Query “%s”: %u results, expected %u", query, g_list_model_get_n_items (results),
             expected->len);
  for (guint i = 0; i < expected->len; i++)
    {
      g_autoptr (AgRecord) record = g_list_model_get_item (results, i);

      g_assert_cmpstr (ag_record_get_id (record), ==, expected->pdata[i]);
    }
}

static char *
query_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return text;
}

/* Opens one sealed value the only way a release build can: a reveal, ledgered first. */
static AgSecret *
reveal (AgSqliteStore *store, const char *id, AgPiiKind kind, GError **error)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_REVEAL);

  entry->user = g_strdup ("agente01");
  entry->host = g_strdup ("pa-07");
  entry->session_id = g_strdup ("session-1");
  entry->record_id = g_strdup (id);
  entry->field_kind = kind;
  entry->reason = g_strdup ("customer-request");
  entry->policy_version = g_strdup ("1");
  return ag_store_reveal (AG_STORE (store), entry, 0, NULL, error);
}

static void
assert_unseals_to (AgSqliteStore *store, const char *id, AgPiiKind kind, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = reveal (store, id, kind, &error);

  g_assert_no_error (error);
  g_assert_cmpstr ((const char *) ag_secret_get_data (value, NULL), ==, expected);
}

/* Tests */

static void
test_new_destroy (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  AgSqliteStore *store;

  store = open_store (path, AG_SQLITE_STORE_OPEN_CREATE);
  g_assert_true (AG_IS_STORE (store));
  g_assert_cmpstr (ag_sqlite_store_get_path (store), ==, path);
  g_assert_true (g_uuid_string_is_valid (ag_sqlite_store_get_store_id (store)));
  /* Both keys of the store are in the keyring from the start. */
  {
    g_autoptr (AgSecret) data_key = ag_keyring_get_key (ag_sqlite_store_get_store_id (store),
                                                        AG_KEY_PURPOSE_DATA, FALSE, NULL, &error);
    g_autoptr (AgSecret) ledger_key = ag_keyring_get_key (
      ag_sqlite_store_get_store_id (store), AG_KEY_PURPOSE_LEDGER_MAC, FALSE, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (ag_secret_get_size (data_key), ==, AG_KEYRING_KEY_BYTES);
    g_assert_cmpuint (ag_secret_get_size (ledger_key), ==, AG_KEYRING_KEY_BYTES);
    g_assert_true (memcmp (ag_secret_get_data (data_key, NULL),
                           ag_secret_get_data (ledger_key, NULL), AG_KEYRING_KEY_BYTES)
                   != 0);
  }
  g_assert_cmpint (ag_store_count (AG_STORE (store), &error), ==, 0);
  g_assert_no_error (error);
  g_assert_finalize_object (store);

  remove_store_files (path);
  g_rmdir (dir);
}

static void
assert_private_file (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) == 0)
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_create_reopen (Fixture *fixture, gconstpointer data)
{
  g_autofree char *store_id = g_strdup (ag_sqlite_store_get_store_id (fixture->store));
  g_autofree char *wal = g_strconcat (fixture->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (fixture->path, "-shm", NULL);
  g_autoptr (GError) error = NULL;
  AgSqliteStore *again;

  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
  assert_private_file (fixture->path);
  assert_private_file (wal);
  assert_private_file (shm);
  g_assert_cmpint (ag_store_count (AG_STORE (fixture->store), &error), ==, 3);

  /* Back in WAL mode after the bulk import into the empty store, with durable commits. */
  {
    g_autofree char *mode = query_text (fixture->path, "PRAGMA journal_mode");

    g_assert_cmpstr (mode, ==, "wal");
  }

  g_clear_object (&fixture->store);
  fixture->store = open_store (fixture->path, AG_SQLITE_STORE_OPEN_DEFAULT);
  g_assert_cmpstr (ag_sqlite_store_get_store_id (fixture->store), ==, store_id);
  g_assert_cmpint (ag_store_count (AG_STORE (fixture->store), &error), ==, 3);
  g_assert_no_error (error);
  assert_unseals_to (fixture->store, "C-1", AG_PII_KIND_CPF, "52998224725");

  /* CREATE on an existing store opens it, keys and all. */
  again = open_store (fixture->path, AG_SQLITE_STORE_OPEN_CREATE);
  g_assert_cmpstr (ag_sqlite_store_get_store_id (again), ==, store_id);
  g_assert_cmpint (ag_store_count (AG_STORE (again), &error), ==, 3);
  g_assert_finalize_object (again);
}

static void
test_open_missing (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSqliteStore) store = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "none.db", NULL);

  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
  g_assert_null (store);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

static void
test_open_not_a_store (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSqliteStore) store = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "junk.db", NULL);

  g_file_set_contents (path, "this is not a database, just some text long enough", -1, &error);
  g_assert_no_error (error);
  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT);
  g_assert_null (store);
  remove_store_files (path);
  g_rmdir (dir);
}

static void
test_search_name (Fixture *fixture, gconstpointer data)
{
  /* Word prefixes, any case, accents ignored both ways; every word must match. */
  assert_search (fixture, "maria", "C-1", "C-3", NULL);
  assert_search (fixture, "mar", "C-1", "C-3", NULL);
  assert_search (fixture, "MARIA DA", "C-1", NULL);
  assert_search (fixture, "mar sil", "C-1", NULL);
  assert_search (fixture, "sil mar", "C-1", NULL);
  assert_search (fixture, "souza", "C-3", NULL);
  assert_search (fixture, "joao", "C-2", NULL);
  assert_search (fixture, "João", "C-2", NULL);
  assert_search (fixture, "JOÃO per", "C-2", NULL);
  assert_search (fixture, "pereira", "C-2", NULL);
  assert_search (fixture, "  maria   silva ", "C-1", NULL);
  /* Middle of a word is not a prefix; an extra word that matches nothing excludes. */
  assert_search (fixture, "ilva", NULL);
  assert_search (fixture, "maria xavier", NULL);
  assert_search (fixture, "zzz", NULL);
  assert_search (fixture, "", NULL);
  assert_search (fixture, "   ", NULL);
  /* FTS syntax typed by an agent is text, not a query language. */
  assert_search (fixture, "maria OR joao", NULL);
  assert_search (fixture, "\"maria\" *", "C-1", "C-3", NULL);
  assert_search (fixture, "(maria)", "C-1", "C-3", NULL);
  assert_search (fixture, "name:maria^", NULL);
  assert_search (fixture, "NEAR(maria", NULL);
}

static void
test_search_long_prefix (Fixture *fixture, gconstpointer data)
{
  const RawCustomer raw[] = {
    { "C-20", { [AG_PII_KIND_NAME] = "Ana Nascimento" } },
    { "C-21", { [AG_PII_KIND_NAME] = "Ana Nascimbeni" } },
    { "C-22", { [AG_PII_KIND_NAME] = "Ana Nascimentos Ávila" } },
  };
  AgCustomerData customers[G_N_ELEMENTS (raw)];
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
    customer_from_raw (&raw[i], &customers[i]);
  import_array (AG_STORE (fixture->store), customers, G_N_ELEMENTS (raw), &error);
  g_assert_no_error (error);

  /* Prefixes longer than the longest prefix index (8 characters) still match exactly. */
  assert_search (fixture, "nascim", "C-21", "C-20", "C-22", NULL);
  assert_search (fixture, "nascimen", "C-20", "C-22", NULL);
  assert_search (fixture, "nascimento", "C-20", "C-22", NULL);
  assert_search (fixture, "NASCIMENTOS", "C-22", NULL);
  assert_search (fixture, "nascimentoz", NULL);
  assert_search (fixture, "nascimbeni", "C-21", NULL);
  assert_search (fixture, "ana nascimentos avila", "C-22", NULL);
  assert_search (fixture, "ana nascimentos avilb", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (raw); i++)
    ag_customer_data_clear (&customers[i]);
}

/* A long word is looked up by its first 8 characters: a match must not be lost behind
 * more near misses than the result limit (found in review: 300 "Christophe" hid one
 * "Christopher"). */
static void
test_search_long_prefix_many_near_misses (Fixture *fixture, gconstpointer data)
{
  const guint n = 300;
  g_autofree AgCustomerData *customers = g_new0 (AgCustomerData, n + 1);
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < n; i++)
    {
      customers[i].id = g_strdup_printf ("N-%03u", i);
      customers[i].values[AG_PII_KIND_NAME] = g_strdup_printf ("Christophe Dupont %u", i);
    }
  customers[n].id = g_strdup ("N-999");
  customers[n].values[AG_PII_KIND_NAME] = g_strdup ("Christopher Robin");

  import_array (AG_STORE (fixture->store), customers, n + 1, &error);
  g_assert_no_error (error);

  assert_search (fixture, "christopher", "N-999", NULL);
  assert_search (fixture, "christopher rob", "N-999", NULL);

  for (guint i = 0; i <= n; i++)
    ag_customer_data_clear (&customers[i]);
}

static void
test_search_id (Fixture *fixture, gconstpointer data)
{
  assert_search (fixture, "C-2", "C-2", NULL);
  assert_search (fixture, " C-2 ", "C-2", NULL);
  assert_search (fixture, "C-4", NULL);
}

static void
test_search_exact (Fixture *fixture, gconstpointer data)
{
  assert_search (fixture, "529.982.247-25", "C-1", NULL);
  assert_search (fixture, "52998224725", "C-1", NULL);
  assert_search (fixture, "529 982 247 25", "C-1", NULL);
  /* One digit off: another (invalid) CPF, nobody. */
  assert_search (fixture, "529.982.247-26", NULL);

  assert_search (fixture, "11.222.333/0001-81", "C-1", NULL);
  assert_search (fixture, "11222333000181", "C-1", NULL);

  assert_search (fixture, "(11) 98765-4321", "C-1", NULL);
  assert_search (fixture, "11987654321", "C-1", NULL);
  assert_search (fixture, "+55 11 98765-4321", "C-1", NULL);
  assert_search (fixture, "+5511987654321", "C-1", NULL);
  assert_search (fixture, "11 98765 4321", "C-1", NULL);
  assert_search (fixture, "(21) 3456-7890", "C-2", NULL);
  assert_search (fixture, "2134567890", "C-2", NULL);

  assert_search (fixture, "maria.silva@example.com", "C-1", NULL);
  assert_search (fixture, "MARIA.SILVA@EXAMPLE.COM", "C-1", NULL);
  assert_search (fixture, " Maria.Silva@Example.com ", "C-1", NULL);
  assert_search (fixture, "joao.pereira@example.net", "C-2", NULL);
  assert_search (fixture, "joao.pereira@example.com", NULL);

  /* Kinds that are not searchable are not found by value. */
  assert_search (fixture, "4111 1111 1111 1111", NULL);
  assert_search (fixture, "12/03/1985", NULL);
}

static void
test_results_masked (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GListModel) results = search (fixture, "52998224725");
  g_autoptr (AgRecord) record = g_list_model_get_item (results, 0);
  GListModel *fields = ag_record_get_fields (record);
  AgPiiKind previous = AG_PII_KIND_NAME;
  guint n_fields = g_list_model_get_n_items (fields);

  g_assert_cmpstr (ag_record_get_name (record), ==, "Maria da Silva");
  /* Every kind Maria has but the name, in kind order. */
  g_assert_cmpuint (n_fields, ==, AG_PII_N_KINDS - 1);
  for (guint i = 0; i < n_fields; i++)
    {
      g_autoptr (AgField) field = g_list_model_get_item (fields, i);
      AgPiiKind kind = ag_field_get_kind (field);
      const char *value = fixture->customers[0].values[kind];
      g_autofree char *mask = ag_pii_mask (kind, value);
      g_autofree char *formatted = ag_pii_format (kind, value);

      g_assert_cmpint (kind, >, previous);
      previous = kind;
      g_assert_cmpstr (ag_field_get_record_id (field), ==, "C-1");
      g_assert_cmpstr (ag_field_get_masked (field), ==, mask);
      g_assert_null (strstr (ag_field_get_masked (field), value));
      g_assert_null (strstr (ag_field_get_masked (field), formatted));
    }
  g_assert_cmpstr (ag_field_get_masked (ag_record_get_field (record, AG_PII_KIND_CPF)), ==,
                   "***.982.247-**");
}

static void
test_get_record (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgRecord) record = NULL;
  g_autoptr (AgRecord) missing = NULL;

  record = ag_store_get_record (AG_STORE (fixture->store), "C-2", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ag_record_get_id (record), ==, "C-2");
  g_assert_cmpstr (ag_record_get_name (record), ==, "João Pereira");
  g_assert_cmpuint (g_list_model_get_n_items (ag_record_get_fields (record)), ==, 2);
  g_assert_cmpstr (ag_field_get_masked (ag_record_get_field (record, AG_PII_KIND_PHONE)), ==,
                   "(**) ****-7890");

  missing = ag_store_get_record (AG_STORE (fixture->store), "C-9", NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

static void
search_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  GListModel **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = ag_store_search_finish (AG_STORE (object), result, &error);
  g_assert_no_error (error);
}

static void
test_search_async (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GListModel) results = NULL;

  ag_store_search_async (AG_STORE (fixture->store), "mar sil", 0, NULL, 0, NULL, search_done_cb,
                         &results);
  while (results == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
}

static void
test_unseal_roundtrip (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) none = NULL;

  for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
    assert_unseals_to (fixture->store, "C-1", kind, fixture->customers[0].values[kind]);

  none = reveal (fixture->store, "C-3", AG_PII_KIND_CPF, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
}

/* The store must be exactly as before a failed import. */
static void
assert_unchanged (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (ag_store_count (AG_STORE (fixture->store), &error), ==, 3);
  g_assert_no_error (error);
  assert_search (fixture, "maria", "C-1", "C-3", NULL);
  assert_search (fixture, "rogerio", NULL);
  assert_search (fixture, "C-10", NULL);
  assert_search (fixture, "C-11", NULL);
  assert_unseals_to (fixture->store, "C-1", AG_PII_KIND_CPF, "52998224725");
}

static void
make_batch (AgCustomerData *batch, guint n, const char *const *ids)
{
  g_autoptr (AgSynth) synth = ag_synth_new (7);

  memset (batch, 0, n * sizeof *batch);
  for (guint i = 0; i < n; i++)
    {
      ag_synth_next (synth, &batch[i]);
      g_free (batch[i].id);
      batch[i].id = g_strdup (ids[i]);
      g_free (batch[i].values[AG_PII_KIND_NAME]);
      batch[i].values[AG_PII_KIND_NAME] = g_strdup_printf ("Rogério Teste %u", i);
    }
}

static void
clear_batch (AgCustomerData *batch, guint n)
{
  for (guint i = 0; i < n; i++)
    ag_customer_data_clear (&batch[i]);
}

static void
test_import_duplicate_in_store (Fixture *fixture, gconstpointer data)
{
  const char *ids[] = { "C-10", "C-11", "C-2", "C-12" };
  AgCustomerData batch[4];
  g_autoptr (GError) error = NULL;

  make_batch (batch, 4, ids);
  g_assert_false (import_array (AG_STORE (fixture->store), batch, 4, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_DUPLICATE_ID);
  /* Names the line (the source numbers them from 2), not the id. */
  g_assert_nonnull (strstr (error->message, "line 4"));
  clear_batch (batch, 4);
  assert_unchanged (fixture);
}

static void
test_import_duplicate_in_batch (Fixture *fixture, gconstpointer data)
{
  const char *ids[] = { "C-10", "C-11", "C-10" };
  AgCustomerData batch[3];
  g_autoptr (GError) error = NULL;

  make_batch (batch, 3, ids);
  g_assert_false (import_array (AG_STORE (fixture->store), batch, 3, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_DUPLICATE_ID);
  clear_batch (batch, 3);
  assert_unchanged (fixture);
}

static void
test_import_invalid (Fixture *fixture, gconstpointer data)
{
  const char *ids[] = { "C-10", "C-11", "C-12" };
  struct
  {
    AgPiiKind kind;
    const char *value;
  } bad[] = {
    { AG_PII_KIND_CPF, "52998224726" },    /* wrong check digits */
    { AG_PII_KIND_CPF, "529.982.247-25" }, /* valid but not normalised */
    { AG_PII_KIND_EMAIL, "Maria@Example.com" },
    { AG_PII_KIND_PHONE, "12" },
    { AG_PII_KIND_NAME, "" },
    { AG_PII_KIND_NOTES, "\xff\xfe" },
  };

  for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
    {
      AgCustomerData batch[3];
      g_autoptr (GError) error = NULL;

      make_batch (batch, 3, ids);
      g_free (batch[1].values[bad[b].kind]);
      batch[1].values[bad[b].kind] = g_strdup (bad[b].value);
      g_assert_false (import_array (AG_STORE (fixture->store), batch, 3, &error));
      g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_INVALID_DATA);
      /* Names the place (line 3: the source numbers lines from 2) and never the value. */
      g_assert_nonnull (strstr (error->message, "line 3"));
      if (bad[b].kind != AG_PII_KIND_NAME)
        g_assert_null (strstr (error->message, bad[b].value));
      clear_batch (batch, 3);
      assert_unchanged (fixture);
    }

  {
    AgCustomerData batch[3];
    g_autoptr (GError) error = NULL;

    make_batch (batch, 3, ids);
    g_clear_pointer (&batch[2].id, g_free);
    g_assert_false (import_array (AG_STORE (fixture->store), batch, 3, &error));
    g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_INVALID_DATA);
    clear_batch (batch, 3);
    assert_unchanged (fixture);
  }
}

static void
test_import_source_error (Fixture *fixture, gconstpointer data)
{
  const char *ids[] = { "C-10", "C-11", "C-12" };
  AgCustomerData batch[3];
  ArraySource source = { batch, 3, 0, 3, NULL };
  g_autoptr (GError) error = NULL;

  make_batch (batch, 3, ids);
  g_assert_false (ag_store_import (AG_STORE (fixture->store), array_source, &source, 3, NULL, NULL,
                                   NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  clear_batch (batch, 3);
  assert_unchanged (fixture);
}

static void
test_import_cancelled (Fixture *fixture, gconstpointer data)
{
  const char *ids[] = { "C-10", "C-11", "C-12" };
  AgCustomerData batch[3];
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  ArraySource source = { batch, 3, 0, 0, NULL };
  g_autoptr (GError) error = NULL;

  make_batch (batch, 3, ids);
  g_cancellable_cancel (cancellable);
  g_assert_false (ag_store_import (AG_STORE (fixture->store), array_source, &source, 3, NULL, NULL,
                                   cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  clear_batch (batch, 3);
  assert_unchanged (fixture);
}

static void
progress_cb (guint64 done, guint64 total, gpointer user_data)
{
  GArray *calls = user_data;

  g_assert_cmpuint (total, ==, 10000);
  if (calls->len > 0)
    g_assert_cmpuint (done, >, g_array_index (calls, guint64, calls->len - 1));
  g_array_append_val (calls, done);
}

static void
test_import_many (Fixture *fixture, gconstpointer data)
{
  g_autoptr (AgSynth) synth = ag_synth_new (99);
  g_autoptr (AgSynth) again = ag_synth_new (99);
  g_autoptr (GArray) calls = g_array_new (FALSE, FALSE, sizeof (guint64));
  SynthSource source = { synth, 10000 };
  g_autoptr (GError) error = NULL;
  AgCustomerData data5000 = { 0 };
  g_autofree char *cpf = NULL;
  g_autofree char *phone = NULL;

  g_assert_true (ag_store_import (AG_STORE (fixture->store), synth_source, &source, 10000,
                                  progress_cb, calls, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ag_store_count (AG_STORE (fixture->store), &error), ==, 10003);
  /* Now and then, and the last call says all is done. */
  g_assert_cmpuint (calls->len, >=, 2);
  g_assert_cmpuint (g_array_index (calls, guint64, calls->len - 1), ==, 10000);

  for (guint i = 0; i <= 5000; i++)
    {
      ag_customer_data_clear (&data5000);
      ag_synth_next (again, &data5000);
    }
  cpf = ag_pii_format (AG_PII_KIND_CPF, data5000.values[AG_PII_KIND_CPF]);
  phone = ag_pii_format (AG_PII_KIND_PHONE, data5000.values[AG_PII_KIND_PHONE]);
  {
    g_autoptr (GListModel) by_cpf = search (fixture, cpf);
    g_autoptr (GListModel) by_phone = search (fixture, phone);
    g_autoptr (GListModel) by_id = search (fixture, data5000.id);
    g_autoptr (GListModel) by_name = search (fixture, "a");
    g_autoptr (AgRecord) record = g_list_model_get_item (by_id, 0);
    g_autoptr (AgRecord) first = NULL;
    g_autoptr (AgRecord) last = NULL;

    g_assert_cmpuint (g_list_model_get_n_items (by_id), ==, 1);
    g_assert_cmpstr (ag_record_get_id (record), ==, data5000.id);
    g_assert_cmpuint (g_list_model_get_n_items (by_cpf), >=, 1);
    g_assert_cmpuint (g_list_model_get_n_items (by_phone), >=, 1);
    assert_unseals_to (fixture->store, data5000.id, AG_PII_KIND_ADDRESS,
                       data5000.values[AG_PII_KIND_ADDRESS]);

    /* Many matches: limited, sorted by name. */
    g_assert_cmpuint (g_list_model_get_n_items (by_name), ==, AG_STORE_SEARCH_LIMIT);
    first = g_list_model_get_item (by_name, 0);
    last = g_list_model_get_item (by_name, AG_STORE_SEARCH_LIMIT - 1);
    g_assert_cmpint (strcmp (ag_record_get_name (first), ag_record_get_name (last)), <=, 0);
  }
  ag_customer_data_clear (&data5000);
}

/* Tampering with the file: the sealed value no longer opens. */

static void
run_sql (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static GBytes *
read_fields (const char *path, const char *id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GBytes *bytes;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "SELECT fields FROM customer WHERE id = ?", -1, &stmt, NULL), ==,
    SQLITE_OK);
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  bytes = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return bytes;
}

static void
write_fields (const char *path, const char *id, const guint8 *blob, gsize len)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (
    sqlite3_prepare_v2 (db, "UPDATE customer SET fields = ? WHERE id = ?", -1, &stmt, NULL), ==,
    SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, blob, len, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

static void
assert_forged (AgSqliteStore *store, const char *id, AgPiiKind kind)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = reveal (store, id, kind, &error);

  /* The sealer's refusal, as the reveal path reports it. */
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "does not authenticate"));
  g_assert_null (value);
}

static void
test_tamper (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) maria_fields = NULL;
  g_autofree guint8 *copy = NULL;
  const guint8 *blob;
  const guint8 *sealed;
  gsize len, sealed_len;

  g_clear_object (&fixture->store);
  maria_fields = read_fields (fixture->path, "C-1");
  blob = g_bytes_get_data (maria_fields, &len);
  g_assert_true (
    ag_sqlite_store_fields_find (blob, len, AG_PII_KIND_CPF, NULL, NULL, &sealed, &sealed_len));

  /* Maria's sealed fields moved to Mariana: bound to the record id, they do not open. */
  write_fields (fixture->path, "C-3", blob, len);

  /* Maria's CPF and RG entries swap kinds: bound to the kind, neither opens. */
  copy = g_memdup2 (blob, len);
  for (gsize off = 0; off < len;)
    {
      const char *mask;
      gsize mask_len, entry_sealed_len;
      const guint8 *entry_sealed;
      AgPiiKind kind = copy[off];

      g_assert_true (ag_sqlite_store_fields_find (copy + off, len - off, kind, &mask, &mask_len,
                                                  &entry_sealed, &entry_sealed_len));
      if (kind == AG_PII_KIND_CPF)
        copy[off] = AG_PII_KIND_RG;
      else if (kind == AG_PII_KIND_RG)
        copy[off] = AG_PII_KIND_CPF;
      off = (entry_sealed - copy) + entry_sealed_len;
    }
  write_fields (fixture->path, "C-1", copy, len);

  /* Joao's e-mail with one flipped bit in the ciphertext. */
  {
    g_autoptr (GBytes) joao_fields = read_fields (fixture->path, "C-2");
    gsize joao_len;
    g_autofree guint8 *flipped = g_bytes_unref_to_data (g_bytes_ref (joao_fields), &joao_len);
    const guint8 *email;
    gsize email_len;

    g_assert_true (ag_sqlite_store_fields_find (flipped, joao_len, AG_PII_KIND_EMAIL, NULL, NULL,
                                                &email, &email_len));
    flipped[(email - flipped) + email_len / 2] ^= 0x01;
    write_fields (fixture->path, "C-2", flipped, joao_len);
  }

  fixture->store = open_store (fixture->path, AG_SQLITE_STORE_OPEN_DEFAULT);
  assert_forged (fixture->store, "C-3", AG_PII_KIND_CPF);
  assert_forged (fixture->store, "C-1", AG_PII_KIND_CPF);
  assert_forged (fixture->store, "C-1", AG_PII_KIND_RG);
  assert_forged (fixture->store, "C-2", AG_PII_KIND_EMAIL);
  /* What nobody touched still opens. */
  assert_unseals_to (fixture->store, "C-1", AG_PII_KIND_PHONE, "+5511987654321");
  assert_unseals_to (fixture->store, "C-2", AG_PII_KIND_PHONE, "+552134567890");
}

static void
test_missing_key (Fixture *fixture, gconstpointer data)
{
  g_autofree char *store_id = g_strdup (ag_sqlite_store_get_store_id (fixture->store));
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSqliteStore) store = NULL;

  g_clear_object (&fixture->store);
  g_assert_true (ag_keyring_delete_keys (store_id, NULL, &error));
  g_assert_no_error (error);

  store = ag_sqlite_store_open (fixture->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "not in your keyring"));
  g_assert_null (store);

  /* CREATE does not paper over it with a new key either. */
  g_clear_error (&error);
  store = ag_sqlite_store_open (fixture->path, AG_SQLITE_STORE_OPEN_CREATE, NULL, &error);
  g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND);
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_IS_REGULAR));
}

static void
test_wrong_key (Fixture *fixture, gconstpointer data)
{
  g_autofree char *store_id = g_strdup (ag_sqlite_store_get_store_id (fixture->store));
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (AgSecret) key = NULL;

  g_clear_object (&fixture->store);
  g_assert_true (ag_keyring_delete_keys (store_id, NULL, &error));
  /* A fresh random key under the same store id: not the key the store was sealed with. */
  key = ag_keyring_get_key (store_id, AG_KEY_PURPOSE_DATA, TRUE, NULL, &error);
  g_assert_no_error (error);

  store = ag_sqlite_store_open (fixture->path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_CORRUPT);
  g_assert_null (store);
}

static void
test_keyring_roundtrip (void)
{
  g_autofree char *store_id = g_uuid_string_random ();
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) created = NULL;
  g_autoptr (AgSecret) found = NULL;
  g_autoptr (AgSecret) missing = NULL;

  missing = ag_keyring_get_key (store_id, AG_KEY_PURPOSE_DATA, FALSE, NULL, &error);
  g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&error);

  created = ag_keyring_get_key (store_id, AG_KEY_PURPOSE_DATA, TRUE, NULL, &error);
  g_assert_no_error (error);
  found = ag_keyring_get_key (store_id, AG_KEY_PURPOSE_DATA, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (ag_secret_get_data (created, NULL), ag_secret_get_size (created),
                   ag_secret_get_data (found, NULL), ag_secret_get_size (found));

  g_assert_true (ag_keyring_delete_keys (store_id, NULL, &error));
  g_assert_no_error (error);
  missing = ag_keyring_get_key (store_id, AG_KEY_PURPOSE_DATA, FALSE, NULL, &error);
  g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND);
}

static void
test_keyring_corrupt (void)
{
  /* The same schema as ag-keyring.c, to plant a secret that is not a key. */
  static const SecretSchema schema = {
    "org.agentguard.AgentGuard.StoreKey",
    SECRET_SCHEMA_NONE,
    {
      { "store-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "purpose", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };
  const char *bad[]
    = { "not base64 at all!", "c2hvcnQ", "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *store_id = g_uuid_string_random ();
      g_autoptr (GError) error = NULL;
      g_autoptr (AgSecret) key = NULL;
      gboolean stored;

      stored = secret_password_store_sync (&schema, SECRET_COLLECTION_DEFAULT, "test", bad[i], NULL,
                                           &error, "store-id", store_id, "purpose", "data", NULL);
      g_assert_no_error (error);
      g_assert_true (stored);
      key = ag_keyring_get_key (store_id, AG_KEY_PURPOSE_DATA, TRUE, NULL, &error);
      g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_CORRUPT);
      g_assert_null (key);
      g_clear_error (&error);
      g_assert_true (ag_keyring_delete_keys (store_id, NULL, &error));
    }
}

#define BOGUS_BUS "unix:path=/nonexistent/agent-guard-test-bus"

static void
test_no_secret_service (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (AgSqliteStore) store = NULL;
      g_autofree char *dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
      g_autofree char *path = g_build_filename (dir, "new.db", NULL);

      g_setenv ("DBUS_SESSION_BUS_ADDRESS", BOGUS_BUS, TRUE);

      /* An existing store cannot be opened... */
      store = ag_sqlite_store_open (g_getenv ("AG_TEST_STORE"), AG_SQLITE_STORE_OPEN_DEFAULT, NULL,
                                    &error);
      g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_UNAVAILABLE);
      g_assert_nonnull (strstr (error->message, "No Secret Service is available"));
      g_assert_null (store);
      g_clear_error (&error);

      /* ...and none is created, nor left half-made. */
      store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_CREATE, NULL, &error);
      g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_UNAVAILABLE);
      g_assert_null (store);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
      g_rmdir (dir);
      return;
    }

  {
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
    g_autofree char *path = g_build_filename (dir, "store.db", NULL);
    AgSqliteStore *store = open_store (path, AG_SQLITE_STORE_OPEN_CREATE);

    g_object_unref (store);
    g_setenv ("AG_TEST_STORE", path, TRUE);
    /* The timeout makes sure a missing service fails, never hangs. */
    g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_passed ();
    g_unsetenv ("AG_TEST_STORE");
    remove_store_files (path);
    g_rmdir (dir);
  }
}

/* The scan test: no masked value in clear in any file of the store, in any format. */

static GBytes *
read_file_or_empty (const char *path)
{
  char *contents = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, NULL))
    return g_bytes_new (NULL, 0);
  return g_bytes_new_take (contents, len);
}

/* The form of a value to look for, unless it is part of the value's mask, which is
 * stored in clear on purpose (an address mask keeps the city, for instance). */
static void
add_form (GPtrArray *forms, const char *form, const char *mask)
{
  /* Shorter strings could turn up by chance in ciphertext; every real form is longer. */
  if (form != NULL && strlen (form) >= 8 && strstr (mask, form) == NULL)
    g_ptr_array_add (forms, g_strdup (form));
}

static char *
digits_only (const char *s)
{
  GString *out = g_string_new (NULL);

  for (; *s != '\0'; s++)
    if (g_ascii_isdigit (*s))
      g_string_append_c (out, *s);
  return g_string_free (out, FALSE);
}

/* Every way a value of @kind could be written. */
static void
add_forms (GPtrArray *forms, AgPiiKind kind, const char *raw, const char *normalized)
{
  g_autofree char *formatted = ag_pii_format (kind, normalized);
  g_autofree char *lower = g_utf8_strdown (normalized, -1);
  g_autofree char *upper = g_utf8_strup (normalized, -1);
  g_autofree char *raw_digits = raw != NULL ? digits_only (raw) : NULL;
  g_autofree char *norm_digits = digits_only (normalized);
  g_autofree char *mask = ag_pii_mask (kind, normalized);

  add_form (forms, raw, mask);
  add_form (forms, normalized, mask);
  add_form (forms, formatted, mask);
  add_form (forms, lower, mask);
  add_form (forms, upper, mask);
  if (kind != AG_PII_KIND_ADDRESS && kind != AG_PII_KIND_NOTES && kind != AG_PII_KIND_EMAIL)
    {
      add_form (forms, raw_digits, mask);
      add_form (forms, norm_digits, mask);
    }
  if (kind == AG_PII_KIND_PHONE || kind == AG_PII_KIND_PIX_KEY)
    {
      /* Without the country code as well. */
      if (g_str_has_prefix (normalized, "+55"))
        add_form (forms, normalized + 3, mask);
    }
  if (kind == AG_PII_KIND_BIRTH_DATE)
    {
      int year, month, day;

      g_assert_cmpint (sscanf (normalized, "%d-%d-%d", &year, &month, &day), ==, 3);
      {
        g_autofree char *iso = g_strdup_printf ("%04d-%02d-%02d", year, month, day);
        g_autofree char *br = g_strdup_printf ("%02d/%02d/%04d", day, month, year);
        g_autofree char *compact = g_strdup_printf ("%04d%02d%02d", year, month, day);
        g_autofree char *br_compact = g_strdup_printf ("%02d%02d%04d", day, month, year);

        add_form (forms, iso, mask);
        add_form (forms, br, mask);
        add_form (forms, compact, mask);
        add_form (forms, br_compact, mask);
      }
    }
  if (kind == AG_PII_KIND_ADDRESS || kind == AG_PII_KIND_NOTES)
    {
      /* Any long enough piece of the text, e.g. a street name, in NFC and NFD. */
      g_autofree char *nfd = g_utf8_normalize (normalized, -1, G_NORMALIZE_NFD);
      gsize len = strlen (normalized);

      add_form (forms, nfd, mask);
      for (gsize off = 0; off + 12 <= len; off += 6)
        {
          g_autofree char *piece = g_strndup (normalized + off, 12);

          if (g_utf8_validate (piece, -1, NULL))
            add_form (forms, piece, mask);
        }
    }
}

static void
assert_no_clear_values (const char *path, GPtrArray *forms, const char *name)
{
  const char *suffixes[] = { "", "-wal", "-shm" };
  gboolean found_name = FALSE;

  for (guint s = 0; s < G_N_ELEMENTS (suffixes); s++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[s], NULL);
      g_autoptr (GBytes) bytes = read_file_or_empty (file);
      gsize len;
      const guint8 *data = g_bytes_get_data (bytes, &len);

      for (guint i = 0; i < forms->len; i++)
        {
          const char *form = forms->pdata[i];

          /* Say which kind of form, never the value. */
          if (data != NULL && memmem (data, len, form, strlen (form)) != NULL)
            g_error ("A value (form #%u) is in clear in the store file%s", i, suffixes[s]);
        }
      if (data != NULL && memmem (data, len, name, strlen (name)) != NULL)
        found_name = TRUE;
    }

  /* The scan reads the real bytes: the name, kept in clear on purpose, is found. */
  g_assert_true (found_name);
}

static void
test_scan (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (GPtrArray) forms = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (AgSynth) synth = ag_synth_new (1234);
  AgSqliteStore *store;
  AgCustomerData customers[40];
  const guint n = G_N_ELEMENTS (customers);

  memset (customers, 0, sizeof customers);
  customer_from_raw (&maria, &customers[0]);
  customer_from_raw (&joao, &customers[1]);
  for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
    {
      if (maria.raw[kind] != NULL)
        add_forms (forms, kind, maria.raw[kind], customers[0].values[kind]);
      if (joao.raw[kind] != NULL)
        add_forms (forms, kind, joao.raw[kind], customers[1].values[kind]);
    }
  for (guint i = 2; i < n; i++)
    {
      ag_synth_next (synth, &customers[i]);
      for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
        if (customers[i].values[kind] != NULL)
          add_forms (forms, kind, NULL, customers[i].values[kind]);
    }
  g_assert_cmpuint (forms->len, >, 40 * 10);

  store = open_store (path, AG_SQLITE_STORE_OPEN_CREATE);
  import_array (AG_STORE (store), customers, n, &error);
  g_assert_no_error (error);
  /* Searches and a record read do not write values anywhere either. */
  {
    g_autoptr (AgLedgerEntry) access = ag_test_search_access (NULL);
    g_autoptr (GListModel) results
      = ag_store_search (AG_STORE (store), "529.982.247-25", 0, access, 0, NULL, &error);
    g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  }

  /* While open: the database, its WAL and its shared memory file. */
  assert_no_clear_values (path, forms, "Maria da Silva");

  /* After a checkpoint moved everything into the database file. */
  run_sql (path, "PRAGMA wal_checkpoint(TRUNCATE)");
  assert_no_clear_values (path, forms, "Maria da Silva");

  g_assert_finalize_object (store);
  assert_no_clear_values (path, forms, "Maria da Silva");

  for (guint i = 0; i < n; i++)
    ag_customer_data_clear (&customers[i]);
  remove_store_files (path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(name, func) \
  g_test_add ("/sqlite-store/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/sqlite-store/new-destroy", test_new_destroy);
  g_test_add_func ("/sqlite-store/open-missing", test_open_missing);
  g_test_add_func ("/sqlite-store/open-not-a-store", test_open_not_a_store);
  ADD ("create-reopen", test_create_reopen);
  ADD ("search-name", test_search_name);
  ADD ("search-long-prefix", test_search_long_prefix);
  ADD ("search-long-prefix-many-near-misses", test_search_long_prefix_many_near_misses);
  ADD ("search-id", test_search_id);
  ADD ("search-exact", test_search_exact);
  ADD ("search-async", test_search_async);
  ADD ("results-masked", test_results_masked);
  ADD ("get-record", test_get_record);
  ADD ("unseal-roundtrip", test_unseal_roundtrip);
  ADD ("import-duplicate-in-store", test_import_duplicate_in_store);
  ADD ("import-duplicate-in-batch", test_import_duplicate_in_batch);
  ADD ("import-invalid", test_import_invalid);
  ADD ("import-source-error", test_import_source_error);
  ADD ("import-cancelled", test_import_cancelled);
  ADD ("import-many", test_import_many);
  ADD ("tamper", test_tamper);
  ADD ("missing-key", test_missing_key);
  ADD ("wrong-key", test_wrong_key);
  g_test_add_func ("/keyring/roundtrip", test_keyring_roundtrip);
  g_test_add_func ("/keyring/corrupt", test_keyring_corrupt);
  g_test_add_func ("/sqlite-store/no-secret-service", test_no_secret_service);
  g_test_add_func ("/sqlite-store/scan", test_scan);

#undef ADD

  return g_test_run ();
}
