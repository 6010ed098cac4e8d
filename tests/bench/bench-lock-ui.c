/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Lock latency as the agent sees it (issue 5): from the moment a lock is due until the
 * first frame the window paints (GdkFrameClock::after-paint of its surface) after its
 * record page was finalized and with no AgMaskedLabel left anywhere in its widget tree.
 * Target: at most 16 ms at the 99th percentile (one frame at 60 Hz). bench-lock measures
 * the core part of the way (until AgGuard is LOCKED with the values wiped).
 *
 * Each run: a signed-in AgWindow on a synthetic store shows a customer's record page with
 * 1 to 3 fields revealed through the reveal dialog, as an agent does (a new customer every
 * ten runs, through the search; in between, the one the window comes back to after the
 * sign-in); then the lock:
 *   deadline  the injected guard clock is moved to ag_guard_get_idle_deadline() and
 *             ag_guard_process_time() called, as the guard's timer does;
 *   dbus      org.freedesktop.ScreenSaver ActiveChanged(true), sent on the session bus by
 *             another connection, through the window's AgDesktopMonitor.
 * Both are fired with the window at rest, as it is when the idle deadline or the screen
 * saver comes: no frame painted for 50 ms and the text caret no longer blinking. The
 * third, dbus-busy, fires the signal right after the reveals with the caret blinking (a
 * logind Lock from Super+L, say), where the lock waits for the frame under way.
 * The window then signs in again on its lock page (real libpam with the test module
 * pam_agtest) for the next run. Besides the figure against the target, it prints where the
 * time goes: until the record page was finalized (the lock and the teardown); until the
 * frame that shows the locked window began, by its frame time (the frame clock keeps to
 * the display's refresh) and by its before-paint signal (when it really began); and that
 * frame's layout phase and paint phase (GSK's render, handed to the display).
 *
 *   bench-lock-ui [RUNS]     (RUNS per trigger, 100 by default)
 *
 * Needs a development build (AG_PAM_CONFDIR), AG_BUILD_ROOT (for pam_agtest.so), a display
 * and a session bus with a Secret Service: meson runs it under tests/run-test.sh --display.
 */

#include "config.h"

#include <adwaita.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "ag-desktop-monitor.h"
#include "ag-field-row.h"
#include "ag-keyring.h"
#include "ag-masked-label.h"
#include "ag-record-page.h"
#include "ag-reveal-dialog.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"
#include "ag-test-window.h"
#include "ag-window.h"

#define SECOND      ((gint64) G_USEC_PER_SEC)
#define N_CUSTOMERS 30
#define TARGET_US   16000
/* Runs on one customer before the next is opened through the search. */
#define CUSTOMER_RUNS 10
/* pam_agtest's two prompts, answered alike. */
#define ANSWER "424242"

typedef struct _Bench Bench;

typedef struct
{
  const char *name;
  void (*fire) (Bench *bench); /* makes the lock due; sets bench->fired_at */
  gboolean at_rest;            /* fire once the window paints no frames (see measure()) */
} Trigger;

struct _Bench
{
  char *dir;
  char *store_path;
  char *store_id;
  GPtrArray *customers; /* AgCustomerData*, clear copies */
  gint64 now;           /* the guard's clock */
  AgGuard *guard;
  AgWindow *window;
  GDBusConnection *session;
  GDBusConnection *sender; /* plays the screen saver */
  AgDesktopMonitor *monitor;
  GdkFrameClock *clock;

  AgRecordPage *page;    /* weak: NULL once finalized */
  gboolean waiting;      /* for the first clean frame after the lock */
  gint64 fired_at;       /* monotonic */
  gint64 gone_at;        /* monotonic; the record page was finalized */
  gint64 started_at;     /* monotonic; when the frame of painted_at began (its frame time) */
  gint64 begun_at;       /* monotonic; before-paint of the latest frame (its real start) */
  gint64 laid_out_at;    /* monotonic; the end of the latest frame's layout phase */
  gint64 frame_begun_at; /* monotonic; before-paint of the frame of painted_at */
  gint64 layout_us;      /* of the frame of painted_at: before-paint to the end of layout */
  gint64 paint_us;       /* of the frame of painted_at: the end of layout to after-paint */
  gint64 painted_at;     /* monotonic; 0 until the first frame without PII widgets */
  gint64 last_paint;     /* monotonic; the last frame painted, whatever it showed */
};

