/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "ag-policy-source.h"
#include "ag-policy.h"
#include "ag-test-util.h"

/* Generous: a machine under load may take seconds to deliver a file event. Reaching it
 * fails the test; it is no measure of speed. */
#define EVENT_TIMEOUT_S 30

typedef struct
{
  char *root;
  char *system_dir;
  char *drop_in_dir;
  char *supervisor_dir;
  char *user_file;
  AgPolicyPaths *paths;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;

  fixture->root = g_dir_make_tmp ("test-policy-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->system_dir = g_build_filename (fixture->root, "etc", NULL);
  fixture->drop_in_dir = g_build_filename (fixture->system_dir, "policy.d", NULL);
  fixture->supervisor_dir = g_build_filename (fixture->root, "var", NULL);
  fixture->user_file = g_build_filename (fixture->root, "home", "policy.conf", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->drop_in_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (fixture->supervisor_dir, 0755), ==, 0);
  fixture->paths
    = ag_policy_paths_new (fixture->system_dir, fixture->supervisor_dir, fixture->user_file);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  ag_test_remove_tree (fixture->root);
  g_free (fixture->root);
  g_free (fixture->system_dir);
  g_free (fixture->drop_in_dir);
  g_free (fixture->supervisor_dir);
  g_free (fixture->user_file);
  ag_policy_paths_free (fixture->paths);
}

static void
write_user_file (Fixture *fixture, const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (fixture->user_file);
  g_autofree char *path = ag_test_write_file (dir, "policy.conf", contents);
}

static AgPolicy *
load (Fixture *fixture, const char *user, const char *const *groups, GError **error)
{
  return ag_policy_load (fixture->paths, user, groups, NULL, error);
}

/* Loads, expecting failure with @code and exactly @expected as the message (printf format
 * with the fixture's system, drop-in and supervisor folders as %1$s, %2$s, %3$s). */
static void
assert_load_fails (Fixture *fixture, int code, const char *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = load (fixture, "ana", NULL, &error);
  g_autofree char *message = NULL;
  g_autoptr (GString) want = g_string_new (expected);

  g_string_replace (want, "@SYS@", fixture->system_dir, 0);
  g_string_replace (want, "@DROP@", fixture->drop_in_dir, 0);
  g_string_replace (want, "@SUP@", fixture->supervisor_dir, 0);
  g_string_replace (want, "@USER@", fixture->user_file, 0);

  g_assert_null (policy);
  g_assert_error (error, AG_POLICY_ERROR, code);
  g_assert_cmpstr (error->message, ==, want->str);
}

static void
test_defaults (void)
{
  g_autoptr (AgPolicy) policy = ag_policy_new_default ();
  const char *const codes[] = { "identity-check", "customer-request", "billing-dispute",
                                "fraud-check",    "legal-request",    NULL };
  const char *version;

  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, 300);
  g_assert_cmpuint (ag_policy_get_lock_warning (policy), ==, 30);
  g_assert_cmpuint (ag_policy_get_reveal_duration (policy), ==, 20);
  g_assert_true (ag_policy_get_require_reason (policy));
  g_assert_true (g_strv_equal (ag_policy_get_reason_codes (policy), codes));
  g_assert_true (ag_policy_has_reason_code (policy, "fraud-check"));
  g_assert_false (ag_policy_has_reason_code (policy, "curiosity"));
  g_assert_cmpuint (ag_policy_get_step_up_grace (policy), ==, 120);
  g_assert_cmpuint (ag_policy_get_max_reveals_per_hour (policy), ==, 30);
  g_assert_true (ag_policy_get_remask_on_focus_loss (policy));
  g_assert_cmpuint (ag_policy_get_clipboard_clear (policy), ==, 0);
  g_assert_cmpuint (ag_policy_get_ledger_retention_days (policy), ==, 400);
  g_assert_true (ag_policy_get_lock_on_minimise (policy));
  g_assert_cmpfloat (ag_policy_get_training_pass_score (policy), ==, 0.8);

  for (int kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_assert_cmpint (ag_policy_kind_is_masked (policy, kind), ==, kind != AG_PII_KIND_NAME);
      g_assert_cmpint (ag_policy_kind_needs_step_up (policy, kind), ==,
                       kind == AG_PII_KIND_CARD_NUMBER || kind == AG_PII_KIND_BANK_ACCOUNT);
    }

  for (int key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      AgPolicyKey parsed;

      g_assert_cmpstr (ag_policy_get_origin (policy, key), ==, "built-in");
      g_assert_true (ag_policy_key_from_string (ag_policy_key_to_string (key), &parsed));
      g_assert_cmpint (parsed, ==, key);
    }
  g_assert_false (ag_policy_key_from_string ("idle_lock", NULL));

  g_assert_cmpstr (ag_policy_reason_code_get_label ("identity-check"), ==, "Identity check");
  g_assert_cmpstr (ag_policy_reason_code_get_label ("chargeback"), ==, "chargeback");

  version = ag_policy_get_version (policy);
  g_assert_cmpuint (strlen (version), ==, 16);
  for (const char *p = version; *p != '\0'; p++)
    g_assert_true (g_ascii_isxdigit (*p));

  g_assert_finalize_object (g_steal_pointer (&policy));
}

static void
test_no_files (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = load (fixture, "ana", NULL, &error);
  g_autoptr (AgPolicy) defaults = ag_policy_new_default ();
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_no_error (error);
  a = ag_policy_to_keyfile_string (policy);
  b = ag_policy_to_keyfile_string (defaults);
  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (ag_policy_get_version (policy), ==, ag_policy_get_version (defaults));
}

typedef struct
{
  const char *key;
  const char *value;
  const char *problem; /* NULL when the value is accepted */
  int code;
} LimitCase;

