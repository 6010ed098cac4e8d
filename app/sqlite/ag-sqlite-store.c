/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#define _GNU_SOURCE /* RUSAGE_THREAD */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ag-keyring.h"
#include "ag-ledger.h"
#include "ag-sealer.h"
#include "ag-sqlite-ledger.h"
#include "ag-sqlite-store-private.h"
#include "ag-sqlite-util.h"

/*
 * The embedded store: one SQLite file in WAL mode.
 *
 *   meta        key/value: store-id (a random UUID naming the keys in the keyring),
 *               schema-version, key-check (a sealed constant proving the key fits).
 *   customer    one row per customer: id, display name (the only PII kept in clear) and
 *               `fields`, the packed masks and sealed values (see the private header).
 *   blind       keyed blind index tags (AgSealer) of the searchable kinds, WITHOUT ROWID.
 *   name_index  contentless FTS5 over the names, accent-insensitive, with prefix indexes.
 *
 * The audit ledger (AgLedger) lives in this same database, so that a reveal's ledger
 * entry is committed (synchronous=FULL) in the same transaction that precedes the
 * unsealing; nothing here may assume the customer tables are the only ones.
 */

#define CACHE_PAGES_NORMAL "-4096"   /* 4 MiB: keeps a search process small. */
#define CACHE_PAGES_IMPORT "-262144" /* 256 MiB while a bulk import runs. */
#define BUSY_TIMEOUT_MS    5000
#define PROGRESS_EVERY     4096
#define BATCH_ROWS         2048
#define N_BATCHES          16
#define KEY_CHECK_VALUE    "agent-guard-key-check"
#define MAX_ID_BYTES       256
/* The longest name prefix with its own FTS5 prefix index (schema_sql). */
#define NAME_PREFIX_MAX 8

struct _AgSqliteStore
{
  GObject parent_instance;

  char *path;
  char *store_id;

  /* Guards the connection and every statement: one user at a time. */
  GMutex lock;
  sqlite3 *db;
  AgSqliteLedger ledger_storage; /* the ledger's tables in @db */
  AgSealer *sealer;
  /* NULL when the ledger cannot be written (its MAC key is gone): the store still
   * searches, but every reveal and event fails with @ledger_error as its cause. */
  AgLedger *ledger;
  GError *ledger_error;
  /* The rollback anchor (DESIGN §5): the newest entry this connection recorded in the
   * Secret Service, and, when the ledger is behind or forked from the recorded one, why
   * (the store is then open for audit only). */
  GError *rollback_error;
  /* The recorder of the head (advance_head_locked()), under @head_lock: the newest sealed
   * head waiting, whether the thread runs, the newest recorded, the last failure. */
  GMutex head_lock;
  GCond head_cond;
  GThreadPool *head_recorder;
  guint8 pending_head[AG_LEDGER_SEALED_HEAD_BYTES];
  guint64 pending_seq;
  gboolean head_pending;
  gboolean head_running;
  guint64 recorded_seq;
  GError *head_error;
  /* Under @lock: the newest entry this connection knows is durable and authentic (the
   * head checked at open, then each of its own commits); every write transaction first
   * checks the file still holds it. And why the head could not be checked at open when
   * it was not a rollback (the Secret Service did not answer): accesses retry it. */
  AgLedgerHead known_head;
  GError *head_unchecked;
  /* The newest entry the last check of the quota window verified, and the data_version
   * then (check_recent_locked()). */
  AgLedgerHead window_top;
  gint64 window_version;
  gboolean window_valid;

  sqlite3_stmt *insert_customer;
  sqlite3_stmt *insert_name;
  sqlite3_stmt *insert_blind;
  sqlite3_stmt *select_by_id;
  sqlite3_stmt *select_by_rowid;
  sqlite3_stmt *select_blind;
  sqlite3_stmt *select_name;
  sqlite3_stmt *select_count;
  sqlite3_stmt *count_reveals;
  sqlite3_stmt *count_searches;

  /* Frames in the WAL after the last commit (sqlite3_wal_hook), and whether a background
   * checkpoint is on its way; under @lock. */
  int wal_frames;
  gboolean checkpoint_scheduled;
};

#define LEDGER_STORAGE(self) (&(self)->ledger_storage.parent)

static void
ag_sqlite_store_iface_init (AgStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgSqliteStore, ag_sqlite_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_STORE, ag_sqlite_store_iface_init))

static const char schema_sql[]
  = "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE customer ("
    "  n INTEGER PRIMARY KEY,"
    "  id TEXT NOT NULL UNIQUE,"
    "  name TEXT NOT NULL,"
    "  fields BLOB NOT NULL"
    ");"
    "CREATE TABLE blind ("
    "  tag BLOB NOT NULL,"
    "  customer INTEGER NOT NULL,"
    "  PRIMARY KEY (tag, customer)"
    ") WITHOUT ROWID;"
    "CREATE VIRTUAL TABLE name_index USING fts5 ("
    "  name, content='', columnsize=0, detail=none,"
    "  tokenize='unicode61 remove_diacritics 2', prefix='1 2 3 4 5 6 7 8'"
    ");";

/* Errors */

static const AgSqliteErrors store_errors = {
  ag_store_error_quark,
  {
    [AG_SQLITE_FAULT_OTHER] = AG_STORE_ERROR_FAILED,
    [AG_SQLITE_FAULT_CORRUPT] = AG_STORE_ERROR_CORRUPT,
    [AG_SQLITE_FAULT_IO] = AG_STORE_ERROR_IO,
    [AG_SQLITE_FAULT_BUSY] = AG_STORE_ERROR_FAILED,
  },
};

static void
set_sqlite_error (GError **error, sqlite3 *db, int rc, const char *what)
{
  ag_sqlite_set_error (error, &store_errors, db, rc, what);
}

static gboolean
exec_sql (AgSqliteStore *self, const char *sql, GError **error)
{
  return ag_sqlite_exec (self->db, sql, &store_errors, "Store query failed", error);
}

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
static AgRecord *
record_from_row (sqlite3_stmt *stmt, int first, GError **error)
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

/* Object */

static void
ag_sqlite_store_finalize (GObject *object)
{
  AgSqliteStore *self = AG_SQLITE_STORE (object);

  /* A short-lived process (the CLI) records its last head before it goes. */
  if (self->head_recorder != NULL)
    g_thread_pool_free (self->head_recorder, FALSE, TRUE);
  g_clear_error (&self->head_error);
  g_clear_error (&self->head_unchecked);
  g_mutex_clear (&self->head_lock);
  g_cond_clear (&self->head_cond);
  sqlite3_finalize (self->insert_customer);
  sqlite3_finalize (self->insert_name);
  sqlite3_finalize (self->insert_blind);
  sqlite3_finalize (self->select_by_id);
  sqlite3_finalize (self->select_by_rowid);
  sqlite3_finalize (self->select_blind);
  sqlite3_finalize (self->select_name);
  sqlite3_finalize (self->select_count);
  sqlite3_finalize (self->count_reveals);
  sqlite3_finalize (self->count_searches);
  if (self->db != NULL)
    sqlite3_close (self->db);

  g_clear_object (&self->sealer);
  g_clear_object (&self->ledger);
  g_clear_error (&self->ledger_error);
  g_clear_error (&self->rollback_error);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->store_id, g_free);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ag_sqlite_store_parent_class)->finalize (object);
}

static void
ag_sqlite_store_class_init (AgSqliteStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_sqlite_store_finalize;
}

static void
ag_sqlite_store_init (AgSqliteStore *self)
{
  g_mutex_init (&self->lock);
  g_mutex_init (&self->head_lock);
  g_cond_init (&self->head_cond);
}

/* Opening */

static gboolean
prepare (AgSqliteStore *self, sqlite3_stmt **stmt, const char *sql, GError **error)
{
  int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, "The store's schema is not the expected one");
      return FALSE;
    }

  return TRUE;
}

