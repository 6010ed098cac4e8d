/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ag-pii.h"

/* Fuzzes ag_pii_normalize(), ag_pii_mask() and ag_pii_format(). The first byte picks the
 * kind, the rest is the input. Aborts when an invariant breaks:
 *
 * - a refusal is an AG_PII_ERROR whose message does not repeat the input;
 * - a canonical value is valid UTF-8 of at most AG_PII_MAX_INPUT bytes (in NFC for text),
 *   and normalising it, or its formatted form, gives it back unchanged;
 * - its mask never contains it whole (names are not masked), and is never the mask of
 *   a value that is not canonical;
 * - the mask depends only on what it shows: changing a hidden character keeps it. */

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Says which invariant broke, never the value. */
#define check(condition)                                                                 \
  G_STMT_START                                                                           \
  {                                                                                      \
    if (!(condition))                                                                    \
      {                                                                                  \
        fprintf (stderr, "fuzz-pii.c:%d: invariant broken: %s\n", __LINE__, #condition); \
        abort ();                                                                        \
      }                                                                                  \
  }                                                                                      \
  G_STMT_END

static char *
normalize_again (AgPiiKind kind, const char *value)
{
  GError *error = NULL;
  char *result = ag_pii_normalize (kind, value, &error);

  check (result != NULL && error == NULL);
  return result;
}

/* Where a character of @canonical is hidden by the mask, whatever the value; -1 if the kind
 * has no such place. */
static gssize
hidden_index (AgPiiKind kind, const char *canonical)
{
  gsize len = strlen (canonical);

  switch (kind)
    {
      case AG_PII_KIND_CPF:
      case AG_PII_KIND_CNPJ:
      case AG_PII_KIND_RG:
      case AG_PII_KIND_CARD_NUMBER:
      case AG_PII_KIND_BANK_ACCOUNT:
        return 0;
      case AG_PII_KIND_PHONE:
        return (gssize) len - 5;
      case AG_PII_KIND_BIRTH_DATE:
        return 9;
      case AG_PII_KIND_PIX_KEY:
        /* Told apart in the order ag_pii_mask() uses: e-mail first (+ may start one). */
        if (strchr (canonical, '@') != NULL)
          return -1;
        return canonical[0] == '+' ? (gssize) len - 5 : 0;
      case AG_PII_KIND_NAME:
      case AG_PII_KIND_EMAIL:
      case AG_PII_KIND_ADDRESS:
      case AG_PII_KIND_NOTES:
      case AG_PII_N_KINDS:
      default:
        return -1;
    }
}

static void
check_canonical (AgPiiKind kind, const char *canonical)
{
  char *again, *formatted, *from_format, *mask;
  gssize hidden;

  check (g_utf8_validate (canonical, -1, NULL));
  check (strlen (canonical) <= AG_PII_MAX_INPUT);

  /* Text kinds are stored in NFC, whichever way ag_pii_normalize() got there. */
  if (kind == AG_PII_KIND_NAME || kind == AG_PII_KIND_ADDRESS || kind == AG_PII_KIND_NOTES)
    {
      char *nfc = g_utf8_normalize (canonical, -1, G_NORMALIZE_NFC);

      check (nfc != NULL && strcmp (nfc, canonical) == 0);
      g_free (nfc);
    }

  again = normalize_again (kind, canonical);
  check (strcmp (again, canonical) == 0);
  g_free (again);

  formatted = ag_pii_format (kind, canonical);
  check (formatted != NULL);
  from_format = normalize_again (kind, formatted);
  check (strcmp (from_format, canonical) == 0);
  g_free (from_format);
  g_free (formatted);

  mask = ag_pii_mask (kind, canonical);
  check (mask != NULL && g_utf8_validate (mask, -1, NULL));
  if (kind == AG_PII_KIND_NAME)
    check (strcmp (mask, canonical) == 0);
  else if (strchr (canonical, '*') == NULL && strstr (canonical, "•") == NULL)
    /* A value holding the masks' own characters (* and •) may look like a mask; otherwise
     * the mask never holds the whole value. */
    check (strstr (mask, canonical) == NULL);
  /* "***" is what a value that is not canonical gets; only addresses may show nothing, and
   * a name is its own mask. */
  if (kind != AG_PII_KIND_ADDRESS && kind != AG_PII_KIND_NAME)
    check (strcmp (mask, "***") != 0);

  hidden = hidden_index (kind, canonical);
  if (hidden >= 0 && g_ascii_isdigit (canonical[hidden]))
    {
      char *variant = g_strdup (canonical);
      char *variant_mask;

      variant[hidden] = canonical[hidden] == '1' ? '2' : '1';
      variant_mask = ag_pii_mask (kind, variant);
      check (strcmp (mask, variant_mask) == 0);
      g_free (variant_mask);
      g_free (variant);
    }
  g_free (mask);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  AgPiiKind kind;
  GError *error = NULL;
  char *input, *canonical, *raw_mask, *raw_format;

  if (size < 1)
    return 0;

  kind = (AgPiiKind) (data[0] % AG_PII_N_KINDS);
  input = g_strndup ((const char *) data + 1, size - 1);

  /* Mask and format take anything without failing. */
  raw_mask = ag_pii_mask (kind, input);
  raw_format = ag_pii_format (kind, input);
  check (raw_mask != NULL && raw_format != NULL);
  g_free (raw_mask);
  g_free (raw_format);

  canonical = ag_pii_normalize (kind, input, &error);
  if (canonical == NULL)
    {
      char *stripped = g_strstrip (g_strdup (input));

      check (error != NULL && error->domain == AG_PII_ERROR);
      check (error->code >= AG_PII_ERROR_EMPTY && error->code <= AG_PII_ERROR_INVALID_DATE);
      check (g_str_has_prefix (error->message, ag_pii_kind_to_string (kind)));
      if (strlen (input) > AG_PII_MAX_INPUT)
        check (error->code == AG_PII_ERROR_TOO_LONG);
      if (strlen (stripped) >= 4)
        check (strstr (error->message, stripped) == NULL);
      g_free (stripped);
      g_error_free (error);
    }
  else
    {
      check (error == NULL);
      check_canonical (kind, canonical);
      g_free (canonical);
    }

  g_free (input);
  return 0;
}
