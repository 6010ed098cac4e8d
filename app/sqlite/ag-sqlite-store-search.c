/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#include "config.h"

#include <string.h>

#include "ag-sqlite-store-private.h"

/* AgSqliteStore: search by name and by identifier, and reading records. */

/* The longest name prefix with its own FTS5 prefix index (schema_sql). */
#define NAME_PREFIX_MAX 8

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
    _ag_sqlite_store_set_error (error, self->db, rc, "Could not search");
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
      _ag_sqlite_store_set_error (error, self->db, rc == SQLITE_DONE ? SQLITE_CORRUPT : rc,
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
  *out = _ag_sqlite_store_record_from_row (stmt, 1, error);
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
        _ag_sqlite_store_set_error (error, self->db, rc, "Could not search");
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

void
_ag_sqlite_store_set_customer_error (AgSqliteStore *self, int rc, GError **error)
{
  if (rc == SQLITE_DONE)
    g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                         "No customer has this id");
  else
    _ag_sqlite_store_set_error (error, self->db, rc, "Could not read a customer");
}

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
    record = _ag_sqlite_store_record_from_row (stmt, 1, error);
  else
    _ag_sqlite_store_set_customer_error (self, rc, error);
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
    _ag_sqlite_store_set_error (error, self->db, rc, "Could not count the customers");
  sqlite3_reset (self->select_count);

  return count;
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

  if (!_ag_sqlite_store_check_ledger (self, error)
      || !_ag_sqlite_store_check_not_rolled_back (self, error)
      || !_ag_sqlite_store_check_head_recorded (self, error))
    return NULL;
  if (!_ag_sqlite_store_exec (self, "BEGIN IMMEDIATE", &local_error))
    {
      _ag_sqlite_store_set_ledger_error (error, local_error);
      return NULL;
    }

  /* Each customer found is an access and counts, as does a search that found nobody:
   * the `search` entries are counted. (Counting searches by their time would let a
   * clock that stands still make every search one.) */
  if (!_ag_sqlite_store_check_known_head (self, error)
      || (max_per_hour > 0 && !_ag_sqlite_store_check_recent (self, time_us, error)))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }
  if (max_per_hour > 0
      && !_ag_sqlite_store_count_last_hour (
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
        _ag_sqlite_store_set_ledger_error (error, local_error);
        return NULL;
      }
  if (!_ag_sqlite_store_commit_or_roll_back (self, error))
    return NULL;
  _ag_sqlite_store_advance_head (self, entries->pdata[entries->len - 1]);
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

void
_ag_sqlite_store_init_search (AgStoreInterface *iface)
{
  iface->search = ag_sqlite_store_search;
  iface->get_record = ag_sqlite_store_get_record;
  iface->count = ag_sqlite_store_count;
}
