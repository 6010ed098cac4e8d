/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/*
 * What the files of AgPii share. ag-pii.c holds the kinds and their labels,
 * ag-pii-normalize.c the canonical form of every kind (free text, RG, birth date, bank
 * account there, the identifiers in ag-pii-identifiers.c), ag-pii-digits.c the check
 * digits, ag-pii-mask.c the masks and ag-pii-format.c the display forms.
 */

#pragma once

#include "ag-pii.h"

G_BEGIN_DECLS

/* Limits, in characters unless named otherwise. */
#define NAME_MAX_CHARS    200
#define ADDRESS_MAX_CHARS 500
#define NOTES_MAX_CHARS   4000
#define EMAIL_MAX_BYTES   254
#define EMAIL_LOCAL_MAX   64
#define EMAIL_LABEL_MAX   63
#define BANK_MIN_CHARS    5
#define BANK_MAX_CHARS    40
#define BANK_MIN_DIGITS   5
#define RG_MIN_CHARS      5
#define RG_MAX_CHARS      14
#define CARD_MIN_DIGITS   12
#define CARD_MAX_DIGITS   19
#define E164_MIN_DIGITS   8
#define E164_MAX_DIGITS   15

static inline gboolean
ag_pii_is_ascii_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Normalising (ag-pii-normalize.c) */

gboolean
ag_pii_all_ascii_digits (const char *str, gsize len);
gboolean
ag_pii_all_same (const char *str, gsize len);
char *
ag_pii_filter_ascii (AgPiiKind kind, const char *str, gboolean letters, const char *drop,
                     GError **error);
gboolean
ag_pii_is_bank_shape (const char *s);
gboolean
ag_pii_is_rg_shape (const char *s);
void
ag_pii_set_error (GError **error, AgPiiKind kind, AgPiiError code, const char *problem);

/* Check digits (ag-pii-digits.c) */

gboolean
ag_pii_cnpj_chars_ok (const char *c);
gboolean
ag_pii_cpf_digits_ok (const char *d);

/* Identifiers: their shapes and normalising (ag-pii-identifiers.c) */

gboolean
ag_pii_is_brazilian_phone (const char *canonical);
gboolean
ag_pii_is_card_shape (const char *s);
gboolean
ag_pii_is_cnpj_shape (const char *s);
gboolean
ag_pii_is_cpf_shape (const char *s);
gboolean
ag_pii_is_phone_shape (const char *s);
gboolean
ag_pii_is_uuid_shape (const char *s, gboolean lowercase_only);
char *
ag_pii_normalize_card (AgPiiKind kind, const char *trimmed, GError **error);
char *
ag_pii_normalize_cnpj (AgPiiKind kind, const char *trimmed, GError **error);
char *
ag_pii_normalize_cpf (AgPiiKind kind, const char *trimmed, GError **error);
char *
ag_pii_normalize_email (AgPiiKind kind, const char *trimmed, GError **error);
char *
ag_pii_normalize_phone (AgPiiKind kind, const char *trimmed, GError **error);
char *
ag_pii_normalize_pix_key (AgPiiKind kind, const char *trimmed, GError **error);

G_END_DECLS
