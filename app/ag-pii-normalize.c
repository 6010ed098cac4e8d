/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pii"

#include "config.h"

#include <string.h>

#include "ag-pii-private.h"

/* Helpers. */

gboolean
ag_pii_all_ascii_digits (const char *str, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!ag_pii_is_ascii_digit (str[i]))
      return FALSE;
  return TRUE;
}

gboolean
ag_pii_all_same (const char *str, gsize len)
{
  for (gsize i = 1; i < len; i++)
    if (str[i] != str[0])
      return FALSE;
  return TRUE;
}

void
ag_pii_set_error (GError **error, AgPiiKind kind, AgPiiError code, const char *problem)
{
  /* The message names the kind and the problem, never the value. */
  g_set_error (error, AG_PII_ERROR, code, "%s: %s", ag_pii_kind_to_string (kind), problem);
}

/* Refuses over-long and invalid UTF-8 input, trims surrounding ASCII and Unicode white
 * space, and refuses what is left empty. Returns a newly allocated copy of what is left. */
static char *
prepare (AgPiiKind kind, const char *input, GError **error)
{
  const char *start, *end;
  gsize len;

  len = strnlen (input, AG_PII_MAX_INPUT + 1);
  if (len > AG_PII_MAX_INPUT)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_TOO_LONG, "input is too long");
      return NULL;
    }
  if (!g_utf8_validate (input, len, NULL))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "input is not valid UTF-8");
      return NULL;
    }

  start = input;
  end = input + len;
  while (start < end && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  if (start == end)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_EMPTY, "value is empty");
      return NULL;
    }

  return g_strndup (start, end - start);
}

/* Keeps the ASCII characters of @str that are in @keep, drops those in @drop, and refuses
 * anything else (Unicode digits and look-alikes included). Letters are uppercased when
 * @letters is set. Returns the kept characters, or NULL with @error set. */
char *
ag_pii_filter_ascii (AgPiiKind kind, const char *str, gboolean letters, const char *drop,
                     GError **error)
{
  GString *out = g_string_sized_new (32);

  for (const char *p = str; *p != '\0'; p++)
    {
      char c = *p;

      if (ag_pii_is_ascii_digit (c))
        g_string_append_c (out, c);
      else if (letters && g_ascii_isalpha (c))
        g_string_append_c (out, g_ascii_toupper (c));
      else if (strchr (drop, c) == NULL)
        {
          g_string_free (out, TRUE);
          ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "unexpected character");
          return NULL;
        }
    }

  return g_string_free (out, FALSE);
}

/* Bidirectional and invisible formatting characters that could make a value display as
 * something else; refused in text kinds alongside control characters. */
static gboolean
is_refused_format_char (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F
         || c == 0x061C || c == 0xFEFF;
}

static gboolean
needs_nfc (const char *str)
{
  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    if (*p >= 0xCC)
      return TRUE;
  return FALSE;
}

/* Normalises free text: NFC, no control characters, white space runs collapsed to one
 * space, unless @multiline, in which case newlines and tabs are kept as they are (CR LF
 * and lone CR become LF). */
static char *
normalize_text (AgPiiKind kind, const char *input, guint max_chars, gboolean multiline,
                GError **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *nfc = NULL;
  GString *out;
  gboolean pending_space = FALSE;
  guint n_chars = 0;

  trimmed = prepare (kind, input, error);
  if (trimmed == NULL)
    return NULL;

  /* Text made only of code points below U+0300 (lead bytes below 0xCC), as Portuguese
   * usually is, is already in NFC: there are no combining marks or decomposable
   * characters down there. Normalising costs microseconds, and imports are large. */
  if (needs_nfc (trimmed))
    {
      nfc = g_utf8_normalize (trimmed, -1, G_NORMALIZE_NFC);
      if (nfc == NULL)
        {
          ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER,
                            "input is not valid UTF-8");
          return NULL;
        }
    }
  else
    nfc = g_steal_pointer (&trimmed);

  out = g_string_sized_new (strlen (nfc));
  for (const char *p = nfc; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c;

      /* Printable ASCII needs no more thought. */
      if (*p > ' ' && *p < 0x7F)
        {
          if (pending_space)
            {
              g_string_append_c (out, ' ');
              n_chars++;
              pending_space = FALSE;
            }
          g_string_append_c (out, *p);
          n_chars++;
          continue;
        }

      c = g_utf8_get_char (p);

      if (multiline && (c == '\n' || c == '\r' || c == '\t'))
        {
          if (c == '\r')
            {
              if (p[1] == '\n')
                p++;
              c = '\n';
            }
          if (pending_space)
            {
              g_string_append_c (out, ' ');
              n_chars++;
              pending_space = FALSE;
            }
          g_string_append_c (out, (char) c);
          n_chars++;
          continue;
        }

      if (g_unichar_isspace (c))
        {
          pending_space = TRUE;
          continue;
        }

      if (g_unichar_iscntrl (c) || is_refused_format_char (c))
        {
          g_string_free (out, TRUE);
          ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "control character");
          return NULL;
        }

      if (pending_space)
        {
          g_string_append_c (out, ' ');
          n_chars++;
          pending_space = FALSE;
        }
      g_string_append_unichar (out, c);
      n_chars++;
    }

  if (n_chars > max_chars || out->len > AG_PII_MAX_INPUT)
    {
      g_string_free (out, TRUE);
      ag_pii_set_error (error, kind, AG_PII_ERROR_TOO_LONG, "value is too long");
      return NULL;
    }

  return g_string_free (out, FALSE);
}

