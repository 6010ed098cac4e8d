/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* Crash test of the reveal path: a child process (reveal-crash-child) reveals in a loop
 * and is killed with SIGKILL at random moments. After each kill, the ledger verifies,
 * every value the child had handed out has its committed `reveal` entry, and no
 * committed entry is ever lost.
 *
 *   test-reveal-crash [KILLS]   (default 200; the soak benchmark passes more)
 *
 * Runs under tests/run-test.sh --keyring. Every value is synthetic. */

#include "config.h"

#include <signal.h>
#include <string.h>

#include "ag-keyring.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

#define N_CUSTOMERS 16
#define SEED        20260405
/* A kill comes after 0 to MAX_VALUES_BEFORE values were handed out, at a random moment
 * within about two reveals after that (the reveal time is measured as the test runs, so
 * a slow machine or a sanitizer does not move the kills out of the loop). */
#define MAX_VALUES_BEFORE 2

static guint n_kills = 200;

typedef struct
{
  guint64 seq;
  char *record_id;
  int kind;
} Printed;

static void
printed_free (Printed *printed)
{
  g_free (printed->record_id);
  g_free (printed);
}

/* Reads what is left of @stream up to its end into @out. */
static void
read_to_end (GInputStream *stream, GString *out)
{
  char buf[4096];
  gssize n;
  g_autoptr (GError) error = NULL;

  while ((n = g_input_stream_read (stream, buf, sizeof buf, NULL, &error)) > 0)
    g_string_append_len (out, buf, n);
  g_assert_no_error (error);
}

static gboolean
index_entry_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  g_hash_table_insert (user_data, GUINT_TO_POINTER ((guint) entry->seq),
                       ag_ledger_entry_copy (entry));
  return TRUE;
}

static const char *
expected_value (GPtrArray *customers, const char *record_id, int kind)
{
  for (guint i = 0; i < customers->len; i++)
    {
      const AgCustomerData *data = customers->pdata[i];

      if (strcmp (data->id, record_id) == 0)
        return data->values[kind];
    }
  g_assert_not_reached ();
}

/* Children started at once: while one reveals, is killed and the store checked, the
 * others start up (process start-up is most of the time here) and wait. */
#define N_SLOTS 3

typedef struct
{
  GSubprocess *child;
  GString *out;
  gint64 spawned_us; /* wall clock, as in the entries */
} Slot;

