/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Runs agent-guard-admin ($AG_ADMIN) as a user would, under tests/run-test.sh --keyring:
 * exit codes, messages, masked output, and that a refused import leaves the store exactly
 * as it was. Every value in the fixtures is synthetic.
 */

#include "config.h"
#include "ag-test-util.h"

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

/* Clear values from tests/fixtures/import-good.{csv,json} in the forms they are typed and
 * stored in. None of them may ever appear in the output of any command. */
static const char *const clear_values[] = {
  "529.982.247-25",
  "52998224725",
  "12.345.678-9",
  "123456789",
  "31/12/1990",
  "1990-12-31",
  "98765-4321",
  "11987654321",
  "Ana.Souza@Example.com",
  "ana.souza@example.com",
  "Avenida Paulista",
  "01310-100",
  "4111 1111 1111 1111",
  "4111111111111111",
  "12345-6",
  "Prefere ligação",
  "31415926590",
  "1985-06-05",
  "99876-5432",
  "31998765432",
  "jose.pereira@example.org",
  "56789-0",
  "8f14e45f",
  "12.345.678/0001-95",
  "12345678000195",
  "3456-7890",
  "271.828.182-05",
  "27182818205",
  "5555 5555 5555 4444",
  "5555555555554444",
  "obrigada",
  "161.803.398-05",
  "16180339805",
  "91234-5678",
  "antonia.lima@example.net",
  "1979-03-14",
  "98.765.432/0001-98",
  "98765432000198",
};

typedef struct
{
  char *dir;
  char *store;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  fixture->dir = g_dir_make_tmp ("ag-admin-XXXXXX", NULL);
  g_assert_nonnull (fixture->dir);
  fixture->store = g_build_filename (fixture->dir, "store.db", NULL);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  ag_test_remove_tree (fixture->dir);
  g_free (fixture->store);
  g_free (fixture->dir);
}

static char *
fixture_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
}

static void
assert_no_clear_value (const char *text)
{
  for (gsize i = 0; i < G_N_ELEMENTS (clear_values); i++)
    if (strstr (text, clear_values[i]) != NULL)
      g_error ("output shows clear value #%" G_GSIZE_FORMAT, i);
}

/* Runs agent-guard-admin with the NULL-terminated arguments, @input (may be NULL: nothing)
 * on its stdin and @env (NULL or NAME, VALUE pairs and NULL) added to its environment;
 * returns its exit status. Its stdout and stderr go to @out and @err when given. */
static int
run_admin_full (const char *input, const char *const *env, char **out, char **err,
                const char *const *args)
{
  g_autoptr (GPtrArray) needles = g_ptr_array_new ();
  AgTestAdminRun run = { input, env, needles, FALSE };

  for (gsize i = 0; i < G_N_ELEMENTS (clear_values); i++)
    g_ptr_array_add (needles, (gpointer) clear_values[i]);
  return ag_test_run_admin (&run, out, err, args);
}

static int
run_admin_v (char **out, char **err, const char *const *args)
{
  return run_admin_full (NULL, NULL, out, err, args);
}

#define run_admin(out, err, ...) run_admin_v (out, err, (const char *const[]){ __VA_ARGS__, NULL })
/* The same with @input on stdin. */
#define run_admin_input(input, out, err, ...) \
  run_admin_full (input, NULL, out, err, (const char *const[]){ __VA_ARGS__, NULL })

static void
import_ok (const char *store, const char *fixture_name, guint expected)
{
  g_autofree char *path = fixture_path (fixture_name);
  g_autofree char *err = NULL;
  g_autofree char *message = g_strdup_printf ("Imported %u customers", expected);

  int status = run_admin (NULL, &err, "import", "--store", store, path);

  if (status != 0 || strstr (err, message) == NULL)
    g_error ("import %s: exit status %d, stderr “%s”", fixture_name, status, err);
}

