/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* The supervisor console's ledger reads (issue 15) on a store whose ledger holds COUNT
 * entries (default 1,000,000; 200 agents, reveals, denials and re-masks of six field
 * kinds): the first page of the ledger model (open → rows there), a filter change → its
 * first page, RUNS times for each kind of filter (p50/p99), and the process's peak RSS
 * after it all, beside the RSS before the model existed. Through AgStore and
 * AgLedgerModel, as the console reads; the main loop runs as in the app.
 *   bench-console [COUNT [RUNS]]   (run it through tests/run-test.sh --keyring) */

#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "ag-bench-util.h"
#include "ag-backends.h"
#include "ag-keyring.h"
#include "ag-ledger-model.h"
#include "ag-sqlite-ledger.h"
#include "ag-test-util.h"

#define FILL_BATCH 20000
#define T0_US      G_GINT64_CONSTANT (1795392000000000)

static void
die (const char *what)
{
  fprintf (stderr, "bench-console: %s\n", what);
  exit (EXIT_FAILURE);
}

static void
exec_or_die (sqlite3 *db, const char *sql)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die (sqlite3_errmsg (db));
}

static AgLedgerEntry *
make_entry (guint64 i)
{
  /* Mostly reveals and re-masks; one in fifty a denial. */
  AgLedgerEvent event = i % 50 == 0 ? AG_LEDGER_EVENT_REVEAL_DENIED
                        : i % 2     ? AG_LEDGER_EVENT_REVEAL
                                    : AG_LEDGER_EVENT_REMASK;
  AgLedgerEntry *entry = ag_ledger_entry_new (event);

  entry->time_us = T0_US + (gint64) i * 1000;
  entry->user = g_strdup_printf ("agent%03u", (guint) (i % 200));
  entry->host = g_strdup ("ws-floor2-017");
  entry->session_id = g_strdup ("5b0e8c1e-3f7a-4a53-9d0e-1f1b8f7d2c44");
  entry->record_id = g_strdup_printf ("A1B2C3-%07" G_GUINT64_FORMAT, i % 100000);
  entry->field_kind = 1 + (int) (i % 6);
  entry->reason = g_strdup (i % 3 ? "identity-check" : "payment");
  entry->ticket = g_strdup_printf ("INC-%06" G_GUINT64_FORMAT, i % 999999);
  entry->policy_version = g_strdup ("2026-11-20.3");
  if (event == AG_LEDGER_EVENT_REMASK)
    entry->cause = g_strdup ("expired");
  if (event == AG_LEDGER_EVENT_REVEAL_DENIED)
    entry->cause = g_strdup ("quota");
  return entry;
}

/* Writes @count entries into the ledger of the store at @path, chained and MACed with
 * the store's own key, in large transactions (appending one by one, durably, would take
 * hours): the store then opens with a ledger ahead of its recorded head, as after many
 * reveals. */
static void
fill_ledger (const char *path, const char *store_id, guint64 count)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) key = NULL;
  g_autoptr (AgLedger) ledger = NULL;
  sqlite3 *db = NULL;

  key = ag_keyring_get_key (store_id, AG_KEY_PURPOSE_LEDGER_MAC, FALSE, NULL, &error);
  if (key == NULL)
    die (error->message);
  ledger = ag_ledger_new (key);
  if (sqlite3_open (path, &db) != SQLITE_OK)
    die (sqlite3_errmsg (db));
  exec_or_die (db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF;");
  if (!ag_sqlite_ledger_ensure_schema (db, &error))
    die (error->message);
  for (guint64 i = 0; i < count; i++)
    {
      g_autoptr (AgLedgerEntry) entry = make_entry (i);

      if (i % FILL_BATCH == 0)
        exec_or_die (db, "BEGIN IMMEDIATE");
      if (!ag_sqlite_ledger_append (ledger, db, entry, &error))
        die (error->message);
      if (i % FILL_BATCH == FILL_BATCH - 1 || i == count - 1)
        exec_or_die (db, "COMMIT");
    }
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close (db);
}

