/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger"

#include "config.h"

#include <sodium.h>
#include <string.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "ag-ledger-private.h"

/*
 * The audit ledger (DESIGN §5): a hash chain of entries (ag-ledger-entry.c), kept by a
 * backend's storage (ag-ledger-storage.h; the SQLite one is app/sqlite/ag-sqlite-ledger.c).
 *
 *   hash(e)     = BLAKE2b-256 (hash(e - 1) · encoding(e)), hash(0) = 32 zero bytes
 *   mac(e)      = MAC_key (hash(e)), MAC = keyed BLAKE2b-256 or HMAC-SHA-256 (meta `mac`)
 *
 * Pruning deletes a prefix of the chain and keeps its last entry's seq and hash as the
 * anchor (meta `anchor`), MACed, so verification starts from it.
 *
 * A backend stores each entry as its encoding and its seal = prev_hash · hash · mac, and
 * may keep copies of members for its queries; verification (ag-ledger-verify.c) checks
 * each copy against the encoding, so changing one is caught like changing the encoding
 * itself, and a reader applies its filter again to what it decoded.
 *
 * The chain and the MAC are the defence against someone who can write the store: without
 * the key, no change verifies. What they cannot show is the newest entries cut off the
 * end: that is what the journal copy and the head recorded outside the store are for.
 */

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Generated once for Agent Guard's ledger entries in the journal. */
#define ANCHOR_CONTEXT "agent-guard-ledger-anchor-v1"
#define HEAD_CONTEXT   "agent-guard-ledger-head-v1"
#define HEAD_VERSION   1

/* Keyed states made once: each MAC copies one and feeds it the hash. libsodium declares
 * them 64-byte aligned, which a GObject instance is not: they live in their own
 * sodium_malloc() block (page-aligned end, locked, wiped on free), whose size must then be
 * a multiple of that alignment. */
typedef struct
{
  crypto_generichash_state blake2b;
  crypto_auth_hmacsha256_state hmac;
} MacStates;

G_STATIC_ASSERT (sizeof (MacStates) % 64 == 0);

struct _AgLedger
{
  GObject parent_instance;

  char *store_id;       /* AG_STORE of the journal copy */
  gboolean rolled_back; /* AG_ROLLED_BACK=1 on the copies: not compared */
  AgSecret *key;
  MacStates *states;
};

G_DEFINE_FINAL_TYPE (AgLedger, ag_ledger, G_TYPE_OBJECT)

GQuark
ag_ledger_error_quark (void)
{
  return g_quark_from_static_string ("ag-ledger-error-quark");
}

/* The ledger object: the MAC key */

static void
ag_ledger_finalize (GObject *object)
{
  AgLedger *self = AG_LEDGER (object);

  g_clear_pointer (&self->key, ag_secret_free);
  g_clear_pointer (&self->states, sodium_free);
  g_clear_pointer (&self->store_id, g_free);

  G_OBJECT_CLASS (ag_ledger_parent_class)->finalize (object);
}

static void
ag_ledger_class_init (AgLedgerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_ledger_finalize;
}

static void
ag_ledger_init (AgLedger *self)
{
}

/**
 * ag_ledger_new:
 * @mac_key: the ledger MAC key (AG_KEY_PURPOSE_LEDGER_MAC), 32 bytes; copied
 *
 * Returns: (transfer full): a ledger that appends to and verifies ledgers MACed with
 *   @mac_key
 */
AgLedger *
ag_ledger_new (const AgSecret *mac_key)
{
  AgLedger *self;
  const guint8 *key;
  gsize key_len;

  g_return_val_if_fail (mac_key != NULL, NULL);
  key = ag_secret_get_data (mac_key, &key_len);
  g_return_val_if_fail (key_len == crypto_auth_hmacsha256_KEYBYTES, NULL);

  if (sodium_init () < 0)
    g_error ("Cannot initialise libsodium");

  self = g_object_new (AG_TYPE_LEDGER, NULL);
  self->key = ag_secret_new_from_data (key, key_len);
  self->states = sodium_malloc (sizeof *self->states);
  if (self->states == NULL)
    g_error ("Cannot allocate locked memory for the ledger's MAC states");
  crypto_generichash_init (&self->states->blake2b, key, key_len, AG_LEDGER_HASH_BYTES);
  crypto_auth_hmacsha256_init (&self->states->hmac, key, key_len);
  return self;
}

