/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * Runs `agent-guard-admin alerts list|ack` ($AG_ADMIN) under tests/run-test.sh --keyring
 * against a real store whose ledger this test fills with synthetic reveals. The test's own
 * user is the supervisor through AG_SUPERVISORS_GROUP (development builds). Every value is
 * synthetic, and none may show in any output.
 */

#include "config.h"

#include <grp.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "ag-sqlite-store.h"
#include "ag-test-store.h"
#include "ag-test-util.h"

/* 2025-03-10T00:00:00Z. */
#define DAY0_US   ((gint64) 1741564800 * G_USEC_PER_SEC)
#define MINUTE_US ((gint64) 60 * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  char *store;
  char *policy_dir;
  char *supervisor_dir;
  GPtrArray *kept;   /* AgCustomerData* */
  GPtrArray *values; /* every clear value, to look for in the output */
  guint64 seqs[8];   /* of the entries the fixture adds, by their number below */
} Fixture;

static guint64
append (AgSqliteStore *store, AgLedgerEvent event, const char *user, gint64 time_us,
        const char *record)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (event);
  g_autoptr (GError) error = NULL;

  entry->time_us = time_us;
  entry->user = g_strdup (user);
  entry->host = g_strdup ("ws-07");
  entry->session_id = g_strdup_printf ("session-%s", user);
  entry->record_id = g_strdup (record);
  if (record != NULL)
    entry->field_kind = AG_PII_KIND_CPF;
  if (event == AG_LEDGER_EVENT_REVEAL)
    entry->reason = g_strdup ("identity-check");
  g_assert_true (ag_sqlite_store_append_event (store, entry, &error));
  g_assert_no_error (error);
  return entry->seq;
}

static const char *
customer (Fixture *f, guint n)
{
  return ((AgCustomerData *) g_ptr_array_index (f->kept, n))->id;
}

/* ana reveals three values within ten minutes (1, 3, 4) and one at 19:00 (6), outside the
 * working hours 08:00-18:00; bruno two, which is under every threshold. */
static void
fixture_set_up (Fixture *f, gconstpointer user_data)
{
  g_autoptr (AgSqliteStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = NULL;
  gint64 nine = DAY0_US + 9 * 60 * MINUTE_US;

  f->dir = g_dir_make_tmp ("ag-admin-alerts-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->store = g_build_filename (f->dir, "store.db", NULL);
  f->policy_dir = g_build_filename (f->dir, "etc", NULL);
  f->supervisor_dir = g_build_filename (f->dir, "var", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->supervisor_dir, 0755), ==, 0);
  ag_test_put_file (f->policy_dir, "policy.conf",
                    "[policy]\n"
                    "alert-reveals-per-window=3/10\n"
                    "alert-distinct-customers-per-hour=off\n"
                    "alert-denied-per-hour=off\n"
                    "alert-outside-hours=08:00-18:00\n");

  f->kept = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  store_id = ag_test_make_store (f->store, 7, 6, f->kept);
  f->values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < f->kept->len; i++)
    {
      AgCustomerData *data = g_ptr_array_index (f->kept, i);

      for (guint k = 0; k < AG_PII_N_KINDS; k++)
        if (data->values[k] != NULL && strlen (data->values[k]) >= 6)
          g_ptr_array_add (f->values, g_strdup (data->values[k]));
    }

  store = ag_sqlite_store_open (f->store, AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  f->seqs[0] = append (store, AG_LEDGER_EVENT_LOGIN, "ana", nine, NULL);
  f->seqs[1] = append (store, AG_LEDGER_EVENT_REVEAL, "ana", nine, customer (f, 0));
  f->seqs[2] = append (store, AG_LEDGER_EVENT_REVEAL, "bruno", nine + MINUTE_US, customer (f, 1));
  f->seqs[3] = append (store, AG_LEDGER_EVENT_REVEAL, "ana", nine + 2 * MINUTE_US, customer (f, 1));
  f->seqs[4] = append (store, AG_LEDGER_EVENT_REVEAL, "ana", nine + 5 * MINUTE_US, customer (f, 2));
  f->seqs[5]
    = append (store, AG_LEDGER_EVENT_REVEAL, "bruno", nine + 30 * MINUTE_US, customer (f, 2));
  f->seqs[6]
    = append (store, AG_LEDGER_EVENT_REVEAL, "ana", DAY0_US + 19 * 60 * MINUTE_US, customer (f, 3));
}

static void
fixture_tear_down (Fixture *f, gconstpointer user_data)
{
  ag_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->store);
  g_free (f->policy_dir);
  g_free (f->supervisor_dir);
  g_ptr_array_unref (f->kept);
  g_ptr_array_unref (f->values);
}

