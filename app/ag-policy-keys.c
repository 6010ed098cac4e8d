/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-policy-private.h"

#define MAX_REASON_CODES       64
#define MAX_REASON_CODE_LENGTH 64

const KeyInfo ag_policy_key_info[AG_POLICY_N_KEYS] = {
  [AG_POLICY_KEY_IDLE_LOCK] = { "idle-lock", TYPE_SECONDS, STRICT_LOWER, AG_POLICY_IDLE_LOCK_MIN,
                                AG_POLICY_IDLE_LOCK_MAX, 300 },
  [AG_POLICY_KEY_LOCK_WARNING] = { "lock-warning", TYPE_SECONDS, STRICT_FREE,
                                   AG_POLICY_LOCK_WARNING_MIN, AG_POLICY_LOCK_WARNING_MAX, 30 },
  [AG_POLICY_KEY_REVEAL_DURATION]
  = { "reveal-duration", TYPE_SECONDS, STRICT_LOWER, AG_POLICY_REVEAL_DURATION_MIN,
      AG_POLICY_REVEAL_DURATION_MAX, 20 },
  [AG_POLICY_KEY_REQUIRE_REASON] = { "require-reason", TYPE_BOOLEAN, STRICT_TRUE, 0, 1, 1 },
  [AG_POLICY_KEY_REASON_CODES] = { "reason-codes", TYPE_CODES, STRICT_FREE, 0, 0, 0 },
  [AG_POLICY_KEY_STEP_UP_KINDS]
  = { "step-up-kinds", TYPE_KINDS, STRICT_MORE_KINDS, 0, 0,
      KIND_BIT (AG_PII_KIND_CARD_NUMBER) | KIND_BIT (AG_PII_KIND_BANK_ACCOUNT) },
  [AG_POLICY_KEY_STEP_UP_GRACE] = { "step-up-grace", TYPE_SECONDS, STRICT_LOWER,
                                    AG_POLICY_STEP_UP_GRACE_MIN, AG_POLICY_STEP_UP_GRACE_MAX, 120 },
  [AG_POLICY_KEY_MAX_REVEALS_PER_HOUR]
  = { "max-reveals-per-hour", TYPE_COUNT, STRICT_LOWER, AG_POLICY_MAX_REVEALS_PER_HOUR_MIN,
      AG_POLICY_MAX_REVEALS_PER_HOUR_MAX, 30 },
  [AG_POLICY_KEY_REMASK_ON_FOCUS_LOSS]
  = { "remask-on-focus-loss", TYPE_BOOLEAN, STRICT_TRUE, 0, 1, 1 },
  [AG_POLICY_KEY_CLIPBOARD]
  = { "clipboard", TYPE_CLIPBOARD, STRICT_LOWER, 0, AG_POLICY_CLIPBOARD_CLEAR_MAX, 0 },
  [AG_POLICY_KEY_MASKED_KINDS] = { "masked-kinds", TYPE_KINDS, STRICT_MORE_KINDS, 0, 0,
                                   ALL_KINDS & ~KIND_BIT (AG_PII_KIND_NAME) },
  /* The ledger is the evidence of every access, so keeping it longer is the stricter
   * side: an admin bound is the shortest retention a later file may set. */
  [AG_POLICY_KEY_LEDGER_RETENTION_DAYS]
  = { "ledger-retention-days", TYPE_COUNT, STRICT_HIGHER, AG_POLICY_LEDGER_RETENTION_DAYS_MIN,
      AG_POLICY_LEDGER_RETENTION_DAYS_MAX, 400 },
  [AG_POLICY_KEY_LOCK_ON_MINIMISE] = { "lock-on-minimise", TYPE_BOOLEAN, STRICT_TRUE, 0, 1, 1 },
  /* A search by CPF, phone, e-mail… is an access (a mask leaves few candidates to try), so
   * it has a quota of its own; 40 an hour is a call every 90 s. */
  [AG_POLICY_KEY_MAX_IDENTIFIER_SEARCHES_PER_HOUR]
  = { "max-identifier-searches-per-hour", TYPE_COUNT, STRICT_LOWER,
      AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MIN,
      AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MAX, 40 },
  /* The score a trainee needs in every required scenario to be certified; a higher one is
   * stricter, so an admin bound is the lowest pass score a later file may set. */
  [AG_POLICY_KEY_TRAINING_PASS_SCORE]
  = { "training-pass-score", TYPE_SCORE, STRICT_HIGHER, AG_POLICY_TRAINING_PASS_SCORE_MIN,
      AG_POLICY_TRAINING_PASS_SCORE_MAX, 80 },
};