void
ag_ledger_compute_mac (AgLedger *self, AgLedgerMac mac, const guint8 *data, gsize len, guint8 *out)
{
  if (mac == AG_LEDGER_MAC_HMAC_SHA256)
    {
      crypto_auth_hmacsha256_state state = self->states->hmac;

      crypto_auth_hmacsha256_update (&state, data, len);
      crypto_auth_hmacsha256_final (&state, out);
      sodium_memzero (&state, sizeof state);
    }
  else
    {
      crypto_generichash_state state = self->states->blake2b;

      crypto_generichash_update (&state, data, len);
      crypto_generichash_final (&state, out, AG_LEDGER_HASH_BYTES);
      sodium_memzero (&state, sizeof state);
    }
}

void
ag_ledger_anchor_mac (AgLedger *self, AgLedgerMac mac, guint64 seq, const guint8 *hash, guint8 *out)
{
  guint8 buffer[sizeof ANCHOR_CONTEXT + 8 + AG_LEDGER_HASH_BYTES];
  guint8 *p = buffer;

  memcpy (p, ANCHOR_CONTEXT, sizeof ANCHOR_CONTEXT);
  p = ag_ledger_put_u64 (p + sizeof ANCHOR_CONTEXT, seq);
  memcpy (p, hash, AG_LEDGER_HASH_BYTES);
  ag_ledger_compute_mac (self, mac, buffer, sizeof buffer, out);
}

/* Meta data */

static gboolean
read_mac_algorithm (AgLedgerStorage *storage, AgLedgerMac *mac, GError **error)
{
  g_autoptr (GBytes) value = NULL;
  gsize len;
  const char *data;

  if (!storage->read_meta (storage, "mac", &value, error))
    return FALSE;
  if (value == NULL)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The ledger does not say which MAC it uses");
      return FALSE;
    }
  data = g_bytes_get_data (value, &len);
  if (len == strlen ("blake2b-256") && memcmp (data, "blake2b-256", len) == 0)
    *mac = AG_LEDGER_MAC_BLAKE2B;
  else if (len == strlen ("hmac-sha256") && memcmp (data, "hmac-sha256", len) == 0)
    *mac = AG_LEDGER_MAC_HMAC_SHA256;
  else
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_UNSUPPORTED,
                   "The ledger uses a MAC this version does not know");
      return FALSE;
    }
  return TRUE;
}

const char *
ag_ledger_mac_name (AgLedgerMac mac)
{
  return mac == AG_LEDGER_MAC_HMAC_SHA256 ? "hmac-sha256" : "blake2b-256";
}

gboolean
ag_ledger_check_format (AgLedgerStorage *storage, GError **error)
{
  g_autoptr (GBytes) value = NULL;
  const char *data;
  gsize len;
  char expected[16];
  gboolean small_number;

  if (!storage->read_meta (storage, "format", &value, error))
    return FALSE;
  if (value == NULL)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The ledger does not say which format it has");
      return FALSE;
    }
  data = g_bytes_get_data (value, &len);
  g_snprintf (expected, sizeof expected, "%d", AG_LEDGER_FORMAT_VERSION);
  if (len == strlen (expected) && memcmp (data, expected, len) == 0)
    return TRUE;

  /* Formats are small numbers; anything else is not repeated back. */
  small_number = len > 0 && len <= 4;
  for (gsize i = 0; i < len && small_number; i++)
    small_number = g_ascii_isdigit (data[i]);
  if (small_number)
    g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_UNSUPPORTED,
                 "The ledger has format %.*s, which this version of Agent Guard cannot read "
                 "(it reads format %d)",
                 (int) len, data, AG_LEDGER_FORMAT_VERSION);
  else
    g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_UNSUPPORTED,
                 "The ledger has a format this version of Agent Guard cannot read (it reads "
                 "format %d)",
                 AG_LEDGER_FORMAT_VERSION);
  return FALSE;
}

