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
 * The audit ledger (DESIGN §5): a hash chain in the `ledger` table of the caller's
 * SQLite database.
 *
 *   encoding(e) = version (1 byte) · seq (u64 BE) · time_us (i64 BE) · mode (u8)
 *                 · event (u8) · field (u8, 0xff = none)
 *                 · user · host · session · record · reason · ticket · policy · cause
 *   where each string is: present (u8 0/1) [· length (u32 BE) · UTF-8 bytes]
 *   hash(e)     = BLAKE2b-256 (hash(e - 1) · encoding(e)), hash(0) = 32 zero bytes
 *   mac(e)      = MAC_key (hash(e)), MAC = keyed BLAKE2b-256 or HMAC-SHA-256 (meta `mac`)
 *
 * Every member has a fixed place and every string its length, so no two different
 * entries encode alike. Pruning deletes a prefix of the chain and keeps its last entry's
 * seq and hash as the anchor in ledger_meta, MACed, so verification starts from it.
 *
 * The triggers make the tables insert-only against mistakes; they are no defence
 * against someone who can write the file (they can drop them). The chain and the MAC
 * are: without the key, no change verifies. What they cannot show is the newest
 * entries cut off the end: that is what the journal copy is for.
 */

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Generated once for Agent Guard's ledger entries in the journal. */
#define LEDGER_MESSAGE_ID "e804004a72e80a6655a1dd41c65f925f"
#define ANCHOR_CONTEXT    "agent-guard-ledger-anchor-v1"
#define N_STRINGS         8
#define ENCODING_MAX      (1 + 8 + 8 + 1 + 1 + 1 + N_STRINGS * (1 + 4 + AG_LEDGER_MAX_STRING))
#define ANCHOR_BYTES      (8 + AG_LEDGER_HASH_BYTES + AG_LEDGER_HASH_BYTES)

struct _AgLedger
{
  GObject parent_instance;

  AgSecret *key;
  /* Keyed states made once: each MAC copies one and feeds it the hash. */
  crypto_generichash_state blake2b_state;
  crypto_auth_hmacsha256_state hmac_state;
};

G_DEFINE_FINAL_TYPE (AgLedger, ag_ledger, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (AgLedgerEntry, ag_ledger_entry, ag_ledger_entry_copy, ag_ledger_entry_free)

static const char schema_sql[]
  = "CREATE TABLE IF NOT EXISTS ledger ("
    "  seq INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  user TEXT NOT NULL,"
    "  host TEXT NOT NULL,"
    "  session TEXT NOT NULL,"
    "  mode INTEGER NOT NULL,"
    "  event INTEGER NOT NULL,"
    "  record TEXT,"
    "  field INTEGER,"
    "  reason TEXT,"
    "  ticket TEXT,"
    "  policy_version TEXT,"
    "  cause TEXT,"
    "  prev_hash BLOB NOT NULL,"
    "  hash BLOB NOT NULL,"
    "  mac BLOB NOT NULL"
    ");"
    "CREATE INDEX IF NOT EXISTS ledger_by_record ON ledger (record) WHERE record IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS ledger_by_time ON ledger (time);"
    /* The reveal quota counts an agent's `reveal` entries of the last hour. */
    "CREATE INDEX IF NOT EXISTS ledger_by_user_event ON ledger (user, event, time);"
    "CREATE TABLE IF NOT EXISTS ledger_meta ("
    "  key TEXT PRIMARY KEY,"
    "  value BLOB NOT NULL"
    ") WITHOUT ROWID;"
    /* A row here only while ag_ledger_prune() runs, inside its transaction. */
    "CREATE TABLE IF NOT EXISTS ledger_prune (active INTEGER NOT NULL);"
    "CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger"
    " BEGIN SELECT RAISE (ABORT, 'ledger entries cannot be changed'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger"
    " WHEN NOT EXISTS (SELECT 1 FROM ledger_prune)"
    " BEGIN SELECT RAISE (ABORT, 'ledger entries cannot be deleted'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_no_update BEFORE UPDATE ON ledger_meta"
    " BEGIN SELECT RAISE (ABORT, 'ledger meta data cannot be changed'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_no_delete BEFORE DELETE ON ledger_meta"
    " WHEN NOT EXISTS (SELECT 1 FROM ledger_prune)"
    " BEGIN SELECT RAISE (ABORT, 'ledger meta data cannot be deleted'); END;"
    "CREATE TRIGGER IF NOT EXISTS ledger_meta_anchor BEFORE INSERT ON ledger_meta"
    " WHEN NEW.key = 'anchor' AND NOT EXISTS (SELECT 1 FROM ledger_prune)"
    " BEGIN SELECT RAISE (ABORT, 'only pruning sets the ledger anchor'); END;";

static const char *const event_names[] = {
  [AG_LEDGER_EVENT_LOGIN] = "login",   [AG_LEDGER_EVENT_LOGIN_FAILED] = "login-failed",
  [AG_LEDGER_EVENT_UNLOCK] = "unlock", [AG_LEDGER_EVENT_LOCK] = "lock",
  [AG_LEDGER_EVENT_REVEAL] = "reveal", [AG_LEDGER_EVENT_REVEAL_DENIED] = "reveal-denied",
  [AG_LEDGER_EVENT_REMASK] = "remask", [AG_LEDGER_EVENT_POLICY_CHANGED] = "policy-changed",
  [AG_LEDGER_EVENT_IMPORT] = "import", [AG_LEDGER_EVENT_EXPORT] = "export",
};

/* A string member as bytes: len < 0 when absent. */
typedef struct
{
  const char *data;
  int len;
} Str;

/* An entry as read from a row or taken from an AgLedgerEntry, for encoding. */
typedef struct
{
  guint64 seq;
  gint64 time_us;
  gint64 mode;
  gint64 event;
  gint64 field;
  Str strings[N_STRINGS];
} EntryView;

GQuark
ag_ledger_error_quark (void)
{
  return g_quark_from_static_string ("ag-ledger-error-quark");
}

/* Entries */

AgLedgerEntry *
ag_ledger_entry_new (AgLedgerEvent event)
{
  AgLedgerEntry *entry = g_new0 (AgLedgerEntry, 1);

  entry->event = event;
  entry->mode = AG_LEDGER_MODE_LIVE;
  entry->field_kind = AG_LEDGER_NO_FIELD;
  return entry;
}

AgLedgerEntry *
ag_ledger_entry_copy (const AgLedgerEntry *entry)
{
  AgLedgerEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_memdup2 (entry, sizeof *entry);
  copy->user = g_strdup (entry->user);
  copy->host = g_strdup (entry->host);
  copy->session_id = g_strdup (entry->session_id);
  copy->record_id = g_strdup (entry->record_id);
  copy->reason = g_strdup (entry->reason);
  copy->ticket = g_strdup (entry->ticket);
  copy->policy_version = g_strdup (entry->policy_version);
  copy->cause = g_strdup (entry->cause);
  return copy;
}

void
ag_ledger_entry_free (AgLedgerEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->user);
  g_free (entry->host);
  g_free (entry->session_id);
  g_free (entry->record_id);
  g_free (entry->reason);
  g_free (entry->ticket);
  g_free (entry->policy_version);
  g_free (entry->cause);
  g_free (entry);
}