static JsonArray *
search_json (const char *store, const char *query, char **out_text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonNode *root;

  g_assert_cmpint (run_admin (&out, &err, "search", "--store", store, "--json", query), ==, 0);
  /* No message; sanitizer builds may add their own report lines, so not empty. */
  g_assert_null (strstr (err, "agent-guard-admin:"));
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));

  if (out_text != NULL)
    *out_text = g_steal_pointer (&out);
  return json_array_ref (json_node_get_array (root));
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The ids found by @query, sorted and joined by spaces. */
static char *
search_ids (const char *store, const char *query)
{
  g_autoptr (JsonArray) results = search_json (store, query, NULL);
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (results); i++)
    g_ptr_array_add (ids, (gpointer) json_object_get_string_member (
                            json_array_get_object_element (results, i), "id"));
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);

  return g_strjoinv (" ", (char **) ids->pdata);
}

/* Every row of every ordinary table of the store, read through SQLite (so the WAL counts),
 * sorted: two equal dumps mean the same logical content. */
static char *
dump_store (const char *path)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) tables = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *dump = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                       "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
                                       -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (tables, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  sqlite3_finalize (stmt);
  g_assert_cmpuint (tables->len, >, 0);

  for (guint t = 0; t < tables->len; t++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM \"%s\"", (char *) tables->pdata[t]);

      g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          GString *row = g_string_new (tables->pdata[t]);

          for (int c = 0; c < sqlite3_column_count (stmt); c++)
            {
              const guint8 *blob = sqlite3_column_blob (stmt, c);
              int len = sqlite3_column_bytes (stmt, c);
              g_string_append_printf (row, "|%d:", sqlite3_column_type (stmt, c));
              for (int b = 0; b < len; b++)
                g_string_append_printf (row, "%02x", blob[b]);
            }
          g_ptr_array_add (rows, g_string_free (row, FALSE));
        }
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);

  g_ptr_array_sort (rows, compare_strings);
  for (guint i = 0; i < rows->len; i++)
    {
      g_string_append (dump, rows->pdata[i]);
      g_string_append_c (dump, '\n');
    }

  return g_string_free (dump, FALSE);
}

static void
test_help (void)
{
  const char *const commands[] = { "generate", "import", "search" };

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *out = NULL;

      g_assert_cmpint (run_admin (&out, NULL, commands[i], "--help"), ==, 0);
      g_assert_nonnull (strstr (out, "--store"));
    }

  /* A group's help lists its commands, and only them; without a command it is a usage
   * error that lists them too. */
  {
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;

    g_assert_cmpint (run_admin (&out, NULL, "audit", "--help"), ==, 0);
    g_assert_nonnull (strstr (out, "agent-guard-admin audit COMMAND"));
    for (gsize i = 0; i < 4; i++)
      g_assert_nonnull (strstr (out, (const char *[]){ "audit verify", "audit export",
                                                       "audit subject", "audit prune" }[i]));
    g_assert_null (strstr (out, "generate"));
    g_clear_pointer (&out, g_free);

    g_assert_cmpint (run_admin (&out, NULL, "policy", "-h"), ==, 0);
    g_assert_nonnull (strstr (out, "policy show"));
    g_assert_nonnull (strstr (out, "policy check"));
    g_assert_null (strstr (out, "audit"));

    g_assert_cmpint (run_admin (NULL, &err, "audit", NULL), ==, 2);
    g_assert_nonnull (strstr (err, "audit verify"));
    g_assert_null (strstr (err, "generate"));
  }
}

static void
test_usage (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *good = fixture_path ("import-good.csv");
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (NULL, &err, "search", "--store", fixture->store, "--bogus", "x"), ==,
                   2);
  g_assert_nonnull (strstr (err, "--bogus"));
  g_assert_cmpint (run_admin (NULL, NULL, "generate", "--store", fixture->store, "--frobnicate"),
                   ==, 2);
  g_assert_cmpint (run_admin (NULL, NULL, "import", "--store", fixture->store, "--x", good), ==, 2);
  g_assert_cmpint (run_admin (NULL, NULL, "generate", "--store", fixture->store), ==, 2);
  g_assert_cmpint (run_admin (NULL, NULL, "generate", "--store", fixture->store, "--count", "0"),
                   ==, 2);
  g_assert_cmpint (run_admin (NULL, NULL, "generate", "--store", fixture->store, "--count", "1",
                              "--seed", "minus-one"),
                   ==, 2);
  g_assert_cmpint (run_admin (NULL, NULL, "import", "--store", fixture->store), ==, 2);
  g_assert_cmpint (run_admin (NULL, NULL, "import", "--store", fixture->store, good, good), ==, 2);
  g_assert_cmpint (run_admin (NULL, NULL, "search", "--store", fixture->store), ==, 2);

  /* None of it created a store. */
  g_assert_false (g_file_test (fixture->store, G_FILE_TEST_EXISTS));
}