static void
test_hard_limits (Fixture *fixture, gconstpointer user_data)
{
  static const LimitCase cases[] = {
    { "idle-lock", "30", NULL },
    { "idle-lock", "29", "29 is below the minimum 30", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "idle-lock", "900", NULL },
    { "idle-lock", "901", "901 is above the maximum 900", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "idle-lock", "5m", "“5m” is not a whole number", AG_POLICY_ERROR_INVALID_VALUE },
    { "lock-warning", "0", NULL },
    { "lock-warning", "-1", "“-1” is not a whole number", AG_POLICY_ERROR_INVALID_VALUE },
    { "lock-warning", "120", NULL },
    { "lock-warning", "121", "121 is above the maximum 120", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "reveal-duration", "1", NULL },
    { "reveal-duration", "0", "0 is below the minimum 1", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "reveal-duration", "300", NULL },
    { "reveal-duration", "301", "301 is above the maximum 300", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "step-up-grace", "0", NULL },
    { "step-up-grace", "3600", NULL },
    { "step-up-grace", "3601", "3601 is above the maximum 3600", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "max-reveals-per-hour", "1", NULL },
    { "max-reveals-per-hour", "0", "0 is below the minimum 1", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "max-reveals-per-hour", "1000", NULL },
    { "max-reveals-per-hour", "1001", "1001 is above the maximum 1000",
      AG_POLICY_ERROR_OUT_OF_RANGE },
    { "max-reveals-per-hour", "99999999999", "“99999999999” is not a whole number",
      AG_POLICY_ERROR_INVALID_VALUE },
    { "require-reason", "false", NULL },
    { "require-reason", "yes", "“yes” is neither true nor false", AG_POLICY_ERROR_INVALID_VALUE },
    { "remask-on-focus-loss", "false", NULL },
    { "ledger-retention-days", "90", NULL },
    { "ledger-retention-days", "89", "89 is below the minimum 90", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "ledger-retention-days", "3650", NULL },
    { "ledger-retention-days", "3651", "3651 is above the maximum 3650",
      AG_POLICY_ERROR_OUT_OF_RANGE },
    { "ledger-retention-days", "1y", "“1y” is not a whole number", AG_POLICY_ERROR_INVALID_VALUE },
    { "lock-on-minimise", "false", NULL },
    { "lock-on-minimise", "no", "“no” is neither true nor false", AG_POLICY_ERROR_INVALID_VALUE },
    { "clipboard", "deny", NULL },
    { "clipboard", "allow-with-clear:1", NULL },
    { "clipboard", "allow-with-clear:0", "0 is below the minimum 1", AG_POLICY_ERROR_OUT_OF_RANGE },
    { "clipboard", "allow-with-clear:300", NULL },
    { "clipboard", "allow-with-clear:301", "301 is above the maximum 300",
      AG_POLICY_ERROR_OUT_OF_RANGE },
    { "clipboard", "allow", "“allow” is neither deny nor allow-with-clear:SECONDS",
      AG_POLICY_ERROR_INVALID_VALUE },
    { "masked-kinds", "", NULL },
    { "masked-kinds", "name;cpf;card_number", NULL },
    { "masked-kinds", "cpf;credit_card", "unknown kind “credit_card”",
      AG_POLICY_ERROR_INVALID_VALUE },
    { "step-up-kinds", "cpf;cpf", "“cpf” is listed twice", AG_POLICY_ERROR_INVALID_VALUE },
    { "reason-codes", "chargeback;fraud-check;", NULL },
    { "reason-codes", "", "the list needs at least one reason code",
      AG_POLICY_ERROR_INVALID_VALUE },
    { "reason-codes", "Fraud",
      "“Fraud” is not a reason code (a to z, 0 to 9 and -, at most 64 characters)",
      AG_POLICY_ERROR_INVALID_VALUE },
    { "training-pass-score", "0.5", NULL },
    { "training-pass-score", "1.0", NULL },
    { "training-pass-score", "0.85", NULL },
    { "training-pass-score", "0.49", "0.49 is below the minimum 0.5",
      AG_POLICY_ERROR_OUT_OF_RANGE },
    { "training-pass-score", "1.01", "1.01 is above the maximum 1.0",
      AG_POLICY_ERROR_OUT_OF_RANGE },
    { "training-pass-score", "0,8",
      "“0,8” is not a score such as 0.8 (a dot, at most two decimals)",
      AG_POLICY_ERROR_INVALID_VALUE },
    { "training-pass-score", "0.855",
      "“0.855” is not a score such as 0.8 (a dot, at most two decimals)",
      AG_POLICY_ERROR_INVALID_VALUE },
    { "training-pass-score", "80%",
      "“80%” is not a score such as 0.8 (a dot, at most two decimals)",
      AG_POLICY_ERROR_INVALID_VALUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const LimitCase *c = &cases[i];
      /* Line 2 keeps lock-warning below any idle-lock the case may set, and the other way. */
      const char *other = g_str_equal (c->key, "idle-lock") ? "lock-warning=0" : "idle-lock=900";
      g_autofree char *contents
        = g_strdup_printf ("[policy]\n%s\n%s = %s\n", other, c->key, c->value);
      g_autofree char *path = ag_test_write_file (fixture->system_dir, "policy.conf", contents);
      g_autoptr (GError) error = NULL;
      g_autoptr (AgPolicy) policy = load (fixture, "ana", NULL, &error);

      g_test_message ("%s = %s", c->key, c->value);
      if (c->problem == NULL)
        {
          AgPolicyKey key;
          g_autofree char *value = NULL;
          g_autofree char *origin = g_strdup_printf ("%s:3", path);

          g_assert_no_error (error);
          g_assert_true (ag_policy_key_from_string (c->key, &key));
          value = ag_policy_dup_value_string (policy, key);
          if (!g_str_equal (c->key, "reason-codes") && !g_str_equal (c->key, "masked-kinds"))
            g_assert_cmpstr (value, ==, c->value);
          g_assert_cmpstr (ag_policy_get_origin (policy, key), ==, origin);
        }
      else
        {
          g_autofree char *expected = g_strdup_printf ("%s:3: %s: %s", path, c->key, c->problem);

          g_assert_null (policy);
          g_assert_error (error, AG_POLICY_ERROR, c->code);
          g_assert_cmpstr (error->message, ==, expected);
        }
    }
}

static void
test_list_values (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = ag_test_write_file (fixture->system_dir, "policy.conf",
                                              "[policy]\n"
                                              "masked-kinds = name ; cpf;\n"
                                              "step-up-kinds=\n"
                                              "reason-codes=chargeback; fraud-check\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = load (fixture, "ana", NULL, &error);
  const char *const codes[] = { "chargeback", "fraud-check", NULL };

  g_assert_no_error (error);
  g_assert_true (ag_policy_kind_is_masked (policy, AG_PII_KIND_NAME));
  g_assert_true (ag_policy_kind_is_masked (policy, AG_PII_KIND_CPF));
  g_assert_false (ag_policy_kind_is_masked (policy, AG_PII_KIND_PHONE));
  for (int kind = 0; kind < AG_PII_N_KINDS; kind++)
    g_assert_false (ag_policy_kind_needs_step_up (policy, kind));
  g_assert_true (g_strv_equal (ag_policy_get_reason_codes (policy), codes));
}

static void
test_syntax_errors (Fixture *fixture, gconstpointer user_data)
{
  /* Every problem of every file, in order, one per line. */
  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "# A comment\n"
                    "idle-lock=300\n"
                    "[policy]\n"
                    "idle-lock=300\n"
                    "idle-lock=200\n"
                    "idle_lock=200\n"
                    "just some words\n"
                    "[polcy]\n"
                    "reveal-duration=10\n"
                    "[bounds]\n"
                    "lock-warning=10\n"
                    "[policy\n"
                    "[team:night]\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_SYNTAX,
                     "@SYS@/policy.conf:2: idle-lock: the key comes before any section\n"
                     "@SYS@/policy.conf:5: idle-lock: set twice in this section (first on line 4)\n"
                     "@SYS@/policy.conf:6: idle_lock: unknown key\n"
                     "@SYS@/policy.conf:7: expected KEY=VALUE, a [section] or a # comment\n"
                     "@SYS@/policy.conf:8: unknown section [polcy] (this file may hold [policy], "
                     "[bounds])\n"
                     "@SYS@/policy.conf:11: lock-warning: this key has no admin bound; set it in "
                     "[policy]\n"
                     "@SYS@/policy.conf:12: a section header must look like [NAME]\n"
                     "@SYS@/policy.conf:13: section [team:night] does not belong in this file (it "
                     "may hold [policy], [bounds])");
}

static void
test_invalid_utf8 (Fixture *fixture, gconstpointer user_data)
{
  ag_test_put_file (fixture->drop_in_dir, "10-floor.conf", "[policy]\n# caf\xe9\nidle-lock=60\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_INVALID_UTF8,
                     "@DROP@/10-floor.conf:2: invalid UTF-8; the file is not read");
}

static void
test_duplicate_section_keys (Fixture *fixture, gconstpointer user_data)
{
  /* A section may be opened twice, but a key is still set only once in it. */
  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "[policy]\nidle-lock=300\n[bounds]\nidle-lock=600\n[policy]\nidle-lock=200\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_DUPLICATE_KEY,
                     "@SYS@/policy.conf:6: idle-lock: set twice in this section (first on line "
                     "2)");
}

static void
test_layer_order (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *conf = ag_test_write_file (fixture->system_dir, "policy.conf",
                                              "[policy]\nidle-lock=600\nreveal-duration=60\n"
                                              "max-reveals-per-hour=100\n");
  g_autofree char *floor20
    = ag_test_write_file (fixture->drop_in_dir, "20-floor.conf", "[policy]\nreveal-duration=40\n");
  g_autofree char *floor10 = ag_test_write_file (
    fixture->drop_in_dir, "10-floor.conf", "[policy]\nreveal-duration=50\nstep-up-grace=60\n");
  g_autofree char *ignored = ag_test_write_file (fixture->drop_in_dir, "30-floor.conf.bak",
                                                 "[policy]\nreveal-duration=1\n");
  g_autofree char *team = ag_test_write_file (fixture->supervisor_dir, "10-teams.conf",
                                              "[team:billing]\nidle-lock=500\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autofree char *origin = NULL;

  policy = load (fixture, "ana", (const char *const[]){ "billing", NULL }, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, 500);
  origin = g_strdup_printf ("%s:2", team);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_IDLE_LOCK), ==, origin);

  /* policy.conf, then policy.d in name order. */
  g_assert_cmpuint (ag_policy_get_reveal_duration (policy), ==, 40);
  g_free (origin);
  origin = g_strdup_printf ("%s:2", floor20);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_REVEAL_DURATION), ==, origin);

  g_assert_cmpuint (ag_policy_get_step_up_grace (policy), ==, 60);
  g_free (origin);
  origin = g_strdup_printf ("%s:3", floor10);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_STEP_UP_GRACE), ==, origin);

  g_assert_cmpuint (ag_policy_get_max_reveals_per_hour (policy), ==, 100);
  g_free (origin);
  origin = g_strdup_printf ("%s:4", conf);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_MAX_REVEALS_PER_HOUR), ==, origin);

  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_CLIPBOARD), ==, "built-in");
  g_assert_cmpuint (ag_policy_get_clipboard_clear (policy), ==, 0);
}

