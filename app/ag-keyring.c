/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-keyring"

#include "config.h"

#include <libsecret/secret.h>
#include <sodium.h>
#include <string.h>

#include "ag-keyring.h"

/* Keys are stored in the Secret Service as unpadded URL-safe base64 text. */
#define KEY_ENCODING sodium_base64_VARIANT_URLSAFE_NO_PADDING

static const SecretSchema store_key_schema = {
  "org.agentguard.AgentGuard.StoreKey",
  SECRET_SCHEMA_NONE,
  {
    { "store-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "purpose", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
};

GQuark
ag_keyring_error_quark (void)
{
  return g_quark_from_static_string ("ag-keyring-error-quark");
}

static const char *
purpose_to_string (AgKeyPurpose purpose)
{
  switch (purpose)
    {
      case AG_KEY_PURPOSE_DATA:
        return "data";
      case AG_KEY_PURPOSE_LEDGER_MAC:
        return "ledger-mac";
      default:
        g_return_val_if_reached (NULL);
    }
}

/* Turns an error of libsecret or GDBus into one a developer or IT person can act on.
 * Cancellation asked for by the caller stays G_IO_ERROR_CANCELLED. */
static void
propagate_secret_error (GError **error, GError *local_error, GCancellable *cancellable)
{
  g_autoptr (GError) owned = local_error;

  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && g_cancellable_is_cancelled (cancellable))
    {
      g_propagate_error (error, g_steal_pointer (&owned));
      return;
    }

  if (g_error_matches (owned, SECRET_ERROR, SECRET_ERROR_IS_LOCKED))
    {
      g_set_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_FAILED,
                   "The keyring that holds the store keys is locked; unlock it and try again "
                   "(%s)",
                   owned->message);
      return;
    }

  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Nobody cancelled: the keyring's unlock prompt was dismissed. */
      g_set_error_literal (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_FAILED,
                           "The keyring prompt was dismissed; the store keys stay locked");
      return;
    }

  if (owned->domain == SECRET_ERROR)
    {
      g_set_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_FAILED,
                   "The Secret Service refused the request: %s", owned->message);
      return;
    }

  /* Everything else means there is no usable Secret Service: no session bus, nothing
   * owning org.freedesktop.secrets, or a bus that does not answer. */
  g_set_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_UNAVAILABLE,
               "No Secret Service is available on the session bus (is gnome-keyring "
               "running?): %s",
               owned->message);
}

static AgSecret *
decode_key (const char *encoded, GError **error)
{
  g_autoptr (AgSecret) key = ag_secret_new (AG_KEYRING_KEY_BYTES);
  size_t key_len = 0;
  const char *end = NULL;

  if (sodium_base642bin (ag_secret_get_mutable_data (key), AG_KEYRING_KEY_BYTES, encoded,
                         strlen (encoded), NULL, &key_len, &end, KEY_ENCODING)
        != 0
      || key_len != AG_KEYRING_KEY_BYTES || *end != '\0')
    {
      g_set_error_literal (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_CORRUPT,
                           "The store key in the keyring is not a valid key");
      return NULL;
    }

  return g_steal_pointer (&key);
}

static AgSecret *
lookup_key (const char *store_id, const char *purpose, GCancellable *cancellable, gboolean *found,
            GError **error)
{
  GError *local_error = NULL;
  char *encoded;
  AgSecret *key;

  encoded = secret_password_lookup_sync (&store_key_schema, cancellable, &local_error, "store-id",
                                         store_id, "purpose", purpose, NULL);
  if (local_error != NULL)
    {
      propagate_secret_error (error, local_error, cancellable);
      return NULL;
    }

  *found = encoded != NULL;
  if (encoded == NULL)
    return NULL;

  key = decode_key (encoded, error);
  /* Wipes the encoded key as it frees it. */
  secret_password_free (encoded);

  return key;
}

static AgSecret *
create_key (const char *store_id, const char *purpose, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgSecret) key = ag_secret_new (AG_KEYRING_KEY_BYTES);
  g_autoptr (AgSecret) encoded = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;

  randombytes_buf (ag_secret_get_mutable_data (key), AG_KEYRING_KEY_BYTES);

  encoded = ag_secret_new (sodium_base64_ENCODED_LEN (AG_KEYRING_KEY_BYTES, KEY_ENCODING));
  sodium_bin2base64 ((char *) ag_secret_get_mutable_data (encoded), ag_secret_get_size (encoded),
                     ag_secret_get_data (key, NULL), AG_KEYRING_KEY_BYTES, KEY_ENCODING);

  label = g_strdup_printf ("Agent Guard store key (%s, %s)", purpose, store_id);
  if (!secret_password_store_sync (&store_key_schema, SECRET_COLLECTION_DEFAULT, label,
                                   (const char *) ag_secret_get_data (encoded, NULL), cancellable,
                                   &local_error, "store-id", store_id, "purpose", purpose, NULL))
    {
      propagate_secret_error (error, local_error, cancellable);
      return NULL;
    }

  return g_steal_pointer (&key);
}

