/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-customer.h"
#include "ag-record.h"

G_BEGIN_DECLS

#define AG_TYPE_STORE (ag_store_get_type ())

G_DECLARE_INTERFACE (AgStore, ag_store, AG, STORE, GObject)

#define AG_STORE_ERROR (ag_store_error_quark ())

typedef enum
{
  AG_STORE_ERROR_FAILED,
  AG_STORE_ERROR_NOT_FOUND,
  AG_STORE_ERROR_DUPLICATE_ID,
  AG_STORE_ERROR_INVALID_DATA,
  AG_STORE_ERROR_IO,
  AG_STORE_ERROR_CORRUPT,
} AgStoreError;

/* Default and largest number of results one search returns. */
#define AG_STORE_SEARCH_LIMIT 50

/**
 * AgStoreInterface:
 *
 * Where customer records live. Implementations provide the blocking vfuncs and must be
 * safe to call from any one thread at a time; the async wrappers run them in a GTask
 * thread. The UI and the CLI never know which implementation they hold.
 */
struct _AgStoreInterface
{
  GTypeInterface parent_iface;

  /* Records whose name starts with @query (word prefix, accent-insensitive), whose id
   * is @query, or whose CPF/CNPJ/phone/e-mail is exactly @query in any usual format. */
  GListModel *(*search) (AgStore *self, const char *query, guint limit, GCancellable *cancellable,
                         GError **error);
  AgRecord *(*get_record) (AgStore *self, const char *id, GCancellable *cancellable,
                           GError **error);
  /* All or nothing: on any error nothing of the import is kept. */
  gboolean (*import) (AgStore *self, AgCustomerSourceFunc source, gpointer source_data,
                      guint64 total, AgProgressFunc progress, gpointer progress_data,
                      GCancellable *cancellable, GError **error);
  gint64 (*count) (AgStore *self, GError **error);
};

GQuark
ag_store_error_quark (void);

GListModel *
ag_store_search (AgStore *self, const char *query, guint limit, GCancellable *cancellable,
                 GError **error);
void
ag_store_search_async (AgStore *self, const char *query, guint limit, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data);
GListModel *
ag_store_search_finish (AgStore *self, GAsyncResult *result, GError **error);

AgRecord *
ag_store_get_record (AgStore *self, const char *id, GCancellable *cancellable, GError **error);
void
ag_store_get_record_async (AgStore *self, const char *id, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data);
AgRecord *
ag_store_get_record_finish (AgStore *self, GAsyncResult *result, GError **error);

gboolean
ag_store_import (AgStore *self, AgCustomerSourceFunc source, gpointer source_data, guint64 total,
                 AgProgressFunc progress, gpointer progress_data, GCancellable *cancellable,
                 GError **error);

gint64
ag_store_count (AgStore *self, GError **error);

G_END_DECLS
