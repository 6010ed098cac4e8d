/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy"

#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ag-policy-private.h"

#define VERSION_LENGTH 16

G_DEFINE_FINAL_TYPE (AgPolicy, ag_policy, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (AgPolicyPaths, ag_policy_paths, ag_policy_paths_copy, ag_policy_paths_free)

GQuark
ag_policy_error_quark (void)
{
  return g_quark_from_static_string ("ag-policy-error-quark");
}

/* The policy object */

static void
ag_policy_finalize (GObject *object)
{
  AgPolicy *self = AG_POLICY (object);

  for (guint i = 0; i < AG_POLICY_N_KEYS; i++)
    {
      ag_policy_value_clear (&self->values[i]);
      ag_policy_value_clear (&self->bounds[i]);
      g_free (self->origins[i]);
      g_free (self->bound_origins[i]);
    }
  g_free (self->version);
  g_clear_pointer (&self->system_files, g_ptr_array_unref);
  g_clear_pointer (&self->supervisor_files, g_ptr_array_unref);

  G_OBJECT_CLASS (ag_policy_parent_class)->finalize (object);
}

static void
ag_policy_class_init (AgPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_policy_finalize;
}

static void
ag_policy_init (AgPolicy *self)
{
  for (guint i = 0; i < AG_POLICY_N_KEYS; i++)
    {
      const KeyInfo *info = &ag_policy_key_info[i];

      self->values[i].number = info->default_number;
      self->origins[i] = g_strdup (AG_POLICY_BUILT_IN_ORIGIN);
      self->bound_origins[i] = g_strdup (AG_POLICY_BUILT_IN_ORIGIN);

      /* The built-in bounds are the loosest end of the hard limits. */
      switch (info->strictness)
        {
          case STRICT_LOWER:
            self->bounds[i].number = info->max;
            break;
          case STRICT_HIGHER:
            self->bounds[i].number = info->min;
            break;
          case STRICT_TRUE:
          case STRICT_MORE_KINDS:
          case STRICT_FREE:
          default:
            self->bounds[i].number = 0;
            break;
        }
    }

  self->values[AG_POLICY_KEY_REASON_CODES].codes = ag_policy_dup_builtin_reason_codes ();
}

void
ag_policy_set_value (AgPolicy *self, AgPolicyKey key, const Value *value, const char *origin)
{
  ag_policy_value_copy (&self->values[key], value);
  g_free (self->origins[key]);
  self->origins[key] = g_strdup (origin);
}

void
ag_policy_compute_version (AgPolicy *self)
{
  g_autofree char *dump = ag_policy_to_keyfile_string (self);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, dump, -1);

  g_free (self->version);
  self->version = g_strndup (sum, VERSION_LENGTH);
}

/**
 * ag_policy_new_default:
 *
 * Returns: (transfer full): the strict built-in policy
 */
AgPolicy *
ag_policy_new_default (void)
{
  AgPolicy *self = g_object_new (AG_TYPE_POLICY, NULL);

  ag_policy_compute_version (self);
  return self;
}

/* Paths */

AgPolicyPaths *
ag_policy_paths_new (const char *system_dir, const char *supervisor_dir, const char *user_file)
{
  AgPolicyPaths *paths = g_new0 (AgPolicyPaths, 1);

  paths->system_dir = g_strdup (system_dir);
  paths->supervisor_dir = g_strdup (supervisor_dir);
  paths->user_file = g_strdup (user_file);
  return paths;
}

/**
 * ag_policy_paths_new_default:
 *
 * The installed layers: `SYSCONFDIR/agent-guard`, `LOCALSTATEDIR/lib/agent-guard/policy.d`
 * and `$XDG_CONFIG_HOME/agent-guard/policy.conf`. Development builds take the first two
 * from `AG_POLICY_SYSTEM_DIR` and `AG_POLICY_SUPERVISOR_DIR` when set; release builds never
 * read them.
 *
 * Returns: (transfer full): the paths
 */
AgPolicyPaths *
ag_policy_paths_new_default (void)
{
  g_autofree char *system_dir = g_build_filename (SYSCONFDIR, "agent-guard", NULL);
  g_autofree char *supervisor_dir
    = g_build_filename (LOCALSTATEDIR, "lib", "agent-guard", "policy.d", NULL);
  g_autofree char *user_file
    = g_build_filename (g_get_user_config_dir (), "agent-guard", "policy.conf", NULL);

#if DEVELOPMENT
  {
    const char *env;

    if ((env = g_getenv ("AG_POLICY_SYSTEM_DIR")) != NULL && *env != '\0')
      {
        g_free (system_dir);
        system_dir = g_strdup (env);
      }
    if ((env = g_getenv ("AG_POLICY_SUPERVISOR_DIR")) != NULL && *env != '\0')
      {
        g_free (supervisor_dir);
        supervisor_dir = g_strdup (env);
      }
  }
#endif

  return ag_policy_paths_new (system_dir, supervisor_dir, user_file);
}

