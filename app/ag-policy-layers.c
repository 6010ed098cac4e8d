/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-policy-private.h"

/*
 * A load goes through the layers in order, and each stands or falls alone: a layer with
 * any problem is refused whole (nothing of it is applied) and the layers below it stay in
 * force. A refused system or supervisor layer is replaced by its last good version, which
 * every policy carries for the next load; with none, a refused system layer still gives
 * every admin bound that parsed, since a bound can only tighten. A failing layer never
 * loosens anything.
 */

static char *
origin_at (const char *file, guint line)
{
  return g_strdup_printf ("%s:%u", file, line);
}

/* Checks @entry of @file against the admin bounds of @self. */
static gboolean
check_bound (AgPolicy *self, const ParsedFile *file, const Entry *entry, Problems *problems)
{
  const char *key = ag_policy_key_info[entry->key].name;
  const Value *bound = &self->bounds[entry->key];
  g_autofree char *value_str = NULL;
  g_autofree char *bound_str = NULL;

  if (!ag_policy_value_is_looser (entry->key, &entry->value, bound))
    return TRUE;

  value_str = ag_policy_value_to_string (entry->key, &entry->value);
  bound_str = ag_policy_value_to_string (entry->key, bound);

  if (ag_policy_key_info[entry->key].strictness == STRICT_MORE_KINDS)
    {
      g_autofree char *missing = ag_policy_kinds_to_string (bound->number & ~entry->value.number);

      ag_policy_add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                             _("leaves out %s, which the admin bound set in %s requires"), missing,
                             self->bound_origins[entry->key]);
    }
  else if (ag_policy_key_info[entry->key].strictness == STRICT_HIGHER)
    ag_policy_add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                           _("%s is below the admin bound %s set in %s"), value_str, bound_str,
                           self->bound_origins[entry->key]);
  else if (ag_policy_key_info[entry->key].type == TYPE_SECONDS
           || ag_policy_key_info[entry->key].type == TYPE_COUNT)
    ag_policy_add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                           _("%s is above the admin bound %s set in %s"), value_str, bound_str,
                           self->bound_origins[entry->key]);
  else
    ag_policy_add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                           _("%s is looser than the admin bound %s set in %s"), value_str,
                           bound_str, self->bound_origins[entry->key]);
  return FALSE;
}

/* Takes in the [bounds] sections of @file: each may only tighten the bounds so far. */
static void
apply_bounds (AgPolicy *self, const ParsedFile *file, Problems *problems)
{
  for (guint s = 0; s < file->sections->len; s++)
    {
      const Section *section = g_ptr_array_index (file->sections, s);

      if (section->kind != SECTION_BOUNDS)
        continue;

      for (guint i = 0; i < section->entries->len; i++)
        {
          const Entry *entry = &g_array_index (section->entries, Entry, i);
          g_autofree char *origin = NULL;

          if (!check_bound (self, file, entry, problems))
            continue;

          origin = origin_at (file->origin, entry->line);
          ag_policy_value_copy (&self->bounds[entry->key], &entry->value);
          g_free (self->bound_origins[entry->key]);
          self->bound_origins[entry->key] = g_steal_pointer (&origin);
        }
    }
}

/* Applies the entries of @section after checking each against the bounds. */
static void
apply_section (AgPolicy *self, const ParsedFile *file, const Section *section, guint *seq,
               guint *counter, Problems *problems)
{
  for (guint i = 0; i < section->entries->len; i++)
    {
      const Entry *entry = &g_array_index (section->entries, Entry, i);
      g_autofree char *origin = NULL;

      if (!check_bound (self, file, entry, problems))
        continue;

      origin = origin_at (file->origin, entry->line);
      ag_policy_set_value (self, entry->key, &entry->value, origin);
      seq[entry->key] = ++(*counter);
    }
}

/* Brings the built-in defaults within tighter admin bounds: a bound is the loosest value
 * allowed, and the defaults are no exception. */
