/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-store"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "ag-admin.h"
#include "ag-guard.h"
#include "ag-import.h"
#include "ag-session.h"
#include "ag-synth.h"

/* The store commands: generate, import, search and store info. */

static int
usage_error (const char *words, const char *message)
{
  ag_admin_printerr ("%s: %s", words, message);
  g_printerr (_("Try “agent-guard-admin %s --help”.\n"), words);
  return AG_EXIT_USAGE;
}

/* A progress bar on stderr, drawn only when stderr is a terminal. */
typedef struct
{
  gboolean enabled;
  gboolean drawn;
  guint last_percent;
  guint64 last_done;
} Progress;

#define PROGRESS_WIDTH 30

static void
progress_init (Progress *self)
{
  self->enabled = isatty (STDERR_FILENO);
  self->drawn = FALSE;
  self->last_percent = G_MAXUINT;
  self->last_done = 0;
}

static void
progress_cb (guint64 done, guint64 total, gpointer user_data)
{
  Progress *self = user_data;
  char bar[PROGRESS_WIDTH + 1];
  guint percent;
  guint filled;

  if (!self->enabled)
    return;

  if (total == 0)
    {
      if (self->drawn && done - self->last_done < 1000)
        return;
      self->last_done = done;
      self->drawn = TRUE;
      g_printerr ("\r%" G_GUINT64_FORMAT " ", done);
      return;
    }

  percent = (guint) MIN (100, done * 100 / total);
  if (self->drawn && percent == self->last_percent)
    return;
  self->last_percent = percent;
  self->drawn = TRUE;

  filled = percent * PROGRESS_WIDTH / 100;
  for (guint i = 0; i < PROGRESS_WIDTH; i++)
    bar[i] = i < filled ? '#' : '-';
  bar[PROGRESS_WIDTH] = '\0';

  g_printerr ("\r[%s] %3u%% %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, bar, percent, done, total);
}

static void
progress_finish (Progress *self)
{
  if (self->enabled && self->drawn)
    g_printerr ("\n");
  self->drawn = FALSE;
}

/* generate */

int
ag_admin_generate (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autofree char *seed_string = NULL;
  gint64 count = 0;
  GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      N_("The store to use (default: $XDG_DATA_HOME/agent-guard/store.db)"), N_("PATH") },
    AG_ADMIN_TRAINING_OPTION,
    { "count", 0, 0, G_OPTION_ARG_INT64, &count, N_("How many customers to add"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &seed_string,
      N_("Seed for the generator; the same seed gives the same customers"), "S" },
    { NULL },
  };
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgSynth) synth = NULL;
  g_autoptr (GError) error = NULL;
  AgSynthSource source;
  Progress progress;
  guint64 seed;
  int exit_code;

  if (!ag_admin_parse_options (argv[0], NULL, _("Adds N synthetic customers to the store."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;

  if (argc > 1)
    return usage_error (argv[0], _("unexpected argument"));
  if (count < 1)
    return usage_error (argv[0], _("--count N is required, with N at least 1"));

  if (seed_string != NULL)
    {
      if (!g_ascii_string_to_unsigned (seed_string, 10, 0, G_MAXUINT64, &seed, NULL))
        return usage_error (argv[0],
                            _("--seed needs a whole number from 0 to 18446744073709551615"));
    }
  else
    {
      seed = ((guint64) g_random_int () << 32) | g_random_int ();
    }

  store = ag_admin_open_store (store_path, TRUE, &exit_code);
  if (store == NULL)
    return exit_code;

  synth = ag_synth_new (seed);
  source.synth = synth;
  source.remaining = (guint64) count;

  progress_init (&progress);
  if (!ag_store_import (store, ag_synth_source, &source, (guint64) count, progress_cb, &progress,
                        NULL, &error))
    {
      progress_finish (&progress);
      if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_DUPLICATE_ID))
        ag_admin_printerr (_("a generated id is already in the store (was seed %llu used "
                              "before?); nothing was added"),
                           (unsigned long long) seed);
      else
        ag_admin_printerr (_("nothing was added: %s"), error->message);
      return ag_admin_exit_code_for_error (error);
    }
  progress_finish (&progress);

  g_printerr (g_dngettext (GETTEXT_PACKAGE, "Generated %llu customer with seed %llu\n",
                           "Generated %llu customers with seed %llu\n", (gulong) count),
              (unsigned long long) count, (unsigned long long) seed);
  return AG_EXIT_OK;
}