const char *
ag_ledger_event_to_string (AgLedgerEvent event)
{
  if ((guint) event >= G_N_ELEMENTS (event_names) || event_names[event] == NULL)
    return NULL;
  return event_names[event];
}

gboolean
ag_ledger_event_from_string (const char *str, AgLedgerEvent *out_event)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (event_names); i++)
    {
      if (event_names[i] != NULL && g_str_equal (event_names[i], str))
        {
          if (out_event != NULL)
            *out_event = i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
ag_ledger_mode_to_string (AgLedgerMode mode)
{
  switch (mode)
    {
      case AG_LEDGER_MODE_LIVE:
        return "live";
      case AG_LEDGER_MODE_TRAINING:
        return "training";
      default:
        return NULL;
    }
}

static inline Str
str_from (const char *s)
{
  return (Str){ s, s != NULL ? (int) strlen (s) : -1 };
}

static void
view_from_entry (const AgLedgerEntry *entry, EntryView *view)
{
  view->seq = entry->seq;
  view->time_us = entry->time_us;
  view->mode = entry->mode;
  view->event = entry->event;
  view->field = entry->field_kind;
  view->strings[0] = str_from (entry->user);
  view->strings[1] = str_from (entry->host);
  view->strings[2] = str_from (entry->session_id);
  view->strings[3] = str_from (entry->record_id);
  view->strings[4] = str_from (entry->reason);
  view->strings[5] = str_from (entry->ticket);
  view->strings[6] = str_from (entry->policy_version);
  view->strings[7] = str_from (entry->cause);
}

static inline guint8 *
put_u64 (guint8 *p, guint64 v)
{
  for (int i = 7; i >= 0; i--)
    *p++ = (guint8) (v >> (i * 8));
  return p;
}

/* Encodes @view into @out (ENCODING_MAX bytes); 0 when a member is out of range. */
static gsize
encode_view (const EntryView *view, guint8 *out)
{
  guint8 *p = out;

  if (view->mode < 0 || view->mode > 0xfe || view->event < 0 || view->event > 0xfe
      || view->field < AG_LEDGER_NO_FIELD || view->field > 0xfe)
    return 0;

  *p++ = AG_LEDGER_FORMAT_VERSION;
  p = put_u64 (p, view->seq);
  p = put_u64 (p, (guint64) view->time_us);
  *p++ = (guint8) view->mode;
  *p++ = (guint8) view->event;
  *p++ = view->field == AG_LEDGER_NO_FIELD ? 0xff : (guint8) view->field;

  for (guint i = 0; i < N_STRINGS; i++)
    {
      const Str *s = &view->strings[i];

      if (s->len < 0)
        {
          *p++ = 0;
          continue;
        }
      if (s->len > AG_LEDGER_MAX_STRING)
        return 0;
      *p++ = 1;
      *p++ = (guint8) (s->len >> 24);
      *p++ = (guint8) (s->len >> 16);
      *p++ = (guint8) (s->len >> 8);
      *p++ = (guint8) s->len;
      memcpy (p, s->data, s->len);
      p += s->len;
    }

  return p - out;
}

gsize
ag_ledger_encode_for_testing (const AgLedgerEntry *entry, guint8 *out, gsize out_len)
{
  guint8 buffer[ENCODING_MAX];
  EntryView view;
  gsize len;

  g_return_val_if_fail (entry != NULL, 0);

  view_from_entry (entry, &view);
  len = encode_view (&view, buffer);
  if (len == 0 || len > out_len)
    return 0;
  memcpy (out, buffer, len);
  return len;
}

/* hash = BLAKE2b-256 (prev · encoding); @buffer holds prev then the encoding. */
static gboolean
hash_view (const EntryView *view, const guint8 *prev, guint8 *hash)
{
  guint8 buffer[AG_LEDGER_HASH_BYTES + ENCODING_MAX];
  gsize len;

  memcpy (buffer, prev, AG_LEDGER_HASH_BYTES);
  len = encode_view (view, buffer + AG_LEDGER_HASH_BYTES);
  if (len == 0)
    return FALSE;
  crypto_generichash (hash, AG_LEDGER_HASH_BYTES, buffer, AG_LEDGER_HASH_BYTES + len, NULL, 0);
  return TRUE;
}

/* The ledger object: the MAC key */

static void
ag_ledger_finalize (GObject *object)
{
  AgLedger *self = AG_LEDGER (object);

  g_clear_pointer (&self->key, ag_secret_free);
  sodium_memzero (&self->blake2b_state, sizeof self->blake2b_state);
  sodium_memzero (&self->hmac_state, sizeof self->hmac_state);

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
  crypto_generichash_init (&self->blake2b_state, key, key_len, AG_LEDGER_HASH_BYTES);
  crypto_auth_hmacsha256_init (&self->hmac_state, key, key_len);
  return self;
}

static void
compute_mac (AgLedger *self, AgLedgerMac mac, const guint8 *data, gsize len, guint8 *out)
{
  if (mac == AG_LEDGER_MAC_HMAC_SHA256)
    {
      crypto_auth_hmacsha256_state state = self->hmac_state;

      crypto_auth_hmacsha256_update (&state, data, len);
      crypto_auth_hmacsha256_final (&state, out);
      sodium_memzero (&state, sizeof state);
    }
  else
    {
      crypto_generichash_state state = self->blake2b_state;

      crypto_generichash_update (&state, data, len);
      crypto_generichash_final (&state, out, AG_LEDGER_HASH_BYTES);
      sodium_memzero (&state, sizeof state);
    }
}

static void
anchor_mac (AgLedger *self, AgLedgerMac mac, guint64 seq, const guint8 *hash, guint8 *out)
{
  guint8 buffer[sizeof ANCHOR_CONTEXT + 8 + AG_LEDGER_HASH_BYTES];
  guint8 *p = buffer;

  memcpy (p, ANCHOR_CONTEXT, sizeof ANCHOR_CONTEXT);
  p = put_u64 (p + sizeof ANCHOR_CONTEXT, seq);
  memcpy (p, hash, AG_LEDGER_HASH_BYTES);
  compute_mac (self, mac, buffer, sizeof buffer, out);
}

/* SQL helpers */

static void
set_sqlite_error (GError **error, sqlite3 *db, int rc, const char *what)
{
  int code = AG_LEDGER_ERROR_FAILED;

  switch (rc & 0xff)
    {
      case SQLITE_IOERR:
      case SQLITE_FULL:
      case SQLITE_CANTOPEN:
      case SQLITE_READONLY:
      case SQLITE_PERM:
      case SQLITE_BUSY:
        code = AG_LEDGER_ERROR_IO;
        break;
      default:
        break;
    }
  /* SQLite's messages name tables and constraints, never bound values. */
  g_set_error (error, AG_LEDGER_ERROR, code, "%s: %s", what, sqlite3_errmsg (db));
}

static sqlite3_stmt *
prepare (sqlite3 *db, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      sqlite3_finalize (stmt);
      return NULL;
    }
  return stmt;
}

static gboolean
exec (sqlite3 *db, const char *sql, const char *what, GError **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, what);
      return FALSE;
    }
  return TRUE;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* Reads the meta value @key: returns FALSE on an SQL error; *value NULL when absent. */
