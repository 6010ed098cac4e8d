/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-admin.h"
#include "ag-training-scenario.h"

/* agent-guard-admin training: the scripted calls of training mode. */

static JsonArray *
kinds_to_json (guint kinds)
{
  JsonArray *array = json_array_new ();

  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    if (kinds & (1u << kind))
      json_array_add_string_element (array, ag_pii_kind_to_string (kind));
  return array;
}

static char *
kinds_to_text (guint kinds)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    if (kinds & (1u << kind))
      {
        if (text->len > 0)
          g_string_append_c (text, ';');
        g_string_append (text, ag_pii_kind_to_string (kind));
      }
  if (text->len == 0)
    g_string_append_c (text, '-');
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
print_json (GPtrArray *scenarios, GPtrArray *errors)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();
  JsonArray *list = json_array_new ();
  JsonArray *refused = json_array_new ();

  for (guint i = 0; i < scenarios->len; i++)
    {
      AgTrainingScenario *scenario = g_ptr_array_index (scenarios, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "id", ag_training_scenario_get_id (scenario));
      json_object_set_string_member (entry, "title", ag_training_scenario_get_title (scenario));
      json_object_set_string_member (entry, "task", ag_training_scenario_get_task (scenario));
      json_object_set_boolean_member (entry, "required",
                                      ag_training_scenario_get_required (scenario));
      json_object_set_array_member (entry, "needs",
                                    kinds_to_json (ag_training_scenario_get_needs (scenario)));
      json_object_set_int_member (entry, "seed", (gint64) ag_training_scenario_get_seed (scenario));
      json_object_set_int_member (entry, "customer",
                                  ag_training_scenario_get_customer_index (scenario));
      json_object_set_int_member (entry, "steps", ag_training_scenario_get_n_steps (scenario));
      json_object_set_string_member (entry, "file", ag_training_scenario_get_origin (scenario));
      json_array_add_object_element (list, entry);
    }
  for (guint i = 0; i < errors->len; i++)
    json_array_add_string_element (refused, ((GError *) g_ptr_array_index (errors, i))->message);

  json_object_set_array_member (object, "scenarios", list);
  json_object_set_array_member (object, "refused", refused);
  json_node_take_object (root, object);
  ag_admin_print_json (g_steal_pointer (&root));
}

int
ag_admin_training_list (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  gboolean json = FALSE;
  GOptionEntry entries[]
    = { { "dir", 0, 0, G_OPTION_ARG_FILENAME, &dir,
          N_("Read the scenarios of this folder instead of the installed ones"), N_("DIR") },
        { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON"), NULL },
        { NULL } };
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) scenarios = NULL;

  if (!ag_admin_parse_options (
        "training list", NULL,
        _("Lists the training scenarios: id, whether passing it counts towards certification, "
           "the fields its task needs revealed, and its title. A scenario file that does not "
           "parse is refused whole and named with its line and key on stderr; the others are "
           "still listed, and the exit status is then 65."),
        entries, &argc, &argv))
    return AG_EXIT_USAGE;
  if (argc != 1)
    {
      ag_admin_printerr (_("training list: unexpected argument “%s”"), argv[1]);
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), "training list");
      return AG_EXIT_USAGE;
    }

  scenarios = ag_training_scenario_load_dir (
    dir != NULL ? dir : ag_training_scenario_get_default_dir (), errors);

  if (json)
    print_json (scenarios, errors);
  else
    for (guint i = 0; i < scenarios->len; i++)
      {
        AgTrainingScenario *scenario = g_ptr_array_index (scenarios, i);
        g_autofree char *needs = kinds_to_text (ag_training_scenario_get_needs (scenario));

        /* Translators: whether a training scenario counts towards certification. */
        g_print ("%-16s  %-9s  %-24s  %s\n", ag_training_scenario_get_id (scenario),
                 ag_training_scenario_get_required (scenario) ? _("required") : _("optional"),
                 needs, ag_training_scenario_get_title (scenario));
      }

  for (guint i = 0; i < errors->len; i++)
    ag_admin_printerr (_("refused: %s"), ((GError *) g_ptr_array_index (errors, i))->message);
  if (errors->len > 0)
    {
      GError *first = g_ptr_array_index (errors, 0);

      return first->code == AG_TRAINING_ERROR_IO && scenarios->len == 0 ? AG_EXIT_IOERR
                                                                        : AG_EXIT_DATAERR;
    }
  return AG_EXIT_OK;
}