static void
test_bounds (Fixture *fixture, gconstpointer user_data)
{
  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "# Floor rules\n"
                    "[bounds]\n"
                    "idle-lock=600\n"
                    "require-reason=true\n"
                    "clipboard=deny\n"
                    "masked-kinds=cpf;card_number\n");
  ag_test_put_file (fixture->drop_in_dir, "10-floor.conf",
                    "[policy]\n"
                    "idle-lock=600\n"
                    "clipboard=deny\n"
                    "require-reason=true\n"
                    "masked-kinds=cpf;phone;card_number\n");
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf",
                    "[team:billing]\n"
                    "idle-lock=700\n"
                    "require-reason=false\n"
                    "clipboard=allow-with-clear:10\n"
                    "masked-kinds=phone\n"
                    "[user:ana]\n"
                    "idle-lock=600\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_BEYOND_BOUND,
                     "@SUP@/10-teams.conf:2: idle-lock: 700 is above the admin bound 600 set in "
                     "@SYS@/policy.conf:3\n"
                     "@SUP@/10-teams.conf:3: require-reason: false is looser than the admin bound "
                     "true set in @SYS@/policy.conf:4\n"
                     "@SUP@/10-teams.conf:4: clipboard: allow-with-clear:10 is looser than the "
                     "admin bound deny set in @SYS@/policy.conf:5\n"
                     "@SUP@/10-teams.conf:5: masked-kinds: leaves out cpf;card_number, which the "
                     "admin bound set in @SYS@/policy.conf:6 requires");

  /* Within the bounds, the same files load. */
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf",
                    "[team:billing]\nidle-lock=450\nmasked-kinds=card_number;cpf;email\n");
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (AgPolicy) policy
      = load (fixture, "ana", (const char *const[]){ "billing", NULL }, &error);
    g_autofree char *bound_origin = g_strdup_printf ("%s/policy.conf:3", fixture->system_dir);
    g_autofree char *bound = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, 450);
    g_assert_true (ag_policy_kind_is_masked (policy, AG_PII_KIND_EMAIL));
    g_assert_false (ag_policy_kind_is_masked (policy, AG_PII_KIND_PHONE));
    bound = ag_policy_dup_bound_string (policy, AG_POLICY_KEY_IDLE_LOCK);
    g_assert_cmpstr (bound, ==, "600");
    g_assert_cmpstr (ag_policy_get_bound_origin (policy, AG_POLICY_KEY_IDLE_LOCK), ==,
                     bound_origin);
    g_assert_null (ag_policy_dup_bound_string (policy, AG_POLICY_KEY_LOCK_WARNING));
  }
}

static void
test_bounds_in_system_layer (Fixture *fixture, gconstpointer user_data)
{
  /* A system [policy] value is held to every bound of the layer, wherever written; a
   * later bound may not loosen an earlier one. */
  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "[policy]\nreveal-duration=60\n[bounds]\nmax-reveals-per-hour=60\n");
  ag_test_put_file (fixture->drop_in_dir, "10-floor.conf",
                    "[bounds]\nreveal-duration=30\nmax-reveals-per-hour=100\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_BEYOND_BOUND,
                     "@DROP@/10-floor.conf:3: max-reveals-per-hour: 100 is above the admin bound "
                     "60 set in @SYS@/policy.conf:4\n"
                     "@SYS@/policy.conf:2: reveal-duration: 60 is above the admin bound 30 set in "
                     "@DROP@/10-floor.conf:2");
}

static void
test_bounds_clamp_defaults (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *conf = ag_test_write_file (fixture->system_dir, "policy.conf",
                                              "[bounds]\nreveal-duration=10\nstep-up-kinds=cpf\n"
                                              "max-reveals-per-hour=60\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = load (fixture, "ana", NULL, &error);
  g_autofree char *origin = g_strdup_printf ("%s:2", conf);

  /* A bound tighter than a default wins over the default. */
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_reveal_duration (policy), ==, 10);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_REVEAL_DURATION), ==, origin);
  g_assert_true (ag_policy_kind_needs_step_up (policy, AG_PII_KIND_CPF));
  g_assert_true (ag_policy_kind_needs_step_up (policy, AG_PII_KIND_CARD_NUMBER));
  g_assert_cmpuint (ag_policy_get_max_reveals_per_hour (policy), ==, 30);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_MAX_REVEALS_PER_HOUR), ==,
                   "built-in");
}

/* A higher pass score is stricter: the bound is the lowest a later layer may set, and a
 * default below it is raised to it. */
static void
test_pass_score_bound (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *conf = ag_test_write_file (fixture->system_dir, "policy.conf",
                                              "[bounds]\ntraining-pass-score=0.9\n");
  g_autofree char *origin = g_strdup_printf ("%s:2", conf);
  g_autofree char *bound = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autoptr (AgPolicy) higher = NULL;

  policy = load (fixture, "ana", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (ag_policy_get_training_pass_score (policy), ==, 0.9);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_TRAINING_PASS_SCORE), ==, origin);
  bound = ag_policy_dup_bound_string (policy, AG_POLICY_KEY_TRAINING_PASS_SCORE);
  g_assert_cmpstr (bound, ==, "0.9");

  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf",
                    "[user:ana]\ntraining-pass-score=0.95\n");
  higher = load (fixture, "ana", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (ag_policy_get_training_pass_score (higher), ==, 0.95);

  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf",
                    "[team:billing]\ntraining-pass-score=0.85\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_BEYOND_BOUND,
                     "@SUP@/10-teams.conf:2: training-pass-score: 0.85 is below the admin "
                     "bound 0.9 set in @SYS@/policy.conf:2");
}

static void
test_retention_bound (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *conf
    = ag_test_write_file (fixture->system_dir, "policy.conf",
                          "[bounds]\nledger-retention-days=730\nlock-on-minimise=true\n");
  g_autofree char *origin = g_strdup_printf ("%s:2", conf);
  g_autofree char *bound = NULL;
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autoptr (AgPolicy) longer = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *sup = NULL;

  /* Retention is the evidence of every access: the bound is the shortest allowed, and a
   * default below it is raised to it. */
  policy = load (fixture, "ana", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_ledger_retention_days (policy), ==, 730);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_LEDGER_RETENTION_DAYS), ==, origin);
  bound = ag_policy_dup_bound_string (policy, AG_POLICY_KEY_LEDGER_RETENTION_DAYS);
  g_assert_cmpstr (bound, ==, "730");
  g_clear_object (&policy);

  /* A supervisor may keep it longer, never shorter; nor turn locking on minimise off. */
  sup = ag_test_write_file (fixture->supervisor_dir, "10-teams.conf",
                            "[user:ana]\nledger-retention-days=1000\n");
  longer = load (fixture, "ana", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_ledger_retention_days (longer), ==, 1000);

  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf",
                    "[team:billing]\nledger-retention-days=365\nlock-on-minimise=false\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_BEYOND_BOUND,
                     "@SUP@/10-teams.conf:2: ledger-retention-days: 365 is below the admin "
                     "bound 730 set in @SYS@/policy.conf:2\n"
                     "@SUP@/10-teams.conf:3: lock-on-minimise: false is looser than the admin "
                     "bound true set in @SYS@/policy.conf:3");

  /* The agent's own file may lengthen the retention and keep the lock, not loosen. */
  g_assert_cmpint (g_unlink (sup), ==, 0);
  write_user_file (fixture, "[policy]\nledger-retention-days=800\nlock-on-minimise=false\n");
  policy = ag_policy_load (fixture->paths, "ana", NULL, warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_ledger_retention_days (policy), ==, 800);
  g_assert_true (ag_policy_get_lock_on_minimise (policy));
  g_assert_cmpuint (warnings->len, ==, 1);
  expected = g_strdup_printf ("%s:3: lock-on-minimise: false is looser than the policy in force "
                              "(true, from built-in); ignored",
                              fixture->user_file);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, expected);
  g_clear_object (&policy);

  write_user_file (fixture, "[policy]\nledger-retention-days=700\n");
  g_ptr_array_set_size (warnings, 0);
  policy = ag_policy_load (fixture->paths, "ana", NULL, warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_ledger_retention_days (policy), ==, 730);
  g_assert_cmpuint (warnings->len, ==, 1);
  g_free (expected);
  expected = g_strdup_printf ("%s:2: ledger-retention-days: 700 is looser than the policy in "
                              "force (730, from %s); ignored",
                              fixture->user_file, origin);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, expected);
}

static void
test_lock_warning_below_idle_lock (Fixture *fixture, gconstpointer user_data)
{
  ag_test_put_file (fixture->system_dir, "policy.conf", "[policy]\nidle-lock=60\n");
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[user:ana]\nlock-warning=60\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_OUT_OF_RANGE,
                     "@SUP@/10-teams.conf:2: lock-warning: lock-warning (60, from "
                     "@SUP@/10-teams.conf:2) must be shorter than idle-lock (60, from "
                     "@SYS@/policy.conf:2)");
}