/**
 * ag_keyring_get_key:
 * @store_id: the id of a store
 * @purpose: what the key is for
 * @create: whether to make and store a new key when there is none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error: %AG_KEYRING_ERROR_UNAVAILABLE when no Secret
 *   Service answers, %AG_KEYRING_ERROR_NOT_FOUND when the key is missing and @create is
 *   %FALSE, %AG_KEYRING_ERROR_CORRUPT when the stored key is not a key
 *
 * Returns: (transfer full): the key, %AG_KEYRING_KEY_BYTES bytes of locked memory, or
 *   %NULL on error
 */
AgSecret *
ag_keyring_get_key (const char *store_id, AgKeyPurpose purpose, gboolean create,
                    GCancellable *cancellable, GError **error)
{
  const char *purpose_str;
  gboolean found = FALSE;
  GError *local_error = NULL;
  AgSecret *key;

  g_return_val_if_fail (store_id != NULL && *store_id != '\0', NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  purpose_str = purpose_to_string (purpose);
  g_return_val_if_fail (purpose_str != NULL, NULL);

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");

  key = lookup_key (store_id, purpose_str, cancellable, &found, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (found)
    return key;

  if (!create)
    {
      g_set_error (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND,
                   "The key of this store is not in your keyring (store %s, %s key); the "
                   "store cannot be read without it",
                   store_id, purpose_str);
      return NULL;
    }

  return create_key (store_id, purpose_str, cancellable, error);
}

#define LEDGER_HEAD_PURPOSE "ledger-head"

/**
 * ag_keyring_lookup_ledger_head:
 * @store_id: the id of a store
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Returns: (transfer full) (nullable): the sealed head last recorded for the store's
 *   ledger, or %NULL (with @error unset) when none is recorded
 */
GBytes *
ag_keyring_lookup_ledger_head (const char *store_id, GCancellable *cancellable, GError **error)
{
  GError *local_error = NULL;
  g_autofree guint8 *sealed = NULL;
  char *encoded;
  size_t len = 0;
  gsize max_len;
  const char *end = NULL;
  int rc;

  g_return_val_if_fail (store_id != NULL && *store_id != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  encoded = secret_password_lookup_sync (&store_key_schema, cancellable, &local_error, "store-id",
                                         store_id, "purpose", LEDGER_HEAD_PURPOSE, NULL);
  if (local_error != NULL)
    {
      propagate_secret_error (error, local_error, cancellable);
      return NULL;
    }
  if (encoded == NULL)
    return NULL;

  max_len = strlen (encoded);
  sealed = g_malloc (MAX (max_len, 1));
  rc = sodium_base642bin (sealed, max_len, encoded, max_len, NULL, &len, &end, KEY_ENCODING);
  if (rc != 0 || *end != '\0')
    {
      secret_password_free (encoded);
      g_set_error_literal (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_CORRUPT,
                           "The ledger head recorded in the keyring is not valid");
      return NULL;
    }
  secret_password_free (encoded);
  return g_bytes_new (sealed, len);
}

/**
 * ag_keyring_store_ledger_head:
 * @store_id: the id of a store
 * @sealed: the sealed head (ag_ledger_seal_head())
 * @len: its length
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Records @sealed as the store's ledger head, replacing the one before.
 *
 * Returns: %TRUE once the Secret Service holds it
 */
gboolean
ag_keyring_store_ledger_head (const char *store_id, const guint8 *sealed, gsize len,
                              GCancellable *cancellable, GError **error)
{
  g_autofree char *encoded = NULL;
  g_autofree char *label = NULL;
  GError *local_error = NULL;
  gsize encoded_len = sodium_base64_ENCODED_LEN (len, KEY_ENCODING);

  g_return_val_if_fail (store_id != NULL && *store_id != '\0', FALSE);
  g_return_val_if_fail (sealed != NULL && len > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  encoded = g_malloc (encoded_len);
  sodium_bin2base64 (encoded, encoded_len, sealed, len, KEY_ENCODING);
  label = g_strdup_printf ("Agent Guard ledger head (%s)", store_id);
  if (!secret_password_store_sync (&store_key_schema, SECRET_COLLECTION_DEFAULT, label, encoded,
                                   cancellable, &local_error, "store-id", store_id, "purpose",
                                   LEDGER_HEAD_PURPOSE, NULL))
    {
      propagate_secret_error (error, local_error, cancellable);
      return FALSE;
    }
  return TRUE;
}

/**
 * ag_keyring_delete_keys:
 * @store_id: the id of a store
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Removes every key of the store @store_id from the Secret Service. Without them the
 * store's sealed values can never be read again.
 *
 * Returns: %TRUE on success, also when there was nothing to remove
 */
gboolean
ag_keyring_delete_keys (const char *store_id, GCancellable *cancellable, GError **error)
{
  GError *local_error = NULL;

  g_return_val_if_fail (store_id != NULL && *store_id != '\0', FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  secret_password_clear_sync (&store_key_schema, cancellable, &local_error, "store-id", store_id,
                              NULL);
  if (local_error != NULL)
    {
      propagate_secret_error (error, local_error, cancellable);
      return FALSE;
    }

  return TRUE;
}
