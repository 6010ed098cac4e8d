/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-ledger"

#include "config.h"

#include <string.h>

#include "ag-sqlite-ledger.h"
#include "ag-sqlite-util.h"

/*
 * The ledger's storage in the caller's SQLite database (the chain is ag-ledger.c).
 *
 * Format 2 (meta `format`) stores each entry as its encoding, in the column `entry`, and
 * its chain as `seal` = prev_hash · hash · mac. The columns seq (the rowid), time, user,
 * event and record are copies kept for SQL (the reveal quota, export filters, `audit
 * subject`); verification checks each against the encoding. Seven columns a row instead
 * of sixteen, read without a mutex per column (see row_function()), is what brings
 * verification near a million entries a second on two cores.
 *
 * The triggers make the tables insert-only against mistakes; they are no defence
 * against someone who can write the file (they can drop them). The chain and the MAC
 * are.
 */

static const char tables_sql[]
  = "CREATE TABLE IF NOT EXISTS ledger ("
    "  seq INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  user TEXT NOT NULL,"
    "  event INTEGER NOT NULL,"
    "  record TEXT,"
    "  entry BLOB NOT NULL,"
    "  seal BLOB NOT NULL"
    ");"
    "CREATE INDEX IF NOT EXISTS ledger_by_record ON ledger (record) WHERE record IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS ledger_by_time ON ledger (time);"
    /* The reveal quota counts an agent's `reveal` entries of the last hour. */
    "CREATE INDEX IF NOT EXISTS ledger_by_user_event ON ledger (user, event, time);"
    /* The console's ledger page: one agent's (or a team's) newest entries first, by seq
     * (the rowid every index ends with). */
    "CREATE INDEX IF NOT EXISTS ledger_by_user ON ledger (user);"
    "CREATE TABLE IF NOT EXISTS ledger_meta ("
    "  key TEXT PRIMARY KEY,"
    "  value BLOB NOT NULL"
    ") WITHOUT ROWID;";

/* Against mistakes only: ag_sqlite_ledger_prune() drops and makes again the three that guard
 * deleting, inside its transaction, so that no row any writer can insert switches them
 * off (a prune is the `prune` entry that verification checks, see check_anchor_explained). */
static const char triggers_sql[]
  = "CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger"
    " BEGIN SELECT RAISE (ABORT, 'ledger entries cannot be changed'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger"
    " BEGIN SELECT RAISE (ABORT, 'ledger entries cannot be deleted'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_no_update BEFORE UPDATE ON ledger_meta"
    " BEGIN SELECT RAISE (ABORT, 'ledger meta data cannot be changed'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_no_delete BEFORE DELETE ON ledger_meta"
    " BEGIN SELECT RAISE (ABORT, 'ledger meta data cannot be deleted'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_anchor BEFORE INSERT ON ledger_meta"
    " WHEN NEW.key = 'anchor'"
    " BEGIN SELECT RAISE (ABORT, 'only pruning sets the ledger anchor'); END;";

static const char drop_prune_triggers_sql[] = "DROP TRIGGER IF EXISTS ledger_no_delete;"
                                              "DROP TRIGGER IF EXISTS ledger_meta_no_delete;"
                                              "DROP TRIGGER IF EXISTS ledger_meta_anchor;";

static const AgSqliteErrors ledger_errors = {
  ag_ledger_error_quark,
  {
    [AG_SQLITE_FAULT_OTHER] = AG_LEDGER_ERROR_FAILED,
    [AG_SQLITE_FAULT_CORRUPT] = AG_LEDGER_ERROR_FAILED,
    [AG_SQLITE_FAULT_IO] = AG_LEDGER_ERROR_IO,
    [AG_SQLITE_FAULT_BUSY] = AG_LEDGER_ERROR_IO,
  },
};

static void
set_sqlite_error (GError **error, sqlite3 *db, int rc, const char *what)
{
  ag_sqlite_set_error (error, &ledger_errors, db, rc, what);
}

static sqlite3_stmt *
prepare (sqlite3 *db, const char *sql, GError **error)
{
  return ag_sqlite_prepare (db, sql, &ledger_errors, "Cannot read the ledger", error);
}

static gboolean
exec (sqlite3 *db, const char *sql, const char *what, GError **error)
{
  return ag_sqlite_exec (db, sql, &ledger_errors, what, error);
}