/* import */

typedef struct
{
  GPtrArray *customers;
  guint next;
  guint64 last_line;
} ImportSource;

/* Hands the parsed customers over one by one; their values move into @out, which the
 * store wipes, so no second copy is made. */
static gboolean
import_source_cb (AgCustomerData *out, gpointer user_data, GError **error)
{
  ImportSource *source = user_data;
  AgCustomerData *customer;

  if (source->next >= source->customers->len)
    return FALSE;

  customer = g_ptr_array_index (source->customers, source->next++);
  out->id = g_steal_pointer (&customer->id);
  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    out->values[i] = g_steal_pointer (&customer->values[i]);
  out->line = customer->line;
  source->last_line = customer->line;

  return TRUE;
}

int
ag_admin_import (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      N_("The store to use (default: $XDG_DATA_HOME/agent-guard/store.db)"), N_("PATH") },
    AG_ADMIN_TRAINING_OPTION,
    { NULL },
  };
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GPtrArray) customers = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;
  ImportSource source = { 0 };
  Progress progress;
  const char *filename;
  int exit_code;
  guint n;

  if (!ag_admin_parse_options (argv[0], _("FILE"),
                               _("Imports customers from a CSV or JSON file (by its extension).\n"
                                  "The whole file is checked first: on any error nothing is\n"
                                  "imported and the store stays as it was."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;

  if (argc < 2)
    return usage_error (argv[0], _("missing FILE"));
  if (argc > 2)
    return usage_error (argv[0], _("unexpected argument"));
  filename = argv[1];

  /* Everything is checked before the store is even opened. */
  file = g_file_new_for_commandline_arg (filename);
  customers = ag_import_load_file_full (file, filename, NULL, &error);
  if (customers == NULL)
    {
      ag_admin_printerr ("%s", error->message);
      return ag_admin_exit_code_for_error (error);
    }

  store = ag_admin_open_store (store_path, TRUE, &exit_code);
  if (store == NULL)
    return exit_code;

  n = customers->len;
  source.customers = customers;
  progress_init (&progress);
  if (!ag_store_import (store, import_source_cb, &source, n, progress_cb, &progress, NULL, &error))
    {
      progress_finish (&progress);
      if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_DUPLICATE_ID))
        ag_admin_printerr (_("%s:%llu: id already in the store"), filename,
                           (unsigned long long) source.last_line);
      else if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_SYNTHETIC))
        ag_admin_printerr (_("%s: nothing was imported: this is a training store, which holds "
                              "only synthetic customers; fill it with “agent-guard-admin generate "
                              "--training”"),
                           filename);
      else
        ag_admin_printerr (_("%s: nothing was imported: %s"), filename, error->message);
      return ag_admin_exit_code_for_error (error);
    }
  progress_finish (&progress);

  g_printerr (g_dngettext (GETTEXT_PACKAGE, "Imported %u customer\n", "Imported %u customers\n", n),
              n);
  return AG_EXIT_OK;
}

/* search */

static void
print_text (GListModel *records)
{
  guint n = g_list_model_get_n_items (records);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AgRecord) record = g_list_model_get_item (records, i);
      GListModel *fields = ag_record_get_fields (record);
      guint n_fields = g_list_model_get_n_items (fields);

      if (i > 0)
        g_print ("\n");
      g_print ("%s  %s\n", ag_record_get_id (record), ag_record_get_name (record));
      for (guint f = 0; f < n_fields; f++)
        {
          g_autoptr (AgField) field = g_list_model_get_item (fields, f);

          if (ag_field_get_kind (field) == AG_PII_KIND_NAME)
            continue;
          g_print ("  %s: %s\n", ag_field_get_label (field), ag_field_get_masked (field));
        }
    }
}