static void
test_io_error (void)
{
  const char *store = "/proc/agent-guard-nowhere/store.db";
  g_autofree char *good = fixture_path ("import-good.csv");
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (NULL, NULL, "generate", "--store", store, "--count", "1"), ==, 74);
  g_assert_cmpint (run_admin (NULL, NULL, "import", "--store", store, good), ==, 74);

  /* search never creates a store; a missing one is a failure that names it. */
  g_assert_cmpint (run_admin (NULL, &err, "search", "--store", store, "Ana"), ==, 1);
  g_assert_nonnull (strstr (err, store));
}

static void
test_generate_deterministic (Fixture *fixture, gconstpointer user_data)
{
  const char *const queries[] = { "Jo", "Maria", "Silva", "Ana", "Car" };
  g_autofree char *store_a = g_build_filename (fixture->dir, "a.db", NULL);
  g_autofree char *store_b = g_build_filename (fixture->dir, "b", "b.db", NULL);
  g_autofree char *store_c = g_build_filename (fixture->dir, "c.db", NULL);
  g_autofree char *store_d = g_build_filename (fixture->dir, "d.db", NULL);
  g_autofree char *store_e = g_build_filename (fixture->dir, "e.db", NULL);
  g_autofree char *err = NULL;
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (GMatchInfo) match = NULL;
  g_autofree char *random_seed = NULL;
  guint found = 0;
  gboolean differ = FALSE;

  g_assert_cmpint (
    run_admin (NULL, &err, "generate", "--store", store_a, "--count", "200", "--seed", "42"), ==,
    0);
  g_assert_nonnull (strstr (err, "Generated 200 customers with seed 42"));
  g_assert_cmpint (
    run_admin (NULL, NULL, "generate", "--count", "200", "--seed", "42", "--store", store_b), ==,
    0);
  g_assert_cmpint (
    run_admin (NULL, NULL, "generate", "--store", store_c, "--count", "200", "--seed", "43"), ==,
    0);

  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr (JsonArray) a = NULL;
      g_autoptr (JsonArray) b = NULL;
      g_autoptr (JsonArray) c = NULL;
      g_autofree char *text_a = NULL;
      g_autofree char *text_b = NULL;
      g_autofree char *text_c = NULL;

      a = search_json (store_a, queries[i], &text_a);
      b = search_json (store_b, queries[i], &text_b);
      c = search_json (store_c, queries[i], &text_c);
      g_assert_cmpstr (text_a, ==, text_b);
      found += json_array_get_length (a);
      differ = differ || g_strcmp0 (text_a, text_c) != 0;
    }
  /* The queries do find people, and another seed gives other people. */
  g_assert_cmpuint (found, >, 0);
  g_assert_true (differ);

  /* Without --seed the seed is printed, and gives the same customers again. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (NULL, &err, "generate", "--store", store_d, "--count", "200"), ==, 0);
  regex = g_regex_new ("Generated 200 customers with seed ([0-9]+)", 0, 0, NULL);
  g_assert_true (g_regex_match (regex, err, 0, &match));
  random_seed = g_match_info_fetch (match, 1);
  g_assert_cmpint (
    run_admin (NULL, NULL, "generate", "--store", store_e, "--count", "200", "--seed", random_seed),
    ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (queries); i++)
    {
      g_autoptr (JsonArray) a = NULL;
      g_autoptr (JsonArray) d = NULL;
      g_autofree char *text_a = NULL;
      g_autofree char *text_d = NULL;

      a = search_json (store_e, queries[i], &text_a);
      d = search_json (store_d, queries[i], &text_d);
      g_assert_cmpstr (text_a, ==, text_d);
    }

  /* The same seed twice in one store: the ids clash, nothing is added. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
    run_admin (NULL, &err, "generate", "--store", store_b, "--count", "10", "--seed", "42"), ==,
    65);
  g_assert_nonnull (strstr (err, "nothing was added"));
}

static void
test_search (Fixture *fixture, gconstpointer user_data)
{
  const struct
  {
    const char *query;
    const char *ids;
  } cases[] = {
    { "Ana", "cli-0001" },
    { "ana souza", "cli-0001" },
    { "sou", "cli-0001" },
    { "jose", "cli-0002" },
    { "JOSÉ", "cli-0002" },
    { "antonia", "json-0001" },
    { "Cláudio", "json-0002" },
    { "comercio", "cli-0003" },
    { "cli-0004", "cli-0004" },
    { "529.982.247-25", "cli-0001" },
    { "52998224725", "cli-0001" },
    { "314.159.265-90", "cli-0002" },
    { "12.345.678/0001-95", "cli-0003" },
    { "12345678000195", "cli-0003" },
    { "(11) 98765-4321", "cli-0001" },
    { "+55 11 98765-4321", "cli-0001" },
    { "11987654321", "cli-0001" },
    { "(21) 3456-7890", "cli-0003" },
    { "ANA.SOUZA@example.com", "cli-0001" },
    { "antonia.lima@example.net", "json-0001" },
    { "Zé Ninguém", "" },
    { "000.000.001-91", "" },
  };
  g_autoptr (JsonArray) results = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *customer;
  JsonObject *fields;

  import_ok (fixture->store, "import-good.csv", 4);
  import_ok (fixture->store, "import-good.json", 2);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ids = search_ids (fixture->store, cases[i].query);

      if (g_strcmp0 (ids, cases[i].ids) != 0)
        g_error ("search #%" G_GSIZE_FORMAT ": expected “%s”, found “%s”", i, cases[i].ids, ids);
    }

  /* --json: masked values only, keyed by kind, the name not repeated. */
  results = search_json (fixture->store, "52998224725", NULL);
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  customer = json_array_get_object_element (results, 0);
  g_assert_cmpstr (json_object_get_string_member (customer, "id"), ==, "cli-0001");
  g_assert_cmpstr (json_object_get_string_member (customer, "name"), ==, "Ana Souza");
  fields = json_object_get_object_member (customer, "fields");
  g_assert_nonnull (fields);
  g_assert_cmpstr (json_object_get_string_member (fields, "cpf"), ==, "***.982.247-**");
  g_assert_cmpstr (json_object_get_string_member (fields, "phone"), ==, "(**) *****-4321");
  g_assert_cmpstr (json_object_get_string_member (fields, "email"), ==, "a***@example.com");
  g_assert_cmpstr (json_object_get_string_member (fields, "card_number"), ==,
                   "**** **** **** 1111");
  g_assert_false (json_object_has_member (fields, "name"));
  g_assert_false (json_object_has_member (fields, "cnpj"));
  g_assert_false (json_object_has_member (fields, "pix_key"));
  g_assert_cmpuint (json_object_get_size (fields), ==, 9);
  g_clear_pointer (&results, json_array_unref);

  /* Text output: id and name, then one masked line per field. */
  g_assert_cmpint (run_admin (&out, &err, "search", "--store", fixture->store, "Ana Souza"), ==, 0);
  g_assert_true (g_str_has_prefix (out, "cli-0001  Ana Souza\n"));
  g_assert_nonnull (strstr (out, "\n  CPF: ***.982.247-**\n"));
  /* No message; sanitizer builds may add their own report lines, so not empty. */
  g_assert_null (strstr (err, "agent-guard-admin:"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Nobody found is not an error. */
  g_assert_cmpint (run_admin (&out, &err, "search", "--store", fixture->store, "Zé Ninguém"), ==,
                   0);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "No customers found."));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (&out, NULL, "search", "--store", fixture->store, "--json", "Zé"), ==,
                   0);
  g_assert_cmpstr (out, ==, "[]\n");
}

