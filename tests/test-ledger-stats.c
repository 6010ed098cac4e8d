/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The supervisor console's chart counts: reveals per hour at the buckets' edges, per agent
 * and for everyone, by field kind and by reason (most used first), granted against
 * denied, other events never counted; and the same counts read from a real store's
 * ledger for one time range only. Synthetic agents and ids.
 */

#include "config.h"

#include "ag-ledger-stats.h"
#include "ag-pii.h"
#include "ag-backends.h"
#include "ag-keyring.h"
#include "ag-test-util.h"

#define HOUR_US (G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC)
/* 2026-12-07 08:00 UTC. */
#define T0 (G_GINT64_CONSTANT (1796630400) * G_USEC_PER_SEC)

static AgLedgerEntry *
entry_new (AgLedgerEvent event, const char *user, gint64 time_us, int kind, const char *reason)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (event);

  entry->time_us = time_us;
  entry->user = g_strdup (user);
  entry->host = g_strdup ("ws-07");
  entry->session_id = g_strdup_printf ("session-%s", user);
  entry->record_id = g_strdup ("C-000001");
  entry->field_kind = kind;
  entry->reason = g_strdup (reason);
  entry->policy_version = g_strdup ("v1");
  return entry;
}

static void
add (AgLedgerStats *stats, AgLedgerEvent event, const char *user, gint64 time_us, int kind,
     const char *reason)
{
  g_autoptr (AgLedgerEntry) entry = entry_new (event, user, time_us, kind, reason);

  ag_ledger_stats_add (stats, entry);
}

static void
test_buckets (void)
{
  g_autoptr (AgLedgerStats) stats = ag_ledger_stats_new (T0, HOUR_US, 3);
  g_auto (GStrv) agents = NULL;

  /* Before the first bucket, its first microsecond, its last, the next one's first, the
   * last bucket's last, and the first microsecond after the range. */
  add (stats, AG_LEDGER_EVENT_REVEAL, "ana", T0 - 1, AG_PII_KIND_CPF, "identity-check");
  add (stats, AG_LEDGER_EVENT_REVEAL, "ana", T0, AG_PII_KIND_CPF, "identity-check");
  add (stats, AG_LEDGER_EVENT_REVEAL, "ana", T0 + HOUR_US - 1, AG_PII_KIND_PHONE, "callback");
  add (stats, AG_LEDGER_EVENT_REVEAL, "bruno", T0 + HOUR_US, AG_PII_KIND_CPF, "callback");
  add (stats, AG_LEDGER_EVENT_REVEAL, "bruno", T0 + 3 * HOUR_US - 1, AG_PII_KIND_EMAIL,
       "identity-check");
  add (stats, AG_LEDGER_EVENT_REVEAL, "bruno", T0 + 3 * HOUR_US, AG_PII_KIND_CPF, "callback");

  g_assert_cmpuint (ag_ledger_stats_get_n_buckets (stats), ==, 3);
  g_assert_cmpint (ag_ledger_stats_get_bucket_start (stats, 2), ==, T0 + 2 * HOUR_US);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, NULL, 0), ==, 2);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, NULL, 1), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, NULL, 2), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, "ana", 0), ==, 2);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, "ana", 1), ==, 0);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, "bruno", 1), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, "bruno", 2), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, "carla", 0), ==, 0);
  g_assert_cmpuint (ag_ledger_stats_get_granted (stats), ==, 4);

  agents = ag_ledger_stats_dup_agents (stats);
  g_assert_cmpuint (g_strv_length (agents), ==, 2);
  g_assert_cmpstr (agents[0], ==, "ana");
  g_assert_cmpstr (agents[1], ==, "bruno");
}

