/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Lock latency: from the moment a lock is due until AgGuard is LOCKED and every live reveal
 * is wiped (::notify::state, where the window destroys its record page and results: the
 * figure against the target); and, beside it, until the lock and re-mask entries are
 * durable in the ledger (ag_guard_lock() returned), which the lock does not wait for.
 * Target: at most 16 ms at the 99th percentile (one frame at 60 Hz).
 *
 * Triggers:
 *   deadline  the idle deadline: the clock is moved to it and ag_guard_process_time()
 *             called, as the guard's timer does;
 *   dbus      org.freedesktop.ScreenSaver ActiveChanged(true), sent on the session bus by
 *             another connection, through AgDesktopMonitor to ag_guard_lock().
 * Each trigger runs RUNS times with 0 and with REVEALS live reveals. Every run signs in
 * (real libpam with the test module pam_agtest, two prompts), reveals through a real
 * AgSqliteStore (ledger with synchronous=FULL), then locks.
 *
 *   bench-lock [RUNS [REVEALS]]
 *
 * Needs a development build (AG_PAM_CONFDIR), AG_BUILD_ROOT (for pam_agtest.so) and a
 * session bus with a Secret Service: meson runs it under tests/run-test.sh --keyring.
 *
 * To measure more of the way (e.g. until the window drew a frame without PII widgets),
 * add a Trigger, or a wait in finish_run(): a run ends where Bench.locked_at is set.
 */

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "ag-desktop-monitor.h"
#include "ag-guard.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

#define SECOND    ((gint64) G_USEC_PER_SEC)
#define IDLE_LOCK 30

typedef struct _Bench Bench;

typedef struct
{
  const char *name;
  void (*fire) (Bench *bench); /* makes the lock due; the run ends at bench->locked_at */
} Trigger;

struct _Bench
{
  char *dir;
  AgSqliteStore *store;
  GPtrArray *customers; /* AgCustomerData*, clear copies */
  AgGuard *guard;
  gint64 now; /* the guard's clock */
  GDBusConnection *session;
  GDBusConnection *sender; /* plays the screen saver */
  AgDesktopMonitor *monitor;
  GPtrArray *reveals; /* this run's, to check they were wiped */

  gint64 fired_at;   /* monotonic */
  gint64 locked_at;  /* monotonic; 0 until LOCKED (values wiped, UI torn down) */
  gint64 durable_at; /* monotonic; 0 until the lock's ledger entries are written */
};

static gint64
bench_clock (gpointer data)
{
  return ((Bench *) data)->now;
}

/* As the window does: every guard event goes to the ledger before the guard goes on. */
static void
event_cb (const AgGuardEvent *event, gpointer data)
{
  Bench *bench = data;
  g_autoptr (AgLedgerEntry) entry
    = ag_guard_event_to_ledger_entry (event, "bench-lock", AG_LEDGER_MODE_LIVE);
  g_autoptr (GError) error = NULL;

  ag_guard_flush_ledger (bench->guard);
  if (!ag_store_append_event (AG_STORE (bench->store), entry, &error))
    g_error ("Could not ledger a guard event: %s", error->message);
}

static void
conversation_cb (AgGuard *guard, AgAuthBatch *batch, gpointer data)
{
  for (guint i = 0; i < ag_auth_batch_get_n_messages (batch); i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);

      if (!ag_auth_batch_is_prompt (batch, i))
        continue;
      ag_auth_batch_set_answer (batch, i, g_str_has_prefix (text, "First") ? "bench-1" : "424242");
    }
  ag_auth_batch_reply (batch);
}

static void
lock_requested_cb (AgDesktopMonitor *monitor, gint cause, gpointer data)
{
  Bench *bench = data;

  ag_guard_lock (bench->guard, (AgLockCause) cause);
  if (ag_guard_get_state (bench->guard) == AG_GUARD_STATE_LOCKED)
    bench->durable_at = g_get_monotonic_time ();
  ag_desktop_monitor_lock_done (monitor);
}

