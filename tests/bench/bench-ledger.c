/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ag-sqlite-ledger.h"

/* The ledger's costs (issue 4):
 *   - `audit verify` throughput (ag_ledger_verify) on COUNT entries, once with keyed
 *     BLAKE2b and once with HMAC-SHA-256 as the MAC, RUNS times each, alternating; the
 *     medians are compared; target ≥ 1,000,000 entries/s. The faster one is
 *     AG_LEDGER_MAC_DEFAULT. Beside the wall-clock rate, the CPU time per entry (both
 *     threads), which a busy machine disturbs less.
 *   - append latency p50/p99, one entry per transaction, WAL with synchronous=FULL,
 *     beside a bare write + fdatasync of the same number of bytes in the same directory
 *     (the physical floor).
 *   bench-ledger [COUNT [APPENDS [DIR]]]   (defaults 1000000, 2000, a temporary dir) */

#define FILL_BATCH 20000

static void
die (const char *what, sqlite3 *db)
{
  fprintf (stderr, "bench-ledger: %s: %s\n", what, db != NULL ? sqlite3_errmsg (db) : "");
  exit (EXIT_FAILURE);
}

static void
exec_or_die (sqlite3 *db, const char *sql)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    die (sql, db);
}

static AgLedgerEntry *
make_entry (guint64 i)
{
  AgLedgerEntry *entry
    = ag_ledger_entry_new (i % 2 ? AG_LEDGER_EVENT_REVEAL : AG_LEDGER_EVENT_REMASK);

  entry->user = g_strdup_printf ("agent%03u", (guint) (i % 200));
  entry->host = g_strdup ("ws-floor2-017");
  entry->session_id = g_strdup ("5b0e8c1e-3f7a-4a53-9d0e-1f1b8f7d2c44");
  entry->record_id = g_strdup_printf ("A1B2C3-%07" G_GUINT64_FORMAT, i % 1000000);
  entry->field_kind = AG_PII_KIND_CPF + (int) (i % 6);
  entry->reason = g_strdup ("identity-check");
  entry->ticket = g_strdup_printf ("INC-%06" G_GUINT64_FORMAT, i % 999999);
  entry->policy_version = g_strdup ("2026-11-20.3");
  return entry;
}

static sqlite3 *
open_db (const char *path, const char *synchronous)
{
  g_autofree char *pragmas
    = g_strdup_printf ("PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;", synchronous);
  sqlite3 *db = NULL;

  if (sqlite3_open (path, &db) != SQLITE_OK)
    die ("open", db);
  exec_or_die (db, pragmas);
  return db;
}

static char *
fill_ledger (const char *dir, AgLedger *ledger, AgLedgerMac mac, guint64 count)
{
  g_autofree char *path = g_build_filename (
    dir, mac == AG_LEDGER_MAC_BLAKE2B ? "verify-blake2b.db" : "verify-hmac.db", NULL);
  g_autoptr (GError) error = NULL;
  sqlite3 *db = open_db (path, "OFF");

  if (!ag_sqlite_ledger_ensure_schema_with_mac (db, mac, &error))
    die (error->message, NULL);

  for (guint64 i = 0; i < count; i++)
    {
      g_autoptr (AgLedgerEntry) entry = make_entry (i);

      if (i % FILL_BATCH == 0)
        exec_or_die (db, "BEGIN IMMEDIATE");
      entry->time_us = 1795392000000000 + (gint64) i * 1000;
      if (!ag_sqlite_ledger_append (ledger, db, entry, &error))
        die (error->message, NULL);
      if (i % FILL_BATCH == FILL_BATCH - 1 || i == count - 1)
        exec_or_die (db, "COMMIT");
    }
  exec_or_die (db, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close (db);
  return g_steal_pointer (&path);
}

static gint64
cpu_time_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* One verification: its rate in entries/s and its CPU time per entry in ns. */
static void
verify_once (const char *path, AgLedger *ledger, guint64 count, double *rate, double *cpu_ns)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = open_db (path, "OFF");
  guint64 n = 0, bad = 0;
  gint64 start = g_get_monotonic_time ();
  gint64 cpu_start = cpu_time_us ();

  if (!ag_sqlite_ledger_verify (ledger, db, &n, &bad, &error))
    die (error->message, NULL);
  *rate = n / (MAX (g_get_monotonic_time () - start, 1) / 1e6);
  *cpu_ns = (cpu_time_us () - cpu_start) * 1000.0 / MAX (n, 1);
  if (n != count)
    die ("verify counted a different number of entries", NULL);
  sqlite3_close (db);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  if (values->len % 2 == 1)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1)
          + g_array_index (values, double, values->len / 2))
         / 2;
}