/* The ids `search --json` finds with its query given by @how ("-" or "--query-file") and
 * @input (stdin or the file's contents); asserts exit 0 and no message. */
static char *
search_ids_from (Fixture *fixture, const char *how, const char *input)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) ids = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "query.txt", NULL);
  JsonArray *results;
  int status;

  if (g_str_equal (how, "-"))
    {
      status
        = run_admin_input (input, &out, &err, "search", "--store", fixture->store, "--json", "-");
    }
  else
    {
      g_file_set_contents (path, input, -1, &error);
      g_assert_no_error (error);
      status = run_admin (&out, &err, "search", "--store", fixture->store, "--json", "--query-file",
                          path);
    }
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (err, "agent-guard-admin:"));

  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  results = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (results); i++)
    g_ptr_array_add (ids, (gpointer) json_object_get_string_member (
                            json_array_get_object_element (results, i), "id"));
  g_ptr_array_sort (ids, compare_strings);
  g_ptr_array_add (ids, NULL);
  return g_strjoinv (" ", (char **) ids->pdata);
}

static void
test_search_query_stdin (Fixture *fixture, gconstpointer user_data)
{
  const struct
  {
    const char *input;
    const char *ids;
  } cases[] = {
    { "529.982.247-25\n", "cli-0001" },
    { "52998224725", "cli-0001" },         /* no newline at the end */
    { "52998224725\r\n", "cli-0001" },     /* typed on Windows */
    { "52998224725\nJosé\n", "cli-0001" }, /* only the first line */
    { "ana souza\n", "cli-0001" },         /* spaces need no quoting */
    { "Zé Ninguém\n", "" },
  };
  g_autofree char *long_query = g_strnfill (1100, 'a');
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *by_argument = NULL;
  g_autofree char *by_stdin = NULL;

  import_ok (fixture->store, "import-good.csv", 4);
  import_ok (fixture->store, "import-good.json", 2);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *ids = search_ids_from (fixture, "-", cases[i].input);

      if (g_strcmp0 (ids, cases[i].ids) != 0)
        g_error ("search - #%" G_GSIZE_FORMAT ": expected “%s”, found “%s”", i, cases[i].ids, ids);
    }

  /* The text output is the same as with the query as an argument. */
  g_assert_cmpint (run_admin (&by_argument, NULL, "search", "--store", fixture->store, "Ana Souza"),
                   ==, 0);
  g_assert_cmpint (
    run_admin_input ("Ana Souza\n", &by_stdin, NULL, "search", "--store", fixture->store, "-"), ==,
    0);
  g_assert_cmpstr (by_stdin, ==, by_argument);
  g_assert_true (g_str_has_prefix (by_stdin, "cli-0001  Ana Souza\n"));

  /* Nothing, an empty line or a line too long to be a query: usage errors. */
  g_assert_cmpint (run_admin_input ("", &out, &err, "search", "--store", fixture->store, "-"), ==,
                   2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "the query read from standard input is empty"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin_input ("\n", NULL, &err, "search", "--store", fixture->store, "-"), ==,
                   2);
  g_assert_nonnull (strstr (err, "empty"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
    run_admin_input (long_query, NULL, &err, "search", "--store", fixture->store, "-"), ==, 2);
  g_assert_nonnull (strstr (err, "longer than 1023 characters"));
  g_clear_pointer (&err, g_free);

  /* Two queries, or none and no terminal to ask on. */
  g_assert_cmpint (
    run_admin_input ("Ana\n", NULL, &err, "search", "--store", fixture->store, "Ana", "-"), ==, 2);
  g_assert_nonnull (strstr (err, "give either a QUERY or “-”, not both"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin_input ("Ana\n", NULL, &err, "search", "--store", fixture->store), ==,
                   2);
  g_assert_nonnull (strstr (err, "missing QUERY"));
  g_assert_nonnull (strstr (err, "--query-file"));
}

static void
test_search_query_file (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "query.txt", NULL);
  g_autofree char *missing = g_build_filename (fixture->dir, "no-such-query.txt", NULL);
  g_autofree char *ids = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *where = NULL;

  import_ok (fixture->store, "import-good.csv", 4);

  g_assert_cmpstr ((ids = search_ids_from (fixture, "--query-file", "529.982.247-25\n")), ==,
                   "cli-0001");
  g_clear_pointer (&ids, g_free);
  g_assert_cmpstr ((ids = search_ids_from (fixture, "--query-file", "jose\n52998224725\n")), ==,
                   "cli-0002");

  /* A file that cannot be read: an I/O error naming it. */
  g_assert_cmpint (
    run_admin (&out, &err, "search", "--store", fixture->store, "--query-file", missing), ==, 74);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, missing));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
    run_admin (NULL, &err, "search", "--store", fixture->store, "--query-file", fixture->dir), ==,
    74);
  g_assert_nonnull (strstr (err, fixture->dir));
  g_assert_nonnull (strstr (err, "cannot read"));
  g_clear_pointer (&err, g_free);

  /* An empty file or first line: bad input data, naming the file and line. */
  where = g_strdup_printf ("%s:1: the query is empty", path);
  g_assert_true (g_file_set_contents (path, "", 0, NULL));
  g_assert_cmpint (
    run_admin (NULL, &err, "search", "--store", fixture->store, "--query-file", path), ==, 65);
  g_assert_nonnull (strstr (err, where));
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_set_contents (path, "\nAna\n", -1, NULL));
  g_assert_cmpint (
    run_admin (NULL, &err, "search", "--store", fixture->store, "--query-file", path), ==, 65);
  g_assert_nonnull (strstr (err, where));
  g_clear_pointer (&err, g_free);

  /* With a QUERY or "-" as well: a usage error, and the file is not even read. */
  g_assert_cmpint (
    run_admin (NULL, &err, "search", "--store", fixture->store, "--query-file", missing, "Ana"), ==,
    2);
  g_assert_nonnull (strstr (err, "give either a QUERY or --query-file FILE, not both"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin_input ("Ana\n", NULL, &err, "search", "--store", fixture->store,
                                    "--query-file", missing, "-"),
                   ==, 2);
  g_assert_nonnull (strstr (err, "give either “-” or --query-file FILE, not both"));
}