static gint64
bench_clock (gpointer data)
{
  return ((Bench *) data)->now;
}

static void
write_file (const char *path, const char *contents)
{
  g_autoptr (GError) error = NULL;

  g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_NONE, 0644, &error);
  g_assert_no_error (error);
}

/* Looking at widgets -------------------------------------------------------------------- */

/* The end point: no field widget of a customer is left anywhere in the window. */
static gboolean
no_pii_widgets (Bench *bench)
{
  return bench->page == NULL
         && ag_test_find_type (GTK_WIDGET (bench->window), AG_TYPE_MASKED_LABEL) == NULL;
}

/* The phases of each frame, connected after GTK's own handlers: before-paint marks the
 * frame's start, layout the end of measuring and allocating, after-paint the end of
 * drawing it (GSK's render, handed to the display). */
static void
before_paint_cb (GdkFrameClock *clock, Bench *bench)
{
  bench->begun_at = g_get_monotonic_time ();
}

static void
layout_cb (GdkFrameClock *clock, Bench *bench)
{
  bench->laid_out_at = g_get_monotonic_time ();
}

static void
after_paint_cb (GdkFrameClock *clock, Bench *bench)
{
  gint64 now = g_get_monotonic_time ();
  GdkFrameTimings *timings = gdk_frame_clock_get_current_timings (clock);

  bench->last_paint = now;
  if (!bench->waiting || !no_pii_widgets (bench))
    return;
  bench->painted_at = now;
  bench->frame_begun_at = bench->begun_at;
  bench->layout_us = bench->laid_out_at - bench->begun_at;
  bench->paint_us = now - bench->laid_out_at;
  /* Both on the monotonic clock. */
  bench->started_at = timings != NULL ? gdk_frame_timings_get_frame_time (timings) : now;
  bench->waiting = FALSE;
}

static void
page_finalized_cb (gpointer data, GObject *where_the_page_was)
{
  Bench *bench = data;

  bench->gone_at = g_get_monotonic_time ();
  bench->page = NULL;
}

/* Driving the window -------------------------------------------------------------------- */

static void
sign_in (Bench *bench)
{
  GtkWidget *page = ag_test_find_lock_page (GTK_WIDGET (bench->window));
  GtkWidget *button = page != NULL ? ag_test_find_sign_in_button (page) : NULL;

  g_assert_nonnull (button);
  g_assert_cmpint (ag_guard_get_state (bench->guard), ==, AG_GUARD_STATE_LOCKED);
  g_signal_emit_by_name (button, "clicked");
  ag_test_answer_prompts (page, bench->guard, ANSWER, ANSWER);
  if (ag_guard_get_state (bench->guard) != AG_GUARD_STATE_UNLOCKED)
    g_error ("The sign-in failed");
}

/* Reveals up to @n fields of @page that need no step-up; returns how many. */
static guint
reveal_fields (AgRecordPage *page, guint n)
{
  static const AgPiiKind kinds[] = { AG_PII_KIND_CPF,        AG_PII_KIND_PHONE,   AG_PII_KIND_EMAIL,
                                     AG_PII_KIND_BIRTH_DATE, AG_PII_KIND_ADDRESS, AG_PII_KIND_RG };
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();
  guint revealed = 0;

  ag_test_collect_type (GTK_WIDGET (page), AG_TYPE_FIELD_ROW, rows);
  for (guint k = 0; k < G_N_ELEMENTS (kinds) && revealed < n; k++)
    for (guint i = 0; i < rows->len && revealed < n; i++)
      {
        AgFieldRow *row = g_ptr_array_index (rows, i);

        if (ag_field_get_kind (ag_field_row_get_field (row)) != kinds[k]
            || !ag_field_row_get_can_reveal (row))
          continue;
        ag_test_reveal_field (row, "customer-request");
        revealed++;
      }
  return revealed;
}

