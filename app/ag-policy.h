/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-pii.h"

G_BEGIN_DECLS

/**
 * AgPolicyKey:
 *
 * The keys of a policy (DESIGN §6). Their string forms (ag_policy_key_to_string()) are
 * the keys of the policy files: `idle-lock`, `lock-warning`, `reveal-duration`,
 * `require-reason`, `reason-codes`, `step-up-kinds`, `step-up-grace`,
 * `max-reveals-per-hour`, `remask-on-focus-loss`, `clipboard`, `masked-kinds`,
 * `ledger-retention-days`, `lock-on-minimise`, `max-identifier-searches-per-hour`,
 * `alert-reveals-per-window`, `alert-distinct-customers-per-hour`, `alert-denied-per-hour`,
 * `alert-outside-hours`, `training-pass-score`. New keys go at the end.
 */
typedef enum
{
  AG_POLICY_KEY_IDLE_LOCK,
  AG_POLICY_KEY_LOCK_WARNING,
  AG_POLICY_KEY_REVEAL_DURATION,
  AG_POLICY_KEY_REQUIRE_REASON,
  AG_POLICY_KEY_REASON_CODES,
  AG_POLICY_KEY_STEP_UP_KINDS,
  AG_POLICY_KEY_STEP_UP_GRACE,
  AG_POLICY_KEY_MAX_REVEALS_PER_HOUR,
  AG_POLICY_KEY_REMASK_ON_FOCUS_LOSS,
  AG_POLICY_KEY_CLIPBOARD,
  AG_POLICY_KEY_MASKED_KINDS,
  AG_POLICY_KEY_LEDGER_RETENTION_DAYS,
  AG_POLICY_KEY_LOCK_ON_MINIMISE,
  AG_POLICY_KEY_MAX_IDENTIFIER_SEARCHES_PER_HOUR,
  /* The supervisors' alert rules (AgAlertWatch): `off`, or when one fires. */
  AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW,
  AG_POLICY_KEY_ALERT_DISTINCT_CUSTOMERS_PER_HOUR,
  AG_POLICY_KEY_ALERT_DENIED_PER_HOUR,
  AG_POLICY_KEY_ALERT_OUTSIDE_HOURS,
  AG_POLICY_KEY_TRAINING_PASS_SCORE,
  AG_POLICY_N_KEYS /*< skip >*/
} AgPolicyKey;

/**
 * AgPolicyLayer:
 * @AG_POLICY_LAYER_BUILT_IN: the strict built-in defaults
 * @AG_POLICY_LAYER_SYSTEM: `SYSCONFDIR/agent-guard/policy.conf` and `policy.d/ *.conf`,
 *   sections `[policy]` and `[bounds]`
 * @AG_POLICY_LAYER_SUPERVISOR: `LOCALSTATEDIR/lib/agent-guard/policy.d/ *.conf`, sections
 *   `[team:GROUP]` and `[user:NAME]`
 * @AG_POLICY_LAYER_USER: the agent's `$XDG_CONFIG_HOME/agent-guard/policy.conf`, section
 *   `[policy]`, which may only tighten
 */
typedef enum
{
  AG_POLICY_LAYER_BUILT_IN,
  AG_POLICY_LAYER_SYSTEM,
  AG_POLICY_LAYER_SUPERVISOR,
  AG_POLICY_LAYER_USER,
} AgPolicyLayer;

#define AG_POLICY_ERROR (ag_policy_error_quark ())

/* The code of a load or validation error is the class of its first problem; the message
 * holds every problem found, one per line, each as "FILE:LINE: key: problem". */
typedef enum
{
  AG_POLICY_ERROR_IO,
  AG_POLICY_ERROR_INVALID_UTF8,
  AG_POLICY_ERROR_SYNTAX,
  AG_POLICY_ERROR_UNKNOWN_SECTION,
  AG_POLICY_ERROR_UNKNOWN_KEY,
  AG_POLICY_ERROR_DUPLICATE_KEY,
  AG_POLICY_ERROR_INVALID_VALUE,
  AG_POLICY_ERROR_OUT_OF_RANGE,
  AG_POLICY_ERROR_BEYOND_BOUND,
  AG_POLICY_ERROR_UNSAFE_FILE,
} AgPolicyError;