/* RG: the format varies per state; 5 to 14 digits with an optional final X. */

gboolean
ag_pii_is_rg_shape (const char *s)
{
  gsize len = strlen (s);

  if (len < RG_MIN_CHARS || len > RG_MAX_CHARS)
    return FALSE;
  if (!ag_pii_all_ascii_digits (s, len - 1))
    return FALSE;
  return ag_pii_is_ascii_digit (s[len - 1]) || s[len - 1] == 'X';
}

static char *
normalize_rg (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *chars = NULL;
  gsize len;

  for (const char *p = trimmed; *p != '\0'; p++)
    if (*p != 'x' && *p != 'X' && !ag_pii_is_ascii_digit (*p) && !strchr (".- ", *p))
      {
        ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "unexpected character");
        return NULL;
      }

  chars = ag_pii_filter_ascii (kind, trimmed, TRUE, ".- ", error);
  if (chars == NULL)
    return NULL;
  len = strlen (chars);
  if (len < RG_MIN_CHARS || len > RG_MAX_CHARS)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH, "an RG has 5 to 14 characters");
      return NULL;
    }
  if (!ag_pii_is_rg_shape (chars))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                        "only the last character of an RG may be X");
      return NULL;
    }

  return g_steal_pointer (&chars);
}

/* Birth date. */

static gboolean
parse_date (const char *s, GDateYear *year, GDateMonth *month, GDateDay *day)
{
  guint y, m, d;

  if (strlen (s) != 10)
    return FALSE;

  if (s[4] == '-' && s[7] == '-' && ag_pii_all_ascii_digits (s, 4)
      && ag_pii_all_ascii_digits (s + 5, 2) && ag_pii_all_ascii_digits (s + 8, 2))
    {
      y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
      m = (s[5] - '0') * 10 + (s[6] - '0');
      d = (s[8] - '0') * 10 + (s[9] - '0');
    }
  else if (s[2] == '/' && s[5] == '/' && ag_pii_all_ascii_digits (s, 2)
           && ag_pii_all_ascii_digits (s + 3, 2) && ag_pii_all_ascii_digits (s + 6, 4))
    {
      d = (s[0] - '0') * 10 + (s[1] - '0');
      m = (s[3] - '0') * 10 + (s[4] - '0');
      y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    }
  else
    return FALSE;

  *year = y;
  *month = m;
  *day = d;
  return TRUE;
}

/* Today's local date as YYYYMMDD. Looking up the local time zone costs a few system
 * calls, which made date-heavy imports three times slower, so the answer is kept for
 * up to a second. */
static int
today_as_number (void)
{
  static GMutex mutex;
  static gint64 computed_at;
  static int today;
  gint64 now_us = g_get_monotonic_time ();
  int result;

  g_mutex_lock (&mutex);
  if (computed_at == 0 || now_us - computed_at >= G_USEC_PER_SEC)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();

      today = g_date_time_get_year (now) * 10000 + g_date_time_get_month (now) * 100
              + g_date_time_get_day_of_month (now);
      computed_at = now_us;
    }
  result = today;
  g_mutex_unlock (&mutex);

  return result;
}

