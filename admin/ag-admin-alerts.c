/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-alerts"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-admin.h"
#include "ag-alert-scan.h"
#include "ag-pii.h"

/* The supervisors' alerts: `alerts list` runs the rules of each agent's policy over the
 * store's ledger, ledgers each new alert once (`alert`) and lists them; `alerts ack`
 * acknowledges one (`alert-ack`). Supervisors only. Reading the ledger is access to audit
 * data, so `list` ledgers an `export` entry first, as the audit commands do. */

/* A note goes into the ledger entry's cause, which holds at most 512 bytes. */
#define NOTE_MAX 500

static int
usage_error (const char *words, const char *message)
{
  ag_admin_printerr ("%s: %s", words, message);
  g_printerr (_("Try “agent-guard-admin %s --help”.\n"), words);
  return AG_EXIT_USAGE;
}

/* Who writes the entries of one command run. */
static AgLedgerEntry *
new_entry (AgLedgerEvent event)
{
  AgLedgerEntry *entry = ag_ledger_entry_new (event);

  entry->user = g_strdup (g_get_user_name ());
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_uuid_string_random ();
  return entry;
}

/* list */

typedef struct
{
  AgPolicyPaths *paths;
  gboolean printed_refusals;
} PolicyContext;

/* The policy of @agent as their app would load it, but for their own file, which is on
 * their workstation and can only tighten: the system and supervisors' layers. */
static AgPolicy *
policy_for_agent_cb (const char *agent, gpointer user_data)
{
  PolicyContext *ctx = user_data;
  g_autoptr (GPtrArray) refusals
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
  g_auto (GStrv) groups = ag_policy_get_user_groups (agent);
  AgPolicy *policy;

  policy
    = ag_policy_load_layers (ctx->paths, agent, (const char *const *) groups, NULL, NULL, refusals);
  if (!ctx->printed_refusals && refusals->len > 0)
    {
      ag_admin_print_policy_refusals (refusals);
      ctx->printed_refusals = TRUE;
    }
  return policy;
}

/* "3-5,9": the rows, runs of consecutive numbers shortened. */
static char *
format_rows (const AgAlertRecord *record)
{
  const GArray *seqs = record->alert->seqs;
  GString *out = g_string_new (NULL);

  if (seqs->len == 0)
    {
      g_string_printf (out, "%" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT, record->first_seq,
                       record->last_seq);
      return g_string_free (out, FALSE);
    }
  for (guint i = 0; i < seqs->len;)
    {
      guint64 start = g_array_index (seqs, guint64, i);
      guint j = i;

      while (j + 1 < seqs->len
             && g_array_index (seqs, guint64, j + 1) == g_array_index (seqs, guint64, j) + 1)
        j++;
      if (out->len > 0)
        g_string_append_c (out, ',');
      if (j == i)
        g_string_append_printf (out, "%" G_GUINT64_FORMAT, start);
      else
        g_string_append_printf (out, "%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT, start,
                                g_array_index (seqs, guint64, j));
      i = j + 1;
    }
  return g_string_free (out, FALSE);
}

static char *
format_status (const AgAlertRecord *record)
{
  if (record->ack_id != 0)
    /* Translators: the status of an alert; %s is a supervisor's user name. */
    return g_strdup_printf (_("acknowledged by %s"), record->acked_by);
  /* Translators: the status of an alert this run raised. */
  return g_strdup (record->is_new ? _("new") : _("open"));
}

static void
print_table (GPtrArray *records)
{
  const char *headers[] = { _("ID"),         _("Rule"),     _("Agent"), _("Count"),
                            _("From (UTC)"), _("To (UTC)"), _("Rows"),  _("Status") };
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GString) out = g_string_new (NULL);

  if (records->len == 0)
    {
      g_print ("%s\n", _("No alerts."));
      return;
    }

  for (guint i = 0; i < records->len; i++)
    {
      const AgAlertRecord *record = g_ptr_array_index (records, i);
      char **row = g_new0 (char *, G_N_ELEMENTS (headers) + 1);

      row[0] = g_strdup_printf ("%" G_GUINT64_FORMAT, record->id);
      row[1] = g_strdup (ag_alert_rule_to_string (record->alert->rule));
      row[2] = g_strdup (record->alert->user);
      row[3] = g_strdup_printf ("%u", record->alert->count);
      row[4] = ag_admin_format_utc (record->alert->window_start_us);
      row[5] = ag_admin_format_utc (record->alert->window_end_us);
      row[6] = format_rows (record);
      row[7] = format_status (record);
      g_ptr_array_add (rows, row);
    }
  ag_admin_append_table (out, headers, G_N_ELEMENTS (headers), rows);
  g_print ("%s", out->str);
}

