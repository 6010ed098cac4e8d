/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "agent-guard-admin"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#include <glib/gi18n.h>
#include <sodium.h>

#include "ag-admin.h"
#include "ag-backends.h"

typedef struct
{
  const char *words;
  AgAdminCommandFunc func;
  const char *summary;
} Command;

static const Command commands[] = {
  { "generate", ag_admin_generate, N_("Add synthetic customers to the store") },
  { "import", ag_admin_import, N_("Import customers from a CSV or JSON file") },
  { "search", ag_admin_search, N_("Find customers; prints masked values only") },
  { "store info", ag_admin_store_info,
    N_("Show a store's format, mode (live or training) and counts") },
  { "reveal", ag_admin_reveal,
    N_("Sign in and reveal one field of a customer for a reason; ledgered") },
  { "policy show", ag_admin_policy_show,
    N_("Show the effective policy and where each value came from") },
  { "policy check", ag_admin_policy_check, N_("Check a policy file without applying it") },
  { "policy set", ag_admin_policy_set,
    N_("Set a key for a team or an agent as a new version of the supervisors' policy") },
  { "policy history", ag_admin_policy_history,
    N_("List the versions of the supervisors' policy") },
  { "policy revert", ag_admin_policy_revert,
    N_("Save a new version of the supervisors' policy equal to an older one") },
  { "auth-check", ag_admin_auth_check,
    N_("Test the PAM sign-in on the terminal; needs two factors") },
  { "audit verify", ag_admin_audit_verify, N_("Check that no audit ledger entry was altered") },
  { "audit export", ag_admin_audit_export, N_("Write the audit ledger as CSV or JSON Lines") },
  { "audit subject", ag_admin_audit_subject, N_("Show who saw a customer's data, when and why") },
  { "audit prune", ag_admin_audit_prune,
    N_("Remove audit entries older than the policy's retention") },
  { "alerts list", ag_admin_alerts_list,
    N_("Raise and list the supervisors' alerts over the audit ledger") },
  { "alerts ack", ag_admin_alerts_ack, N_("Acknowledge an alert with a note; ledgered") },
  { "pg init", ag_admin_pg_init,
    N_("Create or upgrade the schema and roles of a PostgreSQL store") },
  { "pg grant", ag_admin_pg_grant, N_("Give a user a role in a PostgreSQL store") },
  { "pg revoke", ag_admin_pg_revoke, N_("Take a user's role in a PostgreSQL store away") },
  { "training list", ag_admin_training_list, N_("List the training scenarios") },
};

/* The usage of every command, or with @group ("audit", "policy") of that group's. */
static void
print_usage (FILE *stream, const char *group)
{
  fprintf (stream, "%s\n  agent-guard-admin %s%s%s\n\n%s\n", _("Usage:"),
           group != NULL ? group : "", group != NULL ? " " : "", _("COMMAND [OPTION…]"),
           _("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (group == NULL
        || (g_str_has_prefix (commands[i].words, group)
            && commands[i].words[strlen (group)] == ' '))
      fprintf (stream, "  %-14s %s\n", commands[i].words, _(commands[i].summary));
  fprintf (stream, "\n%s\n",
           _("Run “agent-guard-admin COMMAND --help” for the options of a command."));
}

static const char *
locale_dir (void)
{
#if DEVELOPMENT
  /* Uninstalled development builds find their translations in the build tree. */
  const char *dir = g_getenv ("AG_LOCALEDIR");

  if (dir != NULL && *dir != '\0')
    return dir;
#endif
  return LOCALEDIR;
}

/* Every log message goes to stderr (or the journal, when stderr is connected to it), never
 * to stdout: GLib's default writer prints info and debug messages on stdout, where they
 * would land beside a command's output (a revealed value, a JSON array). Which messages
 * are shown follows the default writer: G_MESSAGES_DEBUG selects the debug and info ones. */
static GLogWriterOutput
log_to_stderr_cb (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields,
                  gpointer user_data)
{
  g_autofree char *domain = NULL;
  g_autofree char *text = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].value != NULL)
      {
        domain = fields[i].length < 0 ? g_strdup (fields[i].value)
                                      : g_strndup (fields[i].value, (gsize) fields[i].length);
        break;
      }

  if (g_log_writer_default_would_drop (log_level, domain))
    return G_LOG_WRITER_HANDLED;

  if (g_log_writer_is_journald (fileno (stderr))
      && g_log_writer_journald (log_level, fields, n_fields, user_data) == G_LOG_WRITER_HANDLED)
    return G_LOG_WRITER_HANDLED;

  text = g_log_writer_format_fields (log_level, fields, n_fields,
                                     g_log_writer_supports_color (fileno (stderr)));
  if (fprintf (stderr, "%s\n", text) < 0 || fflush (stderr) != 0)
    return G_LOG_WRITER_UNHANDLED;
  return G_LOG_WRITER_HANDLED;
}

int
main (int argc, char **argv)
{
  /* No core dumps: a dump of this process could hold customer data. */
  prctl (PR_SET_DUMPABLE, 0);

  /* Before anything can log. */
  g_log_set_writer_func (log_to_stderr_cb, NULL, NULL);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (sodium_init () < 0)
    {
      ag_admin_printerr (_("cannot initialise libsodium"));
      return AG_EXIT_FAILURE;
    }
  ag_backends_register ();

  if (argc < 2)
    {
      print_usage (stderr, NULL);
      return AG_EXIT_USAGE;
    }

  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
      || g_str_equal (argv[1], "help"))
    {
      print_usage (stdout, NULL);
      return AG_EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("agent-guard-admin %s\n", PACKAGE_VERSION);
      return AG_EXIT_OK;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto (GStrv) words = g_strsplit (commands[i].words, " ", -1);
      guint n_words = g_strv_length (words);
      gboolean match = (guint) argc > n_words;

      for (guint w = 0; match && w < n_words; w++)
        match = g_str_equal (argv[1 + w], words[w]);

      if (match)
        {
          /* The command sees its words as argv[0], then its own options and operands. */
          char **sub_argv = argv + n_words;
          int sub_argc = argc - (int) n_words;

          sub_argv[0] = (char *) commands[i].words;
          return commands[i].func (sub_argc, sub_argv);
        }
    }

  /* A known first word with help, or with a missing or unknown second word ("policy
   * --help", "policy", "policy frob"): that group's commands. */
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_has_prefix (commands[i].words, argv[1])
          && commands[i].words[strlen (argv[1])] == ' ')
        {
          if (argc > 2
              && (g_str_equal (argv[2], "--help") || g_str_equal (argv[2], "-h")
                  || g_str_equal (argv[2], "help")))
            {
              print_usage (stdout, argv[1]);
              return AG_EXIT_OK;
            }
          if (argc > 2)
            ag_admin_printerr (_("unknown command “%s %s”"), argv[1], argv[2]);
          else
            ag_admin_printerr (_("“%s” needs a command after it"), argv[1]);
          print_usage (stderr, argv[1]);
          return AG_EXIT_USAGE;
        }
    }

  ag_admin_printerr (_("unknown command “%s”"), argv[1]);
  print_usage (stderr, NULL);
  return AG_EXIT_USAGE;
}
