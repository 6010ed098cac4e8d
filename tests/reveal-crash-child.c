/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/* The process test-reveal-crash kills: opens the store, says "ready", waits for a byte on
 * stdin, then reveals in a loop and, after each value it got,
 * writes "SEQ<TAB>RECORD<TAB>KIND<TAB>VALUE" to stdout in one write(2), so the test knows
 * exactly which values were handed out before the SIGKILL. Values are synthetic.
 *
 *   reveal-crash-child STORE RECORD:KIND…
 */

#define G_LOG_DOMAIN "reveal-crash-child"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ag-sqlite-store.h"

static gboolean
write_all (const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = write (STDOUT_FILENO, data, len);

      if (n < 0)
        return FALSE;
      data += n;
      len -= n;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSqliteStore) store = NULL;
  g_autofree char *session = g_strdup_printf ("crash-%d", (int) getpid ());

  if (argc < 3)
    {
      g_printerr ("usage: %s STORE RECORD:KIND…\n", argv[0]);
      return 2;
    }

  store = ag_sqlite_store_open (argv[1], AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  if (store == NULL)
    {
      g_printerr ("%s: cannot open the store: %s\n", argv[0], error->message);
      return 1;
    }
  if (!write_all ("ready\n", 6))
    return 1;
  /* Start revealing when told (one byte on stdin): the test starts the next children
   * while it checks the store, without them competing for the CPU. */
  {
    char go;

    if (read (STDIN_FILENO, &go, 1) != 1)
      return 1;
  }

  for (guint64 i = 0;; i++)
    {
      const char *target = argv[2 + i % (argc - 2)];
      const char *colon = strchr (target, ':');
      g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_REVEAL);
      g_autoptr (AgSecret) value = NULL;
      g_autoptr (GString) line = NULL;
      const char *data;
      gsize len;

      g_assert (colon != NULL);
      entry->user = g_strdup ("agente-crash");
      entry->host = g_strdup ("pa-crash");
      entry->session_id = g_strdup (session);
      entry->record_id = g_strndup (target, colon - target);
      entry->field_kind = atoi (colon + 1);
      entry->reason = g_strdup ("customer-request");

      value = ag_store_reveal (AG_STORE (store), entry, 0, NULL, &error);
      if (value == NULL)
        {
          g_printerr ("%s: reveal failed: %s\n", argv[0], error->message);
          return 1;
        }

      data = (const char *) ag_secret_get_data (value, &len);
      line = g_string_new (NULL);
      g_string_printf (line, "%" G_GUINT64_FORMAT "\t%s\t%d\t", entry->seq, entry->record_id,
                       entry->field_kind);
      g_string_append_len (line, data, len);
      g_string_append_c (line, '\n');
      /* One write of less than PIPE_BUF: the test reads whole lines or nothing. */
      g_assert (line->len < 512);
      if (!write_all (line->str, line->len))
        return 1;
      explicit_bzero (line->str, line->len);
    }
}
