/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-training"

#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "ag-synth.h"
#include "ag-training-private.h"

/* Scenario files larger than this are refused unread: a scripted call is a few kilobytes. */
#define MAX_FILE_SIZE (256 * 1024)

G_DEFINE_FINAL_TYPE (AgTrainingScenario, ag_training_scenario, G_TYPE_OBJECT)

GQuark
ag_training_error_quark (void)
{
  return g_quark_from_static_string ("ag-training-error-quark");
}

void
ag_training_step_free (AgTrainingStep *step)
{
  g_free (step->id);
  g_free (step->caller);
  g_ptr_array_unref (step->replies);
  g_free (step);
}

void
ag_training_reply_free (AgTrainingReply *reply)
{
  g_free (reply->id);
  g_free (reply->text);
  g_free (reply->explanation);
  g_free (reply->rule);
  g_free (reply->next);
  g_free (reply);
}

static void
ag_training_scenario_finalize (GObject *object)
{
  AgTrainingScenario *self = AG_TRAINING_SCENARIO (object);

  g_free (self->origin);
  g_free (self->id);
  g_free (self->title);
  g_free (self->task);
  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    g_free (self->unneeded[kind]);
  g_hash_table_unref (self->steps_by_id);
  g_ptr_array_unref (self->steps);
  g_ptr_array_unref (self->replies);

  G_OBJECT_CLASS (ag_training_scenario_parent_class)->finalize (object);
}

static void
ag_training_scenario_class_init (AgTrainingScenarioClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ag_training_scenario_finalize;
}

static void
ag_training_scenario_init (AgTrainingScenario *self)
{
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_training_step_free);
  self->steps_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->replies = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_training_reply_free);
  self->customer_index = 1;
  self->required = TRUE;
}

/**
 * ag_training_scenario_new_from_data:
 * @origin: the file name to put in errors
 * @data: the text of a scenario file (data/training/README.md)
 * @length: its length, or -1 when it ends with a NUL
 * @error: every problem of the file, one per line, as "FILE:LINE: key: problem"
 *
 * Parses a scenario, whole or not at all. The shown strings are translated now, into the
 * current locale: the file's own `Key[locale]` when it has one, else the catalogue's.
 *
 * Returns: (transfer full) (nullable): the scenario
 */
AgTrainingScenario *
ag_training_scenario_new_from_data (const char *origin, const char *data, gssize length,
                                    GError **error)
{
  g_autoptr (AgTrainingScenario) self = NULL;

  g_return_val_if_fail (origin != NULL, NULL);
  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AG_TYPE_TRAINING_SCENARIO, NULL);
  self->origin = g_strdup (origin);
  if (!ag_training_parse (self, origin, data, length < 0 ? strlen (data) : (gsize) length, error))
    return NULL;
  return g_steal_pointer (&self);
}

AgTrainingScenario *
ag_training_scenario_new_from_file (const char *path, GError **error)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autofree char *data = NULL;
  g_autoptr (GError) local_error = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  file = g_file_new_for_path (path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL,
                            &local_error);
  if (info != NULL && g_file_info_get_size (info) > MAX_FILE_SIZE)
    {
      g_set_error (error, AG_TRAINING_ERROR, AG_TRAINING_ERROR_IO,
                   "%s:0: the file is larger than %d bytes", path, MAX_FILE_SIZE);
      return NULL;
    }
  if (info == NULL || !g_file_load_contents (file, NULL, &data, &length, NULL, &local_error))
    {
      g_set_error (error, AG_TRAINING_ERROR, AG_TRAINING_ERROR_IO, "%s:0: %s", path,
                   local_error->message);
      return NULL;
    }

  return ag_training_scenario_new_from_data (path, data, (gssize) length, error);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/**
 * ag_training_scenario_load_dir:
 * @folder: where the `*.scenario` files are
 * @errors: (element-type GError): where the error of each file refused goes, and of the
 *   folder itself
 *
 * Loads every `*.scenario` file of @folder, in the order of their names. A file that does
 * not parse is refused whole (its error is added to @errors); the others still load. Two
 * files with the same Id: the second is refused.
 *
 * Returns: (transfer container) (element-type AgTrainingScenario): the scenarios loaded
 */
GPtrArray *
ag_training_scenario_load_dir (const char *folder, GPtrArray *errors)
{
  g_autoptr (GPtrArray) scenarios = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  GError *error = NULL;
  const char *name;

  g_return_val_if_fail (folder != NULL, NULL);
  g_return_val_if_fail (errors != NULL, NULL);

  dir = g_dir_open (folder, 0, &error);
  if (dir == NULL)
    {
      GError *wrapped
        = g_error_new (AG_TRAINING_ERROR, AG_TRAINING_ERROR_IO, "%s:0: %s", folder, error->message);

      g_error_free (error);
      g_ptr_array_add (errors, wrapped);
      return g_steal_pointer (&scenarios);
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, AG_TRAINING_SCENARIO_SUFFIX) && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, g_ptr_array_index (names, i), NULL);
      AgTrainingScenario *scenario = ag_training_scenario_new_from_file (path, &error);

      if (scenario == NULL)
        {
          g_ptr_array_add (errors, error);
          error = NULL;
          continue;
        }
      if (g_hash_table_contains (ids, scenario->id))
        {
          g_ptr_array_add (errors, g_error_new (AG_TRAINING_ERROR, AG_TRAINING_ERROR_DUPLICATE,
                                                "%s:0: Id: %s is the Id of another file too", path,
                                                scenario->id));
          g_object_unref (scenario);
          continue;
        }
      g_hash_table_add (ids, scenario->id);
      g_ptr_array_add (scenarios, scenario);
    }

  return g_steal_pointer (&scenarios);
}

