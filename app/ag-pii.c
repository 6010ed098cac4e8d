/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pii"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-pii-private.h"

static const struct
{
  const char *name;
  const char *label;
} kinds[AG_PII_N_KINDS] = {
  [AG_PII_KIND_NAME] = { "name", N_("Name") },
  [AG_PII_KIND_CPF] = { "cpf", N_("CPF") },
  [AG_PII_KIND_CNPJ] = { "cnpj", N_("CNPJ") },
  [AG_PII_KIND_RG] = { "rg", N_("RG") },
  [AG_PII_KIND_BIRTH_DATE] = { "birth_date", N_("Birth date") },
  [AG_PII_KIND_PHONE] = { "phone", N_("Phone") },
  [AG_PII_KIND_EMAIL] = { "email", N_("E-mail") },
  [AG_PII_KIND_ADDRESS] = { "address", N_("Address") },
  [AG_PII_KIND_CARD_NUMBER] = { "card_number", N_("Card number") },
  [AG_PII_KIND_BANK_ACCOUNT] = { "bank_account", N_("Bank account") },
  [AG_PII_KIND_PIX_KEY] = { "pix_key", N_("PIX key") },
  [AG_PII_KIND_NOTES] = { "notes", N_("Notes") },
};

GQuark
ag_pii_error_quark (void)
{
  return g_quark_from_static_string ("ag-pii-error-quark");
}

/**
 * ag_pii_kind_to_string:
 * @kind: a kind
 *
 * Returns: the stable string form of @kind (`cpf`, `birth_date`…)
 */
const char *
ag_pii_kind_to_string (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);

  return kinds[kind].name;
}

/**
 * ag_pii_kind_from_string:
 * @str: a string form, as ag_pii_kind_to_string() gives
 * @out_kind: (out) (optional): the kind
 *
 * Returns: %TRUE if @str names a kind
 */
gboolean
ag_pii_kind_from_string (const char *str, AgPiiKind *out_kind)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    {
      if (strcmp (str, kinds[i].name) == 0)
        {
          if (out_kind != NULL)
            *out_kind = (AgPiiKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ag_pii_kind_get_label:
 * @kind: a kind
 *
 * Returns: the translated, human-readable name of @kind
 */
const char *
ag_pii_kind_get_label (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);

  return _(kinds[kind].label);
}

/**
 * ag_pii_kind_is_searchable:
 * @kind: a kind
 *
 * Returns: %TRUE if customers can be found by the exact value of @kind
 */
gboolean
ag_pii_kind_is_searchable (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, FALSE);

  return kind == AG_PII_KIND_CPF || kind == AG_PII_KIND_CNPJ || kind == AG_PII_KIND_PHONE
         || kind == AG_PII_KIND_EMAIL;
}

/**
 * ag_pii_kind_is_identifier:
 * @kind: a kind
 *
 * The identifiers are the kinds whose value names one person or account: CPF, CNPJ,
 * phone, e-mail, card number, bank account and PIX key. A search by one is an access:
 * a mask leaves few enough candidates to try them all.
 *
 * Returns: %TRUE if @kind is an identifier
 */
gboolean
ag_pii_kind_is_identifier (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, FALSE);

  return kind == AG_PII_KIND_CPF || kind == AG_PII_KIND_CNPJ || kind == AG_PII_KIND_PHONE
         || kind == AG_PII_KIND_EMAIL || kind == AG_PII_KIND_CARD_NUMBER
         || kind == AG_PII_KIND_BANK_ACCOUNT || kind == AG_PII_KIND_PIX_KEY;
}

/**
 * ag_pii_identifier_kinds:
 * @query: a search query
 *
 * A bank account counts only written with its agency (`0001 12345-6`, `1234/123456-X`):
 * a bare run of digits and dashes is also what customer ids often look like, and no
 * search finds a customer by bank account, so it cannot serve as an oracle.
 *
 * Returns: a bit (`1 << kind`) for each identifier kind that @query is a valid value of;
 *   0 for a name, a customer id, or anything no identifier accepts
 */
guint
ag_pii_identifier_kinds (const char *query)
{
  g_autofree char *trimmed = NULL;
  gboolean with_agency;
  guint found = 0;

  g_return_val_if_fail (query != NULL, 0);

  trimmed = g_strstrip (g_strdup (query));
  with_agency = strpbrk (trimmed, " /") != NULL;
  explicit_bzero (trimmed, strlen (trimmed));

  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_autofree char *normalized = NULL;

      if (!ag_pii_kind_is_identifier (kind))
        continue;
      if (kind == AG_PII_KIND_BANK_ACCOUNT && !with_agency)
        continue;
      normalized = ag_pii_normalize (kind, query, NULL);
      if (normalized == NULL)
        continue;
      found |= 1u << kind;
      explicit_bzero (normalized, strlen (normalized));
    }

  return found;
}
