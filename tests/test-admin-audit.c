/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Runs `agent-guard-admin audit verify|export|subject` ($AG_ADMIN) under
 * tests/run-test.sh --keyring against a store whose ledger this test fills with
 * synthetic reveals through the store's API. Every value is synthetic.
 */

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <sqlite3.h>

#include "ag-keyring.h"
#include "ag-sqlite-store.h"
#include "ag-synth.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

#define N_CUSTOMERS 20
/* 2025-03-10T10:00:00Z: long before the export entries the commands add themselves. */
#define DAY0_US ((gint64) 1741600800 * G_USEC_PER_SEC)
#define DAY_US  ((gint64) 24 * 60 * 60 * G_USEC_PER_SEC)
/* What `audit verify` adds when no journal holds a copy of the ledger. */
#define NO_JOURNAL_LINE                                                                       \
  "No journal copy of this ledger was found to compare with (no systemd journal here, or it " \
  "holds none of this store's entries): only the record in the Secret Service was compared.\n"
#define JOURNAL_REMOTE "/lib/systemd/systemd-journal-remote"

typedef struct
{
  char *dir;
  char *store;
  char *policy_dir;  /* AG_POLICY_SYSTEM_DIR of every command run */
  GPtrArray *values; /* every clear value of the customers, to look for in output */
  char *ids[N_CUSTOMERS];
} Fixture;

typedef struct
{
  AgSynth *synth;
  guint remaining;
  Fixture *fixture;
} Source;

static gboolean
source_cb (AgCustomerData *out, gpointer user_data, GError **error)
{
  Source *source = user_data;
  guint index = N_CUSTOMERS - source->remaining;

  if (source->remaining == 0)
    return FALSE;
  source->remaining--;
  ag_synth_next (source->synth, out);
  source->fixture->ids[index] = g_strdup (out->id);
  for (guint k = 0; k < AG_PII_N_KINDS; k++)
    if (out->values[k] != NULL && strlen (out->values[k]) >= 6)
      g_ptr_array_add (source->fixture->values, g_strdup (out->values[k]));
  return TRUE;
}

static void
append (AgSqliteStore *store, AgLedgerEvent event, const char *user, gint64 time_us,
        const char *record, int field, const char *reason, const char *ticket, const char *cause)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (event);
  g_autoptr (GError) error = NULL;

  entry->time_us = time_us;
  entry->user = g_strdup (user);
  entry->host = g_strdup ("ws-07");
  entry->session_id = g_strdup_printf ("session-%s", user);
  entry->record_id = g_strdup (record);
  entry->field_kind = field;
  entry->reason = g_strdup (reason);
  entry->ticket = g_strdup (ticket);
  entry->policy_version = g_strdup ("v1");
  entry->cause = g_strdup (cause);
  g_assert_true (ag_sqlite_store_append_event (store, entry, &error));
  g_assert_no_error (error);
}

