/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin-policy"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-admin.h"
#include "ag-policy.h"

static int
exit_code_for_policy_error (const GError *error)
{
  if (g_error_matches (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO))
    return AG_EXIT_IOERR;
  return AG_EXIT_DATAERR;
}

/* Problems are printed bare, one per line, as "FILE:LINE: key: problem", so that editors
 * and scripts can jump to them. */
static void
print_problem_lines (const char *lines)
{
  g_auto (GStrv) split = g_strsplit (lines, "\n", -1);

  for (guint i = 0; split[i] != NULL; i++)
    g_printerr ("%s\n", split[i]);
}

static const char *
layer_label (AgPolicyLayer layer)
{
  switch (layer)
    {
      case AG_POLICY_LAYER_SYSTEM:
        return _("The system policy (/etc/agent-guard)");
      case AG_POLICY_LAYER_SUPERVISOR:
        return _("The supervisors’ policy");
      case AG_POLICY_LAYER_USER:
        return _("Your own policy file");
      case AG_POLICY_LAYER_BUILT_IN:
      default:
        return _("The built-in policy");
    }
}

/**
 * ag_admin_load_policy:
 * @user: the Unix user
 * @refusals: (element-type AgPolicyRefusal): receives the layers the load refused
 *
 * The policy in force for @user, as the GUI starts with it: each layer stands or falls
 * alone. Prints the warnings and the refusals; the caller ledgers the refusals.
 *
 * Returns: (transfer full): the policy
 */
AgPolicy *
ag_admin_load_policy (const char *user, GPtrArray *refusals)
{
  g_autoptr (AgPolicyPaths) paths = ag_policy_paths_new_default ();
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) groups = ag_policy_get_user_groups (user);
  AgPolicy *policy;

  if (groups == NULL)
    groups = g_new0 (char *, 1);

  policy
    = ag_policy_load_layers (paths, user, (const char *const *) groups, NULL, warnings, refusals);
  for (guint i = 0; i < warnings->len; i++)
    g_printerr ("%s\n", (const char *) g_ptr_array_index (warnings, i));
  ag_admin_print_policy_refusals (refusals);
  return policy;
}

/**
 * ag_admin_print_policy_refusals:
 * @refusals: (element-type AgPolicyRefusal): the layers a load refused
 *
 * Prints each refused layer's problems, one per line as "FILE:LINE: key: problem", and
 * then what stands in for it.
 */
void
ag_admin_print_policy_refusals (GPtrArray *refusals)
{
  for (guint i = 0; i < refusals->len; i++)
    {
      const AgPolicyRefusal *refusal = g_ptr_array_index (refusals, i);

      print_problem_lines (refusal->message);
      switch (refusal->layer)
        {
          case AG_POLICY_LAYER_SYSTEM:
            ag_admin_printerr (_("%s is refused for the problems above; in force instead: the "
                                  "strict built-in defaults with every admin bound that "
                                  "loaded (a running Agent Guard keeps its last good system "
                                  "policy)"),
                               layer_label (refusal->layer));
            break;
          case AG_POLICY_LAYER_SUPERVISOR:
          case AG_POLICY_LAYER_USER:
          case AG_POLICY_LAYER_BUILT_IN:
          default:
            ag_admin_printerr (_("%s is refused for the problems above; the layers below it "
                                  "stay in force"),
                               layer_label (refusal->layer));
            break;
        }
    }
}

static int
exit_code_for_refusals (GPtrArray *refusals)
{
  for (guint i = 0; i < refusals->len; i++)
    if (((const AgPolicyRefusal *) g_ptr_array_index (refusals, i))->code == AG_POLICY_ERROR_IO)
      return AG_EXIT_IOERR;
  return refusals->len > 0 ? AG_EXIT_DATAERR : AG_EXIT_OK;
}

static JsonArray *
refusals_to_json (GPtrArray *refusals)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < refusals->len; i++)
    {
      const AgPolicyRefusal *refusal = g_ptr_array_index (refusals, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "layer", ag_policy_layer_to_string (refusal->layer));
      json_object_set_string_member (object, "file", refusal->file);
      json_object_set_int_member (object, "line", refusal->line);
      if (refusal->key != NULL)
        json_object_set_string_member (object, "key", refusal->key);
      json_object_set_string_member (object, "problem", ag_policy_error_to_string (refusal->code));
      json_object_set_string_member (object, "message", refusal->message);
      json_array_add_object_element (array, object);
    }
  return array;
}

