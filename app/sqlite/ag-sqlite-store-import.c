/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <string.h>
#include <sys/resource.h>

#include "ag-sqlite-store-private.h"

/* AgSqliteStore: the packed fields of a customer, and the bulk import. */

#define CACHE_PAGES_IMPORT "-262144" /* 256 MiB while a bulk import runs. */
#define PROGRESS_EVERY     4096
#define BATCH_ROWS         2048
#define N_BATCHES          16
#define MAX_ID_BYTES       256

/* Packed fields */

static void
append_varint (GByteArray *out, gsize value)
{
  do
    {
      guint8 byte = value & 0x7f;

      value >>= 7;
      if (value != 0)
        byte |= 0x80;
      g_byte_array_append (out, &byte, 1);
    }
  while (value != 0);
}

static gboolean
read_varint (const guint8 **p, const guint8 *end, gsize *value)
{
  gsize result = 0;

  for (guint shift = 0; shift < 35; shift += 7)
    {
      guint8 byte;

      if (*p >= end)
        return FALSE;
      byte = *(*p)++;
      result |= (gsize) (byte & 0x7f) << shift;
      if ((byte & 0x80) == 0)
        {
          *value = result;
          return TRUE;
        }
    }

  return FALSE;
}

typedef struct
{
  AgPiiKind kind;
  const char *mask;
  gsize mask_len;
  const guint8 *sealed;
  gsize sealed_len;
} FieldEntry;

/* Reads the next entry at *@p; returns %FALSE at the end or on malformed input (then
 * *@malformed is set). */
static gboolean
next_field (const guint8 **p, const guint8 *end, FieldEntry *entry, gboolean *malformed)
{
  *malformed = FALSE;
  if (*p == end)
    return FALSE;

  entry->kind = *(*p)++;
  if (entry->kind >= AG_PII_N_KINDS || !read_varint (p, end, &entry->mask_len)
      || entry->mask_len > (gsize) (end - *p))
    goto malformed;
  entry->mask = (const char *) *p;
  *p += entry->mask_len;
  if (!read_varint (p, end, &entry->sealed_len) || entry->sealed_len > (gsize) (end - *p))
    goto malformed;
  entry->sealed = *p;
  *p += entry->sealed_len;

  return TRUE;

malformed:
  *malformed = TRUE;
  return FALSE;
}

gboolean
ag_sqlite_store_fields_find (const guint8 *blob, gsize blob_len, AgPiiKind kind, const char **mask,
                             gsize *mask_len, const guint8 **sealed, gsize *sealed_len)
{
  const guint8 *p = blob;
  const guint8 *end = blob + blob_len;
  FieldEntry entry;
  gboolean malformed;

  g_return_val_if_fail (blob != NULL || blob_len == 0, FALSE);

  while (next_field (&p, end, &entry, &malformed))
    if (entry.kind == kind)
      {
        if (mask != NULL)
          *mask = entry.mask;
        if (mask_len != NULL)
          *mask_len = entry.mask_len;
        if (sealed != NULL)
          *sealed = entry.sealed;
        if (sealed_len != NULL)
          *sealed_len = entry.sealed_len;
        return TRUE;
      }

  return FALSE;
}

/* Builds the masked record from one `customer` row (id, name, fields at columns
 * @first, @first + 1, @first + 2). */
AgRecord *
_ag_sqlite_store_record_from_row (sqlite3_stmt *stmt, int first, GError **error)
{
  const char *id = (const char *) sqlite3_column_text (stmt, first);
  const char *name = (const char *) sqlite3_column_text (stmt, first + 1);
  const guint8 *blob = sqlite3_column_blob (stmt, first + 2);
  gsize blob_len = sqlite3_column_bytes (stmt, first + 2);
  const guint8 *p = blob;
  g_autoptr (AgRecord) record = NULL;
  FieldEntry entry;
  gboolean malformed;

  if (id == NULL || name == NULL)
    {
      g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT,
                           "A customer row lacks its id or name");
      return NULL;
    }

  record = ag_record_new (id, name);
  while (next_field (&p, blob + blob_len, &entry, &malformed))
    {
      g_autofree char *mask = g_strndup (entry.mask, entry.mask_len);
      g_autoptr (AgField) field = NULL;

      if (!g_utf8_validate (mask, -1, NULL))
        {
          malformed = TRUE;
          break;
        }
      field = ag_field_new (id, entry.kind, mask);
      ag_record_add_field (record, field);
    }

  if (malformed)
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT,
                   "The fields of a customer are damaged (record %s)", id);
      return NULL;
    }

  return g_steal_pointer (&record);
}

