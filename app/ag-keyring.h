/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-secret.h"

G_BEGIN_DECLS

#define AG_KEYRING_ERROR (ag_keyring_error_quark ())

typedef enum
{
  AG_KEYRING_ERROR_UNAVAILABLE,
  AG_KEYRING_ERROR_NOT_FOUND,
  AG_KEYRING_ERROR_CORRUPT,
  AG_KEYRING_ERROR_FAILED,
} AgKeyringError;

/* What a key is for: the data key seals PII and keys the blind indexes; the ledger key
 * MACs the audit ledger. */
typedef enum
{
  AG_KEY_PURPOSE_DATA,
  AG_KEY_PURPOSE_LEDGER_MAC,
} AgKeyPurpose;

#define AG_KEYRING_KEY_BYTES 32

GQuark
ag_keyring_error_quark (void);

/* Looks up the key of @purpose for the store with id @store_id in the Secret Service;
 * when there is none and @create is %TRUE, makes a random one and stores it. */
AgSecret *
ag_keyring_get_key (const char *store_id, AgKeyPurpose purpose, gboolean create,
                    GCancellable *cancellable, GError **error);
/* The ledger head recorded outside the store (the rollback anchor, sealed by the ledger):
 * lookup gives %NULL without an error when none is recorded; store replaces it. */
GBytes *
ag_keyring_lookup_ledger_head (const char *store_id, GCancellable *cancellable, GError **error);
gboolean
ag_keyring_store_ledger_head (const char *store_id, const guint8 *sealed, gsize len,
                              GCancellable *cancellable, GError **error);
/* Removes every key of the store, and its recorded ledger head. */
gboolean
ag_keyring_delete_keys (const char *store_id, GCancellable *cancellable, GError **error);

G_END_DECLS
