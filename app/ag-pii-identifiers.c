/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pii"

#include "config.h"

#include <string.h>

#include "ag-pii-private.h"

/* The Brazilian area codes (DDD) in use, as ANATEL lists them. */
static const guint8 valid_ddds[] = {
  11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42,
  43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74,
  75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
};

/* CPF. */

char *
ag_pii_normalize_cpf (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *digits = ag_pii_filter_ascii (kind, trimmed, FALSE, ".- ", error);

  if (digits == NULL)
    return NULL;
  if (strlen (digits) != 11)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH, "a CPF has 11 digits");
      return NULL;
    }
  if (ag_pii_all_same (digits, 11))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS,
                        "a CPF with all digits the same is not valid");
      return NULL;
    }
  if (!ag_pii_cpf_digits_ok (digits))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS, "wrong CPF check digits");
      return NULL;
    }

  return g_steal_pointer (&digits);
}

gboolean
ag_pii_is_cpf_shape (const char *s)
{
  return strlen (s) == 11 && ag_pii_all_ascii_digits (s, 11);
}

gboolean
ag_pii_is_cnpj_shape (const char *s)
{
  if (strlen (s) != 14)
    return FALSE;
  for (guint i = 0; i < 12; i++)
    if (!ag_pii_is_ascii_digit (s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
      return FALSE;
  return ag_pii_is_ascii_digit (s[12]) && ag_pii_is_ascii_digit (s[13]);
}

char *
ag_pii_normalize_cnpj (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *chars = ag_pii_filter_ascii (kind, trimmed, TRUE, "./- ", error);

  if (chars == NULL)
    return NULL;
  if (strlen (chars) != 14)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH, "a CNPJ has 14 characters");
      return NULL;
    }
  if (!ag_pii_is_cnpj_shape (chars))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                        "the two check digits of a CNPJ are numeric");
      return NULL;
    }
  if (ag_pii_all_same (chars, 14))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS,
                        "a CNPJ with all digits the same is not valid");
      return NULL;
    }
  if (!ag_pii_cnpj_chars_ok (chars))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS, "wrong CNPJ check digits");
      return NULL;
    }

  return g_steal_pointer (&chars);
}

/* Phone, canonically E.164. */

static gboolean
is_valid_ddd (guint ddd)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_ddds); i++)
    if (valid_ddds[i] == ddd)
      return TRUE;
  return FALSE;
}

/* @national is the Brazilian national number: DDD then subscriber number. */
static gboolean
is_brazilian_national (const char *national)
{
  gsize len = strlen (national);

  if ((len != 10 && len != 11) || !ag_pii_all_ascii_digits (national, len))
    return FALSE;
  if (!is_valid_ddd ((guint) (national[0] - '0') * 10 + (guint) (national[1] - '0')))
    return FALSE;
  if (len == 11)
    return national[2] == '9';
  return national[2] >= '2' && national[2] <= '5';
}

char *
ag_pii_normalize_phone (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *digits = NULL;
  gboolean international = trimmed[0] == '+';
  gsize len;

  digits = ag_pii_filter_ascii (kind, international ? trimmed + 1 : trimmed, FALSE, " ()-.", error);
  if (digits == NULL)
    return NULL;
  len = strlen (digits);

  if (!international)
    {
      /* An optional trunk prefix 0, or the country code without its plus. */
      if (len == 11 && digits[0] == '0')
        return ag_pii_normalize_phone (kind, digits + 1, error);
      if ((len == 12 || len == 13) && g_str_has_prefix (digits, "55"))
        international = TRUE;
      else if (len == 10 || len == 11)
        {
          if (!is_brazilian_national (digits))
            {
              ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                                "not a valid Brazilian phone number");
              return NULL;
            }
          return g_strconcat ("+55", digits, NULL);
        }
      else if (len == 12 && digits[0] == '0')
        return ag_pii_normalize_phone (kind, digits + 1, error);
      else
        {
          ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                            "a Brazilian phone number has 10 or 11 digits with the area code");
          return NULL;
        }
    }

  if (len < E164_MIN_DIGITS || len > E164_MAX_DIGITS)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                        "an international number has 8 to 15 digits");
      return NULL;
    }
  if (digits[0] == '0')
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                        "a country code never starts with 0");
      return NULL;
    }
  if (g_str_has_prefix (digits, "55") && !is_brazilian_national (digits + 2))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                        "not a valid Brazilian phone number");
      return NULL;
    }

  return g_strconcat ("+", digits, NULL);
}

