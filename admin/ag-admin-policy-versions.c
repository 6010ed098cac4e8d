/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-policy-versions"

#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-admin.h"
#include "ag-policy-versions.h"

/* The versioned supervisors' policy: `policy set` and `policy revert` save a new version
 * of the supervisors' file (ag-policy-versions.c), checked against the installed admin
 * bounds first and ledgered `policy-changed` with the old and the new version; `policy
 * history` lists the versions. Running apps pick a save up from the folder. */

static int
usage_error (const char *words, const char *message)
{
  ag_admin_printerr ("%s: %s", words, message);
  g_printerr (_("Try “agent-guard-admin %s --help”.\n"), words);
  return AG_EXIT_USAGE;
}

static void
print_problem_lines (const char *lines)
{
  g_auto (GStrv) split = g_strsplit (lines, "\n", -1);

  for (guint i = 0; split[i] != NULL; i++)
    g_printerr ("%s\n", split[i]);
}

/* The supervisors' folder, or NULL (said) when this build has none. */
static AgPolicyPaths *
get_paths (const char *words)
{
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new_default ();

  if (paths->supervisor_dir == NULL)
    {
      ag_admin_printerr (_("%s: there is no supervisors' policy folder"), words);
      return NULL;
    }
  return g_steal_pointer (&paths);
}

/* The newest version, or NULL when none was saved yet; FALSE (said) on an error. */
static gboolean
get_current (const char *words, const char *supervisor_dir, AgPolicyVersion **out, int *exit_code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) versions = ag_policy_versions_list (supervisor_dir, &error);

  *out = NULL;
  if (versions == NULL)
    {
      ag_admin_printerr ("%s: %s", words, error->message);
      *exit_code = AG_EXIT_IOERR;
      return FALSE;
    }
  if (versions->len > 0)
    *out = g_steal_pointer (&versions->pdata[versions->len - 1]);
  return TRUE;
}

/* Checks @body as the supervisors' file against the installed admin bounds: prints every
 * problem (FILE:LINE: key: problem, naming the value and the bound) and returns FALSE. */
static gboolean
check_body (const AgPolicyPaths *paths, const char *body, int *exit_code)
{
  g_autoptr (AgPolicyPaths) system_only = ag_policy_paths_new (paths->system_dir, NULL, NULL);
  g_autofree char *origin = g_build_filename (paths->supervisor_dir, AG_POLICY_VERSIONS_FILE, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) bounds = NULL;

  bounds = ag_policy_load (system_only, NULL, NULL, NULL, &error);
  if (bounds == NULL)
    {
      /* Saving against bounds that do not load could let a value through that the floor's
       * admin forbade. */
      print_problem_lines (error->message);
      ag_admin_printerr (_("the system policy above is refused, so its admin bounds are "
                            "unknown; nothing was saved"));
      *exit_code = AG_EXIT_DATAERR;
      return FALSE;
    }
  if (!ag_policy_validate_layer_data (origin, body, -1, AG_POLICY_LAYER_SUPERVISOR, bounds, &error))
    {
      print_problem_lines (error->message);
      *exit_code = AG_EXIT_DATAERR;
      return FALSE;
    }
  return TRUE;
}

/* Ledgers the save from @old to @new (a version number, 0 for none) before it is made;
 * FALSE (said) when it cannot be ledgered, and then nothing is saved. */
static gboolean
ledger_change (AgStore *store, guint old, guint new_number, const char *what, int *exit_code)
{
  g_autoptr (AgLedgerEntry) entry = ag_ledger_entry_new (AG_LEDGER_EVENT_POLICY_CHANGED);
  g_autoptr (GError) error = NULL;

  entry->user = g_strdup (g_get_user_name ());
  entry->host = g_strdup (g_get_host_name ());
  entry->session_id = g_uuid_string_random ();
  entry->cause
    = g_strdup_printf ("layer=supervisor old-version=%u new-version=%u %s", old, new_number, what);
  if (!ag_store_append_event (store, entry, &error))
    {
      ag_admin_printerr (_("cannot write the audit entry for this change, so nothing was saved: "
                            "%s"),
                         error->message);
      *exit_code = ag_admin_exit_code_for_error (error);
      return FALSE;
    }
  return TRUE;
}

