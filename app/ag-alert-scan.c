/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-alert-scan"

#include "config.h"

#include <string.h>

#include "ag-alert-scan.h"

/*
 * The supervisors' alerts over a store's ledger: the rules of each agent's policy run over
 * the ledger's entries in order (AgAlertWatch), and each alert raised is ledgered once as an
 * `alert` entry. Its cause names what raised it and nothing else:
 *
 *   rule=alert-reveals-per-window agent=ana count=3
 *   window=2026-12-07T09:00:00Z/2026-12-07T09:09:00Z rows=3..5
 *
 * rows are the first and the last sequence numbers of the entries counted: the rule's
 * entries of that agent between them are the ones that raised it (a rule's window always
 * holds a run of consecutive entries). A later scan that raises the same alert again (same
 * rule, agent and last row) finds its entry and does not ledger it twice.
 */

/* The longest window a rule looks back over (alert-reveals-per-window, up to a day), and
 * the hour of the other rules: a scan from a time reads this much before it. */
#define LOOKBACK_US (G_GINT64_CONSTANT (25) * 3600 * G_USEC_PER_SEC)

void
ag_alert_record_free (AgAlertRecord *record)
{
  if (record == NULL)
    return;
  ag_alert_free (record->alert);
  g_free (record->acked_by);
  g_free (record->note);
  g_free (record);
}

static char *
format_time (gint64 time_us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);

  return utc != NULL ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

static gboolean
parse_time (const char *text, gint64 *out)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
  return TRUE;
}

/**
 * ag_alert_to_cause:
 * @alert: an alert with at least one row
 *
 * Returns: (transfer full): the cause of @alert's `alert` ledger entry
 */
char *
ag_alert_to_cause (const AgAlert *alert)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  g_return_val_if_fail (alert != NULL && alert->seqs->len > 0, NULL);

  from = format_time (alert->window_start_us);
  to = format_time (alert->window_end_us);
  return g_strdup_printf ("rule=%s agent=%s count=%u window=%s/%s rows=%" G_GUINT64_FORMAT
                          "..%" G_GUINT64_FORMAT,
                          ag_alert_rule_to_string (alert->rule), alert->user, alert->count, from,
                          to, g_array_index (alert->seqs, guint64, 0),
                          g_array_index (alert->seqs, guint64, alert->seqs->len - 1));
}

static gboolean
parse_seq (const char *text, guint64 *out)
{
  return g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT64, out, NULL);
}

/**
 * ag_alert_from_cause:
 * @cause: the cause of an `alert` ledger entry
 * @first_seq: (out): the first row it names
 * @last_seq: (out): the last
 *
 * Returns: (transfer full) (nullable): the alert, without its rows; %NULL when @cause is
 *   not one ag_alert_to_cause() wrote
 */
