/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The store conformance suite's PostgreSQL backend (test-store.c's cases against
 * AgPgStore) and the cases only it has: the startup self-check, reconnecting, and the
 * policy listener. Synthetic customers only.
 */

#include "config.h"

#include <libpq-fe.h>
#include <string.h>
#include <unistd.h>

#include "ag-pg-store.h"
#include "ag-pii.h"
#include "test-store-private.h"

/* PostgreSQL ------------------------------------------------------------------------------ */

/* Under tests/pg/pg-fixture.sh: PGHOST is its socket folder, PGUSER its superuser, and the
 * database agent_guard holds the schema, the template of each case's own database. The
 * store signs in as the agent "ana" (trust on that socket stands for peer authentication). */

static void
pg_sql (const char *database, const char *sql)
{
  g_autofree char *conninfo = g_strdup_printf ("dbname=%s", database);
  PGconn *conn = PQconnectdb (conninfo);
  PGresult *result;

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("pg: %s", PQerrorMessage (conn));
  result = PQexec (conn, sql);
  if (PQresultStatus (result) != PGRES_COMMAND_OK && PQresultStatus (result) != PGRES_TUPLES_OK)
    g_error ("pg: %s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
  PQfinish (conn);
}

/* The database of @location (postgresql:///DB?…). */
static char *
pg_database (const char *location)
{
  const char *start = location + strlen ("postgresql:///");

  g_assert_true (g_str_has_prefix (location, "postgresql:///"));
  return g_strndup (start, strcspn (start, "?"));
}

static char *
pg_location_as (const char *location, const char *user)
{
  g_autofree char *database = pg_database (location);

  return g_strdup_printf ("postgresql:///%s?host=%s&user=%s", database, g_getenv ("PGHOST"), user);
}

char *
ag_test_store_pg_location (const char *dir)
{
  static guint n;
  g_autofree char *database = g_strdup_printf ("agtest_store_%u_%u", (guint) getpid (), ++n);
  g_autofree char *create = g_strdup_printf ("CREATE DATABASE %s TEMPLATE agent_guard", database);

  pg_sql ("postgres", "DO $$ BEGIN"
                      " IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ana') THEN"
                      "  CREATE ROLE ana LOGIN IN ROLE agent_guard_agent;"
                      "  CREATE ROLE auditora LOGIN IN ROLE agent_guard_auditor;"
                      "  CREATE ROLE sup LOGIN IN ROLE agent_guard_supervisor;"
                      " END IF; END $$");
  pg_sql ("postgres", create);
  return g_strdup_printf ("postgresql:///%s?host=%s&user=ana", database, g_getenv ("PGHOST"));
}

char *
ag_test_store_pg_admin_location (const char *location)
{
  return pg_location_as (location, g_getenv ("PGUSER"));
}

char *
ag_test_store_pg_auditor_location (const char *location)
{
  return pg_location_as (location, "auditora");
}

void
ag_test_store_pg_tamper_entry (const char *location, guint64 seq)
{
  g_autofree char *database = pg_database (location);
  g_autofree char *sql = g_strdup_printf (
    "ALTER TABLE agent_guard.ledger DISABLE TRIGGER insert_only;"
    " UPDATE agent_guard.ledger SET agent = 'mallory' WHERE agent = 'ana' AND seq = "
    "%" G_GUINT64_FORMAT "; ALTER TABLE agent_guard.ledger ENABLE TRIGGER insert_only",
    seq);

  pg_sql (database, sql);
}

static char *pg_failing_database;

/* The ledger refuses every reveal's row, as a full disk would. */
AgStore *
ag_test_store_pg_open_failing (const char *location)
{
  g_autoptr (GError) error = NULL;
  AgStore *store;

  pg_failing_database = pg_database (location);
  pg_sql (pg_failing_database, "ALTER TABLE agent_guard.ledger ADD CONSTRAINT agtest_full"
                               " CHECK (event NOT IN ('reveal', 'reveal-denied')) NOT VALID");
  store = ag_store_open (location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  return store;
}

void
ag_test_store_pg_end_failing (void)
{
  pg_sql (pg_failing_database, "ALTER TABLE agent_guard.ledger DROP CONSTRAINT agtest_full");
  g_clear_pointer (&pg_failing_database, g_free);
}

void
ag_test_store_pg_set_reveal_quota (const char *location, guint n)
{
  g_autofree char *database = pg_database (location);
  g_autofree char *sql = g_strdup_printf (
    "SET ROLE sup; SELECT agent_guard.set_policy('{\"max-reveals-per-hour\": %u}')", n);

  pg_sql (database, sql);
}

/* PostgreSQL only ------------------------------------------------------------------------- */

/* The startup self-check refuses a store whose grants break the guard, naming the grant. */
void
ag_test_store_pg_self_check (Fixture *f, gconstpointer data)
{
  g_autofree char *database = pg_database (f->location);
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;

  pg_sql (database, "GRANT SELECT (sealed) ON agent_guard.customer_field TO PUBLIC");
  store = ag_store_open (f->location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, AG_PG_ERROR, AG_PG_ERROR_UNSAFE);
  g_assert_nonnull (
    strstr (error->message, "the role ana may SELECT agent_guard.customer_field.sealed"));
  g_assert_nonnull (
    strstr (error->message, "PUBLIC holds SELECT on column agent_guard.customer_field.sealed"));
  g_clear_error (&error);
  pg_sql (database, "REVOKE SELECT (sealed) ON agent_guard.customer_field FROM PUBLIC");

  pg_sql (database,
          "GRANT EXECUTE ON FUNCTION agent_guard.put_customer(text, text, jsonb) TO PUBLIC;"
          " ALTER FUNCTION agent_guard.reveal(text, text, text, text, text, text)"
          " RESET search_path");
  store = ag_store_open (f->location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, AG_PG_ERROR, AG_PG_ERROR_UNSAFE);
  g_assert_nonnull (strstr (error->message, "agent_guard.reveal is not SECURITY DEFINER"));
  g_assert_nonnull (strstr (
    error->message, "PUBLIC holds EXECUTE on function agent_guard.put_customer(text,text,jsonb)"));
  g_clear_error (&error);

  /* The store already open (f->store) checks again when asked. */
  g_assert_false (ag_pg_store_check (AG_PG_STORE (f->store), &error));
  g_assert_error (error, AG_PG_ERROR, AG_PG_ERROR_UNSAFE);
}

static void
fixture_server (const char *what)
{
  g_autofree char *script
    = g_build_filename (g_getenv ("AG_SOURCE_ROOT"), "tests", "pg", "pg-fixture.sh", NULL);
  const char *argv[] = { script, "server", what, NULL };
  g_autoptr (GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL,
                               &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* A lost connection fails a reveal closed, and a later one connects again. */
void
ag_test_store_pg_reconnect (Fixture *f, gconstpointer data)
{
  const AgCustomerData *customer = customer_with (f, AG_PII_KIND_CPF, 0);
  const char *cpf = customer->values[AG_PII_KIND_CPF];
  g_autoptr (AgSecret) value = NULL;
  g_autoptr (GError) error = NULL;
  gsize len = 0;

  for (guint round = 0; round < 3; round++)
    {
      g_autoptr (AgLedgerEntry) entry = reveal_entry (customer, AG_PII_KIND_CPF, 0);

      if (round == 1)
        fixture_server ("crash");
      if (round == 2)
        fixture_server ("start");
      value = ag_store_reveal (f->store, entry, 0, NULL, &error);
      if (round == 1)
        {
          g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_IO);
          g_assert_null (value);
          g_clear_error (&error);
          continue;
        }
      /* Reconnecting backs off after a failed attempt: wait it out. */
      for (guint i = 0; round == 2 && value == NULL && i < 40; i++)
        {
          g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_IO);
          g_clear_error (&error);
          g_usleep (G_USEC_PER_SEC / 4);
          value = ag_store_reveal (f->store, entry, 0, NULL, &error);
        }
      g_assert_no_error (error);
      g_assert_cmpmem (ag_secret_get_data (value, &len), len, cpf, strlen (cpf));
      g_clear_pointer (&value, ag_secret_free);
    }
}

static void
policy_changed_cb (AgPgStore *store, gint64 version, gpointer user_data)
{
  g_array_append_val ((GArray *) user_data, version);
}

/* Waits up to a second for @versions to reach @n. */
static void
wait_versions (GArray *versions, guint n)
{
  gint64 deadline = g_get_monotonic_time () + G_USEC_PER_SEC;

  while (versions->len < n && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (versions->len, ==, n);
}

/* A supervisor's policy change reaches a listening client within a second, as does the
 * version in force once it listens, and again after the server came back. */
void
ag_test_store_pg_policy_notify (Fixture *f, gconstpointer data)
{
  g_autoptr (GArray) versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 first;

  g_signal_connect (f->store, "policy-changed", G_CALLBACK (policy_changed_cb), versions);
  ag_pg_store_listen_policy (AG_PG_STORE (f->store));
  wait_versions (versions, 1);
  first = g_array_index (versions, gint64, 0);
  g_assert_cmpint (first, >=, 1);

  ag_test_store_pg_set_reveal_quota (f->location, 7);
  wait_versions (versions, 2);
  /* Newer (a sequence may skip values after a server crash). */
  g_assert_cmpint (g_array_index (versions, gint64, 1), >, first);

  /* The listener reconnects by itself (its first retry after a second) and says which
   * version is in force then. */
  fixture_server ("crash");
  fixture_server ("start");
  {
    gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

    while (versions->len < 3 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (versions->len, ==, 3);
  g_assert_cmpint (g_array_index (versions, gint64, 2), ==, g_array_index (versions, gint64, 1));
  g_signal_handlers_disconnect_by_func (f->store, policy_changed_cb, versions);
}