/* Entries 1-7: ana and bruno on three days. */
static void
fixture_set_up (Fixture *f, gconstpointer user_data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  Source source = { ag_synth_new (99), N_CUSTOMERS, f };
  const char *a, *b;

  f->dir = g_dir_make_tmp ("ag-admin-audit-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->store = g_build_filename (f->dir, "store.db", NULL);
  /* The commands read the policy from here, never from the machine's /etc. */
  f->policy_dir = g_build_filename (f->dir, "policy", NULL);
  g_assert_cmpint (g_mkdir (f->policy_dir, 0755), ==, 0);
  f->values = g_ptr_array_new_with_free_func (g_free);

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_CREATE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (
    ag_store_import (AG_STORE (store), source_cb, &source, N_CUSTOMERS, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_object_unref (source.synth);

  a = f->ids[3];
  b = f->ids[7];
  append (store, AG_LEDGER_EVENT_LOGIN, "ana", DAY0_US, NULL, -1, NULL, NULL, NULL);
  append (store, AG_LEDGER_EVENT_REVEAL, "ana", DAY0_US + 60 * G_USEC_PER_SEC, a, AG_PII_KIND_CPF,
          "identity-check", "T-1, \"urgent\"", NULL);
  append (store, AG_LEDGER_EVENT_REMASK, "ana", DAY0_US + 80 * G_USEC_PER_SEC, a, AG_PII_KIND_CPF,
          NULL, NULL, "expired");
  append (store, AG_LEDGER_EVENT_REVEAL, "bruno", DAY0_US + DAY_US, b, AG_PII_KIND_PHONE,
          "callback", NULL, NULL);
  append (store, AG_LEDGER_EVENT_REVEAL_DENIED, "bruno", DAY0_US + DAY_US + 1, a,
          AG_PII_KIND_CARD_NUMBER, "payment", NULL, "step-up-failed");
  append (store, AG_LEDGER_EVENT_REVEAL, "ana", DAY0_US + 2 * DAY_US, a, AG_PII_KIND_EMAIL,
          "identity-check", "T-2", NULL);
  append (store, AG_LEDGER_EVENT_LOCK, "ana", DAY0_US + 2 * DAY_US + 1, NULL, -1, NULL, NULL,
          "idle");
}

static void
fixture_tear_down (Fixture *f, gconstpointer user_data)
{
  ag_test_remove_tree (f->dir);
  g_free (f->store);
  g_free (f->policy_dir);
  g_free (f->dir);
  g_ptr_array_unref (f->values);
  for (guint i = 0; i < N_CUSTOMERS; i++)
    g_free (f->ids[i]);
}

/* Runs agent-guard-admin; checks no customer value is in its output. */
static int
run_admin_v (Fixture *f, char **out, char **err, const char *const *args)
{
  g_autofree char *no_supervisors = g_build_filename (f->dir, "no-supervisors", NULL);
  const char *const env[]
    = { "AG_POLICY_SYSTEM_DIR", f->policy_dir, "AG_POLICY_SUPERVISOR_DIR", no_supervisors, NULL };
  AgTestAdminRun run = { NULL, env, f->values, FALSE };

  return ag_test_run_admin (&run, out, err, args);
}

#define run_admin(f, out, err, ...) \
  run_admin_v (f, out, err, (const char *const[]){ __VA_ARGS__, NULL })

static void
tamper (Fixture *f, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (f->store, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; *p; p++)
    n += *p == '\n';
  return n;
}

static void
test_verify_intact (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (f, &out, &err, "audit", "verify", "--store", f->store), ==, 0);
  g_assert_cmpstr (out, ==, "The audit ledger is intact: 7 entries.\n" NO_JOURNAL_LINE);
  g_assert_null (strstr (err, "agent-guard-admin:"));
}

static void
assert_verify_names (Fixture *f, const char *seq)
{
  g_autofree char *out = NULL;
  g_autofree char *expected = g_strdup_printf (
    "The audit ledger was altered: entry %s is the first that does not verify.\n", seq);

  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "verify", "--store", f->store), ==, 1);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_verify_changed (Fixture *f, gconstpointer data)
{
  /* Entry 4's reason, "callback", becomes another of the same length. */
  tamper (f, "DROP TRIGGER ledger_no_update; UPDATE ledger SET entry = replace (entry,"
             " CAST ('callback' AS BLOB), CAST ('audit-xx' AS BLOB)) WHERE seq = 4");
  assert_verify_names (f, "4");
}

static void
test_verify_removed (Fixture *f, gconstpointer data)
{
  tamper (f, "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq = 3");
  assert_verify_names (f, "3");
}

static void
test_verify_reordered (Fixture *f, gconstpointer data)
{
  tamper (f, "DROP TRIGGER ledger_no_update;"
             "UPDATE ledger SET seq = -2 WHERE seq = 2; UPDATE ledger SET seq = 2 WHERE seq = 5;"
             "UPDATE ledger SET seq = 5 WHERE seq = -2;");
  assert_verify_names (f, "2");
}

static void
test_verify_inserted (Fixture *f, gconstpointer data)
{
  tamper (
    f, "DROP TRIGGER ledger_no_update;"
       "UPDATE ledger SET seq = -seq WHERE seq >= 6; UPDATE ledger SET seq = 1 - seq WHERE seq < 0;"
       "INSERT INTO ledger SELECT 6, time, user, event, record, entry,"
       " substr (seal, 33, 32) || randomblob (64) FROM ledger WHERE seq = 5");
  assert_verify_names (f, "6");
}

static void
test_export_csv (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpint (run_admin (f, &out, &err, "audit", "export", "--store", f->store), ==, 0);
  lines = g_strsplit (out, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==,
                   "seq,time,user,host,session,mode,event,record,field,reason,ticket,"
                   "policy_version,cause,prev_hash,hash,mac");
  /* Header, 7 entries, the export's own entry, and the empty tail after the last CRLF. */
  g_assert_cmpuint (g_strv_length (lines), ==, 10);
  g_assert_true (g_str_has_prefix (lines[1], "1,2025-03-10T10:00:00.000000Z,ana,ws-07,"
                                             "session-ana,live,login,,,,,v1,,"));
  /* RFC 4180: the ticket with a comma and quotes is quoted, its quotes doubled. */
  g_assert_nonnull (strstr (lines[2], ",reveal,"));
  g_assert_nonnull (strstr (lines[2], ",cpf,identity-check,\"T-1, \"\"urgent\"\"\",v1,,"));
  g_assert_nonnull (strstr (lines[8], ",export,"));
  g_assert_nonnull (strstr (lines[8], ",audit-export,"));
  g_assert_cmpstr (lines[9], ==, "");
}

static guint
export_count (Fixture *f, const char *format, const char *option, const char *value,
              const char *option2, const char *value2)
{
  g_autofree char *out = NULL;
  const char *args[16] = { "audit", "export", "--store", f->store, "--format", format };
  guint n = 6;

  args[n++] = option;
  args[n++] = value;
  if (option2 != NULL)
    {
      args[n++] = option2;
      args[n++] = value2;
    }
  args[n] = NULL;
  g_assert_cmpint (run_admin_v (f, &out, NULL, args), ==, 0);
  return count_lines (out) - (g_str_equal (format, "csv") ? 1 : 0);
}

static void
test_export_filters (Fixture *f, gconstpointer data)
{
  g_autofree char *id = g_strdup (f->ids[3]);

  g_assert_cmpuint (export_count (f, "csv", "--user", "bruno", NULL, NULL), ==, 2);
  g_assert_cmpuint (export_count (f, "csv", "--user", "ana", NULL, NULL), ==, 5);
  /* Four entries, and this export's own, which names the record it was filtered on. */
  g_assert_cmpuint (export_count (f, "csv", "--record", id, NULL, NULL), ==, 5);
  g_assert_cmpuint (export_count (f, "jsonl", "--record", id, "--user", "ana"), ==, 3);
  /* A date alone: --since from its midnight, --until to the end of that day. */
  g_assert_cmpuint (export_count (f, "csv", "--since", "2025-03-11", "--until", "2025-03-11"), ==,
                    2);
  g_assert_cmpuint (export_count (f, "jsonl", "--until", "2025-03-10", NULL, NULL), ==, 3);
  g_assert_cmpuint (
    export_count (f, "csv", "--since", "2025-03-10T10:00:30Z", "--until", "2025-03-12T10:00:00Z"),
    ==, 4);
  g_assert_cmpuint (
    export_count (f, "csv", "--since", "2025-03-12T07:00:00-03:00", "--until", "2025-03-13"), ==,
    2);
}

static void
test_export_jsonl (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "export", "--format", "jsonl", "--user",
                              "bruno", "--store", f->store),
                   ==, 0);
  lines = g_strsplit (out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      JsonObject *object;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      object = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpstr (json_object_get_string_member (object, "user"), ==, "bruno");
      g_assert_cmpint (json_object_get_int_member (object, "seq"), ==, 4 + i);
      g_assert_cmpstr (json_object_get_string_member (object, "event"), ==,
                       i == 0 ? "reveal" : "reveal-denied");
      g_assert_cmpstr (json_object_get_string_member (object, "field"), ==,
                       i == 0 ? "phone" : "card_number");
      g_assert_true (json_object_get_null_member (object, "ticket"));
      g_assert_cmpuint (strlen (json_object_get_string_member (object, "hash")), ==, 64);
    }
}

