/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sqlite-store"

#include "config.h"

#include <string.h>

#include "ag-keyring.h"
#include "ag-sqlite-store-private.h"

/* AgSqliteStore: the rollback anchor, the ledger head recorded outside the store
 * and the checks against it (DESIGN §5). */

/* The rollback anchor. After every commit the ledger's newest entry is sealed with the
 * ledger key and recorded in the Secret Service, beside the store's keys; the store's
 * meta `ledger-head` says that it is. On open and on verification the ledger must reach
 * the recorded entry and hold it (ag_ledger_check_head()); when it does not, entries
 * were cut off the end or an older copy of the file was put back, and the store opens
 * for audit only. A store made before the anchor is recorded as it is when first
 * opened (trust on first use). */
gboolean
_ag_sqlite_store_record_head (AgSqliteStore *self, const AgLedgerHead *head,
                              GCancellable *cancellable, GError **error)
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
void
_ag_sqlite_store_advance_head (AgSqliteStore *self, const AgLedgerEntry *last)
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
void
_ag_sqlite_store_wait_for_head (AgSqliteStore *self)
{
  g_mutex_lock (&self->head_lock);
  while (self->head_running)
    g_cond_wait (&self->head_cond, &self->head_lock);
  g_mutex_unlock (&self->head_lock);
}

/* How long an access waits for the record of the commit before it. */
#define HEAD_WAIT_US (3 * G_USEC_PER_SEC)

/* Before an access (a reveal, a search by an identifier). The record of the commit
 * before it must be in the Secret Service: wait for the recorder (at most HEAD_WAIT_US),
 * and when its record failed, record the head now. An access that cannot have that is
 * refused, so that at most one access (the one whose record is on its way) can be cut
 * off unseen. A head that could not be checked at open is checked first. */
gboolean
_ag_sqlite_store_check_head_recorded (AgSqliteStore *self, GError **error)
{
  AgLedgerHead head;
  GError *local_error = NULL;
  gboolean failed, waiting;
  gint64 deadline = g_get_monotonic_time () + HEAD_WAIT_US;

  if (self->head_unchecked != NULL)
    {
      if (!_ag_sqlite_store_check_head (self, NULL, NULL, &local_error))
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
      && _ag_sqlite_store_record_head (self, &head, NULL, &local_error))
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
gboolean
_ag_sqlite_store_check_known_head (AgSqliteStore *self, GError **error)
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
    _ag_sqlite_store_set_ledger_error (error, local_error);
  return FALSE;
}

/* Before a quota is counted: the window it counts verifies (ag_ledger_verify_recent()).
 * When no other connection has written since the last check (PRAGMA data_version), only
 * the entries after the newest one checked then are walked; this connection's own
 * appends are what it just wrote. */
gboolean
_ag_sqlite_store_check_recent (AgSqliteStore *self, gint64 time_us, GError **error)
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
      _ag_sqlite_store_set_error (error, self->db, rc, "Could not read the store");
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

  if (!_ag_sqlite_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  /* Another process may have done it meanwhile. */
  if (!head_is_recorded (self, &recorded, error))
    goto fail;
  if (!recorded
      && (!ag_ledger_get_head (LEDGER_STORAGE (self), &head, error)
          || !_ag_sqlite_store_record_head (self, &head, cancellable, error)
          || !_ag_sqlite_store_write_meta (self, HEAD_META_KEY, HEAD_META_VALUE, error)))
    goto fail;
  return _ag_sqlite_store_exec (self, "COMMIT", error);

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
gboolean
_ag_sqlite_store_check_head (AgSqliteStore *self, GCancellable *cancellable, guint64 *first_bad_seq,
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
gboolean
_ag_sqlite_store_check_not_rolled_back (AgSqliteStore *self, GError **error)
{
  if (self->rollback_error == NULL)
    return TRUE;

  g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK,
               "The store is open for audit only: %s", self->rollback_error->message);
  return FALSE;
}
