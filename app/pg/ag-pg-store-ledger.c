/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pg-store"

#include "config.h"

#include <string.h>

#include "ag-ledger-private.h"
#include "ag-pg-store-private.h"
#include "ag-pii.h"

/*
 * AgPgStore's reveal and ledger. The database writes every entry itself (reveal(),
 * search_identifier(), log_event()), attributed to session_user, with the time of its
 * own clock and the policy in force; the entries come back in the embedded store's
 * canonical encoding, so the chain's reader decodes them as it decodes SQLite's.
 */

/* reveal()'s causes of a denial, as the store's errors. */
static void
set_denied (GError **error, const char *cause)
{
  AgStoreError code = AG_STORE_ERROR_FAILED;

  if (g_str_equal (cause, "quota"))
    code = AG_STORE_ERROR_QUOTA_EXCEEDED;
  else if (g_str_equal (cause, "not-found"))
    code = AG_STORE_ERROR_NOT_FOUND;
  else if (g_str_equal (cause, "not-masked") || g_str_equal (cause, "reason-required")
           || g_str_equal (cause, "unknown-reason") || g_str_equal (cause, "invalid-ticket"))
    code = AG_STORE_ERROR_INVALID_DATA;
  g_set_error (error, AG_STORE_ERROR, code, "The database refused the reveal (%s)", cause);
}

/* Wipes what libpq holds of a value before the result is freed. */
static void
wipe_result (PGresult *result)
{
  for (int i = 0; i < PQntuples (result); i++)
    if (!PQgetisnull (result, i, 1))
      explicit_bzero (PQgetvalue (result, i, 1), PQgetlength (result, i, 1));
}

static AgSecret *
ag_pg_store_reveal (AgStore *store, AgLedgerEntry *entry, guint max_per_hour,
                    GCancellable *cancellable, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (PGresult) begin = NULL;
  g_autoptr (PGresult) commit = NULL;
  g_autoptr (GError) local_error = NULL;
  PGresult *result;
  const char *params[6];
  const char *status;
  AgSecret *value = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  params[0] = entry->record_id;
  params[1] = ag_pii_kind_to_string (entry->field_kind);
  params[2] = entry->reason;
  params[3] = entry->ticket;
  params[4] = entry->session_id;
  params[5] = ag_ledger_mode_to_string (entry->mode);

  locker = g_mutex_locker_new (&self->lock);
  begin = _ag_pg_store_exec (self, AG_STORE_ERROR_LEDGER, "reveal", "BEGIN", 0, NULL, error);
  if (begin == NULL)
    return NULL;
  result = _ag_pg_store_exec (self, AG_STORE_ERROR_LEDGER, "reveal",
                              "SELECT status, value, seq, policy_version"
                              " FROM agent_guard.reveal($1, $2, $3, $4, $5, $6)",
                              6, params, &local_error);
  if (result == NULL)
    {
      _ag_pg_store_rollback (self);
      if (strstr (local_error->message, "does not belong"))
        local_error->code = AG_STORE_ERROR_CORRUPT;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  /* Whatever it says, the entry is only there once the COMMIT returns: no value before. */
  commit
    = _ag_pg_store_exec (self, AG_STORE_ERROR_LEDGER, "reveal", "COMMIT", 0, NULL, &local_error);
  if (commit == NULL)
    {
      wipe_result (result);
      PQclear (result);
      g_prefix_error (&local_error, "The reveal's ledger entry was not confirmed, nothing is "
                                    "shown: ");
      local_error->code
        = local_error->code == AG_STORE_ERROR_IO ? AG_STORE_ERROR_IO : AG_STORE_ERROR_LEDGER;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  status = PQgetvalue (result, 0, 0);
  entry->seq = g_ascii_strtoull (PQgetvalue (result, 0, 2), NULL, 10);
  g_free (entry->user);
  entry->user = g_strdup (self->user);
  g_free (entry->policy_version);
  entry->policy_version = g_strdup (PQgetvalue (result, 0, 3));
  if (g_str_equal (status, "ok") && !PQgetisnull (result, 0, 1))
    value = ag_secret_new_from_data (PQgetvalue (result, 0, 1), PQgetlength (result, 0, 1));
  else
    set_denied (error, status);
  wipe_result (result);
  PQclear (result);
  return value;
}

static gboolean
ag_pg_store_append_event (AgStore *store, AgLedgerEntry *entry, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (PGresult) result = NULL;
  const char *params[6];

  params[0] = ag_ledger_event_to_string (entry->event);
  params[1] = entry->session_id;
  params[2] = ag_ledger_mode_to_string (entry->mode);
  params[3] = entry->record_id;
  params[4] = entry->field_kind >= 0 ? ag_pii_kind_to_string (entry->field_kind) : NULL;
  params[5] = entry->cause;
  result
    = _ag_pg_store_exec (self, AG_STORE_ERROR_LEDGER, "ledger",
                         "SELECT agent_guard.log_event($1, $2, $3, $4, $5, $6)", 6, params, error);
  if (result == NULL)
    return FALSE;
  entry->seq = g_ascii_strtoull (PQgetvalue (result, 0, 0), NULL, 10);
  g_free (entry->user);
  entry->user = g_strdup (self->user);
  return TRUE;
}

/* bytea in text form (\x…) as bytes. */
static GBytes *
column_bytes (PGresult *result, int row, int column)
{
  size_t len = 0;
  guint8 *data = PQunescapeBytea ((const guint8 *) PQgetvalue (result, row, column), &len);
  GBytes *bytes = g_bytes_new (data, len);

  PQfreemem (data);
  return bytes;
}

static char *
time_param (gint64 time_us)
{
  return time_us != 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, time_us) : NULL;
}

static gboolean
ag_pg_store_foreach_event (AgStore *store, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                           gpointer user_data, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (PGresult) result = NULL;
  g_autofree char *since = time_param (filter != NULL ? filter->since_us : 0);
  g_autofree char *until = time_param (filter != NULL ? filter->until_us : 0);
  const char *params[] = { since, until, filter != NULL ? filter->user : NULL,
                           filter != NULL ? filter->record_id : NULL };

  result = _ag_pg_store_exec (
    self, AG_STORE_ERROR_FAILED, "ledger",
    "SELECT entry, prev_hash || hash || mac FROM agent_guard.ledger l"
    " WHERE ($1::bigint IS NULL OR l.time >= to_timestamp($1::bigint / 1000000.0))"
    "   AND ($2::bigint IS NULL OR l.time < to_timestamp($2::bigint / 1000000.0))"
    "   AND ($3::text IS NULL OR l.agent = $3) AND ($4::text IS NULL OR l.record = $4)"
    " ORDER BY l.id",
    4, params, error);
  if (result == NULL)
    return FALSE;
  g_clear_pointer (&locker, g_mutex_locker_free);

  for (int i = 0; i < PQntuples (result); i++)
    {
      g_autoptr (GBytes) encoding = column_bytes (result, i, 0);
      g_autoptr (GBytes) seal = column_bytes (result, i, 1);
      g_autoptr (AgLedgerEntry) entry = NULL;
      AgLedgerView view;
      gsize len;
      const guint8 *data = g_bytes_get_data (encoding, &len);

      if (g_bytes_get_size (seal) != 3 * AG_LEDGER_HASH_BYTES
          || !ag_ledger_view_decode (data, len, &view)
          || (entry = ag_ledger_entry_from_view (&view, g_bytes_get_data (seal, NULL))) == NULL)
        {
          g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_INVALID_ENTRY,
                       "Ledger row %d is not an entry this version reads", i + 1);
          return FALSE;
        }
      if (!func (entry, user_data, error))
        return FALSE;
    }
  return TRUE;
}