static void
test_team_and_user (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *file = ag_test_write_file (fixture->supervisor_dir, "10-teams.conf",
                                              "[user:ana]\n"
                                              "reveal-duration=5\n"
                                              "[team:billing]\n"
                                              "reveal-duration=15\n"
                                              "idle-lock=240\n"
                                              "[team:fraud]\n"
                                              "idle-lock=120\n"
                                              "[user:bruno]\n"
                                              "idle-lock=60\n");
  const char *const groups[] = { "agents", "billing", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) ana = load (fixture, "ana", groups, &error);
  g_autoptr (AgPolicy) carla = NULL;
  g_autofree char *origin = NULL;

  /* The user's section wins over the team's, wherever it is written. */
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_reveal_duration (ana), ==, 5);
  origin = g_strdup_printf ("%s:2", file);
  g_assert_cmpstr (ag_policy_get_origin (ana, AG_POLICY_KEY_REVEAL_DURATION), ==, origin);
  g_assert_cmpuint (ag_policy_get_idle_lock (ana), ==, 240);

  carla = load (fixture, "carla", groups, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_reveal_duration (carla), ==, 15);

  /* A broken section for someone else still fails the load: a typo must never pass. */
  ag_test_put_file (fixture->supervisor_dir, "20-more.conf", "[team:fraud]\nidle-lok=60\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_UNKNOWN_KEY,
                     "@SUP@/20-more.conf:2: idle-lok: unknown key");

  ag_test_put_file (fixture->supervisor_dir, "20-more.conf", "[policy]\nidle-lock=60\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_UNKNOWN_SECTION,
                     "@SUP@/20-more.conf:1: section [policy] does not belong in this file (it "
                     "may hold [team:GROUP], [user:NAME])");

  ag_test_put_file (fixture->supervisor_dir, "20-more.conf", "[team:]\n[user:a b]\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_SYNTAX,
                     "@SUP@/20-more.conf:1: “” is not a valid user or group name\n"
                     "@SUP@/20-more.conf:2: “a b” is not a valid user or group name");
}

static void
test_user_file_only_tightens (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *conf = ag_test_write_file (fixture->system_dir, "policy.conf",
                                              "[policy]\nclipboard=allow-with-clear:30\n");
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *origin = NULL;

  write_user_file (fixture, "[policy]\n"
                            "idle-lock=600\n"
                            "reveal-duration=10\n"
                            "require-reason=false\n"
                            "clipboard=allow-with-clear:10\n"
                            "masked-kinds=cpf\n"
                            "step-up-kinds=card_number;bank_account;cpf\n"
                            "reason-codes=fraud-check;just-looking\n"
                            "lock-warning=60\n"
                            "max-reveals-per-hour=31\n");
  policy = ag_policy_load (fixture->paths, "ana", NULL, warnings, &error);
  g_assert_no_error (error);

  /* Tighter values apply. */
  g_assert_cmpuint (ag_policy_get_reveal_duration (policy), ==, 10);
  origin = g_strdup_printf ("%s:3", fixture->user_file);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_REVEAL_DURATION), ==, origin);
  g_assert_cmpuint (ag_policy_get_clipboard_clear (policy), ==, 10);
  g_assert_true (ag_policy_kind_needs_step_up (policy, AG_PII_KIND_CPF));
  g_assert_cmpuint (ag_policy_get_lock_warning (policy), ==, 60);

  /* Looser ones do not, and each is named. */
  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, 300);
  g_assert_true (ag_policy_get_require_reason (policy));
  g_assert_true (ag_policy_kind_is_masked (policy, AG_PII_KIND_PHONE));
  g_assert_false (ag_policy_has_reason_code (policy, "just-looking"));
  g_assert_true (ag_policy_has_reason_code (policy, "legal-request"));
  g_assert_cmpuint (ag_policy_get_max_reveals_per_hour (policy), ==, 30);

  g_assert_cmpuint (warnings->len, ==, 5);
  expected = g_strdup_printf ("%s:2: idle-lock: 600 is looser than the policy in force (300, "
                              "from built-in); ignored",
                              fixture->user_file);
  g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s:4: require-reason: false is looser than the policy in force "
                              "(true, from built-in); ignored",
                              fixture->user_file);
  g_assert_cmpstr (g_ptr_array_index (warnings, 1), ==, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s:6: masked-kinds: cpf is looser than the policy in force "
                              "(cpf;cnpj;rg;birth_date;phone;email;address;card_number;"
                              "bank_account;pix_key;notes, from built-in); ignored",
                              fixture->user_file);
  g_assert_cmpstr (g_ptr_array_index (warnings, 2), ==, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s:8: reason-codes: “just-looking” is not among the reason codes "
                              "in force (from built-in); ignored",
                              fixture->user_file);
  g_assert_cmpstr (g_ptr_array_index (warnings, 3), ==, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s:10: max-reveals-per-hour: 31 is looser than the policy in "
                              "force (30, from built-in); ignored",
                              fixture->user_file);
  g_assert_cmpstr (g_ptr_array_index (warnings, 4), ==, expected);
  (void) conf;
}

static void
test_user_file_errors (Fixture *fixture, gconstpointer user_data)
{
  /* Errors in the agent's file block the load like any other: fail closed. */
  write_user_file (fixture, "[bounds]\nidle-lock=60\n[policy]\nreveal-duration=0\n");
  assert_load_fails (fixture, AG_POLICY_ERROR_UNKNOWN_SECTION,
                     "@USER@:1: section [bounds] does not belong in this file (it may hold "
                     "[policy])\n"
                     "@USER@:4: reveal-duration: 0 is below the minimum 1");
}

/* Loads the agent's file @contents and checks the idle lock and lock warning that result;
 * @expected_warning (with @USER@ for the agent's file) is the one warning, or %NULL. */
static void
assert_user_locks (Fixture *fixture, const char *contents, guint idle_lock, guint lock_warning,
                   const char *expected_warning)
{
  g_autoptr (GPtrArray) warnings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;

  write_user_file (fixture, contents);
  policy = ag_policy_load (fixture->paths, "ana", NULL, warnings, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, idle_lock);
  g_assert_cmpuint (ag_policy_get_lock_warning (policy), ==, lock_warning);
  if (expected_warning == NULL)
    g_assert_cmpuint (warnings->len, ==, 0);
  else
    {
      g_autoptr (GString) expected = g_string_new (expected_warning);

      g_string_replace (expected, "@USER@", fixture->user_file, 0);
      g_assert_cmpuint (warnings->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (warnings, 0), ==, expected->str);
    }
}

static void
test_user_file_key_order (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (AgPolicy) policy = NULL;
  g_autofree char *origin = NULL;

  /* A stricter idle lock with the shorter warning it needs, in either order: both apply,
   * whichever line comes first (the limit is checked on the whole file). */
  assert_user_locks (fixture, "[policy]\nidle-lock=30\nlock-warning=5\n", 30, 5, NULL);
  policy = ag_policy_load (fixture->paths, "ana", NULL, NULL, NULL);
  origin = g_strdup_printf ("%s:2", fixture->user_file);
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_IDLE_LOCK), ==, origin);
  g_clear_object (&policy);
  assert_user_locks (fixture, "[policy]\nlock-warning=5\nidle-lock=30\n", 30, 5, NULL);
  policy = ag_policy_load (fixture->paths, "ana", NULL, NULL, NULL);
  origin = (g_free (origin), g_strdup_printf ("%s:3", fixture->user_file));
  g_assert_cmpstr (ag_policy_get_origin (policy, AG_POLICY_KEY_IDLE_LOCK), ==, origin);

  /* A real conflict within the file: the stricter idle lock is kept in either order and
   * the warning that does not fit below it is named with its file, line and key. */
  assert_user_locks (fixture, "[policy]\nidle-lock=60\nlock-warning=90\n", 60, 30,
                     "@USER@:3: lock-warning: 90 is not shorter than idle-lock (60); ignored");
  assert_user_locks (fixture, "[policy]\nlock-warning=90\nidle-lock=60\n", 60, 30,
                     "@USER@:2: lock-warning: 90 is not shorter than idle-lock (60); ignored");

  /* A conflict with the lock warning in force, which the file does not change. */
  assert_user_locks (fixture, "[policy]\nidle-lock=30\n", 300, 30,
                     "@USER@:2: idle-lock: 30 is not longer than lock-warning (30); ignored");
}