/**
 * ag_training_scenario_get_default_dir:
 *
 * Returns: where the shipped scenarios are installed (`DATADIR/agent-guard/training`)
 */
const char *
ag_training_scenario_get_default_dir (void)
{
  return AG_TRAINING_DIR;
}

const char *
ag_training_scenario_get_id (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  return self->id;
}

const char *
ag_training_scenario_get_origin (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  return self->origin;
}

const char *
ag_training_scenario_get_title (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  return self->title;
}

const char *
ag_training_scenario_get_task (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  return self->task;
}

guint64
ag_training_scenario_get_seed (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), 0);
  return self->seed;
}

/* Which customer of the seed's sequence the caller is, from 1. */
guint
ag_training_scenario_get_customer_index (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), 0);
  return self->customer_index;
}

/* The #AgPiiKind bits of the fields the task needs revealed. */
guint
ag_training_scenario_get_needs (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), 0);
  return self->needs;
}

/* Whether passing it counts towards certification. */
gboolean
ag_training_scenario_get_required (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), FALSE);
  return self->required;
}

/* The file's own explanation of why revealing @kind was not needed, or %NULL. */
const char *
ag_training_scenario_get_unneeded_explanation (AgTrainingScenario *self, AgPiiKind kind)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  return self->unneeded[kind];
}

const AgTrainingStep *
ag_training_scenario_get_start (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  return self->start;
}

const AgTrainingStep *
ag_training_scenario_get_identity_step (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  return self->identity_step;
}

const AgTrainingStep *
ag_training_scenario_get_step (AgTrainingScenario *self, const char *id)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  return g_hash_table_lookup (self->steps_by_id, id);
}

guint
ag_training_scenario_get_n_steps (AgTrainingScenario *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (self), 0);
  return self->steps->len;
}

/**
 * ag_training_scenario_make_customer:
 * @self: a scenario
 * @out: (out caller-allocates): a zeroed #AgCustomerData or one filled before
 *
 * The synthetic customer of the call: the scenario's customer of its AgSynth seed.
 */
void
ag_training_scenario_make_customer (AgTrainingScenario *self, AgCustomerData *out)
{
  g_autoptr (AgSynth) synth = NULL;

  g_return_if_fail (AG_IS_TRAINING_SCENARIO (self));
  g_return_if_fail (out != NULL);

  synth = ag_synth_new (self->seed);
  for (guint i = 0; i < self->customer_index; i++)
    ag_synth_next (synth, out);
}

static char *
last_digits (const char *value, guint n)
{
  g_autoptr (GString) digits = g_string_new (NULL);

  for (const char *p = value; p != NULL && *p != '\0'; p++)
    if (g_ascii_isdigit (*p))
      g_string_append_c (digits, *p);
  if (digits->len < n)
    return g_strdup ("");
  return g_strdup (digits->str + digits->len - n);
}

/**
 * ag_training_scenario_expand:
 * @text: a caller's line or a reply
 * @customer: the call's synthetic customer
 *
 * Replaces the placeholders of @text with what the caller knows of @customer:
 * `{first-name}`, `{cpf-middle}` (the six middle digits, `456.789`, which the CPF mask
 * shows too), `{card-last4}` and `{phone-last4}`. Anything else is left as written.
 *
 * Returns: (transfer full): the text to show
 */
char *
ag_training_scenario_expand (const char *text, const AgCustomerData *customer)
{
  g_autoptr (GString) out = NULL;
  g_autofree char *first_name = NULL;
  g_autofree char *cpf_middle = NULL;
  g_autofree char *card_last4 = NULL;
  g_autofree char *phone_last4 = NULL;
  const char *cpf;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (customer != NULL, NULL);

  out = g_string_new (text);
  if (customer->values[AG_PII_KIND_NAME] != NULL)
    first_name = g_strndup (customer->values[AG_PII_KIND_NAME],
                            strcspn (customer->values[AG_PII_KIND_NAME], " "));
  cpf = customer->values[AG_PII_KIND_CPF];
  if (cpf != NULL && strlen (cpf) == 11)
    cpf_middle = g_strdup_printf ("%.3s.%.3s", cpf + 3, cpf + 6);
  card_last4 = last_digits (customer->values[AG_PII_KIND_CARD_NUMBER], 4);
  phone_last4 = last_digits (customer->values[AG_PII_KIND_PHONE], 4);

  g_string_replace (out, "{first-name}", first_name != NULL ? first_name : "", 0);
  g_string_replace (out, "{cpf-middle}", cpf_middle != NULL ? cpf_middle : "", 0);
  g_string_replace (out, "{card-last4}", card_last4, 0);
  g_string_replace (out, "{phone-last4}", phone_last4, 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}
