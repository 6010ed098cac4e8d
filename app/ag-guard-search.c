/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-guard"

#include "config.h"

#include "ag-guard-private.h"

/*
 * AgGuard's search: a search by an identifier is an access (DESIGN §5), ledgered by the
 * store with the guard's session, after what was handed to the ledger writer before it.
 */

/* The template of a search's ledger entries; the store fills in the rest. */
static AgLedgerEntry *
search_access (AgGuard *self)
{
  /* After what was handed to the writer before it (the sign-in, say). */
  ag_guard_flush_ledger (self);
  return ag_guard_new_entry (self, AG_LEDGER_EVENT_SEARCH, NULL, AG_LEDGER_NO_FIELD, self->policy);
}

static gboolean
check_search_store (AgGuard *self, GError **error)
{
  if (self->store != NULL)
    return TRUE;
  g_set_error_literal (error, AG_STORE_ERROR, AG_STORE_ERROR_LEDGER, "There is no store to search");
  return FALSE;
}

GListModel *
ag_guard_search (AgGuard *self, const char *query, GCancellable *cancellable, GError **error)
{
  g_autoptr (AgLedgerEntry) access = NULL;

  g_return_val_if_fail (AG_IS_GUARD (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_search_store (self, error))
    return NULL;
  access = search_access (self);
  return ag_store_search (self->store, query, 0, access,
                          ag_policy_get_max_identifier_searches_per_hour (self->policy),
                          cancellable, error);
}

static void
store_search_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;
  GListModel *results = ag_store_search_finish (AG_STORE (source), result, &error);

  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, g_object_unref);
}

void
ag_guard_search_async (AgGuard *self, const char *query, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (AgLedgerEntry) access = NULL;
  GError *error = NULL;

  g_return_if_fail (AG_IS_GUARD (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_guard_search_async);
  if (self->state != AG_GUARD_STATE_UNLOCKED)
    {
      g_task_return_new_error (task, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LOCKED,
                               "The session is locked: nothing is searched");
      return;
    }
  if (!check_search_store (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  access = search_access (self);
  ag_store_search_async (self->store, query, 0, access,
                         ag_policy_get_max_identifier_searches_per_hour (self->policy), cancellable,
                         store_search_cb, g_steal_pointer (&task));
}

GListModel *
ag_guard_search_finish (AgGuard *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (AG_IS_GUARD (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_guard_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