static void
clamp_defaults (AgPolicy *self, guint *seq, guint *counter)
{
  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      Value clamped = { 0, NULL };

      if (!g_str_equal (self->origins[key], AG_POLICY_BUILT_IN_ORIGIN)
          || !ag_policy_value_is_looser (key, &self->values[key], &self->bounds[key]))
        continue;

      if (ag_policy_key_info[key].strictness == STRICT_MORE_KINDS)
        clamped.number = self->values[key].number | self->bounds[key].number;
      else
        clamped.number = self->bounds[key].number;

      ag_policy_set_value (self, key, &clamped, self->bound_origins[key]);
      seq[key] = ++(*counter);
    }
}

/* Why the agent's own @entry cannot tighten the policy in force, or %NULL when it can. */
static char *
user_entry_problem (AgPolicy *self, const Entry *entry)
{
  AgPolicyKey key = entry->key;

  if (ag_policy_value_is_looser (key, &entry->value, &self->values[key]))
    {
      g_autofree char *value_str = ag_policy_value_to_string (key, &entry->value);
      g_autofree char *current_str = ag_policy_value_to_string (key, &self->values[key]);

      return g_strdup_printf (_("%s is looser than the policy in force (%s, from %s); "
                                 "ignored"),
                              value_str, current_str, self->origins[key]);
    }
  if (key == AG_POLICY_KEY_REASON_CODES)
    {
      /* Fewer codes is stricter; new ones are not the agent's to invent. */
      for (guint c = 0; entry->value.codes[c] != NULL; c++)
        if (!g_strv_contains ((const char *const *) self->values[key].codes, entry->value.codes[c]))
          return g_strdup_printf (_("“%s” is not among the reason codes in force "
                                     "(from %s); ignored"),
                                  entry->value.codes[c], self->origins[key]);
    }
  return NULL;
}

/* The agent's own file may only tighten: looser values become warnings. A limit that
 * involves two keys (lock-warning below idle-lock) is checked once the whole file is
 * read, so that the order of its lines changes nothing: a stricter idle-lock is kept
 * rather than its lock-warning, when only one of the two can be. */
static void
apply_user_file (AgPolicy *self, const ParsedFile *file, GPtrArray *warnings)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new ();
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  int idle_index = -1;
  int warning_index = -1;
  gint64 idle = self->values[AG_POLICY_KEY_IDLE_LOCK].number;
  gint64 warning = self->values[AG_POLICY_KEY_LOCK_WARNING].number;

  for (guint s = 0; s < file->sections->len; s++)
    {
      const Section *section = g_ptr_array_index (file->sections, s);

      for (guint i = 0; i < section->entries->len; i++)
        {
          const Entry *entry = &g_array_index (section->entries, Entry, i);
          char *message = user_entry_problem (self, entry);

          if (message == NULL && entry->key == AG_POLICY_KEY_IDLE_LOCK)
            {
              idle_index = entries->len;
              idle = entry->value.number;
            }
          else if (message == NULL && entry->key == AG_POLICY_KEY_LOCK_WARNING)
            {
              warning_index = entries->len;
              warning = entry->value.number;
            }
          g_ptr_array_add (entries, (gpointer) entry);
          g_ptr_array_add (messages, message);
        }
    }

  if (warning >= idle && warning_index >= 0)
    {
      const Entry *entry = g_ptr_array_index (entries, warning_index);
      g_autofree char *value_str = ag_policy_value_to_string (entry->key, &entry->value);

      messages->pdata[warning_index] = g_strdup_printf (
        _("%s is not shorter than idle-lock (%d); ignored"), value_str, (int) idle);
      warning = self->values[AG_POLICY_KEY_LOCK_WARNING].number;
    }
  if (warning >= idle && idle_index >= 0)
    {
      const Entry *entry = g_ptr_array_index (entries, idle_index);
      g_autofree char *value_str = ag_policy_value_to_string (entry->key, &entry->value);

      messages->pdata[idle_index] = g_strdup_printf (
        _("%s is not longer than lock-warning (%d); ignored"), value_str, (int) warning);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);
      const char *message = g_ptr_array_index (messages, i);
      g_autofree char *origin = NULL;

      if (message != NULL)
        {
          if (warnings != NULL)
            g_ptr_array_add (
              warnings, ag_policy_format_problem (file->origin, entry->line,
                                                  ag_policy_key_info[entry->key].name, message));
          continue;
        }

      origin = origin_at (file->origin, entry->line);
      ag_policy_set_value (self, entry->key, &entry->value, origin);
    }
}