/* Import
 *
 * Two threads: the caller's thread pulls customers from the source, validates, masks,
 * seals and computes blind index tags (the CPU-heavy part); a writer thread inserts the
 * prepared rows into SQLite. Batches of rows go round between them through two queues, so
 * at most N_BATCHES are in memory. Everything happens inside one transaction that the
 * caller's thread opens and commits or rolls back once the writer has finished.
 */

typedef struct
{
  guint32 id_off;
  guint32 name_off;
  guint32 blob_off;
  guint32 blob_len;
  guint64 line;
  guint64 index;
  guint n_tags;
  guint8 tags[AG_PII_N_KINDS][AG_SEALER_TAG_BYTES];
} PreparedRow;

typedef struct
{
  GByteArray *arena;
  GArray *rows;
  gboolean last;
} Batch;

/* One blind index entry. The writer collects them all and inserts them sorted at the end:
 * in tag order, the B-tree is filled nearly sequentially instead of at random places,
 * several times faster once it is larger than the page cache. */
typedef struct
{
  guint8 tag[AG_SEALER_TAG_BYTES];
  gint64 rowid;
} BlindEntry;

typedef struct
{
  AgSqliteStore *self;
  GAsyncQueue *full;
  GAsyncQueue *empty;
  GArray *blind;
  GError *error;
  gint failed;
  /* Set by the caller's thread, before it sends the last batch, when it failed. */
  gboolean abandoned;
  double writer_cpu;
} ImportJob;

/* CPU seconds used so far by the calling thread, for the import's debug summary. */
static double
thread_cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_THREAD, &usage) != 0)
    return 0;
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static Batch *
batch_new (void)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->arena = g_byte_array_sized_new (BATCH_ROWS * 1024);
  batch->rows = g_array_sized_new (FALSE, FALSE, sizeof (PreparedRow), BATCH_ROWS);
  return batch;
}

static void
batch_reset (Batch *batch)
{
  /* The arena holds ids, names and sealed values only, but wipe it anyway. */
  explicit_bzero (batch->arena->data, batch->arena->len);
  g_byte_array_set_size (batch->arena, 0);
  g_array_set_size (batch->rows, 0);
  batch->last = FALSE;
}

static void
batch_free (Batch *batch)
{
  batch_reset (batch);
  g_byte_array_unref (batch->arena);
  g_array_unref (batch->rows);
  g_free (batch);
}

static gboolean
step_insert (sqlite3_stmt *stmt)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  return rc == SQLITE_DONE;
}

static int
compare_blind_entries (gconstpointer a, gconstpointer b)
{
  const BlindEntry *ea = a;
  const BlindEntry *eb = b;
  int cmp = memcmp (ea->tag, eb->tag, AG_SEALER_TAG_BYTES);

  if (cmp != 0)
    return cmp;
  return ea->rowid < eb->rowid ? -1 : ea->rowid > eb->rowid;
}

/* Rows per INSERT statement of the blind index: each statement has a fixed cost that
 * many small rows would pay again and again. */
#define BLIND_ROWS_PER_INSERT 64

static gboolean
write_blind_index (AgSqliteStore *self, GArray *entries, GError **error)
{
  g_autoptr (GString) sql = g_string_new ("INSERT OR IGNORE INTO blind (tag, customer) VALUES ");
  sqlite3_stmt *many = NULL;
  guint i = 0;
  int rc;

  g_array_sort (entries, compare_blind_entries);

  for (guint r = 0; r < BLIND_ROWS_PER_INSERT; r++)
    g_string_append (sql, r == 0 ? "(?, ?)" : ", (?, ?)");
  rc = sqlite3_prepare_v2 (self->db, sql->str, -1, &many, NULL);
  if (rc != SQLITE_OK)
    {
      _ag_sqlite_store_set_error (error, self->db, rc, "Could not index the values");
      return FALSE;
    }

  while (i < entries->len)
    {
      gboolean whole = entries->len - i >= BLIND_ROWS_PER_INSERT;
      sqlite3_stmt *stmt = whole ? many : self->insert_blind;
      guint n = whole ? BLIND_ROWS_PER_INSERT : 1;

      for (guint r = 0; r < n; r++, i++)
        {
          BlindEntry *entry = &g_array_index (entries, BlindEntry, i);

          sqlite3_bind_blob (stmt, 2 * r + 1, entry->tag, AG_SEALER_TAG_BYTES, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 2 * r + 2, entry->rowid);
        }
      if (!step_insert (stmt))
        {
          _ag_sqlite_store_set_error (error, self->db, sqlite3_errcode (self->db),
                                      "Could not index a value");
          sqlite3_finalize (many);
          return FALSE;
        }
    }

  sqlite3_finalize (many);
  return TRUE;
}