static void
print_json (GPtrArray *records)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < records->len; i++)
    {
      const AgAlertRecord *record = g_ptr_array_index (records, i);
      g_autofree char *raised = ag_admin_format_utc (record->ledgered_us);
      g_autofree char *from = ag_admin_format_utc (record->alert->window_start_us);
      g_autofree char *to = ag_admin_format_utc (record->alert->window_end_us);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_int_value (builder, (gint64) record->id);
      json_builder_set_member_name (builder, "rule");
      json_builder_add_string_value (builder, ag_alert_rule_to_string (record->alert->rule));
      json_builder_set_member_name (builder, "agent");
      json_builder_add_string_value (builder, record->alert->user);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, record->alert->count);
      json_builder_set_member_name (builder, "from");
      json_builder_add_string_value (builder, from);
      json_builder_set_member_name (builder, "to");
      json_builder_add_string_value (builder, to);
      json_builder_set_member_name (builder, "first_row");
      json_builder_add_int_value (builder, (gint64) record->first_seq);
      json_builder_set_member_name (builder, "last_row");
      json_builder_add_int_value (builder, (gint64) record->last_seq);
      json_builder_set_member_name (builder, "rows");
      json_builder_begin_array (builder);
      for (guint r = 0; r < record->alert->seqs->len; r++)
        json_builder_add_int_value (builder,
                                    (gint64) g_array_index (record->alert->seqs, guint64, r));
      json_builder_end_array (builder);
      json_builder_set_member_name (builder, "raised");
      json_builder_add_string_value (builder, raised);
      json_builder_set_member_name (builder, "new");
      json_builder_add_boolean_value (builder, record->is_new);
      json_builder_set_member_name (builder, "ack");
      if (record->ack_id == 0)
        json_builder_add_null_value (builder);
      else
        {
          g_autofree char *acked = ag_admin_format_utc (record->acked_us);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_int_value (builder, (gint64) record->ack_id);
          json_builder_set_member_name (builder, "by");
          json_builder_add_string_value (builder, record->acked_by);
          json_builder_set_member_name (builder, "time");
          json_builder_add_string_value (builder, acked);
          json_builder_set_member_name (builder, "note");
          json_builder_add_string_value (builder, record->note);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  ag_admin_print_json (g_steal_pointer (&root));
}

int
ag_admin_alerts_list (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autofree char *since = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgLedgerEntry) access = NULL;
  g_autoptr (AgLedgerEntry) author = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicyPaths) paths = NULL;
  PolicyContext ctx = { NULL, FALSE };
  gboolean json = FALSE;
  gint64 since_us = 0;
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of a table"), NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("Only alerts whose window ends at or after TIME (2026-11-23 or 2026-11-23T10:00:00Z)"),
      N_("TIME") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, N_("The store (default: your own)"),
      N_("FILE") },
    { NULL },
  };

  if (!ag_admin_parse_options (
        argv[0], "",
        _("Run the alert rules of each agent's policy (alert-reveals-per-window, "
           "alert-distinct-customers-per-hour, alert-denied-per-hour, alert-outside-hours) "
           "over the audit ledger, write each new alert to the ledger once, and list the "
           "alerts with their ids and the ledger rows that raised them. Supervisors only."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc > 1)
    return usage_error (argv[0], _("too many arguments"));
  if (since != NULL && !ag_admin_parse_time (since, FALSE, &since_us))
    return usage_error (argv[0], _("--since is not a date or an ISO 8601 date and time"));

  if (!ag_admin_require_supervisor (argv[0], &exit_code))
    return exit_code;

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    return exit_code;

  access = new_entry (AG_LEDGER_EVENT_EXPORT);
  access->cause = g_strdup ("alerts-list");
  if (!ag_store_append_event (store, access, &error))
    {
      ag_admin_printerr (_("cannot write the audit entry for this command: %s"), error->message);
      return ag_admin_exit_code_for_error (error);
    }

  paths = ag_policy_paths_new_default ();
  g_clear_pointer (&paths->user_file, g_free);
  ctx.paths = paths;
  author = new_entry (AG_LEDGER_EVENT_ALERT);
  records = ag_alert_scan_store (store, since_us, policy_for_agent_cb, &ctx, author, &error);
  if (records == NULL)
    {
      ag_admin_printerr (_("cannot raise the alerts: %s"), error->message);
      return ag_admin_exit_code_for_error (error);
    }

  if (json)
    print_json (records);
  else
    print_table (records);
  return AG_EXIT_OK;
}

/* ack */

typedef struct
{
  guint64 id;
  gboolean found;
  char *acked_by;
} AckContext;

static gboolean
find_alert_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  AckContext *ctx = user_data;
  guint64 id;

  if (entry->event == AG_LEDGER_EVENT_ALERT && entry->seq == ctx->id)
    ctx->found = TRUE;
  else if (entry->event == AG_LEDGER_EVENT_ALERT_ACK && ctx->found && ctx->acked_by == NULL
           && entry->record_id != NULL
           && g_ascii_string_to_unsigned (entry->record_id, 10, 1, G_MAXUINT64, &id, NULL)
           && id == ctx->id)
    ctx->acked_by = g_strdup (entry->user);
  return TRUE;
}

