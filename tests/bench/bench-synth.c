/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ag-synth.h"

/* How many synthetic customers AgSynth makes per second, values freed included. The store's
 * import must reach 50,000 customers/s with sealing and SQLite, so this should be at least
 * ten times that.
 *   bench-synth [COUNT] */
int
main (int argc, char **argv)
{
  g_autoptr (AgSynth) synth = ag_synth_new (42);
  AgCustomerData customer = { 0 };
  guint64 count = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 2000000;
  gint64 start, elapsed;

  if (count == 0)
    {
      fprintf (stderr, "usage: bench-synth [COUNT]\n");
      return EXIT_FAILURE;
    }

  start = g_get_monotonic_time ();
  for (guint64 i = 0; i < count; i++)
    ag_synth_next (synth, &customer);
  ag_customer_data_clear (&customer);
  elapsed = MAX (g_get_monotonic_time () - start, 1);

  printf ("ag_synth_next: %" G_GUINT64_FORMAT " customers in %.3f s: %.0f customers/s\n", count,
          elapsed / 1e6, count / (elapsed / 1e6));
  return EXIT_SUCCESS;
}
