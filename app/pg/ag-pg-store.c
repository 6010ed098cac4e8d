/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pg-store"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "ag-pg-store-private.h"
#include "ag-pii.h"

/*
 * AgPgStore: the PostgreSQL mode's client (DESIGN §7). The database enforces the guard:
 * the connected role reads masks only, every reveal and search by an identifier goes
 * through a SECURITY DEFINER function that ledgers it (attributed to session_user) in the
 * same transaction, and the policy in force is the database's. This side maps AgStore's
 * calls onto those functions, shows a value only after its COMMIT returned, and fails
 * closed when the connection is lost. The blocking calls run in GTask threads (the async
 * wrappers of ag-store.c); one connection per store, one call at a time.
 */

/* Reconnecting: the first attempt at once, then waits doubling up to this. */
#define RETRY_MAX_US (10 * G_USEC_PER_SEC)
#define RETRY_MIN_US (G_USEC_PER_SEC / 4)

static void
ag_pg_store_iface_init (AgStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgPgStore, ag_pg_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (AG_TYPE_STORE, ag_pg_store_iface_init))

guint _ag_pg_store_signals[AG_PG_STORE_N_SIGNALS];

static void
ag_pg_store_dispose (GObject *object)
{
  _ag_pg_store_stop_listening (AG_PG_STORE (object));

  G_OBJECT_CLASS (ag_pg_store_parent_class)->dispose (object);
}

static void
ag_pg_store_finalize (GObject *object)
{
  AgPgStore *self = AG_PG_STORE (object);

  g_clear_pointer (&self->conn, PQfinish);
  g_free (self->uri);
  g_free (self->store_id);
  g_free (self->user);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ag_pg_store_parent_class)->finalize (object);
}

static void
ag_pg_store_class_init (AgPgStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ag_pg_store_dispose;
  G_OBJECT_CLASS (klass)->finalize = ag_pg_store_finalize;

  /**
   * AgPgStore::policy-changed:
   * @version: the policy version now in force
   *
   * The floor's policy changed, or the listener (re)connected: read it again
   * (ag_pg_store_listen_policy()).
   */
  _ag_pg_store_signals[AG_PG_STORE_SIGNAL_POLICY_CHANGED]
    = g_signal_new ("policy-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
ag_pg_store_init (AgPgStore *self)
{
  g_mutex_init (&self->lock);
}

/* The connection ------------------------------------------------------------------------ */

/* An AG_PG_ERROR as the store's: connection problems are I/O, the rest @code. */
static void
propagate_pg_error (GError **error, GError *pg_error, AgStoreError code)
{
  if (pg_error->domain == AG_PG_ERROR
      && (pg_error->code == AG_PG_ERROR_LOST || pg_error->code == AG_PG_ERROR_CONNECT))
    code = AG_STORE_ERROR_IO;
  if (pg_error->domain == AG_PG_ERROR
      && (pg_error->code == AG_PG_ERROR_UNSAFE || pg_error->code == AG_PG_ERROR_INSECURE
          || pg_error->code == AG_PG_ERROR_PASSWORD || pg_error->code == AG_PG_ERROR_INVALID_URI))
    {
      g_propagate_error (error, pg_error);
      return;
    }
  g_set_error (error, AG_STORE_ERROR, code, "%s", pg_error->message);
  g_error_free (pg_error);
}

static gboolean
self_check (PGconn *conn, GError **error);

/* Connects, checks, and reads who the store signs in as. */
static PGconn *
connect_store (AgPgStore *self, GCancellable *cancellable, GError **error)
{
  g_autoptr (PGresult) result = NULL;
  PGconn *conn;

  conn = ag_pg_connect (self->uri, cancellable, error);
  if (conn == NULL)
    return NULL;
  if (!self_check (conn, error))
    {
      PQfinish (conn);
      return NULL;
    }
  result = ag_pg_exec (conn, "store",
                       "SELECT session_user, (SELECT value FROM agent_guard.store_meta"
                       " WHERE key = 'store-id')",
                       0, NULL, error);
  if (result == NULL)
    {
      PQfinish (conn);
      return NULL;
    }
  g_free (self->user);
  self->user = g_strdup (PQgetvalue (result, 0, 0));
  if (self->store_id == NULL)
    self->store_id = g_strdup (PQgetvalue (result, 0, 1));
  return conn;
}

PGconn *
_ag_pg_store_conn (AgPgStore *self, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  gint64 now = g_get_monotonic_time ();

  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    return self->conn;
  g_clear_pointer (&self->conn, PQfinish);
  if (now < self->retry_us)
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_IO,
                   "No connection to the PostgreSQL store (trying again in %.1f s)",
                   (double) (self->retry_us - now) / G_USEC_PER_SEC);
      return NULL;
    }
  self->conn = connect_store (self, NULL, &local_error);
  if (self->conn == NULL)
    {
      self->failures++;
      self->retry_us = now + MIN (RETRY_MAX_US, RETRY_MIN_US << MIN (self->failures - 1, 6));
      g_prefix_error (&local_error, "No connection to the PostgreSQL store: ");
      propagate_pg_error (error, g_steal_pointer (&local_error), AG_STORE_ERROR_IO);
      return NULL;
    }
  self->failures = 0;
  self->retry_us = 0;
  return self->conn;
}