/* Debug messages go to stderr, never beside the output on stdout. */
static void
test_log_to_stderr (Fixture *fixture, gconstpointer user_data)
{
  const char *const debug_all[] = { "G_MESSAGES_DEBUG", "all", NULL };
  const char *const debug_admin[] = { "G_MESSAGES_DEBUG", "ag-admin", NULL };
  g_autofree char *quiet_out = NULL;
  g_autofree char *quiet_err = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  import_ok (fixture->store, "import-good.csv", 4);

  /* Without G_MESSAGES_DEBUG: the output and no debug message at all. */
  g_assert_cmpint (
    run_admin (&quiet_out, &quiet_err, "search", "--store", fixture->store, "--json", "Ana"), ==,
    0);
  g_assert_null (strstr (quiet_err, "-DEBUG"));

  /* With every domain's debug messages on (the store's own and GIO's among them), stdout is
   * the same JSON, byte for byte, and the messages are on stderr. */
  g_assert_cmpint (run_admin_full (NULL, debug_all, &out, &err,
                                   (const char *const[]){ "search", "--store", fixture->store,
                                                          "--json", "Ana", NULL }),
                   ==, 0);
  g_assert_cmpstr (out, ==, quiet_out);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (err, "ag-admin-DEBUG"));
  g_assert_nonnull (strstr (err, "Opened the store"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The text output too; and G_MESSAGES_DEBUG still picks the domains. */
  g_clear_pointer (&quiet_out, g_free);
  g_assert_cmpint (run_admin (&quiet_out, NULL, "search", "--store", fixture->store, "Ana"), ==, 0);
  g_assert_cmpint (
    run_admin_full (NULL, debug_admin, &out, &err,
                    (const char *const[]){ "search", "--store", fixture->store, "Ana", NULL }),
    ==, 0);
  g_assert_cmpstr (out, ==, quiet_out);
  g_assert_nonnull (strstr (err, "ag-admin-DEBUG"));
  g_assert_null (strstr (err, "GLib-GIO-DEBUG"));
}

typedef struct
{
  const char *fixture;
  const char *where; /* what follows the path in the message, e.g. ":3: cpf:" */
} BadImport;

static const BadImport bad_imports[] = {
  { "bad-unknown-column.csv", ":1: unknown column “telefone”" },
  { "bad-check-digits.csv", ":3: cpf: invalid check digits" },
  { "bad-date.csv", ":4: birth_date: invalid date" },
  { "bad-duplicate-id.csv", ":4: duplicate id (first seen on line 2)" },
  { "bad-quoting.csv", ":3: quote inside an unquoted field" },
  { "bad-unterminated.csv", ":3: unterminated quoted field" },
  { "bad-utf8.csv", ":3: invalid UTF-8" },
  { "bad-field-count.csv", ":3: expected 3 fields, found 2" },
  { "bad-syntax.json", ":3: JSON syntax error" },
  { "bad-number.json", ":3: cpf: expected a string" },
  { "bad-unknown-key.json", ":3: unknown key “telefone”" },
  { "bad-check-digits.json", ":3: cnpj: invalid check digits" },
  { "bad-type.txt", ": unknown file type" },
  { "dup-in-store.csv", ":4: id already in the store" },
};

static void
test_import_bad (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *before = NULL;
  g_autofree char *search_before = NULL;
  g_autoptr (JsonArray) results = NULL;

  import_ok (fixture->store, "import-good.csv", 4);
  before = dump_store (fixture->store);
  results = search_json (fixture->store, "a", &search_before);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_imports); i++)
    {
      g_autofree char *path = fixture_path (bad_imports[i].fixture);
      g_autofree char *expected = g_strconcat (path, bad_imports[i].where, NULL);
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      g_autofree char *after = NULL;
      g_autofree char *search_after = NULL;
      g_autoptr (JsonArray) after_results = NULL;
      g_autofree char *new_ids = NULL;

      g_test_message ("importing %s", bad_imports[i].fixture);
      g_assert_cmpint (run_admin (&out, &err, "import", "--store", fixture->store, path), ==, 65);
      if (strstr (err, expected) == NULL)
        g_error ("expected “%s” in “%s”", expected, err);
      g_assert_cmpstr (out, ==, "");

      /* Exactly as it was: same rows in every table, same search results, and none of the
       * good rows before the bad one. */
      after = dump_store (fixture->store);
      g_assert_true (g_str_equal (before, after));
      after_results = search_json (fixture->store, "a", &search_after);
      g_assert_cmpstr (search_before, ==, search_after);
      new_ids = search_ids (fixture->store, "new-0001");
      g_assert_cmpstr (new_ids, ==, "");
    }
}