/* Whether a word of @note is a CPF, CNPJ, phone, e-mail, card, bank account or PIX key:
 * the ledger never holds a customer's data. */
static gboolean
note_has_identifier (const char *note)
{
  g_auto (GStrv) words = g_strsplit_set (note, " \t\n,;()\"'", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && ag_pii_identifier_kinds (words[i]) != 0)
      return TRUE;
  return FALSE;
}

int
ag_admin_alerts_ack (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autofree char *note = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autoptr (GError) error = NULL;
  AckContext ctx = { 0 };
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "note", 0, 0, G_OPTION_ARG_STRING, &note,
      N_("What was found or done (required; never a customer's data)"), N_("TEXT") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, N_("The store (default: your own)"),
      N_("FILE") },
    { NULL },
  };

  if (!ag_admin_parse_options (argv[0], _("ID"),
                               _("Acknowledge the alert ID (as “alerts list” shows it) with a "
                                  "note; the acknowledgement is written to the audit ledger. "
                                  "Supervisors only."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc < 2)
    return usage_error (argv[0], _("missing alert ID"));
  if (argc > 2)
    return usage_error (argv[0], _("too many arguments"));
  if (!g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXUINT64, &ctx.id, NULL))
    return usage_error (argv[0], _("the alert ID is a number, as “alerts list” shows it"));
  if (note == NULL || g_strstrip (note)[0] == '\0')
    return usage_error (argv[0], _("--note is required"));

  if (!ag_admin_require_supervisor (argv[0], &exit_code))
    return exit_code;

  if (strlen (note) > NOTE_MAX || !g_utf8_validate (note, -1, NULL))
    {
      ag_admin_printerr (_("%s: the note must be UTF-8 text of at most %d bytes"), argv[0],
                         NOTE_MAX);
      return AG_EXIT_DATAERR;
    }
  if (note_has_identifier (note))
    {
      ag_admin_printerr (_("%s: the note looks like it holds a CPF, CNPJ, phone, e-mail, card "
                            "or PIX key; the ledger never keeps a customer's data, so write the "
                            "note without it"),
                         argv[0]);
      return AG_EXIT_DATAERR;
    }

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    return exit_code;

  if (!ag_store_foreach_event (store, NULL, find_alert_cb, &ctx, &error))
    {
      ag_admin_printerr (_("cannot read the audit ledger: %s"), error->message);
      return ag_admin_exit_code_for_error (error);
    }
  if (!ctx.found)
    {
      ag_admin_printerr (_("%s: there is no alert %s (see “agent-guard-admin alerts list”)"),
                         argv[0], argv[1]);
      return AG_EXIT_DATAERR;
    }
  if (ctx.acked_by != NULL)
    {
      ag_admin_printerr (_("%s: alert %s was already acknowledged by %s"), argv[0], argv[1],
                         ctx.acked_by);
      g_free (ctx.acked_by);
      return AG_EXIT_FAILURE;
    }

  entry = new_entry (AG_LEDGER_EVENT_ALERT_ACK);
  entry->record_id = g_strdup_printf ("%" G_GUINT64_FORMAT, ctx.id);
  entry->cause = g_strdup (note);
  if (!ag_store_append_event (store, entry, &error))
    {
      ag_admin_printerr (_("cannot write the acknowledgement: %s"), error->message);
      return ag_admin_exit_code_for_error (error);
    }
  g_print (_("Alert %s acknowledged.\n"), argv[1]);
  return AG_EXIT_OK;
}