static void
check_lock_warning (AgPolicy *self, const guint *seq, Problems *problems)
{
  const Value *idle = &self->values[AG_POLICY_KEY_IDLE_LOCK];
  const Value *warning = &self->values[AG_POLICY_KEY_LOCK_WARNING];
  AgPolicyKey culprit;
  const char *origin;
  const char *colon;
  g_autofree char *file = NULL;
  guint line = 0;

  if (warning->number < idle->number)
    return;

  /* Blame whichever of the two was set last. */
  culprit = seq[AG_POLICY_KEY_LOCK_WARNING] >= seq[AG_POLICY_KEY_IDLE_LOCK]
              ? AG_POLICY_KEY_LOCK_WARNING
              : AG_POLICY_KEY_IDLE_LOCK;
  origin = self->origins[culprit];
  colon = strrchr (origin, ':');
  if (colon != NULL)
    {
      file = g_strndup (origin, colon - origin);
      line = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
    }
  else
    file = g_strdup (origin);

  ag_policy_add_problem (
    problems, AG_POLICY_ERROR_OUT_OF_RANGE, file, line, ag_policy_key_info[culprit].name,
    _("lock-warning (%d, from %s) must be shorter than idle-lock (%d, from %s)"),
    (int) warning->number, self->origins[AG_POLICY_KEY_LOCK_WARNING], (int) idle->number,
    self->origins[AG_POLICY_KEY_IDLE_LOCK]);
}

static gboolean
section_applies (const Section *section, SectionKind kind, const char *user_name,
                 const char *const *groups)
{
  if (section->kind != kind)
    return FALSE;
  if (kind == SECTION_USER)
    return user_name != NULL && g_str_equal (section->target, user_name);
  return groups != NULL && g_strv_contains (groups, section->target);
}

static GPtrArray *
new_file_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_parsed_file_free);
}

/* Reads every file of a system or supervisor layer: for the system layer policy.conf
 * then policy.d/ *.conf in @dir, for the supervisors' *.conf in @dir. */
static GPtrArray *
parse_layer (AgPolicyLayer layer, const char *dir, Problems *problems)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *files = new_file_array ();

  if (dir == NULL)
    return files;

  if (layer == AG_POLICY_LAYER_SYSTEM)
    {
      g_autofree char *drop_in = g_build_filename (dir, "policy.d", NULL);

      g_ptr_array_add (paths, g_build_filename (dir, "policy.conf", NULL));
      ag_policy_list_conf_files (drop_in, paths, problems);
    }
  else
    ag_policy_list_conf_files (dir, paths, problems);

  for (guint i = 0; i < paths->len; i++)
    {
      ParsedFile *file = ag_policy_parse_layer_file (g_ptr_array_index (paths, i), layer, problems);

      if (file != NULL)
        g_ptr_array_add (files, file);
    }
  return files;
}

/* A policy under construction, with the order in which its keys were set (to blame the
 * later of idle-lock and lock-warning). A layer is tried on a copy and the copy is kept
 * only when the layer had no problem. */
typedef struct
{
  AgPolicy *policy;
  guint seq[AG_POLICY_N_KEYS];
  guint counter;
} Draft;

