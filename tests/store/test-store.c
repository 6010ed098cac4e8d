/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The store conformance suite: what every AgStore backend must do, through the AgStore
 * interface only (ag_store_open() and its calls). Each case runs once per backend built;
 * a backend brings only how to name a new store and how to break it behind its back
 * (change a ledger entry, make the ledger write fail). Synthetic customers only.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ag-backends.h"
#include "ag-keyring.h"
#include "ag-pii.h"
#include "ag-sqlite-store-private.h"
#include "ag-store.h"
#include "ag-test-faultvfs.h"
#include "ag-test-store.h"
#include "ag-test-util.h"
#include "test-store-private.h"

#define N_CUSTOMERS 30
#define SEED        20261207
/* 2025-03-10T10:00:00Z: the ledger's days are well in the past, for pruning. */
#define T0     ((gint64) 1741600800 * G_USEC_PER_SEC)
#define DAY_US ((gint64) 24 * 3600 * G_USEC_PER_SEC)

/* SQLite ---------------------------------------------------------------------------------- */

static char *
sqlite_location (const char *dir)
{
  return g_strconcat ("sqlite:", dir, "/store.db", NULL);
}

static const char *
sqlite_path (const char *location)
{
  g_assert_true (g_str_has_prefix (location, "sqlite:"));
  return location + strlen ("sqlite:");
}

