/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * AgPiiKind:
 *
 * The kinds of personal data a customer record holds. The string form of each kind
 * (ag_pii_kind_to_string()) is also its import column name, its policy list item and the
 * `--field` argument of the CLI: `name`, `cpf`, `cnpj`, `rg`, `birth_date`, `phone`,
 * `email`, `address`, `card_number`, `bank_account`, `pix_key`, `notes`.
 */
typedef enum
{
  AG_PII_KIND_NAME,
  AG_PII_KIND_CPF,
  AG_PII_KIND_CNPJ,
  AG_PII_KIND_RG,
  AG_PII_KIND_BIRTH_DATE,
  AG_PII_KIND_PHONE,
  AG_PII_KIND_EMAIL,
  AG_PII_KIND_ADDRESS,
  AG_PII_KIND_CARD_NUMBER,
  AG_PII_KIND_BANK_ACCOUNT,
  AG_PII_KIND_PIX_KEY,
  AG_PII_KIND_NOTES,
  AG_PII_N_KINDS
} AgPiiKind;

#define AG_PII_ERROR (ag_pii_error_quark ())

typedef enum
{
  AG_PII_ERROR_EMPTY,
  AG_PII_ERROR_TOO_LONG,
  AG_PII_ERROR_INVALID_CHARACTER,
  AG_PII_ERROR_INVALID_LENGTH,
  AG_PII_ERROR_INVALID_CHECK_DIGITS,
  AG_PII_ERROR_INVALID_FORMAT,
  AG_PII_ERROR_INVALID_DATE,
} AgPiiError;

/* Longest input any normaliser looks at, in bytes; longer input is refused unread. */
#define AG_PII_MAX_INPUT 4096

GQuark
ag_pii_error_quark (void);

const char *
ag_pii_kind_to_string (AgPiiKind kind);
gboolean
ag_pii_kind_from_string (const char *str, AgPiiKind *out_kind);
const char *
ag_pii_kind_get_label (AgPiiKind kind);
gboolean
ag_pii_kind_is_searchable (AgPiiKind kind);
gboolean
ag_pii_kind_is_identifier (AgPiiKind kind);
guint
ag_pii_identifier_kinds (const char *query);

char *
ag_pii_normalize (AgPiiKind kind, const char *input, GError **error);
char *
ag_pii_mask (AgPiiKind kind, const char *normalized);
char *
ag_pii_format (AgPiiKind kind, const char *normalized);

gboolean
ag_pii_cpf_is_valid (const char *digits);
gboolean
ag_pii_cnpj_is_valid (const char *chars);
gboolean
ag_pii_luhn_is_valid (const char *digits);
/* Check digits, once for the validators here and for AgSynth. */
char
ag_pii_cpf_check_digit (const char *digits, guint n);
char
ag_pii_cnpj_check_digit (const char *chars, guint n);
char
ag_pii_luhn_check_digit (const char *payload, gsize len);

G_END_DECLS