/* Ledgers, then saves @body as the next version after @current; prints the new version. */
static int
save (const char *words, const AgPolicyPaths *paths, const char *store_path,
      AgPolicyVersion *current, const char *body, const char *comment, const char *what)
{
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgPolicyVersion) saved = NULL;
  g_autoptr (GError) error = NULL;
  guint old = current != NULL ? current->number : 0;
  int exit_code = AG_EXIT_OK;

  store = ag_admin_open_store (store_path, FALSE, &exit_code);
  if (store == NULL)
    {
      ag_admin_printerr (_("%s: every change of the policy is written to the audit ledger, and "
                            "the store above cannot be opened; nothing was saved"),
                         words);
      return exit_code;
    }
  if (!ledger_change (store, old, old + 1, what, &exit_code))
    return exit_code;

  saved
    = ag_policy_versions_save (paths->supervisor_dir, body, g_get_user_name (), comment, &error);
  if (saved == NULL)
    {
      ag_admin_printerr (_("%s: cannot save the policy: %s"), words, error->message);
      return AG_EXIT_IOERR;
    }
  g_print (_("Saved version %u of the supervisors' policy.\n"), saved->number);
  return AG_EXIT_OK;
}

/* How many users are in Unix group @name (its members and those whose primary group it
 * is), or -1 when there is no such group. */
static int
count_members (const char *name)
{
  g_autoptr (GHashTable) users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  struct group *group = getgrnam (name);
  struct passwd *pw;
  gid_t gid;

  if (group == NULL)
    return -1;
  gid = group->gr_gid;
  for (char **m = group->gr_mem; m != NULL && *m != NULL; m++)
    g_hash_table_add (users, g_strdup (*m));
  setpwent ();
  while ((pw = getpwent ()) != NULL)
    if (pw->pw_gid == gid)
      g_hash_table_add (users, g_strdup (pw->pw_name));
  endpwent ();
  return (int) g_hash_table_size (users);
}

/* The value of @key in force now for @team or @user, from every layer but the agent's own
 * file. */
static char *
current_value (const AgPolicyPaths *paths, AgPolicyKey key, const char *team, const char *user)
{
  g_autoptr (AgPolicyPaths) floor
    = ag_policy_paths_new (paths->system_dir, paths->supervisor_dir, NULL);
  g_auto (GStrv) groups = NULL;
  g_autoptr (AgPolicy) policy = NULL;

  if (team != NULL)
    groups = g_strdupv ((char *[]){ (char *) team, NULL });
  else
    groups = ag_policy_get_user_groups (user);
  policy = ag_policy_load_layers (floor, user, (const char *const *) groups, NULL, NULL, NULL);
  return ag_policy_dup_value_string (policy, key);
}

/* A value as a supervisor reads it: the keys in seconds in minutes when they are whole
 * minutes ("5 min"), else in seconds ("45 s"); any other key as a policy file writes it. */
static char *
format_value (AgPolicyKey key, const char *value)
{
  gint64 seconds;

  switch (key)
    {
      case AG_POLICY_KEY_IDLE_LOCK:
      case AG_POLICY_KEY_LOCK_WARNING:
      case AG_POLICY_KEY_REVEAL_DURATION:
      case AG_POLICY_KEY_STEP_UP_GRACE:
        seconds = g_ascii_strtoll (value, NULL, 10);
        if (seconds > 0 && seconds % 60 == 0)
          /* Translators: a duration in minutes, as in "idle-lock 5 min → 10 min". */
          return g_strdup_printf (_("%d min"), (int) (seconds / 60));
        /* Translators: a duration in seconds, as in "reveal-duration 20 s → 10 s". */
        return g_strdup_printf (_("%d s"), (int) seconds);
      default:
        return g_strdup (value);
    }
}