static gboolean
read_meta (sqlite3 *db, const char *key, GBytes **value, GError **error)
{
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
read_mac_algorithm (sqlite3 *db, AgLedgerMac *mac, GError **error)
{
  g_autoptr (GBytes) value = NULL;
  gsize len;
  const char *data;

  if (!read_meta (db, "mac", &value, error))
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

typedef struct
{
  gboolean present;
  guint64 seq;
  guint8 hash[AG_LEDGER_HASH_BYTES];
  guint8 mac[AG_LEDGER_HASH_BYTES];
} Anchor;

/* Reads the anchor; a malformed one is reported as tampering. */
static gboolean
read_anchor (sqlite3 *db, Anchor *anchor, GError **error)
{
  g_autoptr (GBytes) value = NULL;
  const guint8 *data;
  gsize len;

  memset (anchor, 0, sizeof *anchor);
  if (!read_meta (db, "anchor", &value, error))
    return FALSE;
  if (value == NULL)
    return TRUE;

  data = g_bytes_get_data (value, &len);
  if (len != ANCHOR_BYTES)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The ledger anchor is malformed");
      return FALSE;
    }
  anchor->present = TRUE;
  for (guint i = 0; i < 8; i++)
    anchor->seq = (anchor->seq << 8) | data[i];
  memcpy (anchor->hash, data + 8, AG_LEDGER_HASH_BYTES);
  memcpy (anchor->mac, data + 8 + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  return TRUE;
}

/* Schema */

gboolean
ag_ledger_ensure_schema_with_mac (sqlite3 *db, AgLedgerMac mac, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  const char *name = mac == AG_LEDGER_MAC_HMAC_SHA256 ? "hmac-sha256" : "blake2b-256";
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (mac == AG_LEDGER_MAC_BLAKE2B || mac == AG_LEDGER_MAC_HMAC_SHA256, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!exec (db, schema_sql, "Cannot create the ledger", error))
    return FALSE;

  /* The MAC and the format are chosen once, when the ledger is made. */
  stmt = prepare (db,
                  "INSERT OR IGNORE INTO ledger_meta (key, value)"
                  " VALUES ('format', CAST ('1' AS BLOB)), ('mac', CAST (? AS BLOB))",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot create the ledger");
      return FALSE;
    }
  return TRUE;
}

/**
 * ag_ledger_ensure_schema:
 * @db: an open database
 * @error: return location for an error
 *
 * Creates the ledger tables in @db unless they exist, with the default MAC.
 *
 * Returns: %TRUE on success
 */
gboolean
ag_ledger_ensure_schema (sqlite3 *db, GError **error)
{
  return ag_ledger_ensure_schema_with_mac (db, AG_LEDGER_MAC_DEFAULT, error);
}

gboolean
ag_ledger_is_empty (sqlite3 *db, GError **error)
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

static gboolean
string_ok (const char *s, gboolean required)
{
  if (s == NULL)
    return !required;
  if (required && *s == '\0')
    return FALSE;
  return strlen (s) <= AG_LEDGER_MAX_STRING && g_utf8_validate (s, -1, NULL);
}

static gboolean
validate_entry (const AgLedgerEntry *entry, GError **error)
{
  const char *problem = NULL;

  if (ag_ledger_event_to_string (entry->event) == NULL)
    problem = "unknown event";
  else if (ag_ledger_mode_to_string (entry->mode) == NULL)
    problem = "unknown mode";
  else if (entry->field_kind != AG_LEDGER_NO_FIELD
           && (entry->field_kind < 0 || entry->field_kind >= AG_PII_N_KINDS))
    problem = "unknown field kind";
  else if (entry->time_us < 0)
    problem = "negative time";
  else if (!string_ok (entry->user, TRUE))
    problem = "missing or invalid user";
  else if (!string_ok (entry->host, TRUE))
    problem = "missing or invalid host";
  else if (!string_ok (entry->session_id, TRUE))
    problem = "missing or invalid session id";
  else if (!string_ok (entry->record_id, FALSE) || !string_ok (entry->reason, FALSE)
           || !string_ok (entry->ticket, FALSE) || !string_ok (entry->policy_version, FALSE)
           || !string_ok (entry->cause, FALSE))
    problem = "a string is too long or not UTF-8";
  else if ((entry->event == AG_LEDGER_EVENT_REVEAL || entry->event == AG_LEDGER_EVENT_REMASK)
           && (entry->record_id == NULL || entry->field_kind == AG_LEDGER_NO_FIELD))
    problem = "a reveal needs a record and a field";

  if (problem != NULL)
    {
      /* Names the problem, never a value. */
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_INVALID_ENTRY,
                   "Invalid ledger entry (%s): %s", ag_ledger_event_to_string (entry->event),
                   problem);
      return FALSE;
    }
  return TRUE;
}

static void
bind_nullable (sqlite3_stmt *stmt, int column, const char *text)
{
  if (text != NULL)
    sqlite3_bind_text (stmt, column, text, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null (stmt, column);
}

/**
 * ag_ledger_append:
 * @self: a #AgLedger
 * @db: the database, inside a write transaction the caller commits
 * @entry: the entry; its seq, time (when 0), prev_hash, hash and mac are filled in
 * @error: return location for an error
 *
 * Returns: %TRUE when the entry was inserted (durable once the caller commits)
 */
gboolean
ag_ledger_append (AgLedger *self, sqlite3 *db, AgLedgerEntry *entry, GError **error)
{
  g_autoptr (sqlite3_stmt) head = NULL;
  g_autoptr (sqlite3_stmt) insert = NULL;
  AgLedgerMac mac;
  EntryView view;
  guint64 seq = 0;
  guint8 prev[AG_LEDGER_HASH_BYTES] = { 0 };
  int rc;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (sqlite3_get_autocommit (db))
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_FAILED,
                   "A ledger entry must be appended inside the caller's transaction");
      return FALSE;
    }

  if (entry->time_us == 0)
    entry->time_us = g_get_real_time ();
  if (!validate_entry (entry, error))
    return FALSE;

  if (!read_mac_algorithm (db, &mac, error))
    return FALSE;

  head = prepare (db, "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1", error);
  if (head == NULL)
    return FALSE;
  rc = sqlite3_step (head);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_bytes (head, 1) != AG_LEDGER_HASH_BYTES)
        {
          g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                       "The newest ledger entry is malformed");
          return FALSE;
        }
      seq = sqlite3_column_int64 (head, 0);
      memcpy (prev, sqlite3_column_blob (head, 1), AG_LEDGER_HASH_BYTES);
    }
  else if (rc == SQLITE_DONE)
    {
      Anchor anchor;

      if (!read_anchor (db, &anchor, error))
        return FALSE;
      if (anchor.present)
        {
          seq = anchor.seq;
          memcpy (prev, anchor.hash, AG_LEDGER_HASH_BYTES);
        }
    }
  else
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }

  entry->seq = seq + 1;
  memcpy (entry->prev_hash, prev, AG_LEDGER_HASH_BYTES);
  view_from_entry (entry, &view);
  if (!hash_view (&view, prev, entry->hash))
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_INVALID_ENTRY,
                   "Invalid ledger entry: cannot encode it");
      return FALSE;
    }
  compute_mac (self, mac, entry->hash, AG_LEDGER_HASH_BYTES, entry->mac);

  insert = prepare (db,
                    "INSERT INTO ledger (seq, time, user, host, session, mode, event, record,"
                    " field, reason, ticket, policy_version, cause, prev_hash, hash, mac)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_int64 (insert, 1, (sqlite3_int64) entry->seq);
  sqlite3_bind_int64 (insert, 2, entry->time_us);
  sqlite3_bind_text (insert, 3, entry->user, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, entry->host, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, entry->session_id, -1, SQLITE_STATIC);
  sqlite3_bind_int (insert, 6, entry->mode);
  sqlite3_bind_int (insert, 7, entry->event);
  bind_nullable (insert, 8, entry->record_id);
  if (entry->field_kind != AG_LEDGER_NO_FIELD)
    sqlite3_bind_int (insert, 9, entry->field_kind);
  else
    sqlite3_bind_null (insert, 9);
  bind_nullable (insert, 10, entry->reason);
  bind_nullable (insert, 11, entry->ticket);
  bind_nullable (insert, 12, entry->policy_version);
  bind_nullable (insert, 13, entry->cause);
  sqlite3_bind_blob (insert, 14, entry->prev_hash, AG_LEDGER_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 15, entry->hash, AG_LEDGER_HASH_BYTES, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 16, entry->mac, AG_LEDGER_HASH_BYTES, SQLITE_STATIC);

  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot append to the ledger");
      return FALSE;
    }
  return TRUE;
}