AgPolicyPaths *
ag_policy_paths_copy (const AgPolicyPaths *paths)
{
  g_return_val_if_fail (paths != NULL, NULL);

  return ag_policy_paths_new (paths->system_dir, paths->supervisor_dir, paths->user_file);
}

void
ag_policy_paths_free (AgPolicyPaths *paths)
{
  if (paths == NULL)
    return;
  g_free (paths->system_dir);
  g_free (paths->supervisor_dir);
  g_free (paths->user_file);
  g_free (paths);
}

/* Getters */

guint
ag_policy_get_idle_lock (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_IDLE_LOCK_MIN);

  return self->values[AG_POLICY_KEY_IDLE_LOCK].number;
}

guint
ag_policy_get_lock_warning (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_LOCK_WARNING].number;
}

guint
ag_policy_get_reveal_duration (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_REVEAL_DURATION_MIN);

  return self->values[AG_POLICY_KEY_REVEAL_DURATION].number;
}

gboolean
ag_policy_get_require_reason (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);

  return self->values[AG_POLICY_KEY_REQUIRE_REASON].number != 0;
}

/**
 * ag_policy_get_reason_codes:
 * @self: a policy
 *
 * Returns: (transfer none): the reason codes an agent may pick, never empty
 */
const char *const *
ag_policy_get_reason_codes (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);

  return (const char *const *) self->values[AG_POLICY_KEY_REASON_CODES].codes;
}

gboolean
ag_policy_has_reason_code (AgPolicy *self, const char *code)
{
  g_return_val_if_fail (AG_IS_POLICY (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  return g_strv_contains (ag_policy_get_reason_codes (self), code);
}

guint
ag_policy_get_step_up_grace (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_STEP_UP_GRACE].number;
}

guint
ag_policy_get_max_reveals_per_hour (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_MAX_REVEALS_PER_HOUR_MIN);

  return self->values[AG_POLICY_KEY_MAX_REVEALS_PER_HOUR].number;
}

guint
ag_policy_get_max_identifier_searches_per_hour (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MIN);

  return self->values[AG_POLICY_KEY_MAX_IDENTIFIER_SEARCHES_PER_HOUR].number;
}

gboolean
ag_policy_get_remask_on_focus_loss (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);

  return self->values[AG_POLICY_KEY_REMASK_ON_FOCUS_LOSS].number != 0;
}

/**
 * ag_policy_get_clipboard_clear:
 * @self: a policy
 *
 * Returns: 0 when copying revealed values is denied, otherwise the seconds after which a
 *   copied value is cleared from the clipboard
 */
guint
ag_policy_get_clipboard_clear (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_CLIPBOARD].number;
}

/**
 * ag_policy_get_ledger_retention_days:
 * @self: a policy
 *
 * Returns: how many days ledger entries are kept; `agent-guard-admin audit prune` removes
 *   older ones
 */
guint
ag_policy_get_ledger_retention_days (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_LEDGER_RETENTION_DAYS_MAX);

  return self->values[AG_POLICY_KEY_LEDGER_RETENTION_DAYS].number;
}

/**
 * ag_policy_get_lock_on_minimise:
 * @self: a policy
 *
 * Returns: whether minimising the window locks the records
 */
gboolean
ag_policy_get_lock_on_minimise (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);

  return self->values[AG_POLICY_KEY_LOCK_ON_MINIMISE].number != 0;
}

/**
 * ag_policy_get_alert_reveals_per_window:
 * @self: a policy
 * @reveals: (out) (optional): how many reveals of one agent raise an alert…
 * @minutes: (out) (optional): …within this many minutes
 *
 * Returns: %FALSE when the rule is off (then both are 0)
 */
gboolean
ag_policy_get_alert_reveals_per_window (AgPolicy *self, guint *reveals, guint *minutes)
{
  gint64 number;

  g_return_val_if_fail (AG_IS_POLICY (self), FALSE);

  number = self->values[AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW].number;
  if (reveals != NULL)
    *reveals = ALERT_PAIR_A (number);
  if (minutes != NULL)
    *minutes = ALERT_PAIR_B (number);
  return number != 0;
}

/**
 * ag_policy_get_alert_distinct_customers_per_hour:
 * @self: a policy
 *
 * Returns: how many customers one agent reveals data of within an hour to raise an
 *   alert; 0 when the rule is off
 */
guint
ag_policy_get_alert_distinct_customers_per_hour (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_ALERT_DISTINCT_CUSTOMERS_PER_HOUR].number;
}

/**
 * ag_policy_get_alert_denied_per_hour:
 * @self: a policy
 *
 * Returns: how many denied reveals and searches of one agent within an hour raise an
 *   alert; 0 when the rule is off
 */
guint
ag_policy_get_alert_denied_per_hour (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_ALERT_DENIED_PER_HOUR].number;
}

