/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-audit"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-admin.h"
#include "ag-ledger-export.h"
#include "ag-ledger.h"
#include "ag-policy.h"
#include "ag-store.h"

/* The audit commands: verify, export, subject and prune. Reading the ledger is itself
 * access to audit data, so export and subject ledger an `export` entry before they
 * print. */

static int
usage_error (const char *words, const char *message)
{
  ag_admin_printerr ("%s: %s", words, message);
  g_printerr (_("Try “agent-guard-admin %s --help”.\n"), words);
  return AG_EXIT_USAGE;
}

static int
exit_code_for_error (const GError *error)
{
  if (error->domain == AG_LEDGER_ERROR && error->code == AG_LEDGER_ERROR_IO)
    return AG_EXIT_IOERR;
  return ag_admin_exit_code_for_error (error);
}

/* Ledgers that @what (an audit command) read the ledger, before it shows anything. */
static gboolean
ledger_access (AgStore *store, const char *what, const char *record_id, int *exit_code)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_EXPORT);
  g_autoptr (GError) error = NULL;

  entry->user = g_strdup (g_get_user_name ());
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_uuid_string_random ();
  entry->mode = ag_store_get_mode (store);
  entry->record_id = g_strdup (record_id);
  entry->cause = g_strdup (what);

  if (!ag_store_append_event (store, entry, &error))
    {
      ag_admin_printerr (_("cannot write the audit entry for this command: %s"), error->message);
      *exit_code = exit_code_for_error (error);
      return FALSE;
    }
  return TRUE;
}

/* Parses `2026-11-23` or `2026-11-23T10:00:00Z` (any ISO 8601 date-time; UTC when it
 * names no zone). A date alone is its midnight, UTC; @end_of_day moves it to the next
 * midnight, so that --until DATE includes that day. */
gboolean
ag_admin_parse_time (const char *text, gboolean end_of_day, gint64 *out)
{
  g_autoptr (GDateTime) dt = NULL;
  int year, month, day;
  char tail;

  if (sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &tail) == 3 && strlen (text) == 10)
    {
      dt = g_date_time_new_utc (year, month, day, 0, 0, 0);
      if (dt != NULL && end_of_day)
        {
          GDateTime *next = g_date_time_add_days (dt, 1);

          g_date_time_unref (dt);
          dt = next;
        }
    }
  else
    {
      g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();

      dt = g_date_time_new_from_iso8601 (text, utc);
    }

  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
  return TRUE;
}

/* verify */

/* The second half of `audit verify`: the journal copy, which the agent cannot rewrite, must
 * not hold an entry the store lacks. Without a journal copy it says so: only the Secret
 * Service record was compared. */
static int
verify_journal (AgStore *store, const char *directory)
{
  g_autoptr (GError) error = NULL;
  guint64 n_compared = 0, journal_seq = 0, first_bad = 0;

  if (!ag_store_check_journal (store, directory, &n_compared, &journal_seq, &first_bad, &error))
    {
      if (g_error_matches (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK))
        {
          g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, first_bad);

          g_print (_("The audit ledger was rolled back: the journal holds entry %s, which the "
                      "store does not have (entries were cut off or an older copy of the store "
                      "was put back).\n"),
                   seq);
          return AG_EXIT_FAILURE;
        }
      if (directory != NULL)
        {
          ag_admin_printerr (_("cannot read the journal: %s"), error->message);
          return exit_code_for_error (error);
        }
      /* No journal on this machine is the same as a journal without a copy. */
      g_debug ("No journal to compare with: %s", error->message);
      n_compared = 0;
    }

  if (n_compared == 0 && directory != NULL)
    {
      /* Journal files named by the auditor that hold nothing of this store prove nothing,
       * and a store renamed (another id) to dodge the comparison looks just like that. */
      g_print (_("The journal in %s holds none of this store's entries (store %s): nothing "
                  "could be compared.\n"),
               directory, ag_store_get_id (store));
      return AG_EXIT_FAILURE;
    }
  if (n_compared == 0)
    g_print ("%s\n", _("No journal copy of this ledger was found to compare with (no systemd "
                        "journal here, or it holds none of this store's entries): only the "
                        "record in the Secret Service was compared."));
  else
    {
      g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_compared);
      g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, journal_seq);

      g_print (g_dngettext (GETTEXT_PACKAGE,
                            "The journal copy agrees: %s entry compared, up to entry %s.\n",
                            "The journal copy agrees: %s entries compared, up to entry %s.\n",
                            (gulong) n_compared),
               count, seq);
    }
  return AG_EXIT_OK;
}