static gboolean
prepare_statements (AgSqliteStore *self, GError **error)
{
  return prepare (self, &self->insert_customer,
                  "INSERT OR ROLLBACK INTO customer (id, name, fields) VALUES (?1, ?2, ?3)", error)
         && prepare (self, &self->insert_name,
                     "INSERT INTO name_index (rowid, name) VALUES (?1, ?2)", error)
         && prepare (self, &self->insert_blind,
                     "INSERT OR IGNORE INTO blind (tag, customer) VALUES (?1, ?2)", error)
         && prepare (self, &self->select_by_id,
                     "SELECT n, id, name, fields FROM customer WHERE id = ?1", error)
         && prepare (self, &self->select_by_rowid,
                     "SELECT n, id, name, fields FROM customer WHERE n = ?1", error)
         && prepare (self, &self->select_blind,
                     "SELECT customer FROM blind WHERE tag = ?1 ORDER BY customer LIMIT ?2", error)
         && prepare (self, &self->select_name,
                     "SELECT rowid FROM name_index WHERE name_index MATCH ?1 LIMIT ?2", error)
         && prepare (self, &self->select_count, "SELECT count(*) FROM customer", error);
}

static char *
read_meta (AgSqliteStore *self, const char *key, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT value FROM meta WHERE key = ?1", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, "Not an Agent Guard store");
      g_prefix_error (error, "%s: ", self->path);
      return NULL;
    }

  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc == SQLITE_DONE)
    g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT,
                 "%s: not an Agent Guard store (no %s)", self->path, key);
  else
    set_sqlite_error (error, self->db, rc, "Could not read the store");
  sqlite3_finalize (stmt);

  return value;
}

static gboolean
write_meta (AgSqliteStore *self, const char *key, const char *value, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", -1,
                           &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, value, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "Could not write the store");
      return FALSE;
    }

  return TRUE;
}

static char *
make_key_check (AgSealer *sealer)
{
  g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, "", AG_PII_KIND_NAME, KEY_CHECK_VALUE);
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);
  char *hex = g_malloc (len * 2 + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", data[i]);

  return hex;
}

static gboolean
verify_key_check (AgSealer *sealer, const char *hex)
{
  gsize hex_len = strlen (hex);
  g_autofree guint8 *sealed = NULL;
  g_autoptr (AgSecret) opened = NULL;
  gsize len = hex_len / 2;

  if (hex_len % 2 != 0)
    return FALSE;

  sealed = g_malloc (len + 1);
  for (gsize i = 0; i < len; i++)
    {
      int hi = g_ascii_xdigit_value (hex[2 * i]);
      int lo = g_ascii_xdigit_value (hex[2 * i + 1]);

      if (hi < 0 || lo < 0)
        return FALSE;
      sealed[i] = (guint8) (hi << 4 | lo);
    }

  opened = ag_sealer_open (sealer, "", AG_PII_KIND_NAME, sealed, len, NULL);

  return opened != NULL
         && strcmp ((const char *) ag_secret_get_data (opened, NULL), KEY_CHECK_VALUE) == 0;
}

/* Checkpoints. SQLite's own (every 1,000 WAL frames, inside the COMMIT that crosses the
 * mark) would make one reveal in about 250 wait for it. Instead a commit that leaves
 * WAL_SOFT_FRAMES or more starts a checkpoint in a worker thread, which waits for the
 * connection like any caller: the reveal that crossed the mark gets its value first.
 * Only a WAL past WAL_HARD_FRAMES (writes faster than checkpoints, for minutes) is
 * checkpointed inside the commit, so the WAL stays bounded whatever happens. A passive
 * checkpoint on this connection, with no reader left, copies every frame, and the next
 * write starts the WAL over instead of growing it. */
#define WAL_SOFT_FRAMES 1000
#define WAL_HARD_FRAMES 4000

static void
checkpoint_locked (AgSqliteStore *self)
{
  int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

  /* The entries are durable in the WAL whatever happens here. */
  if (rc != SQLITE_OK)
    g_message ("The WAL checkpoint of the store failed: %s", sqlite3_errstr (rc));
  else
    self->wal_frames = 0;
}

static void
ag_sqlite_store_maintain (AgStore *store)
{
  AgSqliteStore *self = AG_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  if (self->db != NULL && self->wal_frames >= WAL_SOFT_FRAMES)
    checkpoint_locked (self);
}

static void
checkpoint_thread (GTask *task, gpointer source_object, gpointer task_data,
                   GCancellable *cancellable)
{
  AgSqliteStore *self = source_object;

  g_mutex_lock (&self->lock);
  self->checkpoint_scheduled = FALSE;
  g_mutex_unlock (&self->lock);
  ag_sqlite_store_maintain (AG_STORE (self));
}

/* Called by SQLite after each commit, under @lock. */
static int
wal_hook_cb (gpointer user_data, sqlite3 *db, const char *name, int n_frames)
{
  AgSqliteStore *self = user_data;

  self->wal_frames = n_frames;
  if (n_frames >= WAL_HARD_FRAMES)
    checkpoint_locked (self);
  else if (n_frames >= WAL_SOFT_FRAMES && !self->checkpoint_scheduled)
    {
      g_autoptr (GTask) task = g_task_new (self, NULL, NULL, NULL);

      self->checkpoint_scheduled = TRUE;
      g_task_set_source_tag (task, wal_hook_cb);
      g_task_run_in_thread (task, checkpoint_thread);
    }
  return SQLITE_OK;
}

static gboolean
configure_connection (AgSqliteStore *self, GError **error)
{
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  sqlite3_extended_result_codes (self->db, TRUE);

  /* WAL with synchronous=FULL: a committed transaction (a future ledger entry) survives
   * power loss. No mmap, a modest cache: a search process stays small. */
  if (!exec_sql (self,
                 "PRAGMA journal_mode=WAL;"
                 "PRAGMA synchronous=FULL;"
                 "PRAGMA journal_size_limit=67108864;"
                 "PRAGMA mmap_size=0;"
                 "PRAGMA temp_store=MEMORY;"
                 "PRAGMA wal_autocheckpoint=0;"
                 "PRAGMA cache_size=" CACHE_PAGES_NORMAL ";",
                 error))
    return FALSE;
  /* After the pragmas: wal_autocheckpoint sets a hook of its own. */
  sqlite3_wal_hook (self->db, wal_hook_cb, self);
  return TRUE;
}

/* The ledger MAC key is made only with an empty ledger: a ledger with entries whose key
 * is gone must fail, not start over under a new key. Such a store still opens, for
 * searching, but without a ledger nothing is ever revealed (fail closed). */
static gboolean
open_ledger (AgSqliteStore *self, gboolean create_key, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgSecret) key = NULL;
  GError *local_error = NULL;

  key = ag_keyring_get_key (self->store_id, AG_KEY_PURPOSE_LEDGER_MAC, create_key, cancellable,
                            &local_error);
  if (key == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      g_debug ("The ledger of %s cannot be written: %s", self->path, local_error->message);
      self->ledger_error = local_error;
      return TRUE;
    }
  self->ledger = ag_ledger_new (key);
  ag_ledger_set_store_id (self->ledger, self->store_id);
  return TRUE;
}

/* The rollback anchor. After every commit the ledger's newest entry is sealed with the
 * ledger key and recorded in the Secret Service, beside the store's keys; the store's
 * meta `ledger-head` says that it is. On open and on verification the ledger must reach
 * the recorded entry and hold it (ag_ledger_check_head()); when it does not, entries
 * were cut off the end or an older copy of the file was put back, and the store opens
 * for audit only. A store made before the anchor is recorded as it is when first
 * opened (trust on first use). */
#define HEAD_META_KEY   "ledger-head"
#define HEAD_META_VALUE "secret-service"

static gboolean
record_head_locked (AgSqliteStore *self, const AgLedgerHead *head, GCancellable *cancellable,
                    GError **error)
{
  guint8 sealed[AG_LEDGER_SEALED_HEAD_BYTES];

  g_mutex_lock (&self->head_lock);
  if (head->seq != 0 && head->seq <= self->recorded_seq)
    {
      g_mutex_unlock (&self->head_lock);
      return TRUE;
    }
  g_mutex_unlock (&self->head_lock);
  if (!ag_ledger_seal_head (self->ledger, LEDGER_STORAGE (self), head, sealed, error)
      || !ag_keyring_store_ledger_head (self->store_id, sealed, sizeof sealed, cancellable, error))
    return FALSE;
  g_mutex_lock (&self->head_lock);
  self->recorded_seq = MAX (self->recorded_seq, head->seq);
  g_clear_error (&self->head_error);
  g_mutex_unlock (&self->head_lock);
  return TRUE;
}

/* The recorder thread: records the newest pending head until none is left. A Secret
 * Service round trip (gnome-keyring writes its file) costs milliseconds, more than the
 * commit: it runs after the reveal has its value, and several commits meanwhile cost one
 * record. */
