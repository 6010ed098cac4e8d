/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag-bench-util.h"
#include "ag-keyring.h"
#include "ag-test-store.h"

/* Reveal latency (issue 4): request → value available, on the SQLite store (WAL,
 * synchronous=FULL), through ag_store_reveal() and through ag_store_reveal_async() (as
 * AgGuard calls it: a GTask thread and back to the main loop), beside a bare write +
 * fdatasync of the bytes one reveal adds to the WAL, in the same directory (the physical
 * floor), the three interleaved, with the store's checkpoints between iterations. Targets: p99 ≤ 16
 * ms and within 1.5× the floor's p99. bench-reveal [REVEALS [CUSTOMERS [DIR]]]   (defaults 5000,
 * 1000, the working dir) Needs the Secret Service: run it under tests/run-test.sh --keyring (meson
 * does). */

#define WARM_UP 20

static AgLedgerEntry *
make_entry (const AgCustomerData *customer)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (AG_LEDGER_EVENT_REVEAL);

  entry->user = g_strdup ("agent017");
  entry->host = g_strdup ("ws-floor2-017");
  entry->session_id = g_strdup ("5b0e8c1e-3f7a-4a53-9d0e-1f1b8f7d2c44");
  entry->record_id = g_strdup (customer->id);
  entry->field_kind = AG_PII_KIND_CPF;
  entry->reason = g_strdup ("identity-check");
  entry->ticket = g_strdup ("INC-004711");
  entry->policy_version = g_strdup ("2026-11-20.3");
  return entry;
}

static void
die (const char *what, const GError *error)
{
  fprintf (stderr, "bench-reveal: %s%s%s\n", what, error != NULL ? ": " : "",
           error != NULL ? error->message : "");
  exit (EXIT_FAILURE);
}

static void
reveal_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) value = ag_store_reveal_finish (AG_STORE (source), result, NULL, &error);

  if (value == NULL)
    die ("reveal failed", error);
  *(gboolean *) user_data = TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) customers
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  g_autoptr (GArray) sync_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) async_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) floor_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  AgBenchFloor *floor;
  g_autoptr (AgSqliteStore) store = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *path = NULL;
  g_autofree char *wal = NULL;
  g_autofree char *store_id = NULL;
  guint reveals = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 5000;
  guint n_customers = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 1000;
  const char *dir = argc > 3 ? argv[3] : NULL;
  const char *pause_env = g_getenv ("AG_BENCH_PAUSE_MS");
  gulong pause_us = pause_env != NULL ? (gulong) g_ascii_strtoull (pause_env, NULL, 10) * 1000 : 0;
  gint64 wal_before, bytes_per_reveal, p99_sync, p99_async, p99_floor;

  if (reveals == 0 || n_customers == 0)
    {
      fprintf (stderr, "usage: bench-reveal [REVEALS [CUSTOMERS [DIR]]]\n");
      return EXIT_FAILURE;
    }
  if (dir == NULL)
    {
      /* In the working directory (the build directory under meson): a real disk. */
      tmp = g_strdup ("bench-reveal-XXXXXX");
      if (g_mkdtemp (tmp) == NULL)
        die ("cannot make a directory in the working directory", NULL);
      dir = tmp;
    }
  path = g_build_filename (dir, "reveal.db", NULL);
  wal = g_strconcat (path, "-wal", NULL);

  store_id = ag_test_make_store (path, 4711, n_customers, customers);
  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  if (store == NULL)
    die ("cannot open the store", error);

  /* The bytes one reveal adds to the WAL, far from any checkpoint. */
  wal_before = ag_bench_file_size (wal);
  for (guint i = 0; i < WARM_UP; i++)
    {
      g_autoptr (AgLedgerEntry) entry = make_entry (customers->pdata[i % customers->len]);
      g_autoptr (AgSecret) value = ag_store_reveal (AG_STORE (store), entry, 0, NULL, &error);

      if (value == NULL)
        die ("reveal failed", error);
    }
  bytes_per_reveal = MAX ((ag_bench_file_size (wal) - wal_before) / WARM_UP, 1);

  /* Interleaved, so that the three see the same disk at the same moments: a floor sample,
   * a blocking reveal, a reveal as the UI gets it (a GTask thread, the value back on the
   * main loop). Checkpoints are included as they come. */
  floor = ag_bench_floor_new (dir, bytes_per_reveal);
  if (floor == NULL)
    die ("cannot make the floor's file", NULL);
  for (guint i = 0; i < reveals; i++)
    {
      gint64 sample = ag_bench_floor_sample (floor);

      if (sample < 0)
        die ("write + fdatasync failed", NULL);
      g_array_append_val (floor_samples, sample);

      {
        g_autoptr (AgLedgerEntry) entry
          = make_entry (customers->pdata[g_random_int_range (0, customers->len)]);
        gint64 start = g_get_monotonic_time ();
        g_autoptr (AgSecret) value
          = ag_store_reveal (AG_STORE (store), entry, 1000000, NULL, &error);

        if (value == NULL)
          die ("reveal failed", error);
        g_array_append_val (sync_samples, (gint64){ g_get_monotonic_time () - start });
      }
      /* See below. */
      ag_store_maintain (AG_STORE (store));
      if (pause_us > 0)
        g_usleep (pause_us);
      {
        g_autoptr (AgLedgerEntry) entry
          = make_entry (customers->pdata[g_random_int_range (0, customers->len)]);
        gint64 start = g_get_monotonic_time ();
        gboolean done = FALSE;

        ag_store_reveal_async (AG_STORE (store), entry, 1000000, NULL, reveal_done_cb, &done);
        while (!done)
          g_main_context_iteration (NULL, TRUE);
        g_array_append_val (async_samples, (gint64){ g_get_monotonic_time () - start });
      }
      /* The store checkpoints in the background after a reveal crossed the mark; an agent
       * reveals seconds apart, so it is done before the next. Done here before the next
       * sample, so that its disk writes never overlap one (the floor's either). */
      ag_store_maintain (AG_STORE (store));
      /* AG_BENCH_PAUSE_MS: time between an iteration's reveals and the next, untimed, as
       * an agent leaves (a reveal needs a reason chosen in a dialog). Without it every
       * reveal also waits for the Secret Service's record of the one before. */
      if (pause_us > 0)
        {
          g_usleep (pause_us / 2);
          ag_store_maintain (AG_STORE (store));
          g_usleep (pause_us / 2);
        }
    }
  ag_bench_floor_free (floor);

  p99_sync = ag_bench_print_percentiles ("reveal (WAL, synchronous=FULL)", sync_samples);
  p99_async = ag_bench_print_percentiles ("reveal_async → main loop", async_samples);
  {
    g_autofree char *what
      = g_strdup_printf ("write + fdatasync of %" G_GINT64_FORMAT " bytes", bytes_per_reveal);

    p99_floor = ag_bench_print_percentiles (what, floor_samples);
  }
  printf ("p99 reveal / floor: %.2f (blocking), %.2f (async); target ≤ 1.5 and p99 ≤ 16 ms\n",
          (double) p99_sync / MAX (p99_floor, 1), (double) p99_async / MAX (p99_floor, 1));

  g_clear_object (&store);
  ag_keyring_delete_keys (store_id, NULL, NULL);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (path, (const char *[]){ "", "-wal", "-shm" }[i], NULL);
      g_unlink (file);
    }
  if (tmp != NULL)
    g_rmdir (tmp);
  return EXIT_SUCCESS;
}