/* Journal */

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
    ag_ledger_event_to_string (entry->event), "MESSAGE_ID=" LEDGER_MESSAGE_ID, "PRIORITY=6",
    "SYSLOG_IDENTIFIER=agent-guard", "AG_SEQ=%" G_GUINT64_FORMAT, entry->seq,
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

/* Reading rows */

#define SELECT_COLUMNS                                                                 \
  "SELECT seq, time, user, host, session, mode, event, record, field, reason, ticket," \
  " policy_version, cause, prev_hash, hash, mac FROM ledger"

/* Columns 2-4 and 7, 9-12 are strings, in encoding order. */
static const int string_columns[N_STRINGS] = { 2, 3, 4, 7, 9, 10, 11, 12 };

/* Reads the row of @stmt into @view; FALSE when a column has a type the ledger never
 * writes (a sign of tampering). */
static gboolean
view_from_row (sqlite3_stmt *stmt, EntryView *view)
{
  static const gboolean nullable[N_STRINGS] = { FALSE, FALSE, FALSE, TRUE, TRUE, TRUE, TRUE, TRUE };

  for (int c = 0; c < 2; c++)
    if (sqlite3_column_type (stmt, c) != SQLITE_INTEGER)
      return FALSE;
  if (sqlite3_column_type (stmt, 5) != SQLITE_INTEGER
      || sqlite3_column_type (stmt, 6) != SQLITE_INTEGER)
    return FALSE;

  view->seq = sqlite3_column_int64 (stmt, 0);
  view->time_us = sqlite3_column_int64 (stmt, 1);
  view->mode = sqlite3_column_int64 (stmt, 5);
  view->event = sqlite3_column_int64 (stmt, 6);
  switch (sqlite3_column_type (stmt, 8))
    {
      case SQLITE_NULL:
        view->field = AG_LEDGER_NO_FIELD;
        break;
      case SQLITE_INTEGER:
        view->field = sqlite3_column_int64 (stmt, 8);
        if (view->field < 0)
          return FALSE;
        break;
      default:
        return FALSE;
    }

  for (guint i = 0; i < N_STRINGS; i++)
    {
      int c = string_columns[i];
      int type = sqlite3_column_type (stmt, c);

      if (type == SQLITE_NULL && nullable[i])
        view->strings[i] = (Str){ NULL, -1 };
      else if (type == SQLITE_TEXT)
        {
          view->strings[i].data = (const char *) sqlite3_column_text (stmt, c);
          view->strings[i].len = sqlite3_column_bytes (stmt, c);
        }
      else
        return FALSE;
    }

  for (int c = 13; c < 16; c++)
    if (sqlite3_column_type (stmt, c) != SQLITE_BLOB
        || sqlite3_column_bytes (stmt, c) != AG_LEDGER_HASH_BYTES)
      return FALSE;

  return TRUE;
}