static void
record_head_func (gpointer data, gpointer user_data)
{
  AgSqliteStore *self = user_data;

  g_mutex_lock (&self->head_lock);
  while (self->head_pending)
    {
      guint8 sealed[AG_LEDGER_SEALED_HEAD_BYTES];
      guint64 seq = self->pending_seq;
      GError *local_error = NULL;
      gboolean ok;

      memcpy (sealed, self->pending_head, sizeof sealed);
      self->head_pending = FALSE;
      /* Never a record older than one this process made. */
      if (seq <= self->recorded_seq)
        continue;
      g_mutex_unlock (&self->head_lock);

      ok = ag_keyring_store_ledger_head (self->store_id, sealed, sizeof sealed, NULL, &local_error);

      g_mutex_lock (&self->head_lock);
      if (ok)
        {
          self->recorded_seq = MAX (self->recorded_seq, seq);
          g_clear_error (&self->head_error);
        }
      else
        {
          g_debug ("Cannot record the ledger's newest entry: %s", local_error->message);
          g_clear_error (&self->head_error);
          self->head_error = local_error;
        }
    }
  self->head_running = FALSE;
  g_cond_broadcast (&self->head_cond);
  g_mutex_unlock (&self->head_lock);
}

/* After a commit: hands @last, the newest committed entry, to the recorder thread. The
 * entry stands whatever happens to its record. */
static void
advance_head_locked (AgSqliteStore *self, const AgLedgerEntry *last)
{
  AgLedgerHead head = { .seq = last->seq };
  guint8 sealed[AG_LEDGER_SEALED_HEAD_BYTES];
  g_autoptr (GError) error = NULL;

  if (self->rollback_error != NULL)
    return;
  memcpy (head.hash, last->hash, AG_LEDGER_HASH_BYTES);
  self->known_head = head;
  if (!ag_ledger_seal_head (self->ledger, LEDGER_STORAGE (self), &head, sealed, &error))
    {
      g_mutex_lock (&self->head_lock);
      g_clear_error (&self->head_error);
      self->head_error = g_steal_pointer (&error);
      g_mutex_unlock (&self->head_lock);
      return;
    }

  g_mutex_lock (&self->head_lock);
  if (last->seq > self->pending_seq || !self->head_pending)
    {
      memcpy (self->pending_head, sealed, sizeof sealed);
      self->pending_seq = last->seq;
      self->head_pending = TRUE;
    }
  if (!self->head_running)
    {
      self->head_running = TRUE;
      if (self->head_recorder == NULL)
        self->head_recorder = g_thread_pool_new (record_head_func, self, 1, FALSE, NULL);
      g_thread_pool_push (self->head_recorder, GUINT_TO_POINTER (1), NULL);
    }
  g_mutex_unlock (&self->head_lock);
}

/* Waits until the recorder has recorded every head handed to it (or failed). */
static void
wait_for_head (AgSqliteStore *self)
{
  g_mutex_lock (&self->head_lock);
  while (self->head_running)
    g_cond_wait (&self->head_cond, &self->head_lock);
  g_mutex_unlock (&self->head_lock);
}

/* How long an access waits for the record of the commit before it. */
#define HEAD_WAIT_US (3 * G_USEC_PER_SEC)

static void
set_ledger_error (GError **error, GError *cause);

static gboolean
check_head_locked (AgSqliteStore *self, GCancellable *cancellable, guint64 *first_bad_seq,
                   GError **error);

/* Before an access (a reveal, a search by an identifier). The record of the commit
 * before it must be in the Secret Service: wait for the recorder (at most HEAD_WAIT_US),
 * and when its record failed, record the head now. An access that cannot have that is
 * refused, so that at most one access (the one whose record is on its way) can be cut
 * off unseen. A head that could not be checked at open is checked first. */
static gboolean
check_head_recorded_locked (AgSqliteStore *self, GError **error)
{
  AgLedgerHead head;
  GError *local_error = NULL;
  gboolean failed, waiting;
  gint64 deadline = g_get_monotonic_time () + HEAD_WAIT_US;

  if (self->head_unchecked != NULL)
    {
      if (!check_head_locked (self, NULL, NULL, &local_error))
        {
          if (g_error_matches (local_error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK))
            {
              self->rollback_error = g_error_copy (local_error);
              g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK,
                           "The store is open for audit only: %s", local_error->message);
            }
          else
            g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
                         "The ledger's newest entry cannot be checked against the Secret "
                         "Service: %s",
                         local_error->message);
          g_error_free (local_error);
          return FALSE;
        }
      g_clear_error (&self->head_unchecked);
    }

  g_mutex_lock (&self->head_lock);
  while (self->head_running && g_cond_wait_until (&self->head_cond, &self->head_lock, deadline))
    ;
  waiting = self->head_running;
  failed = self->head_error != NULL;
  g_mutex_unlock (&self->head_lock);
  if (waiting)
    {
      g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
                           "The Secret Service has not recorded the ledger's newest entry yet");
      return FALSE;
    }
  if (!failed)
    return TRUE;

  if (ag_ledger_get_head (LEDGER_STORAGE (self), &head, &local_error)
      && record_head_locked (self, &head, NULL, &local_error))
    return TRUE;
  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
               "The ledger's newest entry cannot be recorded in the Secret Service: %s",
               local_error->message);
  g_error_free (local_error);
  return FALSE;
}

/* First in every write transaction: the file must still hold the newest entry this
 * connection knew of. Entries cut off while the store is open (the GUI runs all day) are
 * found here, before the next commit could be recorded over them. */
static gboolean
check_known_head_locked (AgSqliteStore *self, GError **error)
{
  GError *local_error = NULL;

  if (self->known_head.seq == 0 || self->rollback_error != NULL)
    return TRUE;
  if (ag_ledger_check_head (LEDGER_STORAGE (self), &self->known_head, NULL, &local_error))
    return TRUE;
  if (g_error_matches (local_error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK))
    {
      g_debug ("%s is open for audit only from now on: %s", self->path, local_error->message);
      self->rollback_error = g_error_copy (local_error);
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK,
                   "The store is open for audit only: %s", local_error->message);
      g_error_free (local_error);
    }
  else
    set_ledger_error (error, local_error);
  return FALSE;
}

/* Before a quota is counted: the window it counts verifies (ag_ledger_verify_recent()).
 * When no other connection has written since the last check (PRAGMA data_version), only
 * the entries after the newest one checked then are walked; this connection's own
 * appends are what it just wrote. */
static gboolean
check_recent_locked (AgSqliteStore *self, gint64 time_us, GError **error)
{
  GError *local_error = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 version = -1;
  AgLedgerHead head;

  if (sqlite3_prepare_v2 (self->db, "PRAGMA data_version", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    version = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);

  if (ag_ledger_verify_recent (
        self->ledger, LEDGER_STORAGE (self), time_us - (gint64) 3600 * G_USEC_PER_SEC,
        self->window_valid && version == self->window_version ? &self->window_top : NULL, NULL,
        &local_error)
      && ag_ledger_get_head (LEDGER_STORAGE (self), &head, &local_error))
    {
      self->window_top = head;
      self->window_version = version;
      self->window_valid = version >= 0;
      return TRUE;
    }
  self->window_valid = FALSE;
  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
               "The ledger's last hour does not verify, so nothing is revealed: %s",
               local_error->message);
  g_error_free (local_error);
  return FALSE;
}

/* Whether the store's meta says its head is recorded: FALSE for a store made before. */
static gboolean
head_is_recorded (AgSqliteStore *self, gboolean *recorded, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "SELECT 1 FROM meta WHERE key = ?1", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_bind_text (stmt, 1, HEAD_META_KEY, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
    }
  sqlite3_finalize (stmt);
  *recorded = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "Could not read the store");
      return FALSE;
    }
  return TRUE;
}