static const char *
own_group (void)
{
  struct group *group = getgrgid (getgid ());

  g_assert_nonnull (group);
  return group->gr_name;
}

/* Runs agent-guard-admin as a supervisor (or not); checks no customer value shows. */
static int
run_admin_v (Fixture *f, gboolean supervisor, char **out, char **err, const char *const *args)
{
  const char *const env[] = { "AG_POLICY_SYSTEM_DIR",
                              f->policy_dir,
                              "AG_POLICY_SUPERVISOR_DIR",
                              f->supervisor_dir,
                              "AG_SUPERVISORS_GROUP",
                              supervisor ? own_group () : "no-such-group-agent-guard",
                              NULL };
  AgTestAdminRun run = { NULL, env, f->values, FALSE };

  return ag_test_run_admin (&run, out, err, args);
}

#define run_admin(f, sup, out, err, ...) \
  run_admin_v (f, sup, out, err, (const char *const[]){ __VA_ARGS__, NULL })

static GPtrArray *
entries_of (Fixture *f, AgLedgerEvent event)
{
  g_autoptr (GPtrArray) all = ag_test_entries_at (f->store, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);

  for (guint i = 0; i < all->len; i++)
    if (((AgLedgerEntry *) all->pdata[i])->event == event)
      g_ptr_array_add (out, ag_ledger_entry_copy (all->pdata[i]));
  return out;
}

static JsonArray *
list_json (Fixture *f, JsonParser *parser, const char *since)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status;

  if (since != NULL)
    status = run_admin (f, TRUE, &out, &err, "alerts", "list", "--json", "--since", since,
                        "--store", f->store);
  else
    status = run_admin (f, TRUE, &out, &err, "alerts", "list", "--json", "--store", f->store);
  g_assert_cmpstr (err, ==, "");
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  return json_node_get_array (json_parser_get_root (parser));
}