static const struct
{
  const char *code;
  const char *label;
} builtin_reason_codes[] = {
  { "identity-check", N_("Identity check") },   { "customer-request", N_("Customer request") },
  { "billing-dispute", N_("Billing dispute") }, { "fraud-check", N_("Fraud check") },
  { "legal-request", N_("Legal request") },
};

/* Values */

void
ag_policy_value_clear (Value *value)
{
  g_clear_pointer (&value->codes, g_strfreev);
  value->number = 0;
}

void
ag_policy_value_copy (Value *dest, const Value *src)
{
  ag_policy_value_clear (dest);
  dest->number = src->number;
  dest->codes = g_strdupv (src->codes);
}

char *
ag_policy_kinds_to_string (gint64 mask)
{
  g_autoptr (GString) str = g_string_new (NULL);

  for (int kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      if ((mask & KIND_BIT (kind)) == 0)
        continue;
      if (str->len > 0)
        g_string_append_c (str, ';');
      g_string_append (str, ag_pii_kind_to_string ((AgPiiKind) kind));
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

/* Hundredths as the shortest decimal with at least one decimal: 80 → 0.8, 85 → 0.85. */
static char *
score_to_string (gint64 hundredths)
{
  if (hundredths % 10 == 0)
    return g_strdup_printf ("%d.%d", (int) (hundredths / 100), (int) (hundredths % 100 / 10));
  return g_strdup_printf ("%d.%02d", (int) (hundredths / 100), (int) (hundredths % 100));
}

char *
ag_policy_value_to_string (AgPolicyKey key, const Value *value)
{
  switch (ag_policy_key_info[key].type)
    {
      case TYPE_SECONDS:
      case TYPE_COUNT:
        return g_strdup_printf ("%" G_GINT64_FORMAT, value->number);
      case TYPE_BOOLEAN:
        return g_strdup (value->number ? "true" : "false");
      case TYPE_CLIPBOARD:
        if (value->number == 0)
          return g_strdup ("deny");
        return g_strdup_printf ("allow-with-clear:%" G_GINT64_FORMAT, value->number);
      case TYPE_KINDS:
        return ag_policy_kinds_to_string (value->number);
      case TYPE_CODES:
        return g_strjoinv (";", value->codes);
      case TYPE_SCORE:
        return score_to_string (value->number);
      default:
        g_assert_not_reached ();
    }
}

/* Whether @candidate is looser than @reference for @key. Free keys are never looser. */
gboolean
ag_policy_value_is_looser (AgPolicyKey key, const Value *candidate, const Value *reference)
{
  switch (ag_policy_key_info[key].strictness)
    {
      case STRICT_FREE:
        return FALSE;
      case STRICT_LOWER:
        return candidate->number > reference->number;
      case STRICT_HIGHER:
        return candidate->number < reference->number;
      case STRICT_TRUE:
        return candidate->number < reference->number;
      case STRICT_MORE_KINDS:
        return (reference->number & ~candidate->number) != 0;
      default:
        g_assert_not_reached ();
    }
}

static gboolean
is_reason_code (const char *code)
{
  if (*code == '\0' || strlen (code) > MAX_REASON_CODE_LENGTH)
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* Splits a list value on `;`, trimming every item and dropping empty ones. */
static GStrv
split_list (const char *text)
{
  g_auto (GStrv) items = g_strsplit (text, ";", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] != '\0')
        g_strv_builder_add (builder, items[i]);
    }

  return g_strv_builder_end (builder);
}

static gboolean
parse_number (const char *text, gint64 min, gint64 max, gint64 *out, AgPolicyError *code,
              char **message)
{
  gint64 number;

  if (!g_ascii_isdigit (text[0])
      || !g_ascii_string_to_signed (text, 10, 0, G_MAXINT32, &number, NULL))
    {
      *code = AG_POLICY_ERROR_INVALID_VALUE;
      *message = g_strdup_printf (_("“%s” is not a whole number"), text);
      return FALSE;
    }
  if (number < min)
    {
      *code = AG_POLICY_ERROR_OUT_OF_RANGE;
      *message = g_strdup_printf (_("%d is below the minimum %d"), (int) number, (int) min);
      return FALSE;
    }
  if (number > max)
    {
      *code = AG_POLICY_ERROR_OUT_OF_RANGE;
      *message = g_strdup_printf (_("%d is above the maximum %d"), (int) number, (int) max);
      return FALSE;
    }

  *out = number;
  return TRUE;
}

/* A score written as 0.8, 0.85 or 1 (a dot, at most two decimals), in hundredths. */
static gboolean
parse_score (const char *text, gint64 min, gint64 max, gint64 *out, AgPolicyError *code,
             char **message)
{
  const char *p = text;
  gint64 hundredths = 0;
  guint decimals = 0;
  g_autofree char *min_text = NULL;
  g_autofree char *max_text = NULL;

  if (!g_ascii_isdigit (*p))
    goto invalid;
  while (g_ascii_isdigit (*p) && hundredths < 1000)
    hundredths = hundredths * 10 + (*p++ - '0');
  hundredths *= 100;
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        goto invalid;
      while (g_ascii_isdigit (*p) && decimals < 2)
        {
          hundredths += (*p++ - '0') * (decimals == 0 ? 10 : 1);
          decimals++;
        }
    }
  if (*p != '\0')
    goto invalid;

  min_text = score_to_string (min);
  max_text = score_to_string (max);
  if (hundredths < min)
    {
      *code = AG_POLICY_ERROR_OUT_OF_RANGE;
      *message = g_strdup_printf (_("%s is below the minimum %s"), text, min_text);
      return FALSE;
    }
  if (hundredths > max)
    {
      *code = AG_POLICY_ERROR_OUT_OF_RANGE;
      *message = g_strdup_printf (_("%s is above the maximum %s"), text, max_text);
      return FALSE;
    }
  *out = hundredths;
  return TRUE;

invalid:
  *code = AG_POLICY_ERROR_INVALID_VALUE;
  *message
    = g_strdup_printf (_("“%s” is not a score such as 0.8 (a dot, at most two decimals)"), text);
  return FALSE;
}