static void
test_export_usage (Fixture *f, gconstpointer data)
{
  g_autofree char *err = NULL;

  g_assert_cmpint (
    run_admin (f, NULL, &err, "audit", "export", "--format", "xml", "--store", f->store), ==, 2);
  g_assert_nonnull (strstr (err, "--format"));
  g_assert_cmpint (
    run_admin (f, NULL, NULL, "audit", "export", "--since", "yesterday", "--store", f->store), ==,
    2);
  g_assert_cmpint (
    run_admin (f, NULL, NULL, "audit", "export", "--until", "2025-02-30", "--store", f->store), ==,
    2);
  g_assert_cmpint (run_admin (f, NULL, NULL, "audit", "verify", "extra", "--store", f->store), ==,
                   2);
  g_assert_cmpint (run_admin (f, NULL, NULL, "audit", "subject", "--store", f->store), ==, 2);
  /* Nothing was ledgered by the refused commands. */
  test_verify_intact (f, NULL);
}

static void
test_io_error (Fixture *f, gconstpointer data)
{
  g_autofree char *not_a_store = g_build_filename (f->dir, "folder.db", NULL);
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir (not_a_store, 0700), ==, 0);
  g_assert_cmpint (run_admin (f, NULL, &err, "audit", "verify", "--store", not_a_store), ==, 74);
  g_assert_nonnull (strstr (err, "folder.db"));
}