static void
assert_rows (JsonObject *alert, const guint64 *expected, guint n)
{
  JsonArray *rows = json_object_get_array_member (alert, "rows");

  g_assert_cmpuint (json_array_get_length (rows), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (json_array_get_int_element (rows, i), ==, (gint64) expected[i]);
}

static void
test_not_supervisor (Fixture *f, gconstpointer data)
{
  g_autoptr (GPtrArray) before = ag_test_entries_at (f->store, NULL);
  g_autoptr (GPtrArray) after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = g_strdup_printf (
    "agent-guard-admin: alerts list: only supervisors may do this, and %s is not one "
    "(supervisors are the members of the group “no-such-group-agent-guard”)\n",
    g_get_user_name ());

  g_assert_cmpint (run_admin (f, FALSE, &out, &err, "alerts", "list", "--store", f->store), ==, 77);
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpstr (err, ==, expected);
  g_clear_pointer (&err, g_free);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (
    run_admin (f, FALSE, &out, &err, "alerts", "ack", "1", "--note", "x", "--store", f->store), ==,
    77);
  g_assert_nonnull (strstr (err, "alerts ack: only supervisors may do this"));

  /* Nothing was raised, acknowledged or read. */
  after = ag_test_entries_at (f->store, NULL);
  g_assert_cmpuint (after->len, ==, before->len);
}

static void
test_list (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) again_parser = json_parser_new ();
  g_autoptr (GPtrArray) ledgered = NULL;
  g_autofree char *cause0 = NULL;
  g_autofree char *cause1 = NULL;
  g_autofree char *out = NULL;
  g_autofree char *header = NULL;
  const guint64 burst[] = { f->seqs[1], f->seqs[3], f->seqs[4] };
  JsonArray *alerts;
  JsonArray *again;
  JsonObject *alert;

  alerts = list_json (f, parser, NULL);
  g_assert_cmpuint (json_array_get_length (alerts), ==, 2);

  alert = json_array_get_object_element (alerts, 0);
  g_assert_cmpstr (json_object_get_string_member (alert, "rule"), ==, "alert-reveals-per-window");
  g_assert_cmpstr (json_object_get_string_member (alert, "agent"), ==, "ana");
  g_assert_cmpint (json_object_get_int_member (alert, "count"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (alert, "from"), ==, "2025-03-10T09:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (alert, "to"), ==, "2025-03-10T09:05:00Z");
  assert_rows (alert, burst, G_N_ELEMENTS (burst));
  g_assert_true (json_object_get_boolean_member (alert, "new"));
  g_assert_true (json_object_get_null_member (alert, "ack"));

  alert = json_array_get_object_element (alerts, 1);
  g_assert_cmpstr (json_object_get_string_member (alert, "rule"), ==, "alert-outside-hours");
  g_assert_cmpstr (json_object_get_string_member (alert, "agent"), ==, "ana");
  g_assert_cmpint (json_object_get_int_member (alert, "count"), ==, 1);
  assert_rows (alert, &f->seqs[6], 1);

  /* Each ledgered once, by who ran the command, naming rule, agent, count, window and
   * rows, and nothing of a customer. */
  ledgered = entries_of (f, AG_LEDGER_EVENT_ALERT);
  g_assert_cmpuint (ledgered->len, ==, 2);
  cause0
    = g_strdup_printf ("rule=alert-reveals-per-window agent=ana count=3 "
                       "window=2025-03-10T09:00:00Z/2025-03-10T09:05:00Z rows=%" G_GUINT64_FORMAT
                       "..%" G_GUINT64_FORMAT,
                       f->seqs[1], f->seqs[4]);
  cause1
    = g_strdup_printf ("rule=alert-outside-hours agent=ana count=1 "
                       "window=2025-03-10T19:00:00Z/2025-03-10T19:00:00Z rows=%" G_GUINT64_FORMAT
                       "..%" G_GUINT64_FORMAT,
                       f->seqs[6], f->seqs[6]);
  for (guint i = 0; i < 2; i++)
    {
      AgLedgerEntry *entry = ledgered->pdata[i];

      g_assert_cmpstr (entry->cause, ==, i == 0 ? cause0 : cause1);
      g_assert_cmpstr (entry->user, ==, g_get_user_name ());
      g_assert_null (entry->record_id);
      g_assert_cmpint (entry->field_kind, ==, AG_LEDGER_NO_FIELD);
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (alerts, i), "id"),
                       ==, (gint64) entry->seq);
    }

  /* A second run finds the same alerts, ledgers nothing new, and still links the rows. */
  again = list_json (f, again_parser, NULL);
  g_assert_cmpuint (json_array_get_length (again), ==, 2);
  alert = json_array_get_object_element (again, 0);
  g_assert_false (json_object_get_boolean_member (alert, "new"));
  g_assert_cmpint (json_object_get_int_member (alert, "id"), ==,
                   (gint64) ((AgLedgerEntry *) ledgered->pdata[0])->seq);
  assert_rows (alert, burst, G_N_ELEMENTS (burst));
  g_clear_pointer (&ledgered, g_ptr_array_unref);
  ledgered = entries_of (f, AG_LEDGER_EVENT_ALERT);
  g_assert_cmpuint (ledgered->len, ==, 2);

  /* The table; each run of the command was itself ledgered as a read of the audit data. */
  g_assert_cmpint (run_admin (f, TRUE, &out, NULL, "alerts", "list", "--store", f->store), ==, 0);
  header = g_strndup (out, strchr (out, '\n') - out);
  g_assert_true (g_str_has_prefix (header, "ID  "));
  g_assert_nonnull (strstr (header, "Rule"));
  g_assert_nonnull (strstr (header, "Rows"));
  {
    g_autofree char *rows
      = g_strdup_printf ("%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "  open",
                         f->seqs[1], f->seqs[3], f->seqs[4]);

    g_assert_nonnull (strstr (out, rows));
  }
  g_clear_pointer (&ledgered, g_ptr_array_unref);
  ledgered = entries_of (f, AG_LEDGER_EVENT_EXPORT);
  g_assert_cmpuint (ledgered->len, ==, 3);
  g_assert_cmpstr (((AgLedgerEntry *) ledgered->pdata[0])->cause, ==, "alerts-list");
}

