/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <sqlite3.h>

#include "ag-backends.h"
#include "ag-test-store.h"

void
ag_test_customer_data_free (AgCustomerData *data)
{
  ag_customer_data_clear (data);
  g_free (data);
}

gboolean
ag_test_synth_source (AgCustomerData *out, gpointer user_data, GError **error)
{
  AgTestSynthSource *source = user_data;
  AgCustomerData *copy;

  if (source->left == 0)
    return FALSE;
  source->left--;

  ag_synth_next (source->synth, out);
  copy = g_new0 (AgCustomerData, 1);
  copy->id = g_strdup (out->id);
  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    copy->values[i] = g_strdup (out->values[i]);
  g_ptr_array_add (source->kept, copy);

  return TRUE;
}

char *
ag_test_make_store (const char *path, guint64 seed, guint n, GPtrArray *kept)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (AgSynth) synth = ag_synth_new (seed);
  AgTestSynthSource source = { synth, n, kept };
  gboolean ok;

  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_CREATE, NULL, &error);
  g_assert_no_error (error);
  ok = ag_store_import (AG_STORE (store), ag_test_synth_source, &source, n, NULL, NULL, NULL,
                        &error);
  g_assert_no_error (error);
  g_assert_true (ok);

  return g_strdup (ag_sqlite_store_get_store_id (store));
}

AgLedgerEntry *
ag_test_search_access (const char *user)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (AG_LEDGER_EVENT_SEARCH);

  entry->user = g_strdup (user != NULL ? user : "agtest");
  entry->host = g_strdup ("test-host");
  entry->session_id = g_strdup ("test-session");
  return entry;
}

gboolean
ag_test_collect_entry_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  g_ptr_array_add (user_data, ag_ledger_entry_copy (entry));
  return TRUE;
}

GPtrArray *
ag_test_store_entries (AgStore *store, const AgLedgerFilter *filter)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);

  g_assert_true (ag_store_foreach_event (store, filter, ag_test_collect_entry_cb, entries, &error));
  g_assert_no_error (error);
  return entries;
}

GPtrArray *
ag_test_entries_at (const char *location, const AgLedgerFilter *filter)
{
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;

  ag_backends_register ();
  store = ag_store_open (location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  return ag_test_store_entries (store, filter);
}

const AgCustomerData *
ag_test_customer_with (GPtrArray *customers, AgPiiKind kind, guint n)
{
  for (guint i = 0; i < customers->len; i++)
    {
      const AgCustomerData *customer = customers->pdata[i];

      if (customer->values[kind] != NULL && n-- == 0)
        return customer;
    }
  g_error ("no customer %u with a %s", n, ag_pii_kind_to_string (kind));
}

void
ag_test_store_roll_back (const char *path)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  sqlite3 *db = NULL;

  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_LOGIN);

      entry->user = g_strdup (g_get_user_name ());
      entry->host = g_strdup ("pa-07");
      entry->session_id = g_strdup ("earlier");
      g_assert_true (ag_sqlite_store_append_event (store, entry, &error));
      g_assert_no_error (error);
    }
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "DROP TRIGGER ledger_no_delete;"
                                 " DELETE FROM ledger WHERE seq = (SELECT MAX (seq) FROM ledger)",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
}