static void
test_subject (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *title
    = g_strdup_printf ("Customer %s: 4 recorded accesses to their data.\n\n", f->ids[3]);
  g_auto (GStrv) lines = NULL;

  g_assert_cmpint (run_admin (f, &out, &err, "audit", "subject", f->ids[3], "--store", f->store),
                   ==, 0);
  g_assert_true (g_str_has_prefix (out, title));
  lines = g_strsplit (out + strlen (title), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_true (g_str_has_prefix (lines[0], "When (UTC)"));
  g_assert_nonnull (strstr (lines[0], "Why"));
  g_assert_true (g_str_has_prefix (lines[1], "2025-03-10 10:01:00  ana"));
  g_assert_nonnull (strstr (lines[1], "CPF"));
  g_assert_nonnull (strstr (lines[1], "Revealed"));
  g_assert_nonnull (strstr (lines[1], "identity-check (T-1, \"urgent\")"));
  g_assert_nonnull (strstr (lines[2], "Hidden again"));
  g_assert_nonnull (strstr (lines[3], "bruno"));
  g_assert_nonnull (strstr (lines[3], "Reveal denied"));
  g_assert_nonnull (strstr (lines[3], "payment; step-up-failed"));
  g_assert_nonnull (strstr (lines[4], "identity-check (T-2)"));
  g_assert_cmpstr (lines[5], ==, "");

  /* The subject's request was ledgered, and the chain still verifies. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "verify", "--store", f->store), ==, 0);
  g_assert_cmpstr (out, ==, "The audit ledger is intact: 8 entries.\n" NO_JOURNAL_LINE);
}

static void
test_subject_json (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  JsonObject *root;
  JsonArray *accesses;

  g_assert_cmpint (
    run_admin (f, &out, NULL, "audit", "subject", "--json", f->ids[7], "--store", f->store), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (root, "record"), ==, f->ids[7]);
  accesses = json_object_get_array_member (root, "accesses");
  g_assert_cmpuint (json_array_get_length (accesses), ==, 1);
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (accesses, 0), "user"), ==,
    "bruno");
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (accesses, 0), "reason"), ==,
    "callback");

  /* A customer nobody looked at. */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "subject", f->ids[0], "--store", f->store),
                   ==, 0);
  g_assert_nonnull (strstr (out, "0 recorded accesses"));
}

/* A copy to the clipboard is an access like a reveal: the subject's answer and the
 * export both list it, with the seconds after which it was cleared. */
static void
test_subject_copy (Fixture *f, gconstpointer data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  const char *line = NULL;

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  append (store, AG_LEDGER_EVENT_COPY, "ana", DAY0_US + 70 * G_USEC_PER_SEC, f->ids[3],
          AG_PII_KIND_CPF, NULL, NULL, "clear-after:30");
  g_clear_object (&store);

  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "subject", f->ids[3], "--store", f->store),
                   ==, 0);
  g_assert_nonnull (strstr (out, "5 recorded accesses"));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "Copied") != NULL)
      line = lines[i];
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "2025-03-10 10:01:10  ana"));
  g_assert_nonnull (strstr (line, "CPF"));
  g_assert_nonnull (strstr (line, "clear-after:30"));

  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "export", "--format", "jsonl", "--record",
                              f->ids[3], "--store", f->store),
                   ==, 0);
  g_assert_nonnull (strstr (out, "\"event\":\"copy\""));
  g_assert_nonnull (strstr (out, "\"cause\":\"clear-after:30\""));
}

/* Moving an access to another customer in the column SQL looks records up by neither
 * hides it silently from the first customer's answer nor adds it to the other's. */
