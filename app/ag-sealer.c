/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-sealer"

#include "config.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "ag-sealer.h"

/* Sealed value layout: nonce (24 bytes) || ciphertext || Poly1305 tag (16 bytes). */
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define MAC_BYTES   crypto_aead_xchacha20poly1305_ietf_ABYTES

/* crypto_kdf contexts are exactly 8 bytes; each subkey has its own context and id so the
 * sealing key and the blind index key can never coincide. */
#define KDF_CONTEXT_SEAL  "agseal01"
#define KDF_CONTEXT_BLIND "agblind1"
#define KDF_ID_SEAL       1
#define KDF_ID_BLIND      2

/* Associated data: one byte of kind (fixed width, so the encoding is unambiguous), then
 * the record id bytes. Ids longer than this use the heap. */
#define AD_STACK_BYTES 256

G_STATIC_ASSERT (AG_SEALER_KEY_BYTES == crypto_kdf_KEYBYTES);
G_STATIC_ASSERT (AG_SEALER_KEY_BYTES == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
G_STATIC_ASSERT (AG_SEALER_TAG_BYTES >= crypto_generichash_BYTES_MIN);

/* Nonces are drawn from the system CSPRNG in blocks: one getrandom() per NONCE_POOL_SIZE
 * values instead of one per value, which made it the bottleneck of a bulk import. */
#define NONCE_POOL_SIZE 256

struct _AgSealer
{
  GObject parent_instance;

  AgSecret *seal_key;
  AgSecret *blind_key;

  GMutex nonce_lock;
  guint8 nonce_pool[NONCE_POOL_SIZE * NONCE_BYTES];
  guint nonce_next;
  guint nonce_generation;
};

/* Bumped in a forked child so that it never reuses nonces its parent also holds. */
static guint fork_generation;

static void
bump_fork_generation (void)
{
  g_atomic_int_inc (&fork_generation);
}

G_DEFINE_FINAL_TYPE (AgSealer, ag_sealer, G_TYPE_OBJECT)

GQuark
ag_sealer_error_quark (void)
{
  return g_quark_from_static_string ("ag-sealer-error-quark");
}

static void
ag_sealer_finalize (GObject *object)
{
  AgSealer *self = AG_SEALER (object);

  g_clear_pointer (&self->seal_key, ag_secret_free);
  g_clear_pointer (&self->blind_key, ag_secret_free);
  g_mutex_clear (&self->nonce_lock);

  G_OBJECT_CLASS (ag_sealer_parent_class)->finalize (object);
}

static void
ag_sealer_class_init (AgSealerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_sealer_finalize;

  pthread_atfork (NULL, NULL, bump_fork_generation);
}

static void
ag_sealer_init (AgSealer *self)
{
  g_mutex_init (&self->nonce_lock);
  self->nonce_next = NONCE_POOL_SIZE;
}

static void
next_nonce (AgSealer *self, guint8 *out)
{
  guint generation = g_atomic_int_get (&fork_generation);

  g_mutex_lock (&self->nonce_lock);
  if (self->nonce_next == NONCE_POOL_SIZE || self->nonce_generation != generation)
    {
      randombytes_buf (self->nonce_pool, sizeof self->nonce_pool);
      self->nonce_next = 0;
      self->nonce_generation = generation;
    }
  memcpy (out, self->nonce_pool + self->nonce_next * NONCE_BYTES, NONCE_BYTES);
  /* A nonce is handed out once, then forgotten. */
  sodium_memzero (self->nonce_pool + self->nonce_next * NONCE_BYTES, NONCE_BYTES);
  self->nonce_next++;
  g_mutex_unlock (&self->nonce_lock);
}

static AgSecret *
derive_key (const AgSecret *data_key, guint64 subkey_id, const char *context)
{
  AgSecret *key = ag_secret_new (AG_SEALER_KEY_BYTES);

  if (crypto_kdf_derive_from_key (ag_secret_get_mutable_data (key), AG_SEALER_KEY_BYTES, subkey_id,
                                  context, ag_secret_get_data (data_key, NULL))
      != 0)
    g_error ("Key derivation failed");

  return key;
}

/**
 * ag_sealer_new:
 * @data_key: the store's data key, %AG_SEALER_KEY_BYTES bytes
 *
 * Returns: (transfer full): a sealer whose sealing and blind index keys are derived
 *   from @data_key
 */
AgSealer *
ag_sealer_new (const AgSecret *data_key)
{
  AgSealer *self;

  g_return_val_if_fail (data_key != NULL, NULL);
  g_return_val_if_fail (ag_secret_get_size (data_key) == AG_SEALER_KEY_BYTES, NULL);

  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");

  self = g_object_new (AG_TYPE_SEALER, NULL);
  self->seal_key = derive_key (data_key, KDF_ID_SEAL, KDF_CONTEXT_SEAL);
  self->blind_key = derive_key (data_key, KDF_ID_BLIND, KDF_CONTEXT_BLIND);

  return self;
}

/**
 * ag_sealer_sealed_size:
 * @value_len: length of a value in bytes
 *
 * Returns: the length of that value sealed
 */
gsize
ag_sealer_sealed_size (gsize value_len)
{
  return NONCE_BYTES + value_len + MAC_BYTES;
}

/* Fills @ad with the associated data for @record_id and @kind; returns it, or a new heap
 * buffer (in *@heap) when @ad is too small. */
static const guint8 *
build_ad (const char *record_id, AgPiiKind kind, guint8 *ad, guint8 **heap, gsize *ad_len)
{
  gsize id_len = strlen (record_id);
  guint8 *buf = ad;

  if (id_len + 1 > AD_STACK_BYTES)
    buf = *heap = g_malloc (id_len + 1);

  buf[0] = (guint8) kind;
  memcpy (buf + 1, record_id, id_len);
  *ad_len = id_len + 1;

  return buf;
}

/**
 * ag_sealer_seal_into:
 * @self: a sealer
 * @record_id: the id of the record the value belongs to
 * @kind: the kind of the value
 * @value: (array length=value_len): the value in clear
 * @value_len: its length
 * @out: where to write ag_sealer_sealed_size (@value_len) bytes
 *
 * Seals @value with XChaCha20-Poly1305 under a fresh random nonce, binding it to
 * @record_id and @kind so it cannot be moved to another record or field.
 */
void
ag_sealer_seal_into (AgSealer *self, const char *record_id, AgPiiKind kind, const char *value,
                     gsize value_len, guint8 *out)
{
  guint8 ad_stack[AD_STACK_BYTES];
  g_autofree guint8 *ad_heap = NULL;
  const guint8 *ad;
  gsize ad_len;

  g_return_if_fail (AG_IS_SEALER (self));
  g_return_if_fail (record_id != NULL);
  g_return_if_fail (kind < AG_PII_N_KINDS);
  g_return_if_fail (value != NULL || value_len == 0);
  g_return_if_fail (out != NULL);

  ad = build_ad (record_id, kind, ad_stack, &ad_heap, &ad_len);
  next_nonce (self, out);
  crypto_aead_xchacha20poly1305_ietf_encrypt (out + NONCE_BYTES, NULL, (const guint8 *) value,
                                              value_len, ad, ad_len, NULL, out,
                                              ag_secret_get_data (self->seal_key, NULL));
}

/**
 * ag_sealer_seal:
 * @self: a sealer
 * @record_id: the id of the record the value belongs to
 * @kind: the kind of the value
 * @value: the value in clear, NUL-terminated
 *
 * Returns: (transfer full): the sealed value
 */
GBytes *
ag_sealer_seal (AgSealer *self, const char *record_id, AgPiiKind kind, const char *value)
{
  gsize value_len;
  gsize sealed_len;
  guint8 *out;

  g_return_val_if_fail (AG_IS_SEALER (self), NULL);
  g_return_val_if_fail (record_id != NULL, NULL);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (value != NULL, NULL);

  value_len = strlen (value);
  sealed_len = ag_sealer_sealed_size (value_len);
  out = g_malloc (sealed_len);
  ag_sealer_seal_into (self, record_id, kind, value, value_len, out);

  return g_bytes_new_take (out, sealed_len);
}

/**
 * ag_sealer_open:
 * @self: a sealer
 * @record_id: the id of the record the value belongs to
 * @kind: the kind of the value
 * @sealed: (array length=sealed_len): the sealed value
 * @sealed_len: its length
 * @error: return location for an error, %AG_SEALER_ERROR_FORGED when @sealed was not
 *   sealed by this key for this record and kind, or was altered
 *
 * Returns: (transfer full): the value in clear, in locked memory, or %NULL on error
 */
AgSecret *
ag_sealer_open (AgSealer *self, const char *record_id, AgPiiKind kind, const guint8 *sealed,
                gsize sealed_len, GError **error)
{
  guint8 ad_stack[AD_STACK_BYTES];
  g_autofree guint8 *ad_heap = NULL;
  g_autoptr (AgSecret) value = NULL;
  const guint8 *ad;
  gsize ad_len;

  g_return_val_if_fail (AG_IS_SEALER (self), NULL);
  g_return_val_if_fail (record_id != NULL, NULL);
  g_return_val_if_fail (sealed != NULL || sealed_len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (kind >= AG_PII_N_KINDS || sealed_len < NONCE_BYTES + MAC_BYTES)
    {
      g_set_error_literal (error, AG_SEALER_ERROR, AG_SEALER_ERROR_FORGED,
                           "The sealed value is truncated or of an unknown kind");
      return NULL;
    }

  ad = build_ad (record_id, kind, ad_stack, &ad_heap, &ad_len);
  value = ag_secret_new (sealed_len - NONCE_BYTES - MAC_BYTES);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt (
        ag_secret_get_mutable_data (value), NULL, NULL, sealed + NONCE_BYTES,
        sealed_len - NONCE_BYTES, ad, ad_len, sealed, ag_secret_get_data (self->seal_key, NULL))
      != 0)
    {
      g_set_error (error, AG_SEALER_ERROR, AG_SEALER_ERROR_FORGED,
                   "The sealed %s value does not authenticate: wrong key, wrong record or "
                   "field, or altered",
                   ag_pii_kind_to_string (kind));
      return NULL;
    }

  return g_steal_pointer (&value);
}

/**
 * ag_sealer_blind_index:
 * @self: a sealer
 * @kind: the kind of the value
 * @normalized: the value, normalised with ag_pii_normalize()
 * @out: where to write the %AG_SEALER_TAG_BYTES-byte tag
 *
 * Computes the keyed BLAKE2b tag of @kind and @normalized: equal values of one kind give
 * equal tags, and without the key a tag says nothing about the value.
 */
void
ag_sealer_blind_index (AgSealer *self, AgPiiKind kind, const char *normalized,
                       guint8 out[AG_SEALER_TAG_BYTES])
{
  crypto_generichash_state state;
  guint8 kind_byte = (guint8) kind;

  g_return_if_fail (AG_IS_SEALER (self));
  g_return_if_fail (kind < AG_PII_N_KINDS);
  g_return_if_fail (normalized != NULL);
  g_return_if_fail (out != NULL);

  crypto_generichash_init (&state, ag_secret_get_data (self->blind_key, NULL), AG_SEALER_KEY_BYTES,
                           AG_SEALER_TAG_BYTES);
  crypto_generichash_update (&state, &kind_byte, 1);
  crypto_generichash_update (&state, (const guint8 *) normalized, strlen (normalized));
  crypto_generichash_final (&state, out, AG_SEALER_TAG_BYTES);
  sodium_memzero (&state, sizeof state);
}
