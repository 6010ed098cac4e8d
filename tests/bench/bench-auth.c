/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Main-loop stall during failed authentications: N sign-ins with a wrong password
 * through real PAM (pam_matrix, and pam_faildelay so that libpam sleeps a failure
 * delay), while a 1 ms timeout records the gap between its runs. Reports the longest gap
 * and the 99th percentile; the target is at most 16 ms (one frame at 60 Hz).
 *
 *   bench-auth [N] [DELAY_US]      (development builds: uses AG_PAM_CONFDIR)
 */

#include "config.h"

#include <stdlib.h>

#include <glib/gstdio.h>

#include "ag-auth-session.h"

#define MATRIX    "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_matrix.so"
#define FAILDELAY "/lib/x86_64-linux-gnu/security/pam_faildelay.so"

typedef struct
{
  GArray *gaps; /* of gint64, microseconds */
  gint64 last;
  gboolean done;
  gboolean ok;
  GError *error;
} Bench;

static gboolean
tick_cb (gpointer data)
{
  Bench *bench = data;
  gint64 now = g_get_monotonic_time ();

  if (bench->last != 0)
    {
      gint64 gap = now - bench->last;

      g_array_append_val (bench->gaps, gap);
    }
  bench->last = now;
  return G_SOURCE_CONTINUE;
}

static void
conversation_cb (AgAuthSession *session, AgAuthBatch *batch, gpointer data)
{
  for (guint i = 0; i < ag_auth_batch_get_n_messages (batch); i++)
    if (ag_auth_batch_is_prompt (batch, i))
      ag_auth_batch_set_answer (batch, i, "wrong-password");
  if (ag_auth_batch_needs_reply (batch))
    ag_auth_batch_reply (batch);
}

static void
authenticate_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  Bench *bench = data;

  bench->ok = ag_auth_session_authenticate_finish (AG_AUTH_SESSION (source), result, &bench->error);
  bench->done = TRUE;
}

static guint
count_over (GArray *gaps, gint64 limit)
{
  guint n = 0;

  for (guint i = 0; i < gaps->len; i++)
    if (g_array_index (gaps, gint64, i) > limit)
      n++;
  return n;
}

static int
compare_gaps (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL, *passdb = NULL, *service = NULL, *stack = NULL, *line = NULL;
  guint n = argc > 1 ? (guint) atoi (argv[1]) : 8;
  guint delay = argc > 2 ? (guint) atoi (argv[2]) : 500000;
  Bench bench = { 0 };
  guint tick_id;
  gint64 start, max, p99;

#if !DEVELOPMENT
  g_printerr ("bench-auth needs a development build (AG_PAM_CONFDIR)\n");
  return 77;
#endif

  dir = g_dir_make_tmp ("ag-bench-pam-XXXXXX", &error);
  g_assert_no_error (error);
  passdb = g_build_filename (dir, "passdb", NULL);
  service = g_build_filename (dir, AG_AUTH_SERVICE, NULL);
  line = g_strdup_printf ("%s:right-password:%s\n", g_get_user_name (), AG_AUTH_SERVICE);
  g_file_set_contents (passdb, line, -1, &error);
  g_assert_no_error (error);
  stack = g_strdup_printf ("auth optional " FAILDELAY " delay=%u\n"
                           "auth required " MATRIX " passdb=%s\n"
                           "account required " MATRIX " passdb=%s\n",
                           delay, passdb, passdb);
  g_file_set_contents (service, stack, -1, &error);
  g_assert_no_error (error);
  g_setenv ("AG_PAM_CONFDIR", dir, TRUE);

  /* The noise floor: the same timeout with nothing else running, for about as long as
   * the sign-ins take. */
  {
    Bench idle = { g_array_new (FALSE, FALSE, sizeof (gint64)) };
    gint64 end = g_get_monotonic_time () + (gint64) n * delay;

    tick_id = g_timeout_add (1, tick_cb, &idle);
    while (g_get_monotonic_time () < end)
      g_main_context_iteration (NULL, TRUE);
    g_source_remove (tick_id);
    g_array_sort (idle.gaps, compare_gaps);
    g_print ("baseline, no PAM (%.1f s, %u ticks): max %.2f ms, p99 %.2f ms, gaps over 16 ms: "
             "%u\n",
             n * delay / 1e6, idle.gaps->len,
             g_array_index (idle.gaps, gint64, idle.gaps->len - 1) / 1000.0,
             g_array_index (idle.gaps, gint64, (idle.gaps->len * 99) / 100) / 1000.0,
             count_over (idle.gaps, 16000));
    g_array_unref (idle.gaps);
  }

  bench.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  tick_id = g_timeout_add (1, tick_cb, &bench);
  start = g_get_monotonic_time ();

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AgAuthSession) session = ag_auth_session_new (&error);

      g_assert_no_error (error);
      g_signal_connect (session, "conversation", G_CALLBACK (conversation_cb), NULL);
      bench.done = FALSE;
      ag_auth_session_authenticate_async (session, NULL, authenticate_cb, &bench);
      while (!bench.done)
        g_main_context_iteration (NULL, TRUE);
      g_assert_false (bench.ok);
      g_assert_error (bench.error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED);
      g_clear_error (&bench.error);
    }

  g_source_remove (tick_id);
  g_assert_cmpuint (bench.gaps->len, >, 0);
  g_array_sort (bench.gaps, compare_gaps);
  max = g_array_index (bench.gaps, gint64, bench.gaps->len - 1);
  p99 = g_array_index (bench.gaps, gint64, (bench.gaps->len * 99) / 100);

  g_print ("failed sign-ins: %u, PAM failure delay requested: %u ms, total %.2f s, gaps over "
           "16 ms: %u\n",
           n, delay / 1000, (g_get_monotonic_time () - start) / 1e6,
           count_over (bench.gaps, 16000));
  g_print ("main-loop gap (1 ms timeout, %u ticks): max %.2f ms, p99 %.2f ms (target <= 16 ms)\n",
           bench.gaps->len, max / 1000.0, p99 / 1000.0);

  g_unlink (service);
  g_unlink (passdb);
  g_rmdir (dir);
  g_array_unref (bench.gaps);
  if (max > 16000)
    g_print ("OVER TARGET: the main loop stalled longer than one frame\n");
  return 0;
}