static gboolean
write_batch (AgSqliteStore *self, Batch *batch, GArray *blind, GError **error)
{
  const guint8 *arena = batch->arena->data;

  for (guint i = 0; i < batch->rows->len; i++)
    {
      PreparedRow *row = &g_array_index (batch->rows, PreparedRow, i);
      const char *name = (const char *) arena + row->name_off;
      sqlite3_int64 rowid;
      int rc;

      sqlite3_bind_text (self->insert_customer, 1, (const char *) arena + row->id_off, -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (self->insert_customer, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_blob (self->insert_customer, 3, arena + row->blob_off, row->blob_len,
                         SQLITE_STATIC);
      rc = sqlite3_step (self->insert_customer);
      sqlite3_reset (self->insert_customer);
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        {
          g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_DUPLICATE_ID,
                       "%s %" G_GUINT64_FORMAT
                       ": the customer id is already in the store or earlier in the import",
                       row->line > 0 ? "line" : "customer", row->line > 0 ? row->line : row->index);
          return FALSE;
        }
      if (rc != SQLITE_DONE)
        {
          _ag_sqlite_store_set_error (error, self->db, rc, "Could not store a customer");
          return FALSE;
        }
      rowid = sqlite3_last_insert_rowid (self->db);

      sqlite3_bind_int64 (self->insert_name, 1, rowid);
      sqlite3_bind_text (self->insert_name, 2, name, -1, SQLITE_STATIC);
      if (!step_insert (self->insert_name))
        {
          _ag_sqlite_store_set_error (error, self->db, sqlite3_errcode (self->db),
                                      "Could not index a name");
          return FALSE;
        }

      for (guint t = 0; t < row->n_tags; t++)
        {
          BlindEntry entry;

          memcpy (entry.tag, row->tags[t], AG_SEALER_TAG_BYTES);
          entry.rowid = rowid;
          g_array_append_val (blind, entry);
        }
    }

  return TRUE;
}

static gpointer
writer_thread (gpointer data)
{
  ImportJob *job = data;

  for (;;)
    {
      Batch *batch = g_async_queue_pop (job->full);
      gboolean last = batch->last;

      if (!g_atomic_int_get (&job->failed)
          && !write_batch (job->self, batch, job->blind, &job->error))
        g_atomic_int_set (&job->failed, TRUE);

      batch_reset (batch);
      g_async_queue_push (job->empty, batch);
      if (last)
        break;
    }

  if (!job->failed && !job->abandoned && !write_blind_index (job->self, job->blind, &job->error))
    job->failed = TRUE;

  job->writer_cpu = thread_cpu_seconds ();
  return NULL;
}

static void
set_invalid (GError **error, const AgCustomerData *data, guint64 index, const char *what,
             const GError *cause)
{
  g_autofree char *where = data->line > 0
                             ? g_strdup_printf ("line %" G_GUINT64_FORMAT, data->line)
                             : g_strdup_printf ("customer %" G_GUINT64_FORMAT, index + 1);

  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_INVALID_DATA, "%s: %s%s%s", where, what,
               cause != NULL ? ": " : "", cause != NULL ? cause->message : "");
}

static guint32
arena_append (GByteArray *arena, const void *data, gsize len)
{
  guint32 off = arena->len;

  g_byte_array_append (arena, data, len);
  return off;
}