static void
print_json (GListModel *records)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  guint n = g_list_model_get_n_items (records);

  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AgRecord) record = g_list_model_get_item (records, i);
      GListModel *fields = ag_record_get_fields (record);
      guint n_fields = g_list_model_get_n_items (fields);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, ag_record_get_id (record));
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, ag_record_get_name (record));
      json_builder_set_member_name (builder, "fields");
      json_builder_begin_object (builder);
      for (guint f = 0; f < n_fields; f++)
        {
          g_autoptr (AgField) field = g_list_model_get_item (fields, f);
          AgPiiKind kind = ag_field_get_kind (field);

          if (kind == AG_PII_KIND_NAME)
            continue;
          json_builder_set_member_name (builder, ag_pii_kind_to_string (kind));
          json_builder_add_string_value (builder, ag_field_get_masked (field));
        }
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  ag_admin_print_json (g_steal_pointer (&root));
}

/* Longest query read from standard input, the terminal or a file; longer is refused. */
#define QUERY_MAX 1024

/* Where search read its query from, for the messages about it. */
typedef enum
{
  QUERY_FROM_ARGUMENT,
  QUERY_FROM_STDIN,
  QUERY_FROM_TERMINAL,
  QUERY_FROM_FILE,
} QuerySource;

/* Reads the first line of @path into @buffer. On failure prints why, naming the file, and
 * returns the exit code (74 when it cannot be read, 65 when the line is empty or too long);
 * AG_EXIT_OK otherwise. */
static int
read_query_file (const char *path, char *buffer, gsize size)
{
  gboolean too_long = FALSE;
  int saved_errno = 0;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      ag_admin_printerr (_("%s: cannot open the query file: %s"), path, g_strerror (saved_errno));
      return AG_EXIT_IOERR;
    }
  ag_admin_read_line (fd, buffer, size, &too_long, &saved_errno);
  close (fd);

  if (saved_errno != 0)
    {
      ag_admin_printerr (_("%s: cannot read the query file: %s"), path, g_strerror (saved_errno));
      return AG_EXIT_IOERR;
    }
  if (too_long)
    {
      ag_admin_printerr (_("%s:1: the query is longer than %d characters"), path, QUERY_MAX - 1);
      return AG_EXIT_DATAERR;
    }
  if (buffer[0] == '\0')
    {
      ag_admin_printerr (_("%s:1: the query is empty"), path);
      return AG_EXIT_DATAERR;
    }

  return AG_EXIT_OK;
}

/* Searches @store as the Unix user, under the policy in force for them (into @policy): a
 * search by an identifier is ledgered and counted, as in the window. */
static GListModel *
search_as_user (AgStore *store, const char *query, AgPolicy **policy, GError **error)
{
  g_autoptr (GPtrArray) refusals
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
  g_autoptr (AgGuard) guard = NULL;
  g_autoptr (AgSession) session = NULL;
  GListModel *records;

  guard = ag_guard_new (error);
  if (guard == NULL)
    return NULL;
  *policy = ag_admin_load_policy (ag_guard_get_user (guard), refusals);
  session = ag_session_new (guard, ag_admin_get_mode (NULL), NULL);
  ag_guard_set_policy (guard, *policy);
  ag_session_set_store (session, store);
  for (guint i = 0; i < refusals->len; i++)
    ag_guard_ledger_policy_refusal (guard, g_ptr_array_index (refusals, i));

  records = ag_guard_search (guard, query, NULL, error);
  ag_guard_flush_ledger (guard);
  return records;
}