static void
draft_copy (Draft *dest, const Draft *src)
{
  AgPolicy *copy = g_object_new (AG_TYPE_POLICY, NULL);

  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      ag_policy_value_copy (&copy->values[key], &src->policy->values[key]);
      ag_policy_value_copy (&copy->bounds[key], &src->policy->bounds[key]);
      g_free (copy->origins[key]);
      copy->origins[key] = g_strdup (src->policy->origins[key]);
      g_free (copy->bound_origins[key]);
      copy->bound_origins[key] = g_strdup (src->policy->bound_origins[key]);
    }
  if (src->policy->system_files != NULL)
    copy->system_files = g_ptr_array_ref (src->policy->system_files);
  if (src->policy->supervisor_files != NULL)
    copy->supervisor_files = g_ptr_array_ref (src->policy->supervisor_files);

  dest->policy = copy;
  memcpy (dest->seq, src->seq, sizeof dest->seq);
  dest->counter = src->counter;
}

static void
draft_clear (Draft *draft)
{
  g_clear_object (&draft->policy);
}

/* Replaces @draft with @other, which it takes. */
static void
draft_take (Draft *draft, Draft *other)
{
  draft_clear (draft);
  *draft = *other;
  other->policy = NULL;
}

/* Layer 2: every bound first, then the values, so that a value is held to every bound of
 * the layer wherever the bound was written; then the defaults within the bounds. */
static void
apply_system_layer (Draft *draft, GPtrArray *files, Problems *problems)
{
  for (guint i = 0; i < files->len; i++)
    apply_bounds (draft->policy, g_ptr_array_index (files, i), problems);
  for (guint i = 0; i < files->len; i++)
    {
      const ParsedFile *file = g_ptr_array_index (files, i);

      for (guint s = 0; s < file->sections->len; s++)
        {
          const Section *section = g_ptr_array_index (file->sections, s);

          if (section->kind == SECTION_POLICY)
            apply_section (draft->policy, file, section, draft->seq, &draft->counter, problems);
        }
    }
  clamp_defaults (draft->policy, draft->seq, &draft->counter);
  check_lock_warning (draft->policy, draft->seq, problems);
}

/* Layer 3: teams, then the user's own section, which wins. Every section is checked,
 * whoever it is for. */
static void
apply_supervisor_layer (Draft *draft, GPtrArray *files, const char *user_name,
                        const char *const *groups, Problems *problems)
{
  for (SectionKind kind = SECTION_TEAM; kind <= SECTION_USER; kind++)
    for (guint i = 0; i < files->len; i++)
      {
        const ParsedFile *file = g_ptr_array_index (files, i);

        for (guint s = 0; s < file->sections->len; s++)
          {
            const Section *section = g_ptr_array_index (file->sections, s);

            if (section->kind != kind)
              continue;
            if (section_applies (section, kind, user_name, groups))
              apply_section (draft->policy, file, section, draft->seq, &draft->counter, problems);
            else
              for (guint e = 0; e < section->entries->len; e++)
                check_bound (draft->policy, file, &g_array_index (section->entries, Entry, e),
                             problems);
          }
      }
  check_lock_warning (draft->policy, draft->seq, problems);
}

static void
add_refusal (GPtrArray *refusals, AgPolicyLayer layer, Problems *problems)
{
  g_autoptr (GError) error = NULL;
  AgPolicyRefusal *refusal;

  if (refusals == NULL)
    return;

  ag_policy_problems_propagate (problems, &error);
  refusal = g_new0 (AgPolicyRefusal, 1);
  refusal->layer = layer;
  refusal->code = problems->first_code;
  refusal->file = g_strdup (problems->first_origin);
  refusal->line = problems->first_line;
  refusal->key
    = problems->first_key >= 0 ? g_strdup (ag_policy_key_info[problems->first_key].name) : NULL;
  refusal->n_problems = problems->lines->len;
  refusal->message = g_strdup (error->message);
  g_ptr_array_add (refusals, refusal);
}

