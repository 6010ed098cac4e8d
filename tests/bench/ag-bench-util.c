/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ag-bench-util.h"

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

gint64
ag_bench_percentile (GArray *samples, guint percent)
{
  g_return_val_if_fail (samples->len > 0, 0);

  g_array_sort (samples, compare_gint64);
  return g_array_index (samples, gint64, MIN ((samples->len * percent) / 100, samples->len - 1));
}

gint64
ag_bench_print_percentiles (const char *what, GArray *samples)
{
  gint64 p50 = ag_bench_percentile (samples, 50);
  gint64 p99 = ag_bench_percentile (samples, 99);

  printf ("%-44s p50 %.3f ms, p99 %.3f ms (%u samples)\n", what, p50 / 1000.0, p99 / 1000.0,
          samples->len);
  return p99;
}

gint64
ag_bench_file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : 0;
}

gboolean
ag_bench_fdatasync_floor (const char *dir, gsize bytes, guint count, GArray *samples)
{
  g_autofree char *path = g_build_filename (dir, "floor.bin", NULL);
  g_autofree guint8 *block = g_malloc0 (MAX (bytes, 1));
  gboolean ok = TRUE;
  int fd;

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return FALSE;
  for (guint i = 0; i < count && ok; i++)
    {
      gint64 start = g_get_monotonic_time ();

      block[0] = (guint8) i;
      ok = write (fd, block, bytes) == (ssize_t) bytes && fdatasync (fd) == 0;
      g_array_append_val (samples, (gint64){ g_get_monotonic_time () - start });
    }
  if (!ok)
    {
      int saved_errno = errno;

      close (fd);
      g_unlink (path);
      errno = saved_errno;
      return FALSE;
    }
  close (fd);
  g_unlink (path);
  return TRUE;
}