int
ag_admin_audit_verify (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autofree char *journal_dir = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;
  guint64 n_entries = 0, first_bad = 0;
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, N_("The store (default: your own)"),
      N_("FILE") },
    AG_ADMIN_TRAINING_OPTION,
    { "journal", 0, 0, G_OPTION_ARG_FILENAME, &journal_dir,
      N_("Compare with the journal files in DIR (say, copied from a log server) instead of "
          "this machine's journal"),
      N_("DIR") },
    { NULL },
  };

  if (!ag_admin_parse_options (argv[0], "",
                               _("Recompute the audit ledger's hash chain and MACs and name "
                                  "the first entry that was changed, removed, reordered or "
                                  "inserted."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc > 1)
    return usage_error (argv[0], _("too many arguments"));

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    return exit_code;

  if (!ag_store_verify_ledger (store, &n_entries, &first_bad, &error))
    {
      if (g_error_matches (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED))
        {
          g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, first_bad);

          g_print (_("The audit ledger was altered: entry %s is the first that does not "
                      "verify.\n"),
                   seq);
          return AG_EXIT_FAILURE;
        }
      if (g_error_matches (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK))
        {
          g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, first_bad);

          g_print (_("The audit ledger was rolled back: entry %s is the first that is missing "
                      "or is not the one recorded in the Secret Service (entries were cut off "
                      "or an older copy of the store was put back).\n"),
                   seq);
          g_printerr ("%s\n", error->message);
          return AG_EXIT_FAILURE;
        }
      ag_admin_printerr (_("cannot verify the audit ledger: %s"), error->message);
      return exit_code_for_error (error);
    }

  {
    g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_entries);

    g_print (g_dngettext (GETTEXT_PACKAGE, "The audit ledger is intact: %s entry.\n",
                          "The audit ledger is intact: %s entries.\n", (gulong) n_entries),
             count);
  }
  return verify_journal (store, journal_dir);
}

/* export */

typedef struct
{
  gboolean jsonl;
  FILE *out;
  guint64 count;
} ExportContext;

static gboolean
write_line (ExportContext *ctx, GString *line, GError **error)
{
  if (fwrite (line->str, 1, line->len, ctx->out) != line->len)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Cannot write to the standard output");
      return FALSE;
    }
  return TRUE;
}

static gboolean
export_entry_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  ExportContext *ctx = user_data;
  g_autoptr (GString) line = g_string_new (NULL);

  ctx->count++;
  ag_ledger_export_append_entry (line, ctx->jsonl ? AG_LEDGER_EXPORT_JSONL : AG_LEDGER_EXPORT_CSV,
                                 entry);
  return write_line (ctx, line, error);
}

int
ag_admin_audit_export (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autofree char *format = NULL;
  g_autofree char *since = NULL;
  g_autofree char *until = NULL;
  g_autofree char *user = NULL;
  g_autofree char *record = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;
  AgLedgerFilter filter = { 0 };
  ExportContext ctx = { FALSE, stdout, 0 };
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("“csv” (the default, with a header row) or “jsonl” (JSON Lines)"), N_("FORMAT") },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since,
      N_("Only entries at or after TIME (2026-11-23 or 2026-11-23T10:00:00Z)"), N_("TIME") },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until,
      N_("Only entries before TIME (a date alone includes that day)"), N_("TIME") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("Only entries of this user"), N_("USER") },
    { "record", 0, 0, G_OPTION_ARG_STRING, &record, N_("Only entries about this customer"),
      N_("ID") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, N_("The store (default: your own)"),
      N_("FILE") },
    AG_ADMIN_TRAINING_OPTION,
    { NULL },
  };

  if (!ag_admin_parse_options (argv[0], "",
                               _("Write the audit ledger's entries to the standard output."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc > 1)
    return usage_error (argv[0], _("too many arguments"));

  if (format == NULL || g_str_equal (format, "csv"))
    ctx.jsonl = FALSE;
  else if (g_str_equal (format, "jsonl"))
    ctx.jsonl = TRUE;
  else
    return usage_error (argv[0], _("--format must be “csv” or “jsonl”"));

  if (since != NULL && !ag_admin_parse_time (since, FALSE, &filter.since_us))
    return usage_error (argv[0], _("--since is not a date or an ISO 8601 date and time"));
  if (until != NULL && !ag_admin_parse_time (until, TRUE, &filter.until_us))
    return usage_error (argv[0], _("--until is not a date or an ISO 8601 date and time"));
  filter.user = user;
  filter.record_id = record;

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    return exit_code;
  if (!ledger_access (store, "audit-export", record, &exit_code))
    return exit_code;

  if (!ctx.jsonl)
    {
      g_autoptr (GString) header = g_string_new (NULL);

      ag_ledger_export_append_header (header, AG_LEDGER_EXPORT_CSV);
      if (!write_line (&ctx, header, &error))
        goto fail;
    }

  if (!ag_store_foreach_event (store, &filter, export_entry_cb, &ctx, &error))
    goto fail;
  if (fflush (stdout) != 0)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "Cannot write to the standard output");
      goto fail;
    }
  return AG_EXIT_OK;