static void
test_import_bad_fresh_store (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = fixture_path ("bad-check-digits.csv");

  /* The file is checked before the store is opened: no store appears. */
  g_assert_cmpint (run_admin (NULL, NULL, "import", "--store", fixture->store, path), ==, 65);
  g_assert_false (g_file_test (fixture->store, G_FILE_TEST_EXISTS));
}

static void
test_import_missing_file (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "missing.csv", NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (NULL, &err, "import", "--store", fixture->store, path), ==, 74);
  g_assert_nonnull (strstr (err, path));
}

/* Runs agent-guard-admin with its stderr on a pseudo-terminal; returns what it wrote there. */
static char *
run_admin_on_terminal (const char *const *args, int *status)
{
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) output = g_string_new (NULL);
  int master = -1;
  int slave = -1;
  char buffer[4096];
  ssize_t n;

  g_assert_cmpint (openpty (&master, &slave, NULL, NULL, NULL), ==, 0);

  g_ptr_array_add (argv, (gpointer) g_getenv ("AG_ADMIN"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* Drop our copy of the terminal's slave side, so reading ends when the child exits. */
  g_clear_object (&launcher);

  while ((n = read (master, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR))
    if (n > 0)
      g_string_append_len (output, buffer, n);
  close (master);

  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  *status = g_subprocess_get_exit_status (process);

  return g_string_free (g_steal_pointer (&output), FALSE);
}

static void
test_progress (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *csv = fixture_path ("import-good.csv");
  g_autofree char *terminal = NULL;
  g_autofree char *piped = NULL;
  int status;

  /* On a terminal, generate and import draw a progress bar that reaches the end. */
  terminal
    = run_admin_on_terminal ((const char *const[]){ "generate", "--store", fixture->store,
                                                    "--count", "3000", "--seed", "11", NULL },
                             &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (terminal, "\r["));
  g_assert_nonnull (strstr (terminal, "100% 3000/3000"));
  assert_no_clear_value (terminal);
  g_clear_pointer (&terminal, g_free);

  terminal = run_admin_on_terminal (
    (const char *const[]){ "import", "--store", fixture->store, csv, NULL }, &status);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (terminal, "100%"));
  assert_no_clear_value (terminal);

  /* Into a pipe (a script, a log file), no bar: only the closing line. */
  status = run_admin (NULL, &piped, "generate", "--store", fixture->store, "--count", "3000",
                      "--seed", "12");
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strchr (piped, '\r'));
  g_assert_null (strstr (piped, "%"));
}

