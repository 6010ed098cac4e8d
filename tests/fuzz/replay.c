/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Replays inputs through a libFuzzer harness without libFuzzer, so `meson test` runs every
 * corpus entry in any build (and under ASan/UBSan in the sanitizer build):
 *   fuzz-replay-NAME [PATH…]
 * Each PATH is a corpus directory (every regular file in it, sorted) or a single file.
 * A few edge inputs are always run first: empty, every 1-byte input, 64 kB of 0xff and
 * 64 kB of ASCII digits. Output is TAP, one line per input; a crash or a sanitizer report
 * ends the program and fails the test.
 */

#define G_LOG_DOMAIN "ag-fuzz-replay"

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
/* Optional in a harness, as with libFuzzer. */
int
LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

#define BIG_INPUT_SIZE (64 * 1024)

static guint n_run;

/* Runs one input from an exactly sized heap copy, so that ASan sees any read past its end
 * (a pointer into a larger buffer would hide it). */
static void
run_one (const char *name, const guint8 *data, gsize size)
{
  guint8 *copy = malloc (size > 0 ? size : 1);

  g_assert (copy != NULL);
  if (size > 0)
    memcpy (copy, data, size);
  /* Flush before the call: if it crashes, the log shows which input did it. */
  printf ("# running %s (%" G_GSIZE_FORMAT " bytes)\n", name, size);
  fflush (stdout);
  LLVMFuzzerTestOneInput (copy, size);
  free (copy);
  n_run++;
  printf ("ok %u - %s\n", n_run, name);
  fflush (stdout);
}

static void
run_edge_inputs (void)
{
  g_autofree guint8 *big = g_malloc (BIG_INPUT_SIZE);

  run_one ("edge: empty", (const guint8 *) "", 0);
  for (guint b = 0; b < 256; b++)
    {
      guint8 byte = (guint8) b;
      g_autofree char *name = g_strdup_printf ("edge: 1 byte 0x%02x", b);

      run_one (name, &byte, 1);
    }
  memset (big, 0xff, BIG_INPUT_SIZE);
  run_one ("edge: 64 kB of 0xff", big, BIG_INPUT_SIZE);
  for (gsize i = 0; i < BIG_INPUT_SIZE; i++)
    big[i] = (guint8) ('0' + i % 10);
  run_one ("edge: 64 kB of digits", big, BIG_INPUT_SIZE);
}

static gboolean
run_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr (GError) error = NULL;

  if (!g_file_get_contents (path, &contents, &len, &error))
    {
      printf ("not ok %u - %s: %s\n", ++n_run, path, error->message);
      return FALSE;
    }
  run_one (path, (const guint8 *) contents, len);
  return TRUE;
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static gboolean
run_dir (const char *path, guint *n_files)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  const char *entry;
  gboolean ok = TRUE;

  dir = g_dir_open (path, 0, &error);
  if (dir == NULL)
    {
      printf ("not ok %u - %s: %s\n", ++n_run, path, error->message);
      return FALSE;
    }
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *full = g_build_filename (path, entry, NULL);

      if (entry[0] == '.' || !g_file_test (full, G_FILE_TEST_IS_REGULAR))
        continue;
      g_ptr_array_add (names, g_steal_pointer (&full));
    }
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    ok = run_file (g_ptr_array_index (names, i)) && ok;
  *n_files += names->len;
  return ok;
}

int
main (int argc, char **argv)
{
  gboolean ok = TRUE;
  guint n_files = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);

  run_edge_inputs ();

  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        ok = run_dir (argv[i], &n_files) && ok;
      else if (g_file_test (argv[i], G_FILE_TEST_IS_REGULAR))
        {
          ok = run_file (argv[i]) && ok;
          n_files++;
        }
      else
        {
          printf ("not ok %u - %s: no such file or directory\n", ++n_run, argv[i]);
          ok = FALSE;
        }
    }

  printf ("1..%u\n", n_run);
  printf ("# %u corpus file(s) and the edge inputs replayed\n", n_files);
  return ok ? 0 : 1;
}