PGresult *
_ag_pg_store_exec (AgPgStore *self, AgStoreError code, const char *what, const char *sql,
                   int n_params, const char *const *params, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  PGconn *conn = _ag_pg_store_conn (self, error);
  PGresult *result;

  if (conn == NULL)
    return NULL;
  result = ag_pg_exec (conn, what, sql, n_params, params, &local_error);
  if (result != NULL)
    return result;
  /* Lost: the next call connects again, at once the first time. */
  if (local_error->code == AG_PG_ERROR_LOST)
    g_clear_pointer (&self->conn, PQfinish);
  propagate_pg_error (error, g_steal_pointer (&local_error), code);
  return NULL;
}

void
_ag_pg_store_rollback (AgPgStore *self)
{
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_OK)
    PQclear (PQexec (self->conn, "ROLLBACK"));
}

/* The startup self-check: every unsafe grant, one per row. A superuser's connection (the
 * administrator's import) may read the value column; no other role may. */
static const char self_check_sql[]
  = "SELECT format('the role %s may SELECT agent_guard.customer_field.sealed (the values)',"
    "              current_user)"
    "  WHERE has_column_privilege('agent_guard.customer_field', 'sealed', 'SELECT')"
    "    AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)"
    " UNION ALL"
    " SELECT format('the role %s may SELECT agent_guard.secret_key', current_user)"
    "  WHERE has_table_privilege('agent_guard.secret_key', 'SELECT')"
    "    AND NOT (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)"
    " UNION ALL"
    " SELECT 'agent_guard.reveal is not SECURITY DEFINER with its search_path pinned'"
    "  FROM pg_catalog.pg_proc p"
    "  WHERE p.oid = 'agent_guard.reveal(text,text,text,text,text,text)'::regprocedure"
    "    AND NOT (p.prosecdef AND coalesce(p.proconfig::text[] @> "
    "             ARRAY['search_path=pg_catalog, agent_guard, pg_temp'], false))"
    " UNION ALL"
    " SELECT format('PUBLIC holds %s on schema %s', a.privilege_type, n.nspname)"
    "  FROM pg_catalog.pg_namespace n,"
    "       aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a"
    "  WHERE n.nspname IN ('agent_guard', 'agent_guard_crypto') AND a.grantee = 0"
    " UNION ALL"
    " SELECT format('PUBLIC holds %s on %s', a.privilege_type, c.oid::regclass)"
    "  FROM pg_catalog.pg_class c,"
    "       aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a"
    "  WHERE c.relnamespace = 'agent_guard'::regnamespace AND a.grantee = 0"
    " UNION ALL"
    " SELECT format('PUBLIC holds %s on column %s.%s', a.privilege_type, t.attrelid::regclass,"
    "               t.attname)"
    "  FROM pg_catalog.pg_attribute t JOIN pg_catalog.pg_class c ON c.oid = t.attrelid,"
    "       aclexplode(t.attacl) a"
    "  WHERE c.relnamespace = 'agent_guard'::regnamespace AND t.attacl IS NOT NULL"
    "    AND a.grantee = 0"
    " UNION ALL"
    " SELECT format('PUBLIC holds %s on function %s', a.privilege_type, p.oid::regprocedure)"
    "  FROM pg_catalog.pg_proc p,"
    "       aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a"
    "  WHERE p.pronamespace IN ('agent_guard'::regnamespace,"
    "                           'agent_guard_crypto'::regnamespace) AND a.grantee = 0";

