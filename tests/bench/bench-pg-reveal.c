/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "ag-bench-util.h"
#include "ag-store.h"
#include "ag-backends.h"

/* Reveals on the PostgreSQL store with many clients at once (issue 14): CLIENTS threads,
 * each one agent with an AgPgStore of its own (its own connection and database role, as on
 * a call-center floor), reveal through ag_store_reveal() for SECONDS: the ledger row is
 * committed by the database's reveal() before the value comes back. Prints reveals/s and
 * the p50/p99 latency of one reveal; bench-pg.sh runs it beside `pgbench -N` on the same
 * server.
 *
 *   bench-pg-reveal CLIENTS SECONDS CUSTOMERS
 *
 * The roles bench001… and the customers b-000001… are bench-pg.sh's; PGHOST and PGDATABASE
 * name the server. */

typedef struct
{
  guint index;
  guint n_customers;
  gint64 deadline_us;
  GArray *samples; /* gint64 µs */
  guint denied;
  char *failure;
} Client;

static const AgPiiKind kinds[] = { AG_PII_KIND_CPF, AG_PII_KIND_PHONE, AG_PII_KIND_EMAIL };

static gpointer
client_run (gpointer data)
{
  Client *client = data;
  g_autofree char *user = g_strdup_printf ("bench%03u", client->index + 1);
  g_autofree char *location = g_strdup_printf ("postgresql:///%s?host=%s&user=%s",
                                               g_getenv ("PGDATABASE"), g_getenv ("PGHOST"), user);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgStore) store = ag_store_open (location, AG_STORE_OPEN_DEFAULT, NULL, &error);
  GRand *rand = g_rand_new_with_seed (client->index);

  if (store == NULL)
    {
      client->failure = g_strdup_printf ("%s: %s", user, error->message);
      g_rand_free (rand);
      return NULL;
    }
  while (g_get_monotonic_time () < client->deadline_us)
    {
      g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_REVEAL);
      g_autoptr (AgSecret) value = NULL;
      gint64 t0, t1;

      entry->time_us = g_get_real_time ();
      entry->user = g_strdup (user);
      entry->host = g_strdup_printf ("ws-floor1-%03u", client->index + 1);
      entry->session_id = g_strdup_printf ("bench-session-%03u", client->index + 1);
      entry->record_id
        = g_strdup_printf ("b-%06d", g_rand_int_range (rand, 1, (gint32) client->n_customers + 1));
      entry->field_kind = kinds[g_rand_int_range (rand, 0, G_N_ELEMENTS (kinds))];
      entry->reason = g_strdup ("identity-check");
      entry->ticket = g_strdup_printf ("INC-%06u", g_rand_int_range (rand, 0, 1000000));
      t0 = g_get_monotonic_time ();
      value = ag_store_reveal (store, entry, 0, NULL, &error);
      t1 = g_get_monotonic_time ();
      if (value == NULL)
        {
          if (!g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED))
            {
              client->failure = g_strdup_printf ("%s: %s", user, error->message);
              break;
            }
          client->denied++;
          g_clear_error (&error);
          continue;
        }
      g_array_append_val (client->samples, (gint64){ t1 - t0 });
    }
  g_rand_free (rand);
  return NULL;
}

int
main (int argc, char **argv)
{
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree Client *clients = NULL;
  g_autofree GThread **threads = NULL;
  guint n_clients, seconds, n_customers, denied = 0;
  gint64 start_us, end_us;
  gboolean failed = FALSE;

  if (argc != 4 || g_getenv ("PGHOST") == NULL || g_getenv ("PGDATABASE") == NULL)
    {
      fprintf (stderr, "usage: PGHOST=… PGDATABASE=… bench-pg-reveal CLIENTS SECONDS CUSTOMERS\n");
      return 64;
    }
  n_clients = (guint) g_ascii_strtoull (argv[1], NULL, 10);
  seconds = (guint) g_ascii_strtoull (argv[2], NULL, 10);
  n_customers = (guint) g_ascii_strtoull (argv[3], NULL, 10);
  if (n_clients == 0 || seconds == 0 || n_customers == 0)
    {
      fprintf (stderr, "bench-pg-reveal: CLIENTS, SECONDS and CUSTOMERS must be above 0\n");
      return 64;
    }
  ag_backends_register ();

  clients = g_new0 (Client, n_clients);
  threads = g_new0 (GThread *, n_clients);
  start_us = g_get_monotonic_time ();
  for (guint i = 0; i < n_clients; i++)
    {
      clients[i].index = i;
      clients[i].n_customers = n_customers;
      clients[i].deadline_us = start_us + (gint64) seconds * G_USEC_PER_SEC;
      clients[i].samples = g_array_new (FALSE, FALSE, sizeof (gint64));
      threads[i] = g_thread_new ("bench-client", client_run, &clients[i]);
    }
  for (guint i = 0; i < n_clients; i++)
    g_thread_join (threads[i]);
  end_us = g_get_monotonic_time ();

  for (guint i = 0; i < n_clients; i++)
    {
      if (clients[i].failure != NULL)
        {
          fprintf (stderr, "bench-pg-reveal: %s\n", clients[i].failure);
          failed = TRUE;
        }
      g_array_append_vals (samples, clients[i].samples->data, clients[i].samples->len);
      denied += clients[i].denied;
      g_array_unref (clients[i].samples);
      g_free (clients[i].failure);
    }
  if (failed || samples->len == 0)
    return EXIT_FAILURE;

  printf ("reveals through AgPgStore, %u clients, %u s: %.0f reveals/s (%u reveals, %u denied)\n",
          n_clients, seconds, samples->len / ((end_us - start_us) / (double) G_USEC_PER_SEC),
          samples->len, denied);
  ag_bench_print_percentiles ("  reveal latency", samples);
  return EXIT_SUCCESS;
}