/* Where the window tears down its record page: the moment no PII is on screen. */
static void
state_cb (AgGuard *guard, GParamSpec *pspec, gpointer data)
{
  Bench *bench = data;

  if (ag_guard_get_state (guard) == AG_GUARD_STATE_LOCKED && bench->locked_at == 0)
    {
      bench->locked_at = g_get_monotonic_time ();
      /* Every value is wiped by then. */
      for (guint i = 0; i < bench->reveals->len; i++)
        g_assert_null (ag_reveal_get_value (g_ptr_array_index (bench->reveals, i)));
    }
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
}

static void
set_up (Bench *bench)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *pam_dir = NULL;
  g_autofree char *policy_dir = NULL;
  g_autofree char *module = NULL;
  g_autofree char *stack = NULL;
  g_autofree char *service = NULL;
  g_autofree char *policy_file = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *store_id = NULL;
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autoptr (GVariant) reply = NULL;
  const char *build_root = g_getenv ("AG_BUILD_ROOT");

  if (build_root == NULL)
    g_error ("AG_BUILD_ROOT must name the build folder (for tests/pam_agtest.so)");

  bench->dir = g_dir_make_tmp ("ag-bench-lock-XXXXXX", &error);
  g_assert_no_error (error);

  /* Two prompts in one batch: two factors, and no TOTP code to run out of. */
  pam_dir = g_build_filename (bench->dir, "pam", NULL);
  g_mkdir (pam_dir, 0700);
  module = g_build_filename (build_root, "tests", "pam_agtest.so", NULL);
  stack = g_strdup_printf ("auth required %s batch first=bench-1 second=424242\n"
                           "account required pam_permit.so\n",
                           module);
  service = g_build_filename (pam_dir, AG_AUTH_SERVICE, NULL);
  write_file (service, stack);
  g_setenv ("AG_PAM_CONFDIR", pam_dir, TRUE);

  /* Reveals live longer than the idle time, so the lock is what wipes them. */
  policy_dir = g_build_filename (bench->dir, "policy", NULL);
  g_mkdir (policy_dir, 0700);
  policy_file = g_build_filename (policy_dir, "policy.conf", NULL);
  write_file (policy_file, "[policy]\nidle-lock=30\nlock-warning=0\nreveal-duration=300\n"
                           "max-reveals-per-hour=1000\n");
  paths = ag_policy_paths_new (policy_dir, NULL, NULL);
  policy = ag_policy_load (paths, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  bench->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  store_path = g_build_filename (bench->dir, "store.db", NULL);
  store_id = ag_test_make_store (store_path, 20260101, 50, bench->customers);
  bench->store = ag_sqlite_store_open (store_path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);

  bench->now = G_GINT64_CONSTANT (1700000000) * SECOND;
  bench->guard = ag_guard_new (&error);
  g_assert_no_error (error);
  ag_guard_set_clock (bench->guard, bench_clock, bench);
  ag_guard_set_event_sink (bench->guard, event_cb, bench, NULL);
  ag_guard_set_policy (bench->guard, policy);
  ag_guard_set_store (bench->guard, AG_STORE (bench->store), "bench-lock", AG_LEDGER_MODE_LIVE);
  g_signal_connect (bench->guard, "conversation", G_CALLBACK (conversation_cb), bench);
  g_signal_connect (bench->guard, "notify::state", G_CALLBACK (state_cb), bench);

  /* The D-Bus trigger: the session bus, one connection for the monitor, one to send. */
  bench->session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  bench->sender = g_dbus_connection_new_for_address_sync (
    g_getenv ("DBUS_SESSION_BUS_ADDRESS"),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (
    bench->sender, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
    "RequestName", g_variant_new ("(su)", "org.freedesktop.ScreenSaver", 4), NULL,
    G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  bench->monitor = ag_desktop_monitor_new_for_buses (NULL, bench->session);
  g_signal_connect (bench->monitor, "lock-requested", G_CALLBACK (lock_requested_cb), bench);
  while (!ag_desktop_monitor_get_ready (bench->monitor))
    g_main_context_iteration (NULL, TRUE);
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (bench->session, "org.freedesktop.DBus",
                                       "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetId",
                                       NULL, NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  bench->reveals = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
tear_down (Bench *bench)
{
  g_ptr_array_unref (bench->reveals);
  g_clear_object (&bench->monitor);
  g_clear_object (&bench->sender);
  g_clear_object (&bench->session);
  g_clear_object (&bench->guard);
  g_clear_object (&bench->store);
  g_ptr_array_unref (bench->customers);
  ag_test_remove_tree (bench->dir);
  g_free (bench->dir);
}

static void
reveal_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Bench *bench = data;
  g_autoptr (GError) error = NULL;
  AgReveal *reveal = ag_guard_reveal_finish (AG_GUARD (source), result, &error);

  if (reveal == NULL)
    g_error ("A reveal failed: %s", error->message);
  g_ptr_array_add (bench->reveals, reveal);
}

/* Signs in and reveals @n_reveals fields of one customer. */
static void
prepare_run (Bench *bench, guint run, guint n_reveals)
{
  static const AgPiiKind kinds[] = { AG_PII_KIND_CPF,        AG_PII_KIND_PHONE,   AG_PII_KIND_EMAIL,
                                     AG_PII_KIND_BIRTH_DATE, AG_PII_KIND_ADDRESS, AG_PII_KIND_RG };
  const AgCustomerData *customer
    = g_ptr_array_index (bench->customers, run % bench->customers->len);
  g_autoptr (GError) error = NULL;

  /* A new hour for every run: the reveal quota never gets in the way. */
  bench->now += 2 * 3600 * SECOND;
  if (!ag_guard_begin (bench->guard, &error))
    g_error ("Could not begin a sign-in: %s", error->message);
  while (ag_guard_get_state (bench->guard) == AG_GUARD_STATE_AUTHENTICATING)
    g_main_context_iteration (NULL, TRUE);
  if (ag_guard_get_state (bench->guard) != AG_GUARD_STATE_UNLOCKED)
    g_error ("The sign-in failed");

  g_ptr_array_set_size (bench->reveals, 0);
  for (guint i = 0; i < n_reveals; i++)
    {
      guint want = bench->reveals->len + 1;

      ag_guard_reveal_async (bench->guard, customer->id, kinds[i % G_N_ELEMENTS (kinds)],
                             "billing-dispute", NULL, NULL, reveal_cb, bench);
      while (bench->reveals->len < want)
        g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (bench->guard)), ==, n_reveals);
  bench->locked_at = 0;
  bench->durable_at = 0;
}

static void
fire_deadline (Bench *bench)
{
  gint64 deadline = ag_guard_get_idle_deadline (bench->guard);

  g_assert_cmpint (deadline, ==, bench->now + IDLE_LOCK * SECOND);
  bench->now = deadline;
  bench->fired_at = g_get_monotonic_time ();
  ag_guard_process_time (bench->guard);
  if (ag_guard_get_state (bench->guard) == AG_GUARD_STATE_LOCKED)
    bench->durable_at = g_get_monotonic_time ();
}

static void
fire_dbus (Bench *bench)
{
  g_autoptr (GError) error = NULL;

  bench->fired_at = g_get_monotonic_time ();
  if (!g_dbus_connection_emit_signal (bench->sender, NULL, "/org/freedesktop/ScreenSaver",
                                      "org.freedesktop.ScreenSaver", "ActiveChanged",
                                      g_variant_new ("(b)", TRUE), &error))
    g_error ("Could not send ActiveChanged: %s", error->message);
  g_dbus_connection_flush_sync (bench->sender, NULL, NULL);
}

/* Waits for the lock and checks it did its whole job. */
static gint64
finish_run (Bench *bench)
{
  while (bench->durable_at == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (bench->locked_at, !=, 0);

  g_assert_cmpint (ag_guard_get_state (bench->guard), ==, AG_GUARD_STATE_LOCKED);
  g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (bench->guard)), ==, 0);
  for (guint i = 0; i < bench->reveals->len; i++)
    {
      AgReveal *reveal = g_ptr_array_index (bench->reveals, i);

      g_assert_false (ag_reveal_get_active (reveal));
      g_assert_null (ag_reveal_get_value (reveal));
    }
  return bench->locked_at - bench->fired_at;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *sorted, double p)
{
  guint i = (guint) (p * (sorted->len - 1) + 0.5);

  return g_array_index (sorted, gint64, MIN (i, sorted->len - 1));
}

static void
print_times (const char *what, GArray *times)
{
  g_array_sort (times, compare_gint64);
  g_print ("%s  p50 %.3f ms  p99 %.3f ms  max %.3f ms\n", what, percentile (times, 0.50) / 1000.0,
           percentile (times, 0.99) / 1000.0,
           g_array_index (times, gint64, times->len - 1) / 1000.0);
}

/* The floor under every lock: one durable ledger entry (the lock's), as the event sink
 * writes it; each live reveal adds one more (its `remask`). */
static void
measure_append (Bench *bench, guint runs)
{
  g_autoptr (GArray) times = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);

  for (guint run = 0; run < runs; run++)
    {
      AgGuardEvent event = {
        .kind = AG_GUARD_EVENT_LOCK,
        .time_us = bench->now,
        .user = ag_guard_get_user (bench->guard),
        .cause = AG_LOCK_CAUSE_MANUAL,
      };
      gint64 start = g_get_monotonic_time ();
      gint64 elapsed;

      event_cb (&event, bench);
      elapsed = g_get_monotonic_time () - start;
      g_array_append_val (times, elapsed);
    }
  print_times ("ledger-append (one entry, synchronous=FULL) ", times);
}

