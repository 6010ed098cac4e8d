/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-secret"

#include "config.h"

#include <sodium.h>
#include <string.h>

#include "ag-secret.h"

struct _AgSecret
{
  gsize len;
  /* A sodium_malloc() block of len + 1 bytes: guard pages around it, locked in memory,
   * wiped by sodium_free(). It ends right at the guard page, so it is not aligned: only
   * bytes live there. */
  guint8 *data;
};

static void
ensure_sodium (void)
{
  if (sodium_init () < 0)
    g_error ("libsodium could not be initialised");
}

/**
 * ag_secret_new:
 * @len: how many bytes
 *
 * Makes a zero-filled secret buffer of @len bytes (plus a NUL after them), in locked
 * memory that is wiped when freed.
 *
 * Returns: (transfer full): a new #AgSecret; free with ag_secret_free()
 */
AgSecret *
ag_secret_new (gsize len)
{
  AgSecret *self;

  g_return_val_if_fail (len < G_MAXSIZE - 1, NULL);

  ensure_sodium ();

  self = g_new0 (AgSecret, 1);
  self->data = sodium_malloc (len + 1);
  if (self->data == NULL)
    g_error ("Could not allocate %" G_GSIZE_FORMAT " bytes of locked memory", len);

  self->len = len;
  memset (self->data, 0, len + 1);

  return self;
}

/**
 * ag_secret_new_from_data:
 * @data: (array length=len): bytes to copy
 * @len: how many
 *
 * Returns: (transfer full): a new #AgSecret holding a copy of @data
 */
AgSecret *
ag_secret_new_from_data (const void *data, gsize len)
{
  AgSecret *self;

  g_return_val_if_fail (data != NULL || len == 0, NULL);

  self = ag_secret_new (len);
  if (len > 0)
    memcpy (self->data, data, len);

  return self;
}

/**
 * ag_secret_get_data:
 * @self: a secret
 * @len: (out) (optional): its length
 *
 * Returns: the bytes, followed by a NUL
 */
const guint8 *
ag_secret_get_data (const AgSecret *self, gsize *len)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (len != NULL)
    *len = self->len;

  return self->data;
}

/**
 * ag_secret_get_mutable_data:
 * @self: a secret
 *
 * Returns: the bytes, writable (ag_secret_get_size() of them)
 */
guint8 *
ag_secret_get_mutable_data (AgSecret *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->data;
}

gsize
ag_secret_get_size (const AgSecret *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->len;
}

/**
 * ag_secret_free:
 * @self: (nullable): a secret
 *
 * Wipes and frees @self.
 */
void
ag_secret_free (AgSecret *self)
{
  if (self == NULL)
    return;

  /* sodium_free() wipes the whole block before unmapping it. */
  sodium_free (self->data);
  g_free (self);
}