static void
test_unsafe_file (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path = ag_test_write_file (fixture->supervisor_dir, "10-teams.conf",
                                              "[team:billing]\nidle-lock=60\n");

  g_assert_cmpint (g_chmod (path, 0666), ==, 0);
  assert_load_fails (fixture, AG_POLICY_ERROR_UNSAFE_FILE,
                     "@SUP@/10-teams.conf: every user may write this file; refused (chmod o-w)");
}

static void
test_group_writable_system_file (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *path
    = ag_test_write_file (fixture->drop_in_dir, "10-floor.conf", "[policy]\nidle-lock=60\n");
  g_autofree char *team = ag_test_write_file (fixture->supervisor_dir, "10-teams.conf",
                                              "[team:billing]\nidle-lock=60\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;

  /* Supervisor files may be written by their group; system files may not. */
  g_assert_cmpint (g_chmod (team, 0664), ==, 0);
  policy = load (fixture, "ana", NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&policy);

  g_assert_cmpint (g_chmod (path, 0664), ==, 0);
  assert_load_fails (fixture, AG_POLICY_ERROR_UNSAFE_FILE,
                     "@DROP@/10-floor.conf: its group may write this file, but system policy "
                     "files are for root alone; refused (chmod g-w)");
}

static void
test_unreadable_layer (Fixture *fixture, gconstpointer user_data)
{
  /* A policy.conf that is a folder cannot be read: that is an error, not an empty file. */
  g_autofree char *path = g_build_filename (fixture->system_dir, "policy.conf", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) policy = NULL;

  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  policy = load (fixture, "ana", NULL, &error);
  g_assert_null (policy);
  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, path));
}

static void
test_validate (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgPolicy) bounds = NULL;
  g_autoptr (AgPolicyPaths) system_only = NULL;

  /* A system file's own bounds. */
  g_assert_true (ag_policy_validate_layer_data ("a.conf",
                                                "[policy]\nidle-lock=600\n[bounds]\n"
                                                "idle-lock=600\n",
                                                -1, AG_POLICY_LAYER_SYSTEM, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (ag_policy_validate_layer_data ("a.conf",
                                                 "[policy]\nidle-lock=700\n[bounds]\n"
                                                 "idle-lock=600\n",
                                                 -1, AG_POLICY_LAYER_SYSTEM, NULL, &error));
  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_BEYOND_BOUND);
  g_assert_cmpstr (error->message, ==,
                   "a.conf:2: idle-lock: 700 is above the admin bound 600 set in a.conf:4");
  g_clear_error (&error);

  /* A supervisor file against the installed bounds. */
  ag_test_put_file (fixture->system_dir, "policy.conf", "[bounds]\nreveal-duration=30\n");
  system_only = ag_policy_paths_new (fixture->system_dir, NULL, NULL);
  bounds = ag_policy_load (system_only, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ag_policy_validate_layer_data ("s.conf", "[team:x]\nreveal-duration=31\n", -1,
                                                 AG_POLICY_LAYER_SUPERVISOR, bounds, &error));
  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_BEYOND_BOUND);
  g_clear_error (&error);
  g_assert_true (ag_policy_validate_layer_data ("s.conf", "[team:x]\nreveal-duration=31\n", -1,
                                                AG_POLICY_LAYER_SUPERVISOR, NULL, &error));
  g_assert_no_error (error);

  /* Files and their I/O errors. */
  g_assert_false (ag_policy_validate_layer_file ("/nonexistent/policy.conf", AG_POLICY_LAYER_SYSTEM,
                                                 NULL, &error));
  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO);
}

static void
changed_cb (AgPolicySource *source, AgPolicy *policy, gpointer user_data)
{
  guint *n_changed = user_data;

  g_assert_true (AG_IS_POLICY (policy));
  (*n_changed)++;
}

static void
load_failed_cb (AgPolicySource *source, GError *error, gpointer user_data)
{
  guint *n_failed = user_data;

  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_OUT_OF_RANGE);
  (*n_failed)++;
}

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until *@counter grows, or fails the test after EVENT_TIMEOUT_S. */
static void
wait_for (guint *counter)
{
  guint start = *counter;
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (EVENT_TIMEOUT_S, timeout_cb, &timed_out);

  while (*counter == start && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (timed_out);
  g_source_remove (timeout_id);
}

static void
test_source_new_destroy (Fixture *fixture, gconstpointer user_data)
{
  AgPolicySource *source = ag_policy_source_new (fixture->paths, "ana", NULL);
  g_autoptr (AgPolicyPaths) paths = NULL;
  g_auto (GStrv) groups = NULL;
  g_autofree char *user_name = NULL;

  g_object_get (source, "paths", &paths, "user-name", &user_name, "groups", &groups, NULL);
  g_assert_cmpstr (paths->supervisor_dir, ==, fixture->supervisor_dir);
  g_assert_cmpstr (user_name, ==, "ana");
  g_assert_nonnull (groups);
  g_assert_nonnull (ag_policy_source_get_policy (source));
  g_assert_null (ag_policy_source_get_last_error (source));
  g_assert_finalize_object (source);
}

static void
test_source_first_load_fails (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (AgPolicySource) source = NULL;
  g_autoptr (AgPolicy) defaults = ag_policy_new_default ();

  ag_test_put_file (fixture->system_dir, "policy.conf", "[policy]\nidle-lock=10000\n");
  source = ag_policy_source_new (fixture->paths, "ana", (const char *const[]){ NULL });

  /* The strict defaults, and why. */
  g_assert_cmpstr (ag_policy_get_version (ag_policy_source_get_policy (source)), ==,
                   ag_policy_get_version (defaults));
  g_assert_error ((GError *) ag_policy_source_get_last_error (source), AG_POLICY_ERROR,
                  AG_POLICY_ERROR_OUT_OF_RANGE);
}

static void
test_source_live_reload (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (AgPolicySource) source = NULL;
  g_autofree char *file = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *good_version = NULL;
  AgPolicy *good;
  guint n_changed = 0;
  guint n_failed = 0;

  source = ag_policy_source_new (fixture->paths, "ana", (const char *const[]){ "billing", NULL });
  g_signal_connect (source, "changed", G_CALLBACK (changed_cb), &n_changed);
  g_signal_connect (source, "load-failed", G_CALLBACK (load_failed_cb), &n_failed);
  g_assert_cmpuint (ag_policy_get_idle_lock (ag_policy_source_get_policy (source)), ==, 300);

  /* A new file in a watched folder. */
  file = ag_test_write_file (fixture->supervisor_dir, "10-teams.conf",
                             "[team:billing]\nidle-lock=120\n");
  wait_for (&n_changed);
  good = ag_policy_source_get_policy (source);
  g_assert_cmpuint (ag_policy_get_idle_lock (good), ==, 120);
  good_version = g_strdup (ag_policy_get_version (good));
  g_assert_null (ag_policy_source_get_last_error (source));

  /* A bad edit: the good supervisor layer stays, and the error says why. */
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=12\n");
  wait_for (&n_failed);
  g_assert_cmpstr (ag_policy_get_version (ag_policy_source_get_policy (source)), ==, good_version);
  g_assert_cmpuint (ag_policy_get_idle_lock (ag_policy_source_get_policy (source)), ==, 120);
  g_assert_error ((GError *) ag_policy_source_get_last_error (source), AG_POLICY_ERROR,
                  AG_POLICY_ERROR_OUT_OF_RANGE);
  g_assert_true (strstr (ag_policy_source_get_last_error (source)->message,
                         "10-teams.conf:2: idle-lock: 12 is below the minimum 30")
                 != NULL);
  g_assert_false (ag_policy_source_reload (source, &error));
  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_OUT_OF_RANGE);

  /* The fix applies, and clears the error. */
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=90\n");
  wait_for (&n_changed);
  g_assert_cmpuint (ag_policy_get_idle_lock (ag_policy_source_get_policy (source)), ==, 90);
  g_assert_null (ag_policy_source_get_last_error (source));

  /* The agent's own file, in a folder that did not exist when watching began. */
  write_user_file (fixture, "[policy]\nidle-lock=60\n");
  wait_for (&n_changed);
  g_assert_cmpuint (ag_policy_get_idle_lock (ag_policy_source_get_policy (source)), ==, 60);

  g_assert_finalize_object (g_steal_pointer (&source));
}

static void
test_user_groups (void)
{
  g_auto (GStrv) groups = ag_policy_get_user_groups (g_get_user_name ());
  g_auto (GStrv) nobody = ag_policy_get_user_groups ("no-such-user-agent-guard");

  g_assert_nonnull (groups);
  g_assert_nonnull (groups[0]);
  g_assert_null (nobody);
}