gboolean
ag_pii_is_phone_shape (const char *s)
{
  gsize len = strlen (s);

  if (s[0] != '+' || len < 1 + E164_MIN_DIGITS || len > 1 + E164_MAX_DIGITS)
    return FALSE;
  return ag_pii_all_ascii_digits (s + 1, len - 1);
}

gboolean
ag_pii_is_brazilian_phone (const char *canonical)
{
  return g_str_has_prefix (canonical, "+55") && is_brazilian_national (canonical + 3);
}

/* E-mail. */

static gboolean
is_atext (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static gboolean
is_valid_domain (const char *domain)
{
  gsize label_len = 0;
  guint n_dots = 0;
  char prev = '.';

  if (*domain == '\0')
    return FALSE;

  for (const char *p = domain; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (prev == '.' || prev == '-')
            return FALSE;
          n_dots++;
          label_len = 0;
        }
      else if (g_ascii_isalnum (*p) || *p == '-')
        {
          if (*p == '-' && prev == '.')
            return FALSE;
          if (++label_len > EMAIL_LABEL_MAX)
            return FALSE;
        }
      else
        return FALSE;
      prev = *p;
    }

  return n_dots > 0 && prev != '.' && prev != '-';
}

char *
ag_pii_normalize_email (AgPiiKind kind, const char *trimmed, GError **error)
{
  const char *at;
  gsize len, local_len;

  len = strlen (trimmed);
  if (len > EMAIL_MAX_BYTES)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_TOO_LONG,
                        "an e-mail address has at most 254 bytes");
      return NULL;
    }

  at = strchr (trimmed, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                        "an e-mail address has exactly one @");
      return NULL;
    }

  local_len = at - trimmed;
  if (local_len == 0 || local_len > EMAIL_LOCAL_MAX)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                        "the part before @ has 1 to 64 characters");
      return NULL;
    }
  for (gsize i = 0; i < local_len; i++)
    {
      char c = trimmed[i];

      if (c == '.')
        {
          if (i == 0 || i == local_len - 1 || trimmed[i - 1] == '.')
            {
              ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                                "misplaced dot before the @");
              return NULL;
            }
        }
      else if (!is_atext (c))
        {
          ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER,
                            "unexpected character before the @");
          return NULL;
        }
    }

  if (!is_valid_domain (at + 1))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT, "not a valid domain after the @");
      return NULL;
    }

  return g_ascii_strdown (trimmed, -1);
}

char *
ag_pii_normalize_card (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *digits = ag_pii_filter_ascii (kind, trimmed, FALSE, " -", error);
  gsize len;

  if (digits == NULL)
    return NULL;
  len = strlen (digits);
  if (len < CARD_MIN_DIGITS || len > CARD_MAX_DIGITS)
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                        "a card number has 12 to 19 digits");
      return NULL;
    }
  if (!ag_pii_luhn_is_valid (digits))
    {
      ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS, "wrong card check digit");
      return NULL;
    }

  return g_steal_pointer (&digits);
}

gboolean
ag_pii_is_card_shape (const char *s)
{
  gsize len = strlen (s);

  return len >= CARD_MIN_DIGITS && len <= CARD_MAX_DIGITS && ag_pii_all_ascii_digits (s, len);
}

/* PIX key. */

gboolean
ag_pii_is_uuid_shape (const char *s, gboolean lowercase_only)
{
  if (strlen (s) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (s[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (s[i]) || (lowercase_only && g_ascii_isupper (s[i])))
        return FALSE;
    }
  return TRUE;
}

char *
ag_pii_normalize_pix_key (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *compact = NULL;
  gsize len;

  if (strchr (trimmed, '@') != NULL)
    return ag_pii_normalize_email (kind, trimmed, error);
  if (ag_pii_is_uuid_shape (trimmed, FALSE))
    return g_ascii_strdown (trimmed, -1);
  if (trimmed[0] == '+')
    {
      char *phone = ag_pii_normalize_phone (kind, trimmed, error);

      if (phone != NULL && !g_str_has_prefix (phone, "+55"))
        {
          g_free (phone);
          ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                            "a PIX phone key is a Brazilian number");
          return NULL;
        }
      return phone;
    }

  compact = ag_pii_filter_ascii (kind, trimmed, TRUE, "./- ", error);
  if (compact == NULL)
    return NULL;
  len = strlen (compact);
  if (len == 11)
    return ag_pii_normalize_cpf (kind, trimmed, error);
  if (len == 14)
    return ag_pii_normalize_cnpj (kind, trimmed, error);

  ag_pii_set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                    "a PIX key is a CPF, CNPJ, +55 phone number, e-mail address or random key");
  return NULL;
}