/* Reading rows */

#define ROW_COLUMNS "seq, entry, seal, time, event, user, record"

/* The columns of ROW_COLUMNS. */
enum
{
  COLUMN_SEQ,
  COLUMN_ENTRY,
  COLUMN_SEAL,
  COLUMN_TIME,
  COLUMN_EVENT,
  COLUMN_USER,
  COLUMN_RECORD,
  N_COLUMNS
};

static inline const guint8 *
blob_of (sqlite3_value *value, gsize *len)
{
  if (sqlite3_value_type (value) != SQLITE_BLOB)
    return NULL;
  *len = sqlite3_value_bytes (value);
  return sqlite3_value_blob (value);
}

/* The row of @columns, as stored. Its pointers are SQLite's, valid while the values are. */
static void
row_from_values (sqlite3_value **columns, AgLedgerRow *row)
{
  int record_type = sqlite3_value_type (columns[COLUMN_RECORD]);

  memset (row, 0, sizeof *row);
  row->seq = (guint64) sqlite3_value_int64 (columns[COLUMN_SEQ]);
  row->entry = blob_of (columns[COLUMN_ENTRY], &row->entry_len);
  row->seal = blob_of (columns[COLUMN_SEAL], &row->seal_len);
  row->copies_typed = sqlite3_value_type (columns[COLUMN_TIME]) == SQLITE_INTEGER
                      && sqlite3_value_type (columns[COLUMN_EVENT]) == SQLITE_INTEGER
                      && sqlite3_value_type (columns[COLUMN_USER]) == SQLITE_TEXT
                      && (record_type == SQLITE_TEXT || record_type == SQLITE_NULL);
  if (!row->copies_typed)
    return;
  row->time_us = sqlite3_value_int64 (columns[COLUMN_TIME]);
  row->event = sqlite3_value_int64 (columns[COLUMN_EVENT]);
  row->user = (const char *) sqlite3_value_text (columns[COLUMN_USER]);
  row->user_len = sqlite3_value_bytes (columns[COLUMN_USER]);
  if (record_type == SQLITE_TEXT)
    {
      row->record_id = (const char *) sqlite3_value_text (columns[COLUMN_RECORD]);
      row->record_len = sqlite3_value_bytes (columns[COLUMN_RECORD]);
    }
}

