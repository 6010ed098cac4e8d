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

void
ag_test_customer_data_free (AgCustomerData *data);

/* An AgCustomerSourceFunc handing out @left customers of @synth and keeping a copy of
 * each in @kept (AgCustomerData*, freed with ag_test_customer_data_free()). */
typedef struct
{
  AgSynth *synth;
  guint left;
  GPtrArray *kept;
} AgTestSynthSource;

gboolean
ag_test_synth_source (AgCustomerData *out, gpointer user_data, GError **error);

/* Creates a store at @path with @n synthetic customers of @seed, keeps a clear copy of
 * each in @kept, and returns the store's id (to delete its keys when the test ends). */
char *
ag_test_make_store (const char *path, guint64 seed, guint n, GPtrArray *kept);

/* The template of the ledger entries of a test's searches by an identifier (a CPF, say):
 * the store refuses them without one. */
AgLedgerEntry *
ag_test_search_access (const char *user);

/* An AgLedgerEntryFunc that adds a copy of each entry to the GPtrArray @user_data. */
gboolean
ag_test_collect_entry_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error);
/* The entries of @store matching @filter (nullable), as copies, in sequence order. */
GPtrArray *
ag_test_store_entries (AgStore *store, const AgLedgerFilter *filter);
/* The same, opening the store at @location for it. */
GPtrArray *
ag_test_entries_at (const char *location, const AgLedgerFilter *filter);

/* Gives the SQLite store at @path two `login` entries, then cuts the newest off its
 * ledger: a store rolled back behind the head recorded in the Secret Service. */
void
ag_test_store_roll_back (const char *path);

/* The @n-th customer (0-based) of @customers (AgCustomerData*) that has a value of @kind. */
const AgCustomerData *
ag_test_customer_with (GPtrArray *customers, AgPiiKind kind, guint n);