fail:
  ag_admin_printerr (_("cannot export the audit ledger: %s"), error->message);
  return exit_code_for_error (error);
}

/* subject */

static const char *
event_label (AgLedgerEvent event)
{
  switch (event)
    {
      case AG_LEDGER_EVENT_REVEAL:
        return _("Revealed");
      case AG_LEDGER_EVENT_REVEAL_DENIED:
        return _("Reveal denied");
      case AG_LEDGER_EVENT_REMASK:
        return _("Hidden again");
      case AG_LEDGER_EVENT_COPY:
        return _("Copied");
      case AG_LEDGER_EVENT_EXPORT:
        return _("Audit read");
      case AG_LEDGER_EVENT_IMPORT:
        return _("Imported");
      case AG_LEDGER_EVENT_PRUNE:
        return _("Audit pruned");
      default:
        return ag_ledger_event_to_string (event);
    }
}

static gboolean
collect_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  g_ptr_array_add (user_data, ag_ledger_entry_copy (entry));
  return TRUE;
}

static void
print_subject_table (const char *record_id, GPtrArray *accesses)
{
  g_autoptr (GString) out = g_string_new (NULL);
  const char *headers[] = { _("When (UTC)"), _("Who"), _("Field"), _("What"), _("Why") };
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint i = 0; i < accesses->len; i++)
    {
      const AgLedgerEntry *entry = accesses->pdata[i];
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (entry->time_us / G_USEC_PER_SEC);
      char **row = g_new0 (char *, G_N_ELEMENTS (headers) + 1);
      g_autofree char *reason = NULL;
      g_autofree char *why = NULL;

      /* The reason code with its ticket, then the cause of a denial or a re-mask. */
      if (entry->reason != NULL && entry->ticket != NULL)
        reason = g_strdup_printf ("%s (%s)", entry->reason, entry->ticket);
      else
        reason = g_strdup (entry->reason);
      if (reason != NULL && entry->cause != NULL)
        why = g_strdup_printf ("%s; %s", reason, entry->cause);
      else
        why = g_strdup (reason != NULL ? reason : entry->cause != NULL ? entry->cause : "");
      row[0] = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("");
      row[1] = g_strdup (entry->user);
      row[2]
        = g_strdup (entry->field_kind != AG_LEDGER_NO_FIELD && entry->field_kind < AG_PII_N_KINDS
                      ? ag_pii_kind_get_label (entry->field_kind)
                      : "");
      row[3] = g_strdup (event_label (entry->event));
      row[4] = g_steal_pointer (&why);
      g_ptr_array_add (rows, row);
    }

  {
    g_autofree char *count = g_strdup_printf ("%u", accesses->len);

    g_string_append_printf (
      out,
      g_dngettext (GETTEXT_PACKAGE, "Customer %s: %s recorded access to their data.\n\n",
                   "Customer %s: %s recorded accesses to their data.\n\n", accesses->len),
      record_id, count);
  }
  if (rows->len == 0)
    {
      g_print ("%s", out->str);
      return;
    }

  ag_admin_append_table (out, headers, G_N_ELEMENTS (headers), rows);
  g_print ("%s", out->str);
}

static void
print_subject_json (const char *record_id, GPtrArray *accesses)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "record");
  json_builder_add_string_value (builder, record_id);
  json_builder_set_member_name (builder, "accesses");
  json_builder_begin_array (builder);
  for (guint i = 0; i < accesses->len; i++)
    json_builder_add_value (builder, ag_ledger_export_entry_to_json (accesses->pdata[i], FALSE));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  ag_admin_print_json (g_steal_pointer (&root));
}