/* Hard limits, in seconds unless named otherwise. No file, not even a bound, goes past
 * them. 900 s is the longest idle time PCI DSS 8.2.8 allows; PCI DSS 10.5.1 keeps audit
 * logs for at least 12 months, which the default retention of 400 days covers. */
#define AG_POLICY_IDLE_LOCK_MIN                        30
#define AG_POLICY_IDLE_LOCK_MAX                        900
#define AG_POLICY_LOCK_WARNING_MIN                     0
#define AG_POLICY_LOCK_WARNING_MAX                     120
#define AG_POLICY_REVEAL_DURATION_MIN                  1
#define AG_POLICY_REVEAL_DURATION_MAX                  300
#define AG_POLICY_STEP_UP_GRACE_MIN                    0
#define AG_POLICY_STEP_UP_GRACE_MAX                    3600
#define AG_POLICY_MAX_REVEALS_PER_HOUR_MIN             1
#define AG_POLICY_MAX_REVEALS_PER_HOUR_MAX             1000
#define AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MIN 1
#define AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MAX 1000
#define AG_POLICY_CLIPBOARD_CLEAR_MIN                  1
#define AG_POLICY_CLIPBOARD_CLEAR_MAX                  300
#define AG_POLICY_LEDGER_RETENTION_DAYS_MIN            90
#define AG_POLICY_LEDGER_RETENTION_DAYS_MAX            3650
/* The alert rules: a count of events (reveals, customers, denials) and, for
 * alert-reveals-per-window, a window of at most a day. */
#define AG_POLICY_ALERT_COUNT_MIN          1
#define AG_POLICY_ALERT_COUNT_MAX          1000
#define AG_POLICY_ALERT_WINDOW_MINUTES_MIN 1
#define AG_POLICY_ALERT_WINDOW_MINUTES_MAX 1440
/* The training pass score, in hundredths: 0.50 to 1.00. */
#define AG_POLICY_TRAINING_PASS_SCORE_MIN 50
#define AG_POLICY_TRAINING_PASS_SCORE_MAX 100

/**
 * AgPolicyPaths:
 * @system_dir: (nullable): the folder holding `policy.conf` and `policy.d/`; %NULL skips
 *   the system layer
 * @supervisor_dir: (nullable): the folder of the supervisor layer's `*.conf`; %NULL skips it
 * @user_file: (nullable): the agent's own policy file; %NULL skips it
 *
 * Where the layers are read from. Tests pass their own; the application uses
 * ag_policy_paths_new_default().
 */
typedef struct
{
  char *system_dir;
  char *supervisor_dir;
  char *user_file;
} AgPolicyPaths;

#define AG_TYPE_POLICY_PATHS (ag_policy_paths_get_type ())

GType
ag_policy_paths_get_type (void) G_GNUC_CONST;
AgPolicyPaths *
ag_policy_paths_new (const char *system_dir, const char *supervisor_dir, const char *user_file);
AgPolicyPaths *
ag_policy_paths_new_default (void);
AgPolicyPaths *
ag_policy_paths_copy (const AgPolicyPaths *paths);
void
ag_policy_paths_free (AgPolicyPaths *paths);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgPolicyPaths, ag_policy_paths_free)

/**
 * AgPolicyRefusal:
 * @layer: the layer that was refused whole
 * @code: the class of its first problem
 * @file: the file of its first problem
 * @line: the line of that problem, 0 when it is about the whole file
 * @key: (nullable): the policy key of that problem, when it is a known one
 * @n_problems: how many problems the layer had
 * @message: every problem, one per line, each as "FILE:LINE: key: problem"
 *
 * One layer that a load refused (ag_policy_load_layers()).
 */
typedef struct
{
  AgPolicyLayer layer;
  AgPolicyError code;
  char *file;
  guint line;
  char *key;
  guint n_problems;
  char *message;
} AgPolicyRefusal;

#define AG_TYPE_POLICY_REFUSAL (ag_policy_refusal_get_type ())