static void
test_subject_record_column (Fixture *f, gconstpointer data)
{
  g_autofree char *update = g_strdup_printf (
    "DROP TRIGGER ledger_no_update; UPDATE ledger SET record = '%s' WHERE seq = 6", f->ids[7]);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  tamper (f, update);
  assert_verify_names (f, "6");

  g_assert_cmpint (run_admin (f, &out, &err, "audit", "subject", f->ids[3], "--store", f->store),
                   ==, 1);
  g_assert_nonnull (strstr (err, "entry 6"));
  g_assert_nonnull (strstr (err, "may be incomplete"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (
    run_admin (f, &out, &err, "audit", "subject", "--json", f->ids[7], "--store", f->store), ==, 1);
  g_assert_nonnull (strstr (err, "entry 6"));
  g_assert_null (strstr (out, "T-2"));
}

static void
test_subject_tampered (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  tamper (f, "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq = 6");
  g_assert_cmpint (run_admin (f, &out, &err, "audit", "subject", f->ids[3], "--store", f->store),
                   ==, 1);
  g_assert_nonnull (strstr (err, "entry 6"));
  g_assert_nonnull (strstr (err, "may be incomplete"));
}

static guint64
verify_count (Fixture *f)
{
  g_autofree char *out = NULL;
  guint64 n = 0;

  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "verify", "--store", f->store), ==, 0);
  g_assert_cmpint (sscanf (out, "The audit ledger is intact: %" G_GUINT64_FORMAT " entr", &n), ==,
                   1);
  return n;
}

/* The first seq an export (which ledgers itself first) lists. */
static guint64
first_exported_seq (Fixture *f)
{
  g_autofree char *out = NULL;
  guint64 seq = 0;

  g_assert_cmpint (
    run_admin (f, &out, NULL, "audit", "export", "--format", "jsonl", "--store", f->store), ==, 0);
  g_assert_cmpint (sscanf (out, "{\"seq\":%" G_GUINT64_FORMAT, &seq), ==, 1);
  return seq;
}

static void
test_prune (Fixture *f, gconstpointer data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *conf = g_build_filename (f->policy_dir, "policy.conf", NULL);
  gint64 now = g_get_real_time ();

  /* Entries 1-7 are from March 2025, long past the default 400 days; 8 is 100 days old,
   * 9 one day. */
  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  append (store, AG_LEDGER_EVENT_LOGIN, "ana", now - 100 * DAY_US, NULL, -1, NULL, NULL, NULL);
  append (store, AG_LEDGER_EVENT_REVEAL, "ana", now - DAY_US, f->ids[3], AG_PII_KIND_CPF,
          "identity-check", NULL, NULL);
  g_clear_object (&store);

  g_assert_cmpint (run_admin (f, &out, &err, "audit", "prune", "--store", f->store), ==, 0);
  g_assert_cmpstr (out, ==, "Pruned 7 entries older than 400 days.\n");
  g_assert_cmpstr (err, ==, "");
  /* Entries 8 and 9 are left, and 10 says who pruned what: a prune is audited too. */
  g_assert_cmpuint (verify_count (f), ==, 3);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (
    run_admin (f, &out, NULL, "audit", "export", "--format", "jsonl", "--store", f->store), ==, 0);
  g_assert_nonnull (strstr (out, "\"seq\":10,"));
  g_assert_nonnull (strstr (out, "\"event\":\"prune\""));
  g_assert_nonnull (strstr (out, "retention-days=400 removed=7"));
  /* What is left starts at entry 8; that export added entry 11. */
  g_assert_cmpuint (first_exported_seq (f), ==, 8);
  g_clear_pointer (&out, g_free);

  /* Nothing more to prune today (the attempt is ledgered all the same). */
  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "prune", "--store", f->store), ==, 0);
  g_assert_cmpstr (out, ==, "Pruned 0 entries older than 400 days.\n");
  g_clear_pointer (&out, g_free);

  /* A policy with a shorter retention is honoured: entry 8 goes too. */
  g_assert_true (g_file_set_contents (conf, "[policy]\nledger-retention-days=90\n", -1, NULL));
  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "prune", "--store", f->store), ==, 0);
  g_assert_cmpstr (out, ==, "Pruned 1 entry older than 90 days.\n");
  /* 9, the prune 10, the exports 11 and 12, the prunes 13 and 14. */
  g_assert_cmpuint (verify_count (f), ==, 6);
  g_assert_cmpuint (first_exported_seq (f), ==, 9);
}