static void
test_since (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GPtrArray) ledgered = NULL;
  JsonArray *alerts = list_json (f, parser, "2025-03-10T12:00:00Z");

  g_assert_cmpuint (json_array_get_length (alerts), ==, 1);
  g_assert_cmpstr (
    json_object_get_string_member (json_array_get_object_element (alerts, 0), "rule"), ==,
    "alert-outside-hours");
  /* The windows before TIME were still read. */
  ledgered = entries_of (f, AG_LEDGER_EVENT_ALERT);
  g_assert_cmpuint (ledgered->len, ==, 2);
}

static void
test_ack (Fixture *f, gconstpointer data)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) after_parser = json_parser_new ();
  g_autoptr (GPtrArray) acks = NULL;
  g_autofree char *id = NULL;
  g_autofree char *login = g_strdup_printf ("%" G_GUINT64_FORMAT, f->seqs[0]);
  g_autofree char *expected = NULL;
  g_autofree char *with_cpf = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonArray *alerts = list_json (f, parser, NULL);
  JsonObject *ack;

  id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (
                                               json_array_get_object_element (alerts, 0), "id"));
  expected = g_strdup_printf ("Alert %s acknowledged.\n", id);
  g_assert_cmpint (run_admin (f, TRUE, &out, &err, "alerts", "ack", id, "--note",
                              "Talked to the agent: a batch of callbacks", "--store", f->store),
                   ==, 0);
  g_assert_cmpstr (out, ==, expected);
  g_assert_cmpstr (err, ==, "");

  acks = entries_of (f, AG_LEDGER_EVENT_ALERT_ACK);
  g_assert_cmpuint (acks->len, ==, 1);
  g_assert_cmpstr (((AgLedgerEntry *) acks->pdata[0])->record_id, ==, id);
  g_assert_cmpstr (((AgLedgerEntry *) acks->pdata[0])->cause, ==,
                   "Talked to the agent: a batch of callbacks");
  g_assert_cmpstr (((AgLedgerEntry *) acks->pdata[0])->user, ==, g_get_user_name ());

  alerts = list_json (f, after_parser, NULL);
  ack = json_object_get_object_member (json_array_get_object_element (alerts, 0), "ack");
  g_assert_nonnull (ack);
  g_assert_cmpstr (json_object_get_string_member (ack, "by"), ==, g_get_user_name ());
  g_assert_cmpstr (json_object_get_string_member (ack, "note"), ==,
                   "Talked to the agent: a batch of callbacks");
  g_assert_true (json_object_get_null_member (json_array_get_object_element (alerts, 1), "ack"));

  /* Twice, not an alert, no note, a customer's CPF in the note. */
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
    run_admin (f, TRUE, NULL, &err, "alerts", "ack", id, "--note", "again", "--store", f->store),
    ==, 1);
  g_assert_nonnull (strstr (err, "was already acknowledged by"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
    run_admin (f, TRUE, NULL, &err, "alerts", "ack", login, "--note", "x", "--store", f->store), ==,
    65);
  g_assert_nonnull (strstr (err, "there is no alert"));
  g_assert_cmpint (run_admin (f, TRUE, NULL, NULL, "alerts", "ack", id, "--store", f->store), ==,
                   2);
  with_cpf = g_strdup_printf (
    "customer %s called back",
    ag_test_customer_with (f->kept, AG_PII_KIND_CPF, 0)->values[AG_PII_KIND_CPF]);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (
    run_admin (f, TRUE, NULL, &err, "alerts", "ack", id, "--note", with_cpf, "--store", f->store),
    ==, 65);
  g_assert_nonnull (strstr (err, "the ledger never keeps a customer's data"));

  g_clear_pointer (&acks, g_ptr_array_unref);
  acks = entries_of (f, AG_LEDGER_EVENT_ALERT_ACK);
  g_assert_cmpuint (acks->len, ==, 1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/admin-alerts/not-supervisor", test_not_supervisor);
  ADD ("/admin-alerts/list", test_list);
  ADD ("/admin-alerts/since", test_since);
  ADD ("/admin-alerts/ack", test_ack);
#undef ADD

  return g_test_run ();
}