/* Records the head of a store made before the anchor, once. */
static gboolean
record_first_head_locked (AgSqliteStore *self, GCancellable *cancellable, GError **error)
{
  AgLedgerHead head;
  gboolean recorded = FALSE;

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  /* Another process may have done it meanwhile. */
  if (!head_is_recorded (self, &recorded, error))
    goto fail;
  if (!recorded
      && (!ag_ledger_get_head (LEDGER_STORAGE (self), &head, error)
          || !record_head_locked (self, &head, cancellable, error)
          || !write_meta (self, HEAD_META_KEY, HEAD_META_VALUE, error)))
    goto fail;
  return exec_sql (self, "COMMIT", error);

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static void
set_rolled_back (GError **error, guint64 *first_bad_seq, guint64 seq, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static void
set_rolled_back (GError **error, guint64 *first_bad_seq, guint64 seq, const char *format, ...)
{
  va_list args;

  if (first_bad_seq != NULL)
    *first_bad_seq = seq;
  va_start (args, format);
  g_propagate_error (
    error, g_error_new_valist (AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK, format, args));
  va_end (args);
}

/* Compares the ledger with the head recorded in the Secret Service: fails with
 * AG_LEDGER_ERROR_ROLLED_BACK (@first_bad_seq: the first entry missing or not the
 * recorded one) when it is behind, forked, or the record is gone or does not verify;
 * with the keyring's error when the Secret Service cannot be asked. */
static gboolean
check_head_locked (AgSqliteStore *self, GCancellable *cancellable, guint64 *first_bad_seq,
                   GError **error)
{
  g_autoptr (GBytes) sealed = NULL;
  AgLedgerHead recorded;
  gboolean marked = FALSE;
  GError *local_error = NULL;
  const guint8 *data;
  gsize len;

  if (first_bad_seq != NULL)
    *first_bad_seq = 0;

  /* The record first, the file second: a commit always comes before its record, so
   * another process appending meanwhile can only put the file ahead. */
  sealed = ag_keyring_lookup_ledger_head (self->store_id, cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_prefixed_error (error, local_error,
                                  "The ledger's newest entry could not be checked: ");
      return FALSE;
    }
  if (!head_is_recorded (self, &marked, error))
    return FALSE;

  if (sealed == NULL)
    {
      if (!marked)
        return record_first_head_locked (self, cancellable, error);
      set_rolled_back (error, first_bad_seq, 1,
                       "The Secret Service holds no record of this ledger's newest entry, though "
                       "the store was recorded there: the record was removed, or the store "
                       "comes from another keyring");
      return FALSE;
    }

  data = g_bytes_get_data (sealed, &len);
  if (!ag_ledger_open_head (self->ledger, LEDGER_STORAGE (self), data, len, &recorded,
                            &local_error))
    {
      if (!g_error_matches (local_error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      set_rolled_back (error, first_bad_seq, 1, "%s", local_error->message);
      g_error_free (local_error);
      return FALSE;
    }
  if (!ag_ledger_check_head (LEDGER_STORAGE (self), &recorded, first_bad_seq, error))
    return FALSE;

  g_mutex_lock (&self->head_lock);
  self->recorded_seq = MAX (self->recorded_seq, recorded.seq);
  g_mutex_unlock (&self->head_lock);
  if (recorded.seq > self->known_head.seq)
    self->known_head = recorded;
  return TRUE;
}

/* Refuses what needs a store whose ledger is where it was recorded. */
static gboolean
check_not_rolled_back (AgSqliteStore *self, GError **error)
{
  if (self->rollback_error == NULL)
    return TRUE;

  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK,
               "The store is open for audit only: %s", self->rollback_error->message);
  return FALSE;
}

static gboolean
create_schema (AgSqliteStore *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgSecret) data_key = NULL;
  g_autoptr (AgSecret) ledger_key = NULL;
  g_autofree char *version = NULL;
  g_autofree char *key_check = NULL;

  self->store_id = g_uuid_string_random ();

  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!exec_sql (self, schema_sql, error))
    goto fail;

  /* Both keys are made with the store; the ledger's MAC key is used from the ledger on. */
  data_key = ag_keyring_get_key (self->store_id, AG_KEY_PURPOSE_DATA, TRUE, cancellable, error);
  if (data_key == NULL)
    goto fail;
  ledger_key
    = ag_keyring_get_key (self->store_id, AG_KEY_PURPOSE_LEDGER_MAC, TRUE, cancellable, error);
  if (ledger_key == NULL)
    goto fail;
  self->sealer = ag_sealer_new (data_key);

  if (!ag_sqlite_ledger_ensure_schema (self->db, error))
    goto fail;
  self->ledger = ag_ledger_new (ledger_key);
  ag_ledger_set_store_id (self->ledger, self->store_id);

  version = g_strdup_printf ("%d", AG_SQLITE_STORE_SCHEMA_VERSION);
  key_check = make_key_check (self->sealer);
  if (!write_meta (self, "store-id", self->store_id, error)
      || !write_meta (self, "schema-version", version, error)
      || !write_meta (self, "key-check", key_check, error)
      || !write_meta (self, HEAD_META_KEY, HEAD_META_VALUE, error)
      || !record_head_locked (self, &(AgLedgerHead){ 0 }, cancellable, error))
    goto fail;

  return exec_sql (self, "COMMIT", error);

fail:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/* Stores made before the ledger get its tables when first opened for writing. */
static gboolean
load_ledger (AgSqliteStore *self, GCancellable *cancellable, GError **error)
{
  gboolean exists;
  gboolean empty;
  GError *local_error = NULL;

  if (!ag_sqlite_table_exists (self->db, "ledger_meta", &exists, &store_errors,
                               "Cannot read the store", error))
    return FALSE;

  if (exists ? !ag_sqlite_ledger_upgrade_schema (self->db, error)
             : !ag_sqlite_ledger_ensure_schema (self->db, error))
    return FALSE;

  empty = ag_sqlite_ledger_is_empty (self->db, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (!open_ledger (self, empty, cancellable, error))
    return FALSE;
  if (self->ledger == NULL)
    return TRUE;

  /* Behind or forked: open for audit, refuse everything else (check_not_rolled_back). */
  if (!check_head_locked (self, cancellable, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      if (g_error_matches (local_error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK))
        {
          g_debug ("%s opens for audit only: %s", self->path, local_error->message);
          self->rollback_error = local_error;
        }
      else
        {
          /* Not known to be rolled back: accesses check again, and wait until then. */
          g_debug ("The head of %s could not be checked: %s", self->path, local_error->message);
          self->head_unchecked = local_error;
        }
    }
  return TRUE;
}

static gboolean
load_schema (AgSqliteStore *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgSecret) data_key = NULL;
  g_autofree char *version = NULL;
  g_autofree char *key_check = NULL;

  version = read_meta (self, "schema-version", error);
  if (version == NULL)
    return FALSE;
  if (g_strcmp0 (version, G_STRINGIFY (AG_SQLITE_STORE_SCHEMA_VERSION)) != 0)
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT,
                   "%s: store schema version %s is not supported (this version reads %d)",
                   self->path, version, AG_SQLITE_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  self->store_id = read_meta (self, "store-id", error);
  if (self->store_id == NULL)
    return FALSE;
  key_check = read_meta (self, "key-check", error);
  if (key_check == NULL)
    return FALSE;

  data_key = ag_keyring_get_key (self->store_id, AG_KEY_PURPOSE_DATA, FALSE, cancellable, error);
  if (data_key == NULL)
    return FALSE;
  self->sealer = ag_sealer_new (data_key);

  if (!verify_key_check (self->sealer, key_check))
    {
      g_set_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_CORRUPT,
                   "%s: the key for this store in your keyring does not open it", self->path);
      return FALSE;
    }

  return load_ledger (self, cancellable, error);
}

static AgSqliteStore *
open_store (const char *path, AgSqliteStoreFlags flags, const char *vfs, GCancellable *cancellable,
            GError **error);

/**
 * ag_sqlite_store_open:
 * @path: the store file
 * @flags: %AG_SQLITE_STORE_OPEN_CREATE to create the store (and its key) when @path does
 *   not exist
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error: %AG_STORE_ERROR_NOT_FOUND when there is no store
 *   at @path, %AG_KEYRING_ERROR_UNAVAILABLE when no Secret Service answers,
 *   %AG_KEYRING_ERROR_NOT_FOUND when the key of the store is not in the keyring
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
AgSqliteStore *
ag_sqlite_store_open (const char *path, AgSqliteStoreFlags flags, GCancellable *cancellable,
                      GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_store (path, flags, NULL, cancellable, error);
}

/**
 * ag_sqlite_store_open_with_vfs:
 * @vfs: the name of a registered SQLite VFS
 *
 * For tests only: ag_sqlite_store_open() on the SQLite VFS @vfs (e.g. one that injects
 * I/O faults).
 */
AgSqliteStore *
ag_sqlite_store_open_with_vfs (const char *path, AgSqliteStoreFlags flags, const char *vfs,
                               GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (vfs != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return open_store (path, flags, vfs, cancellable, error);
}

static AgSqliteStore *
open_store (const char *path, AgSqliteStoreFlags flags, const char *vfs, GCancellable *cancellable,
            GError **error)
{
  g_autoptr (AgSqliteStore) self = NULL;
  gboolean created = FALSE;
  int rc;

  self = g_object_new (AG_TYPE_SQLITE_STORE, NULL);
  self->path = g_strdup (path);

  if (flags & AG_SQLITE_STORE_OPEN_CREATE)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      int fd;

      /* The folder too, private to the user, as $XDG_DATA_HOME/agent-guard may not be
       * there yet. */
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_IO, "Cannot create the folder %s: %s",
                       dir, g_strerror (saved_errno));
          return NULL;
        }
      /* Create the file ourselves so that it is 0600 from the start; SQLite gives its
       * -wal and -shm files the same mode. */
      fd = g_open (path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

      if (fd >= 0)
        {
          created = TRUE;
          close (fd);
        }
      else if (errno != EEXIST)
        {
          int saved_errno = errno;

          g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_IO, "Cannot create %s: %s", path,
                       g_strerror (saved_errno));
          return NULL;
        }
    }
  else if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND, "There is no store at %s",
                   path);
      return NULL;
    }

  /* NOMUTEX: self->lock already serialises every use of the connection. */
  rc = sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, vfs);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, self->db, rc, "Cannot open the store");
      g_prefix_error (error, "%s: ", path);
      goto fail;
    }
  ag_sqlite_ledger_init (&self->ledger_storage, self->db);

  if (!configure_connection (self, error))
    {
      g_prefix_error (error, "%s: ", path);
      goto fail;
    }

  if (created ? !create_schema (self, cancellable, error) : !load_schema (self, cancellable, error))
    goto fail;

  if (!prepare_statements (self, error))
    goto fail;

  return g_steal_pointer (&self);