gboolean
ag_ledger_read_meta (AgLedgerStorage *storage, AgLedgerMac *mac, GError **error)
{
  return ag_ledger_check_format (storage, error) && read_mac_algorithm (storage, mac, error);
}

gboolean
ag_ledger_read_anchor (AgLedgerStorage *storage, AgLedgerAnchor *anchor, GError **error)
{
  g_autoptr (GBytes) value = NULL;
  const guint8 *data;
  gsize len;

  memset (anchor, 0, sizeof *anchor);
  if (!storage->read_meta (storage, "anchor", &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;

  data = g_bytes_get_data (value, &len);
  if (len != AG_LEDGER_ANCHOR_BYTES)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The ledger anchor is malformed");
      return FALSE;
    }
  anchor->present = TRUE;
  anchor->seq = ag_ledger_get_u64 (data);
  memcpy (anchor->hash, data + 8, AG_LEDGER_HASH_BYTES);
  memcpy (anchor->mac, data + 8 + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  return TRUE;
}

gboolean
ag_ledger_set_tampered (GError **error, guint64 *first_bad_seq, guint64 seq, const char *what)
{
  if (first_bad_seq != NULL)
    *first_bad_seq = seq;
  g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
               "Ledger entry %" G_GUINT64_FORMAT " does not verify: %s", seq, what);
  return FALSE;
}

/* Reading single rows */

/* The newest row, or the row of one seq: its seq and seal, when its seal is three
 * hashes. */
typedef struct
{
  gboolean found;
  gboolean malformed;
  guint64 seq;
  guint8 seal[AG_LEDGER_SEAL_BYTES];
} FirstRow;

static gboolean
first_row_cb (const AgLedgerRow *row, gpointer user_data)
{
  FirstRow *first = user_data;

  first->found = TRUE;
  first->seq = row->seq;
  if (row->seal == NULL || row->seal_len != AG_LEDGER_SEAL_BYTES)
    first->malformed = TRUE;
  else
    memcpy (first->seal, row->seal, AG_LEDGER_SEAL_BYTES);
  return FALSE;
}

static gboolean
read_first_row (AgLedgerStorage *storage, const AgLedgerQuery *query, FirstRow *first,
                GError **error)
{
  memset (first, 0, sizeof *first);
  return storage->read_rows (storage, query, first_row_cb, first, error);
}

/* Append */

gboolean
ag_ledger_chain (AgLedger *self, AgLedgerStorage *storage, AgLedgerEntry *entry, guint8 *encoding,
                 gsize *encoding_len, guint8 *seal, GError **error)
{
  const AgLedgerQuery newest = { .newest_first = TRUE };
  AgLedgerMac mac;
  AgLedgerView view;
  FirstRow head;
  guint64 seq = 0;
  guint8 prev[AG_LEDGER_HASH_BYTES] = { 0 };
  guint8 buffer[AG_LEDGER_HASH_BYTES + AG_LEDGER_ENCODING_MAX];
  gsize len;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (entry->time_us == 0)
    entry->time_us = g_get_real_time ();
  if (!ag_ledger_entry_validate (entry, error))
    return FALSE;

  if (!ag_ledger_read_meta (storage, &mac, error))
    return FALSE;

  if (!read_first_row (storage, &newest, &head, error))
    return FALSE;
  if (head.malformed)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The newest ledger entry is malformed");
      return FALSE;
    }
  if (head.found)
    {
      seq = head.seq;
      memcpy (prev, head.seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
    }
  else
    {
      AgLedgerAnchor anchor;

      if (!ag_ledger_read_anchor (storage, &anchor, error))
        return FALSE;
      if (anchor.present)
        {
          seq = anchor.seq;
          memcpy (prev, anchor.hash, AG_LEDGER_HASH_BYTES);
        }
    }

  entry->seq = seq + 1;
  memcpy (entry->prev_hash, prev, AG_LEDGER_HASH_BYTES);
  ag_ledger_view_from_entry (entry, &view);
  memcpy (buffer, prev, AG_LEDGER_HASH_BYTES);
  len = ag_ledger_view_encode (&view, buffer + AG_LEDGER_HASH_BYTES);
  if (len == 0)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_INVALID_ENTRY,
                   "Invalid ledger entry: cannot encode it");
      return FALSE;
    }
  crypto_generichash (entry->hash, AG_LEDGER_HASH_BYTES, buffer, AG_LEDGER_HASH_BYTES + len, NULL,
                      0);
  ag_ledger_compute_mac (self, mac, entry->hash, AG_LEDGER_HASH_BYTES, entry->mac);
  memcpy (seal, entry->prev_hash, AG_LEDGER_HASH_BYTES);
  memcpy (seal + AG_LEDGER_HASH_BYTES, entry->hash, AG_LEDGER_HASH_BYTES);
  memcpy (seal + 2 * AG_LEDGER_HASH_BYTES, entry->mac, AG_LEDGER_HASH_BYTES);
  memcpy (encoding, buffer + AG_LEDGER_HASH_BYTES, len);
  *encoding_len = len;
  return TRUE;
}