static gboolean
read_meta (AgLedgerStorage *storage, const char *key, GBytes **value, GError **error)
{
  sqlite3 *db = ((AgSqliteLedger *) storage)->db;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  *value = NULL;
  stmt = prepare (db, "SELECT value FROM ledger_meta WHERE key = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *value = g_bytes_new (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0));
      return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  return TRUE;
}

static gboolean
read_rows (AgLedgerStorage *storage, const AgLedgerQuery *query, AgLedgerRowFunc func,
           gpointer user_data, GError **error)
{
  sqlite3 *db = ((AgSqliteLedger *) storage)->db;
  const AgLedgerFilter *filter = query->filter;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GString) sql = g_string_new ("SELECT " ROW_COLUMNS " FROM ledger WHERE 1");
  int rc;
  int n = 0;

  if (query->seq != 0)
    g_string_append (sql, " AND seq = ?");
  if (query->after_seq != 0)
    g_string_append (sql, " AND seq > ?");
  if (query->event != 0)
    g_string_append (sql, " AND event = ?");
  if (filter != NULL && filter->since_us != 0)
    g_string_append (sql, " AND time >= ?");
  if (filter != NULL && filter->until_us != 0)
    g_string_append (sql, " AND time < ?");
  if (filter != NULL && filter->user != NULL)
    g_string_append (sql, " AND user = ?");
  if (filter != NULL && filter->record_id != NULL)
    g_string_append (sql, " AND record = ?");
  /* The console's filters that the copies can answer; the rest (kind, reason, text) only
   * the chain's decoding of each entry can. */
  if (filter != NULL && filter->after_seq != 0)
    g_string_append (sql, " AND seq > ?");
  if (filter != NULL && filter->before_seq != 0)
    g_string_append (sql, " AND seq < ?");
  if (filter != NULL && filter->events != 0)
    g_string_append (sql, " AND ((1 << event) & ?) != 0");
  if (filter != NULL && filter->users != NULL)
    {
      g_string_append (sql, " AND user IN (NULL");
      for (guint i = 0; filter->users[i] != NULL; i++)
        g_string_append (sql, ", ?");
      g_string_append (sql, ")");
    }
  g_string_append (sql, query->newest_first || (filter != NULL && filter->newest_first)
                          ? " ORDER BY seq DESC"
                          : " ORDER BY seq");

  stmt = prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  if (query->seq != 0)
    sqlite3_bind_int64 (stmt, ++n, (sqlite3_int64) query->seq);
  if (query->after_seq != 0)
    sqlite3_bind_int64 (stmt, ++n, (sqlite3_int64) query->after_seq);
  if (query->event != 0)
    sqlite3_bind_int (stmt, ++n, query->event);
  if (filter != NULL && filter->since_us != 0)
    sqlite3_bind_int64 (stmt, ++n, filter->since_us);
  if (filter != NULL && filter->until_us != 0)
    sqlite3_bind_int64 (stmt, ++n, filter->until_us);
  if (filter != NULL && filter->user != NULL)
    sqlite3_bind_text (stmt, ++n, filter->user, -1, SQLITE_STATIC);
  if (filter != NULL && filter->record_id != NULL)
    sqlite3_bind_text (stmt, ++n, filter->record_id, -1, SQLITE_STATIC);
  if (filter != NULL && filter->after_seq != 0)
    sqlite3_bind_int64 (stmt, ++n, (sqlite3_int64) filter->after_seq);
  if (filter != NULL && filter->before_seq != 0)
    sqlite3_bind_int64 (stmt, ++n, (sqlite3_int64) filter->before_seq);
  if (filter != NULL && filter->events != 0)
    sqlite3_bind_int64 (stmt, ++n, filter->events);
  if (filter != NULL && filter->users != NULL)
    for (guint i = 0; filter->users[i] != NULL; i++)
      sqlite3_bind_text (stmt, ++n, filter->users[i], -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      sqlite3_value *columns[N_COLUMNS];
      AgLedgerRow row;
      gboolean more;

      /* Protected copies: the sqlite3_value_*() calls of row_from_values() need them. */
      for (guint i = 0; i < N_COLUMNS; i++)
        columns[i] = sqlite3_value_dup (sqlite3_column_value (stmt, i));
      row_from_values (columns, &row);
      more = func (&row, user_data);
      for (guint i = 0; i < N_COLUMNS; i++)
        sqlite3_value_free (columns[i]);
      if (!more)
        return TRUE;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  return TRUE;
}

/*
 * Verification's walk runs inside sqlite3_step(), as an SQL function that gets a row's
 * columns and the walk (bound with sqlite3_bind_pointer()): each sqlite3_column_*()
 * call takes the connection's mutex, and with seven columns a row those calls cost as
 * much as hashing the row, while an SQL function's arguments come without that. The
 * chain's check depends on rows arriving in seq order, which a walk of the rowid table
 * gives; any other order would be reported as a break, never pass.
 */

#define ROW_FUNCTION     "ag_ledger_verify_row"
#define ROW_POINTER_TYPE "AgLedgerRowReader"

typedef struct
{
  AgLedgerRowFunc func;
  gpointer user_data;
  gboolean stopped;
} Walk;

static void
row_function (sqlite3_context *context, int argc, sqlite3_value **argv)
{
  Walk *walk = sqlite3_value_pointer (argv[0], ROW_POINTER_TYPE);
  AgLedgerRow row;

  /* Called from SQL without the pointer: nothing to do. */
  if (walk != NULL && argc == 1 + N_COLUMNS && !walk->stopped)
    {
      row_from_values (argv + 1, &row);
      walk->stopped = !walk->func (&row, walk->user_data);
    }
}

static gboolean
walk_rows (AgLedgerStorage *storage, AgLedgerRowFunc func, gpointer user_data, GError **error)
{
  sqlite3 *db = ((AgSqliteLedger *) storage)->db;
  g_autoptr (sqlite3_stmt) stmt = NULL;
  Walk walk = { func, user_data, FALSE };
  int rc;

  /* Defined once per connection; defining it again while statements run is refused
   * with SQLITE_BUSY, and then it is there already. */
  rc = sqlite3_create_function_v2 (db, ROW_FUNCTION, 1 + N_COLUMNS, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                   NULL, row_function, NULL, NULL, NULL);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  stmt
    = prepare (db, "SELECT " ROW_FUNCTION " (?1, " ROW_COLUMNS ") FROM ledger ORDER BY seq", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_pointer (stmt, 1, &walk, ROW_POINTER_TYPE, NULL);
  rc = SQLITE_DONE;
  while (!walk.stopped && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  return TRUE;
}

void
ag_sqlite_ledger_init (AgSqliteLedger *self, sqlite3 *db)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (db != NULL);

  self->parent.read_meta = read_meta;
  self->parent.read_rows = read_rows;
  self->parent.walk = walk_rows;
  self->db = db;
}

/* Schema */

gboolean
ag_sqlite_ledger_ensure_schema_with_mac (sqlite3 *db, AgLedgerMac mac, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  AgSqliteLedger storage;
  gboolean exists = FALSE;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (mac == AG_LEDGER_MAC_BLAKE2B || mac == AG_LEDGER_MAC_HMAC_SHA256, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A ledger of another format is refused before anything is touched. */
  ag_sqlite_ledger_init (&storage, db);
  if (!ag_sqlite_table_exists (db, "ledger_meta", &exists, &ledger_errors, "Cannot read the ledger",
                               error))
    return FALSE;
  if (exists)
    {
      g_autoptr (GBytes) format = NULL;

      if (!read_meta (&storage.parent, "format", &format, error))
        return FALSE;
      if (format != NULL && !ag_ledger_check_format (&storage.parent, error))
        return FALSE;
    }

  if (!exec (db, tables_sql, "Cannot create the ledger", error)
      || !exec (db, triggers_sql, "Cannot create the ledger", error))
    return FALSE;

  /* The MAC and the format are chosen once, when the ledger is made; a ledger made
   * by another version keeps its own, and is refused here when it cannot be read. */
  stmt = prepare (db,
                  "INSERT OR IGNORE INTO ledger_meta (key, value)"
                  " VALUES ('format', CAST (? AS BLOB)), ('mac', CAST (? AS BLOB))",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, G_STRINGIFY (AG_LEDGER_FORMAT_VERSION), -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, ag_ledger_mac_name (mac), -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot create the ledger");
      return FALSE;
    }
  return ag_ledger_check_format (&storage.parent, error);
}

/**
 * ag_sqlite_ledger_ensure_schema:
 * @db: an open database
 * @error: return location for an error
 *
 * Creates the ledger tables in @db unless they exist, with the default MAC.
 *
 * Returns: %TRUE on success
 */
gboolean
ag_sqlite_ledger_ensure_schema (sqlite3 *db, GError **error)
{
  return ag_sqlite_ledger_ensure_schema_with_mac (db, AG_LEDGER_MAC_DEFAULT, error);
}

/**
 * ag_sqlite_ledger_upgrade_schema:
 * @db: a database with a ledger
 * @error: return location for an error
 *
 * Ledgers made before the prune became a checked entry had a table `ledger_prune` whose
 * row switched the delete guards off, for anyone who could write one: drops it and makes
 * the guards again without it. Does nothing on a current ledger.
 *
 * Returns: %TRUE on success
 */
gboolean
ag_sqlite_ledger_upgrade_schema (sqlite3 *db, GError **error)
{
  gboolean in_transaction;
  gboolean exists = FALSE;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!ag_sqlite_table_exists (db, "ledger_prune", &exists, &ledger_errors,
                               "Cannot read the ledger", error))
    return FALSE;
  if (!exists)
    return TRUE;

  in_transaction = !sqlite3_get_autocommit (db);
  if (!in_transaction && !exec (db, "BEGIN IMMEDIATE", "Cannot upgrade the ledger", error))
    return FALSE;
  /* Another process may have upgraded it between the look and the lock. */
  if (!exec (db, drop_prune_triggers_sql, "Cannot upgrade the ledger", error)
      || !exec (db, "DROP TABLE IF EXISTS ledger_prune", "Cannot upgrade the ledger", error)
      || !exec (db, triggers_sql, "Cannot upgrade the ledger", error)
      || (!in_transaction && !exec (db, "COMMIT", "Cannot upgrade the ledger", error)))
    {
      if (!in_transaction)
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
ag_sqlite_ledger_is_empty (sqlite3 *db, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);

  stmt = prepare (db,
                  "SELECT EXISTS (SELECT 1 FROM ledger)"
                  " OR EXISTS (SELECT 1 FROM ledger_meta WHERE key = 'anchor')",
                  error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  return sqlite3_column_int (stmt, 0) == 0;
}

/* Append */

static void
bind_nullable (sqlite3_stmt *stmt, int column, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}

/**
 * ag_sqlite_ledger_append:
 * @ledger: a #AgLedger
 * @db: the database, inside a write transaction the caller commits
 * @entry: the entry; its seq, time (when 0), prev_hash, hash and mac are filled in
 * @error: return location for an error
 *
 * Returns: %TRUE when the entry was inserted (durable once the caller commits)
 */
gboolean
ag_sqlite_ledger_append (AgLedger *ledger, sqlite3 *db, AgLedgerEntry *entry, GError **error)
{
  g_autoptr (sqlite3_stmt) insert = NULL;
  AgSqliteLedger storage;
  guint8 encoding[AG_LEDGER_ENCODING_MAX];
  guint8 seal[AG_LEDGER_SEAL_BYTES];
  gsize len;
  int rc;

  g_return_val_if_fail (AG_IS_LEDGER (ledger), FALSE);
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sqlite3_get_autocommit (db))
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_FAILED,
                   "A ledger entry must be appended inside the caller's transaction");
      return FALSE;
    }

  ag_sqlite_ledger_init (&storage, db);
  if (!ag_ledger_chain (ledger, &storage.parent, entry, encoding, &len, seal, error))
    return FALSE;

  insert = prepare (db,
                    "INSERT INTO ledger (seq, time, user, event, record, entry, seal)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, (sqlite3_int64) entry->seq);
  sqlite3_bind_int64 (insert, 2, entry->time_us);
  sqlite3_bind_text (insert, 3, entry->user, -1, SQLITE_STATIC);
  sqlite3_bind_int (insert, 4, entry->event);
  bind_nullable (insert, 5, entry->record_id);
  sqlite3_bind_blob (insert, 6, encoding, len, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 7, seal, AG_LEDGER_SEAL_BYTES, SQLITE_STATIC);

  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot append to the ledger");
      return FALSE;
    }
  return TRUE;
}

/* Verify and export */

gboolean
ag_sqlite_ledger_verify (AgLedger *ledger, sqlite3 *db, guint64 *n_entries, guint64 *first_bad_seq,
                         GError **error)
{
  AgSqliteLedger storage;
  gboolean in_transaction;
  gboolean ok;

  g_return_val_if_fail (AG_IS_LEDGER (ledger), FALSE);
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_entries != NULL)
    *n_entries = 0;
  if (first_bad_seq != NULL)
    *first_bad_seq = 0;

  /* One read transaction: a consistent snapshot while appends go on elsewhere. */
  in_transaction = !sqlite3_get_autocommit (db);
  if (!in_transaction && !exec (db, "BEGIN", "Cannot read the ledger", error))
    return FALSE;
  ag_sqlite_ledger_init (&storage, db);
  ok = ag_ledger_verify (ledger, &storage.parent, n_entries, first_bad_seq, error);
  if (!in_transaction)
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  return ok;
}