/* Who the supervisor layer's sections are for. */
typedef struct
{
  const char *user_name;
  const char *const *groups;
} Agent;

/* Applies the files of @layer (system or supervisor) to @draft. */
static void
apply_layer (AgPolicyLayer layer, Draft *draft, GPtrArray *files, const Agent *agent,
             Problems *problems)
{
  if (layer == AG_POLICY_LAYER_SYSTEM)
    apply_system_layer (draft, files, problems);
  else
    apply_supervisor_layer (draft, files, agent->user_name, agent->groups, problems);
}

/* Where a policy keeps the files of @layer that it applied, for the next load. */
static GPtrArray **
layer_files (AgPolicy *policy, AgPolicyLayer layer)
{
  return layer == AG_POLICY_LAYER_SYSTEM ? &policy->system_files : &policy->supervisor_files;
}

/* Applies @files to a copy of @draft and keeps the copy, with @files as the layer's, only
 * when they apply without a problem; the problems are left in @problems. */
static gboolean
try_layer (AgPolicyLayer layer, Draft *draft, GPtrArray *files, const Agent *agent,
           Problems *problems)
{
  Draft trial;

  draft_copy (&trial, draft);
  if (problems->lines->len == 0)
    apply_layer (layer, &trial, files, agent, problems);
  if (problems->lines->len > 0)
    {
      draft_clear (&trial);
      return FALSE;
    }

  g_clear_pointer (layer_files (trial.policy, layer), g_ptr_array_unref);
  *layer_files (trial.policy, layer) = g_ptr_array_ref (files);
  draft_take (draft, &trial);
  return TRUE;
}

/* The system or supervisor layer, or what stands in for it when it is refused: its last
 * good version in @previous when that applies again without a problem (the system layer
 * on the same built-in defaults; the supervisor layer when it still fits the system
 * layer in force); with none, for the system layer, the strict defaults tightened by
 * every bound that parsed, and for the supervisor layer nothing. */
static void
load_layer (AgPolicyLayer layer, Draft *draft, const char *dir, const Agent *agent,
            AgPolicy *previous, GPtrArray *refusals)
{
  g_autoptr (GPtrArray) files = NULL;
  Problems problems;

  ag_policy_problems_init (&problems);
  files = parse_layer (layer, dir, &problems);
  if (try_layer (layer, draft, files, agent, &problems))
    {
      ag_policy_problems_clear (&problems);
      return;
    }

  g_debug ("The %s policy layer is refused, the layers below it stay: %s",
           layer == AG_POLICY_LAYER_SYSTEM ? "system" : "supervisor",
           (const char *) g_ptr_array_index (problems.lines, 0));
  add_refusal (refusals, layer, &problems);
  ag_policy_problems_clear (&problems);
  g_clear_pointer (layer_files (draft->policy, layer), g_ptr_array_unref);

  if (previous != NULL && *layer_files (previous, layer) != NULL)
    {
      Problems again;
      gboolean applied;

      ag_policy_problems_init (&again);
      applied = try_layer (layer, draft, *layer_files (previous, layer), agent, &again);
      ag_policy_problems_clear (&again);
      if (applied)
        return;
    }

  /* A bound only ever tightens, so taking them from a refused layer loosens nothing. */
  if (layer == AG_POLICY_LAYER_SYSTEM)
    {
      Problems ignored;

      ag_policy_problems_init (&ignored);
      for (guint i = 0; i < files->len; i++)
        apply_bounds (draft->policy, g_ptr_array_index (files, i), &ignored);
      clamp_defaults (draft->policy, draft->seq, &draft->counter);
      ag_policy_problems_clear (&ignored);
    }
}

/* Layer 4: the agent's own file only tightens what the others decided; one with a
 * problem is refused and changes nothing. */