static char *
normalize_birth_date (AgPiiKind kind, const char *trimmed, GError **error)
{
  GDateYear year;
  GDateMonth month;
  GDateDay day;

  if (!parse_date (trimmed, &year, &month, &day))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                        "expected a date as YYYY-MM-DD or DD/MM/YYYY");
      return NULL;
    }
  if (year < 1900 || !g_date_valid_dmy (day, month, year))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_DATE, "not a valid date");
      return NULL;
    }

  if ((int) year * 10000 + (int) month * 100 + (int) day > today_as_number ())
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_DATE, "date is in the future");
      return NULL;
    }

  return g_strdup_printf ("%04u-%02u-%02u", (guint) year, (guint) month, (guint) day);
}

/* Bank account: Brazilian agency and account, such as `0001 12345-6` or `1234/123456-X`. */

static char *
normalize_bank_account (AgPiiKind kind, const char *trimmed, GError **error)
{
  GString *out = g_string_sized_new (BANK_MAX_CHARS);
  guint n_digits = 0;

  for (const char *p = trimmed; *p != '\0'; p++)
    {
      char c = *p;

      if (c == ' ')
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
          continue;
        }
      if (ag_pii_is_ascii_digit (c))
        n_digits++;
      else if (c != 'X' && c != 'x' && c != '-' && c != '/' && c != '.')
        {
          g_string_free (out, TRUE);
          ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "unexpected character");
          return NULL;
        }
      g_string_append_c (out, g_ascii_toupper (c));
    }

  if (out->len < BANK_MIN_CHARS || out->len > BANK_MAX_CHARS || n_digits < BANK_MIN_DIGITS)
    {
      g_string_free (out, TRUE);
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                        "a bank account has 5 to 40 characters, at least 5 of them digits");
      return NULL;
    }

  return g_string_free (out, FALSE);
}

gboolean
ag_pii_is_bank_shape (const char *s)
{
  gsize len = strlen (s);

  if (len < BANK_MIN_CHARS || len > BANK_MAX_CHARS)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!ag_pii_is_ascii_digit (s[i]) && strchr ("X-/. ", s[i]) == NULL)
      return FALSE;
  return TRUE;
}

/**
 * ag_pii_normalize:
 * @kind: the kind of @input
 * @input: what was typed or imported
 * @error: return location for an error in %AG_PII_ERROR
 *
 * Validates @input as a value of @kind and returns its canonical form: the form stored,
 * compared and searched. Surrounding white space (ASCII or Unicode) is ignored. Input
 * longer than %AG_PII_MAX_INPUT bytes or not valid UTF-8 is refused unread. Error
 * messages name the kind and the problem, never the value.
 *
 * Returns: (transfer full): the canonical value, or %NULL with @error set
 */
char *
ag_pii_normalize (AgPiiKind kind, const char *input, GError **error)
{
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (kind)
    {
      case AG_PII_KIND_NAME:
        return normalize_text (kind, input, NAME_MAX_CHARS, FALSE, error);
      case AG_PII_KIND_ADDRESS:
        return normalize_text (kind, input, ADDRESS_MAX_CHARS, FALSE, error);
      case AG_PII_KIND_NOTES:
        return normalize_text (kind, input, NOTES_MAX_CHARS, TRUE, error);
      default:
        break;
    }

  trimmed = prepare (kind, input, error);
  if (trimmed == NULL)
    return NULL;

  switch (kind)
    {
      case AG_PII_KIND_CPF:
        return ag_pii_normalize_cpf (kind, trimmed, error);
      case AG_PII_KIND_CNPJ:
        return ag_pii_normalize_cnpj (kind, trimmed, error);
      case AG_PII_KIND_RG:
        return normalize_rg (kind, trimmed, error);
      case AG_PII_KIND_BIRTH_DATE:
        return normalize_birth_date (kind, trimmed, error);
      case AG_PII_KIND_PHONE:
        return ag_pii_normalize_phone (kind, trimmed, error);
      case AG_PII_KIND_EMAIL:
        return ag_pii_normalize_email (kind, trimmed, error);
      case AG_PII_KIND_CARD_NUMBER:
        return ag_pii_normalize_card (kind, trimmed, error);
      case AG_PII_KIND_BANK_ACCOUNT:
        return normalize_bank_account (kind, trimmed, error);
      case AG_PII_KIND_PIX_KEY:
        return ag_pii_normalize_pix_key (kind, trimmed, error);
      case AG_PII_KIND_NAME:
      case AG_PII_KIND_ADDRESS:
      case AG_PII_KIND_NOTES:
      case AG_PII_N_KINDS:
      default:
        g_assert_not_reached ();
    }
}