/* Each layer stands or falls alone ------------------------------------------------------ */

/* Each layer sets something of its own, so a test can see which layers are in force: the
 * system layer a bound of 20 and a value of 10 reveals an hour and a 60 s step-up grace;
 * the supervisors' team billing a 120 s idle lock; the agent a 10 s reveal. */
static void
write_three_layers (Fixture *fixture)
{
  ag_test_put_file (fixture->system_dir, "policy.conf",
                    "[bounds]\nmax-reveals-per-hour=20\nidle-lock=600\n"
                    "[policy]\nmax-reveals-per-hour=10\nstep-up-grace=60\n");
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=120\n");
  write_user_file (fixture, "[policy]\nreveal-duration=10\n");
}

static AgPolicy *
load_layers (Fixture *fixture, AgPolicy *previous, GPtrArray *refusals)
{
  return ag_policy_load_layers (fixture->paths, "ana", (const char *const[]){ "billing", NULL },
                                previous, NULL, refusals);
}

static GPtrArray *
new_refusals (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
}

/* Which layers' values are in force. A system layer that is not is replaced by the
 * built-in defaults within its bounds (20 reveals, not the default 30). */
static void
assert_layers (AgPolicy *policy, gboolean system, gboolean supervisor, gboolean user)
{
  g_assert_cmpuint (ag_policy_get_max_reveals_per_hour (policy), ==, system ? 10 : 20);
  g_assert_cmpuint (ag_policy_get_step_up_grace (policy), ==, system ? 60 : 120);
  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, supervisor ? 120 : 300);
  g_assert_cmpuint (ag_policy_get_reveal_duration (policy), ==, user ? 10 : 20);
}

typedef struct
{
  const char *name;
  /* The broken file: @SECTION@ becomes the layer's section. NULL: see @mode. */
  const char *text;
  AgPolicyError code;
  /* A file's mode to set instead of breaking its text; 0 for none. */
  guint mode;
  /* For the system layer, the broken file is a drop-in after policy.conf; the layers
   * it does not apply to are skipped. */
  gboolean system, supervisor, user;
} Breakage;

static const Breakage breakages[] = {
  { "syntax", "@SECTION@\nnot a key and a value\n", AG_POLICY_ERROR_SYNTAX, 0, TRUE, TRUE, TRUE },
  { "unknown-key", "@SECTION@\nfoo=1\n", AG_POLICY_ERROR_UNKNOWN_KEY, 0, TRUE, TRUE, TRUE },
  { "unknown-section", "[nonsense]\nidle-lock=60\n", AG_POLICY_ERROR_UNKNOWN_SECTION, 0, TRUE, TRUE,
    TRUE },
  { "duplicate-key", "@SECTION@\nidle-lock=60\nidle-lock=70\n", AG_POLICY_ERROR_DUPLICATE_KEY, 0,
    TRUE, TRUE, TRUE },
  { "invalid-value", "@SECTION@\nrequire-reason=maybe\n", AG_POLICY_ERROR_INVALID_VALUE, 0, TRUE,
    TRUE, TRUE },
  { "out-of-range", "@SECTION@\nidle-lock=5\n", AG_POLICY_ERROR_OUT_OF_RANGE, 0, TRUE, TRUE, TRUE },
  { "invalid-utf8",
    "@SECTION@\nidle-lock=6\xff"
    "0\n",
    AG_POLICY_ERROR_INVALID_UTF8, 0, TRUE, TRUE, TRUE },
  /* A drop-in loosening a bound, a supervisor beyond a bound. */
  { "beyond-bound", "[bounds]\nmax-reveals-per-hour=50\n", AG_POLICY_ERROR_BEYOND_BOUND, 0, TRUE,
    FALSE, FALSE },
  { "beyond-bound", "@SECTION@\nmax-reveals-per-hour=25\n", AG_POLICY_ERROR_BEYOND_BOUND, 0, FALSE,
    TRUE, FALSE },
  { "lock-warning", "@SECTION@\nidle-lock=100\nlock-warning=110\n", AG_POLICY_ERROR_OUT_OF_RANGE, 0,
    TRUE, TRUE, FALSE },
  { "world-writable", "@SECTION@\nidle-lock=60\n", AG_POLICY_ERROR_UNSAFE_FILE, 0666, TRUE, TRUE,
    FALSE },
  { "unreadable", NULL, AG_POLICY_ERROR_IO, 0, TRUE, TRUE, TRUE },
};

typedef struct
{
  AgPolicyLayer layer;
  const Breakage *breakage;
} LayerCase;

/* Breaks @layer as @breakage says; returns the broken file. */
static char *
break_layer (Fixture *fixture, AgPolicyLayer layer, const Breakage *breakage)
{
  const char *dir = layer == AG_POLICY_LAYER_SYSTEM       ? fixture->drop_in_dir
                    : layer == AG_POLICY_LAYER_SUPERVISOR ? fixture->supervisor_dir
                                                          : NULL;
  const char *section = layer == AG_POLICY_LAYER_SUPERVISOR ? "[team:billing]" : "[policy]";
  g_autofree char *user_dir = g_path_get_dirname (fixture->user_file);
  g_autofree char *path = g_build_filename (dir != NULL ? dir : user_dir,
                                            dir != NULL ? "50-broken.conf" : "policy.conf", NULL);
  g_autoptr (GString) text = NULL;

  g_unlink (path);
  if (breakage->text == NULL)
    {
      /* A folder where the file should be: it cannot be read. */
      g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
      return g_steal_pointer (&path);
    }

  text = g_string_new (breakage->text);
  g_string_replace (text, "@SECTION@", section, 0);
  g_free (ag_test_write_file (dir != NULL ? dir : user_dir,
                              dir != NULL ? "50-broken.conf" : "policy.conf", text->str));
  if (breakage->mode != 0)
    g_assert_cmpint (g_chmod (path, breakage->mode), ==, 0);
  return g_steal_pointer (&path);
}

static void
test_layer_broken (Fixture *fixture, gconstpointer user_data)
{
  const LayerCase *c = user_data;
  g_autoptr (GPtrArray) refusals = new_refusals ();
  g_autoptr (AgPolicy) policy = NULL;
  g_autofree char *broken = NULL;
  g_autofree char *cause = NULL;
  const AgPolicyRefusal *refusal;

  write_three_layers (fixture);
  broken = break_layer (fixture, c->layer, c->breakage);

  policy = load_layers (fixture, NULL, refusals);

  /* That layer alone is refused, with where and why. */
  g_assert_cmpuint (refusals->len, ==, 1);
  refusal = g_ptr_array_index (refusals, 0);
  g_assert_cmpint (refusal->layer, ==, c->layer);
  g_assert_cmpint (refusal->code, ==, c->breakage->code);
  g_assert_cmpstr (refusal->file, ==, broken);
  g_assert_true (g_str_has_prefix (refusal->message, broken));

  /* Every other layer stays in force; nothing of the refused one applies. */
  assert_layers (policy, c->layer != AG_POLICY_LAYER_SYSTEM, c->layer != AG_POLICY_LAYER_SUPERVISOR,
                 c->layer != AG_POLICY_LAYER_USER);

  /* The ledger's cause names the layer, file and class, never what the file holds. */
  cause = ag_policy_refusal_to_cause (refusal);
  g_assert_true (g_str_has_prefix (cause, "layer="));
  g_assert_nonnull (strstr (cause, ag_policy_layer_to_string (c->layer)));
  g_assert_nonnull (strstr (cause, broken));
  g_assert_nonnull (strstr (cause, ag_policy_error_to_string (c->breakage->code)));
  g_assert_null (strstr (cause, "foo"));
  g_assert_null (strstr (cause, "maybe"));
  g_assert_true (g_utf8_validate (cause, -1, NULL));

  /* A strict load still fails, with the same problems. */
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (AgPolicy) strict
      = load (fixture, "ana", (const char *const[]){ "billing", NULL }, &error);

    g_assert_null (strict);
    g_assert_error (error, AG_POLICY_ERROR, (int) c->breakage->code);
    g_assert_cmpstr (error->message, ==, refusal->message);
  }
}