static glong
max_rss_kb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

static void
wait_for_page (AgLedgerModel *model)
{
  while (ag_ledger_model_get_loading (model))
    g_main_context_iteration (NULL, TRUE);
  if (ag_ledger_model_get_error (model) != NULL)
    die (ag_ledger_model_get_error (model)->message);
}

int
main (int argc, char **argv)
{
  guint64 count = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 1000000;
  guint runs = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 20;
  g_autofree char *dir = g_dir_make_tmp ("ag-bench-console-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree char *store_id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgLedgerModel) model = NULL;
  g_autoptr (GArray) first = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *const team[] = { "agent001", "agent002", "agent003", "agent004", NULL };
  const struct
  {
    const char *name;
    AgLedgerFilter filter;
  } filters[] = {
    { "agent", { .user = "agent042" } },
    { "team (4 agents)", { .users = team } },
    { "event reveal-denied", { .events = 1u << AG_LEDGER_EVENT_REVEAL_DENIED } },
    { "field kind", { .field_kinds = 1u << 3 } },
    { "reason", { .reason = "payment" } },
    { "record id", { .record_id = "A1B2C3-0004242" } },
    { "time range", { .since_us = T0_US + (gint64) (count - 86400) * 1000 } },
    { "text (ticket, sparse)", { .text = "INC-00424" } },
  };
  glong rss_before;

  ag_backends_register ();
  if (count < 86400)
    die ("COUNT must be at least 86400");

  store = ag_store_open (path, AG_STORE_OPEN_CREATE, NULL, &error);
  if (store == NULL)
    die (error->message);
  store_id = g_strdup (ag_store_get_id (store));
  g_clear_object (&store);
  printf ("filling a ledger of %" G_GUINT64_FORMAT " entries…\n", count);
  fflush (stdout);
  fill_ledger (path, store_id, count);

  store = ag_store_open (path, AG_STORE_OPEN_DEFAULT, NULL, &error);
  if (store == NULL)
    die (error->message);
  rss_before = max_rss_kb ();

  for (guint r = 0; r < runs; r++)
    {
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;

      g_clear_object (&model);
      model = ag_ledger_model_new (store, NULL, AG_LEDGER_MODEL_PAGE_SIZE);
      wait_for_page (model);
      elapsed = g_get_monotonic_time () - start;
      g_array_append_val (first, elapsed);
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (model)) != AG_LEDGER_MODEL_PAGE_SIZE)
    die ("the first page is not full");
  printf ("%u entries a page, %u runs each, (p50/p99 in ms)\n", AG_LEDGER_MODEL_PAGE_SIZE, runs);
  ag_bench_print_percentiles ("open → first page", first);

  for (guint f = 0; f < G_N_ELEMENTS (filters); f++)
    {
      g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_autofree char *label = NULL;

      for (guint r = 0; r < runs; r++)
        {
          gint64 start;
          gint64 elapsed;

          /* From the unfiltered view to the filter, as a supervisor changes it. */
          ag_ledger_model_set_filter (model, NULL);
          wait_for_page (model);
          start = g_get_monotonic_time ();
          ag_ledger_model_set_filter (model, &filters[f].filter);
          wait_for_page (model);
          elapsed = g_get_monotonic_time () - start;
          g_array_append_val (samples, elapsed);
        }
      label = g_strdup_printf ("filter %s → page (%u rows)", filters[f].name,
                               g_list_model_get_n_items (G_LIST_MODEL (model)));
      ag_bench_print_percentiles (label, samples);
    }

  printf ("peak RSS: %ld KiB with the store open, %ld KiB after every read\n", rss_before,
          max_rss_kb ());

  g_clear_object (&model);
  g_clear_object (&store);
  ag_keyring_delete_keys (store_id, NULL, NULL);
  ag_test_remove_tree (dir);
  return EXIT_SUCCESS;
}
