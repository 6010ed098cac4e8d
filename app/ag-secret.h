/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A buffer for a revealed value or a key: in locked memory (libsodium's sodium_malloc,
 * guard pages, never swapped), wiped when freed. Always NUL-terminated after @len bytes. */
typedef struct _AgSecret AgSecret;

AgSecret *
ag_secret_new (gsize len);
AgSecret *
ag_secret_new_from_data (const void *data, gsize len);
const guint8 *
ag_secret_get_data (const AgSecret *self, gsize *len);
guint8 *
ag_secret_get_mutable_data (AgSecret *self);
gsize
ag_secret_get_size (const AgSecret *self);
void
ag_secret_free (AgSecret *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgSecret, ag_secret_free)

G_END_DECLS