/* A running app keeps the last good system and supervisor layers when they break. */
static void
test_layer_last_good (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) refusals = new_refusals ();
  g_autoptr (AgPolicy) good = NULL;
  g_autoptr (AgPolicy) policy = NULL;
  g_autoptr (AgPolicy) later = NULL;

  write_three_layers (fixture);
  good = load_layers (fixture, NULL, refusals);
  g_assert_cmpuint (refusals->len, ==, 0);
  assert_layers (good, TRUE, TRUE, TRUE);

  /* The system layer breaks: its last good version stays, values and bounds. */
  ag_test_put_file (fixture->system_dir, "policy.conf", "[policy]\nmax-reveals-per-hour=500\nx\n");
  policy = load_layers (fixture, good, refusals);
  g_assert_cmpuint (refusals->len, ==, 1);
  assert_layers (policy, TRUE, TRUE, TRUE);
  g_assert_cmpstr (ag_policy_get_version (policy), ==, ag_policy_get_version (good));

  /* The supervisors' layer breaks as well: both last good versions stay, carried on. */
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=5\n");
  g_ptr_array_set_size (refusals, 0);
  later = load_layers (fixture, policy, refusals);
  g_assert_cmpuint (refusals->len, ==, 2);
  g_assert_cmpint (((AgPolicyRefusal *) g_ptr_array_index (refusals, 0))->layer, ==,
                   AG_POLICY_LAYER_SYSTEM);
  g_assert_cmpint (((AgPolicyRefusal *) g_ptr_array_index (refusals, 1))->layer, ==,
                   AG_POLICY_LAYER_SUPERVISOR);
  assert_layers (later, TRUE, TRUE, TRUE);
  g_clear_object (&policy);

  /* Without a previous policy (a new start), the strict defaults within the bounds that
   * loaded: none of the broken policy.conf's, so the built-in limits. */
  g_ptr_array_set_size (refusals, 0);
  policy = load_layers (fixture, NULL, refusals);
  g_assert_cmpuint (refusals->len, ==, 2);
  g_assert_cmpuint (ag_policy_get_max_reveals_per_hour (policy), ==, 30);
  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, 300);
  g_assert_cmpuint (ag_policy_get_reveal_duration (policy), ==, 10);
}

/* A last good supervisor layer that a new system bound forbids is dropped, and the bound
 * holds: the fallback never loosens a bound. */
static void
test_layer_last_good_beyond_new_bound (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) refusals = new_refusals ();
  g_autoptr (AgPolicy) good = NULL;
  g_autoptr (AgPolicy) policy = NULL;

  write_three_layers (fixture);
  good = load_layers (fixture, NULL, refusals);
  g_assert_cmpuint (ag_policy_get_idle_lock (good), ==, 120);

  ag_test_put_file (fixture->system_dir, "policy.conf", "[bounds]\nidle-lock=100\n");
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=5\n");
  policy = load_layers (fixture, good, refusals);
  g_assert_cmpuint (refusals->len, ==, 1);
  g_assert_cmpuint (ag_policy_get_idle_lock (policy), ==, 100);
}

/* The agent's file broken on a reload changes nothing the others set. */
static void
test_layer_user_broken_on_reload (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) refusals = new_refusals ();
  g_autoptr (AgPolicy) good = NULL;
  g_autoptr (AgPolicy) policy = NULL;

  write_three_layers (fixture);
  good = load_layers (fixture, NULL, refusals);
  write_user_file (fixture, "[policy]\nfoo=1\n");
  policy = load_layers (fixture, good, refusals);
  g_assert_cmpuint (refusals->len, ==, 1);
  assert_layers (policy, TRUE, TRUE, FALSE);
}

/* The source reports each refusal once, not at every reload, and clears it when fixed. */
static void
refused_cb (AgPolicySource *source, const AgPolicyRefusal *refusal, gpointer user_data)
{
  g_ptr_array_add (user_data, ag_policy_refusal_copy (refusal));
}

static void
test_source_refused (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GPtrArray) seen = new_refusals ();
  g_autoptr (AgPolicySource) source = NULL;
  g_autoptr (GError) error = NULL;

  write_three_layers (fixture);
  write_user_file (fixture, "[policy]\nfoo=1\n");
  source = ag_policy_source_new (fixture->paths, "ana", (const char *const[]){ "billing", NULL });
  g_signal_connect (source, "refused", G_CALLBACK (refused_cb), seen);

  /* The first load's refusal is there to read, and the policy has the other layers. */
  g_assert_cmpuint (ag_policy_source_get_refusals (source)->len, ==, 1);
  assert_layers (ag_policy_source_get_policy (source), TRUE, TRUE, FALSE);

  /* The same problem again is no new refusal. */
  g_assert_false (ag_policy_source_reload (source, &error));
  g_assert_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_UNKNOWN_KEY);
  g_clear_error (&error);
  g_assert_cmpuint (seen->len, ==, 0);

  /* Another one is. */
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=5\n");
  g_assert_false (ag_policy_source_reload (source, NULL));
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpint (((AgPolicyRefusal *) g_ptr_array_index (seen, 0))->layer, ==,
                   AG_POLICY_LAYER_SUPERVISOR);
  assert_layers (ag_policy_source_get_policy (source), TRUE, TRUE, FALSE);

  /* Fixed: no refusal, no error. */
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=120\n");
  write_user_file (fixture, "[policy]\nreveal-duration=10\n");
  g_assert_true (ag_policy_source_reload (source, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ag_policy_source_get_refusals (source)->len, ==, 0);
  g_assert_null (ag_policy_source_get_last_error (source));
  assert_layers (ag_policy_source_get_policy (source), TRUE, TRUE, TRUE);
}

/* How policy files are opened ------------------------------------------------------------ */

/* Loads expecting @layer refused for @code with @needle in its message. */
static void
assert_refused (Fixture *fixture, AgPolicyLayer layer, AgPolicyError code, const char *needle)
{
  g_autoptr (GPtrArray) refusals = new_refusals ();
  g_autoptr (AgPolicy) policy = load_layers (fixture, NULL, refusals);
  const AgPolicyRefusal *refusal;

  g_assert_cmpuint (refusals->len, ==, 1);
  refusal = g_ptr_array_index (refusals, 0);
  g_assert_cmpint (refusal->layer, ==, layer);
  g_assert_cmpint (refusal->code, ==, code);
  if (strstr (refusal->message, needle) == NULL)
    g_error ("“%s” is not in “%s”", needle, refusal->message);
}

static void
test_file_symlink (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *target = ag_test_write_file (fixture->root, "elsewhere.conf", "[policy]\n");
  g_autofree char *system = g_build_filename (fixture->drop_in_dir, "10-link.conf", NULL);
  g_autofree char *supervisor = g_build_filename (fixture->supervisor_dir, "10-link.conf", NULL);
  g_autofree char *user_dir = g_path_get_dirname (fixture->user_file);
  g_autoptr (GPtrArray) refusals = new_refusals ();
  g_autoptr (AgPolicy) policy = NULL;

  /* A link in the system or supervisor layer is refused: it could point anywhere. */
  g_assert_cmpint (symlink (target, system), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SYSTEM, AG_POLICY_ERROR_UNSAFE_FILE,
                  "10-link.conf: a symbolic link; refused");
  g_assert_cmpint (g_unlink (system), ==, 0);
  g_free (ag_test_write_file (fixture->root, "team.conf", "[team:billing]\n"));
  g_free (target);
  target = g_build_filename (fixture->root, "team.conf", NULL);
  g_assert_cmpint (symlink (target, supervisor), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SUPERVISOR, AG_POLICY_ERROR_UNSAFE_FILE,
                  "a symbolic link");
  g_assert_cmpint (g_unlink (supervisor), ==, 0);

  /* The agent's own file may be one (dotfile managers make them). */
  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0755), ==, 0);
  g_free (ag_test_write_file (fixture->root, "mine.conf", "[policy]\nreveal-duration=7\n"));
  g_free (target);
  target = g_build_filename (fixture->root, "mine.conf", NULL);
  g_assert_cmpint (symlink (target, fixture->user_file), ==, 0);
  policy = load_layers (fixture, NULL, refusals);
  g_assert_cmpuint (refusals->len, ==, 0);
  g_assert_cmpuint (ag_policy_get_reveal_duration (policy), ==, 7);
}

static void
test_file_fifo (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *user_dir = g_path_get_dirname (fixture->user_file);

  /* A FIFO must not hang the load (nobody writes to it): it is no policy file. */
  g_assert_cmpint (g_mkdir_with_parents (user_dir, 0755), ==, 0);
  g_assert_cmpint (mkfifo (fixture->user_file, 0600), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_USER, AG_POLICY_ERROR_IO, "not a regular file");
}

