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

struct _AgBenchFloor
{
  char *path;
  guint8 *block;
  gsize bytes;
  guint n;
  int fd;
};

AgBenchFloor *
ag_bench_floor_new (const char *dir, gsize bytes)
{
  AgBenchFloor *floor = g_new0 (AgBenchFloor, 1);

  floor->path = g_build_filename (dir, "floor.bin", NULL);
  floor->bytes = MAX (bytes, 1);
  floor->block = g_malloc0 (floor->bytes);
  floor->fd = g_open (floor->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (floor->fd < 0)
    {
      int saved_errno = errno;

      g_free (floor->block);
      g_free (floor->path);
      g_free (floor);
      errno = saved_errno;
      return NULL;
    }
  return floor;
}

gint64
ag_bench_floor_sample (AgBenchFloor *floor)
{
  gint64 start = g_get_monotonic_time ();

  floor->block[0] = (guint8) floor->n++;
  if (write (floor->fd, floor->block, floor->bytes) != (ssize_t) floor->bytes
      || fdatasync (floor->fd) != 0)
    return -1;
  return g_get_monotonic_time () - start;
}

void
ag_bench_floor_free (AgBenchFloor *floor)
{
  int saved_errno = errno;

  close (floor->fd);
  g_unlink (floor->path);
  g_free (floor->block);
  g_free (floor->path);
  g_free (floor);
  errno = saved_errno;
}

gboolean
ag_bench_fdatasync_floor (const char *dir, gsize bytes, guint count, GArray *samples)
{
  AgBenchFloor *floor = ag_bench_floor_new (dir, bytes);

  if (floor == NULL)
    return FALSE;
  for (guint i = 0; i < count; i++)
    {
      gint64 sample = ag_bench_floor_sample (floor);

      if (sample < 0)
        {
          ag_bench_floor_free (floor);
          return FALSE;
        }
      g_array_append_val (samples, sample);
    }
  ag_bench_floor_free (floor);
  return TRUE;
}