static void
load_user_layer (Draft *draft, const char *user_file, GPtrArray *warnings, GPtrArray *refusals)
{
  g_autoptr (ParsedFile) file = NULL;
  Problems problems;

  if (user_file == NULL)
    return;

  ag_policy_problems_init (&problems);
  file = ag_policy_parse_layer_file (user_file, AG_POLICY_LAYER_USER, &problems);
  if (problems.lines->len == 0)
    {
      if (file != NULL)
        apply_user_file (draft->policy, file, warnings);
    }
  else
    {
      g_debug ("The agent's own policy file is refused, the layers below it stay: %s",
               (const char *) g_ptr_array_index (problems.lines, 0));
      add_refusal (refusals, AG_POLICY_LAYER_USER, &problems);
    }
  ag_policy_problems_clear (&problems);
}

/**
 * ag_policy_load_layers:
 * @paths: where the layers are
 * @user_name: (nullable): the agent whose policy this is (for `[user:NAME]` sections)
 * @groups: (nullable): the agent's Unix groups (for `[team:GROUP]` sections)
 * @previous: (nullable): the policy in force until now, whose system and supervisor
 *   layers stand in for those that are refused this time; %NULL at start
 * @warnings: (nullable) (element-type utf8): receives "FILE:LINE: key: problem" for each
 *   value of the agent's own file that was ignored because it was looser
 * @refusals: (nullable) (element-type AgPolicyRefusal): receives one #AgPolicyRefusal
 *   for each layer that was refused, in layer order
 *
 * Reads and merges every layer; each stands or falls alone. A layer with any problem is
 * refused whole and the layers below it stay in force: a refused system layer gives way
 * to its last good version in @previous, or, with none, to the built-in defaults
 * tightened by every admin bound that parsed; a refused supervisor layer to its last good
 * version when that still fits, or to nothing; a refused user file to nothing. A refused
 * layer never loosens the policy.
 *
 * Returns: (transfer full): the effective policy; never %NULL
 */
AgPolicy *
ag_policy_load_layers (const AgPolicyPaths *paths, const char *user_name, const char *const *groups,
                       AgPolicy *previous, GPtrArray *warnings, GPtrArray *refusals)
{
  Draft draft = { NULL, { 0 }, 0 };
  Agent agent = { user_name, groups };

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (previous == NULL || AG_IS_POLICY (previous), NULL);

  draft.policy = g_object_new (AG_TYPE_POLICY, NULL);

  load_layer (AG_POLICY_LAYER_SYSTEM, &draft, paths->system_dir, &agent, previous, refusals);
  load_layer (AG_POLICY_LAYER_SUPERVISOR, &draft, paths->supervisor_dir, &agent, previous,
              refusals);
  load_user_layer (&draft, paths->user_file, warnings, refusals);

  ag_policy_compute_version (draft.policy);
  return g_steal_pointer (&draft.policy);
}

/**
 * ag_policy_load:
 * @paths: where the layers are
 * @user_name: (nullable): the agent whose policy this is (for `[user:NAME]` sections)
 * @groups: (nullable): the agent's Unix groups (for `[team:GROUP]` sections)
 * @warnings: (nullable) (element-type utf8): see ag_policy_load_layers()
 * @error: return location for an error
 *
 * Like ag_policy_load_layers() without a previous policy, but fails when any layer is
 * refused: for checks that must see every file good (`policy check`, `audit prune`). The
 * error's message lists every problem found, one per line, each as
 * "FILE:LINE: key: problem"; its code is the class of the first.
 *
 * Returns: (transfer full): the effective policy, or %NULL with @error set
 */