int
ag_admin_search (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  g_autofree char *query_file = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      N_("The store to use (default: $XDG_DATA_HOME/agent-guard/store.db)"), N_("PATH") },
    AG_ADMIN_TRAINING_OPTION,
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the results as JSON"), NULL },
    { "query-file", 0, 0, G_OPTION_ARG_FILENAME, &query_file,
      N_("Read the query from the first line of FILE instead of the command line"), N_("FILE") },
    { NULL },
  };
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autoptr (GListModel) records = NULL;
  g_autoptr (GError) error = NULL;
  char line[QUERY_MAX];
  const char *query = NULL;
  QuerySource source;
  gboolean too_long = FALSE;
  int exit_code;

  if (!ag_admin_parse_options (
        argv[0], _("[QUERY|-]"),
        _("Finds customers by name (prefix, accents ignored), id, or exact\n"
           "CPF, CNPJ, phone or e-mail in any usual format. Prints masked\n"
           "values only. Finding nobody is not an error: the exit status\n"
           "is 0 and the JSON output an empty array.\n"
           "\n"
           "A search by CPF, CNPJ, phone, e-mail or another identifier is\n"
           "an access: it is written to the audit ledger (never the query)\n"
           "and counts towards max-identifier-searches-per-hour; past it,\n"
           "such searches are refused with exit status 1.\n"
           "\n"
           "A QUERY on the command line can be read by every user of the\n"
           "computer and stays in the shell's history: for a CPF or another\n"
           "customer value, give “-” to read the query from standard input,\n"
           "use --query-file FILE, or give no QUERY to be asked for it on\n"
           "the terminal without echo."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;

  if (argc == 3 && (g_str_equal (argv[1], "-") || g_str_equal (argv[2], "-")))
    return usage_error (argv[0], _("give either a QUERY or “-”, not both"));
  if (argc > 2)
    return usage_error (argv[0], _("unexpected argument (quote a QUERY with spaces)"));
  if (argc == 2 && query_file != NULL)
    return usage_error (argv[0], g_str_equal (argv[1], "-")
                                   ? _("give either “-” or --query-file FILE, not both")
                                   : _("give either a QUERY or --query-file FILE, not both"));

  if (query_file != NULL)
    source = QUERY_FROM_FILE;
  else if (argc == 2 && g_str_equal (argv[1], "-"))
    source = isatty (STDIN_FILENO) ? QUERY_FROM_TERMINAL : QUERY_FROM_STDIN;
  else if (argc == 2)
    source = QUERY_FROM_ARGUMENT;
  else if (isatty (STDIN_FILENO))
    source = QUERY_FROM_TERMINAL;
  else
    return usage_error (argv[0], _("missing QUERY (give it, “-” to read it from standard input, "
                                    "or --query-file FILE)"));

  switch (source)
    {
      case QUERY_FROM_ARGUMENT:
        query = argv[1];
        break;

      case QUERY_FROM_FILE:
        exit_code = read_query_file (query_file, line, sizeof line);
        if (exit_code != AG_EXIT_OK)
          {
            explicit_bzero (line, sizeof line);
            return exit_code;
          }
        query = line;
        break;

      case QUERY_FROM_STDIN:
      case QUERY_FROM_TERMINAL:
        /* A query may be a CPF: on a terminal it is typed without echo. */
        ag_admin_ask (source == QUERY_FROM_TERMINAL ? _("Search: ") : NULL, TRUE, line,
                      sizeof line, &too_long);
        if (too_long || line[0] == '\0')
          {
            explicit_bzero (line, sizeof line);
            if (too_long)
              {
                g_autofree char *message
                  = g_strdup_printf (_("the query is longer than %d characters"), QUERY_MAX - 1);
                return usage_error (argv[0], message);
              }
            return usage_error (argv[0], source == QUERY_FROM_TERMINAL
                                           ? _("no query was typed")
                                           : _("the query read from standard input is empty"));
          }
        query = line;
        break;

      default:
        g_assert_not_reached ();
    }

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store != NULL)
    records = search_as_user (store, query, &policy, &error);

  /* The query may be a customer's value: wipe it (even the argument, which also shortens
   * the time it shows in /proc/PID/cmdline) as soon as it has been used. */
  explicit_bzero (line, sizeof line);
  if (source == QUERY_FROM_ARGUMENT)
    explicit_bzero (argv[1], strlen (argv[1]));
  query = NULL;

  if (store == NULL)
    return exit_code;
  if (records == NULL && g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_QUOTA_EXCEEDED))
    {
      guint max = ag_policy_get_max_identifier_searches_per_hour (policy);

      ag_admin_printerr (g_dngettext (GETTEXT_PACKAGE,
                                      "search refused: you have made the %u search by CPF, "
                                      "phone, e-mail or another identifier allowed per hour "
                                      "(max-identifier-searches-per-hour); search by name, or "
                                      "ask your supervisor",
                                      "search refused: you have made the %u searches by CPF, "
                                      "phone, e-mail or another identifier allowed per hour "
                                      "(max-identifier-searches-per-hour); search by name, or "
                                      "ask your supervisor",
                                      max),
                         max);
      return AG_EXIT_FAILURE;
    }
  if (records == NULL && g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER))
    {
      ag_admin_printerr (_("search refused: a search by an identifier is written to the audit "
                            "ledger first, and it could not be: %s"),
                         error->message);
      return AG_EXIT_FAILURE;
    }
  if (records == NULL && g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK))
    {
      ag_admin_printerr (_("search refused: the store's audit ledger is behind the one recorded "
                            "in the Secret Service (entries were cut off or an older copy of the "
                            "store was put back); the store is open for audit only: %s"),
                         error->message);
      return AG_EXIT_FAILURE;
    }
  if (records == NULL)
    {
      ag_admin_printerr (_("search failed: %s"), error->message);
      return ag_admin_exit_code_for_error (error);
    }

  if (json)
    print_json (records);
  else if (g_list_model_get_n_items (records) == 0)
    g_printerr ("%s\n", _("No customers found."));
  else
    print_text (records);

  return AG_EXIT_OK;
}

