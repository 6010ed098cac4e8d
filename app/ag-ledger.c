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
 * Format 2 (meta `format`) stores each entry as its encoding, in the column `entry`, and
 * its chain as `seal` = prev_hash · hash · mac. The encoding is the entry: every reader
 * decodes it, and the hash covers exactly those bytes. The columns seq (the rowid), time,
 * user, event and record are copies kept for SQL (the reveal quota, export filters,
 * `audit subject`); verification checks each against the encoding, so changing one is
 * caught like changing the encoding itself, and a reader applies its filter again to
 * what it decoded. Seven columns a row instead of sixteen, read without a mutex per
 * column (see row_function()), is what brings verification near a million entries a
 * second on two cores.
 *
 * The triggers make the tables insert-only against mistakes; they are no defence
 * against someone who can write the file (they can drop them). The chain and the MAC
 * are: without the key, no change verifies. What they cannot show is the newest
 * entries cut off the end: that is what the journal copy is for.
 */

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
/* Generated once for Agent Guard's ledger entries in the journal. */
#define ANCHOR_CONTEXT "agent-guard-ledger-anchor-v1"
#define HEAD_CONTEXT   "agent-guard-ledger-head-v1"
#define HEAD_VERSION   1
#define N_STRINGS      8
#define ENCODING_MIN   (1 + 8 + 8 + 1 + 1 + 1 + N_STRINGS)
#define ENCODING_MAX   (1 + 8 + 8 + 1 + 1 + 1 + N_STRINGS * (1 + 4 + AG_LEDGER_MAX_STRING))
#define ANCHOR_BYTES   (8 + AG_LEDGER_HASH_BYTES + AG_LEDGER_HASH_BYTES)
#define SEAL_BYTES     (3 * AG_LEDGER_HASH_BYTES)
/* The strings of an EntryView, in encoding order. */
#define STRING_USER   0
#define STRING_RECORD 3
#define STRING_CAUSE  7

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

G_DEFINE_BOXED_TYPE (AgLedgerEntry, ag_ledger_entry, ag_ledger_entry_copy, ag_ledger_entry_free)

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
    "CREATE TABLE IF NOT EXISTS ledger_meta ("
    "  key TEXT PRIMARY KEY,"
    "  value BLOB NOT NULL"
    ") WITHOUT ROWID;";

/* Against mistakes only: ag_ledger_prune() drops and makes again the three that guard
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

static const char *const event_names[] = {
  [AG_LEDGER_EVENT_LOGIN] = "login",   [AG_LEDGER_EVENT_LOGIN_FAILED] = "login-failed",
  [AG_LEDGER_EVENT_UNLOCK] = "unlock", [AG_LEDGER_EVENT_LOCK] = "lock",
  [AG_LEDGER_EVENT_REVEAL] = "reveal", [AG_LEDGER_EVENT_REVEAL_DENIED] = "reveal-denied",
  [AG_LEDGER_EVENT_REMASK] = "remask", [AG_LEDGER_EVENT_POLICY_CHANGED] = "policy-changed",
  [AG_LEDGER_EVENT_IMPORT] = "import", [AG_LEDGER_EVENT_EXPORT] = "export",
  [AG_LEDGER_EVENT_PRUNE] = "prune",   [AG_LEDGER_EVENT_POLICY_REFUSED] = "policy-refused",
  [AG_LEDGER_EVENT_SEARCH] = "search", [AG_LEDGER_EVENT_SEARCH_DENIED] = "search-denied",
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

static inline guint64
get_u64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 0; i < 8; i++)
    v = (v << 8) | p[i];
  return v;
}

/* Parses the @len bytes at @data as an encoding into @view, whose strings then point
 * into @data (not NUL-terminated). FALSE when the bytes are not an encoding the ledger
 * writes: another version, a member out of range, a length past the end, bytes left. */