int
ag_admin_audit_subject (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_ledger_entry_free);
  g_autoptr (GPtrArray) accesses = g_ptr_array_new ();
  AgLedgerFilter filter = { 0 };
  gboolean json = FALSE;
  guint64 first_bad = 0;
  gboolean intact;
  gboolean rolled_back = FALSE;
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON instead of a table"), NULL },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, N_("The store (default: your own)"),
      N_("FILE") },
    AG_ADMIN_TRAINING_OPTION,
    { NULL },
  };

  if (!ag_admin_parse_options (argv[0], _("ID"),
                               _("List every access to the data of the customer ID: when, "
                                  "who, which field and why (for a data subject's request "
                                  "under LGPD art. 18 or GDPR art. 15)."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc < 2)
    return usage_error (argv[0], _("missing customer ID"));
  if (argc > 2)
    return usage_error (argv[0], _("too many arguments"));

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    return exit_code;

  /* An answer from an altered ledger must say so. */
  intact = ag_store_verify_ledger (store, NULL, &first_bad, &error);
  rolled_back = g_error_matches (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_ROLLED_BACK);
  if (!intact && !rolled_back
      && !g_error_matches (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED))
    {
      ag_admin_printerr (_("cannot verify the audit ledger: %s"), error->message);
      return exit_code_for_error (error);
    }
  g_clear_error (&error);

  if (!ledger_access (store, "audit-subject", argv[1], &exit_code))
    return exit_code;

  filter.record_id = argv[1];
  if (!ag_store_foreach_event (store, &filter, collect_cb, all, &error))
    {
      ag_admin_printerr (_("cannot read the audit ledger: %s"), error->message);
      return exit_code_for_error (error);
    }
  /* Accesses to the customer's data, not the audit reads about them. */
  for (guint i = 0; i < all->len; i++)
    {
      AgLedgerEntry *entry = all->pdata[i];

      if (entry->event != AG_LEDGER_EVENT_EXPORT)
        g_ptr_array_add (accesses, entry);
    }

  if (json)
    print_subject_json (argv[1], accesses);
  else
    print_subject_table (argv[1], accesses);

  if (!intact)
    {
      g_autofree char *seq = g_strdup_printf ("%" G_GUINT64_FORMAT, first_bad);

      if (rolled_back)
        ag_admin_printerr (_("the audit ledger was rolled back (entry %s is the first that is "
                              "missing or is not the one recorded in the Secret Service): this "
                              "list may be incomplete"),
                           seq);
      else
        ag_admin_printerr (_("the audit ledger was altered (entry %s is the first that does not "
                              "verify): this list may be incomplete"),
                           seq);
      return AG_EXIT_FAILURE;
    }
  return AG_EXIT_OK;
}

/* prune */

static void
print_policy_problems (const char *lines)
{
  g_auto (GStrv) split = g_strsplit (lines, "\n", -1);

  for (guint i = 0; split[i] != NULL; i++)
    g_printerr ("%s\n", split[i]);
}

int
ag_admin_audit_prune (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autoptr (AgLedgerEntry) record = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) groups = NULL;
  guint64 n_pruned = 0, first_bad = 0;
  guint days;
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path, N_("The store (default: your own)"),
      N_("FILE") },
    AG_ADMIN_TRAINING_OPTION,
    { NULL },
  };

  if (!ag_admin_parse_options (argv[0], "",
                               _("Remove the audit ledger's entries older than the policy's "
                                  "ledger-retention-days (see “agent-guard-admin policy "
                                  "show”). The newest entry always stays, and the rest of the "
                                  "chain still verifies. A ledger that does not verify is "
                                  "not pruned."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc > 1)
    return usage_error (argv[0], _("too many arguments"));

  /* The effective policy of whoever runs this, as `policy show` shows it. A policy that
   * does not load prunes nothing: deleting audit entries by a guess is no option. */
  paths = ag_policy_paths_new_default ();
  groups = ag_policy_get_user_groups (g_get_user_name ());
  policy = ag_policy_load (paths, g_get_user_name (), (const char *const *) groups, NULL, &error);
  if (policy == NULL)
    {
      print_policy_problems (error->message);
      ag_admin_printerr (_("the policy files above are refused; nothing was pruned"));
      return g_error_matches (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO) ? AG_EXIT_IOERR
                                                                          : AG_EXIT_FAILURE;
    }
  days = ag_policy_get_ledger_retention_days (policy);

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    return exit_code;

  /* Removing audit history is itself audited, in the same transaction. */
  record = ag_ledger_entry_new (AG_LEDGER_EVENT_PRUNE);
  record->user = g_strdup (g_get_user_name ());
  record->host = g_strdup (g_get_host_name ());
  record->session_id = g_uuid_string_random ();
  record->mode = ag_store_get_mode (store);
  record->policy_version = g_strdup (ag_policy_get_version (policy));
  if (!ag_store_prune_ledger (store, days, record, &n_pruned, &error))
    {
      if (g_error_matches (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_TAMPERED))
        {
          g_autofree char *seq = NULL;

          g_clear_error (&error);
          ag_store_verify_ledger (store, NULL, &first_bad, NULL);
          seq = g_strdup_printf ("%" G_GUINT64_FORMAT, first_bad);
          g_print (_("The audit ledger was altered: entry %s is the first that does not "
                      "verify.\n"),
                   seq);
          ag_admin_printerr (_("nothing was pruned"));
          return AG_EXIT_FAILURE;
        }
      ag_admin_printerr (_("cannot prune the audit ledger: %s"), error->message);
      return exit_code_for_error (error);
    }

  {
    g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, n_pruned);

    g_print (g_dngettext (GETTEXT_PACKAGE, "Pruned %s entry older than %u days.\n",
                          "Pruned %s entries older than %u days.\n", (gulong) n_pruned),
             count, days);
  }
  return AG_EXIT_OK;
}