gboolean
ag_sqlite_ledger_foreach (sqlite3 *db, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                          gpointer user_data, GError **error)
{
  AgSqliteLedger storage;

  g_return_val_if_fail (db != NULL, FALSE);

  ag_sqlite_ledger_init (&storage, db);
  return ag_ledger_foreach (&storage.parent, filter, func, user_data, error);
}

/* Prune */

static gboolean
query_int64 (sqlite3 *db, const char *sql, gint64 bind, gint64 *out, gboolean *is_null,
             GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = prepare (db, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (sqlite3_bind_parameter_count (stmt) > 0)
    sqlite3_bind_int64 (stmt, 1, bind);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  *is_null = sqlite3_column_type (stmt, 0) == SQLITE_NULL;
  *out = sqlite3_column_int64 (stmt, 0);
  return TRUE;
}

static gboolean
prune_locked (AgLedger *self, sqlite3 *db, gint64 cutoff, guint64 *n_pruned, guint64 *range_first,
              guint64 *range_last, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  AgSqliteLedger storage;
  guint8 value[AG_LEDGER_ANCHOR_BYTES];
  guint8 hash[AG_LEDGER_HASH_BYTES];
  AgLedgerMac algorithm;
  gint64 newest, first, first_kept, last;
  gboolean is_null;
  guint64 bad = 0;
  gboolean found = FALSE;
  int rc;

  /* Never anchor a chain that does not verify: that would launder the tampering. */
  if (!ag_sqlite_ledger_verify (self, db, NULL, &bad, error))
    {
      g_prefix_error (error, "Refusing to prune: ");
      return FALSE;
    }
  ag_sqlite_ledger_init (&storage, db);
  if (!ag_ledger_read_meta (&storage.parent, &algorithm, error))
    return FALSE;

  if (!query_int64 (db, "SELECT MAX (seq) FROM ledger", 0, &newest, &is_null, error))
    return FALSE;
  if (is_null)
    return TRUE;
  if (!query_int64 (db, "SELECT MIN (seq) FROM ledger", 0, &first, &is_null, error))
    return FALSE;
  /* A prefix only: everything before the first entry at or after the cutoff. */
  if (!query_int64 (db, "SELECT MIN (seq) FROM ledger WHERE time >= ?", cutoff, &first_kept,
                    &is_null, error))
    return FALSE;
  last = is_null ? newest : first_kept - 1;
  /* The newest entry stays: it is the head the next append chains to. */
  last = MIN (last, newest - 1);
  if (last < first)
    return TRUE;

  /* Verified above: the seal is three hashes. */
  if (!ag_ledger_hash_at (&storage.parent, (guint64) last, hash, &found, error))
    return FALSE;
  if (!found)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "Ledger entry %" G_GINT64_FORMAT " is missing", last);
      return FALSE;
    }
  ag_ledger_make_anchor (self, algorithm, (guint64) last, hash, value);

  if (!exec (db, drop_prune_triggers_sql, "Cannot prune the ledger", error))
    return FALSE;

  stmt = prepare (db, "DELETE FROM ledger WHERE seq <= ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot prune the ledger");
      return FALSE;
    }
  if (n_pruned != NULL)
    *n_pruned = sqlite3_changes (db);
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (!exec (db, "DELETE FROM ledger_meta WHERE key = 'anchor'", "Cannot prune the ledger", error))
    return FALSE;
  stmt = prepare (db, "INSERT INTO ledger_meta (key, value) VALUES ('anchor', ?)", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_blob (stmt, 1, value, sizeof value, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot prune the ledger");
      return FALSE;
    }

  if (range_first != NULL)
    *range_first = (guint64) first;
  if (range_last != NULL)
    *range_last = (guint64) last;
  return exec (db, triggers_sql, "Cannot prune the ledger", error);
}