AgAlert *
ag_alert_from_cause (const char *cause, guint64 *first_seq, guint64 *last_seq)
{
  g_auto (GStrv) words = NULL;
  g_autoptr (AgAlert) alert = NULL;
  gboolean have[5] = { FALSE };

  g_return_val_if_fail (cause != NULL, NULL);
  g_return_val_if_fail (first_seq != NULL && last_seq != NULL, NULL);

  alert = g_new0 (AgAlert, 1);
  alert->seqs = g_array_new (FALSE, FALSE, sizeof (guint64));
  words = g_strsplit (cause, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      const char *value = strchr (word, '=');
      g_autofree char *key = NULL;

      if (value == NULL)
        return NULL;
      key = g_strndup (word, value - word);
      value++;
      if (g_str_equal (key, "rule"))
        {
          guint rule;

          for (rule = 0; rule < AG_ALERT_N_RULES; rule++)
            if (g_str_equal (value, ag_alert_rule_to_string (rule)))
              break;
          if (rule == AG_ALERT_N_RULES)
            return NULL;
          alert->rule = rule;
          have[0] = TRUE;
        }
      else if (g_str_equal (key, "agent") && *value != '\0')
        {
          g_free (alert->user);
          alert->user = g_strdup (value);
          have[1] = TRUE;
        }
      else if (g_str_equal (key, "count"))
        {
          guint64 count;

          if (!parse_seq (value, &count) || count > G_MAXUINT)
            return NULL;
          alert->count = count;
          have[2] = TRUE;
        }
      else if (g_str_equal (key, "window"))
        {
          const char *slash = strchr (value, '/');
          g_autofree char *from = NULL;

          if (slash == NULL)
            return NULL;
          from = g_strndup (value, slash - value);
          if (!parse_time (from, &alert->window_start_us)
              || !parse_time (slash + 1, &alert->window_end_us))
            return NULL;
          have[3] = TRUE;
        }
      else if (g_str_equal (key, "rows"))
        {
          const char *dots = strstr (value, "..");
          g_autofree char *first = NULL;

          if (dots == NULL)
            return NULL;
          first = g_strndup (value, dots - value);
          if (!parse_seq (first, first_seq) || !parse_seq (dots + 2, last_seq)
              || *first_seq > *last_seq)
            return NULL;
          have[4] = TRUE;
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (have); i++)
    if (!have[i])
      return NULL;
  return g_steal_pointer (&alert);
}

/* The scan ------------------------------------------------------------------------------ */

typedef struct
{
  AgAlertWatch *watch;
  char *policy_version;
} Agent;

typedef struct
{
  AgAlertPolicyFunc policy_func;
  gpointer policy_data;
  GHashTable *agents; /* user → Agent */
  GPtrArray *raised;  /* AgAlert*, in the order raised */
  GPtrArray *records; /* AgAlertRecord*, in ledger order */
  GHashTable *by_key; /* "rule agent last-seq" → AgAlertRecord (borrowed) */
  GHashTable *by_id;  /* &id → AgAlertRecord (borrowed) */
} Scan;

static void
agent_free (Agent *agent)
{
  g_clear_object (&agent->watch);
  g_free (agent->policy_version);
  g_free (agent);
}

static char *
alert_key (AgAlertRule rule, const char *user, guint64 last_seq)
{
  return g_strdup_printf ("%s %s %" G_GUINT64_FORMAT, ag_alert_rule_to_string (rule), user,
                          last_seq);
}

static Agent *
get_agent (Scan *scan, const char *user)
{
  Agent *agent = g_hash_table_lookup (scan->agents, user);
  g_autoptr (AgPolicy) policy = NULL;

  if (agent != NULL)
    return agent;
  policy = scan->policy_func (user, scan->policy_data);
  agent = g_new0 (Agent, 1);
  agent->watch = ag_alert_watch_new_for_policy (policy);
  agent->policy_version = g_strdup (ag_policy_get_version (policy));
  g_hash_table_insert (scan->agents, g_strdup (user), agent);
  return agent;
}

static void
add_record (Scan *scan, const AgLedgerEntry *entry)
{
  AgAlertRecord *record;
  g_autofree char *key = NULL;
  guint64 first = 0, last = 0;
  AgAlert *alert;

  alert = entry->cause != NULL ? ag_alert_from_cause (entry->cause, &first, &last) : NULL;
  if (alert == NULL)
    {
      g_debug ("Alert entry %" G_GUINT64_FORMAT " has a cause this version cannot read",
               entry->seq);
      return;
    }
  record = g_new0 (AgAlertRecord, 1);
  record->id = entry->seq;
  record->ledgered_us = entry->time_us;
  record->alert = alert;
  record->first_seq = first;
  record->last_seq = last;
  g_ptr_array_add (scan->records, record);
  g_hash_table_insert (scan->by_id, &record->id, record);
  key = alert_key (alert->rule, alert->user, last);
  g_hash_table_insert (scan->by_key, g_steal_pointer (&key), record);
}

static void
add_ack (Scan *scan, const AgLedgerEntry *entry)
{
  AgAlertRecord *record;
  guint64 id;

  if (entry->record_id == NULL || !parse_seq (entry->record_id, &id))
    return;
  record = g_hash_table_lookup (scan->by_id, &id);
  if (record == NULL || record->ack_id != 0)
    return;
  record->ack_id = entry->seq;
  record->acked_by = g_strdup (entry->user);
  record->acked_us = entry->time_us;
  record->note = g_strdup (entry->cause);
}

static gboolean
scan_entry_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  Scan *scan = user_data;

  switch (entry->event)
    {
      case AG_LEDGER_EVENT_REVEAL:
      case AG_LEDGER_EVENT_REVEAL_DENIED:
      case AG_LEDGER_EVENT_SEARCH_DENIED:
        if (entry->mode == AG_LEDGER_MODE_LIVE && entry->user != NULL)
          {
            Agent *agent = get_agent (scan, entry->user);
            g_autoptr (GPtrArray) alerts = ag_alert_watch_add_entry (agent->watch, entry);

            for (guint i = 0; i < alerts->len; i++)
              g_ptr_array_add (scan->raised, g_steal_pointer (&alerts->pdata[i]));
          }
        break;
      case AG_LEDGER_EVENT_ALERT:
        add_record (scan, entry);
        break;
      case AG_LEDGER_EVENT_ALERT_ACK:
        add_ack (scan, entry);
        break;
      default:
        break;
    }
  return TRUE;
}