/* @text is a value as a policy file writes it. */
static JsonNode *
value_to_json (AgPolicyKey key, const char *text)
{
  switch (key)
    {
      case AG_POLICY_KEY_IDLE_LOCK:
      case AG_POLICY_KEY_LOCK_WARNING:
      case AG_POLICY_KEY_REVEAL_DURATION:
      case AG_POLICY_KEY_STEP_UP_GRACE:
      case AG_POLICY_KEY_MAX_REVEALS_PER_HOUR:
      case AG_POLICY_KEY_MAX_IDENTIFIER_SEARCHES_PER_HOUR:
      case AG_POLICY_KEY_LEDGER_RETENTION_DAYS:
        return json_node_init_int (json_node_alloc (), g_ascii_strtoll (text, NULL, 10));
      case AG_POLICY_KEY_ALERT_DISTINCT_CUSTOMERS_PER_HOUR:
      case AG_POLICY_KEY_ALERT_DENIED_PER_HOUR:
        /* A count, or "off". */
        if (g_ascii_isdigit (text[0]))
          return json_node_init_int (json_node_alloc (), g_ascii_strtoll (text, NULL, 10));
        return json_node_init_string (json_node_alloc (), text);
      case AG_POLICY_KEY_REQUIRE_REASON:
      case AG_POLICY_KEY_REMASK_ON_FOCUS_LOSS:
      case AG_POLICY_KEY_LOCK_ON_MINIMISE:
        return json_node_init_boolean (json_node_alloc (), g_str_equal (text, "true"));
      case AG_POLICY_KEY_REASON_CODES:
      case AG_POLICY_KEY_STEP_UP_KINDS:
      case AG_POLICY_KEY_MASKED_KINDS:
        {
          g_auto (GStrv) items = g_strsplit (text, ";", -1);
          JsonArray *array = json_array_new ();
          JsonNode *node = json_node_new (JSON_NODE_ARRAY);

          for (guint i = 0; items[i] != NULL; i++)
            if (items[i][0] != '\0')
              json_array_add_string_element (array, items[i]);
          json_node_take_array (node, array);
          return node;
        }
      case AG_POLICY_KEY_TRAINING_PASS_SCORE:
        return json_node_init_double (json_node_alloc (), g_ascii_strtod (text, NULL));
      case AG_POLICY_KEY_CLIPBOARD:
      default:
        return json_node_init_string (json_node_alloc (), text);
    }
}

static JsonArray *
strings_to_json (const char *const *strings, guint n_strings)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; strings != NULL && i < n_strings; i++)
    json_array_add_string_element (array, strings[i]);
  return array;
}

static void
print_json (AgPolicy *policy, const char *user_name, const GError *error, GPtrArray *warnings,
            GPtrArray *refusals)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_auto (GStrv) errors = NULL;
  JsonObject *object = json_object_new ();
  JsonObject *keys = json_object_new ();

  if (error != NULL)
    errors = g_strsplit (error->message, "\n", -1);

  json_object_set_string_member (object, "user", user_name);
  json_object_set_string_member (object, "version", ag_policy_get_version (policy));
  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      JsonObject *entry = json_object_new ();
      g_autofree char *bound = ag_policy_dup_bound_string (policy, key);

      g_autofree char *value = ag_policy_dup_value_string (policy, key);

      json_object_set_member (entry, "value", value_to_json (key, value));
      json_object_set_string_member (entry, "origin", ag_policy_get_origin (policy, key));
      if (bound != NULL)
        {
          json_object_set_member (entry, "bound", value_to_json (key, bound));
          json_object_set_string_member (entry, "bound_origin",
                                         ag_policy_get_bound_origin (policy, key));
        }
      json_object_set_object_member (keys, ag_policy_key_to_string (key), entry);
    }
  json_object_set_object_member (object, "policy", keys);
  json_object_set_array_member (
    object, "errors",
    strings_to_json ((const char *const *) errors, errors != NULL ? g_strv_length (errors) : 0));
  json_object_set_array_member (
    object, "warnings", strings_to_json ((const char *const *) warnings->pdata, warnings->len));
  json_object_set_array_member (object, "refused", refusals_to_json (refusals));

  json_node_take_object (root, object);
  ag_admin_print_json (g_steal_pointer (&root));
}