fail:
  if (created)
    {
      /* Leave nothing half-made behind: the file did not exist before, and neither did
       * any key made for it (a failure after the data key was stored would leave it). */
      if (self->store_id != NULL)
        ag_keyring_delete_keys (self->store_id, NULL, NULL);
      g_clear_object (&self);
      for (guint i = 0; i < 3; i++)
        {
          g_autofree char *file
            = g_strconcat (path, (const char *[]){ "", "-wal", "-shm" }[i], NULL);
          g_unlink (file);
        }
    }
  return NULL;
}

const char *
ag_sqlite_store_get_path (AgSqliteStore *self)
{
  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), NULL);

  return self->path;
}

const char *
ag_sqlite_store_get_store_id (AgSqliteStore *self)
{
  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), NULL);

  return self->store_id;
}

/* Search */

static gboolean
add_rowids (AgSqliteStore *self, sqlite3_stmt *stmt, GArray *rowids, GHashTable *seen,
            GError **error)
{
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);

      if (g_hash_table_add (seen, GINT_TO_POINTER (rowid)))
        g_array_append_val (rowids, rowid);
    }
  /* A damaged or unreadable file must not look like "no customers found". */
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, self->db, rc, "Could not search");
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return rc == SQLITE_DONE;
}

/* Folds one word as the FTS5 tokenizer (unicode61, remove_diacritics 2) does: lower case,
 * without diacritics. */
static char *
fold_word (const char *word, gssize len)
{
  g_autofree char *nfd = g_utf8_normalize (word, len, G_NORMALIZE_NFD);
  GString *folded = g_string_new (NULL);

  for (const char *p = nfd; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_ismark (c))
        g_string_append_unichar (folded, g_unichar_tolower (c));
    }

  return g_string_free (folded, FALSE);
}

/* Splits @text into folded words, on what is not a letter, digit or mark, as unicode61
 * does. */
static GPtrArray *
split_words (const char *text)
{
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);
  const char *start = NULL;
  const char *p;

  for (p = text;; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean word_char = c != 0 && (g_unichar_isalnum (c) || g_unichar_ismark (c));

      if (word_char && start == NULL)
        start = p;
      else if (!word_char && start != NULL)
        {
          g_ptr_array_add (words, fold_word (start, p - start));
          start = NULL;
        }
      if (c == 0)
        break;
    }

  return words;
}

/* Builds an FTS5 query: every word of @words as a prefix, all required. Words are quoted
 * strings, so nothing the agent types is FTS5 syntax. Prefixes longer than the longest
 * prefix index are cut to it (a long prefix of a common word would otherwise expand into
 * a large merge); *@needs_filter then says the candidates must be checked against the
 * whole words. */
static char *
build_name_match (GPtrArray *words, gboolean *needs_filter)
{
  GString *match = g_string_new (NULL);

  *needs_filter = FALSE;
  for (guint i = 0; i < words->len; i++)
    {
      const char *word = words->pdata[i];
      const char *end = word;
      guint n_chars = 0;

      while (*end != '\0' && n_chars < NAME_PREFIX_MAX)
        {
          end = g_utf8_next_char (end);
          n_chars++;
        }
      if (*end != '\0')
        *needs_filter = TRUE;

      g_string_append (match, match->len > 0 ? " \"" : "\"");
      g_string_append_len (match, word, end - word);
      g_string_append (match, "\"*");
    }

  if (match->len == 0)
    {
      g_string_free (match, TRUE);
      return NULL;
    }

  return g_string_free (match, FALSE);
}

/* Whether every word of @query_words is a prefix of a word of @name. */
static gboolean
name_matches (const char *name, GPtrArray *query_words)
{
  g_autoptr (GPtrArray) name_words = split_words (name);

  for (guint i = 0; i < query_words->len; i++)
    {
      gboolean found = FALSE;

      for (guint j = 0; j < name_words->len && !found; j++)
        found = g_str_has_prefix (name_words->pdata[j], query_words->pdata[i]);
      if (!found)
        return FALSE;
    }

  return TRUE;
}

static int
compare_records (gconstpointer a, gconstpointer b)
{
  AgRecord *ra = *(AgRecord **) a;
  AgRecord *rb = *(AgRecord **) b;
  int cmp = strcmp (ag_record_get_name (ra), ag_record_get_name (rb));

  return cmp != 0 ? cmp : strcmp (ag_record_get_id (ra), ag_record_get_id (rb));
}

/* Reads the customer at @rowid into @out, or leaves @out unset when @words is given and
 * the name does not match them. */
static gboolean
read_record (AgSqliteStore *self, gint64 rowid, GPtrArray *words, AgRecord **out, GError **error)
{
  sqlite3_stmt *stmt = self->select_by_rowid;
  int rc;

  *out = NULL;
  sqlite3_bind_int64 (stmt, 1, rowid);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
                        "Could not read a customer");
      sqlite3_reset (stmt);
      return FALSE;
    }
  if (words != NULL)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 2);

      if (name == NULL || !name_matches (name, words))
        {
          sqlite3_reset (stmt);
          return TRUE;
        }
    }
  *out = record_from_row (stmt, 1, error);
  sqlite3_reset (stmt);

  return *out != NULL;
}

