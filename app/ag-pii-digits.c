/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pii"

#include "config.h"

#include <string.h>

#include "ag-pii-private.h"

/* The check digits of CPF, CNPJ and payment cards: the one copy, which AgSynth uses too. */

/**
 * ag_pii_cpf_check_digit:
 * @digits: at least @n ASCII digits
 * @n: 9 for the first check digit, 10 for the second
 *
 * Returns: the CPF check digit that follows the first @n digits, as a character
 */
char
ag_pii_cpf_check_digit (const char *digits, guint n)
{
  guint sum = 0;

  g_return_val_if_fail (digits != NULL && (n == 9 || n == 10), '0');

  for (guint i = 0; i < n; i++)
    sum += (guint) (digits[i] - '0') * (n + 1 - i);
  return (char) ('0' + (sum * 10) % 11 % 10);
}

gboolean
ag_pii_cpf_digits_ok (const char *d)
{
  if (ag_pii_all_same (d, 11))
    return FALSE;
  return ag_pii_cpf_check_digit (d, 9) == d[9] && ag_pii_cpf_check_digit (d, 10) == d[10];
}

/**
 * ag_pii_cpf_is_valid:
 * @digits: a CPF in canonical form, 11 ASCII digits
 *
 * Returns: %TRUE if @digits is 11 digits, not all the same, with correct check digits
 */
gboolean
ag_pii_cpf_is_valid (const char *digits)
{
  g_return_val_if_fail (digits != NULL, FALSE);

  return strlen (digits) == 11 && ag_pii_all_ascii_digits (digits, 11)
         && ag_pii_cpf_digits_ok (digits);
}

/* CNPJ, numeric or alphanumeric (from July 2026): 12 characters [0-9A-Z] and two numeric
 * check digits; the value of each character is its ASCII code minus 48. */

/**
 * ag_pii_cnpj_check_digit:
 * @chars: at least @n characters [0-9A-Z]
 * @n: 12 for the first check digit, 13 for the second
 *
 * Returns: the CNPJ check digit that follows the first @n characters, as a character
 */
char
ag_pii_cnpj_check_digit (const char *chars, guint n)
{
  guint sum = 0, weight = 2;

  g_return_val_if_fail (chars != NULL && (n == 12 || n == 13), '0');

  for (guint i = n; i > 0; i--)
    {
      sum += (guint) (chars[i - 1] - '0') * weight;
      weight = weight == 9 ? 2 : weight + 1;
    }
  sum %= 11;
  return (char) ('0' + (sum < 2 ? 0 : 11 - sum));
}

gboolean
ag_pii_cnpj_chars_ok (const char *c)
{
  if (ag_pii_all_same (c, 14))
    return FALSE;
  return ag_pii_cnpj_check_digit (c, 12) == c[12] && ag_pii_cnpj_check_digit (c, 13) == c[13];
}

/**
 * ag_pii_cnpj_is_valid:
 * @chars: a CNPJ in canonical form: 12 characters [0-9A-Z] then 2 digits
 *
 * Returns: %TRUE if @chars has that shape, is not all the same, with correct check digits
 */
gboolean
ag_pii_cnpj_is_valid (const char *chars)
{
  g_return_val_if_fail (chars != NULL, FALSE);

  return ag_pii_is_cnpj_shape (chars) && ag_pii_cnpj_chars_ok (chars);
}

/* Payment card number. */

/* The Luhn sum of @len digits, doubling every second one from the right starting at the
 * rightmost when @payload (the check digit is still to come), else at the one before. */
static guint
luhn_sum (const char *digits, gsize len, gboolean payload)
{
  guint sum = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint d = (guint) (digits[len - 1 - i] - '0');

      if (i % 2 == (payload ? 0 : 1))
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }
  return sum;
}

/**
 * ag_pii_luhn_check_digit:
 * @payload: @len ASCII digits
 * @len: how many
 *
 * Returns: the Luhn check digit that makes @payload followed by it valid, as a character
 */
char
ag_pii_luhn_check_digit (const char *payload, gsize len)
{
  g_return_val_if_fail (payload != NULL, '0');

  return (char) ('0' + (10 - luhn_sum (payload, len, TRUE) % 10) % 10);
}

/**
 * ag_pii_luhn_is_valid:
 * @digits: ASCII digits only
 *
 * Returns: %TRUE if @digits is a non-empty string of digits whose Luhn checksum is right
 */
gboolean
ag_pii_luhn_is_valid (const char *digits)
{
  gsize len;

  g_return_val_if_fail (digits != NULL, FALSE);

  len = strlen (digits);
  if (len == 0 || !ag_pii_all_ascii_digits (digits, len))
    return FALSE;
  return luhn_sum (digits, len, FALSE) % 10 == 0;
}