/* Parses @text as a value of @key within the hard limits. */
gboolean
ag_policy_parse_value (AgPolicyKey key, const char *text, Value *out, AgPolicyError *code,
                       char **message)
{
  const KeyInfo *info = &ag_policy_key_info[key];

  switch (info->type)
    {
      case TYPE_SECONDS:
      case TYPE_COUNT:
        return parse_number (text, info->min, info->max, &out->number, code, message);

      case TYPE_SCORE:
        return parse_score (text, info->min, info->max, &out->number, code, message);

      case TYPE_BOOLEAN:
        if (g_str_equal (text, "true") || g_str_equal (text, "1"))
          out->number = 1;
        else if (g_str_equal (text, "false") || g_str_equal (text, "0"))
          out->number = 0;
        else
          {
            *code = AG_POLICY_ERROR_INVALID_VALUE;
            *message = g_strdup_printf (_("“%s” is neither true nor false"), text);
            return FALSE;
          }
        return TRUE;

      case TYPE_CLIPBOARD:
        if (g_str_equal (text, "deny"))
          {
            out->number = 0;
            return TRUE;
          }
        if (g_str_has_prefix (text, "allow-with-clear:"))
          return parse_number (text + strlen ("allow-with-clear:"), AG_POLICY_CLIPBOARD_CLEAR_MIN,
                               AG_POLICY_CLIPBOARD_CLEAR_MAX, &out->number, code, message);
        *code = AG_POLICY_ERROR_INVALID_VALUE;
        *message = g_strdup_printf (_("“%s” is neither deny nor allow-with-clear:SECONDS"), text);
        return FALSE;

      case TYPE_KINDS:
        {
          g_auto (GStrv) items = split_list (text);

          out->number = 0;
          for (guint i = 0; items[i] != NULL; i++)
            {
              AgPiiKind kind;

              if (!ag_pii_kind_from_string (items[i], &kind))
                {
                  *code = AG_POLICY_ERROR_INVALID_VALUE;
                  *message = g_strdup_printf (_("unknown kind “%s”"), items[i]);
                  return FALSE;
                }
              if (out->number & KIND_BIT (kind))
                {
                  *code = AG_POLICY_ERROR_INVALID_VALUE;
                  *message = g_strdup_printf (_("“%s” is listed twice"), items[i]);
                  return FALSE;
                }
              out->number |= KIND_BIT (kind);
            }
          return TRUE;
        }

      case TYPE_CODES:
        {
          g_auto (GStrv) items = split_list (text);
          guint n_items = g_strv_length (items);

          if (n_items == 0)
            {
              *code = AG_POLICY_ERROR_INVALID_VALUE;
              *message = g_strdup (_("the list needs at least one reason code"));
              return FALSE;
            }
          if (n_items > MAX_REASON_CODES)
            {
              *code = AG_POLICY_ERROR_OUT_OF_RANGE;
              *message = g_strdup_printf (_("more than %d reason codes"), MAX_REASON_CODES);
              return FALSE;
            }
          for (guint i = 0; i < n_items; i++)
            {
              if (!is_reason_code (items[i]))
                {
                  *code = AG_POLICY_ERROR_INVALID_VALUE;
                  *message = g_strdup_printf (
                    _("“%s” is not a reason code (a to z, 0 to 9 and -, at most %d characters)"),
                    items[i], MAX_REASON_CODE_LENGTH);
                  return FALSE;
                }
              for (guint j = 0; j < i; j++)
                if (g_str_equal (items[i], items[j]))
                  {
                    *code = AG_POLICY_ERROR_INVALID_VALUE;
                    *message = g_strdup_printf (_("“%s” is listed twice"), items[i]);
                    return FALSE;
                  }
            }
          out->codes = g_steal_pointer (&items);
          return TRUE;
        }

      default:
        g_assert_not_reached ();
    }
}

/* Keys and reason codes */

const char *
ag_policy_key_to_string (AgPolicyKey key)
{
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return ag_policy_key_info[key].name;
}

gboolean
ag_policy_key_from_string (const char *str, AgPolicyKey *out_key)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    if (g_str_equal (str, ag_policy_key_info[key].name))
      {
        if (out_key != NULL)
          *out_key = key;
        return TRUE;
      }
  return FALSE;
}

/**
 * ag_policy_reason_code_get_label:
 * @code: a reason code
 *
 * Returns: the translated label of a built-in reason code, or @code itself for a code an
 *   administrator added
 */
const char *
ag_policy_reason_code_get_label (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (builtin_reason_codes); i++)
    if (g_str_equal (code, builtin_reason_codes[i].code))
      return _(builtin_reason_codes[i].label);
  return code;
}

/* The reason codes of the built-in policy. */
GStrv
ag_policy_dup_builtin_reason_codes (void)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (builtin_reason_codes); i++)
    g_strv_builder_add (builder, builtin_reason_codes[i].code);
  return g_strv_builder_end (builder);
}
