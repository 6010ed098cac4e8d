/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger-stats"

#include "config.h"

#include "ag-ledger-stats.h"

#include "ag-pii.h"

struct _AgLedgerStats
{
  gint64 since_us;
  gint64 bucket_us;
  guint n_buckets;

  /* agent → guint[n_buckets] of reveals; "" → everyone's. */
  GHashTable *reveals;
  guint by_kind[AG_PII_N_KINDS];
  /* reason code → count (GUINT_TO_POINTER) */
  GHashTable *by_reason;
  guint granted;
  guint denied;
};

/**
 * ag_ledger_stats_new:
 * @since_us: the start of the first bucket (UTC, microseconds since the epoch)
 * @bucket_us: the length of a bucket, > 0 (an hour for the console's chart)
 * @n_buckets: how many buckets, > 0
 *
 * Counts the entries from @since_us to @since_us + @bucket_us × @n_buckets; entries
 * outside that time are not counted at all.
 *
 * Returns: (transfer full): empty counts
 */
AgLedgerStats *
ag_ledger_stats_new (gint64 since_us, gint64 bucket_us, guint n_buckets)
{
  AgLedgerStats *self;

  g_return_val_if_fail (bucket_us > 0, NULL);
  g_return_val_if_fail (n_buckets > 0, NULL);

  self = g_new0 (AgLedgerStats, 1);
  self->since_us = since_us;
  self->bucket_us = bucket_us;
  self->n_buckets = n_buckets;
  self->reveals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->by_reason = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
ag_ledger_stats_free (AgLedgerStats *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->reveals);
  g_hash_table_unref (self->by_reason);
  g_free (self);
}

static guint *
agent_buckets (AgLedgerStats *self, const char *agent)
{
  guint *buckets = g_hash_table_lookup (self->reveals, agent);

  if (buckets == NULL)
    {
      buckets = g_new0 (guint, self->n_buckets);
      g_hash_table_insert (self->reveals, g_strdup (agent), buckets);
    }
  return buckets;
}

/**
 * ag_ledger_stats_add:
 * @self: the counts
 * @entry: a ledger entry
 *
 * Counts @entry when it is a `reveal` or a `reveal-denied` within the time of @self; any
 * other entry changes nothing.
 */
void
ag_ledger_stats_add (AgLedgerStats *self, const AgLedgerEntry *entry)
{
  gint64 offset;
  guint bucket;

  g_return_if_fail (self != NULL);
  g_return_if_fail (entry != NULL);

  if (entry->event != AG_LEDGER_EVENT_REVEAL && entry->event != AG_LEDGER_EVENT_REVEAL_DENIED)
    return;
  offset = entry->time_us - self->since_us;
  if (offset < 0 || offset / self->bucket_us >= self->n_buckets)
    return;
  bucket = (guint) (offset / self->bucket_us);

  if (entry->event == AG_LEDGER_EVENT_REVEAL_DENIED)
    {
      self->denied++;
      return;
    }

  self->granted++;
  agent_buckets (self, "")[bucket]++;
  if (entry->user != NULL)
    agent_buckets (self, entry->user)[bucket]++;
  if (entry->field_kind >= 0 && entry->field_kind < AG_PII_N_KINDS)
    self->by_kind[entry->field_kind]++;
  if (entry->reason != NULL)
    {
      guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->by_reason, entry->reason));

      g_hash_table_insert (self->by_reason, g_strdup (entry->reason), GUINT_TO_POINTER (n + 1));
    }
}

static gboolean
add_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  ag_ledger_stats_add (user_data, entry);
  return TRUE;
}

/**
 * ag_ledger_stats_collect:
 * @self: the counts
 * @store: a store
 * @user: (nullable): only this agent's entries; %NULL for everyone's
 * @error: return location for an error
 *
 * Counts the entries of @store's ledger within the time of @self, read through the store
 * (only that time range is read).
 *
 * Returns: %TRUE when the ledger could be read
 */