/* Set-up -------------------------------------------------------------------------------- */

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
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (GVariant) reply = NULL;
  const char *build_root = g_getenv ("AG_BUILD_ROOT");

  if (build_root == NULL)
    g_error ("AG_BUILD_ROOT must name the build folder (for tests/pam_agtest.so)");

  bench->dir = g_dir_make_tmp ("ag-bench-lock-ui-XXXXXX", &error);
  g_assert_no_error (error);

  /* Two prompts in one batch: two factors, and no TOTP code to run out of. */
  pam_dir = g_build_filename (bench->dir, "pam", NULL);
  g_mkdir (pam_dir, 0700);
  module = g_build_filename (build_root, "tests", "pam_agtest.so", NULL);
  stack = g_strdup_printf ("auth required %s batch first=" ANSWER " second=" ANSWER "\n"
                           "account required pam_permit.so\n",
                           module);
  service = g_build_filename (pam_dir, AG_AUTH_SERVICE, NULL);
  write_file (service, stack);
  g_setenv ("AG_PAM_CONFDIR", pam_dir, TRUE);

  /* The system layer: reveals outlive the idle time, so the lock is what ends them; no
   * focus-loss re-masking (Xvfb has no window manager to give the focus back when the
   * reveal dialog closes); no warning before the lock. */
  policy_dir = g_build_filename (bench->dir, "policy", NULL);
  g_mkdir (policy_dir, 0700);
  policy_file = g_build_filename (policy_dir, "policy.conf", NULL);
  write_file (policy_file, "[policy]\nidle-lock=30\nlock-warning=0\nreveal-duration=300\n"
                           "max-reveals-per-hour=1000\nremask-on-focus-loss=false\n");
  paths = ag_policy_paths_new (policy_dir, NULL, NULL);

  bench->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  bench->store_path = g_build_filename (bench->dir, "store.db", NULL);
  bench->store_id = ag_test_make_store (bench->store_path, 20260505, N_CUSTOMERS, bench->customers);

  /* The D-Bus trigger: one connection for the window's monitor, one to send. */
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
  AG_TEST_WAIT_UNTIL (ag_desktop_monitor_get_ready (bench->monitor));

  bench->now = G_GINT64_CONSTANT (1700000000) * SECOND;
  bench->guard = ag_guard_new (&error);
  g_assert_no_error (error);
  ag_guard_set_clock (bench->guard, bench_clock, bench);

  bench->window
    = g_object_new (AG_TYPE_WINDOW, "store-path", bench->store_path, "guard", bench->guard,
                    "policy-paths", paths, "desktop-monitor", bench->monitor, NULL);
  gtk_window_present (GTK_WINDOW (bench->window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (bench->window)));
  sign_in (bench);
  AG_TEST_WAIT_UNTIL (ag_window_get_state (bench->window) == AG_WINDOW_STATE_READY);
  ag_test_spin ();

  bench->clock = g_object_ref (gtk_widget_get_frame_clock (GTK_WIDGET (bench->window)));
  g_signal_connect (bench->clock, "before-paint", G_CALLBACK (before_paint_cb), bench);
  g_signal_connect (bench->clock, "layout", G_CALLBACK (layout_cb), bench);
  g_signal_connect (bench->clock, "after-paint", G_CALLBACK (after_paint_cb), bench);
}