static void
test_file_folder_modes (Fixture *fixture, gconstpointer user_data)
{
  ag_test_put_file (fixture->drop_in_dir, "10-floor.conf", "[policy]\nidle-lock=60\n");
  ag_test_put_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\nidle-lock=60\n");

  /* The file is fine; its folder is not. */
  g_assert_cmpint (g_chmod (fixture->drop_in_dir, 0777), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SYSTEM, AG_POLICY_ERROR_UNSAFE_FILE,
                  "every user may write its folder");
  g_assert_cmpint (g_chmod (fixture->drop_in_dir, 0775), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SYSTEM, AG_POLICY_ERROR_UNSAFE_FILE,
                  "its group may write its folder");
  g_assert_cmpint (g_chmod (fixture->drop_in_dir, 0755), ==, 0);

  /* Supervisors' folder: its group may write it (they are the group), others not. */
  g_assert_cmpint (g_chmod (fixture->supervisor_dir, 02775), ==, 0);
  {
    g_autoptr (GPtrArray) refusals = new_refusals ();
    g_autoptr (AgPolicy) policy = load_layers (fixture, NULL, refusals);

    g_assert_cmpuint (refusals->len, ==, 0);
  }
  g_assert_cmpint (g_chmod (fixture->supervisor_dir, 0777), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SUPERVISOR, AG_POLICY_ERROR_UNSAFE_FILE,
                  "every user may write its folder");
  g_assert_cmpint (g_chmod (fixture->supervisor_dir, 0755), ==, 0);

  /* A folder above that others may write: they could swap the layer's folder. */
  g_assert_cmpint (g_chmod (fixture->root, 0777), ==, 0);
  {
    g_autoptr (GPtrArray) refusals = new_refusals ();
    g_autoptr (AgPolicy) policy = load_layers (fixture, NULL, refusals);

    g_assert_cmpuint (refusals->len, ==, 2);
    g_assert_nonnull (strstr (((AgPolicyRefusal *) g_ptr_array_index (refusals, 0))->message,
                              "others than root may write the folder"));
  }
  g_assert_cmpint (g_chmod (fixture->root, 0700), ==, 0);
}

/* Owners: only root can give a file away, so this runs as root (CI does). */
static void
test_file_owners (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *system = NULL;
  g_autofree char *supervisor = NULL;
  const uid_t nobody = 65534;

  if (getuid () != 0)
    {
      g_test_skip ("giving files to another owner needs root");
      return;
    }

  system = ag_test_write_file (fixture->drop_in_dir, "10-floor.conf", "[policy]\nidle-lock=60\n");
  supervisor = ag_test_write_file (fixture->supervisor_dir, "10-teams.conf", "[team:billing]\n");

  g_assert_cmpint (chown (system, nobody, 0), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SYSTEM, AG_POLICY_ERROR_UNSAFE_FILE,
                  "the file is not owned by root");
  g_assert_cmpint (chown (system, 0, 0), ==, 0);

  /* Owned by someone who is not in the folder's group (root's, here). */
  g_assert_cmpint (chown (supervisor, nobody, nobody), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SUPERVISOR, AG_POLICY_ERROR_UNSAFE_FILE,
                  "neither root nor a supervisor");
  /* Writable by a group other than the folder's. */
  g_assert_cmpint (chown (supervisor, 0, nobody), ==, 0);
  g_assert_cmpint (g_chmod (supervisor, 0664), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SUPERVISOR, AG_POLICY_ERROR_UNSAFE_FILE,
                  "a group other than the folder’s may write this file");
  g_assert_cmpint (chown (supervisor, 0, 0), ==, 0);

  /* The layer's folder given away. */
  g_assert_cmpint (chown (fixture->drop_in_dir, nobody, 0), ==, 0);
  assert_refused (fixture, AG_POLICY_LAYER_SYSTEM, AG_POLICY_ERROR_UNSAFE_FILE,
                  "is not owned by root");
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

/* The strings the ledger and `policy show` keep of layers and errors, exactly. */
static void
test_file_format_names (void)
{
  static const char *const layers[] = { "built-in", "system", "supervisor", "user" };
  static const char *const errors[] = {
    "io",           "invalid-utf8",  "syntax",        "unknown-section",
    "unknown-key",  "duplicate-key", "invalid-value", "out-of-range",
    "beyond-bound", "unsafe-file",
  };

  for (guint i = 0; i < G_N_ELEMENTS (layers); i++)
    g_assert_cmpstr (ag_policy_layer_to_string (i), ==, layers[i]);
  g_assert_cmpstr (ag_policy_layer_to_string (G_N_ELEMENTS (layers)), ==, "unknown");
  for (guint i = 0; i < G_N_ELEMENTS (errors); i++)
    g_assert_cmpstr (ag_policy_error_to_string (i), ==, errors[i]);
  g_assert_cmpstr (ag_policy_error_to_string (G_N_ELEMENTS (errors)), ==, "failed");
  for (AgPolicyKey key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      AgPolicyKey back;

      g_assert_true (ag_policy_key_from_string (ag_policy_key_to_string (key), &back));
      g_assert_cmpint (back, ==, key);
    }
}

int
main (int argc, char **argv)
{
  GPtrArray *cases;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* The files the tests write must not be group-writable unless a test says so. */
  umask (022);

  g_test_add_func ("/policy/defaults", test_defaults);
  g_test_add_func ("/policy/file-format-names", test_file_format_names);
  g_test_add_func ("/policy/user-groups", test_user_groups);
  ADD ("/policy/no-files", test_no_files);
  ADD ("/policy/hard-limits", test_hard_limits);
  ADD ("/policy/list-values", test_list_values);
  ADD ("/policy/syntax-errors", test_syntax_errors);
  ADD ("/policy/invalid-utf8", test_invalid_utf8);
  ADD ("/policy/duplicate-section-keys", test_duplicate_section_keys);
  ADD ("/policy/layer-order", test_layer_order);
  ADD ("/policy/bounds", test_bounds);
  ADD ("/policy/bounds-in-system-layer", test_bounds_in_system_layer);
  ADD ("/policy/bounds-clamp-defaults", test_bounds_clamp_defaults);
  ADD ("/policy/retention-bound", test_retention_bound);
  ADD ("/policy/pass-score-bound", test_pass_score_bound);
  ADD ("/policy/lock-warning-below-idle-lock", test_lock_warning_below_idle_lock);
  ADD ("/policy/team-and-user", test_team_and_user);
  ADD ("/policy/user-file-only-tightens", test_user_file_only_tightens);
  ADD ("/policy/user-file-errors", test_user_file_errors);
  ADD ("/policy/user-file-key-order", test_user_file_key_order);
  ADD ("/policy/unsafe-file", test_unsafe_file);
  ADD ("/policy/group-writable-system-file", test_group_writable_system_file);
  ADD ("/policy/unreadable-layer", test_unreadable_layer);
  ADD ("/policy/validate", test_validate);
  ADD ("/policy-source/new-destroy", test_source_new_destroy);
  ADD ("/policy-source/first-load-fails", test_source_first_load_fails);
  ADD ("/policy-source/live-reload", test_source_live_reload);
  ADD ("/policy-source/refused", test_source_refused);
  ADD ("/policy/layers/last-good", test_layer_last_good);
  ADD ("/policy/layers/last-good-beyond-new-bound", test_layer_last_good_beyond_new_bound);
  ADD ("/policy/layers/user-broken-on-reload", test_layer_user_broken_on_reload);
  ADD ("/policy/file/symlink", test_file_symlink);
  ADD ("/policy/file/fifo", test_file_fifo);
  ADD ("/policy/file/folder-modes", test_file_folder_modes);
  ADD ("/policy/file/owners", test_file_owners);

  /* Each layer broken in each way that applies to it; the cases live until the run ends. */
  cases = g_ptr_array_new_with_free_func (g_free);
  {
    static const AgPolicyLayer layers[]
      = { AG_POLICY_LAYER_SYSTEM, AG_POLICY_LAYER_SUPERVISOR, AG_POLICY_LAYER_USER };

    for (gsize l = 0; l < G_N_ELEMENTS (layers); l++)
      for (gsize b = 0; b < G_N_ELEMENTS (breakages); b++)
        {
          const Breakage *breakage = &breakages[b];
          LayerCase *c;
          g_autofree char *path = NULL;

          if (!(layers[l] == AG_POLICY_LAYER_SYSTEM       ? breakage->system
                : layers[l] == AG_POLICY_LAYER_SUPERVISOR ? breakage->supervisor
                                                          : breakage->user))
            continue;
          c = g_new0 (LayerCase, 1);
          g_ptr_array_add (cases, c);
          c->layer = layers[l];
          c->breakage = breakage;
          path = g_strdup_printf ("/policy/layers/%s/%s", ag_policy_layer_to_string (layers[l]),
                                  breakage->name);
          g_test_add (path, Fixture, c, fixture_set_up, test_layer_broken, fixture_tear_down);
        }
  }

  status = g_test_run ();
  g_ptr_array_unref (cases);
  return status;
}