static void
remove_db (const char *path)
{
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (path, (const char *[]){ "", "-wal", "-shm" }[i], NULL);
      g_unlink (file);
    }
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
print_percentiles (const char *what, GArray *samples)
{
  g_array_sort (samples, compare_gint64);
  printf ("%-36s p50 %.3f ms, p99 %.3f ms (%u samples)\n", what,
          g_array_index (samples, gint64, samples->len / 2) / 1000.0,
          g_array_index (samples, gint64, (samples->len * 99) / 100) / 1000.0, samples->len);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

static void
bench_append (const char *dir, AgLedger *ledger, guint appends)
{
  g_autofree char *path = g_build_filename (dir, "append.db", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *floor_path = g_build_filename (dir, "floor.bin", NULL);
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GError) error = NULL;
  g_autofree guint8 *block = NULL;
  sqlite3 *db = open_db (path, "FULL");
  gint64 wal_before, bytes_per_append;
  int fd;

  if (!ag_sqlite_ledger_ensure_schema (db, &error))
    die (error->message, NULL);
  /* Keep the WAL growing (no checkpoint) so its size tells the bytes per commit. */
  exec_or_die (db, "PRAGMA wal_autocheckpoint=0");
  wal_before = file_size (wal);

  for (guint i = 0; i < appends; i++)
    {
      g_autoptr (AgLedgerEntry) entry = make_entry (i);
      gint64 start = g_get_monotonic_time ();

      exec_or_die (db, "BEGIN IMMEDIATE");
      if (!ag_sqlite_ledger_append (ledger, db, entry, &error))
        die (error->message, NULL);
      exec_or_die (db, "COMMIT");
      g_array_append_val (samples, (gint64){ g_get_monotonic_time () - start });
    }
  bytes_per_append = MAX ((file_size (wal) - wal_before) / appends, 1);
  print_percentiles ("append (WAL, synchronous=FULL)", samples);
  sqlite3_close (db);

  /* The floor: append the same number of bytes to a file and fdatasync it. */
  g_array_set_size (samples, 0);
  block = g_malloc0 (bytes_per_append);
  fd = g_open (floor_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    die ("open floor file", NULL);
  for (guint i = 0; i < appends; i++)
    {
      gint64 start = g_get_monotonic_time ();

      block[0] = (guint8) i;
      if (write (fd, block, bytes_per_append) != bytes_per_append || fdatasync (fd) != 0)
        die ("write + fdatasync", NULL);
      g_array_append_val (samples, (gint64){ g_get_monotonic_time () - start });
    }
  close (fd);
  {
    g_autofree char *what
      = g_strdup_printf ("write + fdatasync of %" G_GINT64_FORMAT " bytes", bytes_per_append);
    print_percentiles (what, samples);
  }

  g_unlink (floor_path);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *file = g_strconcat (path, (const char *[]){ "", "-wal", "-shm" }[i], NULL);
      g_unlink (file);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr (AgSecret) key = ag_secret_new (32);
  g_autoptr (AgLedger) ledger = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = NULL;
  const char *env_count = g_getenv ("AG_BENCH_COUNT");
  const char *env_runs = g_getenv ("AG_BENCH_RUNS");
  guint runs = env_runs != NULL ? (guint) g_ascii_strtoull (env_runs, NULL, 10) : 7;
  guint64 count = argc > 1            ? g_ascii_strtoull (argv[1], NULL, 10)
                  : env_count != NULL ? g_ascii_strtoull (env_count, NULL, 10)
                                      : 1000000;
  guint appends = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 2000;
  const char *dir = argc > 3 ? argv[3] : NULL;
  g_autofree char *blake2b_path = NULL;
  g_autofree char *hmac_path = NULL;
  GArray *rates[2];
  GArray *cpu[2];
  static const char *const names[2] = { "blake2b-256", "hmac-sha256" };
  double median_rate[2], median_cpu[2];

  if (count == 0 || appends == 0 || runs == 0 || sodium_init () < 0)
    {
      fprintf (stderr, "usage: [AG_BENCH_RUNS=N] bench-ledger [COUNT [APPENDS [DIR]]]\n");
      return EXIT_FAILURE;
    }
  if (dir == NULL)
    {
      /* In the working directory (the build directory under meson), on a real disk
       * rather than in a tmpfs /tmp. */
      tmp = g_strdup ("bench-ledger-XXXXXX");
      if (g_mkdtemp (tmp) == NULL)
        die ("cannot make a directory in the working directory", NULL);
      dir = tmp;
    }

  randombytes_buf (ag_secret_get_mutable_data (key), 32);
  ledger = ag_ledger_new (key);

  blake2b_path = fill_ledger (dir, ledger, AG_LEDGER_MAC_BLAKE2B, count);
  hmac_path = fill_ledger (dir, ledger, AG_LEDGER_MAC_HMAC_SHA256, count);
  /* One run of each to warm the page cache, then the two alternately, so that a busy
   * spell of the machine slows both alike; the medians are compared. */
  for (guint m = 0; m < 2; m++)
    {
      rates[m] = g_array_new (FALSE, FALSE, sizeof (double));
      cpu[m] = g_array_new (FALSE, FALSE, sizeof (double));
    }
  for (guint run = 0; run <= runs; run++)
    for (guint m = 0; m < 2; m++)
      {
        double rate, cpu_ns;

        verify_once (m == 0 ? blake2b_path : hmac_path, ledger, count, &rate, &cpu_ns);
        if (run == 0)
          continue;
        g_array_append_val (rates[m], rate);
        g_array_append_val (cpu[m], cpu_ns);
      }
  for (guint m = 0; m < 2; m++)
    {
      median_rate[m] = median (rates[m]);
      median_cpu[m] = median (cpu[m]);
      printf ("verify %s %" G_GUINT64_FORMAT " entries: median %.0f entries/s (%.0f to %.0f), "
              "%.0f ns CPU per entry (median of %u)\n",
              names[m], count, median_rate[m], g_array_index (rates[m], double, 0),
              g_array_index (rates[m], double, rates[m]->len - 1), median_cpu[m], runs);
    }
  printf ("faster MAC: %s (the default is %s)\n", names[median_rate[0] >= median_rate[1] ? 0 : 1],
          names[AG_LEDGER_MAC_DEFAULT == AG_LEDGER_MAC_BLAKE2B ? 0 : 1]);
  for (guint m = 0; m < 2; m++)
    {
      g_array_unref (rates[m]);
      g_array_unref (cpu[m]);
    }
  remove_db (blake2b_path);
  remove_db (hmac_path);

  bench_append (dir, ledger, appends);

  if (tmp != NULL)
    g_rmdir (tmp);
  return EXIT_SUCCESS;
}