gboolean
ag_sqlite_ledger_prune (AgLedger *self, sqlite3 *db, guint retention_days, gint64 now_us,
                        AgLedgerEntry *record, guint64 *n_pruned, GError **error)
{
  gint64 cutoff;
  guint64 removed = 0;
  guint64 range_first = 0, range_last = 0;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_pruned != NULL)
    *n_pruned = 0;
  if (now_us == 0)
    now_us = g_get_real_time ();
  /* Beyond a million days (27 centuries) nothing is old; the clamp keeps it in range. */
  cutoff = now_us - (gint64) MIN (retention_days, 1000000) * G_USEC_PER_SEC * 60 * 60 * 24;

  if (!sqlite3_get_autocommit (db))
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_FAILED,
                   "The ledger is pruned in a transaction of its own");
      return FALSE;
    }
  if (!exec (db, "BEGIN IMMEDIATE", "Cannot prune the ledger", error))
    return FALSE;
  if (!prune_locked (self, db, cutoff, &removed, &range_first, &range_last, error))
    goto failed;
  ag_ledger_set_prune_record (record, retention_days, removed, range_first, range_last);
  if (!ag_sqlite_ledger_append (self, db, record, error))
    goto failed;
  if (!exec (db, "COMMIT", "Cannot prune the ledger", error))
    goto failed;
  if (n_pruned != NULL)
    *n_pruned = removed;
  return TRUE;

failed:
  sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}
