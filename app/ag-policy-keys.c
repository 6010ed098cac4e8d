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
  /* The supervisors' alerts (README "Alerts"): a burst of 20 reveals in 15 minutes is
   * three times the pace of the hourly quota; 20 customers an hour is twice the calls a
   * floor agent takes; 5 denials an hour is someone trying. Most floors work between 7:00
   * and 22:00; one open around the clock sets alert-outside-hours=off. The bounds are the
   * loosest rule a supervisor may set (off by default: a supervisor may turn one off). */
  [AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW]
  = { "alert-reveals-per-window", TYPE_ALERT_WINDOW, STRICT_ALERT, AG_POLICY_ALERT_COUNT_MIN,
      AG_POLICY_ALERT_COUNT_MAX, ALERT_PAIR (20, 15) },
  [AG_POLICY_KEY_ALERT_DISTINCT_CUSTOMERS_PER_HOUR]
  = { "alert-distinct-customers-per-hour", TYPE_ALERT_COUNT, STRICT_ALERT,
      AG_POLICY_ALERT_COUNT_MIN, AG_POLICY_ALERT_COUNT_MAX, 20 },
  [AG_POLICY_KEY_ALERT_DENIED_PER_HOUR]
  = { "alert-denied-per-hour", TYPE_ALERT_COUNT, STRICT_ALERT, AG_POLICY_ALERT_COUNT_MIN,
      AG_POLICY_ALERT_COUNT_MAX, 5 },
  [AG_POLICY_KEY_ALERT_OUTSIDE_HOURS] = { "alert-outside-hours", TYPE_ALERT_HOURS, STRICT_ALERT, 0,
                                          ALERT_MINUTES_DAY, ALERT_PAIR (7 * 60, 22 * 60) },
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

/* What each key does, for the supervisor console and the command line. */
static const char *const key_descriptions[AG_POLICY_N_KEYS] = {
  [AG_POLICY_KEY_ALERT_REVEALS_PER_WINDOW]
  = N_("Alert when one agent reveals N values within M minutes (N/M), or off"),
  [AG_POLICY_KEY_ALERT_DISTINCT_CUSTOMERS_PER_HOUR]
  = N_("Alert when one agent reveals data of this many different customers within an hour, "
        "or off"),
  [AG_POLICY_KEY_ALERT_DENIED_PER_HOUR]
  = N_("Alert when this many reveals or searches of one agent are denied within an hour, or off"),
  [AG_POLICY_KEY_ALERT_OUTSIDE_HOURS]
  = N_("Alert on each reveal outside these working hours, local time (HH:MM-HH:MM), or off"),
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

/* Alert rules ------------------------------------------------------------------------ */

static char *
alert_to_string (KeyType type, gint64 number)
{
  guint a = ALERT_PAIR_A (number), b = ALERT_PAIR_B (number);

  if (number == 0)
    return g_strdup ("off");
  if (type == TYPE_ALERT_WINDOW)
    return g_strdup_printf ("%u/%u", a, b);
  if (type == TYPE_ALERT_HOURS)
    return g_strdup_printf ("%02u:%02u-%02u:%02u", a / 60, a % 60, b / 60, b % 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT, number);
}

/* Whether @minute (after midnight) is within the working hours @pair. */
static gboolean
hours_contain (gint64 pair, guint minute)
{
  guint start = ALERT_PAIR_A (pair), end = ALERT_PAIR_B (pair);

  if (start < end)
    return minute >= start && minute < end;
  return minute >= start || minute < end;
}

/* A rule is looser when it fires later than @reference: off, a higher count, a shorter
 * window, working hours that take in a minute @reference's do not. */
static gboolean
alert_is_looser (KeyType type, gint64 candidate, gint64 reference)
{
  if (reference == 0)
    return FALSE;
  if (candidate == 0)
    return TRUE;
  switch (type)
    {
      case TYPE_ALERT_WINDOW:
        return ALERT_PAIR_A (candidate) > ALERT_PAIR_A (reference)
               || ALERT_PAIR_B (candidate) < ALERT_PAIR_B (reference);
      case TYPE_ALERT_HOURS:
        for (guint minute = 0; minute < ALERT_MINUTES_DAY; minute++)
          if (hours_contain (candidate, minute) && !hours_contain (reference, minute))
            return TRUE;
        return FALSE;
      case TYPE_ALERT_COUNT:
      default:
        return candidate > reference;
    }
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
      case TYPE_ALERT_COUNT:
      case TYPE_ALERT_WINDOW:
      case TYPE_ALERT_HOURS:
        return alert_to_string (ag_policy_key_info[key].type, value->number);
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
      case STRICT_ALERT:
        return alert_is_looser (ag_policy_key_info[key].type, candidate->number, reference->number);
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

/* Parses HH:MM, 00:00 to 23:59 (24:00 too with @end). */
static gboolean
parse_clock (const char *text, gsize length, gboolean end, guint *out)
{
  guint hours, minutes;

  if (length != 5 || !g_ascii_isdigit (text[0]) || !g_ascii_isdigit (text[1]) || text[2] != ':'
      || !g_ascii_isdigit (text[3]) || !g_ascii_isdigit (text[4]))
    return FALSE;
  hours = (text[0] - '0') * 10 + (text[1] - '0');
  minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && (!end || minutes != 0)))
    return FALSE;
  *out = hours * 60 + minutes;
  return TRUE;
}