/* Journal */

void
ag_ledger_set_rolled_back (AgLedger *self, gboolean rolled_back)
{
  g_return_if_fail (AG_IS_LEDGER (self));

  self->rolled_back = rolled_back;
}

void
ag_ledger_set_store_id (AgLedger *self, const char *store_id)
{
  g_return_if_fail (AG_IS_LEDGER (self));

  g_free (self->store_id);
  self->store_id = g_strdup (store_id);
}

gboolean
ag_ledger_mirror (AgLedger *self, const AgLedgerEntry *entry)
{
  char hash_hex[AG_LEDGER_HASH_BYTES * 2 + 1];
  const char *field;
  int rc;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);

  /* No journal (containers, tests): nothing to send to, and sd_journal_send would only
   * fail; never let that touch the append. */
  if (access (JOURNAL_SOCKET, W_OK) != 0)
    return FALSE;

  sodium_bin2hex (hash_hex, sizeof hash_hex, entry->hash, AG_LEDGER_HASH_BYTES);
  field = entry->field_kind != AG_LEDGER_NO_FIELD ? ag_pii_kind_to_string (entry->field_kind) : "";

  rc = sd_journal_send (
    "MESSAGE=Agent Guard ledger entry %" G_GUINT64_FORMAT ": %s", entry->seq,
    ag_ledger_event_to_string (entry->event), "MESSAGE_ID=" AG_LEDGER_MESSAGE_ID, "PRIORITY=6",
    "SYSLOG_IDENTIFIER=agent-guard", "AG_STORE=%s", self->store_id != NULL ? self->store_id : "",
    "AG_ROLLED_BACK=%d", self->rolled_back ? 1 : 0, "AG_SEQ=%" G_GUINT64_FORMAT, entry->seq,
    "AG_TIME=%" G_GINT64_FORMAT, entry->time_us, "AG_EVENT=%s",
    ag_ledger_event_to_string (entry->event), "AG_MODE=%s", ag_ledger_mode_to_string (entry->mode),
    "AG_USER=%s", entry->user, "AG_HOST=%s", entry->host, "AG_SESSION=%s", entry->session_id,
    "AG_RECORD=%s", entry->record_id != NULL ? entry->record_id : "", "AG_FIELD=%s", field,
    "AG_REASON=%s", entry->reason != NULL ? entry->reason : "", "AG_TICKET=%s",
    entry->ticket != NULL ? entry->ticket : "", "AG_POLICY_VERSION=%s",
    entry->policy_version != NULL ? entry->policy_version : "", "AG_CAUSE=%s",
    entry->cause != NULL ? entry->cause : "", "AG_HASH=%s", hash_hex, NULL);
  if (rc < 0)
    {
      g_debug ("Cannot send ledger entry %" G_GUINT64_FORMAT " to the journal: %s", entry->seq,
               g_strerror (-rc));
      return FALSE;
    }
  return TRUE;
}

