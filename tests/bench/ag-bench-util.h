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

/* Appends @bytes to a new file in @dir and fdatasyncs it, @count times, and adds the
 * latency of each (µs) to @samples. Returns FALSE (with errno set) when the disk fails. */
gboolean
ag_bench_fdatasync_floor (const char *dir, gsize bytes, guint count, GArray *samples);

G_END_DECLS
