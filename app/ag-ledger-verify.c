/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger"

#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "ag-ledger-private.h"

/* Verification of the chain (ag-ledger.c) over the rows a backend's storage returns. */

static inline gboolean
text_equal (const char *text, gsize len, const AgLedgerStr *str)
{
  return text != NULL && str->len >= 0 && len == (gsize) str->len
         && memcmp (text, str->data, len) == 0;
}

gboolean
ag_ledger_read_row (const AgLedgerRow *row, AgLedgerView *view, gboolean *agrees)
{
  const AgLedgerStr *record;

  *agrees = FALSE;
  if (row->entry == NULL || row->seal == NULL || row->seal_len != AG_LEDGER_SEAL_BYTES
      || !ag_ledger_view_decode (row->entry, row->entry_len, view))
    return FALSE;

  if (!row->copies_typed || row->seq != view->seq || row->time_us != view->time_us
      || row->event != view->event
      || !text_equal (row->user, row->user_len, &view->strings[AG_LEDGER_STRING_USER]))
    return TRUE;

  record = &view->strings[AG_LEDGER_STRING_RECORD];
  if (record->len < 0)
    *agrees = row->record_id == NULL;
  else
    *agrees = text_equal (row->record_id, row->record_len, record);
  return TRUE;
}

/*
 * Verification reads the rows in sequence order and checks for each its order, its form,
 * that its columns agree with its encoding, and that it links to the entry before it (its
 * prev_hash is that entry's stored hash); worker threads, one per core, recompute each
 * hash and MAC from batches of copied encodings and compare them with the stored ones.
 * Together that is exactly walking the chain, spread over every core.
 */

#define BATCH_ENTRIES 1024
#define BATCH_BYTES   (256 * 1024)
#define MAX_WORKERS   8

typedef struct
{
  guint n;
  gsize used;
  guint64 seq[BATCH_ENTRIES];
  guint32 offset[BATCH_ENTRIES];
  guint32 length[BATCH_ENTRIES]; /* previous hash + encoding */
  guint8 hash[BATCH_ENTRIES][AG_LEDGER_HASH_BYTES];
  guint8 mac[BATCH_ENTRIES][AG_LEDGER_HASH_BYTES];
  guint8 data[BATCH_BYTES];
} Batch;

typedef struct
{
  AgLedger *ledger;
  AgLedgerMac algorithm;
  GAsyncQueue *full;
  GAsyncQueue *free;
  GMutex lock;
  /* The first bad entry the workers found, under @lock. */
  guint64 bad_seq;
  const char *bad_what;
} Verifier;

/* Verification's reading stage: the batch being filled, the hash and seq the next row
 * must have, and the first break this stage saw. */
typedef struct
{
  Verifier *verifier;
  Batch *batch;
  guint8 prev[AG_LEDGER_HASH_BYTES];
  guint64 expected;
  guint64 count;
  guint64 bad_seq;
  const char *bad_what;
} RowReader;

static void
report_bad (Verifier *verifier, guint64 seq, const char *what)
{
  g_mutex_lock (&verifier->lock);
  if (verifier->bad_seq == 0 || seq < verifier->bad_seq)
    {
      verifier->bad_seq = seq;
      verifier->bad_what = what;
    }
  g_mutex_unlock (&verifier->lock);
}

static gboolean
check_batch (Verifier *verifier, const Batch *batch)
{
  guint8 hash[AG_LEDGER_HASH_BYTES];
  guint8 mac[AG_LEDGER_HASH_BYTES];

  for (guint i = 0; i < batch->n; i++)
    {
      crypto_generichash (hash, AG_LEDGER_HASH_BYTES, batch->data + batch->offset[i],
                          batch->length[i], NULL, 0);
      if (memcmp (hash, batch->hash[i], AG_LEDGER_HASH_BYTES) != 0)
        {
          report_bad (verifier, batch->seq[i], "its content was changed");
          return FALSE;
        }
      ag_ledger_compute_mac (verifier->ledger, verifier->algorithm, hash, AG_LEDGER_HASH_BYTES,
                             mac);
      if (crypto_verify_32 (mac, batch->mac[i]) != 0)
        {
          report_bad (verifier, batch->seq[i], "its MAC does not match");
          return FALSE;
        }
    }
  return TRUE;
}