GType
ag_policy_refusal_get_type (void) G_GNUC_CONST;
AgPolicyRefusal *
ag_policy_refusal_copy (const AgPolicyRefusal *refusal);
void
ag_policy_refusal_free (AgPolicyRefusal *refusal);
char *
ag_policy_refusal_to_cause (const AgPolicyRefusal *refusal);
gboolean
ag_policy_refusal_equal (const AgPolicyRefusal *a, const AgPolicyRefusal *b);
gboolean
ag_policy_refusals_propagate (GPtrArray *refusals, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgPolicyRefusal, ag_policy_refusal_free)

const char *
ag_policy_layer_to_string (AgPolicyLayer layer);
const char *
ag_policy_error_to_string (AgPolicyError code);

#define AG_TYPE_POLICY (ag_policy_get_type ())

G_DECLARE_FINAL_TYPE (AgPolicy, ag_policy, AG, POLICY, GObject)

GQuark
ag_policy_error_quark (void);

const char *
ag_policy_key_to_string (AgPolicyKey key);
gboolean
ag_policy_key_from_string (const char *str, AgPolicyKey *out_key);
const char *
ag_policy_key_get_description (AgPolicyKey key);
const char *
ag_policy_reason_code_get_label (const char *code);

AgPolicy *
ag_policy_new_default (void);
AgPolicy *
ag_policy_load_layers (const AgPolicyPaths *paths, const char *user_name, const char *const *groups,
                       AgPolicy *previous, GPtrArray *warnings, GPtrArray *refusals);
AgPolicy *
ag_policy_load (const AgPolicyPaths *paths, const char *user_name, const char *const *groups,
                GPtrArray *warnings, GError **error);

gboolean
ag_policy_validate_layer_data (const char *origin, const char *data, gssize length,
                               AgPolicyLayer layer, AgPolicy *bounds, GError **error);
gboolean
ag_policy_validate_layer_file (const char *path, AgPolicyLayer layer, AgPolicy *bounds,
                               GError **error);

guint
ag_policy_get_idle_lock (AgPolicy *self);
guint
ag_policy_get_lock_warning (AgPolicy *self);
guint
ag_policy_get_reveal_duration (AgPolicy *self);
gboolean
ag_policy_get_require_reason (AgPolicy *self);
const char *const *
ag_policy_get_reason_codes (AgPolicy *self);
gboolean
ag_policy_has_reason_code (AgPolicy *self, const char *code);
guint
ag_policy_get_step_up_grace (AgPolicy *self);
guint
ag_policy_get_max_reveals_per_hour (AgPolicy *self);
guint
ag_policy_get_max_identifier_searches_per_hour (AgPolicy *self);
gboolean
ag_policy_get_remask_on_focus_loss (AgPolicy *self);
guint
ag_policy_get_clipboard_clear (AgPolicy *self);
guint
ag_policy_get_ledger_retention_days (AgPolicy *self);
gboolean
ag_policy_get_lock_on_minimise (AgPolicy *self);
double
ag_policy_get_training_pass_score (AgPolicy *self);
gboolean
ag_policy_get_alert_reveals_per_window (AgPolicy *self, guint *reveals, guint *minutes);
guint
ag_policy_get_alert_distinct_customers_per_hour (AgPolicy *self);
guint
ag_policy_get_alert_denied_per_hour (AgPolicy *self);
gboolean
ag_policy_get_alert_outside_hours (AgPolicy *self, guint *start_minute, guint *end_minute);
gboolean
ag_policy_kind_is_masked (AgPolicy *self, AgPiiKind kind);
gboolean
ag_policy_kind_needs_step_up (AgPolicy *self, AgPiiKind kind);

const char *
ag_policy_get_origin (AgPolicy *self, AgPolicyKey key);
const char *
ag_policy_get_bound_origin (AgPolicy *self, AgPolicyKey key);
char *
ag_policy_dup_value_string (AgPolicy *self, AgPolicyKey key);
char *
ag_policy_dup_bound_string (AgPolicy *self, AgPolicyKey key);
const char *
ag_policy_get_version (AgPolicy *self);
char *
ag_policy_to_keyfile_string (AgPolicy *self);

char **
ag_policy_get_user_groups (const char *user_name);

G_END_DECLS
