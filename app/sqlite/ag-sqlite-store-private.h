/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-secret.h"
#include "ag-sqlite-store.h"

G_BEGIN_DECLS

/* The schema version this code writes and reads (meta key `schema-version`). */
#define AG_SQLITE_STORE_SCHEMA_VERSION 1

/*
 * The sealed fields of one customer are packed into the BLOB `customer.fields`, in
 * AgPiiKind order, as a sequence of entries:
 *
 *   kind (1 byte) · mask length (LEB128) · mask (UTF-8) · sealed length (LEB128) · sealed
 *
 * where `sealed` is ag_sealer_seal_into() output bound to the customer id and the kind.
 */

/* Finds the entry of @kind in a packed fields blob. Returns %FALSE when it is absent or
 * the blob is malformed. */
gboolean
ag_sqlite_store_fields_find (const guint8 *blob, gsize blob_len, AgPiiKind kind, const char **mask,
                             gsize *mask_len, const guint8 **sealed, gsize *sealed_len);

/* DEVELOPMENT comes from config.h, which every .c includes first; without it the
 * declaration is absent, as in a release build. */
#if DEVELOPMENT
/* Development builds only: unseals the value of @kind of customer @id without the ledger
 * entry the real reveal path writes first (DESIGN §5). Release builds do not have it, so
 * no code in them can open a value without ledgering it; tests use ag_store_reveal(). */
AgSecret *
ag_sqlite_store_unseal_for_testing (AgSqliteStore *self, const char *id, AgPiiKind kind,
                                    GError **error);
#endif

/* Test-only: ag_sqlite_store_open() on the registered SQLite VFS named @vfs, e.g. one that
 * injects write and sync faults. */
AgSqliteStore *
ag_sqlite_store_open_with_vfs (const char *path, AgSqliteStoreFlags flags, const char *vfs,
                               GCancellable *cancellable, GError **error);

G_END_DECLS
