/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The journal copy of the ledger. This machine runs no systemd-journald, so the test plays
 * its socket: in a mount namespace of its own it puts a tmpfs on /run and listens on
 * /run/systemd/journal/socket, where libsystemd's sd_journal_send() writes. The entries are
 * real ones, from a real store's reveal; only the receiving end is ours. Needs root (for
 * the namespace); skipped otherwise.
 */

#define G_LOG_DOMAIN "test-journal-mirror"
#define _GNU_SOURCE

#include "config.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "ag-keyring.h"
#include "ag-pii.h"
#include "ag-sqlite-store.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

#define JOURNAL_DIR    "/run/systemd/journal"
#define JOURNAL_SOCKET JOURNAL_DIR "/socket"
#define MESSAGE_ID     "e804004a72e80a6655a1dd41c65f925f"

/* Fields of one native-protocol datagram: KEY=VALUE lines (values here have no newline). */
static GHashTable *
parse_datagram (const char *data, gsize len)
{
  GHashTable *fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *text = g_strndup (data, len);
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *eq = strchr (lines[i], '=');

      if (eq != NULL)
        g_hash_table_insert (fields, g_strndup (lines[i], eq - lines[i]), g_strdup (eq + 1));
    }
  return fields;
}

static void
test_reveal_mirrored (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GPtrArray) customers
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autoptr (AgSecret) value = NULL;
  g_autoptr (GHashTable) fields = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *formatted = NULL;
  const AgCustomerData *customer = NULL;
  char buffer[65536];
  gssize received;

  if (getuid () != 0)
    {
      g_test_skip ("playing the journal's socket needs root (a mount namespace)");
      return;
    }
  if (unshare (CLONE_NEWNS) != 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
      || mount ("tmpfs", "/run", "tmpfs", 0, "mode=0755") != 0)
    {
      g_test_skip_printf ("no private mount namespace here: %s", g_strerror (errno));
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (JOURNAL_DIR, 0755), ==, 0);
  socket = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM, 0, &error);
  g_assert_no_error (error);
  address = g_unix_socket_address_new (JOURNAL_SOCKET);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  g_assert_no_error (error);

  dir = g_dir_make_tmp ("test-journal-mirror-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "store.db", NULL);
  store_id = ag_test_make_store (path, 2026, 5, customers);
  for (guint i = 0; i < customers->len && customer == NULL; i++)
    if (((AgCustomerData *) customers->pdata[i])->values[AG_PII_KIND_CPF] != NULL)
      customer = customers->pdata[i];
  g_assert_nonnull (customer);
  store = ag_sqlite_store_open (path, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);

  entry = ag_ledger_entry_new (AG_LEDGER_EVENT_REVEAL);
  entry->user = g_strdup ("agtest");
  entry->host = g_strdup ("host");
  entry->session_id = g_strdup ("s-journal");
  entry->record_id = g_strdup (customer->id);
  entry->field_kind = AG_PII_KIND_CPF;
  entry->reason = g_strdup ("identity-check");
  entry->ticket = g_strdup ("CH-2026-0042");
  value = ag_store_reveal (AG_STORE (store), entry, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (value);

  /* The entry was committed before the value came back, and mirrored after the commit. */
  received = g_socket_receive_with_blocking (socket, buffer, sizeof buffer, FALSE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (received, >, 0);
  fields = parse_datagram (buffer, received);
  g_assert_cmpstr (g_hash_table_lookup (fields, "MESSAGE_ID"), ==, MESSAGE_ID);
  g_assert_cmpstr (g_hash_table_lookup (fields, "SYSLOG_IDENTIFIER"), ==, "agent-guard");
  g_assert_cmpstr (g_hash_table_lookup (fields, "AG_EVENT"), ==, "reveal");
  g_assert_cmpstr (g_hash_table_lookup (fields, "AG_RECORD"), ==, customer->id);
  g_assert_cmpstr (g_hash_table_lookup (fields, "AG_FIELD"), ==, "cpf");
  g_assert_cmpstr (g_hash_table_lookup (fields, "AG_REASON"), ==, "identity-check");
  g_assert_cmpstr (g_hash_table_lookup (fields, "AG_TICKET"), ==, "CH-2026-0042");
  /* audit verify finds the store's copy by its id. */
  g_assert_cmpstr (g_hash_table_lookup (fields, "AG_STORE"), ==, store_id);
  {
    g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, entry->seq);

    g_assert_cmpstr (g_hash_table_lookup (fields, "AG_SEQ"), ==, seq);
  }

  /* No PII in the journal: neither the value nor its usual format nor its digits. */
  formatted = ag_pii_format (AG_PII_KIND_CPF, customer->values[AG_PII_KIND_CPF]);
  g_assert_null (g_strstr_len (buffer, received, customer->values[AG_PII_KIND_CPF]));
  g_assert_null (g_strstr_len (buffer, received, formatted));
  g_assert_null (g_strstr_len (buffer, received, customer->values[AG_PII_KIND_NAME]));

  g_clear_object (&store);
  ag_keyring_delete_keys (store_id, NULL, NULL);
  ag_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/journal-mirror/reveal", test_reveal_mirrored);
  return g_test_run ();
}
