/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * libFuzzer harness for the CSV and JSON importers. The first byte picks the parser (even:
 * CSV, odd: JSON), the rest is the document. Invariants checked:
 *  - success: every customer has a valid id, a name and a line ≥ 1, lines only grow, ids
 *    are unique, and every value re-normalises to itself;
 *  - failure: the error is in AG_IMPORT_ERROR and its message starts with
 *    "FILENAME:LINE: " with LINE ≥ 1.
 */

#define G_LOG_DOMAIN "ag-fuzz-import"

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "ag-import.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
fail (const char *what)
{
  fprintf (stderr, "fuzz-import: invariant broken: %s\n", what);
  abort ();
}

static gboolean
id_is_valid (const char *id)
{
  gsize len = strlen (id);

  if (len < 1 || len > 64)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static void
check_result (GPtrArray *result)
{
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint64 last_line = 1;

  for (guint i = 0; i < result->len; i++)
    {
      AgCustomerData *customer = g_ptr_array_index (result, i);

      if (customer->id == NULL || !id_is_valid (customer->id))
        fail ("invalid id accepted");
      if (!g_hash_table_add (ids, customer->id))
        fail ("duplicate id accepted");
      if (customer->values[AG_PII_KIND_NAME] == NULL)
        fail ("customer without a name accepted");
      if (customer->line < last_line)
        fail ("lines out of order");
      last_line = customer->line;

      for (guint k = 0; k < AG_PII_N_KINDS; k++)
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *again = NULL;

          if (customer->values[k] == NULL)
            continue;
          again = ag_pii_normalize ((AgPiiKind) k, customer->values[k], &error);
          if (again == NULL || strcmp (again, customer->values[k]) != 0)
            fail ("a value does not re-normalise to itself");
        }
    }
}

static void
check_error (const GError *error, const char *filename)
{
  gsize len = strlen (filename);
  const char *p;

  if (error == NULL || error->domain != AG_IMPORT_ERROR)
    fail ("failure without an import error");
  if (strncmp (error->message, filename, len) != 0 || error->message[len] != ':')
    fail ("error message does not start with the file name");

  p = error->message + len + 1;
  if (*p < '1' || *p > '9')
    fail ("error message has no line number");
  while (g_ascii_isdigit (*p))
    p++;
  if (p[0] != ':' || p[1] != ' ')
    fail ("error message has no “: ” after the line number");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GPtrArray) result = NULL;
  g_autoptr (GError) error = NULL;
  const char *filename;
  const char *doc;
  gsize len;

  if (size < 1)
    return 0;

  doc = (const char *) data + 1;
  len = size - 1;

  if ((data[0] & 1) == 0)
    {
      filename = "fuzz.csv";
      result = ag_import_parse_csv (filename, doc, len, &error);
    }
  else
    {
      filename = "fuzz.json";
      result = ag_import_parse_json (filename, doc, len, &error);
    }

  if (result != NULL)
    {
      if (error != NULL)
        fail ("success with an error set");
      check_result (result);
    }
  else
    check_error (error, filename);

  return 0;
}