/* Head: the rollback anchor kept outside the store */

static void
head_mac (AgLedger *self, AgLedgerMac mac, const AgLedgerHead *head, guint8 *out)
{
  guint8 buffer[sizeof HEAD_CONTEXT + 8 + AG_LEDGER_HASH_BYTES];
  guint8 *p = buffer;

  memcpy (p, HEAD_CONTEXT, sizeof HEAD_CONTEXT);
  p = ag_ledger_put_u64 (p + sizeof HEAD_CONTEXT, head->seq);
  memcpy (p, head->hash, AG_LEDGER_HASH_BYTES);
  ag_ledger_compute_mac (self, mac, buffer, sizeof buffer, out);
}

/* The hash in @first, found as entry @seq: TAMPERED when its seal is not three hashes. */
static gboolean
hash_of_row (const FirstRow *first, guint64 seq, guint8 *hash, GError **error)
{
  if (first->malformed)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "Ledger entry %" G_GUINT64_FORMAT " is malformed", seq);
      return FALSE;
    }
  memcpy (hash, first->seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  return TRUE;
}

/* The hash of entry @seq: *found FALSE when it is not stored. */
gboolean
ag_ledger_hash_at (AgLedgerStorage *storage, guint64 seq, guint8 *hash, gboolean *found,
                   GError **error)
{
  const AgLedgerQuery query = { .seq = seq };
  FirstRow first;

  *found = FALSE;
  if (!read_first_row (storage, &query, &first, error))
    return FALSE;
  if (!first.found)
    return TRUE;
  if (!hash_of_row (&first, seq, hash, error))
    return FALSE;
  *found = TRUE;
  return TRUE;
}

/* The seq of the prune anchor, 0 when the ledger was never pruned. */
gboolean
ag_ledger_get_anchor_seq (AgLedgerStorage *storage, guint64 *seq, GError **error)
{
  AgLedgerAnchor anchor;

  if (!ag_ledger_read_anchor (storage, &anchor, error))
    return FALSE;
  *seq = anchor.present ? anchor.seq : 0;
  return TRUE;
}