static gpointer
verify_worker (gpointer data)
{
  Verifier *verifier = data;
  gboolean failed = FALSE;
  Batch *batch;

  /* The verifier itself is the end marker. Batches come in sequence order, so after a
   * break this worker only gets later entries. */
  while ((batch = g_async_queue_pop (verifier->full)) != (gpointer) verifier)
    {
      if (!failed)
        failed = !check_batch (verifier, batch);
      g_async_queue_push (verifier->free, batch);
    }
  return NULL;
}

static gboolean
verify_row_cb (const AgLedgerRow *row, gpointer user_data)
{
  RowReader *reader = user_data;
  Batch *batch = reader->batch;
  AgLedgerView view;
  gboolean agrees;
  guint64 seq = row->seq;
  guint8 *p;

  if (seq != reader->expected)
    {
      reader->bad_seq = MIN (seq, reader->expected);
      reader->bad_what = seq > reader->expected ? "missing" : "out of sequence";
      return FALSE;
    }
  if (!ag_ledger_read_row (row, &view, &agrees) || !agrees)
    {
      reader->bad_seq = seq, reader->bad_what = "it is malformed or a column disagrees with it";
      return FALSE;
    }
  if (memcmp (row->seal, reader->prev, AG_LEDGER_HASH_BYTES) != 0)
    {
      reader->bad_seq = seq, reader->bad_what = "it does not follow the entry before it";
      return FALSE;
    }

  if (batch->n == BATCH_ENTRIES
      || BATCH_BYTES - batch->used < AG_LEDGER_HASH_BYTES + AG_LEDGER_ENCODING_MAX)
    {
      g_async_queue_push (reader->verifier->full, batch);
      batch = reader->batch = g_async_queue_pop (reader->verifier->free);
      batch->n = 0;
      batch->used = 0;
    }

  /* A worker hashes prev · encoding, the bytes the entry was appended as. */
  p = batch->data + batch->used;
  memcpy (p, reader->prev, AG_LEDGER_HASH_BYTES);
  memcpy (p + AG_LEDGER_HASH_BYTES, row->entry, row->entry_len);
  batch->seq[batch->n] = seq;
  batch->offset[batch->n] = batch->used;
  batch->length[batch->n] = AG_LEDGER_HASH_BYTES + row->entry_len;
  memcpy (batch->hash[batch->n], row->seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  memcpy (batch->mac[batch->n], row->seal + 2 * AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  batch->used += AG_LEDGER_HASH_BYTES + row->entry_len;
  batch->n++;

  memcpy (reader->prev, row->seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  reader->expected++;
  reader->count++;
  return TRUE;
}

/* Reads every row of the ledger from sequence number @expected on, the previous hash in
 * @start_hash; on a break sets @first_bad_seq and AG_LEDGER_ERROR_TAMPERED. */
static gboolean
verify_rows (AgLedger *self, AgLedgerMac algorithm, AgLedgerStorage *storage,
             const guint8 *start_hash, guint64 expected, guint64 *count, guint64 *first_bad_seq,
             GError **error)
{
  Verifier verifier = { self, algorithm, g_async_queue_new (), g_async_queue_new () };
  RowReader reader = { &verifier };
  guint n_workers = CLAMP (g_get_num_processors (), 1, MAX_WORKERS);
  Batch *batches[2 * MAX_WORKERS + 2];
  guint n_batches = 2 * n_workers + 2;
  GThread *workers[MAX_WORKERS];
  GError *walk_error = NULL;
  guint64 bad_seq;
  const char *bad_what;
  gboolean walked;

  g_mutex_init (&verifier.lock);
  for (guint i = 0; i < n_batches; i++)
    {
      batches[i] = g_new (Batch, 1);
      g_async_queue_push (verifier.free, batches[i]);
    }
  for (guint i = 0; i < n_workers; i++)
    workers[i] = g_thread_new ("ag-ledger-verify", verify_worker, &verifier);

  memcpy (reader.prev, start_hash, AG_LEDGER_HASH_BYTES);
  reader.expected = expected;
  reader.batch = g_async_queue_pop (verifier.free);
  reader.batch->n = 0;
  reader.batch->used = 0;

  walked = storage->walk (storage, verify_row_cb, &reader, &walk_error);

  g_async_queue_push (verifier.full, reader.batch);
  for (guint i = 0; i < n_workers; i++)
    g_async_queue_push (verifier.full, &verifier);
  for (guint i = 0; i < n_workers; i++)
    g_thread_join (workers[i]);
  for (guint i = 0; i < n_batches; i++)
    g_free (batches[i]);
  g_async_queue_unref (verifier.full);
  g_async_queue_unref (verifier.free);
  g_mutex_clear (&verifier.lock);

  *count = reader.count;
  /* The first break in sequence order, whichever stage saw it. */
  bad_seq = reader.bad_seq, bad_what = reader.bad_what;
  if (verifier.bad_seq != 0 && (bad_seq == 0 || verifier.bad_seq < bad_seq))
    bad_seq = verifier.bad_seq, bad_what = verifier.bad_what;
  if (bad_seq != 0)
    {
      g_clear_error (&walk_error);
      return ag_ledger_set_tampered (error, first_bad_seq, bad_seq, bad_what);
    }
  if (!walked)
    {
      g_propagate_error (error, walk_error);
      return FALSE;
    }
  return TRUE;
}

/* A pruned ledger's anchor must be where its newest prune said it pruned to: the newest
 * `prune` entry that removed anything (they follow the anchor, so the chain has just
 * verified them) names the range it removed, "range=A..B …", and B is the anchor. An
 * anchor without one was not set by a prune of this chain. Prune entries written before
 * ranges were recorded ("retention-days=D removed=N", N > 0) are taken as they are. */

typedef struct
{
  const AgLedgerAnchor *anchor;
  gboolean explained;
} PruneReader;

static gboolean
prune_row_cb (const AgLedgerRow *row, gpointer user_data)
{
  PruneReader *reader = user_data;
  AgLedgerView view;
  g_autofree char *cause = NULL;
  guint64 range_first = 0, range_last = 0, removed = 0;
  guint retention = 0;
  int end = 0;

  if (row->entry == NULL || !ag_ledger_view_decode (row->entry, row->entry_len, &view)
      || view.strings[AG_LEDGER_STRING_CAUSE].len < 0)
    return TRUE;
  cause = g_strndup (view.strings[AG_LEDGER_STRING_CAUSE].data,
                     view.strings[AG_LEDGER_STRING_CAUSE].len);
  if (sscanf (cause,
              "range=%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " retention-days=%u"
              " removed=%" G_GUINT64_FORMAT "%n",
              &range_first, &range_last, &retention, &removed, &end)
        == 4
      && cause[end] == '\0')
    {
      reader->explained = range_last == reader->anchor->seq && range_first <= range_last
                          && removed == range_last - range_first + 1;
      return FALSE;
    }
  if (sscanf (cause, "retention-days=%u removed=%" G_GUINT64_FORMAT "%n", &retention, &removed,
              &end)
        == 2
      && cause[end] == '\0')
    {
      if (removed == 0)
        return TRUE;
      reader->explained = TRUE;
    }
  return FALSE;
}

static gboolean
check_anchor_explained (AgLedgerStorage *storage, const AgLedgerAnchor *anchor,
                        guint64 *first_bad_seq, GError **error)
{
  const AgLedgerQuery query = {
    .newest_first = TRUE,
    .after_seq = anchor->seq,
    .event = AG_LEDGER_EVENT_PRUNE,
  };
  PruneReader reader = { anchor };

  if (!storage->read_rows (storage, &query, prune_row_cb, &reader, error))
    return FALSE;
  if (reader.explained)
    return TRUE;
  return ag_ledger_set_tampered (
    error, first_bad_seq, anchor->seq + 1,
    "the anchor is not where the newest prune entry says it pruned to");
}

/**
 * ag_ledger_verify:
 * @self: a #AgLedger with the key of the ledger in @storage
 * @storage: the ledger's storage, inside a read transaction of the caller's
 * @n_entries: (out) (optional): how many entries the ledger holds
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_TAMPERED, the first sequence
 *   number that does not verify
 * @error: return location for an error
 *
 * Returns: %TRUE when every entry from the anchor on verifies
 */
gboolean
ag_ledger_verify (AgLedger *self, AgLedgerStorage *storage, guint64 *n_entries,
                  guint64 *first_bad_seq, GError **error)
{
  guint8 start[AG_LEDGER_HASH_BYTES] = { 0 };
  guint8 mac[AG_LEDGER_HASH_BYTES];
  AgLedgerMac algorithm;
  AgLedgerAnchor anchor;
  guint64 expected = 1;
  guint64 count = 0;
  gboolean ok;
  GError *local_error = NULL;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (storage != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_entries != NULL)
    *n_entries = 0;
  if (first_bad_seq != NULL)
    *first_bad_seq = 0;

  if (!ag_ledger_read_meta (storage, &algorithm, &local_error)
      || !ag_ledger_read_anchor (storage, &anchor, &local_error))
    {
      if (g_error_matches (local_error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED)
          && first_bad_seq != NULL)
        *first_bad_seq = 1;
      g_propagate_error (error, local_error);
      return FALSE;
    }

  if (anchor.present)
    {
      ag_ledger_anchor_mac (self, algorithm, anchor.seq, anchor.hash, mac);
      if (sodium_memcmp (mac, anchor.mac, AG_LEDGER_HASH_BYTES) != 0)
        return ag_ledger_set_tampered (error, first_bad_seq, anchor.seq + 1,
                                       "the anchor does not verify");
      expected = anchor.seq + 1;
      memcpy (start, anchor.hash, AG_LEDGER_HASH_BYTES);
    }

  ok = verify_rows (self, algorithm, storage, start, expected, &count, first_bad_seq, error)
       && (!anchor.present || check_anchor_explained (storage, &anchor, first_bad_seq, error));
  if (n_entries != NULL)
    *n_entries = count;
  return ok;
}

/* The walk of ag_ledger_verify_recent(), newest first: the entry after the one read
 * (its seq and previous hash), and the first break. */
typedef struct
{
  AgLedger *ledger;
  AgLedgerMac algorithm;
  gint64 since_us;
  const AgLedgerHead *known;
  guint8 next_prev[AG_LEDGER_HASH_BYTES];
  guint64 next_seq;
  gboolean reached_start;
  guint64 bad_seq;
  const char *bad_what;
} RecentReader;

static gboolean
recent_bad (RecentReader *reader, guint64 seq, const char *what)
{
  reader->bad_seq = seq;
  reader->bad_what = what;
  return FALSE;
}

static gboolean
recent_row_cb (const AgLedgerRow *row, gpointer user_data)
{
  RecentReader *reader = user_data;
  crypto_generichash_state state;
  guint8 hash[AG_LEDGER_HASH_BYTES];
  guint8 mac[AG_LEDGER_HASH_BYTES];
  gboolean agrees = FALSE;
  guint64 seq = row->seq;
  AgLedgerView view;

  if (!ag_ledger_read_row (row, &view, &agrees) || !agrees)
    return recent_bad (reader, seq, "its columns were changed");
  if (reader->next_seq != 0 && seq + 1 != reader->next_seq)
    return recent_bad (reader, seq + 1, "it is missing");

  crypto_generichash_init (&state, NULL, 0, AG_LEDGER_HASH_BYTES);
  crypto_generichash_update (&state, row->seal, AG_LEDGER_HASH_BYTES);
  crypto_generichash_update (&state, row->entry, row->entry_len);
  crypto_generichash_final (&state, hash, AG_LEDGER_HASH_BYTES);
  if (sodium_memcmp (hash, row->seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES) != 0)
    return recent_bad (reader, seq, "its content was changed");
  ag_ledger_compute_mac (reader->ledger, reader->algorithm, hash, AG_LEDGER_HASH_BYTES, mac);
  if (sodium_memcmp (mac, row->seal + 2 * AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES) != 0)
    return recent_bad (reader, seq, "its MAC does not match");
  if (reader->next_seq != 0 && sodium_memcmp (hash, reader->next_prev, AG_LEDGER_HASH_BYTES) != 0)
    return recent_bad (reader, reader->next_seq, "its previous hash does not match");

  reader->next_seq = seq;
  memcpy (reader->next_prev, row->seal, AG_LEDGER_HASH_BYTES);
  /* Down to an entry verified before, with nothing written by anyone else since: the
   * rest was verified then. */
  if (reader->known != NULL && seq == reader->known->seq)
    {
      if (sodium_memcmp (hash, reader->known->hash, AG_LEDGER_HASH_BYTES) != 0)
        return recent_bad (reader, seq, "it is not the one verified before");
      reader->reached_start = FALSE;
      return FALSE;
    }
  if (view.time_us <= reader->since_us)
    {
      reader->reached_start = FALSE;
      return FALSE;
    }
  return TRUE;
}

/**
 * ag_ledger_verify_recent:
 * @self: a #AgLedger with the key of the ledger in @storage
 * @storage: the ledger's storage, inside the caller's transaction
 * @since_us: the start of the window the quotas count
 * @known: (nullable): an entry verified by an earlier call, with nothing written by
 *   another connection since: the walk stops there
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_TAMPERED, where
 * @error: return location for an error
 *
 * Verifies the newest entries, newest first, back to the first one at or before
 * @since_us (or the start): each decodes, its stored copies agree with it, its hash and
 * MAC are right, and it is the previous entry of the one after it. What a quota counts
 * over those copies is then what the ledger holds: deleting or rewriting entries of the
 * last hour to start a quota again is found before the count, not only by `audit verify`.
 *
 * Returns: %TRUE when the window verifies
 */
gboolean
ag_ledger_verify_recent (AgLedger *self, AgLedgerStorage *storage, gint64 since_us,
                         const AgLedgerHead *known, guint64 *first_bad_seq, GError **error)
{
  const AgLedgerQuery newest = { .newest_first = TRUE };
  RecentReader reader = { self, 0, since_us, known };
  guint8 mac[AG_LEDGER_HASH_BYTES];
  AgLedgerAnchor anchor;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (storage != NULL, FALSE);

  if (first_bad_seq != NULL)
    *first_bad_seq = 0;
  if (!ag_ledger_read_meta (storage, &reader.algorithm, error))
    return FALSE;
  reader.reached_start = TRUE;
  if (!storage->read_rows (storage, &newest, recent_row_cb, &reader, error))
    return FALSE;
  if (reader.bad_seq != 0)
    return ag_ledger_set_tampered (error, first_bad_seq, reader.bad_seq, reader.bad_what);
  if (!reader.reached_start || reader.next_seq == 0)
    return TRUE;

  /* Every entry was in the window: the oldest must follow the start or the anchor. */
  if (reader.next_seq == 1)
    {
      static const guint8 zero[AG_LEDGER_HASH_BYTES] = { 0 };

      if (sodium_memcmp (reader.next_prev, zero, AG_LEDGER_HASH_BYTES) != 0)
        return ag_ledger_set_tampered (error, first_bad_seq, 1, "its previous hash does not match");
      return TRUE;
    }
  if (!ag_ledger_read_anchor (storage, &anchor, error))
    return FALSE;
  if (anchor.present && anchor.seq + 1 == reader.next_seq)
    {
      ag_ledger_anchor_mac (self, reader.algorithm, anchor.seq, anchor.hash, mac);
      if (sodium_memcmp (mac, anchor.mac, AG_LEDGER_HASH_BYTES) != 0
          || sodium_memcmp (anchor.hash, reader.next_prev, AG_LEDGER_HASH_BYTES) != 0)
        return ag_ledger_set_tampered (error, first_bad_seq, reader.next_seq,
                                       "the anchor does not verify");
      return TRUE;
    }
  return ag_ledger_set_tampered (error, first_bad_seq, reader.next_seq - 1, "it is missing");
}