static AgLedgerEntry *
entry_from_row (sqlite3_stmt *stmt)
{
  AgLedgerEntry *entry = g_new0 (AgLedgerEntry, 1);
  const void *blob;

  entry->seq = sqlite3_column_int64 (stmt, 0);
  entry->time_us = sqlite3_column_int64 (stmt, 1);
  entry->user = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  entry->host = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  entry->session_id = g_strdup ((const char *) sqlite3_column_text (stmt, 4));
  entry->mode = sqlite3_column_int (stmt, 5);
  entry->event = sqlite3_column_int (stmt, 6);
  entry->record_id = g_strdup ((const char *) sqlite3_column_text (stmt, 7));
  entry->field_kind = sqlite3_column_type (stmt, 8) == SQLITE_NULL ? AG_LEDGER_NO_FIELD
                                                                   : sqlite3_column_int (stmt, 8);
  entry->reason = g_strdup ((const char *) sqlite3_column_text (stmt, 9));
  entry->ticket = g_strdup ((const char *) sqlite3_column_text (stmt, 10));
  entry->policy_version = g_strdup ((const char *) sqlite3_column_text (stmt, 11));
  entry->cause = g_strdup ((const char *) sqlite3_column_text (stmt, 12));
  for (int c = 13; c < 16; c++)
    {
      guint8 *out = c == 13 ? entry->prev_hash : c == 14 ? entry->hash : entry->mac;

      blob = sqlite3_column_blob (stmt, c);
      if (blob != NULL && sqlite3_column_bytes (stmt, c) == AG_LEDGER_HASH_BYTES)
        memcpy (out, blob, AG_LEDGER_HASH_BYTES);
    }
  return entry;
}