int
ag_admin_policy_set (int argc, char **argv)
{
  g_autofree char *team = NULL;
  g_autofree char *user = NULL;
  g_autofree char *comment = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *section = NULL;
  g_autofree char *body = NULL;
  g_autofree char *old_value = NULL;
  g_autofree char *what = NULL;
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (AgPolicyVersion) current = NULL;
  g_autoptr (GError) error = NULL;
  gboolean dry_run = FALSE;
  AgPolicyKey key;
  int n_agents;
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "team", 0, 0, G_OPTION_ARG_STRING, &team, N_("Set it for the agents of this Unix group"),
      N_("NAME") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("Set it for this agent"), N_("NAME") },
    { "comment", 0, 0, G_OPTION_ARG_STRING, &comment, N_("Why, kept with the new version"),
      N_("TEXT") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Only show what would change for whom; save nothing"), NULL },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      N_("The store whose audit ledger records the change (default: your own)"), N_("FILE") },
    { NULL },
  };

  if (!ag_admin_parse_options (
        argv[0], _("KEY VALUE"),
        _("Set a policy key for a team or an agent in the supervisors' policy, as a new "
           "version (see “policy history”). The value is checked against the admin bounds "
           "first: out of bounds or malformed exits 65 naming the key, the value and the "
           "bound. Every save is written to the audit ledger. Supervisors only."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc != 3)
    return usage_error (argv[0], _("expected a KEY and a VALUE"));
  if ((team == NULL) == (user == NULL))
    return usage_error (argv[0], _("give either --team NAME or --user NAME"));

  if (!ag_admin_require_supervisor (argv[0], &exit_code))
    return exit_code;

  if (!ag_policy_key_from_string (argv[1], &key))
    {
      ag_admin_printerr (_("%s: unknown key “%s” (see “agent-guard-admin policy show”)"), argv[0],
                         argv[1]);
      return AG_EXIT_DATAERR;
    }
  if (team != NULL)
    {
      n_agents = count_members (team);
      if (n_agents < 0)
        {
          ag_admin_printerr (_("%s: there is no team (Unix group) “%s”"), argv[0], team);
          return AG_EXIT_DATAERR;
        }
      section = g_strdup_printf ("team:%s", team);
    }
  else
    {
      if (getpwnam (user) == NULL)
        {
          ag_admin_printerr (_("%s: there is no user “%s”"), argv[0], user);
          return AG_EXIT_DATAERR;
        }
      n_agents = 1;
      section = g_strdup_printf ("user:%s", user);
    }

  paths = get_paths (argv[0]);
  if (paths == NULL)
    return AG_EXIT_FAILURE;
  if (!get_current (argv[0], paths->supervisor_dir, &current, &exit_code))
    return exit_code;

  body = ag_policy_versions_set_value (current != NULL ? current->body : NULL, section, argv[1],
                                       argv[2], &error);
  if (body == NULL)
    {
      ag_admin_printerr ("%s: %s: %s", argv[0], argv[1], error->message);
      return AG_EXIT_DATAERR;
    }
  if (!check_body (paths, body, &exit_code))
    return exit_code;

  /* The one limit between two keys: a layer that breaks it is refused whole, and every
   * supervisor setting would fall with it. */
  if (key == AG_POLICY_KEY_IDLE_LOCK || key == AG_POLICY_KEY_LOCK_WARNING)
    {
      gboolean idle = key == AG_POLICY_KEY_IDLE_LOCK;
      g_autofree char *other = current_value (
        paths, idle ? AG_POLICY_KEY_LOCK_WARNING : AG_POLICY_KEY_IDLE_LOCK, team, user);
      gint64 value = g_ascii_strtoll (argv[2], NULL, 10);
      gint64 other_value = g_ascii_strtoll (other, NULL, 10);

      if (idle ? value <= other_value : value >= other_value)
        {
          ag_admin_printerr (_("%s: lock-warning (%s) must be shorter than idle-lock (%s) for "
                                "%s; change the other key first"),
                             argv[0], idle ? other : argv[2], idle ? argv[2] : other, section);
          return AG_EXIT_DATAERR;
        }
    }

  old_value = current_value (paths, key, team, user);
  if (dry_run)
    {
      g_autofree char *from = format_value (key, old_value);
      g_autofree char *to = format_value (key, argv[2]);

      if (team != NULL)
        g_print (g_dngettext (GETTEXT_PACKAGE, "%s %s → %s for team %s: %d agent\n",
                              "%s %s → %s for team %s: %d agents\n", n_agents),
                 argv[1], from, to, team, n_agents);
      else
        g_print (_("%s %s → %s for agent %s\n"), argv[1], from, to, user);
      return AG_EXIT_OK;
    }

  what = g_strdup_printf ("key=%s section=%s", argv[1], section);
  return save (argv[0], paths, store_path, current, body, comment, what);
}

int
ag_admin_policy_revert (int argc, char **argv)
{
  g_autofree char *comment = NULL;
  g_autofree char *store_path = NULL;
  g_autofree char *what = NULL;
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (AgPolicyVersion) current = NULL;
  g_autoptr (AgPolicyVersion) old = NULL;
  g_autoptr (GError) error = NULL;
  guint64 number;
  int exit_code = AG_EXIT_OK;
  GOptionEntry entries[] = {
    { "comment", 0, 0, G_OPTION_ARG_STRING, &comment,
      N_("Why, kept with the new version (default: “revert to version VERSION”)"), N_("TEXT") },
    { "store", 0, 0, G_OPTION_ARG_FILENAME, &store_path,
      N_("The store whose audit ledger records the change (default: your own)"), N_("FILE") },
    { NULL },
  };

  if (!ag_admin_parse_options (argv[0], _("VERSION"),
                               _("Save a new version of the supervisors' policy equal to an "
                                  "older one, checked against today's admin bounds. "
                                  "Supervisors only."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc != 2)
    return usage_error (argv[0], _("expected one VERSION"));
  if (!g_ascii_string_to_unsigned (argv[1], 10, 1, G_MAXUINT, &number, NULL))
    return usage_error (argv[0], _("VERSION is a number, as “policy history” shows it"));

  if (!ag_admin_require_supervisor (argv[0], &exit_code))
    return exit_code;

  paths = get_paths (argv[0]);
  if (paths == NULL)
    return AG_EXIT_FAILURE;
  old = ag_policy_versions_get (paths->supervisor_dir, (guint) number, &error);
  if (old == NULL)
    {
      ag_admin_printerr (_("%s: there is no version %s (see “agent-guard-admin policy "
                            "history”)"),
                         argv[0], argv[1]);
      return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ? AG_EXIT_DATAERR
                                                                       : AG_EXIT_IOERR;
    }
  if (!get_current (argv[0], paths->supervisor_dir, &current, &exit_code))
    return exit_code;
  if (!check_body (paths, old->body, &exit_code))
    return exit_code;

  if (comment == NULL)
    comment = g_strdup_printf ("revert to version %u", old->number);
  what = g_strdup_printf ("reverted-to=%u", old->number);
  return save (argv[0], paths, store_path, current, old->body, comment, what);
}

static void
print_history_json (GPtrArray *versions)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < versions->len; i++)
    {
      const AgPolicyVersion *version = g_ptr_array_index (versions, i);
      g_autofree char *time = ag_admin_format_utc (version->time_us);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, version->number);
      json_builder_set_member_name (builder, "author");
      json_builder_add_string_value (builder, version->author);
      json_builder_set_member_name (builder, "time");
      json_builder_add_string_value (builder, time);
      json_builder_set_member_name (builder, "comment");
      if (version->comment != NULL)
        json_builder_add_string_value (builder, version->comment);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "policy");
      json_builder_add_string_value (builder, version->body);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  root = json_builder_get_root (builder);
  ag_admin_print_json (g_steal_pointer (&root));
}