static void
test_prune_refused (Fixture *f, gconstpointer data)
{
  g_autofree char *conf = g_build_filename (f->policy_dir, "policy.conf", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  /* A policy that does not load prunes nothing, and says why. */
  g_assert_true (g_file_set_contents (conf, "[policy]\nledger-retention-days=30\n", -1, NULL));
  g_assert_cmpint (run_admin (f, &out, &err, "audit", "prune", "--store", f->store), ==, 1);
  g_assert_nonnull (
    strstr (err, "policy.conf:2: ledger-retention-days: 30 is below the minimum 90"));
  g_assert_nonnull (strstr (err, "nothing was pruned"));
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpuint (verify_count (f), ==, 7);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (g_unlink (conf), ==, 0);

  /* A ledger that does not verify is not pruned: that would hide the change. */
  tamper (f, "DROP TRIGGER ledger_no_update; UPDATE ledger SET user = 'carla' WHERE seq = 2");
  g_assert_cmpint (run_admin (f, &out, &err, "audit", "prune", "--store", f->store), ==, 1);
  g_assert_cmpstr (out, ==,
                   "The audit ledger was altered: entry 2 is the first that does not verify.\n");
  g_assert_nonnull (strstr (err, "nothing was pruned"));
  assert_verify_names (f, "2");
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (f, NULL, &err, "audit", "prune", "extra", "--store", f->store), ==,
                   2);
  g_assert_nonnull (strstr (err, "too many arguments"));
}

/* The schema AgKeyring stores keys under, to remove one key behind its back. */
static const SecretSchema store_key_schema = {
  "org.agentguard.AgentGuard.StoreKey",
  SECRET_SCHEMA_NONE,
  {
    { "store-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "purpose", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

static char *
forget_ledger_key (Fixture *f)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  char *store_id;

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  store_id = g_strdup (ag_sqlite_store_get_store_id (store));
  g_assert_true (secret_password_clear_sync (&store_key_schema, NULL, &error, "store-id", store_id,
                                             "purpose", "ledger-mac", NULL));
  g_assert_no_error (error);
  return store_id;
}

/* A ledger with entries whose MAC key is gone must not start over under a new key: the
 * store still opens for searching, but nothing is ledgered (so nothing revealed). */
static void
test_store_missing_key (Fixture *f, gconstpointer data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_LOGIN);
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = forget_ledger_key (f);
  g_autofree char *err = NULL;

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ag_sqlite_store_verify_ledger (store, NULL, NULL, &error));
  g_assert_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND);
  g_clear_error (&error);
  entry->user = g_strdup ("agente");
  entry->host = g_strdup ("pa-01");
  entry->session_id = g_strdup ("s");
  g_assert_false (ag_sqlite_store_append_event (store, entry, &error));
  g_assert_error (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER);
  g_clear_object (&store);
  g_assert_cmpint (run_admin (f, NULL, &err, "audit", "verify", "--store", f->store), ==, 1);
  g_assert_nonnull (strstr (err, "agent-guard-admin:"));
}

/* A store made before the ledger gets one, with a new key, when first opened. */
static void
test_store_older_store (Fixture *f, gconstpointer data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = forget_ledger_key (f);
  g_autofree char *out = NULL;
  guint64 n = 0, bad = 0;

  /* Such a store has no ledger head recorded either. */
  tamper (f, "DROP TABLE ledger; DROP TABLE ledger_meta;"
             " DELETE FROM meta WHERE key = 'ledger-head'");
  g_assert_true (secret_password_clear_sync (&store_key_schema, NULL, &error, "store-id", store_id,
                                             "purpose", "ledger-head", NULL));
  g_assert_no_error (error);
  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ag_sqlite_store_verify_ledger (store, &n, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);
  append (store, AG_LEDGER_EVENT_LOGIN, "ana", DAY0_US, NULL, -1, NULL, NULL, NULL);
  g_clear_object (&store);

  g_assert_cmpint (run_admin (f, &out, NULL, "audit", "verify", "--store", f->store), ==, 0);
  g_assert_cmpstr (out, ==, "The audit ledger is intact: 1 entry.\n" NO_JOURNAL_LINE);
}

/* Rollback: the record in the Secret Service, and the journal copy */

/* The store's entries, as the store holds them now. */
static GPtrArray *
store_entries (Fixture *f, char **store_id)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (
    ag_sqlite_store_foreach_event (store, NULL, ag_test_collect_entry_cb, entries, &error));
  g_assert_no_error (error);
  if (store_id != NULL)
    *store_id = g_strdup (ag_sqlite_store_get_store_id (store));
  return entries;
}