static gboolean
decode_view (const guint8 *data, gsize len, EntryView *view)
{
  const guint8 *p = data;
  const guint8 *end = data + len;

  if (len < ENCODING_MIN || len > ENCODING_MAX || *p++ != AG_LEDGER_FORMAT_VERSION)
    return FALSE;
  view->seq = get_u64 (p);
  view->time_us = (gint64) get_u64 (p + 8);
  p += 16;
  view->mode = *p++;
  view->event = *p++;
  view->field = *p == 0xff ? AG_LEDGER_NO_FIELD : *p;
  p++;
  if (view->mode == 0xff || view->event == 0xff || view->time_us < 0)
    return FALSE;

  for (guint i = 0; i < N_STRINGS; i++)
    {
      guint32 n;

      if (p == end)
        return FALSE;
      switch (*p++)
        {
          case 0:
            view->strings[i] = (Str){ NULL, -1 };
            continue;
          case 1:
            break;
          default:
            return FALSE;
        }
      if (end - p < 4)
        return FALSE;
      n = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
      p += 4;
      if (n > AG_LEDGER_MAX_STRING || n > (gsize) (end - p))
        return FALSE;
      view->strings[i] = (Str){ (const char *) p, (int) n };
      p += n;
    }
  return p == end;
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

static void
compute_mac (AgLedger *self, AgLedgerMac mac, const guint8 *data, gsize len, guint8 *out)
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

/* Whether @db has a table @name. */
static gboolean
table_exists (sqlite3 *db, const char *name, gboolean *exists, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  *exists = FALSE;
  stmt = prepare (db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  *exists = rc == SQLITE_ROW;
  return TRUE;
}

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

/* Refuses a ledger whose format this version does not read, or that names none. */
static gboolean
check_format (sqlite3 *db, GError **error)
{
  g_autoptr (GBytes) value = NULL;
  const char *data;
  gsize len;
  char expected[16];
  gboolean small_number;

  if (!read_meta (db, "format", &value, error))
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

/* The format and the MAC of the ledger, as every append and verification needs them. */
static gboolean
read_ledger_meta (sqlite3 *db, AgLedgerMac *mac, GError **error)
{
  return check_format (db, error) && read_mac_algorithm (db, mac, error);
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
  gboolean exists = FALSE;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (mac == AG_LEDGER_MAC_BLAKE2B || mac == AG_LEDGER_MAC_HMAC_SHA256, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A ledger of another format is refused before anything is touched. */
  if (!table_exists (db, "ledger_meta", &exists, error))
    return FALSE;
  if (exists)
    {
      g_autoptr (GBytes) format = NULL;

      if (!read_meta (db, "format", &format, error))
        return FALSE;
      if (format != NULL && !check_format (db, error))
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
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot create the ledger");
      return FALSE;
    }
  return check_format (db, error);
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

/**
 * ag_ledger_upgrade_schema:
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
ag_ledger_upgrade_schema (sqlite3 *db, GError **error)
{
  gboolean in_transaction;
  gboolean exists = FALSE;

  g_return_val_if_fail (db != NULL, FALSE);

  if (!table_exists (db, "ledger_prune", &exists, error))
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
  guint8 buffer[AG_LEDGER_HASH_BYTES + ENCODING_MAX];
  guint8 seal[SEAL_BYTES];
  gsize len;
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

  if (!read_ledger_meta (db, &mac, error))
    return FALSE;

  head = prepare (db, "SELECT seq, seal FROM ledger ORDER BY seq DESC LIMIT 1", error);
  if (head == NULL)
    return FALSE;
  rc = sqlite3_step (head);
  if (rc == SQLITE_ROW)
    {
      if (sqlite3_column_type (head, 1) != SQLITE_BLOB
          || sqlite3_column_bytes (head, 1) != SEAL_BYTES)
        {
          g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                       "The newest ledger entry is malformed");
          return FALSE;
        }
      seq = sqlite3_column_int64 (head, 0);
      memcpy (prev, (const guint8 *) sqlite3_column_blob (head, 1) + AG_LEDGER_HASH_BYTES,
              AG_LEDGER_HASH_BYTES);
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
  memcpy (buffer, prev, AG_LEDGER_HASH_BYTES);
  len = encode_view (&view, buffer + AG_LEDGER_HASH_BYTES);
  if (len == 0)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_INVALID_ENTRY,
                   "Invalid ledger entry: cannot encode it");
      return FALSE;
    }
  crypto_generichash (entry->hash, AG_LEDGER_HASH_BYTES, buffer, AG_LEDGER_HASH_BYTES + len, NULL,
                      0);
  compute_mac (self, mac, entry->hash, AG_LEDGER_HASH_BYTES, entry->mac);
  memcpy (seal, entry->prev_hash, AG_LEDGER_HASH_BYTES);
  memcpy (seal + AG_LEDGER_HASH_BYTES, entry->hash, AG_LEDGER_HASH_BYTES);
  memcpy (seal + 2 * AG_LEDGER_HASH_BYTES, entry->mac, AG_LEDGER_HASH_BYTES);

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
  sqlite3_bind_blob (insert, 6, buffer + AG_LEDGER_HASH_BYTES, len, SQLITE_STATIC);
  sqlite3_bind_blob (insert, 7, seal, SEAL_BYTES, SQLITE_STATIC);

  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot append to the ledger");
      return FALSE;
    }
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

/* What a row holds once checked. */
typedef struct
{
  EntryView view;
  const guint8 *entry; /* the encoding */
  gsize entry_len;
  const guint8 *seal; /* prev_hash · hash · mac */
} Row;

static inline gboolean
value_is_text (sqlite3_value *value, const Str *str)
{
  if (sqlite3_value_type (value) != SQLITE_TEXT)
    return FALSE;
  return sqlite3_value_bytes (value) == str->len
         && memcmp (sqlite3_value_text (value), str->data, str->len) == 0;
}

/* Reads a row's @columns into @row: FALSE unless the encoding decodes and the seal is
 * three hashes. @agrees: whether the encoding belongs to the row's seq and every column
 * kept for SQL holds what the encoding holds. Only tampering makes either fail. The
 * pointers in @row are SQLite's, valid during the call of ROW_FUNCTION. */
static gboolean
read_row (sqlite3_value **columns, Row *row, gboolean *agrees)
{
  const Str *record;

  *agrees = FALSE;
  if (sqlite3_value_type (columns[COLUMN_ENTRY]) != SQLITE_BLOB
      || sqlite3_value_type (columns[COLUMN_SEAL]) != SQLITE_BLOB)
    return FALSE;
  row->entry = sqlite3_value_blob (columns[COLUMN_ENTRY]);
  row->entry_len = sqlite3_value_bytes (columns[COLUMN_ENTRY]);
  row->seal = sqlite3_value_blob (columns[COLUMN_SEAL]);
  if (sqlite3_value_bytes (columns[COLUMN_SEAL]) != SEAL_BYTES
      || !decode_view (row->entry, row->entry_len, &row->view))
    return FALSE;

  if (sqlite3_value_type (columns[COLUMN_SEQ]) != SQLITE_INTEGER
      || (guint64) sqlite3_value_int64 (columns[COLUMN_SEQ]) != row->view.seq
      || sqlite3_value_type (columns[COLUMN_TIME]) != SQLITE_INTEGER
      || sqlite3_value_int64 (columns[COLUMN_TIME]) != row->view.time_us
      || sqlite3_value_type (columns[COLUMN_EVENT]) != SQLITE_INTEGER
      || sqlite3_value_int64 (columns[COLUMN_EVENT]) != row->view.event
      || !value_is_text (columns[COLUMN_USER], &row->view.strings[STRING_USER]))
    return TRUE;

  record = &row->view.strings[STRING_RECORD];
  if (record->len < 0)
    *agrees = sqlite3_value_type (columns[COLUMN_RECORD]) == SQLITE_NULL;
  else
    *agrees = value_is_text (columns[COLUMN_RECORD], record);
  return TRUE;
}

static char *
str_dup (const Str *str)
{
  return str->len >= 0 ? g_strndup (str->data, str->len) : NULL;
}

/* The entry of a checked row, for readers; NULL when a member is not one the ledger
 * writes (which the hash would show too, but readers do not verify). */
static AgLedgerEntry *
entry_from_row (const Row *row)
{
  const EntryView *view = &row->view;
  g_autoptr (AgLedgerEntry) entry = NULL;

  for (guint i = 0; i < N_STRINGS; i++)
    if (view->strings[i].len >= 0
        && (memchr (view->strings[i].data, '\0', view->strings[i].len) != NULL
            || !g_utf8_validate (view->strings[i].data, view->strings[i].len, NULL)))
      return NULL;
  if (ag_ledger_event_to_string (view->event) == NULL
      || ag_ledger_mode_to_string (view->mode) == NULL
      || (view->field != AG_LEDGER_NO_FIELD && view->field >= AG_PII_N_KINDS))
    return NULL;

  entry = g_new0 (AgLedgerEntry, 1);
  entry->seq = view->seq;
  entry->time_us = view->time_us;
  entry->mode = view->mode;
  entry->event = view->event;
  entry->field_kind = view->field;
  entry->user = str_dup (&view->strings[0]);
  entry->host = str_dup (&view->strings[1]);
  entry->session_id = str_dup (&view->strings[2]);
  entry->record_id = str_dup (&view->strings[3]);
  entry->reason = str_dup (&view->strings[4]);
  entry->ticket = str_dup (&view->strings[5]);
  entry->policy_version = str_dup (&view->strings[6]);
  entry->cause = str_dup (&view->strings[7]);
  memcpy (entry->prev_hash, row->seal, AG_LEDGER_HASH_BYTES);
  memcpy (entry->hash, row->seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  memcpy (entry->mac, row->seal + 2 * AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  return g_steal_pointer (&entry);
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
      compute_mac (verifier->ledger, verifier->algorithm, hash, AG_LEDGER_HASH_BYTES, mac);
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

static void
verify_row (RowReader *reader, sqlite3_value **columns)
{
  Batch *batch = reader->batch;
  gboolean agrees;
  guint64 seq;
  guint8 *p;
  Row row;

  if (sqlite3_value_type (columns[COLUMN_SEQ]) != SQLITE_INTEGER)
    {
      reader->bad_seq = reader->expected, reader->bad_what = "malformed";
      return;
    }
  seq = sqlite3_value_int64 (columns[COLUMN_SEQ]);
  if (seq != reader->expected)
    {
      reader->bad_seq = MIN (seq, reader->expected);
      reader->bad_what = seq > reader->expected ? "missing" : "out of sequence";
      return;
    }
  if (!read_row (columns, &row, &agrees) || !agrees)
    {
      reader->bad_seq = seq, reader->bad_what = "it is malformed or a column disagrees with it";
      return;
    }
  if (memcmp (row.seal, reader->prev, AG_LEDGER_HASH_BYTES) != 0)
    {
      reader->bad_seq = seq, reader->bad_what = "it does not follow the entry before it";
      return;
    }

  if (batch->n == BATCH_ENTRIES || BATCH_BYTES - batch->used < AG_LEDGER_HASH_BYTES + ENCODING_MAX)
    {
      g_async_queue_push (reader->verifier->full, batch);
      batch = reader->batch = g_async_queue_pop (reader->verifier->free);
      batch->n = 0;
      batch->used = 0;
    }

  /* A worker hashes prev · encoding, the bytes the entry was appended as. */
  p = batch->data + batch->used;
  memcpy (p, reader->prev, AG_LEDGER_HASH_BYTES);
  memcpy (p + AG_LEDGER_HASH_BYTES, row.entry, row.entry_len);
  batch->seq[batch->n] = seq;
  batch->offset[batch->n] = batch->used;
  batch->length[batch->n] = AG_LEDGER_HASH_BYTES + row.entry_len;
  memcpy (batch->hash[batch->n], row.seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  memcpy (batch->mac[batch->n], row.seal + 2 * AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  batch->used += AG_LEDGER_HASH_BYTES + row.entry_len;
  batch->n++;

  memcpy (reader->prev, row.seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  reader->expected++;
  reader->count++;
}

static gboolean
str_equal (const Str *str, const char *text)
{
  return str->len >= 0 && strlen (text) == (gsize) str->len
         && memcmp (str->data, text, str->len) == 0;
}

/* The filter again, on what the entry holds: the columns SQL filtered on are copies
 * that only verification vouches for. */
static gboolean
filter_matches (const AgLedgerFilter *filter, const EntryView *view)
{
  return (filter->since_us == 0 || view->time_us >= filter->since_us)
         && (filter->until_us == 0 || view->time_us < filter->until_us)
         && (filter->user == NULL || str_equal (&view->strings[STRING_USER], filter->user))
         && (filter->record_id == NULL
             || str_equal (&view->strings[STRING_RECORD], filter->record_id));
}

/*
 * The reading stage runs inside sqlite3_step(), as an SQL function that gets a row's
 * columns and the RowReader (bound with sqlite3_bind_pointer()): each sqlite3_column_*()
 * call takes the connection's mutex, and with seven columns a row those calls cost as
 * much as hashing the row, while an SQL function's arguments come without that. The
 * function's work depends on rows arriving in seq order, which a walk of the rowid table
 * gives; any other order would be reported as a break, never pass.
 */

#define ROW_FUNCTION     "ag_ledger_verify_row"
#define ROW_POINTER_TYPE "AgLedgerRowReader"

static void
row_function (sqlite3_context *context, int argc, sqlite3_value **argv)
{
  RowReader *reader = sqlite3_value_pointer (argv[0], ROW_POINTER_TYPE);

  /* Called from SQL without the pointer: nothing to do. */
  if (reader != NULL && argc == 1 + N_COLUMNS && reader->bad_seq == 0)
    verify_row (reader, argv + 1);
}

/* Reads every row of the ledger from sequence number @expected on, the previous hash in
 * @start_hash; on a break sets @first_bad_seq and AG_LEDGER_ERROR_TAMPERED. */
static gboolean
verify_rows (AgLedger *self, AgLedgerMac algorithm, sqlite3 *db, const guint8 *start_hash,
             guint64 expected, guint64 *count, guint64 *first_bad_seq, GError **error)
{
  Verifier verifier = { self, algorithm, g_async_queue_new (), g_async_queue_new () };
  RowReader reader = { &verifier };
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint n_workers = CLAMP (g_get_num_processors (), 1, MAX_WORKERS);
  Batch *batches[2 * MAX_WORKERS + 2];
  guint n_batches = 2 * n_workers + 2;
  GThread *workers[MAX_WORKERS];
  guint64 bad_seq;
  const char *bad_what;
  int rc;

  /* Defined once per connection; defining it again while statements run is refused
   * with SQLITE_BUSY, and then it is there already. */
  rc = sqlite3_create_function_v2 (db, ROW_FUNCTION, 1 + N_COLUMNS, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                   NULL, row_function, NULL, NULL, NULL);
  if (rc == SQLITE_OK || rc == SQLITE_BUSY)
    stmt = prepare (db, "SELECT " ROW_FUNCTION " (?1, " ROW_COLUMNS ") FROM ledger ORDER BY seq",
                    error);
  else
    set_sqlite_error (error, db, rc, "Cannot read the ledger");
  if (stmt == NULL)
    {
      g_async_queue_unref (verifier.full);
      g_async_queue_unref (verifier.free);
      return FALSE;
    }

  g_mutex_init (&verifier.lock);
  for (guint i = 0; i < n_batches; i++)
    {
      batches[i] = g_new (Batch, 1);
      g_async_queue_push (verifier.free, batches[i]);
    }
  for (guint i = 0; i < n_workers; i++)
    workers[i] = g_thread_new ("ag-ledger-verify", verify_worker, &verifier);

  sqlite3_bind_pointer (stmt, 1, &reader, ROW_POINTER_TYPE, NULL);
  memcpy (reader.prev, start_hash, AG_LEDGER_HASH_BYTES);
  reader.expected = expected;
  reader.batch = g_async_queue_pop (verifier.free);
  reader.batch->n = 0;
  reader.batch->used = 0;

  rc = SQLITE_DONE;
  while (reader.bad_seq == 0 && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  g_clear_pointer (&stmt, sqlite3_finalize);

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
    return set_tampered (error, first_bad_seq, bad_seq, bad_what);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  return TRUE;
}

/* A pruned ledger's anchor must be where its newest prune said it pruned to: the newest
 * `prune` entry that removed anything (they follow the anchor, so the chain has just
 * verified them) names the range it removed, "range=A..B …", and B is the anchor. An
 * anchor without one was not set by a prune of this chain. Prune entries written before
 * ranges were recorded ("retention-days=D removed=N", N > 0) are taken as they are. */
static gboolean
check_anchor_explained (sqlite3 *db, const Anchor *anchor, guint64 *first_bad_seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  stmt = prepare (db, "SELECT entry FROM ledger WHERE event = ?1 AND seq > ?2 ORDER BY seq DESC",
                  error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int (stmt, 1, AG_LEDGER_EVENT_PRUNE);
  sqlite3_bind_int64 (stmt, 2, (sqlite3_int64) anchor->seq);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      EntryView view;
      g_autofree char *cause = NULL;
      guint64 range_first = 0, range_last = 0, removed = 0;
      guint retention = 0;
      int end = 0;

      if (!decode_view (sqlite3_column_blob (stmt, 0), sqlite3_column_bytes (stmt, 0), &view)
          || view.strings[STRING_CAUSE].len < 0)
        continue;
      cause = g_strndup (view.strings[STRING_CAUSE].data, view.strings[STRING_CAUSE].len);
      if (sscanf (cause,
                  "range=%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT " retention-days=%u"
                  " removed=%" G_GUINT64_FORMAT "%n",
                  &range_first, &range_last, &retention, &removed, &end)
            == 4
          && cause[end] == '\0')
        {
          if (range_last == anchor->seq && range_first <= range_last
              && removed == range_last - range_first + 1)
            return TRUE;
          break;
        }
      if (sscanf (cause, "retention-days=%u removed=%" G_GUINT64_FORMAT "%n", &retention, &removed,
                  &end)
            == 2
          && cause[end] == '\0')
        {
          if (removed == 0)
            continue;
          return TRUE;
        }
      break;
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }

  set_tampered (error, first_bad_seq, anchor->seq + 1,
                "the anchor is not where the newest prune entry says it pruned to");
  return FALSE;
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

  if (!read_ledger_meta (db, &algorithm, &local_error) || !read_anchor (db, &anchor, &local_error))
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

  if (!verify_rows (self, algorithm, db, start, expected, &count, first_bad_seq, error))
    goto out;
  if (anchor.present && !check_anchor_explained (db, &anchor, first_bad_seq, error))
    goto out;

  if (n_entries != NULL)
    *n_entries = count;
  ok = TRUE;

out:
  if (n_entries != NULL && !ok)
    *n_entries = count;
  if (!in_transaction)
    sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  return ok;
}

/* Head: the rollback anchor kept outside the store */

static void
head_mac (AgLedger *self, AgLedgerMac mac, const AgLedgerHead *head, guint8 *out)
{
  guint8 buffer[sizeof HEAD_CONTEXT + 8 + AG_LEDGER_HASH_BYTES];
  guint8 *p = buffer;

  memcpy (p, HEAD_CONTEXT, sizeof HEAD_CONTEXT);
  p = put_u64 (p + sizeof HEAD_CONTEXT, head->seq);
  memcpy (p, head->hash, AG_LEDGER_HASH_BYTES);
  compute_mac (self, mac, buffer, sizeof buffer, out);
}

/* The hash of entry @seq: *found FALSE when it is not in the table. */
gboolean
ag_ledger_hash_at (sqlite3 *db, guint64 seq, guint8 *hash, gboolean *found, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  int rc;

  *found = FALSE;
  stmt = prepare (db, "SELECT seal FROM ledger WHERE seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, (sqlite3_int64) seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_BLOB || sqlite3_column_bytes (stmt, 0) != SEAL_BYTES)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "Ledger entry %" G_GUINT64_FORMAT " is malformed", seq);
      return FALSE;
    }
  memcpy (hash, (const guint8 *) sqlite3_column_blob (stmt, 0) + AG_LEDGER_HASH_BYTES,
          AG_LEDGER_HASH_BYTES);
  *found = TRUE;
  return TRUE;
}

/* The seq of the prune anchor, 0 when the ledger was never pruned. */
gboolean
ag_ledger_get_anchor_seq (sqlite3 *db, guint64 *seq, GError **error)
{
  Anchor anchor;

  if (!read_anchor (db, &anchor, error))
    return FALSE;
  *seq = anchor.present ? anchor.seq : 0;
  return TRUE;
}

/**
 * ag_ledger_get_head:
 * @db: the database
 * @head: (out caller-allocates): the newest entry's seq and hash; seq 0 when the
 *   ledger is empty
 * @error: return location for an error
 *
 * Returns: %TRUE on success
 */
gboolean
ag_ledger_get_head (sqlite3 *db, AgLedgerHead *head, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  gboolean found;
  Anchor anchor;
  int rc;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (head != NULL, FALSE);

  memset (head, 0, sizeof *head);
  stmt = prepare (db, "SELECT MAX (seq) FROM ledger", error);
  if (stmt == NULL)
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  if (sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      head->seq = (guint64) sqlite3_column_int64 (stmt, 0);
      return ag_ledger_hash_at (db, head->seq, head->hash, &found, error);
    }

  if (!read_anchor (db, &anchor, error))
    return FALSE;
  if (anchor.present)
    {
      head->seq = anchor.seq;
      memcpy (head->hash, anchor.hash, AG_LEDGER_HASH_BYTES);
    }
  return TRUE;
}

gboolean
ag_ledger_seal_head (AgLedger *self, sqlite3 *db, const AgLedgerHead *head,
                     guint8 out[AG_LEDGER_SEALED_HEAD_BYTES], GError **error)
{
  AgLedgerMac mac;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (head != NULL, FALSE);

  if (!read_ledger_meta (db, &mac, error))
    return FALSE;
  out[0] = HEAD_VERSION;
  put_u64 (out + 1, head->seq);
  memcpy (out + 1 + 8, head->hash, AG_LEDGER_HASH_BYTES);
  head_mac (self, mac, head, out + 1 + 8 + AG_LEDGER_HASH_BYTES);
  return TRUE;
}

gboolean
ag_ledger_open_head (AgLedger *self, sqlite3 *db, const guint8 *sealed, gsize len,
                     AgLedgerHead *head, GError **error)
{
  guint8 mac[AG_LEDGER_HASH_BYTES];
  AgLedgerMac algorithm;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (head != NULL, FALSE);

  memset (head, 0, sizeof *head);
  if (!read_ledger_meta (db, &algorithm, error))
    return FALSE;
  if (sealed == NULL || len != AG_LEDGER_SEALED_HEAD_BYTES || sealed[0] != HEAD_VERSION)
    {
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                   "The ledger head recorded outside the store is malformed");
      return FALSE;
    }
  head->seq = get_u64 (sealed + 1);
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
 * @db: the database
 * @recorded: the head recorded outside the store (already opened with its MAC)
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_ROLLED_BACK, the first entry
 *   that is missing or is not the recorded one
 * @error: return location for an error
 *
 * Returns: %TRUE when the ledger reaches @recorded and holds it
 */
gboolean
ag_ledger_check_head (sqlite3 *db, const AgLedgerHead *recorded, guint64 *first_bad_seq,
                      GError **error)
{
  AgLedgerHead head;
  guint8 hash[AG_LEDGER_HASH_BYTES];
  gboolean found;
  Anchor anchor;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (recorded != NULL, FALSE);

  if (first_bad_seq != NULL)
    *first_bad_seq = 0;
  if (recorded->seq == 0)
    return TRUE;
  if (!ag_ledger_get_head (db, &head, error))
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

  if (!ag_ledger_hash_at (db, recorded->seq, hash, &found, error))
    return FALSE;
  if (!found)
    {
      /* Pruned since: the prune anchor stands for it when it is that very entry; an
       * older one is covered by the anchor's MAC and the chain from it. */
      if (!read_anchor (db, &anchor, error))
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

/**
 * ag_ledger_verify_recent:
 * @self: a #AgLedger with the key of the ledger in @db
 * @db: the database, inside the caller's transaction
 * @since_us: the start of the window the quotas count
 * @known: (nullable): an entry verified by an earlier call, with nothing written by
 *   another connection since: the walk stops there
 * @first_bad_seq: (out) (optional): on %AG_LEDGER_ERROR_TAMPERED, where
 * @error: return location for an error
 *
 * Verifies the newest entries, newest first, back to the first one at or before
 * @since_us (or the start): each decodes, its SQL columns agree with it, its hash and MAC
 * are right, and it is the previous entry of the one after it. What a quota counts over
 * those columns is then what the ledger holds: deleting or rewriting entries of the last
 * hour to start a quota again is found before the count, not only by `audit verify`.
 *
 * Returns: %TRUE when the window verifies
 */
gboolean
ag_ledger_verify_recent (AgLedger *self, sqlite3 *db, gint64 since_us, const AgLedgerHead *known,
                         guint64 *first_bad_seq, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint8 next_prev[AG_LEDGER_HASH_BYTES];
  guint8 hash[AG_LEDGER_HASH_BYTES];
  guint8 mac[AG_LEDGER_HASH_BYTES];
  AgLedgerMac algorithm;
  guint64 next_seq = 0;
  gboolean reached_start = TRUE;
  Anchor anchor;
  int rc;

  g_return_val_if_fail (AG_IS_LEDGER (self), FALSE);
  g_return_val_if_fail (db != NULL, FALSE);

  if (first_bad_seq != NULL)
    *first_bad_seq = 0;
  if (!read_ledger_meta (db, &algorithm, error))
    return FALSE;
  stmt = prepare (db, "SELECT " ROW_COLUMNS " FROM ledger ORDER BY seq DESC", error);
  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      sqlite3_value *columns[N_COLUMNS];
      crypto_generichash_state state;
      gboolean agrees = FALSE;
      guint64 seq = (guint64) sqlite3_column_int64 (stmt, COLUMN_SEQ);
      Row row;

      for (guint i = 0; i < N_COLUMNS; i++)
        columns[i] = sqlite3_column_value (stmt, (int) i);
      if (!read_row (columns, &row, &agrees) || !agrees)
        return set_tampered (error, first_bad_seq, seq, "its columns were changed");
      if (next_seq != 0 && seq + 1 != next_seq)
        return set_tampered (error, first_bad_seq, seq + 1, "it is missing");

      crypto_generichash_init (&state, NULL, 0, AG_LEDGER_HASH_BYTES);
      crypto_generichash_update (&state, row.seal, AG_LEDGER_HASH_BYTES);
      crypto_generichash_update (&state, row.entry, row.entry_len);
      crypto_generichash_final (&state, hash, AG_LEDGER_HASH_BYTES);
      if (sodium_memcmp (hash, row.seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES) != 0)
        return set_tampered (error, first_bad_seq, seq, "its content was changed");
      compute_mac (self, algorithm, hash, AG_LEDGER_HASH_BYTES, mac);
      if (sodium_memcmp (mac, row.seal + 2 * AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES) != 0)
        return set_tampered (error, first_bad_seq, seq, "its MAC does not match");
      if (next_seq != 0 && sodium_memcmp (hash, next_prev, AG_LEDGER_HASH_BYTES) != 0)
        return set_tampered (error, first_bad_seq, next_seq, "its previous hash does not match");

      next_seq = seq;
      memcpy (next_prev, row.seal, AG_LEDGER_HASH_BYTES);
      /* Down to an entry verified before, with nothing written by anyone else since: the
       * rest was verified then. */
      if (known != NULL && seq == known->seq)
        {
          if (sodium_memcmp (hash, known->hash, AG_LEDGER_HASH_BYTES) != 0)
            return set_tampered (error, first_bad_seq, seq, "it is not the one verified before");
          reached_start = FALSE;
          break;
        }
      if (row.view.time_us <= since_us)
        {
          reached_start = FALSE;
          break;
        }
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  if (!reached_start || next_seq == 0)
    return TRUE;

  /* Every entry was in the window: the oldest must follow the start or the anchor. */
  if (next_seq == 1)
    {
      static const guint8 zero[AG_LEDGER_HASH_BYTES] = { 0 };

      if (sodium_memcmp (next_prev, zero, AG_LEDGER_HASH_BYTES) != 0)
        return set_tampered (error, first_bad_seq, 1, "its previous hash does not match");
      return TRUE;
    }
  if (!read_anchor (db, &anchor, error))
    return FALSE;
  if (anchor.present && anchor.seq + 1 == next_seq)
    {
      anchor_mac (self, algorithm, anchor.seq, anchor.hash, mac);
      if (sodium_memcmp (mac, anchor.mac, AG_LEDGER_HASH_BYTES) != 0
          || sodium_memcmp (anchor.hash, next_prev, AG_LEDGER_HASH_BYTES) != 0)
        return set_tampered (error, first_bad_seq, next_seq, "the anchor does not verify");
      return TRUE;
    }
  return set_tampered (error, first_bad_seq, next_seq - 1, "it is missing");
}

/* Export */

/**
 * ag_ledger_foreach:
 * @db: the database
 * @filter: (nullable): which entries to visit
 * @func: called with each entry, in sequence order
 * @user_data: for @func
 * @error: return location for an error
 *
 * Reads entries as they are stored, without verifying the chain (that is
 * ag_ledger_verify()'s job): an entry that cannot be decoded stops the walk with
 * %AG_LEDGER_ERROR_TAMPERED.
 *
 * Returns: %TRUE when every matching entry was visited
 */
gboolean
ag_ledger_foreach (sqlite3 *db, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                   gpointer user_data, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GString) sql = g_string_new ("SELECT " ROW_COLUMNS " FROM ledger WHERE 1");
  AgLedgerFilter none = { 0 };
  int rc;
  int n = 0;

  g_return_val_if_fail (db != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (filter == NULL)
    filter = &none;
  if (!check_format (db, error))
    return FALSE;

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
      g_autoptr (AgLedgerEntry) entry = NULL;
      sqlite3_value *columns[N_COLUMNS];
      gboolean agrees;
      gboolean matches = FALSE;
      Row row;

      /* Protected copies: the sqlite3_value_*() calls of read_row() need them. */
      for (guint i = 0; i < N_COLUMNS; i++)
        columns[i] = sqlite3_value_dup (sqlite3_column_value (stmt, i));
      if (read_row (columns, &row, &agrees))
        {
          entry = entry_from_row (&row);
          matches = entry != NULL && filter_matches (filter, &row.view);
        }
      for (guint i = 0; i < N_COLUMNS; i++)
        sqlite3_value_free (columns[i]);

      if (entry == NULL)
        {
          g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED,
                       "Ledger entry %" G_GINT64_FORMAT " is malformed",
                       (gint64) sqlite3_column_int64 (stmt, COLUMN_SEQ));
          return FALSE;
        }
      if (matches && !func (entry, user_data, error))
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
prune_locked (AgLedger *self, sqlite3 *db, gint64 cutoff, guint64 *n_pruned, guint64 *range_first,
              guint64 *range_last, GError **error)
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
  if (!read_ledger_meta (db, &algorithm, error))
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
  stmt = prepare (db, "SELECT seal FROM ledger WHERE seq = ?", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, last);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "Cannot read the ledger");
      return FALSE;
    }
  memcpy (hash, (const guint8 *) sqlite3_column_blob (stmt, 0) + AG_LEDGER_HASH_BYTES,
          AG_LEDGER_HASH_BYTES);
  g_clear_pointer (&stmt, sqlite3_finalize);

  put_u64 (value, (guint64) last);
  memcpy (value + 8, hash, AG_LEDGER_HASH_BYTES);
  anchor_mac (self, algorithm, (guint64) last, hash, value + 8 + AG_LEDGER_HASH_BYTES);

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
ag_ledger_prune (AgLedger *self, sqlite3 *db, guint retention_days, gint64 now_us,
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
  g_free (record->cause);
  if (removed > 0)
    record->cause = g_strdup_printf ("range=%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT
                                     " retention-days=%u removed=%" G_GUINT64_FORMAT,
                                     range_first, range_last, retention_days, removed);
  else
    record->cause = g_strdup_printf ("retention-days=%u removed=0", retention_days);
  record->event = AG_LEDGER_EVENT_PRUNE;
  if (!ag_ledger_append (self, db, record, error))
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
