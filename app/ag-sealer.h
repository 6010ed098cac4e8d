/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-pii.h"
#include "ag-secret.h"

G_BEGIN_DECLS

#define AG_TYPE_SEALER (ag_sealer_get_type ())

G_DECLARE_FINAL_TYPE (AgSealer, ag_sealer, AG, SEALER, GObject)

#define AG_SEALER_ERROR (ag_sealer_error_quark ())

typedef enum
{
  AG_SEALER_ERROR_FAILED,
  AG_SEALER_ERROR_FORGED,
} AgSealerError;

#define AG_SEALER_KEY_BYTES 32
/* Size of a blind index tag. */
#define AG_SEALER_TAG_BYTES 16

GQuark
ag_sealer_error_quark (void);

/* @data_key is the store's data key from the keyring; the sealing key and the blind index
 * key are derived from it (libsodium crypto_kdf), so neither is ever used for both. */
AgSealer *
ag_sealer_new (const AgSecret *data_key);

gsize
ag_sealer_sealed_size (gsize value_len);
/* XChaCha20-Poly1305 with a fresh random nonce; @record_id and @kind are the associated
 * data. Writes ag_sealer_sealed_size (@value_len) bytes to @out. */
void
ag_sealer_seal_into (AgSealer *self, const char *record_id, AgPiiKind kind, const char *value,
                     gsize value_len, guint8 *out);
GBytes *
ag_sealer_seal (AgSealer *self, const char *record_id, AgPiiKind kind, const char *value);
AgSecret *
ag_sealer_open (AgSealer *self, const char *record_id, AgPiiKind kind, const guint8 *sealed,
                gsize sealed_len, GError **error);
/* Keyed BLAKE2b over kind and normalised value, for exact search without the value. */
void
ag_sealer_blind_index (AgSealer *self, AgPiiKind kind, const char *normalized,
                       guint8 out[AG_SEALER_TAG_BYTES]);

G_END_DECLS