static void
test_kinds_reasons_denied (void)
{
  g_autoptr (AgLedgerStats) stats = ag_ledger_stats_new (T0, HOUR_US, 1);
  g_auto (GStrv) reasons = NULL;

  add (stats, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 1, AG_PII_KIND_CPF, "payment");
  add (stats, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 2, AG_PII_KIND_CPF, "callback");
  add (stats, AG_LEDGER_EVENT_REVEAL, "ana", T0 + 3, AG_PII_KIND_CARD_NUMBER, "payment");
  add (stats, AG_LEDGER_EVENT_REVEAL, "bruno", T0 + 4, AG_PII_KIND_PHONE, "identity-check");
  add (stats, AG_LEDGER_EVENT_REVEAL_DENIED, "bruno", T0 + 5, AG_PII_KIND_CARD_NUMBER, "payment");
  add (stats, AG_LEDGER_EVENT_REVEAL_DENIED, "ana", T0 + 6, AG_PII_KIND_CPF, "payment");
  /* Not reveals: never counted. */
  add (stats, AG_LEDGER_EVENT_REMASK, "ana", T0 + 7, AG_PII_KIND_CPF, NULL);
  add (stats, AG_LEDGER_EVENT_COPY, "ana", T0 + 8, AG_PII_KIND_CPF, "payment");
  add (stats, AG_LEDGER_EVENT_SEARCH, "ana", T0 + 9, AG_PII_KIND_CPF, NULL);
  add (stats, AG_LEDGER_EVENT_LOGIN, "ana", T0 + 10, AG_LEDGER_NO_FIELD, NULL);

  g_assert_cmpuint (ag_ledger_stats_get_granted (stats), ==, 4);
  g_assert_cmpuint (ag_ledger_stats_get_denied (stats), ==, 2);
  g_assert_cmpuint (ag_ledger_stats_get_by_kind (stats, AG_PII_KIND_CPF), ==, 2);
  g_assert_cmpuint (ag_ledger_stats_get_by_kind (stats, AG_PII_KIND_CARD_NUMBER), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_by_kind (stats, AG_PII_KIND_PHONE), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_by_kind (stats, AG_PII_KIND_EMAIL), ==, 0);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (stats, "ana", 0), ==, 3);

  /* payment 2, then callback and identity-check 1 each, by name. */
  reasons = ag_ledger_stats_dup_reasons (stats);
  g_assert_cmpuint (g_strv_length (reasons), ==, 3);
  g_assert_cmpstr (reasons[0], ==, "payment");
  g_assert_cmpstr (reasons[1], ==, "callback");
  g_assert_cmpstr (reasons[2], ==, "identity-check");
  g_assert_cmpuint (ag_ledger_stats_get_by_reason (stats, "payment"), ==, 2);
  g_assert_cmpuint (ag_ledger_stats_get_by_reason (stats, "urgent"), ==, 0);
}

/* Through a real store: only the range's entries (and with a user, only theirs). */
static void
test_collect_from_store (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ag-ledger-stats-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgLedgerStats) all = ag_ledger_stats_new (T0, HOUR_US, 2);
  g_autoptr (AgLedgerStats) ana = ag_ledger_stats_new (T0, HOUR_US, 2);
  g_autoptr (GError) error = NULL;
  g_autofree char *store_id = NULL;
  const struct
  {
    AgLedgerEvent event;
    const char *user;
    gint64 time_us;
    int kind;
  } entries[] = {
    { AG_LEDGER_EVENT_REVEAL, "ana", T0 - HOUR_US, AG_PII_KIND_CPF },
    { AG_LEDGER_EVENT_REVEAL, "ana", T0 + 10, AG_PII_KIND_CPF },
    { AG_LEDGER_EVENT_REVEAL, "bruno", T0 + 20, AG_PII_KIND_PHONE },
    { AG_LEDGER_EVENT_REVEAL_DENIED, "bruno", T0 + HOUR_US + 30, AG_PII_KIND_CPF },
    { AG_LEDGER_EVENT_REVEAL, "ana", T0 + HOUR_US + 40, AG_PII_KIND_EMAIL },
    { AG_LEDGER_EVENT_REVEAL, "ana", T0 + 2 * HOUR_US, AG_PII_KIND_CPF },
  };

  store = ag_store_open (path, AG_STORE_OPEN_CREATE, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      g_autoptr (AgLedgerEntry) entry = entry_new (entries[i].event, entries[i].user,
                                                   entries[i].time_us, entries[i].kind, "callback");

      g_assert_true (ag_store_append_event (store, entry, &error));
      g_assert_no_error (error);
    }

  g_assert_true (ag_ledger_stats_collect (all, store, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (all, NULL, 0), ==, 2);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (all, NULL, 1), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_denied (all), ==, 1);
  g_assert_cmpuint (ag_ledger_stats_get_by_kind (all, AG_PII_KIND_CPF), ==, 1);

  g_assert_true (ag_ledger_stats_collect (ana, store, "ana", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ag_ledger_stats_get_granted (ana), ==, 2);
  g_assert_cmpuint (ag_ledger_stats_get_denied (ana), ==, 0);
  g_assert_cmpuint (ag_ledger_stats_get_reveals (ana, "bruno", 0), ==, 0);

  store_id = g_strdup (ag_store_get_id (store));
  g_clear_object (&store);
  ag_keyring_delete_keys (store_id, NULL, NULL);
  ag_test_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ag_backends_register ();

  g_test_add_func ("/ledger-stats/buckets", test_buckets);
  g_test_add_func ("/ledger-stats/kinds-reasons-denied", test_kinds_reasons_denied);
  g_test_add_func ("/ledger-stats/collect-from-store", test_collect_from_store);

  return g_test_run ();
}