static void
slot_spawn (Slot *slot, GPtrArray *argv)
{
  g_autoptr (GError) error = NULL;

  slot->child
    = g_subprocess_newv ((const char *const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  slot->out = g_string_new (NULL);
  slot->spawned_us = g_get_real_time ();
}

static guint
count_lines (const GString *out)
{
  guint n = 0;

  for (const char *p = out->str; (p = strchr (p, '\n')) != NULL; p++)
    n++;
  return n;
}

/* Reads from the child of @slot until it wrote @n_lines lines. */
static void
slot_read_lines (Slot *slot, guint n_lines)
{
  GInputStream *stream = g_subprocess_get_stdout_pipe (slot->child);
  g_autoptr (GError) error = NULL;

  while (count_lines (slot->out) < n_lines)
    {
      char buf[256];
      gssize n = g_input_stream_read (stream, buf, sizeof buf, NULL, &error);

      g_assert_no_error (error);
      if (n == 0)
        g_error ("The child ended on its own");
      g_string_append_len (slot->out, buf, n);
    }
}

/* Waits until the child of @slot has the store open and tells it to go. */
static void
slot_go (Slot *slot)
{
  g_autoptr (GError) error = NULL;

  slot_read_lines (slot, 1);
  g_assert_true (g_str_has_prefix (slot->out->str, "ready\n"));
  g_assert_true (g_output_stream_write_all (g_subprocess_get_stdin_pipe (slot->child), "g", 1, NULL,
                                            NULL, &error));
  g_assert_no_error (error);
}

/* Kills the child of @slot and returns the number of values it had handed out, each
 * added to @printed. */
static guint
slot_kill (Slot *slot, GPtrArray *customers, GPtrArray *printed)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_lines = 0;

  g_subprocess_send_signal (slot->child, SIGKILL);
  g_assert_true (g_subprocess_wait (slot->child, NULL, &error));
  g_assert_no_error (error);
  /* Killed, not ended by a failure of its own. */
  g_assert_true (g_subprocess_get_if_signaled (slot->child));
  g_assert_cmpint (g_subprocess_get_term_sig (slot->child), ==, SIGKILL);
  read_to_end (g_subprocess_get_stdout_pipe (slot->child), slot->out);

  /* Every line is whole: each was one write smaller than PIPE_BUF. */
  g_assert_true (g_str_has_suffix (slot->out->str, "\n"));
  lines = g_strsplit (slot->out->str + strlen ("ready\n"), "\n", -1);
  for (guint l = 0; lines[l] != NULL && lines[l][0] != '\0'; l++)
    {
      g_auto (GStrv) fields = g_strsplit (lines[l], "\t", 4);
      Printed *p = g_new0 (Printed, 1);

      g_assert_cmpuint (g_strv_length (fields), ==, 4);
      p->seq = g_ascii_strtoull (fields[0], NULL, 10);
      p->record_id = g_strdup (fields[1]);
      p->kind = atoi (fields[2]);
      /* The value it got is the customer's (compared, never printed). */
      g_assert_true (g_strcmp0 (fields[3], expected_value (customers, p->record_id, p->kind)) == 0);
      explicit_bzero (fields[3], strlen (fields[3]));
      g_ptr_array_add (printed, p);
      n_lines++;
    }
  explicit_bzero (slot->out->str, slot->out->len);
  for (guint l = 0; lines[l] != NULL; l++)
    explicit_bzero (lines[l], strlen (lines[l]));

  g_clear_object (&slot->child);
  g_string_free (g_steal_pointer (&slot->out), TRUE);

  return n_lines;
}

/* Opens the store as after a crash and checks it: the chain verifies, no entry was lost,
 * and each value of @printed from @first on has its entry, which is not older than
 * @since_us. Returns the number of entries. */
static guint64
check_store (const char *path, guint kill, guint64 n_before, GPtrArray *printed, guint first,
             gint64 since_us)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GHashTable) entries = NULL;
  AgLedgerFilter filter = { .since_us = since_us };
  guint64 n_verified = 0, bad = 0;

  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  if (!ag_sqlite_store_verify_ledger (store, &n_verified, &bad, &error))
    g_error ("Kill %u: the ledger does not verify (entry %" G_GUINT64_FORMAT "): %s", kill, bad,
             error->message);

  /* No committed entry is lost. */
  if (n_verified < n_before)
    g_error ("Kill %u: the ledger went from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " entries",
             kill, n_before, n_verified);

  /* Read after the verification: the other children may have added more since. */
  entries = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) ag_ledger_entry_free);
  g_assert_true (ag_sqlite_store_foreach_event (store, &filter, index_entry_cb, entries, &error));
  g_assert_no_error (error);
  if (since_us == 0)
    g_assert_cmpuint (g_hash_table_size (entries), >=, n_verified);

  for (guint i = first; i < printed->len; i++)
    {
      const Printed *p = printed->pdata[i];
      const AgLedgerEntry *entry = g_hash_table_lookup (entries, GUINT_TO_POINTER ((guint) p->seq));

      if (entry == NULL)
        g_error ("Kill %u: a value was handed out without its entry %" G_GUINT64_FORMAT, kill,
                 p->seq);
      g_assert_cmpint (entry->event, ==, AG_LEDGER_EVENT_REVEAL);
      g_assert_cmpstr (entry->record_id, ==, p->record_id);
      g_assert_cmpint (entry->field_kind, ==, p->kind);
    }

  return n_verified;
}