int
ag_admin_policy_history (int argc, char **argv)
{
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (GPtrArray) versions = NULL;
  g_autoptr (GError) error = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON, with each version's policy"), NULL },
    { NULL },
  };

  if (!ag_admin_parse_options (argv[0], "",
                               _("List the saved versions of the supervisors' policy: number, "
                                  "author, time and comment, oldest first."),
                               entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc > 1)
    return usage_error (argv[0], _("too many arguments"));

  paths = get_paths (argv[0]);
  if (paths == NULL)
    return AG_EXIT_FAILURE;
  versions = ag_policy_versions_list (paths->supervisor_dir, &error);
  if (versions == NULL)
    {
      ag_admin_printerr ("%s: %s", argv[0], error->message);
      return AG_EXIT_IOERR;
    }

  if (json)
    {
      print_history_json (versions);
      return AG_EXIT_OK;
    }
  if (versions->len == 0)
    {
      g_print ("%s\n", _("No version of the supervisors' policy was saved yet."));
      return AG_EXIT_OK;
    }
  for (guint i = 0; i < versions->len; i++)
    {
      const AgPolicyVersion *version = g_ptr_array_index (versions, i);
      g_autofree char *time = ag_admin_format_utc (version->time_us);

      g_print ("%-4u  %s  %s  %s\n", version->number, time, version->author,
               version->comment != NULL ? version->comment : "");
    }
  return AG_EXIT_OK;
}