/* Verify */

static gboolean
set_tampered (GError **error, guint64 *first_bad_seq, guint64 seq, const char *what)
{
  if (first_bad_seq != NULL)
    *first_bad_seq = seq;
  g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
               "Ledger entry %" G_GUINT64_FORMAT " does not verify: %s", seq, what);
  return FALSE;
}

/*
 * Verification runs in two stages: this thread reads the rows and checks their order,
 * their types and their links (each entry's prev_hash is the stored hash of the entry
 * before it) and encodes them; a worker thread recomputes each hash and MAC and compares
 * them with the stored ones. Together that is exactly walking the chain, and reading and
 * hashing, which cost about the same, run on two cores.
 */

#define BATCH_ENTRIES 1024
#define BATCH_BYTES   (256 * 1024)
#define N_BATCHES     4

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
  /* Set by the worker only; read after it was joined. */
  guint64 bad_seq;
  const char *bad_what;
} Verifier;

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
          verifier->bad_seq = batch->seq[i];
          verifier->bad_what = "its content was changed";
          return FALSE;
        }
      compute_mac (verifier->ledger, verifier->algorithm, hash, AG_LEDGER_HASH_BYTES, mac);
      if (sodium_memcmp (mac, batch->mac[i], AG_LEDGER_HASH_BYTES) != 0)
        {
          verifier->bad_seq = batch->seq[i];
          verifier->bad_what = "its MAC does not match";
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

  /* The verifier itself is the end marker. */
  while ((batch = g_async_queue_pop (verifier->full)) != (gpointer) verifier)
    {
      if (!failed)
        failed = !check_batch (verifier, batch);
      g_async_queue_push (verifier->free, batch);
    }
  return NULL;
}

