/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pii"

#include "config.h"

#include <string.h>

#include "ag-pii-private.h"

/* Formats. */

/* @s laid out on @pattern: each `#` takes the next character of @s, anything else stands
 * as it is. Written once into a buffer of its final size: a formatted value leaves no
 * intermediate copy behind in freed memory (printf's buffers are not wiped). */
static char *
format_pattern (const char *s, const char *pattern)
{
  gsize len = strlen (pattern);
  char *out = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    out[i] = pattern[i] == '#' ? *s++ : pattern[i];
  out[len] = '\0';
  return out;
}

static char *
format_cpf (const char *s)
{
  if (!ag_pii_is_cpf_shape (s))
    return g_strdup (s);
  return format_pattern (s, "###.###.###-##");
}

static char *
format_cnpj (const char *s)
{
  if (!ag_pii_is_cnpj_shape (s))
    return g_strdup (s);
  return format_pattern (s, "##.###.###/####-##");
}

/* yyyy-mm-dd as dd/mm/yyyy. */
static char *
format_birth_date (const char *s)
{
  char in_order[9];
  char *out;

  memcpy (in_order, s + 8, 2);
  memcpy (in_order + 2, s + 5, 2);
  memcpy (in_order + 4, s, 4);
  in_order[8] = '\0';
  out = format_pattern (in_order, "##/##/####");
  explicit_bzero (in_order, sizeof in_order);
  return out;
}

/* With @international, Brazilian numbers keep their +55 so that the result still reads as a
 * phone number PIX key. */
static char *
format_phone (const char *s, gboolean international)
{
  const char *national;
  GString *out;
  gsize len;

  if (!ag_pii_is_brazilian_phone (s))
    return g_strdup (s);

  national = s + 3;
  len = strlen (national);
  /* One buffer of the final size, for the reason format_pattern() gives. */
  out = g_string_sized_new (len + 9);
  if (international)
    g_string_append (out, "+55 ");
  g_string_append_c (out, '(');
  g_string_append_len (out, national, 2);
  g_string_append (out, ") ");
  g_string_append_len (out, national + 2, (gssize) (len - 6));
  g_string_append_c (out, '-');
  g_string_append_len (out, national + len - 4, 4);
  return g_string_free (out, FALSE);
}

static char *
format_card (const char *s)
{
  GString *out;
  gsize len = strlen (s);

  if (!ag_pii_is_card_shape (s))
    return g_strdup (s);

  out = g_string_sized_new (len + len / 4);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, s[i]);
    }
  return g_string_free (out, FALSE);
}

/**
 * ag_pii_format:
 * @kind: the kind of @normalized
 * @normalized: a value in canonical form, as ag_pii_normalize() returns it
 *
 * Formats a revealed value for reading: `529.982.247-25`, `(11) 98765-4321`,
 * `12/03/1985`, `4111 1111 1111 1111`… ag_pii_normalize() accepts every formatted value
 * and gives back @normalized. A value not in canonical form is returned as it is.
 *
 * Returns: (transfer full): the formatted value
 */
char *
ag_pii_format (AgPiiKind kind, const char *normalized)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (normalized != NULL, NULL);

  switch (kind)
    {
      case AG_PII_KIND_CPF:
        return format_cpf (normalized);
      case AG_PII_KIND_CNPJ:
        return format_cnpj (normalized);
      case AG_PII_KIND_BIRTH_DATE:
        if (strlen (normalized) != 10 || normalized[4] != '-' || normalized[7] != '-')
          return g_strdup (normalized);
        return format_birth_date (normalized);
      case AG_PII_KIND_PHONE:
        return format_phone (normalized, FALSE);
      case AG_PII_KIND_CARD_NUMBER:
        return format_card (normalized);
      case AG_PII_KIND_PIX_KEY:
        if (normalized[0] == '+')
          return format_phone (normalized, TRUE);
        if (ag_pii_is_cpf_shape (normalized))
          return format_cpf (normalized);
        if (ag_pii_is_cnpj_shape (normalized))
          return format_cnpj (normalized);
        return g_strdup (normalized);
      case AG_PII_KIND_NAME:
      case AG_PII_KIND_RG:
      case AG_PII_KIND_EMAIL:
      case AG_PII_KIND_ADDRESS:
      case AG_PII_KIND_BANK_ACCOUNT:
      case AG_PII_KIND_NOTES:
        return g_strdup (normalized);
      case AG_PII_N_KINDS:
      default:
        g_assert_not_reached ();
    }
}