static gboolean
self_check (PGconn *conn, GError **error)
{
  g_autoptr (PGresult) result = NULL;
  g_autoptr (GString) problems = NULL;

  result = ag_pg_exec (conn, "self-check", self_check_sql, 0, NULL, error);
  if (result == NULL)
    return FALSE;
  if (PQntuples (result) == 0)
    return TRUE;
  problems = g_string_new ("Refusing to use this PostgreSQL store, whose grants break the guard: ");
  for (int i = 0; i < PQntuples (result); i++)
    g_string_append_printf (problems, "%s%s", i > 0 ? "; " : "", PQgetvalue (result, i, 0));
  g_set_error_literal (error, AG_PG_ERROR, AG_PG_ERROR_UNSAFE, problems->str);
  return FALSE;
}

gboolean
ag_pg_store_check (AgPgStore *self, GError **error)
{
  g_autoptr (GMutexLocker) locker = NULL;
  PGconn *conn;

  g_return_val_if_fail (AG_IS_PG_STORE (self), FALSE);

  locker = g_mutex_locker_new (&self->lock);
  conn = _ag_pg_store_conn (self, error);
  return conn != NULL && self_check (conn, error);
}

/**
 * ag_pg_store_open:
 *
 * Returns: (transfer full): the store, or %NULL with @error: %AG_STORE_ERROR_NOT_FOUND
 *   when the database has no Agent Guard schema, %AG_STORE_ERROR_IO when it cannot be
 *   reached, %AG_PG_ERROR_UNSAFE from the self-check, or the URI's %AG_PG_ERROR
 */
AgPgStore *
ag_pg_store_open (const char *uri, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgPgStore) self = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (PGresult) result = NULL;
  PGconn *conn;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AG_TYPE_PG_STORE, NULL);
  self->uri = g_strdup (uri);
  conn = ag_pg_connect (uri, cancellable, &local_error);
  if (conn == NULL)
    {
      propagate_pg_error (error, g_steal_pointer (&local_error), AG_STORE_ERROR_IO);
      return NULL;
    }
  result = ag_pg_exec (conn, "schema", "SELECT to_regclass('agent_guard.store_meta') IS NOT NULL",
                       0, NULL, &local_error);
  if (result == NULL || !g_str_equal (PQgetvalue (result, 0, 0), "t"))
    {
      PQfinish (conn);
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                   "The database holds no Agent Guard store (make it with “agent-guard-admin "
                   "pg init”)%s%s",
                   local_error != NULL ? ": " : "",
                   local_error != NULL ? local_error->message : "");
      return NULL;
    }
  PQfinish (conn);

  self->conn = connect_store (self, cancellable, &local_error);
  if (self->conn == NULL)
    {
      propagate_pg_error (error, g_steal_pointer (&local_error), AG_STORE_ERROR_FAILED);
      return NULL;
    }
  return g_steal_pointer (&self);
}

const char *
ag_pg_store_get_user (AgPgStore *self)
{
  g_return_val_if_fail (AG_IS_PG_STORE (self), NULL);

  return self->user;
}