static gboolean
parse_alert (AgPolicyKey key, const char *text, Value *out, AgPolicyError *code, char **message)
{
  const KeyInfo *info = &ag_policy_key_info[key];
  const char *sep;
  gint64 a, b;

  if (g_str_equal (text, "off"))
    {
      out->number = 0;
      return TRUE;
    }

  switch (info->type)
    {
      case TYPE_ALERT_WINDOW:
        {
          g_autofree char *count = NULL;

          sep = strchr (text, '/');
          if (sep == NULL)
            {
              *code = AG_POLICY_ERROR_INVALID_VALUE;
              *message = g_strdup_printf (_("“%s” is neither off nor COUNT/MINUTES"), text);
              return FALSE;
            }
          count = g_strndup (text, sep - text);
          if (!parse_number (count, info->min, info->max, &a, code, message)
              || !parse_number (sep + 1, AG_POLICY_ALERT_WINDOW_MINUTES_MIN,
                                AG_POLICY_ALERT_WINDOW_MINUTES_MAX, &b, code, message))
            return FALSE;
          out->number = ALERT_PAIR (a, b);
          return TRUE;
        }
      case TYPE_ALERT_HOURS:
        {
          guint start, end;

          sep = strchr (text, '-');
          if (sep == NULL || !parse_clock (text, sep - text, FALSE, &start)
              || !parse_clock (sep + 1, strlen (sep + 1), TRUE, &end))
            {
              *code = AG_POLICY_ERROR_INVALID_VALUE;
              *message = g_strdup_printf (_("“%s” is neither off nor HH:MM-HH:MM"), text);
              return FALSE;
            }
          if (start == end || (start == 0 && end == ALERT_MINUTES_DAY))
            {
              *code = AG_POLICY_ERROR_INVALID_VALUE;
              *message = g_strdup_printf (
                _("“%s” leaves no time outside the working hours; write off instead"), text);
              return FALSE;
            }
          out->number = ALERT_PAIR (start, end);
          return TRUE;
        }
      case TYPE_ALERT_COUNT:
      default:
        return parse_number (text, info->min, info->max, &out->number, code, message);
    }
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

      case TYPE_ALERT_COUNT:
      case TYPE_ALERT_WINDOW:
      case TYPE_ALERT_HOURS:
        return parse_alert (key, text, out, code, message);

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
 * ag_policy_key_get_description:
 * @key: a key
 *
 * Returns: (nullable): what @key does, translated; %NULL for a key without one yet
 */
const char *
ag_policy_key_get_description (AgPolicyKey key)
{
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return key_descriptions[key] != NULL ? _(key_descriptions[key]) : NULL;
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