static void
sqlite_tamper_entry (const char *location, guint64 seq)
{
  g_autofree char *sql = g_strdup_printf ("DROP TRIGGER ledger_no_update; UPDATE ledger SET user = "
                                          "'mallory' WHERE seq = %" G_GUINT64_FORMAT,
                                          seq);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (sqlite_path (location), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
}

static AgStore *
sqlite_open_failing (const char *location)
{
  g_autoptr (GError) error = NULL;
  AgSqliteStore *store;

  store = ag_sqlite_store_open_with_vfs (sqlite_path (location), AG_SQLITE_STORE_OPEN_DEFAULT,
                                         ag_test_faultvfs_register (), NULL, &error);
  g_assert_no_error (error);
  ag_test_faultvfs_fail_at (1, SQLITE_FULL, TRUE);
  return AG_STORE (store);
}

static void
sqlite_end_failing (void)
{
  ag_test_faultvfs_reset ();
}

/* A store made before stores recorded their mode has no `mode` in its meta: it is live,
 * and opens as before. */
static void
test_sqlite_mode_unrecorded_is_live (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ag-store-XXXXXX", NULL);
  g_autofree char *location = sqlite_location (dir);
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3 *db = NULL;

  store = ag_store_open (location, AG_STORE_OPEN_CREATE, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (sqlite_path (location), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "DELETE FROM meta WHERE key = 'mode'", NULL, NULL, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);

  store = ag_store_open (location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ag_store_get_mode (store), ==, AG_LEDGER_MODE_LIVE);
  g_assert_null (ag_store_open (location, AG_STORE_OPEN_TRAINING, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_MODE_MISMATCH);
  ag_keyring_delete_keys (ag_store_get_id (store), NULL, NULL);
  g_clear_object (&store);
  ag_test_remove_tree (dir);
}

static const Backend backends[] = {
  { "sqlite", sqlite_location, sqlite_tamper_entry, sqlite_open_failing, sqlite_end_failing },
  AG_TEST_STORE_PG_BACKEND,
};

/* The fixture ---------------------------------------------------------------------------- */

/* The store as an administrator (import) or an auditor (verify) opens it. */
static AgStore *
open_as (Fixture *f, char *(*location_for) (const char *location), AgStoreOpenFlags flags)
{
  g_autofree char *location = location_for != NULL ? location_for (f->location) : NULL;
  g_autoptr (GError) error = NULL;
  AgStore *store;

  store = ag_store_open (location != NULL ? location : f->location, flags, NULL, &error);
  g_assert_no_error (error);
  return store;
}

static AgStore *
open_admin (Fixture *f, AgStoreOpenFlags flags)
{
  return open_as (f, f->backend->admin_location, flags);
}

static AgStore *
open_auditor (Fixture *f)
{
  if (f->backend->auditor_location == NULL)
    return g_object_ref (f->store);
  return open_as (f, f->backend->auditor_location, AG_STORE_OPEN_DEFAULT);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (AgSynth) synth = ag_synth_new (SEED);
  g_autoptr (GError) error = NULL;
  AgTestSynthSource source;

  f->backend = data;
  f->dir = g_dir_make_tmp ("ag-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->location = f->backend->location (f->dir);
  f->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  source = (AgTestSynthSource){ synth, N_CUSTOMERS, f->customers };

  f->store = open_admin (f, AG_STORE_OPEN_CREATE);
  g_assert_true (ag_store_import (f->store, ag_test_synth_source, &source, N_CUSTOMERS, NULL, NULL,
                                  NULL, &error));
  g_assert_no_error (error);
  if (f->backend->admin_location != NULL)
    {
      g_clear_object (&f->store);
      f->store = ag_store_open (f->location, AG_STORE_OPEN_DEFAULT, NULL, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  if (f->store != NULL && f->backend->admin_location == NULL)
    ag_keyring_delete_keys (ag_store_get_id (f->store), NULL, NULL);
  g_clear_object (&f->store);
  ag_test_remove_tree (f->dir);
  g_ptr_array_unref (f->customers);
  g_free (f->location);
  g_free (f->dir);
}

/* The @n-th customer (0-based) that has a value of @kind. */
const AgCustomerData *
customer_with (Fixture *f, AgPiiKind kind, guint n)
{
  return ag_test_customer_with (f->customers, kind, n);
}

static AgLedgerEntry *
new_entry (AgLedgerEvent event, const char *user, gint64 time_us)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (event);

  entry->time_us = time_us;
  entry->user = g_strdup (user);
  entry->host = g_strdup ("pa-07");
  entry->session_id = g_strdup ("session-conformance");
  return entry;
}

static GPtrArray *
ledger (Fixture *f, const AgLedgerFilter *filter)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);

  g_assert_true (
    ag_store_foreach_event (f->store, filter, ag_test_collect_entry_cb, entries, &error));
  g_assert_no_error (error);
  return entries;
}

static gboolean
results_hold (GListModel *results, const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr (AgRecord) record = g_list_model_get_item (results, i);

      if (g_str_equal (ag_record_get_id (record), id))
        return TRUE;
    }
  return FALSE;
}

/* Searches @query as agent "ana" and asserts that it finds @id. */
static void
assert_finds (Fixture *f, const char *query, const char *id)
{
  g_autoptr (AgLedgerEntry) access = ag_test_search_access ("ana");
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;

  results = ag_store_search (f->store, query, 0, access, 0, NULL, &error);
  g_assert_no_error (error);
  if (!results_hold (results, id))
    g_error ("a search of the %s kind did not find its customer",
             ag_pii_identifier_kinds (query) != 0 ? "identifier" : "name or id");
}

/* Opening -------------------------------------------------------------------------------- */

static void
test_open (Fixture *f, gconstpointer data)
{
  g_autoptr (AgStore) again = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "nothing-here.db", NULL);

  /* The same store again, by the same location. */
  again = ag_store_open (f->location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ag_store_get_id (again), ==, ag_store_get_id (f->store));
  g_assert_cmpint (ag_store_count (again, &error), ==, N_CUSTOMERS);
  g_assert_no_error (error);
  g_clear_object (&again);

  /* Nothing there, and nothing created without being asked. */
  g_assert_null (ag_store_open (missing, AG_STORE_OPEN_DEFAULT, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));

  /* A kind of store this build does not know is named in the error. */
  g_assert_null (ag_store_open ("nosuchbackend://host/db", AG_STORE_OPEN_DEFAULT, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nosuchbackend"));
}

/* The mode (issue 16) and what the store tells about itself (issue 13) ---------------------- */

/* A store of its own in a new folder under the fixture's, created in @flags' mode. */
static AgStore *
open_other (Fixture *f, const char *name, AgStoreOpenFlags flags, char **out_location)
{
  g_autofree char *dir = g_build_filename (f->dir, name, NULL);
  g_autoptr (GError) error = NULL;
  AgStore *store;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  *out_location = f->backend->location (dir);
  store = ag_store_open (*out_location, flags | AG_STORE_OPEN_CREATE, NULL, &error);
  g_assert_no_error (error);
  return store;
}

static void
test_info (Fixture *f, gconstpointer data)
{
  g_autoptr (AgLedgerEntry) entry = new_entry (AG_LEDGER_EVENT_LOGIN, "ana", T0);
  g_autoptr (GError) error = NULL;
  AgStoreInfo info;

  gboolean pg = g_str_equal (f->backend->name, "pg");
  gint64 n_before;

  g_assert_true (ag_store_get_info (f->store, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.format, ==, pg ? "postgresql" : "sqlite");
  if (!pg)
    g_assert_cmpuint (info.format_version, >=, 1);
  g_assert_cmpint (info.mode, ==, AG_LEDGER_MODE_LIVE);
  g_assert_cmpint (info.n_records, ==, N_CUSTOMERS);
  /* The database ledgers the fixture's import itself; the agent's role sees its own. */
  if (!pg)
    g_assert_cmpint (info.n_ledger_entries, ==, 0);
  n_before = info.n_ledger_entries;

  g_assert_true (ag_store_append_event (f->store, entry, &error));
  g_assert_no_error (error);
  g_assert_true (ag_store_get_info (f->store, &info, &error));
  g_assert_cmpint (info.n_ledger_entries, ==, n_before + 1);
}

/* A store records its mode when it is created and opens in no other, both ways. */
static void
test_mode_recorded (Fixture *f, gconstpointer data)
{
  g_autofree char *training_location = NULL;
  g_autoptr (AgStore) training = NULL;
  g_autoptr (AgStore) again = NULL;
  g_autoptr (GError) error = NULL;
  AgStoreInfo info;

  /* The fixture's store was created without AG_STORE_OPEN_TRAINING: live. */
  g_assert_cmpint (ag_store_get_mode (f->store), ==, AG_LEDGER_MODE_LIVE);
  g_assert_null (ag_store_open (f->location, AG_STORE_OPEN_TRAINING, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_MODE_MISMATCH);
  g_assert_nonnull (strstr (error->message, "is a live store"));
  g_assert_nonnull (strstr (error->message, "not in training mode"));
  g_clear_error (&error);
  /* Not even with CREATE: a store that is there is never made again in another mode. */
  g_assert_null (
    ag_store_open (f->location, AG_STORE_OPEN_TRAINING | AG_STORE_OPEN_CREATE, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_MODE_MISMATCH);
  g_clear_error (&error);

  training = open_other (f, "training", AG_STORE_OPEN_TRAINING, &training_location);
  g_assert_cmpint (ag_store_get_mode (training), ==, AG_LEDGER_MODE_TRAINING);
  g_assert_true (ag_store_get_info (training, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.mode, ==, AG_LEDGER_MODE_TRAINING);
  g_assert_cmpint (info.n_records, ==, 0);

  g_assert_null (ag_store_open (training_location, AG_STORE_OPEN_DEFAULT, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_MODE_MISMATCH);
  g_assert_nonnull (strstr (error->message, "is a training store"));
  g_assert_nonnull (strstr (error->message, "not in live mode"));
  g_clear_error (&error);
  again = ag_store_open (training_location, AG_STORE_OPEN_TRAINING, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ag_store_get_id (again), ==, ag_store_get_id (training));
  ag_keyring_delete_keys (ag_store_get_id (training), NULL, NULL);
}

/* A training store takes AgSynth's customers and nothing else. */
static void
test_mode_training_synthetic_only (Fixture *f, gconstpointer data)
{
  g_autofree char *location = NULL;
  g_autoptr (AgStore) training = NULL;
  g_autoptr (AgSynth) synth = ag_synth_new (SEED + 1);
  g_autoptr (GPtrArray) kept
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  g_autoptr (GError) error = NULL;
  AgTestSynthSource other = { synth, 5, kept };
  AgSynthSource source = { synth, 5 };
  g_autoptr (AgStore) again = NULL;

  training = open_other (f, "training", AG_STORE_OPEN_TRAINING, &location);

  /* Any other source is refused whole, even one that hands out synthetic customers. */
  g_assert_false (
    ag_store_import (training, ag_test_synth_source, &other, 5, NULL, NULL, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_SYNTHETIC);
  g_assert_nonnull (strstr (error->message, "training store"));
  g_clear_error (&error);
  g_assert_cmpuint (kept->len, ==, 0);
  g_assert_cmpint (ag_store_count (training, &error), ==, 0);

  g_assert_true (ag_store_import (training, ag_synth_source, &source, 5, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (ag_store_count (training, &error), ==, 5);

  /* It keeps its mode when opened again. */
  again = ag_store_open (location, AG_STORE_OPEN_TRAINING, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ag_store_get_mode (again), ==, AG_LEDGER_MODE_TRAINING);
  g_assert_cmpint (ag_store_count (again, &error), ==, 5);

  /* A live store takes any source, AgSynth's included. */
  source.remaining = 1;
  g_assert_true (ag_store_import (f->store, ag_synth_source, &source, 1, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  ag_keyring_delete_keys (ag_store_get_id (training), NULL, NULL);
}

/* Search --------------------------------------------------------------------------------- */

static void
test_search_name_prefix (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_NAME, 0);
  const char *name = customer->values[AG_PII_KIND_NAME];
  g_autofree char *first = g_strndup (name, strcspn (name, " "));
  g_autofree char *ascii = g_str_to_ascii (first, "C");
  g_autofree char *lower = g_utf8_strdown (ascii, -1);
  g_autofree char *upper = g_utf8_strup (first, -1);

  /* A word's start, without accents, in any case. */
  lower[MIN (strlen (lower), 3)] = '\0';
  assert_finds (f, lower, customer->id);
  assert_finds (f, upper, customer->id);
  assert_finds (f, first, customer->id);
}

static void
test_search_id (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_NAME, 5);
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;

  results = ag_store_search (f->store, customer->id, 0, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 1);
  g_assert_true (results_hold (results, customer->id));
}

/* CPF, CNPJ, phone and e-mail in their usual written forms; each search is ledgered. */
static void
test_search_identifiers (Fixture *f, gconstpointer data)
{
  const AgPiiKind kinds[]
    = { AG_PII_KIND_CPF, AG_PII_KIND_CNPJ, AG_PII_KIND_PHONE, AG_PII_KIND_EMAIL };
  AgLedgerFilter filter = { .user = "ana" };
  g_autoptr (GPtrArray) entries = NULL;
  guint searches = 0;

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      const AgCustomerData *customer = customer_with (f, kinds[k], 1);
      const char *value = customer->values[kinds[k]];
      g_autofree char *formatted = ag_pii_format (kinds[k], value);

      assert_finds (f, value, customer->id);
      assert_finds (f, formatted, customer->id);
      searches += 2;
      if (kinds[k] == AG_PII_KIND_EMAIL)
        {
          g_autofree char *upper = g_ascii_strup (value, -1);

          assert_finds (f, upper, customer->id);
          searches++;
        }
    }

  /* At least one `search` entry each, never holding the query. */
  entries = ledger (f, &filter);
  g_assert_cmpuint (entries->len, >=, searches);
  for (guint i = 0; i < entries->len; i++)
    {
      const AgLedgerEntry *entry = entries->pdata[i];

      g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_SEARCH);
      g_assert_true (g_str_has_prefix (entry->cause, "kinds="));
    }
}

static void
test_search_needs_access (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;

  results = ag_store_search (f->store, customer->values[AG_PII_KIND_CPF], 0, NULL, 0, NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
  g_assert_null (results);
  entries = ledger (f, NULL);
  g_assert_cmpuint (entries->len, ==, 0);
}

static void
test_get_record (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 2);
  g_autoptr (AgRecord) record = NULL;
  g_autoptr (GError) error = NULL;

  record = ag_store_get_record (f->store, customer->id, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ag_record_get_id (record), ==, customer->id);
  g_assert_cmpstr (ag_record_get_name (record), ==, customer->values[AG_PII_KIND_NAME]);
  g_clear_object (&record);

  record = ag_store_get_record (f->store, "no-such-customer", NULL, &error);
  g_assert_null (record);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND);
}

/* Import --------------------------------------------------------------------------------- */

typedef struct
{
  guint n;
} BadSource;

/* Three good customers, then one without a name. */
static gboolean
bad_source_cb (AgCustomerData *out, gpointer user_data, GError **error)
{
  BadSource *source = user_data;

  if (source->n == 4)
    return FALSE;
  out->id = g_strdup_printf ("IMPORT-%u", source->n);
  out->values[AG_PII_KIND_NAME] = source->n < 3 ? g_strdup ("Maria Sintética") : NULL;
  out->line = source->n + 2;
  source->n++;
  return TRUE;
}

static void
test_import_all_or_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) results = NULL;
  g_autoptr (AgStore) admin = open_admin (f, AG_STORE_OPEN_DEFAULT);
  BadSource source = { 0 };

  g_assert_false (ag_store_import (admin, bad_source_cb, &source, 4, NULL, NULL, NULL, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_INVALID_DATA);
  g_clear_error (&error);
  g_assert_cmpint (ag_store_count (f->store, &error), ==, N_CUSTOMERS);
  g_assert_no_error (error);
  results = ag_store_search (f->store, "IMPORT-0", 0, NULL, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 0);
}

/* Reveal --------------------------------------------------------------------------------- */

AgLedgerEntry *
reveal_entry (const AgCustomerData *customer, AgPiiKind kind, gint64 time_us)
{
  AgLedgerEntry *entry = new_entry (AG_LEDGER_EVENT_REVEAL, "ana", time_us);

  entry->record_id = g_strdup (customer->id);
  entry->field_kind = kind;
  entry->reason = g_strdup ("identity-check");
  entry->ticket = g_strdup ("CH-1");
  return entry;
}

static void
test_reveal_ledger_first (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  g_autoptr (AgLedgerEntry) entry = reveal_entry (customer, AG_PII_KIND_CPF, T0);
  g_autoptr (AgLedgerEntry) refused = reveal_entry (customer, AG_PII_KIND_CPF, T0 + 1);
  g_autoptr (AgSecret) value = NULL;
  g_autoptr (AgStore) failing = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  const AgLedgerEntry *last;
  gsize len = 0;
  const char *clear;

  value = ag_store_reveal (f->store, entry, 0, NULL, &error);
  g_assert_no_error (error);
  clear = (const char *) ag_secret_get_data (value, &len);
  g_assert_cmpmem (clear, len, customer->values[AG_PII_KIND_CPF],
                   strlen (customer->values[AG_PII_KIND_CPF]));
  entries = ledger (f, NULL);
  g_assert_cmpuint (entries->len, ==, 1);
  last = entries->pdata[0];
  g_assert_cmpint (last->event, ==, AG_LEDGER_EVENT_REVEAL);
  g_assert_cmpstr (last->record_id, ==, customer->id);
  g_assert_cmpint (last->field_kind, ==, AG_PII_KIND_CPF);
  g_assert_cmpuint (last->seq, ==, entry->seq);
  g_clear_pointer (&entries, g_ptr_array_unref);
  g_clear_pointer (&value, ag_secret_free);

  /* When the ledger cannot be written, no value. */
  g_clear_object (&f->store);
  failing = f->backend->open_failing (f->location);
  value = ag_store_reveal (failing, refused, 0, NULL, &error);
  f->backend->end_failing ();
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
  g_assert_null (value);
  g_clear_error (&error);
  g_clear_object (&failing);

  f->store = ag_store_open (f->location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  entries = ledger (f, NULL);
  g_assert_cmpuint (entries->len, ==, 1);
}

static void
test_reveal_quota (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_PHONE, 0);
  g_autoptr (AgLedgerEntry) first = reveal_entry (customer, AG_PII_KIND_PHONE, T0);
  g_autoptr (AgLedgerEntry) second = reveal_entry (customer, AG_PII_KIND_PHONE, T0 + 1);
  g_autoptr (AgLedgerEntry) later
    = reveal_entry (customer, AG_PII_KIND_PHONE, T0 + (gint64) 3601 * G_USEC_PER_SEC);
  g_autoptr (AgSecret) value = NULL;
  g_autoptr (GError) error = NULL;

  if (f->backend->set_reveal_quota != NULL)
    f->backend->set_reveal_quota (f->location, 1);
  value = ag_store_reveal (f->store, first, 1, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&value, ag_secret_free);
  value = ag_store_reveal (f->store, second, 1, NULL, &error);
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED);
  g_assert_null (value);
  g_clear_error (&error);
  if (f->backend->set_reveal_quota != NULL)
    {
      /* The database's clock, not the caller's: the hour cannot be skipped here. */
      g_test_message ("the hour's end is the server's clock: not tested");
      return;
    }
  /* An hour on, the reveal counts no more. */
  value = ag_store_reveal (f->store, later, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);
}

/* The ledger ----------------------------------------------------------------------------- */

/* Entries 1-6: ana and bruno, a day apart. */
static void
append_days (Fixture *f)
{
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr (AgLedgerEntry) entry
        = new_entry (i % 3 == 0 ? AG_LEDGER_EVENT_LOGIN : AG_LEDGER_EVENT_LOCK,
                     i % 2 ? "bruno" : "ana", T0 + (gint64) i * DAY_US);
      g_autoptr (GError) error = NULL;

      if (entry->event == AG_LEDGER_EVENT_LOCK)
        entry->cause = g_strdup ("idle");
      if (i == 4)
        entry->record_id = g_strdup (customer_with (f, AG_PII_KIND_NAME, 0)->id);
      g_assert_true (ag_store_append_event (f->store, entry, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (entry->seq, ==, i + 1);
    }
}

static void
test_ledger_iterate_verify (Fixture *f, gconstpointer data)
{
  AgLedgerFilter by_user = { .user = "bruno" };
  AgLedgerFilter by_record = { .record_id = customer_with (f, AG_PII_KIND_NAME, 0)->id };
  AgLedgerFilter by_time = { .since_us = T0 + DAY_US, .until_us = T0 + 3 * DAY_US };
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) bruno = NULL;
  g_autoptr (GPtrArray) record = NULL;
  g_autoptr (GPtrArray) days = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AgStore) auditor = NULL;
  /* A database that attributes and times entries itself: all six are the connected
   * agent's, written now. */
  gboolean database_clock = f->backend->set_reveal_quota != NULL;
  guint64 n = 0, bad = 0;

  if (database_clock)
    {
      by_time.since_us = g_get_real_time () - (gint64) 3600 * G_USEC_PER_SEC;
      by_time.until_us = 0;
    }
  append_days (f);
  all = ledger (f, NULL);
  g_assert_cmpuint (all->len, ==, 6);
  for (guint i = 0; i < all->len; i++)
    {
      const AgLedgerEntry *entry = all->pdata[i];

      g_assert_cmpuint (entry->seq, ==, i + 1);
      g_assert_cmpstr (entry->user, ==, database_clock ? "ana" : (i % 2 ? "bruno" : "ana"));
    }
  bruno = ledger (f, &by_user);
  g_assert_cmpuint (bruno->len, ==, database_clock ? 0 : 3);
  record = ledger (f, &by_record);
  g_assert_cmpuint (record->len, ==, 1);
  g_assert_cmpuint (((AgLedgerEntry *) record->pdata[0])->seq, ==, 5);
  days = ledger (f, &by_time);
  g_assert_cmpuint (days->len, ==, database_clock ? 6 : 2);

  auditor = open_auditor (f);
  g_assert_true (ag_store_verify_ledger (auditor, &n, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 6);
}

/* The seqs of @filter's entries, as "1,2,3". */
static char *
seqs (Fixture *f, const AgLedgerFilter *filter)
{
  g_autoptr (GPtrArray) entries = ledger (f, filter);
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint i = 0; i < entries->len; i++)
    g_string_append_printf (text, "%s%" G_GUINT64_FORMAT, i > 0 ? "," : "",
                            ((AgLedgerEntry *) entries->pdata[i])->seq);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

#define ASSERT_SEQS(f, filter, expected)          \
  G_STMT_START                                    \
  {                                               \
    g_autofree char *got_ = seqs ((f), (filter)); \
    g_assert_cmpstr (got_, ==, (expected));       \
  }                                               \
  G_STMT_END

/* The supervisor console's filters and pages: every member alone and together, the same
 * answer from every backend. */
static void
test_ledger_console_filters (Fixture *f, gconstpointer data)
{
  const char *id = customer_with (f, AG_PII_KIND_NAME, 0)->id;
  const char *const team[] = { "ana", "carla", NULL };
  const char *const nobody[] = { NULL };
  const struct
  {
    AgLedgerEvent event;
    const char *user;
    int kind;
    const char *reason;
    const char *ticket;
  } rows[] = {
    /* 1 */ { AG_LEDGER_EVENT_LOGIN, "ana", AG_LEDGER_NO_FIELD, NULL, NULL },
    /* 2 */ { AG_LEDGER_EVENT_REVEAL, "ana", AG_PII_KIND_CPF, "identity-check", "T-100" },
    /* 3 */ { AG_LEDGER_EVENT_REVEAL, "bruno", AG_PII_KIND_PHONE, "callback", "CALL-7" },
    /* 4 */ { AG_LEDGER_EVENT_REVEAL_DENIED, "bruno", AG_PII_KIND_CARD_NUMBER, "payment", NULL },
    /* 5 */ { AG_LEDGER_EVENT_REVEAL, "carla", AG_PII_KIND_CARD_NUMBER, "payment", "t-101" },
    /* 6 */ { AG_LEDGER_EVENT_LOCK, "carla", AG_LEDGER_NO_FIELD, NULL, NULL },
    /* 7 */ { AG_LEDGER_EVENT_REVEAL, "ana", AG_PII_KIND_EMAIL, "callback", NULL },
  };
  AgLedgerFilter filter;

  if (f->backend->set_reveal_quota != NULL)
    {
      /* A database that attributes, times and numbers entries itself (per agent's chain)
       * takes no client-made reveal rows, and its sequence numbers are not one order. */
      g_test_skip ("the database ledgers reveals itself and numbers entries per agent");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (AgLedgerEntry) entry = new_entry (rows[i].event, rows[i].user, T0 + i * 60);
      g_autoptr (GError) error = NULL;

      entry->field_kind = rows[i].kind;
      if (rows[i].kind != AG_LEDGER_NO_FIELD)
        entry->record_id = g_strdup (id);
      entry->reason = g_strdup (rows[i].reason);
      entry->ticket = g_strdup (rows[i].ticket);
      if (rows[i].event == AG_LEDGER_EVENT_LOCK)
        entry->cause = g_strdup ("idle");
      g_assert_true (ag_store_append_event (f->store, entry, &error));
      g_assert_no_error (error);
    }

  filter = (AgLedgerFilter){ .events = 1u << AG_LEDGER_EVENT_REVEAL };
  ASSERT_SEQS (f, &filter, "2,3,5,7");
  filter.events |= 1u << AG_LEDGER_EVENT_REVEAL_DENIED;
  ASSERT_SEQS (f, &filter, "2,3,4,5,7");

  filter = (AgLedgerFilter){ .field_kinds = 1u << AG_PII_KIND_CARD_NUMBER };
  ASSERT_SEQS (f, &filter, "4,5");
  filter.field_kinds |= 1u << AG_PII_KIND_CPF;
  ASSERT_SEQS (f, &filter, "2,4,5");

  filter = (AgLedgerFilter){ .reason = "callback" };
  ASSERT_SEQS (f, &filter, "3,7");

  /* In the user, the reason or the ticket, ASCII case ignored. */
  filter = (AgLedgerFilter){ .text = "T-10" };
  ASSERT_SEQS (f, &filter, "2,5");
  filter = (AgLedgerFilter){ .text = "CALL" };
  ASSERT_SEQS (f, &filter, "3,7");
  filter = (AgLedgerFilter){ .text = "BRU" };
  ASSERT_SEQS (f, &filter, "3,4");

  filter = (AgLedgerFilter){ .users = team };
  ASSERT_SEQS (f, &filter, "1,2,5,6,7");
  filter = (AgLedgerFilter){ .users = nobody };
  ASSERT_SEQS (f, &filter, "");
  filter = (AgLedgerFilter){ .users = team, .user = "carla" };
  ASSERT_SEQS (f, &filter, "5,6");

  /* Together: the team's card reveals and denials for payments. */
  filter = (AgLedgerFilter){
    .users = team,
    .events = (1u << AG_LEDGER_EVENT_REVEAL) | (1u << AG_LEDGER_EVENT_REVEAL_DENIED),
    .field_kinds = 1u << AG_PII_KIND_CARD_NUMBER,
    .reason = "payment",
  };
  ASSERT_SEQS (f, &filter, "5");

  /* Pages, newest first, as the ledger page reads them. */
  filter = (AgLedgerFilter){ .newest_first = TRUE, .limit = 3 };
  ASSERT_SEQS (f, &filter, "7,6,5");
  filter.before_seq = 5;
  ASSERT_SEQS (f, &filter, "4,3,2");
  filter.before_seq = 2;
  ASSERT_SEQS (f, &filter, "1");
  filter = (AgLedgerFilter){ .after_seq = 5 };
  ASSERT_SEQS (f, &filter, "6,7");
  /* A limit counts matching entries only. */
  filter = (AgLedgerFilter){
    .events = 1u << AG_LEDGER_EVENT_REVEAL, .limit = 2, .newest_first = TRUE, .before_seq = 7
  };
  ASSERT_SEQS (f, &filter, "5,3");
}

static void
test_ledger_prune (Fixture *f, gconstpointer data)
{
  g_autoptr (AgLedgerEntry) record = new_entry (AG_LEDGER_EVENT_PRUNE, "auditor", 0);
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GError) error = NULL;
  const AgLedgerEntry *last;
  guint64 n_pruned = 0, n = 0;

  if (f->backend->set_reveal_quota != NULL)
    {
      /* Insert-only for every role: retention is the database administrator's. */
      g_assert_false (ag_store_prune_ledger (f->store, 1, record, &n_pruned, &error));
      g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_FAILED);
      return;
    }
  /* Entries from March 2025 are older than a day. */
  append_days (f);
  g_assert_true (ag_store_prune_ledger (f->store, 1, record, &n_pruned, &error));
  g_assert_no_error (error);
  /* The newest entry stays. */
  g_assert_cmpuint (n_pruned, ==, 5);
  entries = ledger (f, NULL);
  g_assert_cmpuint (entries->len, ==, 2);
  last = entries->pdata[1];
  g_assert_cmpint (last->event, ==, AG_LEDGER_EVENT_PRUNE);
  g_assert_cmpstr (last->cause, ==, "range=1..5 retention-days=1 removed=5");
  g_assert_true (ag_store_verify_ledger (f->store, &n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 2);
}

static void
test_ledger_tamper (Fixture *f, gconstpointer data)
{
  g_autoptr (AgStore) auditor = NULL;
  g_autoptr (GError) error = NULL;
  guint64 bad = 0;

  append_days (f);
  g_clear_object (&f->store);
  f->backend->tamper_entry (f->location, 2);
  f->store = ag_store_open (f->location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  auditor = open_auditor (f);
  g_assert_false (ag_store_verify_ledger (auditor, NULL, &bad, &error));
  g_assert_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED);
  g_assert_cmpuint (bad, ==, 2);
}

int
main (int argc, char **argv)
{
  /* Under pg-fixture.sh, the PostgreSQL backend (test-store-pg); otherwise the embedded
   * one, with a keyring (test-store). */
  gboolean pg = g_getenv ("AG_PG_FIXTURE_DIR") != NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  ag_backends_register ();

  for (guint b = 0; b < G_N_ELEMENTS (backends); b++)
    {
      if (pg != g_str_equal (backends[b].name, "pg"))
        continue;
#define ADD(case_path, func)                                                                 \
  do                                                                                         \
    {                                                                                        \
      g_autofree char *path = g_strdup_printf ("/store/%s/%s", backends[b].name, case_path); \
      g_test_add (path, Fixture, &backends[b], fixture_set_up, func, fixture_tear_down);     \
    }                                                                                        \
  while (0)

      ADD ("open", test_open);
      ADD ("info", test_info);
      /* A floor's database is live only: training stores are embedded (issue 16). */
      if (!pg)
        {
          ADD ("mode/recorded", test_mode_recorded);
          ADD ("mode/training-synthetic-only", test_mode_training_synthetic_only);
        }
      ADD ("search/name-prefix", test_search_name_prefix);
      ADD ("search/id", test_search_id);
      ADD ("search/identifiers", test_search_identifiers);
      ADD ("search/needs-access", test_search_needs_access);
      ADD ("get-record", test_get_record);
      ADD ("import/all-or-nothing", test_import_all_or_nothing);
      ADD ("reveal/ledger-first", test_reveal_ledger_first);
      ADD ("reveal/quota", test_reveal_quota);
      ADD ("ledger/iterate-verify", test_ledger_iterate_verify);
      ADD ("ledger/console-filters", test_ledger_console_filters);
      ADD ("ledger/prune", test_ledger_prune);
      ADD ("ledger/tamper", test_ledger_tamper);
      if (pg)
        {
          ADD ("self-check", ag_test_store_pg_self_check);
          ADD ("reconnect", ag_test_store_pg_reconnect);
          ADD ("policy-notify", ag_test_store_pg_policy_notify);
        }
#undef ADD
    }
  if (!pg)
    g_test_add_func ("/store/sqlite/mode/unrecorded-is-live", test_sqlite_mode_unrecorded_is_live);

  return g_test_run ();
}