/* Reads every row of @stmt, from sequence number @expected on, the previous hash in
 * @start_hash; on a break sets @first_bad_seq and AG_LEDGER_ERROR_TAMPERED. */
static gboolean
verify_rows (AgLedger *self, AgLedgerMac algorithm, sqlite3 *db, sqlite3_stmt *stmt,
             const guint8 *start_hash, guint64 expected, guint64 *count, guint64 *first_bad_seq,
             GError **error)
{
  Verifier verifier = { self, algorithm, g_async_queue_new (), g_async_queue_new (), 0, NULL };
  Batch *batches[N_BATCHES];
  Batch *batch;
  GThread *worker;
  guint8 prev[AG_LEDGER_HASH_BYTES];
  guint64 bad_seq = 0;
  const char *bad_what = NULL;
  int rc;

  for (guint i = 0; i < N_BATCHES; i++)
    {
      batches[i] = g_new (Batch, 1);
      g_async_queue_push (verifier.free, batches[i]);
    }
  worker = g_thread_new ("ag-ledger-verify", verify_worker, &verifier);

  memcpy (prev, start_hash, AG_LEDGER_HASH_BYTES);
  batch = g_async_queue_pop (verifier.free);
  batch->n = 0;
  batch->used = 0;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      EntryView view;
      guint8 *p;
      gsize len;
      guint64 seq;

      if (sqlite3_column_type (stmt, 0) != SQLITE_INTEGER)
        {
          bad_seq = expected, bad_what = "malformed";
          break;
        }
      seq = sqlite3_column_int64 (stmt, 0);
      if (seq != expected)
        {
          bad_seq = MIN (seq, expected);
          bad_what = seq > expected ? "missing" : "out of sequence";
          break;
        }
      if (!view_from_row (stmt, &view))
        {
          bad_seq = seq, bad_what = "malformed";
          break;
        }
      if (memcmp (sqlite3_column_blob (stmt, 13), prev, AG_LEDGER_HASH_BYTES) != 0)
        {
          bad_seq = seq, bad_what = "it does not follow the entry before it";
          break;
        }

      if (batch->n == BATCH_ENTRIES
          || BATCH_BYTES - batch->used < AG_LEDGER_HASH_BYTES + ENCODING_MAX)
        {
          g_async_queue_push (verifier.full, batch);
          batch = g_async_queue_pop (verifier.free);
          batch->n = 0;
          batch->used = 0;
        }
      p = batch->data + batch->used;
      memcpy (p, prev, AG_LEDGER_HASH_BYTES);
      len = encode_view (&view, p + AG_LEDGER_HASH_BYTES);
      if (len == 0)
        {
          bad_seq = seq, bad_what = "malformed";
          break;
        }
      batch->seq[batch->n] = seq;
      batch->offset[batch->n] = batch->used;
      batch->length[batch->n] = AG_LEDGER_HASH_BYTES + len;
      memcpy (batch->hash[batch->n], sqlite3_column_blob (stmt, 14), AG_LEDGER_HASH_BYTES);
      memcpy (batch->mac[batch->n], sqlite3_column_blob (stmt, 15), AG_LEDGER_HASH_BYTES);
      batch->used += AG_LEDGER_HASH_BYTES + len;
      batch->n++;

      memcpy (prev, batch->hash[batch->n - 1], AG_LEDGER_HASH_BYTES);
      expected++;
      (*count)++;
    }

  g_async_queue_push (verifier.full, batch);
  g_async_queue_push (verifier.full, &verifier);
  g_thread_join (worker);
  for (guint i = 0; i < N_BATCHES; i++)
    g_free (batches[i]);
  g_async_queue_unref (verifier.full);
  g_async_queue_unref (verifier.free);

  /* The first break in sequence order, whichever stage saw it. */
  if (verifier.bad_seq != 0 && (bad_seq == 0 || verifier.bad_seq < bad_seq))
    bad_seq = verifier.bad_seq, bad_what = verifier.bad_what;
  if (bad_seq != 0)
    return set_tampered (error, first_bad_seq, bad_seq, bad_what);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  return TRUE;
}

/**
 * ag_ledger_verify:
 * @self: a #AgLedger with the key of the ledger in @db
 * @db: the database
 * @n_entries: (out) (optional): how many entries the ledger holds
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_TAMPERED, the first sequence
 *   number that does not verify
 * @error: return location for an error
 *
 * Returns: %TRUE when every entry from the anchor on verifies
 */