/* Writes @entries as the journal would hold their copies (ag_ledger_mirror()'s fields) into
 * a real journal file in a new directory, with systemd-journal-remote, and returns it. */
static char *
write_journal (Fixture *f, const char *store_id, GPtrArray *entries)
{
  g_autoptr (GString) export = g_string_new (NULL);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GBytes) input = NULL;
  g_autoptr (GError) error = NULL;
  char *dir = g_build_filename (f->dir, "journal", NULL);
  g_autofree char *file = g_build_filename (dir, "remote-ledger.journal", NULL);

  g_assert_true (g_file_test (JOURNAL_REMOTE, G_FILE_TEST_IS_EXECUTABLE));
  ag_test_remove_tree (dir);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (guint i = 0; i < entries->len; i++)
    {
      const AgLedgerEntry *entry = entries->pdata[i];
      char hash[AG_LEDGER_HASH_BYTES * 2 + 1];

      for (guint b = 0; b < AG_LEDGER_HASH_BYTES; b++)
        g_snprintf (hash + 2 * b, 3, "%02x", entry->hash[b]);
      g_string_append_printf (export,
                              "__REALTIME_TIMESTAMP=%" G_GINT64_FORMAT "\n"
                              "__MONOTONIC_TIMESTAMP=%u\n"
                              "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
                              "MESSAGE=Agent Guard ledger entry %" G_GUINT64_FORMAT "\n"
                              "MESSAGE_ID=" AG_LEDGER_MESSAGE_ID "\n"
                              "SYSLOG_IDENTIFIER=agent-guard\n"
                              "AG_STORE=%s\nAG_SEQ=%" G_GUINT64_FORMAT "\nAG_HASH=%s\n\n",
                              entry->time_us, i + 1, entry->seq, store_id, entry->seq, hash);
    }
  input = g_string_free_to_bytes (g_steal_pointer (&export));

  launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                 | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  process = g_subprocess_launcher_spawn (launcher, &error, JOURNAL_REMOTE, "-o", file, "-", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (process, input, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_successful (process));
  return dir;
}