/* Records --------------------------------------------------------------------------------- */

/* The record @id with its masks; NULL with @error unset when there is none. */
static AgRecord *
read_record (AgPgStore *self, const char *id, GError **error)
{
  const char *params[] = { id };
  g_autoptr (PGresult) result = NULL;
  g_autoptr (AgRecord) record = NULL;
  const char *masks[AG_PII_N_KINDS] = { NULL };

  result = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "record",
                              "SELECT c.id, c.display_name, f.kind, f.masked"
                              " FROM agent_guard.customer c"
                              " LEFT JOIN agent_guard.customer_field f ON f.customer = c.n"
                              " WHERE c.id = $1",
                              1, params, error);
  if (result == NULL || PQntuples (result) == 0)
    return NULL;
  record = ag_record_new (PQgetvalue (result, 0, 0), PQgetvalue (result, 0, 1));
  for (int i = 0; i < PQntuples (result); i++)
    {
      AgPiiKind kind;

      if (!PQgetisnull (result, i, 2) && ag_pii_kind_from_string (PQgetvalue (result, i, 2), &kind))
        masks[kind] = PQgetvalue (result, i, 3);
    }
  /* In the kinds' order, as every backend shows them. */
  for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
    if (masks[kind] != NULL)
      {
        g_autoptr (AgField) field = ag_field_new (id, kind, masks[kind]);

        ag_record_add_field (record, field);
      }
  return g_steal_pointer (&record);
}

static AgRecord *
ag_pg_store_get_record (AgStore *store, const char *id, GCancellable *cancellable, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (GError) local_error = NULL;
  AgRecord *record;

  record = read_record (self, id, &local_error);
  if (record == NULL && local_error == NULL)
    g_set_error_literal (&local_error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                         "No customer has that id");
  if (record == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return record;
}

static gint64
ag_pg_store_count (AgStore *store, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (PGresult) result = NULL;

  result = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "count",
                              "SELECT count(n) FROM agent_guard.customer", 0, NULL, error);
  return result != NULL ? g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10) : -1;
}

/* A floor's database is live: training stores are the trainees' own, embedded (issue 16).
 * The ledger entries counted are the ones the connected role may read. */
static gboolean
ag_pg_store_get_info (AgStore *store, AgStoreInfo *info, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (PGresult) result = NULL;

  info->format = "postgresql";
  info->format_version = 0;
  info->mode = AG_LEDGER_MODE_LIVE;
  info->n_records = ag_pg_store_count (store, error);
  if (info->n_records < 0)
    return FALSE;

  {
    g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);

    result = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "count",
                                "SELECT count(*) FROM agent_guard.ledger", 0, NULL, NULL);
  }
  info->n_ledger_entries
    = result != NULL ? g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10) : -1;
  return TRUE;
}

/* Search ---------------------------------------------------------------------------------- */

static gboolean
add_ids (GPtrArray *ids, PGresult *result, int column)
{
  for (int i = 0; i < PQntuples (result); i++)
    if (!PQgetisnull (result, i, column)
        && !g_ptr_array_find_with_equal_func (ids, PQgetvalue (result, i, column), g_str_equal,
                                              NULL))
      g_ptr_array_add (ids, g_strdup (PQgetvalue (result, i, column)));
  return TRUE;
}

/* By identifier, in one transaction: search_identifier() of each kind the query may be
 * ledgers and counts each; the results only once the COMMIT has returned. */