/* verify_ledger() recomputes everything in the database (auditors only). */
static gboolean
ag_pg_store_verify_ledger (AgStore *store, guint64 *n_entries, guint64 *first_bad_seq,
                           GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (PGresult) result = NULL;
  const char *problem;

  result = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "verify",
                              "SELECT ok, entries, problem, bad_agent, bad_seq"
                              " FROM agent_guard.verify_ledger()",
                              0, NULL, error);
  if (result == NULL)
    return FALSE;
  if (n_entries != NULL)
    *n_entries = g_ascii_strtoull (PQgetvalue (result, 0, 1), NULL, 10);
  if (g_str_equal (PQgetvalue (result, 0, 0), "t"))
    {
      if (first_bad_seq != NULL)
        *first_bad_seq = 0;
      return TRUE;
    }
  problem = PQgetvalue (result, 0, 2);
  if (first_bad_seq != NULL)
    *first_bad_seq = g_ascii_strtoull (PQgetvalue (result, 0, 4), NULL, 10);
  g_set_error (error, AG_LEDGER_ERROR,
               g_str_equal (problem, "cut-tail") ? AG_LEDGER_ERROR_ROLLED_BACK
                                                 : AG_LEDGER_ERROR_TAMPERED,
               "The ledger does not verify (%s) at entry %s of %s", problem,
               PQgetisnull (result, 0, 4) ? "?" : PQgetvalue (result, 0, 4),
               PQgetisnull (result, 0, 3) ? "the checkpoints" : PQgetvalue (result, 0, 3));
  return FALSE;
}

static gboolean
ag_pg_store_prune_ledger (AgStore *store, guint retention_days, AgLedgerEntry *record,
                          guint64 *n_pruned, GError **error)
{
  g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_FAILED,
                       "The PostgreSQL store's ledger is insert-only for every role: its "
                       "retention is the database administrator's");
  return FALSE;
}

void
_ag_pg_store_init_ledger (AgStoreInterface *iface)
{
  iface->reveal = ag_pg_store_reveal;
  iface->append_event = ag_pg_store_append_event;
  iface->foreach_event = ag_pg_store_foreach_event;
  iface->verify_ledger = ag_pg_store_verify_ledger;
  iface->prune_ledger = ag_pg_store_prune_ledger;
}
