/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * What the benchmarks share: latency percentiles and the physical floor of a durable
 * commit, a bare write + fdatasync.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sorts @samples (gint64 µs) and returns its @percent-th percentile, in µs. */
gint64
ag_bench_percentile (GArray *samples, guint percent);

/* Prints "WHAT  p50 … ms, p99 … ms (N samples)" and returns the p99 in µs. */
gint64
ag_bench_print_percentiles (const char *what, GArray *samples);

gint64
ag_bench_file_size (const char *path);

/* The physical floor of a durable commit, one sample at a time, so that a benchmark can
 * interleave it with what it measures (both then see the same disk): each sample appends
 * @bytes to a new file in @dir and fdatasyncs it. */
typedef struct _AgBenchFloor AgBenchFloor;

/* NULL (errno set) when the file cannot be made. */
AgBenchFloor *
ag_bench_floor_new (const char *dir, gsize bytes);
/* The latency of one write + fdatasync in µs; -1 (errno set) when the disk fails. */
gint64
ag_bench_floor_sample (AgBenchFloor *floor);
/* Closes and removes the file. */
void
ag_bench_floor_free (AgBenchFloor *floor);

/* @count samples of the floor in a row, added to @samples. Returns FALSE (with errno set)
 * when the disk fails. */
gboolean
ag_bench_fdatasync_floor (const char *dir, gsize bytes, guint count, GArray *samples);

G_END_DECLS
