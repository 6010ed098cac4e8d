/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#include "config.h"

#include <string.h>

#include "ag-sqlite-store-private.h"

/* AgSqliteStore: writing ledger entries, the reveal and its quota. */

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
  else
    _ag_sqlite_store_set_customer_error (self, rc, error);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return value;
}
#endif

/* Reveal */

gboolean
_ag_sqlite_store_check_ledger (AgSqliteStore *self, GError **error)
{
  if (self->ledger != NULL)
    return TRUE;

  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER, "The ledger cannot be written: %s",
               self->ledger_error != NULL ? self->ledger_error->message : "it is not there");
  return FALSE;
}

/* Takes @cause; its message names the query or the entry's member, never a value. */
void
_ag_sqlite_store_set_ledger_error (GError **error, GError *cause)
{
  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
               "The ledger entry could not be committed: %s", cause->message);
  g_error_free (cause);
}

/* Commits what the caller's write transaction holds, or rolls it back. */
gboolean
_ag_sqlite_store_commit_or_roll_back (AgSqliteStore *self, GError **error)
{
  GError *local_error = NULL;

  if (_ag_sqlite_store_exec (self, "COMMIT", &local_error))
    return TRUE;

  /* After a failed COMMIT SQLite may already have rolled back; then this fails too. */
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  _ag_sqlite_store_set_ledger_error (error, local_error);
  return FALSE;
}

/* Appends @entry in the write transaction the caller began and commits it: rolls back
 * when either fails. Then the head goes to the recorder. */
static gboolean
append_and_commit (AgSqliteStore *self, AgLedgerEntry *entry, GError **error)
{
  GError *local_error = NULL;

  if (!ag_sqlite_ledger_append (self->ledger, self->db, entry, &local_error))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      _ag_sqlite_store_set_ledger_error (error, local_error);
      return FALSE;
    }
  if (!_ag_sqlite_store_commit_or_roll_back (self, error))
    return FALSE;
  _ag_sqlite_store_advance_head (self, entry);
  return TRUE;
}

gboolean
_ag_sqlite_store_append (AgSqliteStore *self, AgLedgerEntry *entry, GError **error)
{
  GError *local_error = NULL;

  if (!_ag_sqlite_store_check_ledger (self, error))
    return FALSE;
  /* A rolled-back store still ledgers the audit reads made of it (`export`), chained to
   * what it holds; the recorded head stays where it was, so it stays rolled back. */
  if (entry->event != AG_LEDGER_EVENT_EXPORT
      && !_ag_sqlite_store_check_not_rolled_back (self, error))
    return FALSE;

  if (!_ag_sqlite_store_exec (self, "BEGIN IMMEDIATE", &local_error))
    {
      _ag_sqlite_store_set_ledger_error (error, local_error);
      return FALSE;
    }
  if ((entry->event != AG_LEDGER_EVENT_EXPORT && !_ag_sqlite_store_check_known_head (self, error)))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return append_and_commit (self, entry, error);
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

      _ag_sqlite_store_set_error (&local_error, self->db, rc, "Could not read a customer");
      _ag_sqlite_store_set_ledger_error (error, local_error);
    }
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);

  return found;
}

/* Counts into @count the entries of @event by @user in the hour that ends at @time_us
 * (an entry exactly one hour old no longer counts), with @sql prepared once into @stmt.
 * Its parameters: ?1 the user, ?2 the event, ?3 the start of the hour. */
gboolean
_ag_sqlite_store_count_last_hour (AgSqliteStore *self, sqlite3_stmt **stmt, const char *sql,
                                  const char *user, AgLedgerEvent event, gint64 time_us,
                                  gint64 *count, GError **error)
{
  GError *local_error = NULL;
  int rc;

  if (*stmt == NULL && !_ag_sqlite_store_prepare (self, stmt, sql, &local_error))
    {
      _ag_sqlite_store_set_ledger_error (error, local_error);
      return FALSE;
    }

  sqlite3_bind_text (*stmt, 1, user, -1, SQLITE_STATIC);
  sqlite3_bind_int (*stmt, 2, event);
  sqlite3_bind_int64 (*stmt, 3, time_us - (gint64) 3600 * G_USEC_PER_SEC);
  rc = sqlite3_step (*stmt);
  if (rc == SQLITE_ROW)
    *count = sqlite3_column_int64 (*stmt, 0);
  else
    _ag_sqlite_store_set_error (&local_error, self->db, rc, "Could not count the ledger entries");
  sqlite3_reset (*stmt);
  sqlite3_clear_bindings (*stmt);

  if (local_error != NULL)
    {
      _ag_sqlite_store_set_ledger_error (error, local_error);
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

  if (!_ag_sqlite_store_count_last_hour (
        self, &self->count_reveals,
        "SELECT count(*) FROM ledger WHERE user = ?1 AND event = ?2 AND time > ?3", user,
        AG_LEDGER_EVENT_REVEAL, time_us, &count, error))
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

  if (!_ag_sqlite_store_check_ledger (self, error)
      || !_ag_sqlite_store_check_not_rolled_back (self, error)
      || !_ag_sqlite_store_check_head_recorded (self, error))
    return NULL;
  if (entry->time_us == 0)
    entry->time_us = g_get_real_time ();

  if (!_ag_sqlite_store_exec (self, "BEGIN IMMEDIATE", &local_error))
    {
      _ag_sqlite_store_set_ledger_error (error, local_error);
      return NULL;
    }

  if (!_ag_sqlite_store_check_known_head (self, error)
      || !read_sealed (self, entry->record_id, entry->field_kind, &sealed, &sealed_len, error)
      || (max_per_hour > 0
          && (!_ag_sqlite_store_check_recent (self, entry->time_us, error)
              || !check_quota (self, entry->user, entry->time_us, max_per_hour, error))))
    {
      sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return NULL;
    }

  if (!append_and_commit (self, entry, error))
    return NULL;
  *committed = TRUE;

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

void
_ag_sqlite_store_init_reveal (AgStoreInterface *iface)
{
  iface->reveal = ag_sqlite_store_reveal;
  iface->append_event = ag_sqlite_store_append_event_vfunc;
}