/**
 * ag_ledger_get_head:
 * @storage: the ledger's storage
 * @head: (out caller-allocates): the newest entry's seq and hash; seq 0 when the
 *   ledger is empty
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
ag_ledger_get_head (AgLedgerStorage *storage, AgLedgerHead *head, GError **error)
{
  const AgLedgerQuery newest = { .newest_first = TRUE };
  AgLedgerAnchor anchor;
  FirstRow first;

  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (head != NULL, FALSE);

  memset (head, 0, sizeof *head);
  if (!read_first_row (storage, &newest, &first, error))
    return FALSE;
  if (first.found)
    {
      head->seq = first.seq;
      return hash_of_row (&first, first.seq, head->hash, error);
    }

  if (!ag_ledger_read_anchor (storage, &anchor, error))
    return FALSE;
  if (anchor.present)
    {
      head->seq = anchor.seq;
      memcpy (head->hash, anchor.hash, AG_LEDGER_HASH_BYTES);
    }
  return TRUE;
}

gboolean
ag_ledger_seal_head (AgLedger *self, AgLedgerStorage *storage, const AgLedgerHead *head,
                     guint8 out[AG_LEDGER_SEALED_HEAD_BYTES], GError **error)
{
  AgLedgerMac mac;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (head != NULL, FALSE);

  if (!ag_ledger_read_meta (storage, &mac, error))
    return FALSE;
  out[0] = HEAD_VERSION;
  ag_ledger_put_u64 (out + 1, head->seq);
  memcpy (out + 1 + 8, head->hash, AG_LEDGER_HASH_BYTES);
  head_mac (self, mac, head, out + 1 + 8 + AG_LEDGER_HASH_BYTES);
  return TRUE;
}

gboolean
ag_ledger_open_head (AgLedger *self, AgLedgerStorage *storage, const guint8 *sealed, gsize len,
                     AgLedgerHead *head, GError **error)
{
  guint8 mac[AG_LEDGER_HASH_BYTES];
  AgLedgerMac algorithm;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (head != NULL, FALSE);

  memset (head, 0, sizeof *head);
  if (!ag_ledger_read_meta (storage, &algorithm, error))
    return FALSE;
  if (sealed == NULL || len != AG_LEDGER_SEALED_HEAD_BYTES || sealed[0] != HEAD_VERSION)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The ledger head recorded outside the store is malformed");
      return FALSE;
    }
  head->seq = ag_ledger_get_u64 (sealed + 1);
  memcpy (head->hash, sealed + 1 + 8, AG_LEDGER_HASH_BYTES);
  head_mac (self, algorithm, head, mac);
  if (sodium_memcmp (mac, sealed + 1 + 8 + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES) != 0)
    {
      memset (head, 0, sizeof *head);
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The ledger head recorded outside the store does not verify with this "
                   "store's key");
      return FALSE;
    }
  return TRUE;
}

/**
 * ag_ledger_check_head:
 * @storage: the ledger's storage
 * @recorded: the head recorded outside the store (already opened with its MAC)
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_ROLLED_BACK, the first entry
 *   that is missing or is not the recorded one
 * @error: return location for an error
 *
 * Returns: %TRUE when the ledger reaches @recorded and holds it
 */
gboolean
ag_ledger_check_head (AgLedgerStorage *storage, const AgLedgerHead *recorded,
                      guint64 *first_bad_seq, GError **error)
{
  AgLedgerHead head;
  guint8 hash[AG_LEDGER_HASH_BYTES];
  gboolean found;
  AgLedgerAnchor anchor;

  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (recorded != NULL, FALSE);

  if (first_bad_seq != NULL)
    *first_bad_seq = 0;
  if (recorded->seq == 0)
    return TRUE;
  if (!ag_ledger_get_head (storage, &head, error))
    return FALSE;

  if (head.seq < recorded->seq)
    {
      if (first_bad_seq != NULL)
        *first_bad_seq = head.seq + 1;
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK,
                   "The ledger ends at entry %" G_GUINT64_FORMAT ", but entry %" G_GUINT64_FORMAT
                   " was recorded outside the store: entries were cut off the end or an older "
                   "copy of the store was put back",
                   head.seq, recorded->seq);
      return FALSE;
    }

  if (!ag_ledger_hash_at (storage, recorded->seq, hash, &found, error))
    return FALSE;
  if (!found)
    {
      /* Pruned since: the prune anchor stands for it when it is that very entry; an
       * older one is covered by the anchor's MAC and the chain from it. */
      if (!ag_ledger_read_anchor (storage, &anchor, error))
        return FALSE;
      if (!anchor.present || anchor.seq < recorded->seq)
        {
          if (first_bad_seq != NULL)
            *first_bad_seq = recorded->seq;
          g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK,
                       "Ledger entry %" G_GUINT64_FORMAT
                       ", recorded outside the store, is missing from it",
                       recorded->seq);
          return FALSE;
        }
      if (anchor.seq > recorded->seq)
        return TRUE;
      memcpy (hash, anchor.hash, AG_LEDGER_HASH_BYTES);
    }

  if (sodium_memcmp (hash, recorded->hash, AG_LEDGER_HASH_BYTES) != 0)
    {
      if (first_bad_seq != NULL)
        *first_bad_seq = recorded->seq;
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK,
                   "Ledger entry %" G_GUINT64_FORMAT
                   " is not the one recorded outside the store: an older copy of the store was "
                   "put back and written to",
                   recorded->seq);
      return FALSE;
    }
  return TRUE;
}