static void
print_table (AgPolicy *policy)
{
  char *values[AG_POLICY_N_KEYS] = { NULL };
  int key_width = 0;
  int value_width = 0;

  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      values[key] = ag_policy_dup_value_string (policy, key);
      key_width = MAX (key_width, (int) strlen (ag_policy_key_to_string (key)));
      value_width = MAX (value_width, (int) g_utf8_strlen (values[key], -1));
    }

  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      g_print ("%-*s  %-*s  %s\n", key_width, ag_policy_key_to_string (key), value_width,
               values[key], ag_policy_get_origin (policy, key));
      g_clear_pointer (&values[key], g_free);
    }
}

int
ag_admin_policy_show (int argc, char **argv)
{
  g_autofree char *user = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[] = { { "user", 'u', 0, G_OPTION_ARG_STRING, &user,
                               N_("Show the policy of this agent (default: you)"), N_("USER") },
                             { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
                             { NULL } };
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) refusals
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_auto (GStrv) groups = NULL;
  int exit_code = AG_EXIT_OK;

  if (!ag_admin_parse_options (
        "policy show", "",
        _("Prints every policy key, its effective value and where it came from: “built-in” "
           "or the FILE:LINE that set it. Each layer (system, supervisors, your own file) "
           "stands or falls alone: when a file has a problem, its whole layer is refused, "
           "the problems go to stderr, the exit status is 65 (74 when a file cannot be "
           "read), and the values shown are those Agent Guard uses when it starts so: the "
           "layers below the refused one, or for a refused system layer the built-in "
           "defaults with every admin bound that loaded (a running Agent Guard keeps its "
           "last good system and supervisor layers instead)."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;

  if (argc > 1)
    {
      ag_admin_printerr (_("policy show: unexpected argument “%s”"), argv[1]);
      return AG_EXIT_USAGE;
    }

  if (user == NULL)
    user = g_strdup (g_get_user_name ());
  groups = ag_policy_get_user_groups (user);
  if (groups == NULL)
    {
      ag_admin_printerr (_("policy show: no such user “%s”"), user);
      return AG_EXIT_FAILURE;
    }

  paths = ag_policy_paths_new_default ();
  policy
    = ag_policy_load_layers (paths, user, (const char *const *) groups, NULL, warnings, refusals);
  ag_admin_print_policy_refusals (refusals);
  exit_code = exit_code_for_refusals (refusals);
  ag_policy_refusals_propagate (refusals, &error);

  for (guint i = 0; i < warnings->len; i++)
    g_printerr ("%s\n", (const char *) g_ptr_array_index (warnings, i));
  /* The lines above stay as they are (editors and scripts read them); this one says what
   * they mean for the agent. */
  if (warnings->len > 0)
    ag_admin_printerr (ngettext ("%u line of your own policy file is ignored (above); the "
                                 "policy in force does not have it",
                                 "%u lines of your own policy file are ignored (above); the "
                                 "policy in force does not have them",
                                 warnings->len),
                       warnings->len);

  if (json)
    print_json (policy, user, error, warnings, refusals);
  else
    print_table (policy);

  return exit_code;
}

/* Which layer a file belongs to: by where it is, then by its sections. */
static AgPolicyLayer
guess_layer (const char *path, const char *data, const AgPolicyPaths *paths)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_auto (GStrv) lines = NULL;

  if (paths->supervisor_dir != NULL)
    {
      g_autoptr (GFile) dir = g_file_new_for_path (paths->supervisor_dir);

      if (g_file_has_parent (file, dir))
        return AG_POLICY_LAYER_SUPERVISOR;
    }
  if (paths->user_file != NULL)
    {
      g_autoptr (GFile) user_file = g_file_new_for_path (paths->user_file);

      if (g_file_equal (file, user_file))
        return AG_POLICY_LAYER_USER;
    }

  lines = g_strsplit (data, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      while (g_ascii_isspace (*line))
        line++;
      if (g_str_has_prefix (line, "[team:") || g_str_has_prefix (line, "[user:"))
        return AG_POLICY_LAYER_SUPERVISOR;
    }

  return AG_POLICY_LAYER_SYSTEM;
}

int
ag_admin_policy_check (int argc, char **argv)
{
  g_autofree char *layer_name = NULL;
  GOptionEntry entries[]
    = { { "layer", 0, 0, G_OPTION_ARG_STRING, &layer_name,
          N_("Check the file as a file of this layer instead of guessing from its place and "
              "sections"),
          N_("system|supervisor|user") },
        { NULL } };
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_autoptr (AgPolicy) bounds = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  const char *path;
  gsize length = 0;
  AgPolicyLayer layer;

  if (!ag_admin_parse_options (
        "policy check", _("FILE"),
        _("Checks a policy file without applying it: syntax, sections, keys, values and "
           "admin bounds. A supervisor or user file is also checked against the admin bounds "
           "installed on this machine. Prints “FILE: OK” and exits 0, or prints every "
           "problem as FILE:LINE: key: problem and exits 65 (74 when the file cannot be "
           "read)."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;

  if (argc != 2)
    {
      ag_admin_printerr (_("policy check: expected exactly one FILE"));
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), "policy check");
      return AG_EXIT_USAGE;
    }
  path = argv[1];

  paths = ag_policy_paths_new_default ();

  if (layer_name == NULL)
    layer = AG_POLICY_LAYER_BUILT_IN;
  else if (g_str_equal (layer_name, "system"))
    layer = AG_POLICY_LAYER_SYSTEM;
  else if (g_str_equal (layer_name, "supervisor"))
    layer = AG_POLICY_LAYER_SUPERVISOR;
  else if (g_str_equal (layer_name, "user"))
    layer = AG_POLICY_LAYER_USER;
  else
    {
      ag_admin_printerr (_("policy check: unknown layer “%s” (use system, supervisor or user)"),
                         layer_name);
      return AG_EXIT_USAGE;
    }

  if (!g_file_get_contents (path, &data, &length, &error))
    {
      ag_admin_printerr ("%s: %s", path, error->message);
      return AG_EXIT_IOERR;
    }

  if (layer == AG_POLICY_LAYER_BUILT_IN)
    layer = guess_layer (path, data, paths);

  if (layer == AG_POLICY_LAYER_SUPERVISOR && paths->system_dir != NULL)
    {
      g_autoptr (AgPolicyPaths) system_only = ag_policy_paths_new (paths->system_dir, NULL, NULL);
      g_autoptr (GError) system_error = NULL;

      bounds = ag_policy_load (system_only, NULL, NULL, NULL, &system_error);
      if (bounds == NULL)
        {
          ag_admin_printerr (_("the installed admin bounds cannot be read, so the file is "
                                "checked against the built-in limits only:"));
          print_problem_lines (system_error->message);
        }
    }

  if (!ag_policy_validate_layer_data (path, data, length, layer, bounds, &error))
    {
      print_problem_lines (error->message);
      return exit_code_for_policy_error (error);
    }

  /* The agent's own file is never refused for being looser: those values are ignored, and
   * the agent should know which. */
  if (layer == AG_POLICY_LAYER_USER)
    {
      g_autoptr (AgPolicyPaths) with_file
        = ag_policy_paths_new (paths->system_dir, paths->supervisor_dir, path);
      g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
      g_auto (GStrv) groups = ag_policy_get_user_groups (g_get_user_name ());
      g_autoptr (AgPolicy) policy = NULL;

      policy = ag_policy_load (with_file, g_get_user_name (), (const char *const *) groups,
                               warnings, NULL);
      for (guint i = 0; policy != NULL && i < warnings->len; i++)
        g_printerr ("%s\n", (const char *) g_ptr_array_index (warnings, i));
    }

  g_print (_("%s: OK\n"), path);
  return AG_EXIT_OK;
}