static void
tear_down (Bench *bench)
{
  g_signal_handlers_disconnect_by_data (bench->clock, bench);
  g_clear_object (&bench->clock);
  gtk_window_destroy (GTK_WINDOW (bench->window));
  AG_TEST_WAIT_UNTIL (ag_guard_get_n_running (bench->guard) == 0);
  ag_test_spin ();
  g_clear_object (&bench->guard);
  g_clear_object (&bench->monitor);
  g_clear_object (&bench->sender);
  g_clear_object (&bench->session);
  ag_keyring_delete_keys (bench->store_id, NULL, NULL);
  g_ptr_array_unref (bench->customers);
  ag_test_remove_tree (bench->dir);
  g_free (bench->dir);
  g_free (bench->store_path);
  g_free (bench->store_id);
}

/* Runs ----------------------------------------------------------------------------------- */

/* The record page the window shows, once it shows a record. */
static AgRecordPage *
shown_page (Bench *bench)
{
  GtkWidget *page = ag_test_find_type (GTK_WIDGET (bench->window), AG_TYPE_RECORD_PAGE);

  return page != NULL && ag_record_page_get_record (AG_RECORD_PAGE (page)) != NULL
           ? AG_RECORD_PAGE (page)
           : NULL;
}

/* Signs in when locked and reveals 1 to 3 fields of a customer; returns how many. After a
 * sign-in the window is back on the customer it showed: a new one every CUSTOMER_RUNS runs
 * is opened through the search. */
static guint
prepare_run (Bench *bench, guint run)
{
  AgRecordPage *page;
  guint revealed;

  if (ag_guard_get_state (bench->guard) == AG_GUARD_STATE_LOCKED)
    {
      /* A new hour for every run: the reveal quota never gets in the way. */
      bench->now += 2 * 3600 * SECOND;
      sign_in (bench);
    }
  if (run % CUSTOMER_RUNS == 0)
    {
      AgCustomerData *customer
        = g_ptr_array_index (bench->customers, (run / CUSTOMER_RUNS) % bench->customers->len);

      page = ag_test_open_customer (bench->window, customer->id);
    }
  else
    AG_TEST_WAIT_UNTIL ((page = shown_page (bench)) != NULL);
  ag_test_spin ();
  revealed = reveal_fields (page, 1 + run % 3);
  if (revealed == 0)
    g_error ("A customer has no field to reveal");
  /* Let the revealed page reach the screen before the lock. */
  ag_test_spin ();

  bench->page = page;
  g_object_weak_ref (G_OBJECT (page), page_finalized_cb, bench);
  bench->gone_at = 0;
  bench->started_at = 0;
  bench->painted_at = 0;
  bench->waiting = TRUE;
  return revealed;
}

/* Waits until the window has painted no frame for three refresh intervals. */
static void
wait_for_rest (Bench *bench)
{
  AG_TEST_WAIT_UNTIL (g_get_monotonic_time () - bench->last_paint > 50 * 1000);
}

