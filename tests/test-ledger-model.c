/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The console's paged ledger model over a real store: the newest page first, the next
 * page read when a view asks for an item near the end of what is loaded, complete at the
 * oldest entry, a new filter starting again (and a late page of the old one dropped),
 * and items-changed telling a view exactly what was added or removed. Synthetic agents.
 */

#include "config.h"

#include "ag-backends.h"
#include "ag-keyring.h"
#include "ag-ledger-model.h"
#include "ag-test-guard.h"
#include "ag-test-util.h"

#define N_ENTRIES 250
#define PAGE      100
#define T0        (G_GINT64_CONSTANT (1796630400) * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  AgStore *store;
  guint added;
  guint removed;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("ag-ledger-model-XXXXXX", NULL);
  path = g_build_filename (f->dir, "store.db", NULL);
  f->store = ag_store_open (path, AG_STORE_OPEN_CREATE, NULL, &error);
  g_assert_no_error (error);

  /* Entry N is ana's when N is odd, bruno's when even; every fifth a reveal. */
  for (guint i = 1; i <= N_ENTRIES; i++)
    {
      g_autoptr (AgLedgerEntry) entry
        = ag_ledger_entry_new (i % 5 == 0 ? AG_LEDGER_EVENT_REVEAL : AG_LEDGER_EVENT_LOGIN);

      entry->time_us = T0 + i;
      entry->user = g_strdup (i % 2 ? "ana" : "bruno");
      entry->host = g_strdup ("ws-07");
      entry->session_id = g_strdup ("session-model");
      if (entry->event == AG_LEDGER_EVENT_REVEAL)
        {
          entry->record_id = g_strdup ("C-000001");
          entry->field_kind = 1;
          entry->reason = g_strdup ("callback");
        }
      g_assert_true (ag_store_append_event (f->store, entry, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *store_id = g_strdup (ag_store_get_id (f->store));

  g_clear_object (&f->store);
  ag_keyring_delete_keys (store_id, NULL, NULL);
  ag_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
items_changed_cb (GListModel *model, guint position, guint removed, guint added, Fixture *f)
{
  f->added += added;
  f->removed += removed;
}

static guint64
seq_at (AgLedgerModel *model, guint position)
{
  g_autoptr (AgLedgerItem) item = g_list_model_get_item (G_LIST_MODEL (model), position);

  return ag_ledger_item_get_seq (item);
}

static void
test_pages (Fixture *f, gconstpointer data)
{
  g_autoptr (AgLedgerModel) model = ag_ledger_model_new (f->store, NULL, PAGE);

  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), f);
  g_assert_true (ag_ledger_model_get_loading (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  AG_TEST_WAIT_UNTIL (!ag_ledger_model_get_loading (model));

  /* The newest page, newest first. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, PAGE);
  g_assert_cmpuint (f->added, ==, PAGE);
  g_assert_false (ag_ledger_model_get_complete (model));
  g_assert_cmpuint (seq_at (model, 0), ==, N_ENTRIES);

  /* Asking for an item in the first half of the page reads nothing more... */
  g_assert_cmpuint (seq_at (model, 10), ==, N_ENTRIES - 10);
  g_assert_false (ag_ledger_model_get_loading (model));
  /* ...near its end, the next page. */
  g_assert_cmpuint (seq_at (model, PAGE - 1), ==, N_ENTRIES - PAGE + 1);
  g_assert_true (ag_ledger_model_get_loading (model));
  AG_TEST_WAIT_UNTIL (!ag_ledger_model_get_loading (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 2 * PAGE);
  g_assert_cmpuint (seq_at (model, PAGE), ==, N_ENTRIES - PAGE);

  /* The last page is short: complete, with every entry once, in order. */
  ag_ledger_model_load_more (model);
  AG_TEST_WAIT_UNTIL (!ag_ledger_model_get_loading (model));
  g_assert_true (ag_ledger_model_get_complete (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, N_ENTRIES);
  for (guint i = 0; i < N_ENTRIES; i++)
    g_assert_cmpuint (seq_at (model, i), ==, N_ENTRIES - i);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), N_ENTRIES));
  ag_ledger_model_load_more (model);
  g_assert_false (ag_ledger_model_get_loading (model));
  g_assert_null (ag_ledger_model_get_error (model));
  g_assert_cmpuint (f->added, ==, N_ENTRIES);
}

static void
test_filter (Fixture *f, gconstpointer data)
{
  AgLedgerFilter reveals = { .events = 1u << AG_LEDGER_EVENT_REVEAL, .user = "bruno" };
  AgLedgerFilter ana = { .user = "ana" };
  g_autoptr (AgLedgerModel) model = ag_ledger_model_new (f->store, &ana, PAGE);

  g_signal_connect (model, "items-changed", G_CALLBACK (items_changed_cb), f);
  /* A new filter before the first page arrived: that page is dropped. */
  ag_ledger_model_set_filter (model, &reveals);
  AG_TEST_WAIT_UNTIL (!ag_ledger_model_get_loading (model));

  /* bruno's reveals are the entries divisible by 10: 25 of them, one short page. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 25);
  g_assert_cmpuint (f->added, ==, 25);
  g_assert_cmpuint (f->removed, ==, 0);
  g_assert_true (ag_ledger_model_get_complete (model));
  for (guint i = 0; i < 25; i++)
    g_assert_cmpuint (seq_at (model, i), ==, N_ENTRIES - 10 * i);
  g_assert_cmpstr (ag_ledger_model_get_filter (model)->user, ==, "bruno");

  /* And back to ana's: everything removed, then her newest page. */
  ag_ledger_model_set_filter (model, &ana);
  g_assert_cmpuint (f->removed, ==, 25);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_false (ag_ledger_model_get_complete (model));
  AG_TEST_WAIT_UNTIL (!ag_ledger_model_get_loading (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, PAGE);
  g_assert_cmpuint (seq_at (model, 0), ==, N_ENTRIES - 1);
  g_assert_cmpuint (seq_at (model, 1), ==, N_ENTRIES - 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ag_backends_register ();

  g_test_add ("/ledger-model/pages", Fixture, NULL, fixture_set_up, test_pages, fixture_tear_down);
  g_test_add ("/ledger-model/filter", Fixture, NULL, fixture_set_up, test_filter,
              fixture_tear_down);

  return g_test_run ();
}