/* Validates, masks and seals one customer into @batch. */
static gboolean
prepare_row (AgSqliteStore *self, const AgCustomerData *data, guint64 index, Batch *batch,
             GError **error)
{
  GByteArray *arena = batch->arena;
  PreparedRow row = { 0 };
  gsize id_len;
  guint arena_start = arena->len;

  if (data->id == NULL || *data->id == '\0')
    {
      set_invalid (error, data, index, "the id is missing", NULL);
      return FALSE;
    }
  id_len = strlen (data->id);
  if (id_len > MAX_ID_BYTES || !g_utf8_validate (data->id, id_len, NULL))
    {
      set_invalid (error, data, index, "the id is too long or not UTF-8", NULL);
      return FALSE;
    }
  if (data->values[AG_PII_KIND_NAME] == NULL || *data->values[AG_PII_KIND_NAME] == '\0')
    {
      set_invalid (error, data, index, "the name is missing", NULL);
      return FALSE;
    }

  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      const char *value = data->values[kind];
      g_autoptr (GError) local_error = NULL;
      g_autofree char *normalized = NULL;
      gsize value_len;

      if (value == NULL)
        continue;

      value_len = strlen (value);
      if (value_len == 0 || value_len > AG_PII_MAX_INPUT
          || !g_utf8_validate (value, value_len, NULL))
        {
          g_autofree char *what = g_strdup_printf ("the %s is empty, too long or not UTF-8",
                                                   ag_pii_kind_to_string (kind));

          set_invalid (error, data, index, what, NULL);
          return FALSE;
        }

      /* Values come validated and normalised (AgCustomerData). The store checks again
       * the searchable kinds, whose blind index tags a search could never find if they
       * were not in normal form; checking every kind again would double the cost of a
       * bulk import. */
      if (!ag_pii_kind_is_searchable (kind))
        continue;
      normalized = ag_pii_normalize (kind, value, &local_error);
      if (normalized == NULL || strcmp (normalized, value) != 0)
        {
          g_autofree char *what = g_strdup_printf ("the %s is not valid or not normalised",
                                                   ag_pii_kind_to_string (kind));

          if (normalized != NULL)
            explicit_bzero (normalized, strlen (normalized));
          set_invalid (error, data, index, what, local_error);
          return FALSE;
        }
      explicit_bzero (normalized, strlen (normalized));
    }

  row.line = data->line;
  row.index = index + 1;
  row.id_off = arena_append (arena, data->id, id_len + 1);
  row.name_off = arena_append (arena, data->values[AG_PII_KIND_NAME],
                               strlen (data->values[AG_PII_KIND_NAME]) + 1);
  row.blob_off = arena->len;

  for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
    {
      const char *value = data->values[kind];
      g_autofree char *mask = NULL;
      gsize value_len, mask_len, sealed_len;
      guint8 kind_byte = kind;

      if (value == NULL)
        continue;

      value_len = strlen (value);
      mask = ag_pii_mask (kind, value);
      mask_len = strlen (mask);
      sealed_len = ag_sealer_sealed_size (value_len);

      g_byte_array_append (arena, &kind_byte, 1);
      append_varint (arena, mask_len);
      g_byte_array_append (arena, (const guint8 *) mask, mask_len);
      append_varint (arena, sealed_len);
      g_byte_array_set_size (arena, arena->len + sealed_len);
      ag_sealer_seal_into (self->sealer, data->id, kind, value, value_len,
                           arena->data + arena->len - sealed_len);

      if (ag_pii_kind_is_searchable (kind))
        ag_sealer_blind_index (self->sealer, kind, value, row.tags[row.n_tags++]);
    }

  row.blob_len = arena->len - row.blob_off;
  if (arena->len > G_MAXUINT32 / 2)
    {
      g_byte_array_set_size (arena, arena_start);
      set_invalid (error, data, index, "the customer is too large", NULL);
      return FALSE;
    }
  g_array_append_val (batch->rows, row);

  return TRUE;
}

/* A bulk import is one big transaction. Into an empty store, and when no other connection
 * has it open, it runs with a rollback journal instead of the WAL: pages appended to the
 * file need no journal at all, so the data is written once instead of twice (WAL, then
 * checkpoint). The transaction stays all-or-nothing either way; a crash leaves a hot
 * journal that SQLite rolls back on the next open. Other processes cannot open the store
 * until such an import ends (they fail with "database is locked" after the busy timeout),
 * which only matters while the store has nothing to read; a store with customers keeps its
 * readers going with the WAL. */
static void
begin_bulk (AgSqliteStore *self)
{
  sqlite3_stmt *stmt = NULL;
  gboolean empty = FALSE;

  _ag_sqlite_store_exec (self, "PRAGMA cache_size=" CACHE_PAGES_IMPORT, NULL);

  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM customer LIMIT 1", -1, &stmt, NULL) == SQLITE_OK)
    empty = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);

  if (empty)
    _ag_sqlite_store_exec (self, "PRAGMA journal_mode=DELETE", NULL);
}