static gboolean
search_identifiers (AgPgStore *self, const char *query, guint kinds, guint limit,
                    const AgLedgerEntry *access, GPtrArray *ids, GError **error)
{
  g_autofree char *limit_text = g_strdup_printf ("%u", limit);
  const char *mode = ag_ledger_mode_to_string (access->mode);
  g_autoptr (PGresult) begin = NULL;
  g_autoptr (PGresult) commit = NULL;
  gboolean quota = FALSE;

  begin = _ag_pg_store_exec (self, AG_STORE_ERROR_LEDGER, "search", "BEGIN", 0, NULL, error);
  if (begin == NULL)
    return FALSE;
  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_autofree char *normalized = NULL;
      g_autoptr (PGresult) result = NULL;
      const char *params[5];

      if (!(kinds & (1u << kind)) || !ag_pii_kind_is_searchable (kind))
        continue;
      normalized = ag_pii_normalize (kind, query, NULL);
      if (normalized == NULL)
        continue;
      params[0] = ag_pii_kind_to_string (kind);
      params[1] = normalized;
      params[2] = access->session_id;
      params[3] = mode;
      params[4] = limit_text;
      result = _ag_pg_store_exec (self, AG_STORE_ERROR_LEDGER, "search",
                                  "SELECT status, record_id FROM agent_guard.search_identifier"
                                  "($1, $2, $3, $4, $5::integer)",
                                  5, params, error);
      explicit_bzero (normalized, strlen (normalized));
      if (result == NULL)
        {
          _ag_pg_store_rollback (self);
          return FALSE;
        }
      if (PQntuples (result) > 0 && g_str_equal (PQgetvalue (result, 0, 0), "quota"))
        quota = TRUE;
      else if (PQntuples (result) > 0 && !g_str_equal (PQgetvalue (result, 0, 0), "ok"))
        {
          g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_FAILED,
                       "The database refused the search: %s", PQgetvalue (result, 0, 0));
          PQclear (PQexec (self->conn, "COMMIT"));
          return FALSE;
        }
      else
        add_ids (ids, result, 1);
    }
  commit = _ag_pg_store_exec (self, AG_STORE_ERROR_LEDGER, "search", "COMMIT", 0, NULL, error);
  if (commit == NULL)
    return FALSE;
  if (quota)
    {
      g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED,
                           "The searches by an identifier of this hour are used up");
      return FALSE;
    }
  return TRUE;
}

static GListModel *
ag_pg_store_search (AgStore *store, const char *query, guint limit, const AgLedgerEntry *access,
                    guint max_per_hour, GCancellable *cancellable, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = NULL;
  g_autoptr (GListStore) results = g_list_store_new (AG_TYPE_RECORD);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *trimmed = g_strstrip (g_strdup (query));
  guint kinds = ag_pii_identifier_kinds (trimmed);

  if (kinds != 0 && access == NULL)
    {
      g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER,
                           "A search by an identifier needs its ledger entry: not searched");
      return NULL;
    }
  if (*trimmed == '\0' || !g_utf8_validate (trimmed, -1, NULL))
    return G_LIST_MODEL (g_steal_pointer (&results));

  locker = g_mutex_locker_new (&self->lock);
  if (kinds != 0)
    {
      /* The policy in force is the database's: it counts against its own quota. */
      if (!search_identifiers (self, trimmed, kinds, limit, access, ids, error))
        return NULL;
    }
  else
    {
      g_autofree char *limit_text = g_strdup_printf ("%u", limit);
      const char *params[] = { trimmed, limit_text };
      g_autoptr (PGresult) by_id = NULL;
      g_autoptr (PGresult) by_name = NULL;

      by_id
        = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "search",
                             "SELECT id FROM agent_guard.customer WHERE id = $1", 1, params, error);
      if (by_id == NULL)
        return NULL;
      add_ids (ids, by_id, 0);
      by_name = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "search",
                                   "SELECT record_id FROM agent_guard.search_name($1, $2::integer)",
                                   2, params, error);
      if (by_name == NULL)
        return NULL;
      add_ids (ids, by_name, 0);
    }

  for (guint i = 0; i < ids->len && i < limit; i++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (AgRecord) record = read_record (self, ids->pdata[i], &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (record != NULL)
        g_list_store_append (results, record);
    }
  return G_LIST_MODEL (g_steal_pointer (&results));
}

/* Import ---------------------------------------------------------------------------------- */