gboolean
ag_ledger_stats_collect (AgLedgerStats *self, AgStore *store, const char *user, GError **error)
{
  AgLedgerFilter filter = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (AG_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  filter.since_us = self->since_us;
  filter.until_us = self->since_us + self->bucket_us * self->n_buckets;
  filter.user = user;
  /* 0 means "from the start" to the filter: the epoch itself is not a time the ledger
   * holds. */
  if (filter.since_us == 0)
    filter.since_us = 1;
  return ag_store_foreach_event (store, &filter, add_cb, self, error);
}

guint
ag_ledger_stats_get_n_buckets (const AgLedgerStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->n_buckets;
}

gint64
ag_ledger_stats_get_bucket_start (const AgLedgerStats *self, guint bucket)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (bucket < self->n_buckets, 0);

  return self->since_us + self->bucket_us * bucket;
}

static int
compare_names (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* Most used first, by name among equals. */
static int
compare_counts (gconstpointer a, gconstpointer b, gpointer user_data)
{
  GHashTable *counts = user_data;
  guint count_a = GPOINTER_TO_UINT (g_hash_table_lookup (counts, *(char *const *) a));
  guint count_b = GPOINTER_TO_UINT (g_hash_table_lookup (counts, *(char *const *) b));

  if (count_a != count_b)
    return count_a > count_b ? -1 : 1;
  return compare_names (a, b, NULL);
}

static char **
sorted_keys (GHashTable *table, const char *skip, GCompareDataFunc compare)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree const char **keys = (const char **) g_hash_table_get_keys_as_array (table, NULL);
  char **strv;

  for (guint i = 0; keys[i] != NULL; i++)
    if (skip == NULL || !g_str_equal (keys[i], skip))
      g_strv_builder_add (builder, keys[i]);
  strv = g_strv_builder_end (builder);
  g_qsort_with_data (strv, g_strv_length (strv), sizeof (char *), compare, table);
  return strv;
}

/**
 * ag_ledger_stats_dup_agents:
 * @self: the counts
 *
 * Returns: (transfer full): the agents with at least one reveal counted, by name
 */
char **
ag_ledger_stats_dup_agents (const AgLedgerStats *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return sorted_keys (self->reveals, "", compare_names);
}

/**
 * ag_ledger_stats_get_reveals:
 * @self: the counts
 * @agent: (nullable): an agent; %NULL for everyone
 * @bucket: a bucket, below ag_ledger_stats_get_n_buckets()
 *
 * Returns: the reveals granted to @agent in @bucket
 */
guint
ag_ledger_stats_get_reveals (const AgLedgerStats *self, const char *agent, guint bucket)
{
  const guint *buckets;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (bucket < self->n_buckets, 0);

  buckets = g_hash_table_lookup (self->reveals, agent != NULL ? agent : "");
  return buckets != NULL ? buckets[bucket] : 0;
}

guint
ag_ledger_stats_get_by_kind (const AgLedgerStats *self, int kind)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (kind >= 0 && kind < AG_PII_N_KINDS, 0);

  return self->by_kind[kind];
}

/**
 * ag_ledger_stats_dup_reasons:
 * @self: the counts
 *
 * Returns: (transfer full): the reason codes of the reveals counted, most used first (by
 *   name among equals)
 */
char **
ag_ledger_stats_dup_reasons (const AgLedgerStats *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return sorted_keys (self->by_reason, NULL, compare_counts);
}

guint
ag_ledger_stats_get_by_reason (const AgLedgerStats *self, const char *reason)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (reason != NULL, 0);

  return GPOINTER_TO_UINT (g_hash_table_lookup (self->by_reason, reason));
}

guint
ag_ledger_stats_get_granted (const AgLedgerStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->granted;
}

guint
ag_ledger_stats_get_denied (const AgLedgerStats *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->denied;
}