static void
end_bulk (AgSqliteStore *self)
{
  g_autoptr (GError) error = NULL;

  if (!_ag_sqlite_store_exec (self, "PRAGMA journal_mode=WAL", &error))
    g_warning ("Could not return the store to WAL mode: %s", error->message);
  /* Give back the import's page cache. */
  _ag_sqlite_store_exec (self, "PRAGMA cache_size=" CACHE_PAGES_NORMAL, NULL);
  sqlite3_db_release_memory (self->db);
}

static gboolean
import_locked (AgSqliteStore *self, AgCustomerSourceFunc source, gpointer source_data,
               guint64 total, AgProgressFunc progress, gpointer progress_data,
               GCancellable *cancellable, GError **error)
{
  ImportJob job = { 0 };
  GThread *writer;
  GError *local_error = NULL;
  Batch *batch;
  guint64 done = 0;
  gboolean ok;
  double cpu_start = thread_cpu_seconds ();
  gint64 wall_start = g_get_monotonic_time ();

  begin_bulk (self);
  if (!_ag_sqlite_store_exec (self, "BEGIN IMMEDIATE", error))
    {
      end_bulk (self);
      return FALSE;
    }

  job.self = self;
  job.blind = g_array_new (FALSE, FALSE, sizeof (BlindEntry));
  job.full = g_async_queue_new ();
  job.empty = g_async_queue_new ();
  for (guint i = 0; i < N_BATCHES; i++)
    g_async_queue_push (job.empty, batch_new ());
  writer = g_thread_new ("ag-store-writer", writer_thread, &job);

  batch = g_async_queue_pop (job.empty);
  for (;;)
    {
      AgCustomerData data = { 0 };
      gboolean more;

      if (g_atomic_int_get (&job.failed)
          || g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        break;

      more = source (&data, source_data, &local_error);
      if (!more)
        {
          ag_customer_data_clear (&data);
          break;
        }

      ok = prepare_row (self, &data, done, batch, &local_error);
      ag_customer_data_clear (&data);
      if (!ok)
        break;

      done++;
      if (batch->rows->len == BATCH_ROWS)
        {
          g_async_queue_push (job.full, batch);
          batch = g_async_queue_pop (job.empty);
        }
      if (progress != NULL && done % PROGRESS_EVERY == 0)
        progress (done, total, progress_data);
    }

  /* The last batch carries whatever is left and stops the writer. */
  job.abandoned = local_error != NULL;
  batch->last = TRUE;
  g_async_queue_push (job.full, batch);
  g_thread_join (writer);
  g_debug ("Import of %" G_GUINT64_FORMAT " customers: %.2f s; CPU %.2f s preparing, %.2f s "
           "writing",
           done, (g_get_monotonic_time () - wall_start) / 1e6, thread_cpu_seconds () - cpu_start,
           job.writer_cpu);

  for (guint i = 0; i < N_BATCHES; i++)
    batch_free (g_async_queue_pop (job.empty));
  g_async_queue_unref (job.full);
  g_async_queue_unref (job.empty);
  g_array_unref (job.blind);

  if (local_error == NULL && job.error != NULL)
    local_error = g_steal_pointer (&job.error);
  g_clear_error (&job.error);

  /* One FTS5 segment instead of the dozens a bulk insert leaves: name searches read one
   * doclist per prefix instead of one per segment. */
  if (local_error == NULL && done > 0)
    _ag_sqlite_store_exec (self, "INSERT INTO name_index (name_index) VALUES ('optimize')",
                           &local_error);

  if (local_error == NULL)
    {
      gint64 commit_start = g_get_monotonic_time ();

      if (_ag_sqlite_store_exec (self, "COMMIT", &local_error) && progress != NULL)
        progress (done, total, progress_data);
      g_debug ("Commit: %.2f s", (g_get_monotonic_time () - commit_start) / 1e6);
    }

  if (local_error != NULL)
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  end_bulk (self);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  return TRUE;
}

static gboolean
ag_sqlite_store_import (AgStore *store, AgCustomerSourceFunc source, gpointer source_data,
                        guint64 total, AgProgressFunc progress, gpointer progress_data,
                        GCancellable *cancellable, GError **error)
{
  AgSqliteStore *self = AG_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return import_locked (self, source, source_data, total, progress, progress_data, cancellable,
                        error);
}

void
_ag_sqlite_store_init_import (AgStoreInterface *iface)
{
  iface->import = ag_sqlite_store_import;
}