static void
test_verify_no_journal (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *empty = g_build_filename (f->dir, "empty-journal", NULL);

  /* This machine's journal holds none (no journald here): said, not failed. */
  g_assert_cmpint (run_admin (f, &out, &err, "audit", "verify", "--store", f->store), ==, 0);
  g_assert_cmpstr (out, ==, "The audit ledger is intact: 7 entries.\n" NO_JOURNAL_LINE);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Journal files the auditor names that hold none of the store's entries prove nothing
   * (a store given another id would look the same): exit 1. */
  g_assert_cmpint (g_mkdir (empty, 0700), ==, 0);
  g_assert_cmpint (
    run_admin (f, &out, &err, "audit", "verify", "--store", f->store, "--journal", empty), ==, 1);
  g_assert_true (g_str_has_prefix (out, "The audit ledger is intact: 7 entries.\nThe journal in "));
  g_assert_nonnull (strstr (out, "holds none of this store's entries"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* A journal directory named but not there is an I/O error (EX_IOERR), not "no copy". */
  g_assert_cmpint (run_admin (f, &out, &err, "audit", "verify", "--store", f->store, "--journal",
                              "/nonexistent/journal"),
                   ==, 74);
  g_assert_nonnull (strstr (err, "cannot read the journal"));
}

static void
test_verify_journal_agrees (Fixture *f, gconstpointer data)
{
  g_autofree char *store_id = NULL;
  g_autoptr (GPtrArray) entries = store_entries (f, &store_id);
  g_autofree char *journal = write_journal (f, store_id, entries);
  g_autofree char *out = NULL;

  g_assert_cmpint (
    run_admin (f, &out, NULL, "audit", "verify", "--store", f->store, "--journal", journal), ==, 0);
  g_assert_cmpstr (out, ==,
                   "The audit ledger is intact: 7 entries.\n"
                   "The journal copy agrees: 7 entries compared, up to entry 7.\n");
}

/* The store file and its Secret Service record are both the agent's: put back together,
 * they agree with each other. The journal, which is the system's, still holds the entries
 * they lost. */
static void
test_verify_journal_rolled_back (Fixture *f, gconstpointer data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (GBytes) head = NULL;
  g_autofree char *store_id = NULL;
  g_autofree char *journal = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *out = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (f->store, &contents, &len, &error));
  g_assert_no_error (error);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = store_entries (f, &store_id);
  head = ag_keyring_lookup_ledger_head (store_id, NULL, &error);
  g_assert_no_error (error);

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  append (store, AG_LEDGER_EVENT_REVEAL, "ana", DAY0_US + 3 * DAY_US, f->ids[3], AG_PII_KIND_CPF,
          "identity-check", "T-3", NULL);
  append (store, AG_LEDGER_EVENT_REVEAL, "ana", DAY0_US + 3 * DAY_US + 1, f->ids[4],
          AG_PII_KIND_CPF, "identity-check", "T-4", NULL);
  g_clear_object (&store);
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = store_entries (f, NULL);
  g_assert_cmpuint (entries->len, ==, 9);
  journal = write_journal (f, store_id, entries);

  /* Put back the file and the record of entry 7. */
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *file = g_strconcat (f->store, i == 0 ? "-wal" : "-shm", NULL);
      g_unlink (file);
    }
  g_assert_true (
    g_file_set_contents_full (f->store, contents, len, G_FILE_SET_CONTENTS_NONE, 0600, &error));
  g_assert_no_error (error);
  g_assert_true (ag_keyring_store_ledger_head (store_id, g_bytes_get_data (head, NULL),
                                               g_bytes_get_size (head), NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (
    run_admin (f, &out, NULL, "audit", "verify", "--store", f->store, "--journal", journal), ==, 1);
  g_assert_cmpstr (out, ==,
                   "The audit ledger is intact: 7 entries.\n"
                   "The audit ledger was rolled back: the journal holds entry 8, which the store "
                   "does not have (entries were cut off or an older copy of the store was put "
                   "back).\n");
}

/* The newest entries cut off the end: the Secret Service's record catches it, the data
 * subject report says it may be incomplete, and reveals are refused. */
static void
test_verify_rolled_back (Fixture *f, gconstpointer data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  tamper (f, "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq > 5");
  g_assert_cmpint (run_admin (f, &out, &err, "audit", "verify", "--store", f->store), ==, 1);
  g_assert_true (g_str_has_prefix (out, "The audit ledger was rolled back: entry 6 is the first "
                                        "that is missing or is not the one recorded in the "
                                        "Secret Service"));
  g_assert_nonnull (strstr (err, "ends at entry 5, but entry 7 was recorded"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (f, &out, &err, "audit", "subject", "--store", f->store, f->ids[3]),
                   ==, 1);
  g_assert_nonnull (strstr (err, "the audit ledger was rolled back (entry 6 is the first"));
  g_assert_nonnull (strstr (err, "this list may be incomplete"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/admin-audit/verify/intact", test_verify_intact);
  ADD ("/admin-audit/verify/changed", test_verify_changed);
  ADD ("/admin-audit/verify/removed", test_verify_removed);
  ADD ("/admin-audit/verify/reordered", test_verify_reordered);
  ADD ("/admin-audit/verify/inserted", test_verify_inserted);
  ADD ("/admin-audit/export/csv", test_export_csv);
  ADD ("/admin-audit/export/filters", test_export_filters);
  ADD ("/admin-audit/export/jsonl", test_export_jsonl);
  ADD ("/admin-audit/usage", test_export_usage);
  ADD ("/admin-audit/io-error", test_io_error);
  ADD ("/admin-audit/subject/table", test_subject);
  ADD ("/admin-audit/subject/json", test_subject_json);
  ADD ("/admin-audit/subject/tampered", test_subject_tampered);
  ADD ("/admin-audit/subject/record-column", test_subject_record_column);
  ADD ("/admin-audit/subject/copy", test_subject_copy);
  ADD ("/admin-audit/prune", test_prune);
  ADD ("/admin-audit/prune-refused", test_prune_refused);
  ADD ("/admin-audit/store/missing-key", test_store_missing_key);
  ADD ("/admin-audit/store/older-store", test_store_older_store);
  ADD ("/admin-audit/verify/rolled-back", test_verify_rolled_back);
  ADD ("/admin-audit/verify/no-journal", test_verify_no_journal);
  ADD ("/admin-audit/verify/journal-agrees", test_verify_journal_agrees);
  ADD ("/admin-audit/verify/journal-rolled-back", test_verify_journal_rolled_back);
#undef ADD

  return g_test_run ();
}