AgPolicy *
ag_policy_load (const AgPolicyPaths *paths, const char *user_name, const char *const *groups,
                GPtrArray *warnings, GError **error)
{
  g_autoptr (GPtrArray) refusals = NULL;
  g_autoptr (AgPolicy) self = NULL;

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  refusals = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
  self = ag_policy_load_layers (paths, user_name, groups, NULL, warnings, refusals);
  if (refusals->len > 0)
    {
      ag_policy_refusals_propagate (refusals, error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * ag_policy_validate_layer_data:
 * @origin: the name problems are reported under (a file name)
 * @data: the contents of a policy file
 * @length: the length of @data, or -1 when it ends with a NUL
 * @layer: which layer the file belongs to
 * @bounds: (nullable): a policy whose admin bounds supervisor values must stay within
 *   (e.g. the system layer loaded alone); %NULL for the built-in limits only
 * @error: return location for an error
 *
 * Checks one file without applying it: syntax, sections, keys, values against the hard
 * limits, a system file's own [bounds], and supervisor values against @bounds. The
 * supervisor console uses this before it writes a file.
 *
 * Returns: %TRUE when the file is valid; otherwise %FALSE with every problem, one per line,
 *   in @error's message
 */
gboolean
ag_policy_validate_layer_data (const char *origin, const char *data, gssize length,
                               AgPolicyLayer layer, AgPolicy *bounds, GError **error)
{
  g_autoptr (AgPolicy) self = NULL;
  g_autoptr (ParsedFile) file = NULL;
  guint seq[AG_POLICY_N_KEYS] = { 0 };
  guint counter = 0;
  Problems problems;
  gboolean ok;

  g_return_val_if_fail (origin != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (layer != AG_POLICY_LAYER_BUILT_IN, FALSE);
  g_return_val_if_fail (bounds == NULL || AG_IS_POLICY (bounds), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length < 0)
    length = strlen (data);

  self = g_object_new (AG_TYPE_POLICY, NULL);
  if (bounds != NULL && layer == AG_POLICY_LAYER_SUPERVISOR)
    for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
      {
        ag_policy_value_copy (&self->bounds[key], &bounds->bounds[key]);
        g_free (self->bound_origins[key]);
        self->bound_origins[key] = g_strdup (bounds->bound_origins[key]);
      }

  ag_policy_problems_init (&problems);
  file = ag_policy_parse_layer_data (origin, data, length, layer, &problems);

  if (layer == AG_POLICY_LAYER_SYSTEM)
    {
      /* The file's own bounds, then its values against them; lock-warning must stay
       * below idle-lock, as a load would find. */
      apply_bounds (self, file, &problems);
      for (guint s = 0; s < file->sections->len; s++)
        {
          const Section *section = g_ptr_array_index (file->sections, s);

          if (section->kind == SECTION_POLICY)
            apply_section (self, file, section, seq, &counter, &problems);
        }
      if (problems.lines->len == 0)
        {
          clamp_defaults (self, seq, &counter);
          check_lock_warning (self, seq, &problems);
        }
    }
  else if (layer == AG_POLICY_LAYER_SUPERVISOR)
    {
      for (guint s = 0; s < file->sections->len; s++)
        {
          const Section *section = g_ptr_array_index (file->sections, s);

          for (guint e = 0; e < section->entries->len; e++)
            check_bound (self, file, &g_array_index (section->entries, Entry, e), &problems);
        }
    }

  ok = ag_policy_problems_propagate (&problems, error);
  ag_policy_problems_clear (&problems);
  return ok;
}

/**
 * ag_policy_validate_layer_file:
 * @path: a policy file
 * @layer: which layer the file belongs to
 * @bounds: (nullable): see ag_policy_validate_layer_data()
 * @error: return location for an error; %AG_POLICY_ERROR_IO when it cannot be read
 *
 * Reads @path and checks it with ag_policy_validate_layer_data().
 *
 * Returns: %TRUE when the file is valid
 */
gboolean
ag_policy_validate_layer_file (const char *path, AgPolicyLayer layer, AgPolicy *bounds,
                               GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }

  return ag_policy_validate_layer_data (path, data, length, layer, bounds, error);
}