static GListModel *
search_locked (AgSqliteStore *self, const char *query, guint limit, GCancellable *cancellable,
               GError **error)
{
  g_autoptr (GArray) rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GHashTable) seen = g_hash_table_new (NULL, NULL);
  g_autoptr (GPtrArray) records = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GListStore) results = g_list_store_new (AG_TYPE_RECORD);
  g_autofree char *trimmed = g_strstrip (g_strdup (query));
  g_autoptr (GPtrArray) words = NULL;
  g_autofree char *match = NULL;
  gboolean needs_filter = FALSE;

  if (*trimmed == '\0' || !g_utf8_validate (trimmed, -1, NULL))
    return G_LIST_MODEL (g_steal_pointer (&results));

  /* The customer id, exactly. */
  sqlite3_bind_text (self->select_by_id, 1, trimmed, -1, SQLITE_STATIC);
  if (!add_rowids (self, self->select_by_id, rowids, seen, error))
    return NULL;

  /* Exact CPF, CNPJ, phone, e-mail: every kind that accepts the query as a value. An
   * 11-digit number may be both a CPF and a phone. */
  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_autofree char *normalized = NULL;
      guint8 tag[AG_SEALER_TAG_BYTES];

      if (!ag_pii_kind_is_searchable (kind))
        continue;
      normalized = ag_pii_normalize (kind, trimmed, NULL);
      if (normalized == NULL)
        continue;

      ag_sealer_blind_index (self->sealer, kind, normalized, tag);
      explicit_bzero (normalized, strlen (normalized));
      sqlite3_bind_blob (self->select_blind, 1, tag, sizeof tag, SQLITE_STATIC);
      sqlite3_bind_int (self->select_blind, 2, limit);
      if (!add_rowids (self, self->select_blind, rowids, seen, error))
        return NULL;
    }

  /* Name: every word a prefix of a word of the name. */
  words = split_words (trimmed);
  match = build_name_match (words, &needs_filter);
  if (match != NULL && !needs_filter)
    {
      sqlite3_bind_text (self->select_name, 1, match, -1, SQLITE_STATIC);
      sqlite3_bind_int (self->select_name, 2, limit);
      if (!add_rowids (self, self->select_name, rowids, seen, error))
        return NULL;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  for (guint i = 0; i < rowids->len; i++)
    {
      AgRecord *record;

      if (!read_record (self, g_array_index (rowids, gint64, i), NULL, &record, error))
        return NULL;
      g_ptr_array_add (records, record);
    }

  /* A word longer than the prefix indexes was looked up by its start: its candidates are
   * checked against the whole words one by one, in index order, until @limit match or
   * none is left, so a match is never lost behind many near misses. */
  if (match != NULL && needs_filter)
    {
      sqlite3_stmt *stmt = self->select_name;
      guint n_name_matches = 0;
      guint n_read = 0;
      int rc;

      sqlite3_bind_text (stmt, 1, match, -1, SQLITE_STATIC);
      sqlite3_bind_int (stmt, 2, -1);
      while (n_name_matches < limit && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 rowid = sqlite3_column_int64 (stmt, 0);
          AgRecord *record;

          if (++n_read % 1024 == 0 && g_cancellable_is_cancelled (cancellable))
            break;
          if (!g_hash_table_add (seen, GINT_TO_POINTER (rowid)))
            continue;
          if (!read_record (self, rowid, words, &record, error))
            {
              sqlite3_reset (stmt);
              sqlite3_clear_bindings (stmt);
              return NULL;
            }
          if (record != NULL)
            {
              g_ptr_array_add (records, record);
              n_name_matches++;
            }
        }
      if (n_name_matches < limit && rc != SQLITE_DONE && rc != SQLITE_ROW)
        set_sqlite_error (error, self->db, rc, "Could not search");
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      if ((error != NULL && *error != NULL)
          || g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
    }

  g_ptr_array_sort (records, compare_records);
  for (guint i = 0; i < records->len && i < limit; i++)
    g_list_store_append (results, records->pdata[i]);

  return G_LIST_MODEL (g_steal_pointer (&results));
}

/* Records */

static AgRecord *
ag_sqlite_store_get_record (AgStore *store, const char *id, GCancellable *cancellable,
                            GError **error)
{
  AgSqliteStore *self = AG_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  sqlite3_stmt *stmt = self->select_by_id;
  AgRecord *record = NULL;
  int rc;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    record = record_from_row (stmt, 1, error);
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                         "No customer has this id");
  else
    set_sqlite_error (error, self->db, rc, "Could not read a customer");
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return record;
}

static gint64
ag_sqlite_store_count (AgStore *store, GError **error)
{
  AgSqliteStore *self = AG_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  gint64 count = -1;
  int rc;

  rc = sqlite3_step (self->select_count);
  if (rc == SQLITE_ROW)
    count = sqlite3_column_int64 (self->select_count, 0);
  else
    set_sqlite_error (error, self->db, rc, "Could not count the customers");
  sqlite3_reset (self->select_count);

  return count;
}

#if DEVELOPMENT
/**
 * ag_sqlite_store_unseal_for_testing:
 * @self: a store
 * @id: a customer id
 * @kind: a kind of field
 * @error: return location for an error
 *
 * Development builds only: opens one sealed value without writing any ledger entry.
 *
 * Returns: (transfer full): the value, or %NULL on error
 */
AgSecret *
ag_sqlite_store_unseal_for_testing (AgSqliteStore *self, const char *id, AgPiiKind kind,
                                    GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  sqlite3_stmt *stmt;
  AgSecret *value = NULL;
  const guint8 *sealed;
  gsize sealed_len;
  int rc;

  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  locker = g_mutex_locker_new (&self->lock);
  stmt = self->select_by_id;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (ag_sqlite_store_fields_find (sqlite3_column_blob (stmt, 3),
                                       sqlite3_column_bytes (stmt, 3), kind, NULL, NULL, &sealed,
                                       &sealed_len))
        value = ag_sealer_open (self->sealer, id, kind, sealed, sealed_len, error);
      else
        g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND, "The customer has no %s",
                     ag_pii_kind_to_string (kind));
    }
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                         "No customer has this id");
  else
    set_sqlite_error (error, self->db, rc, "Could not read a customer");
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return value;
}
#endif

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
      set_sqlite_error (error, self->db, rc, "Could not index the values");
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
          set_sqlite_error (error, self->db, sqlite3_errcode (self->db), "Could not index a value");
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
          set_sqlite_error (error, self->db, rc, "Could not store a customer");
          return FALSE;
        }
      rowid = sqlite3_last_insert_rowid (self->db);

      sqlite3_bind_int64 (self->insert_name, 1, rowid);
      sqlite3_bind_text (self->insert_name, 2, name, -1, SQLITE_STATIC);
      if (!step_insert (self->insert_name))
        {
          set_sqlite_error (error, self->db, sqlite3_errcode (self->db), "Could not index a name");
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

  exec_sql (self, "PRAGMA cache_size=" CACHE_PAGES_IMPORT, NULL);

  if (sqlite3_prepare_v2 (self->db, "SELECT 1 FROM customer LIMIT 1", -1, &stmt, NULL) == SQLITE_OK)
    empty = sqlite3_step (stmt) == SQLITE_DONE;
  sqlite3_finalize (stmt);

  if (empty)
    exec_sql (self, "PRAGMA journal_mode=DELETE", NULL);
}

static void
end_bulk (AgSqliteStore *self)
{
  g_autoptr (GError) error = NULL;

  if (!exec_sql (self, "PRAGMA journal_mode=WAL", &error))
    g_warning ("Could not return the store to WAL mode: %s", error->message);
  /* Give back the import's page cache. */
  exec_sql (self, "PRAGMA cache_size=" CACHE_PAGES_NORMAL, NULL);
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
  if (!exec_sql (self, "BEGIN IMMEDIATE", error))
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
    exec_sql (self, "INSERT INTO name_index (name_index) VALUES ('optimize')", &local_error);

  if (local_error == NULL)
    {
      gint64 commit_start = g_get_monotonic_time ();

      if (exec_sql (self, "COMMIT", &local_error) && progress != NULL)
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

/* Reveal */

static gboolean
check_ledger (AgSqliteStore *self, GError **error)
{
  if (self->ledger != NULL)
    return TRUE;

  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER, "The ledger cannot be written: %s",
               self->ledger_error != NULL ? self->ledger_error->message : "it is not there");
  return FALSE;
}

/* Takes @cause; its message names the query or the entry's member, never a value. */
static void
set_ledger_error (GError **error, GError *cause)
{
  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
               "The ledger entry could not be committed: %s", cause->message);
  g_error_free (cause);
}

/* Commits what the caller's write transaction holds, or rolls it back. */
static gboolean
commit_or_roll_back (AgSqliteStore *self, GError **error)
{
  GError *local_error = NULL;

  if (exec_sql (self, "COMMIT", &local_error))
    return TRUE;

  /* After a failed COMMIT SQLite may already have rolled back; then this fails too. */
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  set_ledger_error (error, local_error);
  return FALSE;
}