/* Reads what the terminal's @master side shows until it holds @until (or, with NULL,
 * until nothing more comes for a while), into @output. */
static void
read_terminal (int master, GString *output, const char *until)
{
  while (until == NULL || strstr (output->str, until) == NULL)
    {
      struct pollfd pfd = { .fd = master, .events = POLLIN };
      char buffer[1024];
      ssize_t n;
      int ready = poll (&pfd, 1, until != NULL ? 20000 : 200);

      if (ready < 0 && errno == EINTR)
        continue;
      if (ready == 0 && until == NULL)
        return;
      if (ready <= 0)
        g_error ("the terminal did not show “%s”; it showed “%s”", until, output->str);
      n = read (master, buffer, sizeof buffer);
      if (n <= 0)
        return;
      g_string_append_len (output, buffer, n);
    }
}

static void
test_search_query_terminal (Fixture *fixture, gconstpointer user_data)
{
  const char *const how[] = { NULL, "-" };

  import_ok (fixture->store, "import-good.csv", 4);

  /* With no QUERY, or "-", and a terminal on stdin: asked on the terminal, typed unseen. */
  for (gsize h = 0; h < G_N_ELEMENTS (how); h++)
    {
      g_autoptr (GSubprocessLauncher) launcher = NULL;
      g_autoptr (GSubprocess) process = NULL;
      g_autoptr (GInputStream) stdout_pipe = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GString) shown = g_string_new (NULL);
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autofree char *out = NULL;
      struct termios after;
      const char *typed = "529.982.247-25\n";
      int master = -1;
      int slave = -1;

      g_assert_cmpint (openpty (&master, &slave, NULL, NULL, NULL), ==, 0);
      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_subprocess_launcher_take_stdin_fd (launcher, dup (slave));
      g_subprocess_launcher_take_stderr_fd (launcher, dup (slave));
      process = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("AG_ADMIN"), "search",
                                             "--store", fixture->store, "--json", how[h], NULL);
      g_assert_no_error (error);
      g_clear_object (&launcher);

      /* Typed only once the prompt shows: echo is off from before it. */
      read_terminal (master, shown, "Search: ");
      g_assert_cmpint (write (master, typed, strlen (typed)), ==, (gssize) strlen (typed));
      g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (process));
      g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
      read_terminal (master, shown, NULL);

      json_parser_load_from_data (parser, out, -1, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (
        json_object_get_string_member (
          json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0),
          "id"),
        ==, "cli-0001");
      /* The terminal never showed what was typed, and echoes again afterwards. */
      g_assert_null (strstr (shown->str, "529"));
      assert_no_clear_value (shown->str);
      g_assert_cmpint (tcgetattr (slave, &after), ==, 0);
      g_assert_true (after.c_lflag & ECHO);

      close (slave);
      close (master);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/admin/help", test_help);
  g_test_add ("/admin/usage", Fixture, NULL, fixture_set_up, test_usage, fixture_tear_down);
  g_test_add_func ("/admin/io-error", test_io_error);
  g_test_add ("/admin/generate/deterministic", Fixture, NULL, fixture_set_up,
              test_generate_deterministic, fixture_tear_down);
  g_test_add ("/admin/search", Fixture, NULL, fixture_set_up, test_search, fixture_tear_down);
  g_test_add ("/admin/log-to-stderr", Fixture, NULL, fixture_set_up, test_log_to_stderr,
              fixture_tear_down);
  g_test_add ("/admin/search/query-stdin", Fixture, NULL, fixture_set_up, test_search_query_stdin,
              fixture_tear_down);
  g_test_add ("/admin/search/query-file", Fixture, NULL, fixture_set_up, test_search_query_file,
              fixture_tear_down);
  g_test_add ("/admin/search/query-terminal", Fixture, NULL, fixture_set_up,
              test_search_query_terminal, fixture_tear_down);
  g_test_add ("/admin/progress", Fixture, NULL, fixture_set_up, test_progress, fixture_tear_down);
  g_test_add ("/admin/import/bad", Fixture, NULL, fixture_set_up, test_import_bad,
              fixture_tear_down);
  g_test_add ("/admin/import/bad-fresh-store", Fixture, NULL, fixture_set_up,
              test_import_bad_fresh_store, fixture_tear_down);
  g_test_add ("/admin/import/missing-file", Fixture, NULL, fixture_set_up, test_import_missing_file,
              fixture_tear_down);

  return g_test_run ();
}
