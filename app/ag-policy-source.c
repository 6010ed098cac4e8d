/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy-source"

#include "config.h"

#include "ag-policy-source.h"

/* Editors and package managers write a file in several steps (truncate, write, rename);
 * one reload after the burst is enough. */
#define RELOAD_DELAY_MS 150

struct _AgPolicySource
{
  GObject parent_instance;

  AgPolicyPaths *paths;
  char *user_name;
  char **groups;

  AgPolicy *policy;
  GError *last_error;
  GPtrArray *warnings;
  GPtrArray *refusals; /* AgPolicyRefusal*: the layers the last load refused */

  GPtrArray *monitors;
  guint reload_id;
};

G_DEFINE_FINAL_TYPE (AgPolicySource, ag_policy_source, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PATHS,
  PROP_USER_NAME,
  PROP_GROUPS,
  PROP_POLICY,
  PROP_LAST_ERROR,
  PROP_WARNINGS,
  N_PROPS
};

enum
{
  SIGNAL_CHANGED,
  SIGNAL_LOAD_FAILED,
  SIGNAL_REFUSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static gboolean
reload_timeout_cb (gpointer user_data)
{
  AgPolicySource *self = AG_POLICY_SOURCE (user_data);

  self->reload_id = 0;
  /* The error is kept in last-error and announced with load-failed. */
  ag_policy_source_reload (self, NULL);
  return G_SOURCE_REMOVE;
}

static void
file_changed_cb (GFileMonitor *monitor, GFile *file, GFile *other_file,
                 GFileMonitorEvent event_type, gpointer user_data)
{
  AgPolicySource *self = AG_POLICY_SOURCE (user_data);

  /* Every event counts, a chmod too: it can make a file unsafe. */
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_timeout_cb, self);
  g_source_set_name_by_id (self->reload_id, "[agent-guard] reload policy");
}

static void
watch_directory (AgPolicySource *self, const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GFileMonitor) monitor = NULL;

  /* Directories, not files: a file created later must count too. GIO keeps watching a
   * directory that does not exist yet. */
  monitor = g_file_monitor_directory (file, G_FILE_MONITOR_NONE, NULL, &error);
  if (monitor == NULL)
    {
      g_debug ("Cannot watch %s: %s", path, error->message);
      return;
    }

  g_signal_connect_object (monitor, "changed", G_CALLBACK (file_changed_cb), self, 0);
  g_ptr_array_add (self->monitors, g_steal_pointer (&monitor));
}

static void
ag_policy_source_constructed (GObject *object)
{
  AgPolicySource *self = AG_POLICY_SOURCE (object);
  g_autoptr (GError) error = NULL;

  G_OBJECT_CLASS (ag_policy_source_parent_class)->constructed (object);

  if (self->paths == NULL)
    self->paths = ag_policy_paths_new_default ();
  if (self->user_name == NULL)
    self->user_name = g_strdup (g_get_user_name ());
  if (self->groups == NULL)
    self->groups = ag_policy_get_user_groups (self->user_name);
  if (self->groups == NULL)
    self->groups = g_new0 (char *, 1);

  if (self->paths->system_dir != NULL)
    {
      g_autofree char *drop_in = g_build_filename (self->paths->system_dir, "policy.d", NULL);

      watch_directory (self, self->paths->system_dir);
      watch_directory (self, drop_in);
    }
  if (self->paths->supervisor_dir != NULL)
    watch_directory (self, self->paths->supervisor_dir);
  if (self->paths->user_file != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (self->paths->user_file);

      watch_directory (self, dir);
    }

  /* At first load a refused layer leaves the layers below it in force (a refused system
   * layer: the strict built-in defaults with every admin bound that parsed). */
  self->policy = ag_policy_new_default ();
  ag_policy_source_reload (self, NULL);
}

static void
ag_policy_source_dispose (GObject *object)
{
  AgPolicySource *self = AG_POLICY_SOURCE (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->monitors != NULL)
    {
      for (guint i = 0; i < self->monitors->len; i++)
        g_file_monitor_cancel (g_ptr_array_index (self->monitors, i));
      g_ptr_array_set_size (self->monitors, 0);
    }

  G_OBJECT_CLASS (ag_policy_source_parent_class)->dispose (object);
}

static void
ag_policy_source_finalize (GObject *object)
{
  AgPolicySource *self = AG_POLICY_SOURCE (object);

  g_clear_pointer (&self->paths, ag_policy_paths_free);
  g_clear_pointer (&self->user_name, g_free);
  g_clear_pointer (&self->groups, g_strfreev);
  g_clear_object (&self->policy);
  g_clear_error (&self->last_error);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_clear_pointer (&self->refusals, g_ptr_array_unref);
  g_clear_pointer (&self->monitors, g_ptr_array_unref);

  G_OBJECT_CLASS (ag_policy_source_parent_class)->finalize (object);
}