gboolean
ag_ledger_verify (AgLedger *self, sqlite3 *db, guint64 *n_entries, guint64 *first_bad_seq,
                  GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 start[AG_LEDGER_HASH_BYTES] = { 0 };
  guint8 mac[AG_LEDGER_HASH_BYTES];
  AgLedgerMac algorithm;
  Anchor anchor;
  guint64 expected = 1;
  guint64 count = 0;
  gboolean in_transaction;
  gboolean ok = FALSE;
  GError *local_error = NULL;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
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

  if (!read_mac_algorithm (db, &algorithm, &local_error)
      || !read_anchor (db, &anchor, &local_error))
    {
      if (g_error_matches (local_error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED)
          && first_bad_seq != NULL)
        *first_bad_seq = 1;
      g_propagate_error (error, local_error);
      goto out;
    }

  if (anchor.present)
    {
      anchor_mac (self, algorithm, anchor.seq, anchor.hash, mac);
      if (sodium_memcmp (mac, anchor.mac, AG_LEDGER_HASH_BYTES) != 0)
        {
          set_tampered (error, first_bad_seq, anchor.seq + 1, "the anchor does not verify");
          goto out;
        }
      expected = anchor.seq + 1;
      memcpy (start, anchor.hash, AG_LEDGER_HASH_BYTES);
    }

  stmt = prepare (db, SELECT_COLUMNS " ORDER BY seq", error);
  if (stmt == NULL)
    goto out;

  if (!verify_rows (self, algorithm, db, stmt, start, expected, &count, first_bad_seq, error))
    goto out;

  if (n_entries != NULL)
    *n_entries = count;
  ok = TRUE;

out:
  if (n_entries != NULL && !ok)
    *n_entries = count;
  g_clear_pointer (&stmt, sqlite3_finalize);
  if (!in_transaction)
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  return ok;
}

/* Export */

gboolean
ag_ledger_foreach (sqlite3 *db, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                   gpointer user_data, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GString) sql = g_string_new (SELECT_COLUMNS " WHERE 1");
  AgLedgerFilter none = { 0 };
  int rc;
  int n = 0;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (filter == NULL)
    filter = &none;
  if (filter->since_us != 0)
    g_string_append (sql, " AND time >= ?");
  if (filter->until_us != 0)
    g_string_append (sql, " AND time < ?");
  if (filter->user != NULL)
    g_string_append (sql, " AND user = ?");
  if (filter->record_id != NULL)
    g_string_append (sql, " AND record = ?");
  g_string_append (sql, " ORDER BY seq");

  stmt = prepare (db, sql->str, error);
  if (stmt == NULL)
    return FALSE;
  if (filter->since_us != 0)
    sqlite3_bind_int64 (stmt, ++n, filter->since_us);
  if (filter->until_us != 0)
    sqlite3_bind_int64 (stmt, ++n, filter->until_us);
  if (filter->user != NULL)
    sqlite3_bind_text (stmt, ++n, filter->user, -1, SQLITE_STATIC);
  if (filter->record_id != NULL)
    sqlite3_bind_text (stmt, ++n, filter->record_id, -1, SQLITE_STATIC);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr (AgLedgerEntry) entry = entry_from_row (stmt);

      if (!func (entry, user_data, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  return TRUE;
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
prune_locked (AgLedger *self, sqlite3 *db, gint64 cutoff, guint64 *n_pruned, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 value[ANCHOR_BYTES];
  guint8 hash[AG_LEDGER_HASH_BYTES];
  AgLedgerMac algorithm;
  gint64 newest, first, first_kept, last;
  gboolean is_null;
  guint64 bad = 0;
  int rc;

  /* Never anchor a chain that does not verify: that would launder the tampering. */
  if (!ag_ledger_verify (self, db, NULL, &bad, error))
    {
      g_prefix_error (error, "Refusing to prune: ");
      return FALSE;
    }
  if (!read_mac_algorithm (db, &algorithm, error))
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

  stmt = prepare (db, "SELECT hash FROM ledger WHERE seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  memcpy (hash, sqlite3_column_blob (stmt, 0), AG_LEDGER_HASH_BYTES);
  g_clear_pointer (&stmt, sqlite3_finalize);

  put_u64 (value, (guint64) last);
  memcpy (value + 8, hash, AG_LEDGER_HASH_BYTES);
  anchor_mac (self, algorithm, (guint64) last, hash, value + 8 + AG_LEDGER_HASH_BYTES);

  if (!exec (db, "INSERT INTO ledger_prune VALUES (1)", "Cannot prune the ledger", error))
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

  return exec (db, "DELETE FROM ledger_prune", "Cannot prune the ledger", error);
}

gboolean
ag_ledger_prune (AgLedger *self, sqlite3 *db, guint retention_days, gint64 now_us,
                 guint64 *n_pruned, GError **error)
{
  gint64 cutoff;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (db != NULL, FALSE);
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
  if (!prune_locked (self, db, cutoff, n_pruned, error))
    {
      sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      if (n_pruned != NULL)
        *n_pruned = 0;
      return FALSE;
    }
  return exec (db, "COMMIT", "Cannot prune the ledger", error);
}