static gboolean
measure (Bench *bench, const Trigger *trigger, guint runs, guint n_reveals)
{
  g_autoptr (GArray) times = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  g_autoptr (GArray) durable = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  gint64 p50, p99, max;

  for (guint run = 0; run < runs; run++)
    {
      gint64 latency;

      prepare_run (bench, run, n_reveals);
      trigger->fire (bench);
      latency = finish_run (bench);
      g_array_append_val (times, latency);
      latency = bench->durable_at - bench->fired_at;
      g_array_append_val (durable, latency);
    }
  g_array_sort (durable, compare_gint64);
  g_print ("ledgered     %-8s reveals=%u runs=%u  p50 %.3f ms  p99 %.3f ms  (not waited for)\n",
           trigger->name, n_reveals, runs, percentile (durable, 0.50) / 1000.0,
           percentile (durable, 0.99) / 1000.0);
  g_array_sort (times, compare_gint64);
  p50 = percentile (times, 0.50);
  p99 = percentile (times, 0.99);
  max = g_array_index (times, gint64, times->len - 1);
  g_print ("lock-latency %-8s reveals=%u runs=%u  p50 %.3f ms  p99 %.3f ms  max %.3f ms  %s\n",
           trigger->name, n_reveals, runs, p50 / 1000.0, p99 / 1000.0, max / 1000.0,
           p99 <= 16000 ? "(target <= 16 ms: met)" : "(target <= 16 ms: MISSED)");
  return p99 <= 16000;
}

int
main (int argc, char **argv)
{
  static const Trigger triggers[] = {
    { "deadline", fire_deadline },
    { "dbus", fire_dbus },
  };
  guint runs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 200;
  guint n_reveals = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 3;
  Bench bench = { 0 };
  gboolean met = TRUE;

#if !DEVELOPMENT
  g_printerr ("bench-lock needs a development build (AG_PAM_CONFDIR)\n");
  return 77;
#endif
  if (runs == 0)
    runs = 1;

  set_up (&bench);
  measure_append (&bench, runs);
  for (guint t = 0; t < G_N_ELEMENTS (triggers); t++)
    {
      met &= measure (&bench, &triggers[t], runs, 0);
      if (n_reveals > 0)
        met &= measure (&bench, &triggers[t], runs, n_reveals);
    }
  tear_down (&bench);

  /* The figures are the result; a missed target is reported, not a failure. */
  if (!met)
    g_print ("lock-latency: the 16 ms target was missed\n");
  return EXIT_SUCCESS;
}
