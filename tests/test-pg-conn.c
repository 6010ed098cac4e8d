/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The PostgreSQL mode's connection rules (ag_pg_check_uri()) and its password from the
 * Secret Service (a private gnome-keyring, run-test.sh --keyring). No server needed.
 */

#include "config.h"

#include "ag-pg.h"

static void
assert_refused (const char *uri, int code)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (ag_pg_check_uri (uri, &error));
  g_assert_error (error, AG_PG_ERROR, code);
}

static void
test_uri_rules (void)
{
  g_autoptr (GError) error = NULL;

  /* A Unix socket, by folder or default: peer authentication, the normal path. */
  g_assert_true (ag_pg_check_uri ("postgresql:///agent_guard?host=/run/postgresql", &error));
  g_assert_no_error (error);
  g_assert_true (ag_pg_check_uri ("postgresql:///agent_guard", &error));
  g_assert_no_error (error);
  /* TCP with the server's certificate and name checked. */
  g_assert_true (
    ag_pg_check_uri ("postgresql://db.example.com/agent_guard?sslmode=verify-full", &error));
  g_assert_no_error (error);

  assert_refused ("postgresql://db.example.com/agent_guard", AG_PG_ERROR_INSECURE);
  assert_refused ("postgresql://db.example.com/agent_guard?sslmode=verify-ca",
                  AG_PG_ERROR_INSECURE);
  assert_refused ("postgresql:///agent_guard?hostaddr=192.0.2.7", AG_PG_ERROR_INSECURE);
  assert_refused ("postgresql://ana:secret@db.example.com/agent_guard?sslmode=verify-full",
                  AG_PG_ERROR_PASSWORD);
  assert_refused ("postgresql:///agent_guard?passfile=/tmp/pw", AG_PG_ERROR_PASSWORD);
  assert_refused ("postgresql://[bad", AG_PG_ERROR_INVALID_URI);

  /* PGHOST makes a URI without a host go over TCP too. */
  g_setenv ("PGHOST", "db.example.com", TRUE);
  assert_refused ("postgresql:///agent_guard", AG_PG_ERROR_INSECURE);
  g_unsetenv ("PGHOST");
  g_setenv ("PGPASSWORD", "secret", TRUE);
  assert_refused ("postgresql:///agent_guard", AG_PG_ERROR_PASSWORD);
  g_unsetenv ("PGPASSWORD");
}

static void
test_password_lookup (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *none = NULL;
  g_autofree char *found = NULL;

  none = ag_pg_lookup_password ("db.example.com", "5432", "agent_guard", "ana", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);

  g_assert_true (ag_pg_store_password ("db.example.com", "5432", "agent_guard", "ana",
                                       "synthetic-password", NULL, &error));
  g_assert_no_error (error);
  found = ag_pg_lookup_password ("db.example.com", "5432", "agent_guard", "ana", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "synthetic-password");
  /* Another user, another database: none. */
  g_clear_pointer (&none, g_free);
  none = ag_pg_lookup_password ("db.example.com", "5432", "agent_guard", "bruno", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (none);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_unsetenv ("PGHOST");
  g_unsetenv ("PGPASSWORD");
  g_unsetenv ("PGSSLMODE");

  g_test_add_func ("/pg-conn/uri-rules", test_uri_rules);
  g_test_add_func ("/pg-conn/password-lookup", test_password_lookup);
  return g_test_run ();
}