static void
test_crash (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ag-crash-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autofree char *child_path = g_test_build_filename (G_TEST_BUILT, "reveal-crash-child", NULL);
  g_autoptr (GPtrArray) customers
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) printed = g_ptr_array_new_with_free_func ((GDestroyNotify) printed_free);
  g_autofree char *store_id = NULL;
  const AgPiiKind kinds[] = { AG_PII_KIND_CPF, AG_PII_KIND_PHONE, AG_PII_KIND_EMAIL };
  Slot slots[N_SLOTS] = { 0 };
  guint64 n_entries = 0;
  guint n_values = 0;
  guint n_killed_mid_loop = 0;
  gint64 start = g_get_monotonic_time ();
  gint64 ready_us = 0, kill_us = 0, check_us = 0;
  gint64 reveal_us = 10000; /* the time of one reveal, measured as it goes */

  store_id = ag_test_make_store (path, SEED, N_CUSTOMERS, customers);
  g_ptr_array_add (argv, g_strdup (child_path));
  g_ptr_array_add (argv, g_strdup (path));
  for (guint i = 0; i < customers->len; i++)
    {
      const AgCustomerData *data = customers->pdata[i];

      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        if (data->values[kinds[k]] != NULL)
          g_ptr_array_add (argv, g_strdup_printf ("%s:%d", data->id, kinds[k]));
    }
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; i < N_SLOTS; i++)
    slot_spawn (&slots[i], argv);

  for (guint kill = 0; kill < n_kills; kill++)
    {
      Slot *slot = &slots[kill % N_SLOTS];
      gint64 since_us = slot->spawned_us - G_USEC_PER_SEC;
      guint first = printed->len;
      gboolean full;
      guint n_lines;

      guint n_before = g_test_rand_int_range (0, MAX_VALUES_BEFORE + 1);
      gint64 t0 = g_get_monotonic_time (), t1, t2;

      /* Once it has the store open, let it hand out a few values and reveal for a random
       * while more, then kill it. */
      slot_go (slot);
      t1 = g_get_monotonic_time ();
      ready_us += t1 - t0;
      slot_read_lines (slot, 1 + n_before);
      if (n_before > 0)
        reveal_us = (3 * reveal_us + (g_get_monotonic_time () - t1) / n_before) / 4;
      g_usleep (g_test_rand_int_range (0, 2 * reveal_us));
      t2 = g_get_monotonic_time ();
      n_lines = slot_kill (slot, customers, printed);
      kill_us += g_get_monotonic_time () - t2;
      n_values += n_lines;
      g_assert_cmpuint (n_lines, >=, n_before);
      if (n_lines > 0)
        n_killed_mid_loop++;

      t2 = g_get_monotonic_time ();
      /* The values of this kill, and now and then (and at the end) all values so far. */
      full = kill % 50 == 49 || kill + 1 == n_kills;
      n_entries
        = check_store (path, kill, n_entries, printed, full ? 0 : first, full ? 0 : since_us);
      check_us += g_get_monotonic_time () - t2;
      if (kill + N_SLOTS < n_kills)
        slot_spawn (slot, argv);
    }

  g_test_message ("%u kills in %.1f s, %u of them after a reveal; %u values handed out, "
                  "%" G_GUINT64_FORMAT " entries",
                  n_kills, (g_get_monotonic_time () - start) / 1e6, n_killed_mid_loop, n_values,
                  n_entries);
  g_test_message ("Per kill: %.1f ms waiting for a child, %.1f ms killing it, %.1f ms checking; "
                  "a reveal took %.1f ms",
                  ready_us / 1e3 / n_kills, kill_us / 1e3 / n_kills, check_us / 1e3 / n_kills,
                  reveal_us / 1e3);
  /* Not vacuous: many kills came after values were handed out (the others hit the first
   * reveal, which is slower, most of all under a sanitizer). */
  g_assert_cmpuint (n_killed_mid_loop, >=, n_kills / 4);
  g_assert_cmpuint (n_entries, >=, n_values);

  ag_keyring_delete_keys (store_id, NULL, NULL);
  ag_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  if (argc > 1)
    n_kills = g_ascii_strtoull (argv[1], NULL, 10);
  g_assert_cmpuint (n_kills, >, 0);

  g_test_add_func ("/reveal-crash/sigkill", test_crash);

  return g_test_run ();
}