/**
 * ag_policy_get_alert_outside_hours:
 * @self: a policy
 * @start_minute: (out) (optional): the start of the working hours, in minutes after
 *   midnight, local time
 * @end_minute: (out) (optional): their end (excluded), up to 1440; before the start when
 *   they span midnight
 *
 * Returns: %FALSE when the rule is off (then both are 0)
 */
gboolean
ag_policy_get_alert_outside_hours (AgPolicy *self, guint *start_minute, guint *end_minute)
{
  gint64 number;

  g_return_val_if_fail (AG_IS_POLICY (self), FALSE);

  number = self->values[AG_POLICY_KEY_ALERT_OUTSIDE_HOURS].number;
  if (start_minute != NULL)
    *start_minute = ALERT_PAIR_A (number);
  if (end_minute != NULL)
    *end_minute = ALERT_PAIR_B (number);
  return number != 0;
}

/**
 * ag_policy_get_training_pass_score:
 * @self: a policy
 *
 * Returns: the score (0.5 to 1) a trainee needs in every required scenario to be certified
 */
double
ag_policy_get_training_pass_score (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 1.0);

  return self->values[AG_POLICY_KEY_TRAINING_PASS_SCORE].number / 100.0;
}

gboolean
ag_policy_kind_is_masked (AgPolicy *self, AgPiiKind kind)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, TRUE);

  return (self->values[AG_POLICY_KEY_MASKED_KINDS].number & KIND_BIT (kind)) != 0;
}

gboolean
ag_policy_kind_needs_step_up (AgPolicy *self, AgPiiKind kind)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, TRUE);

  return (self->values[AG_POLICY_KEY_STEP_UP_KINDS].number & KIND_BIT (kind)) != 0;
}

/**
 * ag_policy_get_origin:
 * @self: a policy
 * @key: a key
 *
 * Returns: where the value of @key came from: "built-in" or "FILE:LINE"
 */
const char *
ag_policy_get_origin (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return self->origins[key];
}

/**
 * ag_policy_get_bound_origin:
 * @self: a policy
 * @key: a key
 *
 * Returns: where the admin bound of @key was set: "built-in" or "FILE:LINE"
 */
const char *
ag_policy_get_bound_origin (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return self->bound_origins[key];
}

/**
 * ag_policy_dup_value_string:
 * @self: a policy
 * @key: a key
 *
 * Returns: (transfer full): the value of @key as a policy file writes it
 */
char *
ag_policy_dup_value_string (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return ag_policy_value_to_string (key, &self->values[key]);
}

/**
 * ag_policy_dup_bound_string:
 * @self: a policy
 * @key: a key
 *
 * Returns: (transfer full) (nullable): the admin bound of @key as a `[bounds]` section
 *   writes it, or %NULL for a key without bounds (`lock-warning`, `reason-codes`)
 */
char *
ag_policy_dup_bound_string (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  if (ag_policy_key_info[key].strictness == STRICT_FREE)
    return NULL;
  return ag_policy_value_to_string (key, &self->bounds[key]);
}

/**
 * ag_policy_get_version:
 * @self: a policy
 *
 * Returns: 16 hex digits that change whenever an effective value changes (the start of
 *   the SHA-256 of ag_policy_to_keyfile_string()); the ledger records it
 */
const char *
ag_policy_get_version (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);

  return self->version;
}

/**
 * ag_policy_to_keyfile_string:
 * @self: a policy
 *
 * Returns: (transfer full): the effective values as a `[policy]` section, one key per
 *   line in a fixed order: a canonical form that a policy file can also hold
 */
char *
ag_policy_to_keyfile_string (AgPolicy *self)
{
  GString *str;

  g_return_val_if_fail (AG_IS_POLICY (self), NULL);

  str = g_string_new ("[policy]\n");
  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      g_autofree char *value = ag_policy_value_to_string (key, &self->values[key]);

      g_string_append_printf (str, "%s=%s\n", ag_policy_key_info[key].name, value);
    }
  return g_string_free (str, FALSE);
}

/**
 * ag_policy_get_user_groups:
 * @user_name: a user
 *
 * Returns: (transfer full) (nullable): the names of the Unix groups @user_name belongs to,
 *   or %NULL when there is no such user
 */
char **
ag_policy_get_user_groups (const char *user_name)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_autofree gid_t *gids = NULL;
  struct passwd *pw;
  int n_gids = 32;

  g_return_val_if_fail (user_name != NULL, NULL);

  pw = getpwnam (user_name);
  if (pw == NULL)
    return NULL;

  gids = g_new (gid_t, n_gids);
  while (getgrouplist (user_name, pw->pw_gid, gids, &n_gids) < 0)
    gids = g_renew (gid_t, gids, n_gids);

  builder = g_strv_builder_new ();
  for (int i = 0; i < n_gids; i++)
    {
      struct group *gr = getgrgid (gids[i]);

      if (gr != NULL)
        g_strv_builder_add (builder, gr->gr_name);
    }
  return g_strv_builder_end (builder);
}
