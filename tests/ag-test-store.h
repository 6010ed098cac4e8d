/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For tests with a store (core and UI alike): filling a test store with synthetic
 * customers whose clear values the test keeps to look for leaks and to compare reveals.
 */

#pragma once

#include "ag-customer.h"
#include "ag-sqlite-store.h"
#include "ag-synth.h"

static inline void
ag_test_customer_data_free (AgCustomerData *data)
{
  ag_customer_data_clear (data);
  g_free (data);
}

/* An AgCustomerSourceFunc handing out @left customers of @synth and keeping a copy of
 * each in @kept (AgCustomerData*, freed with ag_test_customer_data_free()). */
typedef struct
{
  AgSynth *synth;
  guint left;
  GPtrArray *kept;
} AgTestSynthSource;

static inline gboolean
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

/* Creates a store at @path with @n synthetic customers of @seed, keeps a clear copy of
 * each in @kept, and returns the store's id (to delete its keys when the test ends). */
static inline char *
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

/* The template of the ledger entries of a test's searches by an identifier (a CPF, say):
 * the store refuses them without one. */
static inline AgLedgerEntry *
ag_test_search_access (const char *user)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (AG_LEDGER_EVENT_SEARCH);

  entry->user = g_strdup (user != NULL ? user : "agtest");
  entry->host = g_strdup ("test-host");
  entry->session_id = g_strdup ("test-session");
  return entry;
}
