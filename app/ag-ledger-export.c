/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger-export"

#include "config.h"

#include <json-glib/json-glib.h>
#include <sodium.h>
#include <string.h>

#include "ag-ledger-export.h"
#include "ag-ledger.h"
#include "ag-pii.h"

/* The lines of `audit export`, moved here from the CLI so that the console's ledger page
 * writes exactly the same files. */

static char *
format_time (gint64 time_us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autofree char *seconds = NULL;

  if (utc == NULL)
    return g_strdup ("");
  seconds = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%06dZ", seconds, (int) (time_us % G_USEC_PER_SEC));
}

static char *
hex (const guint8 *bytes)
{
  char *out = g_malloc (AG_LEDGER_HASH_BYTES * 2 + 1);

  return sodium_bin2hex (out, AG_LEDGER_HASH_BYTES * 2 + 1, bytes, AG_LEDGER_HASH_BYTES);
}

static const char *
field_name (const AgLedgerEntry *entry)
{
  if (entry->field_kind == AG_LEDGER_NO_FIELD || entry->field_kind >= AG_PII_N_KINDS)
    return NULL;
  return ag_pii_kind_to_string (entry->field_kind);
}

static const char *const csv_columns[] = {
  "seq",   "time",   "user",   "host",           "session", "mode",      "event", "record",
  "field", "reason", "ticket", "policy_version", "cause",   "prev_hash", "hash",  "mac",
};

static void
csv_append (GString *line, const char *value, gboolean first)
{
  if (!first)
    g_string_append_c (line, ',');
  if (value == NULL)
    return;
  /* RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled. */
  if (strpbrk (value, ",\"\r\n") == NULL)
    {
      g_string_append (line, value);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

JsonNode *
ag_ledger_export_entry_to_json (const AgLedgerEntry *entry, gboolean with_chain)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *time = format_time (entry->time_us);
  const char *const strings[][2] = {
    { "user", entry->user },
    { "host", entry->host },
    { "session", entry->session_id },
    { "mode", ag_ledger_mode_to_string (entry->mode) },
    { "event", ag_ledger_event_to_string (entry->event) },
    { "record", entry->record_id },
    { "field", field_name (entry) },
    { "reason", entry->reason },
    { "ticket", entry->ticket },
    { "policy_version", entry->policy_version },
    { "cause", entry->cause },
  };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "seq");
  json_builder_add_int_value (builder, (gint64) entry->seq);
  json_builder_set_member_name (builder, "time");
  json_builder_add_string_value (builder, time);
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      json_builder_set_member_name (builder, strings[i][0]);
      if (strings[i][1] != NULL)
        json_builder_add_string_value (builder, strings[i][1]);
      else
        json_builder_add_null_value (builder);
    }
  if (with_chain)
    {
      g_autofree char *prev = hex (entry->prev_hash);
      g_autofree char *hash = hex (entry->hash);
      g_autofree char *mac = hex (entry->mac);

      json_builder_set_member_name (builder, "prev_hash");
      json_builder_add_string_value (builder, prev);
      json_builder_set_member_name (builder, "hash");
      json_builder_add_string_value (builder, hash);
      json_builder_set_member_name (builder, "mac");
      json_builder_add_string_value (builder, mac);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Appends the header row (CSV; JSON Lines has none). */
void
ag_ledger_export_append_header (GString *out, AgLedgerExportFormat format)
{
  g_return_if_fail (out != NULL);

  if (format == AG_LEDGER_EXPORT_JSONL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (csv_columns); i++)
    csv_append (out, csv_columns[i], i == 0);
  g_string_append (out, "\r\n");
}

/* Appends @entry's line, with its line break. */
void
ag_ledger_export_append_entry (GString *out, AgLedgerExportFormat format,
                               const AgLedgerEntry *entry)
{
  g_return_if_fail (out != NULL);
  g_return_if_fail (entry != NULL);

  if (format == AG_LEDGER_EXPORT_JSONL)
    {
      g_autoptr (JsonNode) node = ag_ledger_export_entry_to_json (entry, TRUE);
      g_autofree char *text = json_to_string (node, FALSE);

      g_string_append (out, text);
      g_string_append_c (out, '\n');
    }
  else
    {
      g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, entry->seq);
      g_autofree char *time = format_time (entry->time_us);
      g_autofree char *prev = hex (entry->prev_hash);
      g_autofree char *hash = hex (entry->hash);
      g_autofree char *mac = hex (entry->mac);
      const char *values[] = {
        seq,
        time,
        entry->user,
        entry->host,
        entry->session_id,
        ag_ledger_mode_to_string (entry->mode),
        ag_ledger_event_to_string (entry->event),
        entry->record_id,
        field_name (entry),
        entry->reason,
        entry->ticket,
        entry->policy_version,
        entry->cause,
        prev,
        hash,
        mac,
      };

      G_STATIC_ASSERT (G_N_ELEMENTS (values) == G_N_ELEMENTS (csv_columns));
      for (guint i = 0; i < G_N_ELEMENTS (values); i++)
        csv_append (out, values[i], i == 0);
      g_string_append (out, "\r\n");
    }
}
