/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger"

#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-journal.h>

#include "ag-ledger-private.h"

/*
 * The journal copy of a ledger, read back (ag_ledger_mirror() writes it). Each mirrored
 * entry carries AG_STORE, AG_SEQ and AG_HASH; the journal belongs to the system, not to
 * the agent, so a store file put back together with its Secret Service record (both the
 * agent's) still falls behind what the journal holds. Entries mirrored before AG_STORE
 * was written do not match and are not compared.
 */

/* The value of @field in the current journal entry, NUL-terminated, or NULL. */
static char *
journal_field (sd_journal *journal, const char *field)
{
  const void *data;
  size_t len;
  size_t prefix = strlen (field) + 1;

  if (sd_journal_get_data (journal, field, &data, &len) < 0 || len < prefix)
    return NULL;
  return g_strndup ((const char *) data + prefix, len - prefix);
}

static gboolean
parse_seq (const char *text, guint64 *out)
{
  return text != NULL && g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, out, NULL);
}

static gboolean
parse_hash (const char *text, guint8 *out)
{
  size_t len = 0;

  return text != NULL && strlen (text) == AG_LEDGER_HASH_BYTES * 2
         && sodium_hex2bin (out, AG_LEDGER_HASH_BYTES, text, strlen (text), NULL, &len, NULL) == 0
         && len == AG_LEDGER_HASH_BYTES;
}

/**
 * ag_ledger_check_journal:
 * @storage: the ledger's storage
 * @store_id: the store's id, as its entries carry it in AG_STORE
 * @directory: (nullable): a directory of journal files (say, copied from a log server);
 *   %NULL for this machine's journal
 * @n_compared: (out): how many journal entries of this store were compared; 0 when the
 *   journal holds none (no journal, or nothing mirrored)
 * @journal_seq: (out): the newest entry the journal holds
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_ROLLED_BACK, the first entry the
 *   journal holds that the ledger does not, or holds differently
 * @error: return location for an error
 *
 * Every journal entry of the store must be in the ledger with the same hash, unless it
 * was pruned (at or before the anchor).
 *
 * Returns: %TRUE when the ledger holds everything the journal does
 */
gboolean
ag_ledger_check_journal (AgLedgerStorage *storage, const char *store_id, const char *directory,
                         guint64 *n_compared, guint64 *journal_seq, guint64 *first_bad_seq,
                         GError **error)
{
  sd_journal *journal = NULL;
  g_autofree char *store_match = NULL;
  g_autoptr (GHashTable) ledger = NULL;
  AgLedgerHead head;
  guint64 anchor_seq = 0;
  guint64 bad = 0;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (store_id != NULL, FALSE);
  g_return_val_if_fail (n_compared != NULL && journal_seq != NULL, FALSE);

  *n_compared = 0;
  *journal_seq = 0;
  if (first_bad_seq != NULL)
    *first_bad_seq = 0;

  if (directory != NULL)
    rc = sd_journal_open_directory (&journal, directory, 0);
  else
    rc = sd_journal_open (&journal, SD_JOURNAL_LOCAL_ONLY);
  if (rc < 0)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_IO, "Cannot open the journal%s%s: %s",
                   directory != NULL ? " in " : "", directory != NULL ? directory : "",
                   g_strerror (-rc));
      return FALSE;
    }

  store_match = g_strconcat ("AG_STORE=", store_id, NULL);
  if (sd_journal_add_match (journal, "MESSAGE_ID=" AG_LEDGER_MESSAGE_ID, 0) < 0
      || sd_journal_add_match (journal, store_match, 0) < 0)
    {
      sd_journal_close (journal);
      g_set_error_literal (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_FAILED,
                           "Cannot search the journal");
      return FALSE;
    }

  if (!ag_ledger_get_head (storage, &head, error)
      || !ag_ledger_get_anchor_seq (storage, &anchor_seq, error))
    {
      sd_journal_close (journal);
      return FALSE;
    }

  SD_JOURNAL_FOREACH (journal)
  {
    g_autofree char *seq_text = journal_field (journal, "AG_SEQ");
    g_autofree char *hash_text = journal_field (journal, "AG_HASH");
    guint8 hash[AG_LEDGER_HASH_BYTES];
    guint8 stored[AG_LEDGER_HASH_BYTES];
    gboolean found = FALSE;
    guint64 seq;

    /* A line that only looks like ours proves nothing either way. */
    if (!parse_seq (seq_text, &seq) || !parse_hash (hash_text, hash))
      continue;
    (*n_compared)++;
    *journal_seq = MAX (*journal_seq, seq);
    if (seq <= anchor_seq)
      continue;
    if (seq <= head.seq && !ag_ledger_hash_at (storage, seq, stored, &found, error))
      {
        ok = FALSE;
        break;
      }
    if ((!found || sodium_memcmp (stored, hash, AG_LEDGER_HASH_BYTES) != 0)
        && (bad == 0 || seq < bad))
      bad = seq;
  }
  sd_journal_close (journal);
  if (!ok)
    return FALSE;

  if (bad != 0)
    {
      if (first_bad_seq != NULL)
        *first_bad_seq = bad;
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK,
                   "The journal holds ledger entry %" G_GUINT64_FORMAT
                   " as it is not in the store (the store ends at entry %" G_GUINT64_FORMAT
                   "): entries were cut off or an older copy of the store was put back",
                   bad, head.seq);
      return FALSE;
    }
  return TRUE;
}