static void
ag_policy_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgPolicySource *self = AG_POLICY_SOURCE (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        g_value_set_boxed (value, self->paths);
        break;
      case PROP_USER_NAME:
        g_value_set_string (value, self->user_name);
        break;
      case PROP_GROUPS:
        g_value_set_boxed (value, self->groups);
        break;
      case PROP_POLICY:
        g_value_set_object (value, self->policy);
        break;
      case PROP_LAST_ERROR:
        g_value_set_boxed (value, self->last_error);
        break;
      case PROP_WARNINGS:
        g_value_set_boxed (value, self->warnings);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_policy_source_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  AgPolicySource *self = AG_POLICY_SOURCE (object);

  switch (prop_id)
    {
      case PROP_PATHS:
        self->paths = g_value_dup_boxed (value);
        break;
      case PROP_USER_NAME:
        self->user_name = g_value_dup_string (value);
        break;
      case PROP_GROUPS:
        self->groups = g_value_dup_boxed (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_policy_source_class_init (AgPolicySourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ag_policy_source_constructed;
  object_class->dispose = ag_policy_source_dispose;
  object_class->finalize = ag_policy_source_finalize;
  object_class->get_property = ag_policy_source_get_property;
  object_class->set_property = ag_policy_source_set_property;

  /**
   * AgPolicySource:paths:
   *
   * Where the layers are read from; %NULL for ag_policy_paths_new_default().
   */
  properties[PROP_PATHS]
    = g_param_spec_boxed ("paths", NULL, NULL, AG_TYPE_POLICY_PATHS,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AgPolicySource:user-name:
   *
   * The agent the policy is for; %NULL for the current user.
   */
  properties[PROP_USER_NAME]
    = g_param_spec_string ("user-name", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AgPolicySource:groups:
   *
   * The agent's Unix groups, for `[team:GROUP]` sections; %NULL to look them up.
   */
  properties[PROP_GROUPS]
    = g_param_spec_boxed ("groups", NULL, NULL, G_TYPE_STRV,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * AgPolicySource:policy:
   *
   * The policy in force: every layer that loaded without a problem, and for each refused
   * one what stands in for it (ag_policy_load_layers()).
   */
  properties[PROP_POLICY] = g_param_spec_object ("policy", NULL, NULL, AG_TYPE_POLICY,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * AgPolicySource:last-error:
   *
   * Why the last load refused a layer (every problem of every refused layer), or %NULL
   * when it refused none.
   */
  properties[PROP_LAST_ERROR] = g_param_spec_boxed ("last-error", NULL, NULL, G_TYPE_ERROR,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  /**
   * AgPolicySource:warnings: (type GPtrArray(utf8))
   *
   * The lines of the agent's own file that the last load ignored, as
   * ag_policy_source_get_warnings() gives them; notified when they change.
   */
  properties[PROP_WARNINGS]
    = g_param_spec_boxed ("warnings", NULL, NULL, G_TYPE_PTR_ARRAY,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgPolicySource::changed:
   * @self: the source
   * @policy: the new policy in force
   *
   * A reload succeeded and an effective value changed.
   */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 1, AG_TYPE_POLICY);

  /**
   * AgPolicySource::load-failed:
   * @self: the source
   * @error: why; its message lists every problem as "FILE:LINE: key: problem"
   *
   * A reload refused at least one layer; the layers below a refused one stay in force.
   */
  signals[SIGNAL_LOAD_FAILED]
    = g_signal_new ("load-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * AgPolicySource::refused:
   * @self: the source
   * @refusal: the layer refused, and why
   *
   * A reload refused a layer for problems the load before it did not have: once per
   * problem, not at every reload, so that the ledger has one `policy-refused` entry for
   * each. The refusals of the first load (at construction) are in
   * ag_policy_source_get_refusals().
   */
  signals[SIGNAL_REFUSED]
    = g_signal_new ("refused", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 1, AG_TYPE_POLICY_REFUSAL);
}

static void
ag_policy_source_init (AgPolicySource *self)
{
  self->monitors = g_ptr_array_new_with_free_func (g_object_unref);
  self->warnings = g_ptr_array_new_with_free_func (g_free);
  self->refusals = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
}

/**
 * ag_policy_source_new:
 * @paths: (nullable): where the layers are; %NULL for the installed ones
 * @user_name: (nullable): the agent; %NULL for the current user
 * @groups: (nullable): the agent's groups; %NULL to look them up
 *
 * Loads the policy and watches every layer's files and folders from then on.
 *
 * Returns: (transfer full): a new source
 */
AgPolicySource *
ag_policy_source_new (const AgPolicyPaths *paths, const char *user_name, const char *const *groups)
{
  return g_object_new (AG_TYPE_POLICY_SOURCE, "paths", paths, "user-name", user_name, "groups",
                       groups, NULL);
}

/**
 * ag_policy_source_get_policy:
 * @self: a source
 *
 * Returns: (transfer none): the policy in force
 */
AgPolicy *
ag_policy_source_get_policy (AgPolicySource *self)
{
  g_return_val_if_fail (AG_IS_POLICY_SOURCE (self), NULL);

  return self->policy;
}

/**
 * ag_policy_source_get_last_error:
 * @self: a source
 *
 * Returns: (transfer none) (nullable): why the last load failed
 */
const GError *
ag_policy_source_get_last_error (AgPolicySource *self)
{
  g_return_val_if_fail (AG_IS_POLICY_SOURCE (self), NULL);

  return self->last_error;
}

/**
 * ag_policy_source_get_warnings:
 * @self: a source
 *
 * Returns: (transfer none) (element-type utf8): the values of the agent's own file that
 *   the last successful load ignored, as "FILE:LINE: key: problem"
 */
GPtrArray *
ag_policy_source_get_warnings (AgPolicySource *self)
{
  g_return_val_if_fail (AG_IS_POLICY_SOURCE (self), NULL);

  return self->warnings;
}

/**
 * ag_policy_source_get_refusals:
 * @self: a source
 *
 * Returns: (transfer none) (element-type AgPolicyRefusal): the layers the last load
 *   refused, in layer order; empty when it refused none
 */
GPtrArray *
ag_policy_source_get_refusals (AgPolicySource *self)
{
  g_return_val_if_fail (AG_IS_POLICY_SOURCE (self), NULL);

  return self->refusals;
}

const char *
ag_policy_source_get_user_name (AgPolicySource *self)
{
  g_return_val_if_fail (AG_IS_POLICY_SOURCE (self), NULL);

  return self->user_name;
}

static gboolean
same_strings (GPtrArray *a, GPtrArray *b)
{
  if (a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (!g_str_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)))
      return FALSE;
  return TRUE;
}

static gboolean
has_refusal (GPtrArray *refusals, const AgPolicyRefusal *refusal)
{
  for (guint i = 0; i < refusals->len; i++)
    if (ag_policy_refusal_equal (g_ptr_array_index (refusals, i), refusal))
      return TRUE;
  return FALSE;
}

/**
 * ag_policy_source_reload:
 * @self: a source
 * @error: return location for an error
 *
 * Loads every layer again now, each standing or falling alone (ag_policy_load_layers(),
 * with the policy in force as the previous one). The new policy replaces the old one, and
 * #AgPolicySource::changed is emitted when an effective value changed. When a layer is
 * refused, #AgPolicySource:last-error is set, #AgPolicySource::refused is emitted for
 * each refusal that is new, and #AgPolicySource::load-failed once.
 *
 * Returns: whether every layer loaded
 */
gboolean
ag_policy_source_reload (AgPolicySource *self, GError **error)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) refusals
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
  g_autoptr (GPtrArray) old_refusals = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  gboolean warnings_changed;
  gboolean changed;

  g_return_val_if_fail (AG_IS_POLICY_SOURCE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_clear_handle_id (&self->reload_id, g_source_remove);

  policy = ag_policy_load_layers (self->paths, self->user_name, (const char *const *) self->groups,
                                  self->policy, warnings, refusals);

  warnings_changed = !same_strings (self->warnings, warnings);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  self->warnings = g_steal_pointer (&warnings);
  old_refusals = g_steal_pointer (&self->refusals);
  self->refusals = g_ptr_array_ref (refusals);

  changed = !g_str_equal (ag_policy_get_version (policy), ag_policy_get_version (self->policy));
  /* Replaced either way: the origins and the last good layers may have moved even when no
   * value did. */
  g_set_object (&self->policy, policy);

  if (!ag_policy_refusals_propagate (refusals, &local_error))
    {
      for (guint i = 0; i < refusals->len; i++)
        {
          const AgPolicyRefusal *refusal = g_ptr_array_index (refusals, i);

          if (!has_refusal (old_refusals, refusal))
            g_message ("The %s policy layer is refused, the layers below it stay: %s",
                       ag_policy_layer_to_string (refusal->layer), refusal->message);
        }
      g_clear_error (&self->last_error);
      self->last_error = g_error_copy (local_error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
    }
  else if (self->last_error != NULL)
    {
      g_clear_error (&self->last_error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
    }

  if (warnings_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNINGS]);
  if (changed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POLICY]);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0, self->policy);
    }

  for (guint i = 0; i < refusals->len; i++)
    if (!has_refusal (old_refusals, g_ptr_array_index (refusals, i)))
      g_signal_emit (self, signals[SIGNAL_REFUSED], 0, g_ptr_array_index (refusals, i));

  if (local_error != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_LOAD_FAILED], 0, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}