/* Ledgers @alert once, or gives the record that already has it its rows. */
static gboolean
take_raised (Scan *scan, AgStore *store, AgAlert *alert, const AgLedgerEntry *author,
             GError **error)
{
  guint64 last = g_array_index (alert->seqs, guint64, alert->seqs->len - 1);
  g_autofree char *key = alert_key (alert->rule, alert->user, last);
  AgAlertRecord *record = g_hash_table_lookup (scan->by_key, key);
  g_autoptr (AgLedgerEntry) entry = NULL;
  Agent *agent;

  if (record != NULL)
    {
      g_array_set_size (record->alert->seqs, 0);
      g_array_append_vals (record->alert->seqs, alert->seqs->data, alert->seqs->len);
      return TRUE;
    }

  agent = g_hash_table_lookup (scan->agents, alert->user);
  entry = ag_ledger_entry_new (AG_LEDGER_EVENT_ALERT);
  entry->user = g_strdup (author->user);
  entry->host = g_strdup (author->host);
  entry->session_id = g_strdup (author->session_id);
  entry->mode = AG_LEDGER_MODE_LIVE;
  entry->policy_version = g_strdup (agent != NULL ? agent->policy_version : NULL);
  entry->cause = ag_alert_to_cause (alert);
  if (!ag_store_append_event (store, entry, error))
    return FALSE;

  record = g_new0 (AgAlertRecord, 1);
  record->id = entry->seq;
  record->ledgered_us = entry->time_us;
  record->alert = ag_alert_copy (alert);
  record->first_seq = g_array_index (alert->seqs, guint64, 0);
  record->last_seq = last;
  record->is_new = TRUE;
  g_ptr_array_add (scan->records, record);
  g_hash_table_insert (scan->by_id, &record->id, record);
  g_hash_table_insert (scan->by_key, g_steal_pointer (&key), record);
  return TRUE;
}

static int
compare_records (gconstpointer a, gconstpointer b)
{
  const AgAlertRecord *x = *(AgAlertRecord *const *) a;
  const AgAlertRecord *y = *(AgAlertRecord *const *) b;

  return x->id < y->id ? -1 : x->id > y->id;
}

/**
 * ag_alert_scan_store:
 * @store: a store
 * @since_us: only alerts whose window ends at or after this time (UTC, microseconds); 0
 *   for all. The entries of the day before it are read too, for the windows.
 * @policy_func: gives the policy of each agent whose entries are read
 * @policy_data: for @policy_func
 * @author: whose `alert` entries these are: its user, host and session are copied
 * @error: return location for an error
 *
 * Runs the alert rules over the ledger of @store, ledgers each alert raised that has no
 * `alert` entry yet, and reads the acknowledgements (`alert-ack`).
 *
 * Returns: (transfer container) (element-type AgAlertRecord): the alerts, oldest first, or
 *   %NULL with @error set when the ledger could not be read or written
 */
GPtrArray *
ag_alert_scan_store (AgStore *store, gint64 since_us, AgAlertPolicyFunc policy_func,
                     gpointer policy_data, const AgLedgerEntry *author, GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GPtrArray) result = NULL;
  AgLedgerFilter filter = { 0 };
  gboolean ok = TRUE;
  Scan scan;

  g_return_val_if_fail (AG_IS_STORE (store), NULL);
  g_return_val_if_fail (policy_func != NULL, NULL);
  g_return_val_if_fail (author != NULL && author->user != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scan.policy_func = policy_func;
  scan.policy_data = policy_data;
  scan.agents
    = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) agent_free);
  scan.raised = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_alert_free);
  scan.records = records = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_alert_record_free);
  scan.by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  scan.by_id = g_hash_table_new (g_int64_hash, g_int64_equal);

  if (since_us > LOOKBACK_US)
    filter.since_us = since_us - LOOKBACK_US;
  ok = ag_store_foreach_event (store, &filter, scan_entry_cb, &scan, error);
  for (guint i = 0; ok && i < scan.raised->len; i++)
    ok = take_raised (&scan, store, g_ptr_array_index (scan.raised, i), author, error);

  g_hash_table_unref (scan.by_id);
  g_hash_table_unref (scan.by_key);
  g_ptr_array_unref (scan.raised);
  g_hash_table_unref (scan.agents);
  if (!ok)
    return NULL;

  g_ptr_array_sort (records, compare_records);
  result = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_alert_record_free);
  for (guint i = 0; i < records->len; i++)
    {
      AgAlertRecord *record = g_ptr_array_index (records, i);

      if (record->alert->window_end_us < since_us - (since_us % G_USEC_PER_SEC))
        continue;
      g_ptr_array_add (result, g_steal_pointer (&records->pdata[i]));
    }
  return g_steal_pointer (&result);
}