static gboolean
append_locked (AgSqliteStore *self, AgLedgerEntry *entry, GError **error)
{
  GError *local_error = NULL;

  if (!check_ledger (self, error))
    return FALSE;
  /* A rolled-back store still ledgers the audit reads made of it (`export`), chained to
   * what it holds; the recorded head stays where it was, so it stays rolled back. */
  if (entry->event != AG_LEDGER_EVENT_EXPORT && !check_not_rolled_back (self, error))
    return FALSE;

  if (!exec_sql (self, "BEGIN IMMEDIATE", &local_error))
    {
      set_ledger_error (error, local_error);
      return FALSE;
    }
  if ((entry->event != AG_LEDGER_EVENT_EXPORT && !check_known_head_locked (self, error)))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  if (!ag_sqlite_ledger_append (self->ledger, self->db, entry, &local_error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      set_ledger_error (error, local_error);
      return FALSE;
    }

  if (!commit_or_roll_back (self, error))
    return FALSE;
  advance_head_locked (self, entry);
  return TRUE;
}

static gboolean
ag_sqlite_store_append_event_vfunc (AgStore *store, AgLedgerEntry *entry, GError **error)
{
  return ag_sqlite_store_append_event (AG_SQLITE_STORE (store), entry, error);
}

/* Copies the sealed value of @kind of customer @id out of the store. */
static gboolean
read_sealed (AgSqliteStore *self, const char *id, AgPiiKind kind, guint8 **out_sealed,
             gsize *out_len, GError **error)
{
  sqlite3_stmt *stmt = self->select_by_id;
  const guint8 *sealed;
  gsize sealed_len;
  gboolean found = FALSE;
  int rc;

  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      found = ag_sqlite_store_fields_find (sqlite3_column_blob (stmt, 3),
                                           sqlite3_column_bytes (stmt, 3), kind, NULL, NULL,
                                           &sealed, &sealed_len);
      if (found)
        {
          *out_sealed = g_memdup2 (sealed, sealed_len);
          *out_len = sealed_len;
        }
      else
        g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND, "The customer has no %s",
                     ag_pii_kind_to_string (kind));
    }
  else if (rc == SQLITE_DONE)
    g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                         "No customer has this id");
  else
    {
      GError *local_error = NULL;

      set_sqlite_error (&local_error, self->db, rc, "Could not read a customer");
      set_ledger_error (error, local_error);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return found;
}

/* Counts into @count the entries of @event by @user in the hour that ends at @time_us
 * (an entry exactly one hour old no longer counts), with @sql prepared once into @stmt.
 * Its parameters: ?1 the user, ?2 the event, ?3 the start of the hour. */
static gboolean
count_last_hour (AgSqliteStore *self, sqlite3_stmt **stmt, const char *sql, const char *user,
                 AgLedgerEvent event, gint64 time_us, gint64 *count, GError **error)
{
  GError *local_error = NULL;
  int rc;

  if (*stmt == NULL && !prepare (self, stmt, sql, &local_error))
    {
      set_ledger_error (error, local_error);
      return FALSE;
    }

  sqlite3_bind_text (*stmt, 1, user, -1, SQLITE_STATIC);
  sqlite3_bind_int (*stmt, 2, event);
  sqlite3_bind_int64 (*stmt, 3, time_us - (gint64) 3600 * G_USEC_PER_SEC);
  rc = sqlite3_step (*stmt);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64 (*stmt, 0);
  else
    set_sqlite_error (&local_error, self->db, rc, "Could not count the ledger entries");
  sqlite3_reset (*stmt);
  sqlite3_clear_bindings (*stmt);

  if (local_error != NULL)
    {
      set_ledger_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* Refuses the reveal when @user already has @max_per_hour `reveal` entries in the hour
 * that ends at @time_us. */
static gboolean
check_quota (AgSqliteStore *self, const char *user, gint64 time_us, guint max_per_hour,
             GError **error)
{
  gint64 count = 0;

  if (!count_last_hour (self, &self->count_reveals,
                        "SELECT count(*) FROM ledger WHERE user = ?1 AND event = ?2 AND time > ?3",
                        user, AG_LEDGER_EVENT_REVEAL, time_us, &count, error))
    return FALSE;
  if (count >= max_per_hour)
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED,
                   "%s has used the %u reveals allowed per hour", user, max_per_hour);
      return FALSE;
    }

  return TRUE;
}

static AgSecret *
reveal_locked (AgSqliteStore *self, AgLedgerEntry *entry, guint max_per_hour, gboolean *committed,
               GError **error)
{
  g_autofree guint8 *sealed = NULL;
  gsize sealed_len = 0;
  GError *local_error = NULL;
  AgSecret *value;

  if (!check_ledger (self, error) || !check_not_rolled_back (self, error)
      || !check_head_recorded_locked (self, error))
    return NULL;
  if (entry->time_us == 0)
    entry->time_us = g_get_real_time ();

  if (!exec_sql (self, "BEGIN IMMEDIATE", &local_error))
    {
      set_ledger_error (error, local_error);
      return NULL;
    }

  if (!check_known_head_locked (self, error)
      || !read_sealed (self, entry->record_id, entry->field_kind, &sealed, &sealed_len, error)
      || (max_per_hour > 0
          && (!check_recent_locked (self, entry->time_us, error)
              || !check_quota (self, entry->user, entry->time_us, max_per_hour, error))))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }

  if (!ag_sqlite_ledger_append (self->ledger, self->db, entry, &local_error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      set_ledger_error (error, local_error);
      return NULL;
    }
  if (!commit_or_roll_back (self, error))
    return NULL;
  *committed = TRUE;
  advance_head_locked (self, entry);

  /* The entry is durable: only now is the value opened. */
  value = ag_sealer_open (self->sealer, entry->record_id, entry->field_kind, sealed, sealed_len,
                          &local_error);
  if (value == NULL)
    {
      g_set_error (
        error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT, "The %s of record %s does not open: %s",
        ag_pii_kind_to_string (entry->field_kind), entry->record_id, local_error->message);
      g_error_free (local_error);
    }

  return value;
}

static AgSecret *
ag_sqlite_store_reveal (AgStore *store, AgLedgerEntry *entry, guint max_per_hour,
                        GCancellable *cancellable, GError **error)
{
  AgSqliteStore *self = AG_SQLITE_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  gboolean committed = FALSE;
  AgSecret *value;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  locker = g_mutex_locker_new (&self->lock);
  value = reveal_locked (self, entry, max_per_hour, &committed, error);
  g_clear_pointer (&locker, g_mutex_locker_free);

  /* A committed entry is mirrored even when its value did not open. */
  if (committed)
    ag_ledger_mirror (self->ledger, entry);

  return value;
}

/* Search */

/* "kinds=cpf,phone found=N": what a `search` entry says of its search, never the query. */
static char *
search_cause (guint kinds, guint n_found)
{
  GString *cause = g_string_new ("kinds=");

  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    if (kinds & (1u << kind))
      g_string_append_printf (cause, "%s%s", cause->len > 6 ? "," : "",
                              ag_pii_kind_to_string (kind));
  g_string_append_printf (cause, " found=%u", n_found);
  return g_string_free (cause, FALSE);
}

static AgLedgerEntry *
search_entry (const AgLedgerEntry *access, AgLedgerEvent event, gint64 time_us, guint kinds,
              const char *record_id, char *cause)
{
  AgLedgerEntry *entry = ag_ledger_entry_copy (access);
  AgPiiKind first = 0;

  while (first < AG_PII_N_KINDS && !(kinds & (1u << first)))
    first++;
  entry->event = event;
  entry->time_us = time_us;
  entry->field_kind = first < AG_PII_N_KINDS ? (int) first : AG_LEDGER_NO_FIELD;
  g_free (entry->record_id);
  entry->record_id = g_strdup (record_id);
  g_free (entry->reason);
  entry->reason = NULL;
  g_free (entry->ticket);
  entry->ticket = NULL;
  g_free (entry->cause);
  entry->cause = cause;
  return entry;
}

/* A search by an identifier, in one write transaction (see AgStoreInterface.search).
 * @appended gets the committed entries, for the journal. */