/* store info */

int
ag_admin_store_info (int argc, char **argv)
{
  g_autofree char *store_path = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      N_("The store to use (default: $XDG_DATA_HOME/agent-guard/store.db)"), N_("PATH") },
    AG_ADMIN_TRAINING_OPTION,
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
    { NULL },
  };
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;
  AgStoreInfo info;
  int exit_code;

  if (!ag_admin_parse_options (argv[0], NULL,
                               _("Shows what the store is: its location, format and format "
                                  "version,\nits mode (live or training) and how many customers "
                                  "and audit\nledger entries it holds. Prints no customer data."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc > 1)
    return usage_error (argv[0], _("unexpected argument"));

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    return exit_code;
  if (!ag_store_get_info (store, &info, &error))
    {
      ag_admin_printerr (_("cannot read the store: %s"), error->message);
      return ag_admin_exit_code_for_error (error);
    }

  if (json)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) root = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "location");
      json_builder_add_string_value (builder, ag_store_get_location (store));
      json_builder_set_member_name (builder, "format");
      json_builder_add_string_value (builder, info.format);
      json_builder_set_member_name (builder, "format_version");
      json_builder_add_int_value (builder, info.format_version);
      json_builder_set_member_name (builder, "mode");
      json_builder_add_string_value (builder, ag_ledger_mode_to_string (info.mode));
      json_builder_set_member_name (builder, "customers");
      json_builder_add_int_value (builder, info.n_records);
      json_builder_set_member_name (builder, "ledger_entries");
      json_builder_add_int_value (builder, info.n_ledger_entries);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      ag_admin_print_json (g_steal_pointer (&root));
      return AG_EXIT_OK;
    }

  /* The values are the store's own words (format and mode names), as in the JSON. */
  g_print ("%s %s\n", _("Location:"), ag_store_get_location (store));
  g_print ("%s %s %u\n", _("Format:"), info.format, info.format_version);
  g_print ("%s %s\n", _("Mode:"), ag_ledger_mode_to_string (info.mode));
  g_print ("%s %" G_GINT64_FORMAT "\n", _("Customers:"), info.n_records);
  g_print ("%s %" G_GINT64_FORMAT "\n", _("Ledger entries:"), info.n_ledger_entries);
  return AG_EXIT_OK;
}