/* Export */

/* Whether @needle is in @haystack (nullable), ignoring ASCII case. */
static gboolean
contains_ascii_nocase (const char *haystack, const char *needle)
{
  gsize needle_len = strlen (needle);

  /* Empty text is in everything, as view_may_match() has it. */
  if (needle_len == 0)
    return TRUE;
  if (haystack == NULL)
    return FALSE;
  for (const char *p = haystack; *p != '\0'; p++)
    if (g_ascii_strncasecmp (p, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/**
 * ag_ledger_filter_matches:
 * @filter: (nullable): a filter
 * @entry: a ledger entry
 *
 * Whether @entry is one that @filter selects, on what the entry holds (its @limit and
 * @newest_first are the walk's, not the entry's).
 *
 * Returns: %TRUE when every member of @filter that is set matches
 */
gboolean
ag_ledger_filter_matches (const AgLedgerFilter *filter, const AgLedgerEntry *entry)
{
  g_return_val_if_fail (entry != NULL, FALSE);

  if (filter == NULL)
    return TRUE;

  return (filter->since_us == 0 || entry->time_us >= filter->since_us)
         && (filter->until_us == 0 || entry->time_us < filter->until_us)
         && (filter->user == NULL || g_strcmp0 (entry->user, filter->user) == 0)
         && (filter->record_id == NULL || g_strcmp0 (entry->record_id, filter->record_id) == 0)
         && (filter->events == 0
             || (entry->event < 32 && (filter->events & (1u << entry->event)) != 0))
         && (filter->field_kinds == 0
             || (entry->field_kind >= 0 && entry->field_kind < 32
                 && (filter->field_kinds & (1u << entry->field_kind)) != 0))
         && (filter->reason == NULL || g_strcmp0 (entry->reason, filter->reason) == 0)
         && (filter->text == NULL || contains_ascii_nocase (entry->user, filter->text)
             || contains_ascii_nocase (entry->reason, filter->text)
             || contains_ascii_nocase (entry->ticket, filter->text))
         && (filter->users == NULL
             || (entry->user != NULL && g_strv_contains (filter->users, entry->user)))
         && entry->seq > filter->after_seq
         && (filter->before_seq == 0 || entry->seq < filter->before_seq);
}

/* Whether @str holds @needle (@needle_len bytes), ignoring ASCII case. */
static gboolean
str_contains_ascii_nocase (const AgLedgerStr *str, const char *needle, gsize needle_len)
{
  if (str->len < 0 || (gsize) str->len < needle_len)
    return FALSE;
  for (gsize i = 0; i + needle_len <= (gsize) str->len; i++)
    if (g_ascii_strncasecmp (str->data + i, needle, needle_len) == 0)
      return TRUE;
  return FALSE;
}

/* A first look at a decoded row, before an entry is made of it: FALSE when its text
 * cannot match @filter's, so that a search over a million entries allocates for the few
 * that can. ag_ledger_filter_matches() decides on the entry. */
static gboolean
view_may_match (const AgLedgerFilter *filter, const AgLedgerView *view)
{
  gsize len;

  if (filter->text == NULL)
    return TRUE;
  len = strlen (filter->text);
  return len == 0
         || str_contains_ascii_nocase (&view->strings[AG_LEDGER_STRING_USER], filter->text, len)
         || str_contains_ascii_nocase (&view->strings[AG_LEDGER_STRING_REASON], filter->text, len)
         || str_contains_ascii_nocase (&view->strings[AG_LEDGER_STRING_TICKET], filter->text, len);
}

typedef struct
{
  const AgLedgerFilter *filter;
  AgLedgerEntryFunc func;
  gpointer user_data;
  guint n_visited;
  gboolean failed;
  GError *error;
} Visit;

static gboolean
visit_row_cb (const AgLedgerRow *row, gpointer user_data)
{
  Visit *visit = user_data;
  g_autoptr (AgLedgerEntry) entry = NULL;
  gboolean agrees;
  gboolean matches = FALSE;
  AgLedgerView view;

  if (ag_ledger_read_row (row, &view, &agrees))
    {
      /* Read, so not malformed at this level; only what may match is made an entry. */
      if (!view_may_match (visit->filter, &view))
        return TRUE;
      entry = ag_ledger_entry_from_view (&view, row->seal);
      matches = entry != NULL && ag_ledger_filter_matches (visit->filter, entry);
    }
  if (entry == NULL)
    {
      g_set_error (&visit->error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "Ledger entry %" G_GINT64_FORMAT " is malformed", (gint64) row->seq);
      visit->failed = TRUE;
    }
  else if (matches && !visit->func (entry, visit->user_data, &visit->error))
    visit->failed = TRUE;
  else if (matches && ++visit->n_visited == visit->filter->limit)
    return FALSE;
  return !visit->failed;
}

/**
 * ag_ledger_foreach:
 * @storage: the ledger's storage
 * @filter: (nullable): which entries to visit
 * @func: called with each entry, in sequence order (descending with @filter's
 *   newest_first), at most @filter's limit times
 * @user_data: for @func
 * @error: return location for an error
 *
 * Reads entries as they are stored, without verifying the chain (that is
 * ag_ledger_verify()'s job): an entry that cannot be decoded stops the walk with
 * %AG_LEDGER_ERROR_TAMPERED. The backend may select rows by the copies it keeps beside
 * each encoding; the filter is applied again to what each entry holds, since only
 * verification vouches for the copies.
 *
 * Returns: %TRUE when every matching entry was visited
 */
gboolean
ag_ledger_foreach (AgLedgerStorage *storage, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                   gpointer user_data, GError **error)
{
  AgLedgerFilter none = { 0 };
  AgLedgerQuery query = { 0 };
  Visit visit = { 0 };

  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (filter == NULL)
    filter = &none;
  if (!ag_ledger_check_format (storage, error))
    return FALSE;

  query.filter = filter;
  visit.filter = filter;
  visit.func = func;
  visit.user_data = user_data;
  if (!storage->read_rows (storage, &query, visit_row_cb, &visit, error))
    {
      g_clear_error (&visit.error);
      return FALSE;
    }
  if (visit.failed)
    {
      if (visit.error != NULL)
        g_propagate_error (error, visit.error);
      return FALSE;
    }
  return TRUE;
}

/* Prune */

void
ag_ledger_make_anchor (AgLedger *self, AgLedgerMac mac, guint64 seq, const guint8 *hash,
                       guint8 out[AG_LEDGER_ANCHOR_BYTES])
{
  g_return_if_fail (AG_IS_LEDGER (self));

  ag_ledger_put_u64 (out, seq);
  memcpy (out + 8, hash, AG_LEDGER_HASH_BYTES);
  ag_ledger_anchor_mac (self, mac, seq, hash, out + 8 + AG_LEDGER_HASH_BYTES);
}

void
ag_ledger_set_prune_record (AgLedgerEntry *record, guint retention_days, guint64 removed,
                            guint64 first, guint64 last)
{
  g_free (record->cause);
  if (removed > 0)
    record->cause = g_strdup_printf ("range=%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                                     " retention-days=%u removed=%" G_GUINT64_FORMAT,
                                     first, last, retention_days, removed);
  else
    record->cause = g_strdup_printf ("retention-days=%u removed=0", retention_days);
  record->event = AG_LEDGER_EVENT_PRUNE;
}