static void
fire_deadline (Bench *bench)
{
  gint64 deadline = ag_guard_get_idle_deadline (bench->guard);

  g_assert_cmpint (deadline, >, bench->now);
  bench->now = deadline;
  bench->fired_at = g_get_monotonic_time ();
  ag_guard_process_time (bench->guard);
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

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static gint64
percentile (GArray *sorted, double p)
{
  guint i = (guint) (p * (sorted->len - 1) + 0.5);

  return g_array_index (sorted, gint64, MIN (i, sorted->len - 1));
}

static void
print_times (const char *what, const Trigger *trigger, guint runs, GArray *times, gboolean target)
{
  gint64 p99;

  g_array_sort (times, compare_gint64);
  p99 = percentile (times, 0.99);
  g_print ("%-15s %-8s reveals=1-3 runs=%u  p50 %.3f ms  p99 %.3f ms  max %.3f ms%s\n", what,
           trigger->name, runs, percentile (times, 0.50) / 1000.0, p99 / 1000.0,
           g_array_index (times, gint64, times->len - 1) / 1000.0,
           !target            ? ""
           : p99 <= TARGET_US ? "  target <= 16 ms: met"
                              : "  target <= 16 ms: MISSED");
}

static gboolean
measure (Bench *bench, const Trigger *trigger, guint runs)
{
  g_autoptr (GArray) painted = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  g_autoptr (GArray) gone = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  g_autoptr (GArray) started = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  g_autoptr (GArray) begun = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  g_autoptr (GArray) layout = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  g_autoptr (GArray) paint = g_array_sized_new (FALSE, FALSE, sizeof (gint64), runs);
  guint n_reveals = 0;

  for (guint run = 0; run < runs; run++)
    {
      gint64 latency;

      n_reveals += prepare_run (bench, run);
      if (trigger->at_rest)
        wait_for_rest (bench);
      trigger->fire (bench);
      AG_TEST_WAIT_UNTIL (bench->painted_at != 0);

      /* The lock did its whole job. */
      g_assert_cmpint (ag_guard_get_state (bench->guard), ==, AG_GUARD_STATE_LOCKED);
      g_assert_cmpuint (g_list_model_get_n_items (ag_guard_get_reveals (bench->guard)), ==, 0);
      g_assert_null (ag_test_find_type (GTK_WIDGET (bench->window), AG_TYPE_FIELD_ROW));
      g_assert_cmpint (bench->gone_at, >=, bench->fired_at);

      latency = bench->painted_at - bench->fired_at;
      g_array_append_val (painted, latency);
      latency = bench->gone_at - bench->fired_at;
      g_array_append_val (gone, latency);
      latency = bench->started_at - bench->fired_at;
      g_array_append_val (started, latency);
      latency = bench->frame_begun_at - bench->fired_at;
      g_array_append_val (begun, latency);
      g_array_append_val (layout, bench->layout_us);
      g_array_append_val (paint, bench->paint_us);
    }
  g_print ("%-15s %-8s %u fields revealed over %u runs\n", "", trigger->name, n_reveals, runs);
  print_times ("page-finalized", trigger, runs, gone, FALSE);
  print_times ("frame-started", trigger, runs, started, FALSE);
  print_times ("frame-begun", trigger, runs, begun, FALSE);
  print_times ("frame-layout", trigger, runs, layout, FALSE);
  print_times ("frame-paint", trigger, runs, paint, FALSE);
  print_times ("lock-ui-latency", trigger, runs, painted, TRUE);
  g_array_sort (painted, compare_gint64);
  return percentile (painted, 0.99) <= TARGET_US;
}

int
main (int argc, char **argv)
{
  static const Trigger triggers[] = {
    { "deadline", fire_deadline, TRUE },
    { "dbus", fire_dbus, TRUE },
    { "dbus-busy", fire_dbus, FALSE },
  };
  guint runs = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 100;
  Bench bench = { 0 };
  gboolean met = TRUE;

#if !DEVELOPMENT
  g_printerr ("bench-lock-ui needs a development build (AG_PAM_CONFDIR)\n");
  return 77;
#endif
  if (runs == 0)
    runs = 1;

  gtk_init ();
  adw_init ();
  set_up (&bench);
  g_print ("GSK renderer: %s\n",
           G_OBJECT_TYPE_NAME (gtk_native_get_renderer (GTK_NATIVE (bench.window))));
  for (guint t = 0; t < G_N_ELEMENTS (triggers); t++)
    {
      /* At rest, the text caret no longer blinks: GTK stops it gtk-cursor-blink-timeout
       * (10 s) after the last key, long before any idle deadline or screen saver. Busy,
       * it blinks, as right after typing, and GTK draws it on every frame. */
      g_object_set (gtk_settings_get_default (), "gtk-cursor-blink", !triggers[t].at_rest, NULL);
      met &= measure (&bench, &triggers[t], runs);
    }
  tear_down (&bench);

  /* The figures are the result; a missed target is reported, not a failure. */
  if (!met)
    g_print ("lock-ui-latency: the 16 ms target was missed\n");
  return EXIT_SUCCESS;
}
