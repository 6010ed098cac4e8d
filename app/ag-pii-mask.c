/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pii"

#include "config.h"

#include <string.h>

#include "ag-pii-private.h"

/* The mask of free text never depends on the text, not even on its length. */
#define NOTES_MASK "••••••"

/* The 27 federative units, for recognising the end of an address. */
static const char *const brazilian_ufs[] = {
  "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
  "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
};

/* Masks. Each mask depends only on what it shows; a value that is not in canonical form
 * gets a mask that shows nothing. */

#define NOTHING_SHOWN "***"

static char *
mask_cpf (const char *s)
{
  if (!ag_pii_is_cpf_shape (s))
    return g_strdup (NOTHING_SHOWN);
  return g_strdup_printf ("***.%.3s.%.3s-**", s + 3, s + 6);
}

static char *
mask_cnpj (const char *s)
{
  if (!ag_pii_is_cnpj_shape (s))
    return g_strdup (NOTHING_SHOWN);
  return g_strdup_printf ("**.***.***/%.4s-**", s + 8);
}

static char *
mask_phone (const char *s)
{
  gsize len;

  if (!ag_pii_is_phone_shape (s))
    return g_strdup (NOTHING_SHOWN);

  len = strlen (s);
  if (ag_pii_is_brazilian_phone (s))
    return g_strdup_printf (len == 14 ? "(**) *****-%s" : "(**) ****-%s", s + len - 4);
  return g_strdup_printf ("+** *******%s", s + len - 4);
}

static char *
mask_email (const char *s)
{
  const char *at = strchr (s, '@');

  if (at == NULL || at == s)
    return g_strdup (NOTHING_SHOWN);
  /* A one-character local part would be shown whole. */
  if (at - s == 1)
    return g_strconcat ("***", at, NULL);
  return g_strdup_printf ("%c***%s", s[0], at);
}

static gboolean
is_uf (const char *s, gsize len)
{
  if (len != 2)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (brazilian_ufs); i++)
    if (s[0] == brazilian_ufs[i][0] && s[1] == brazilian_ufs[i][1])
      return TRUE;
  return FALSE;
}

static gboolean
is_cep (const char *s, gsize len)
{
  if (len == 8)
    return ag_pii_all_ascii_digits (s, 8);
  return len == 9 && ag_pii_all_ascii_digits (s, 5) && s[5] == '-'
         && ag_pii_all_ascii_digits (s + 6, 3);
}

/* Shows the city and state of an address that ends as `…, City - UF` or
 * `…, City - UF, 01234-567`, and nothing else. */
static char *
mask_address (const char *s)
{
  gsize len = strlen (s);
  const char *end = s + len;
  const char *comma, *city;

  /* Drop a final CEP. */
  comma = g_strrstr_len (s, len, ", ");
  if (comma != NULL && is_cep (comma + 2, end - (comma + 2)))
    end = comma;

  /* Then `City - UF` after the last comma before it. */
  if (end - s < 5 || !is_uf (end - 2, 2) || memcmp (end - 5, " - ", 3) != 0)
    return g_strdup (NOTHING_SHOWN);
  comma = g_strrstr_len (s, end - 5 - s, ", ");
  if (comma == NULL || comma == s)
    return g_strdup (NOTHING_SHOWN);
  city = comma + 2;
  if (city >= end - 5)
    return g_strdup (NOTHING_SHOWN);

  /* What stands there must look like a city: no house or flat number, no neighbourhood
   * joined with another " - " ("Rua das Flores, 123 - SP" would show the number). */
  for (const char *p = city; p < end - 5; p++)
    if (g_ascii_isdigit (*p) || (p + 3 <= end - 5 && memcmp (p, " - ", 3) == 0))
      return g_strdup (NOTHING_SHOWN);

  return g_strdup_printf ("***, %.*s", (int) (end - city), city);
}

static char *
mask_card (const char *s)
{
  if (!ag_pii_is_card_shape (s))
    return g_strdup (NOTHING_SHOWN);
  return g_strdup_printf ("**** **** **** %s", s + strlen (s) - 4);
}

static char *
mask_last3 (const char *s)
{
  return g_strdup_printf ("*****%s", s + strlen (s) - 3);
}

static char *
mask_uuid (const char *s)
{
  return g_strdup_printf ("********-****-****-****-********%s", s + 32);
}

/**
 * ag_pii_mask:
 * @kind: the kind of @normalized
 * @normalized: a value in canonical form, as ag_pii_normalize() returns it
 *
 * Masks a value for display: only what an agent needs to match a caller is shown, and the
 * mask depends only on what it shows. Names are not masked. A value that is not in
 * canonical form is masked whole.
 *
 * Returns: (transfer full): the masked text
 */
char *
ag_pii_mask (AgPiiKind kind, const char *normalized)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (normalized != NULL, NULL);

  switch (kind)
    {
      case AG_PII_KIND_NAME:
        return g_strdup (normalized);
      case AG_PII_KIND_CPF:
        return mask_cpf (normalized);
      case AG_PII_KIND_CNPJ:
        return mask_cnpj (normalized);
      case AG_PII_KIND_RG:
        return ag_pii_is_rg_shape (normalized) ? mask_last3 (normalized) : g_strdup (NOTHING_SHOWN);
      case AG_PII_KIND_BIRTH_DATE:
        if (strlen (normalized) != 10 || normalized[4] != '-'
            || !ag_pii_all_ascii_digits (normalized, 4))
          return g_strdup (NOTHING_SHOWN);
        return g_strdup_printf ("**/**/%.4s", normalized);
      case AG_PII_KIND_PHONE:
        return mask_phone (normalized);
      case AG_PII_KIND_EMAIL:
        return mask_email (normalized);
      case AG_PII_KIND_ADDRESS:
        return mask_address (normalized);
      case AG_PII_KIND_CARD_NUMBER:
        return mask_card (normalized);
      case AG_PII_KIND_BANK_ACCOUNT:
        return ag_pii_is_bank_shape (normalized) ? mask_last3 (normalized)
                                                 : g_strdup (NOTHING_SHOWN);
      case AG_PII_KIND_PIX_KEY:
        if (strchr (normalized, '@') != NULL)
          return mask_email (normalized);
        if (ag_pii_is_uuid_shape (normalized, TRUE))
          return mask_uuid (normalized);
        if (normalized[0] == '+')
          return mask_phone (normalized);
        if (ag_pii_is_cpf_shape (normalized))
          return mask_cpf (normalized);
        return mask_cnpj (normalized);
      case AG_PII_KIND_NOTES:
        return g_strdup (NOTES_MASK);
      case AG_PII_N_KINDS:
      default:
        g_assert_not_reached ();
    }
}
