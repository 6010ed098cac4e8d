/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* The store benchmark (issue 2): generates AG_BENCH_COUNT (default 1,000,000) synthetic
 * customers into a fresh store and prints the generation rate, the store size per
 * customer, search latencies and the peak RSS of a separate process doing one search.
 * Run it through tests/run-test.sh --keyring (meson benchmark does). */

#include "config.h"

#include <glib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ag-sqlite-store.h"
#include "ag-synth.h"

#define SEED          20261123
#define DEFAULT_COUNT 1000000
#define N_QUERIES     1000

typedef struct
{
  AgSynth *synth;
  guint64 remaining;
} Source;

static gboolean
synth_source (AgCustomerData *out, gpointer user_data, GError **error)
{
  Source *source = user_data;

  if (source->remaining == 0)
    return FALSE;
  source->remaining--;
  ag_synth_next (source->synth, out);
  return TRUE;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static guint64
store_size (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  return file_size (path) + file_size (wal) + file_size (shm);
}

static void
checkpoint (const char *path)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK
      || sqlite3_exec (db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
    g_error ("Checkpoint failed: %s", sqlite3_errmsg (db));
  sqlite3_close (db);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* CPU time of this thread: unlike wall time, it does not count waiting for a core that
 * other processes hold. */
static double
thread_cpu_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double
process_cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
print_load (const char *when)
{
  g_autofree char *load = NULL;

  if (g_file_get_contents ("/proc/loadavg", &load, NULL, NULL))
    printf ("load average %s: %s", when, load);
}

typedef struct
{
  const char *label;
  GPtrArray *queries;
} QuerySet;

/* The ledger entries of the searches by an identifier, which the store writes (and
 * commits) before it answers: part of what is measured. */
static AgLedgerEntry *
new_access (void)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (AG_LEDGER_EVENT_SEARCH);

  entry->user = g_strdup ("bench");
  entry->host = g_strdup ("bench-host");
  entry->session_id = g_strdup ("bench-session");
  return entry;
}

/* Runs every query of @set and prints p50/p99 latency in milliseconds. */
static void
time_queries (AgStore *store, QuerySet *set)
{
  g_autoptr (AgLedgerEntry) access = new_access ();
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) cpu_times = g_array_new (FALSE, FALSE, sizeof (double));
  guint found = 0;

  for (guint i = 0; i < set->queries->len; i++)
    {
      g_autoptr (GListModel) results = NULL;
      g_autoptr (GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      double cpu_start = thread_cpu_ms ();
      double ms, cpu_ms;

      results = ag_store_search (store, set->queries->pdata[i], 0, access, 0, NULL, &error);
      ms = (g_get_monotonic_time () - start) / 1000.0;
      cpu_ms = thread_cpu_ms () - cpu_start;
      g_array_append_val (cpu_times, cpu_ms);
      g_assert_no_error (error);
      if (g_list_model_get_n_items (results) > 0)
        found++;
      g_array_append_val (times, ms);
    }

  g_array_sort (times, compare_doubles);
  g_array_sort (cpu_times, compare_doubles);
  printf ("search %-22s n=%u found=%u  p50 %.3f ms  p99 %.3f ms  max %.3f ms  "
          "(CPU time p50 %.3f ms  p99 %.3f ms)\n",
          set->label, times->len, found, g_array_index (times, double, times->len / 2),
          g_array_index (times, double, (times->len * 99) / 100),
          g_array_index (times, double, times->len - 1),
          g_array_index (cpu_times, double, cpu_times->len / 2),
          g_array_index (cpu_times, double, (cpu_times->len * 99) / 100));
}

static char *
first_letters (const char *word, guint n)
{
  const char *end = word;

  for (guint i = 0; i < n && *end != '\0'; i++)
    end = g_utf8_next_char (end);
  return g_utf8_strdown (word, end - word);
}

/* `bench-store --measure PROGRAM ARG…`: runs PROGRAM and prints its peak RSS in KiB.
 * The benchmark measures through this small intermediate process because a child forked
 * from the benchmark itself would count the benchmark's own pages in its ru_maxrss. */
static int
measure (char **argv)
{
  pid_t pid;
  int status;
  struct rusage usage;

  pid = fork ();
  if (pid < 0)
    return 1;
  if (pid == 0)
    {
      int devnull = open ("/dev/null", O_WRONLY);

      dup2 (devnull, STDOUT_FILENO);
      dup2 (devnull, STDERR_FILENO);
      execv (argv[0], argv);
      _exit (127);
    }

  if (wait4 (pid, &status, 0, &usage) != pid || !WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return 1;

  printf ("%ld\n", usage.ru_maxrss);
  return 0;
}

/* Returns the peak RSS in KiB of @argv run on its own, or -1 when it failed. */
static long
peak_rss_of (char **argv)
{
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_autofree char *self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *out = NULL;
  int status = 0;

  g_ptr_array_add (args, self_path);
  g_ptr_array_add (args, "--measure");
  for (guint i = 0; argv[i] != NULL; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);

  if (!g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL,
                     &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    return -1;

  return strtol (out, NULL, 10);
}

/* The separate search process when agent-guard-admin cannot do it: this program run as
 * `bench-store --search-child STORE QUERY`. */
static int
search_child (const char *path, const char *query)
{
  g_autoptr (AgLedgerEntry) access = new_access ();
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GListModel) results = NULL;
  g_autoptr (GError) error = NULL;

  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  if (store == NULL)
    return 1;
  results = ag_store_search (AG_STORE (store), query, 0, access, 0, NULL, &error);

  return results != NULL && g_list_model_get_n_items (results) > 0 ? 0 : 1;
}

int
main (int argc, char **argv)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (AgSynth) synth = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *self_path = NULL;
  const char *count_env = g_getenv ("AG_BENCH_COUNT");
  const char *admin = g_getenv ("AG_ADMIN");
  guint64 count = DEFAULT_COUNT;
  guint64 step;
  QuerySet sets[] = {
    { "name-prefix (1 word)", g_ptr_array_new_with_free_func (g_free) },
    { "name-prefix (2 words)", g_ptr_array_new_with_free_func (g_free) },
    { "cpf (formatted)", g_ptr_array_new_with_free_func (g_free) },
    { "phone (formatted)", g_ptr_array_new_with_free_func (g_free) },
  };
  Source source;
  gint64 start;
  double cpu_start;
  double seconds;
  guint64 size;
  long rss;

  if (argc == 4 && strcmp (argv[1], "--search-child") == 0)
    return search_child (argv[2], argv[3]);
  if (argc >= 3 && strcmp (argv[1], "--measure") == 0)
    return measure (argv + 2);

  if (count_env != NULL)
    count = g_ascii_strtoull (count_env, NULL, 10);
  if (count < N_QUERIES)
    count = N_QUERIES;

  dir = g_dir_make_tmp ("ag-bench-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "store.db", NULL);

  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_CREATE, NULL, &error);
  g_assert_no_error (error);

  print_load ("before");

  /* Generation: synthesis, validation, masking, sealing and SQLite, one transaction. */
  source.synth = ag_synth_new (SEED);
  source.remaining = count;
  start = g_get_monotonic_time ();
  cpu_start = process_cpu_seconds ();
  ag_store_import (AG_STORE (store), synth_source, &source, count, NULL, NULL, NULL, &error);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_assert_no_error (error);
  g_clear_object (&source.synth);
  printf ("customers %" G_GUINT64_FORMAT "\n", count);
  printf ("generation %.1f s, %.0f customers/s (CPU %.1f s in all threads)\n", seconds,
          count / seconds, process_cpu_seconds () - cpu_start);

  /* Regenerate the same customers to draw queries from them. */
  synth = ag_synth_new (SEED);
  step = count / N_QUERIES;
  for (guint64 i = 0; i < count; i++)
    {
      AgCustomerData data = { 0 };

      ag_synth_next (synth, &data);
      if (i % step == step / 2 && sets[0].queries->len < N_QUERIES)
        {
          g_auto (GStrv) words = g_strsplit (data.values[AG_PII_KIND_NAME], " ", -1);
          guint n_words = g_strv_length (words);
          g_autofree char *first = first_letters (words[0], 3);
          g_autofree char *last = first_letters (words[n_words - 1], 3);

          g_ptr_array_add (sets[0].queries, g_steal_pointer (&first));
          g_ptr_array_add (sets[1].queries, g_strdup_printf ("%s %s", words[0], last));
          g_ptr_array_add (sets[2].queries,
                           ag_pii_format (AG_PII_KIND_CPF, data.values[AG_PII_KIND_CPF]));
          g_ptr_array_add (sets[3].queries,
                           ag_pii_format (AG_PII_KIND_PHONE, data.values[AG_PII_KIND_PHONE]));
        }
      ag_customer_data_clear (&data);
      if (sets[0].queries->len == N_QUERIES)
        break;
    }

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    time_queries (AG_STORE (store), &sets[i]);

  g_clear_object (&store);
  checkpoint (path);
  size = store_size (path);
  printf ("store size %.1f MB, %.0f bytes/customer (database + WAL + SHM after checkpoint)\n",
          size / 1e6, (double) size / count);

  /* Peak RSS of a separate process doing one search on this store. */
  rss = -1;
  if (admin != NULL && g_file_test (admin, G_FILE_TEST_IS_EXECUTABLE))
    {
      char *admin_argv[]
        = { (char *) admin, "search", "--store", path, sets[1].queries->pdata[0], NULL };

      rss = peak_rss_of (admin_argv);
      if (rss >= 0)
        printf ("peak RSS of `agent-guard-admin search` %.1f MB\n", rss / 1024.0);
    }
  if (rss < 0)
    {
      char *child_argv[] = { NULL, "--search-child", path, sets[1].queries->pdata[0], NULL };

      self_path = g_file_read_link ("/proc/self/exe", NULL);
      child_argv[0] = self_path;
      rss = peak_rss_of (child_argv);
      printf ("peak RSS of a search process (bench-store --search-child; agent-guard-admin "
              "search unavailable) %.1f MB\n",
              rss / 1024.0);
    }

  print_load ("after");

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    g_ptr_array_unref (sets[i].queries);
  if (g_getenv ("AG_BENCH_KEEP") != NULL)
    {
      printf ("kept %s\n", path);
      return 0;
    }
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (path);
    g_unlink (wal);
    g_unlink (shm);
    g_rmdir (dir);
  }

  return 0;
}