static GListModel *
search_identifier_locked (AgSqliteStore *self, const char *query, guint kinds, guint limit,
                          const AgLedgerEntry *access, guint max_per_hour,
                          GCancellable *cancellable, GPtrArray *appended, GError **error)
{
  g_autoptr (GPtrArray) entries
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  g_autoptr (GListModel) results = NULL;
  GError *local_error = NULL;
  gint64 time_us = access->time_us != 0 ? access->time_us : g_get_real_time ();
  gint64 count = 0;
  guint n;

  if (!check_ledger (self, error) || !check_not_rolled_back (self, error)
      || !check_head_recorded_locked (self, error))
    return NULL;
  if (!exec_sql (self, "BEGIN IMMEDIATE", &local_error))
    {
      set_ledger_error (error, local_error);
      return NULL;
    }

  /* Each customer found is an access and counts, as does a search that found nobody:
   * the `search` entries are counted. (Counting searches by their time would let a
   * clock that stands still make every search one.) */
  if (!check_known_head_locked (self, error)
      || (max_per_hour > 0 && !check_recent_locked (self, time_us, error)))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  if (max_per_hour > 0
      && !count_last_hour (
        self, &self->count_searches,
        "SELECT count(*) FROM ledger WHERE user = ?1 AND event = ?2 AND time > ?3", access->user,
        AG_LEDGER_EVENT_SEARCH, time_us, &count, error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }

  if (max_per_hour > 0 && count >= max_per_hour)
    {
      g_ptr_array_add (entries, search_entry (access, AG_LEDGER_EVENT_SEARCH_DENIED, time_us, kinds,
                                              NULL, g_strdup ("quota")));
    }
  else
    {
      results = search_locked (self, query, limit, cancellable, error);
      if (results == NULL)
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          return NULL;
        }
      n = g_list_model_get_n_items (results);
      for (guint i = 0; i < MAX (n, 1); i++)
        {
          g_autoptr (AgRecord) record = i < n ? g_list_model_get_item (results, i) : NULL;

          g_ptr_array_add (entries, search_entry (access, AG_LEDGER_EVENT_SEARCH, time_us, kinds,
                                                  record != NULL ? ag_record_get_id (record) : NULL,
                                                  search_cause (kinds, n)));
        }
    }

  for (guint i = 0; i < entries->len; i++)
    if (!ag_sqlite_ledger_append (self->ledger, self->db, entries->pdata[i], &local_error))
      {
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
        set_ledger_error (error, local_error);
        return NULL;
      }
  if (!commit_or_roll_back (self, error))
    return NULL;
  advance_head_locked (self, entries->pdata[entries->len - 1]);
  g_ptr_array_extend_and_steal (appended, g_steal_pointer (&entries));

  if (results == NULL)
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED,
                   "%s has used the %u identifier searches allowed per hour", access->user,
                   max_per_hour);
      return NULL;
    }
  return g_steal_pointer (&results);
}

static GListModel *
ag_sqlite_store_search (AgStore *store, const char *query, guint limit, const AgLedgerEntry *access,
                        guint max_per_hour, GCancellable *cancellable, GError **error)
{
  AgSqliteStore *self = AG_SQLITE_STORE (store);
  g_autoptr (GPtrArray) appended
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  g_autoptr (GMutexLocker) locker = NULL;
  guint kinds = ag_pii_identifier_kinds (query);
  GListModel *results;

  if (kinds == 0)
    {
      locker = g_mutex_locker_new (&self->lock);
      return search_locked (self, query, limit, cancellable, error);
    }
  if (access == NULL)
    {
      g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
                           "A search by an identifier needs its ledger entry: not searched");
      return NULL;
    }

  locker = g_mutex_locker_new (&self->lock);
  results = search_identifier_locked (self, query, kinds, limit, access, max_per_hour, cancellable,
                                      appended, error);
  g_clear_pointer (&locker, g_mutex_locker_free);

  for (guint i = 0; i < appended->len; i++)
    ag_ledger_mirror (self->ledger, appended->pdata[i]);
  return results;
}

static gboolean
ag_sqlite_store_foreach_event_vfunc (AgStore *store, const AgLedgerFilter *filter,
                                     AgLedgerEntryFunc func, gpointer user_data, GError **error)
{
  return ag_sqlite_store_foreach_event (AG_SQLITE_STORE (store), filter, func, user_data, error);
}

static gboolean
ag_sqlite_store_verify_ledger_vfunc (AgStore *store, guint64 *n_entries, guint64 *first_bad_seq,
                                     GError **error)
{
  return ag_sqlite_store_verify_ledger (AG_SQLITE_STORE (store), n_entries, first_bad_seq, error);
}

static gboolean
ag_sqlite_store_prune_ledger_vfunc (AgStore *store, guint retention_days, AgLedgerEntry *record,
                                    guint64 *n_pruned, GError **error)
{
  return ag_sqlite_store_prune_ledger (AG_SQLITE_STORE (store), retention_days, record, n_pruned,
                                       error);
}

static gboolean
ag_sqlite_store_check_journal_vfunc (AgStore *store, const char *directory, guint64 *n_compared,
                                     guint64 *journal_seq, guint64 *first_bad_seq, GError **error)
{
  return ag_sqlite_store_check_journal (AG_SQLITE_STORE (store), directory, n_compared, journal_seq,
                                        first_bad_seq, error);
}

static const char *
ag_sqlite_store_get_id_vfunc (AgStore *store)
{
  return AG_SQLITE_STORE (store)->store_id;
}

static const char *
ag_sqlite_store_get_location_vfunc (AgStore *store)
{
  return AG_SQLITE_STORE (store)->path;
}

static void
ag_sqlite_store_iface_init (AgStoreInterface *iface)
{
  iface->search = ag_sqlite_store_search;
  iface->get_record = ag_sqlite_store_get_record;
  iface->import = ag_sqlite_store_import;
  iface->count = ag_sqlite_store_count;
  iface->reveal = ag_sqlite_store_reveal;
  iface->append_event = ag_sqlite_store_append_event_vfunc;
  iface->maintain = ag_sqlite_store_maintain;
  iface->foreach_event = ag_sqlite_store_foreach_event_vfunc;
  iface->verify_ledger = ag_sqlite_store_verify_ledger_vfunc;
  iface->prune_ledger = ag_sqlite_store_prune_ledger_vfunc;
  iface->check_journal = ag_sqlite_store_check_journal_vfunc;
  iface->get_id = ag_sqlite_store_get_id_vfunc;
  iface->get_location = ag_sqlite_store_get_location_vfunc;
}

/* The audit ledger */

/**
 * ag_sqlite_store_append_event:
 * @self: a #AgSqliteStore
 * @entry: the entry; its seq, time, hashes and MAC are filled in
 * @error: return location for an error
 *
 * Appends @entry to the ledger in a transaction of its own and commits it durably
 * (WAL, synchronous=FULL), then mirrors it to the journal.
 *
 * Returns: %TRUE once the entry is committed; %AG_STORE_ERROR_LEDGER when it cannot be
 */
gboolean
ag_sqlite_store_append_event (AgSqliteStore *self, AgLedgerEntry *entry, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (!append_locked (self, entry, error))
    return FALSE;
  g_clear_pointer (&locker, g_mutex_locker_free);

  ag_ledger_mirror (self->ledger, entry);
  return TRUE;
}

gboolean
ag_sqlite_store_verify_ledger (AgSqliteStore *self, guint64 *n_entries, guint64 *first_bad_seq,
                               GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (self->ledger == NULL)
    {
      g_propagate_error (error, g_error_copy (self->ledger_error));
      return FALSE;
    }
  /* This process's own newest commits are recorded first. */
  wait_for_head (self);
  return ag_sqlite_ledger_verify (self->ledger, self->db, n_entries, first_bad_seq, error)
         && check_head_locked (self, NULL, first_bad_seq, error);
}

/**
 * ag_sqlite_store_check_journal:
 * @self: a #AgSqliteStore
 * @directory: (nullable): journal files to compare with; %NULL: this machine's journal
 * @n_compared: (out): the journal entries of this store compared (0: none there)
 * @journal_seq: (out): the newest of them
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_ROLLED_BACK, the first entry the
 *   journal holds that the store does not
 * @error: return location for an error
 *
 * Returns: %TRUE when the store holds every entry its journal copy holds
 */
gboolean
ag_sqlite_store_check_journal (AgSqliteStore *self, const char *directory, guint64 *n_compared,
                               guint64 *journal_seq, guint64 *first_bad_seq, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return ag_ledger_check_journal (LEDGER_STORAGE (self), self->store_id, directory, n_compared,
                                  journal_seq, first_bad_seq, error);
}

gboolean
ag_sqlite_store_foreach_event (AgSqliteStore *self, const AgLedgerFilter *filter,
                               AgLedgerEntryFunc func, gpointer user_data, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  return ag_sqlite_ledger_foreach (self->db, filter, func, user_data, error);
}

gboolean
ag_sqlite_store_prune_ledger (AgSqliteStore *self, guint retention_days, AgLedgerEntry *record,
                              guint64 *n_pruned, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;

  g_return_val_if_fail (AG_IS_SQLITE_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);

  locker = g_mutex_locker_new (&self->lock);
  if (self->ledger == NULL)
    {
      g_propagate_error (error, g_error_copy (self->ledger_error));
      return FALSE;
    }
  if (!check_not_rolled_back (self, error)
      || !ag_sqlite_ledger_prune (self->ledger, self->db, retention_days, 0, record, n_pruned,
                                  error))
    return FALSE;
  advance_head_locked (self, record);
  return TRUE;
}
