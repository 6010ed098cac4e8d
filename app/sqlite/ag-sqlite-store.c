/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ag-keyring.h"
#include "ag-sqlite-store-private.h"

/*
 * The embedded store: one SQLite file in WAL mode.
 *
 *   meta        key/value: store-id (a random UUID naming the keys in the keyring),
 *               schema-version, key-check (a sealed constant proving the key fits),
 *               mode (`live` or `training`, since training mode; absent: live).
 *   customer    one row per customer: id, display name (the only PII kept in clear) and
 *               `fields`, the packed masks and sealed values (see the private header).
 *   blind       keyed blind index tags (AgSealer) of the searchable kinds, WITHOUT ROWID.
 *   name_index  contentless FTS5 over the names, accent-insensitive, with prefix indexes.
 *
 * The audit ledger (AgLedger) lives in this same database, so that a reveal's ledger
 * entry is committed (synchronous=FULL) in the same transaction that precedes the
 * unsealing; nothing here may assume the customer tables are the only ones.
 */

#define BUSY_TIMEOUT_MS 5000
#define KEY_CHECK_VALUE "agent-guard-key-check"

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

void
_ag_sqlite_store_set_error (GError **error, sqlite3 *db, int rc, const char *what)
{
  ag_sqlite_set_error (error, &store_errors, db, rc, what);
}

gboolean
_ag_sqlite_store_exec (AgSqliteStore *self, const char *sql, GError **error)
{
  return ag_sqlite_exec (self->db, sql, &store_errors, "Store query failed", error);
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

gboolean
_ag_sqlite_store_prepare (AgSqliteStore *self, sqlite3_stmt **stmt, const char *sql, GError **error)
{
  int rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL);

  if (rc != SQLITE_OK)
    {
      _ag_sqlite_store_set_error (error, self->db, rc,
                                  "The store's schema is not the expected one");
      return FALSE;
    }

  return TRUE;
}

static gboolean
prepare_statements (AgSqliteStore *self, GError **error)
{
  return _ag_sqlite_store_prepare (
           self, &self->insert_customer,
           "INSERT OR ROLLBACK INTO customer (id, name, fields) VALUES (?1, ?2, ?3)", error)
         && _ag_sqlite_store_prepare (self, &self->insert_name,
                                      "INSERT INTO name_index (rowid, name) VALUES (?1, ?2)", error)
         && _ag_sqlite_store_prepare (self, &self->insert_blind,
                                      "INSERT OR IGNORE INTO blind (tag, customer) VALUES (?1, ?2)",
                                      error)
         && _ag_sqlite_store_prepare (self, &self->select_by_id,
                                      "SELECT n, id, name, fields FROM customer WHERE id = ?1",
                                      error)
         && _ag_sqlite_store_prepare (self, &self->select_by_rowid,
                                      "SELECT n, id, name, fields FROM customer WHERE n = ?1",
                                      error)
         && _ag_sqlite_store_prepare (
           self, &self->select_blind,
           "SELECT customer FROM blind WHERE tag = ?1 ORDER BY customer LIMIT ?2", error)
         && _ag_sqlite_store_prepare (
           self, &self->select_name,
           "SELECT rowid FROM name_index WHERE name_index MATCH ?1 LIMIT ?2", error)
         && _ag_sqlite_store_prepare (self, &self->select_count, "SELECT count(*) FROM customer",
                                      error);
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
      _ag_sqlite_store_set_error (error, self->db, rc, "Not an Agent Guard store");
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
    _ag_sqlite_store_set_error (error, self->db, rc, "Could not read the store");
  sqlite3_finalize (stmt);

  return value;
}

gboolean
_ag_sqlite_store_write_meta (AgSqliteStore *self, const char *key, const char *value,
                             GError **error)
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
      _ag_sqlite_store_set_error (error, self->db, rc, "Could not write the store");
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
  if (!_ag_sqlite_store_exec (self,
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

static gboolean
create_schema (AgSqliteStore *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgSecret) data_key = NULL;
  g_autoptr (AgSecret) ledger_key = NULL;
  g_autofree char *version = NULL;
  g_autofree char *key_check = NULL;

  self->store_id = g_uuid_string_random ();

  if (!_ag_sqlite_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;

  if (!_ag_sqlite_store_exec (self, schema_sql, error))
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
  if (!_ag_sqlite_store_write_meta (self, "store-id", self->store_id, error)
      || !_ag_sqlite_store_write_meta (self, "schema-version", version, error)
      || !_ag_sqlite_store_write_meta (self, "key-check", key_check, error)
      || !_ag_sqlite_store_write_meta (self, MODE_META_KEY, ag_ledger_mode_to_string (self->mode),
                                       error)
      || !_ag_sqlite_store_write_meta (self, HEAD_META_KEY, HEAD_META_VALUE, error)
      || !_ag_sqlite_store_record_head (self, &(AgLedgerHead){ 0 }, cancellable, error))
    goto fail;

  return _ag_sqlite_store_exec (self, "COMMIT", error);

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

  /* Behind or forked: open for audit, refuse everything else
   * (_ag_sqlite_store_check_not_rolled_back()). */
  if (!_ag_sqlite_store_check_head (self, cancellable, NULL, &local_error))
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
  if (self->store_id == NULL || !_ag_sqlite_store_load_mode (self, error))
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
  self->mode
    = (flags & AG_SQLITE_STORE_OPEN_TRAINING) ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE;

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
      _ag_sqlite_store_set_error (error, self->db, rc, "Cannot open the store");
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
  _ag_sqlite_store_init_search (iface);
  _ag_sqlite_store_init_import (iface);
  _ag_sqlite_store_init_reveal (iface);
  _ag_sqlite_store_init_info (iface);
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
  if (!_ag_sqlite_store_append (self, entry, error))
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
  _ag_sqlite_store_wait_for_head (self);
  return ag_sqlite_ledger_verify (self->ledger, self->db, n_entries, first_bad_seq, error)
         && _ag_sqlite_store_check_head (self, NULL, first_bad_seq, error);
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
  if (!_ag_sqlite_store_check_not_rolled_back (self, error)
      || !ag_sqlite_ledger_prune (self->ledger, self->db, retention_days, 0, record, n_pruned,
                                  error))
    return FALSE;
  _ag_sqlite_store_advance_head (self, record);
  return TRUE;
}