/* {"kind": {"value": …, "masked": …}, …} of @data's fields but the name. */
static char *
fields_json (const AgCustomerData *data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
    {
      g_autofree char *mask = NULL;

      if (data->values[kind] == NULL)
        continue;
      mask = ag_pii_mask (kind, data->values[kind]);
      json_builder_set_member_name (builder, ag_pii_kind_to_string (kind));
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, data->values[kind]);
      json_builder_set_member_name (builder, "masked");
      json_builder_add_string_value (builder, mask);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static gboolean
import_one (AgPgStore *self, const AgCustomerData *data, guint64 index, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (PGresult) result = NULL;
  g_autofree char *json = NULL;
  const char *params[3];

  if (data->id == NULL || data->values[AG_PII_KIND_NAME] == NULL
      || data->values[AG_PII_KIND_NAME][0] == '\0')
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_INVALID_DATA,
                   "Customer %" G_GUINT64_FORMAT " (line %" G_GUINT64_FORMAT
                   ") has no id or no name",
                   index + 1, data->line);
      return FALSE;
    }
  json = fields_json (data);
  params[0] = data->id;
  params[1] = data->values[AG_PII_KIND_NAME];
  params[2] = json;
  result = _ag_pg_store_exec (self, AG_STORE_ERROR_INVALID_DATA, data->id,
                              "SELECT agent_guard.put_customer($1, $2, $3::jsonb)", 3, params,
                              &local_error);
  explicit_bzero (json, strlen (json));
  if (result != NULL)
    return TRUE;
  if (local_error->code == AG_STORE_ERROR_INVALID_DATA && strstr (local_error->message, "unique"))
    local_error->code = AG_STORE_ERROR_DUPLICATE_ID;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
ag_pg_store_import (AgStore *store, AgCustomerSourceFunc source, gpointer source_data,
                    guint64 total, AgProgressFunc progress, gpointer progress_data,
                    GCancellable *cancellable, GError **error)
{
  AgPgStore *self = AG_PG_STORE (store);
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  g_autoptr (PGresult) begin = NULL;
  g_autoptr (PGresult) commit = NULL;
  guint64 done = 0;

  begin = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "import", "BEGIN", 0, NULL, error);
  if (begin == NULL)
    return FALSE;
  for (;;)
    {
      g_autoptr (GError) local_error = NULL;
      AgCustomerData data = { 0 };
      gboolean ok;

      if (!source (&data, source_data, &local_error))
        {
          ag_customer_data_clear (&data);
          if (local_error == NULL)
            break;
          _ag_pg_store_rollback (self);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      ok = !g_cancellable_set_error_if_cancelled (cancellable, error)
           && import_one (self, &data, done, error);
      ag_customer_data_clear (&data);
      if (!ok)
        {
          _ag_pg_store_rollback (self);
          return FALSE;
        }
      done++;
      if (progress != NULL && done % 256 == 0)
        progress (done, total, progress_data);
    }
  commit = _ag_pg_store_exec (self, AG_STORE_ERROR_FAILED, "import", "COMMIT", 0, NULL, error);
  if (commit == NULL)
    return FALSE;
  if (progress != NULL)
    progress (done, total, progress_data);
  return TRUE;
}

/* The store ------------------------------------------------------------------------------- */

static const char *
ag_pg_store_get_id (AgStore *store)
{
  return AG_PG_STORE (store)->store_id;
}

static const char *
ag_pg_store_get_location (AgStore *store)
{
  return AG_PG_STORE (store)->uri;
}

static void
ag_pg_store_iface_init (AgStoreInterface *iface)
{
  iface->search = ag_pg_store_search;
  iface->get_record = ag_pg_store_get_record;
  iface->import = ag_pg_store_import;
  iface->count = ag_pg_store_count;
  iface->get_info = ag_pg_store_get_info;
  iface->get_id = ag_pg_store_get_id;
  iface->get_location = ag_pg_store_get_location;
  _ag_pg_store_init_ledger (iface);
}
