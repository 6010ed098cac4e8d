/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-store"

#include "config.h"

#include <string.h>

#include "ag-store.h"

#include "ag-synth.h"

G_DEFINE_INTERFACE (AgStore, ag_store, G_TYPE_OBJECT)

GQuark
ag_store_error_quark (void)
{
  return g_quark_from_static_string ("ag-store-error-quark");
}

static void
ag_store_default_init (AgStoreInterface *iface)
{
}

/**
 * ag_store_search:
 * @self: a store
 * @query: what the agent typed
 * @limit: the most results wanted, at most %AG_STORE_SEARCH_LIMIT; 0 for that limit
 * @access: (nullable): the template of the ledger entries of a search by an identifier
 * @max_per_hour: the searches by an identifier @access->user may make in an hour; 0 for
 *   no limit
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Finds customers by name prefix, id, or exact CPF, CNPJ, phone or e-mail. A search by an
 * identifier is ledgered and counted first (#AgStoreInterface.search).
 *
 * Returns: (transfer full): a #GListModel of #AgRecord, masked values only; %NULL on error
 */
GListModel *
ag_store_search (AgStore *self, const char *query, guint limit, const AgLedgerEntry *access,
                 guint max_per_hour, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (limit == 0 || limit > AG_STORE_SEARCH_LIMIT)
    limit = AG_STORE_SEARCH_LIMIT;

  return AG_STORE_GET_IFACE (self)->search (self, query, limit, access, max_per_hour, cancellable,
                                            error);
}

typedef struct
{
  char *query;
  guint limit;
  AgLedgerEntry *access;
  guint max_per_hour;
} SearchData;

static void
search_data_free (SearchData *data)
{
  /* The query may be a customer's CPF. */
  explicit_bzero (data->query, strlen (data->query));
  g_free (data->query);
  g_clear_pointer (&data->access, ag_ledger_entry_free);
  g_free (data);
}

static void
search_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  SearchData *data = task_data;
  GError *error = NULL;
  GListModel *results;

  results = ag_store_search (AG_STORE (source_object), data->query, data->limit, data->access,
                             data->max_per_hour, cancellable, &error);
  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, g_object_unref);
}

void
ag_store_search_async (AgStore *self, const char *query, guint limit, const AgLedgerEntry *access,
                       guint max_per_hour, GCancellable *cancellable, GAsyncReadyCallback callback,
                       gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  SearchData *data;

  g_return_if_fail (AG_IS_STORE (self));
  g_return_if_fail (query != NULL);

  data = g_new0 (SearchData, 1);
  data->query = g_strdup (query);
  data->limit = limit;
  data->access = access != NULL ? ag_ledger_entry_copy (access) : NULL;
  data->max_per_hour = max_per_hour;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_store_search_async);
  g_task_set_task_data (task, data, (GDestroyNotify) search_data_free);
  g_task_run_in_thread (task, search_thread);
}

/**
 * ag_store_search_finish:
 *
 * Returns: (transfer full): a #GListModel of #AgRecord, or %NULL on error
 */
GListModel *
ag_store_search_finish (AgStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_store_search_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ag_store_get_record:
 * @self: a store
 * @id: a customer id
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error, %AG_STORE_ERROR_NOT_FOUND when there is no such
 *   customer
 *
 * Returns: (transfer full): the record with masked fields, or %NULL on error
 */
AgRecord *
ag_store_get_record (AgStore *self, const char *id, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return AG_STORE_GET_IFACE (self)->get_record (self, id, cancellable, error);
}

static void
get_record_thread (GTask *task, gpointer source_object, gpointer task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;
  AgRecord *record;

  record = ag_store_get_record (AG_STORE (source_object), task_data, cancellable, &error);
  if (record == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, record, g_object_unref);
}

void
ag_store_get_record_async (AgStore *self, const char *id, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (AG_IS_STORE (self));
  g_return_if_fail (id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_store_get_record_async);
  g_task_set_task_data (task, g_strdup (id), g_free);
  g_task_run_in_thread (task, get_record_thread);
}

/**
 * ag_store_get_record_finish:
 *
 * Returns: (transfer full): the record, or %NULL on error
 */
AgRecord *
ag_store_get_record_finish (AgStore *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_store_get_record_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ag_store_import:
 * @self: a store
 * @source: hands out the customers, in order
 * @source_data: closure for @source
 * @total: how many customers @source will hand out, or 0 when unknown
 * @progress: (nullable): called now and then with the number done
 * @progress_data: closure for @progress
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error; %AG_STORE_ERROR_DUPLICATE_ID when an id is
 *   already taken, or the error of @source
 *
 * Seals and stores every customer @source hands out, in one transaction: on any error,
 * the store keeps none of them. A training store takes only ag_synth_source(), and fails
 * with %AG_STORE_ERROR_NOT_SYNTHETIC for any other source.
 *
 * Returns: %TRUE when every customer was stored
 */
gboolean
ag_store_import (AgStore *self, AgCustomerSourceFunc source, gpointer source_data, guint64 total,
                 AgProgressFunc progress, gpointer progress_data, GCancellable *cancellable,
                 GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* A training store holds only synthetic customers: nothing from a file (issue 16). */
  if (ag_store_get_mode (self) == AG_LEDGER_MODE_TRAINING && source != ag_synth_source)
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_SYNTHETIC,
                   "%s is a training store: it holds only synthetic customers (generate "
                   "them), never imported ones",
                   ag_store_get_location (self));
      return FALSE;
    }

  return AG_STORE_GET_IFACE (self)->import (self, source, source_data, total, progress,
                                            progress_data, cancellable, error);
}

/**
 * ag_store_count:
 * @self: a store
 * @error: return location for an error
 *
 * Returns: the number of customers, or -1 on error
 */
gint64
ag_store_count (AgStore *self, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return AG_STORE_GET_IFACE (self)->count (self, error);
}

/**
 * ag_store_reveal:
 * @self: a store
 * @entry: the `reveal` entry (record, field, user, reason, time from the caller's clock);
 *   its seq, hashes and MAC are filled in when it is committed
 * @max_per_hour: the user's `reveal` entries allowed in one hour; 0 for no limit
 * @cancellable: (nullable): a #GCancellable, looked at before anything is written
 * @error: return location for an error: %AG_STORE_ERROR_NOT_FOUND,
 *   %AG_STORE_ERROR_QUOTA_EXCEEDED or %AG_STORE_ERROR_LEDGER before the entry is committed
 *   (nothing happened), %AG_STORE_ERROR_CORRUPT when the value does not open after it;
 *   %G_IO_ERROR_CANCELLED when @cancellable was cancelled before anything was written
 *
 * Commits the ledger entry durably, then unseals the value (DESIGN §5, step 3).
 *
 * Returns: (transfer full): the value, or %NULL on error
 */
AgSecret *
ag_store_reveal (AgStore *self, AgLedgerEntry *entry, guint max_per_hour, GCancellable *cancellable,
                 GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), NULL);
  g_return_val_if_fail (entry != NULL, NULL);
  g_return_val_if_fail (entry->event == AG_LEDGER_EVENT_REVEAL, NULL);
  g_return_val_if_fail (entry->record_id != NULL, NULL);
  g_return_val_if_fail (entry->field_kind >= 0 && entry->field_kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return AG_STORE_GET_IFACE (self)->reveal (self, entry, max_per_hour, cancellable, error);
}

typedef struct
{
  AgLedgerEntry *entry;
  guint max_per_hour;
} RevealData;

static void
reveal_data_free (RevealData *data)
{
  ag_ledger_entry_free (data->entry);
  g_free (data);
}

static void
reveal_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  RevealData *data = task_data;
  GError *error = NULL;
  AgSecret *value;

  value = ag_store_reveal (AG_STORE (source_object), data->entry, data->max_per_hour, cancellable,
                           &error);
  if (value == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, value, (GDestroyNotify) ag_secret_free);
}

/**
 * ag_store_reveal_async:
 * @self: a store
 * @entry: the `reveal` entry, copied
 * @max_per_hour: as for ag_store_reveal()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: closure for @callback
 *
 * Runs ag_store_reveal() in a thread. A reveal that was committed before @cancellable was
 * cancelled still returns its value: its entry is in the ledger either way.
 */
void
ag_store_reveal_async (AgStore *self, const AgLedgerEntry *entry, guint max_per_hour,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  RevealData *data;

  g_return_if_fail (AG_IS_STORE (self));
  g_return_if_fail (entry != NULL);

  data = g_new0 (RevealData, 1);
  data->entry = ag_ledger_entry_copy (entry);
  data->max_per_hour = max_per_hour;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ag_store_reveal_async);
  /* The value is the caller's even when it gave up waiting: don't drop it unseen. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) reveal_data_free);
  g_task_run_in_thread (task, reveal_thread);
}

/**
 * ag_store_reveal_finish:
 * @self: a store
 * @result: the #GAsyncResult
 * @out_entry: (out) (optional) (transfer full): the entry as committed (seq, hashes), also
 *   on error (then as far as it was filled in)
 * @error: return location for an error, as for ag_store_reveal()
 *
 * Returns: (transfer full): the value, or %NULL on error
 */
AgSecret *
ag_store_reveal_finish (AgStore *self, GAsyncResult *result, AgLedgerEntry **out_entry,
                        GError **error)
{
  RevealData *data;

  g_return_val_if_fail (AG_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ag_store_reveal_async, NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (out_entry != NULL)
    *out_entry = ag_ledger_entry_copy (data->entry);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ag_store_append_event:
 * @self: a store
 * @entry: the entry; its seq, time (when 0), hashes and MAC are filled in
 * @error: return location for an error, %AG_STORE_ERROR_LEDGER when the entry could not be
 *   committed
 *
 * Appends @entry to the ledger in a transaction of its own, commits it durably and mirrors
 * it to the journal.
 *
 * Returns: %TRUE once the entry is committed
 */
/**
 * ag_store_maintain:
 *
 * Does now what earlier writes left for later, if anything (see
 * AgStoreInterface.maintain), and returns once it is done. The store also does it by
 * itself in the background; this is for a caller that must know it is done (a benchmark
 * that must not measure it, a test).
 */
void
ag_store_maintain (AgStore *self)
{
  g_return_if_fail (AG_IS_STORE (self));

  if (AG_STORE_GET_IFACE (self)->maintain != NULL)
    AG_STORE_GET_IFACE (self)->maintain (self);
}

gboolean
ag_store_append_event (AgStore *self, AgLedgerEntry *entry, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), FALSE);
  g_return_val_if_fail (entry != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_STORE_GET_IFACE (self)->append_event (self, entry, error);
}

/* Opening, and the audit ledger */

/* The backends, by scheme ("" for plain paths): AgStoreOpenFunc. */
static GMutex backends_lock;
static GHashTable *backends;

/**
 * ag_store_register_backend:
 * @scheme: (nullable): the URI scheme the backend opens (`sqlite`, `postgresql`), or
 *   %NULL for plain paths
 * @open_func: opens a location of that scheme
 *
 * Makes a backend known to ag_store_open(). The core knows no backend of its own: the
 * programs register theirs once at start (ag_backends_register()). Registering a scheme
 * again replaces its backend.
 */
void
ag_store_register_backend (const char *scheme, AgStoreOpenFunc open_func)
{
  g_return_if_fail (open_func != NULL);

  g_mutex_lock (&backends_lock);
  if (backends == NULL)
    backends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_replace (backends, g_ascii_strdown (scheme != NULL ? scheme : "", -1), open_func);
  g_mutex_unlock (&backends_lock);
}

static AgStoreOpenFunc
lookup_backend (const char *scheme)
{
  AgStoreOpenFunc open_func = NULL;

  g_mutex_lock (&backends_lock);
  if (backends != NULL)
    open_func = g_hash_table_lookup (backends, scheme);
  g_mutex_unlock (&backends_lock);
  return open_func;
}

/* The schemes this program opens, for a message: "postgresql:, sqlite:". */
static char *
known_schemes (void)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_mutex_lock (&backends_lock);
  if (backends != NULL)
    {
      g_hash_table_iter_init (&iter, backends);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (*(const char *) key != '\0')
          g_ptr_array_add (names, g_strconcat (key, ":", NULL));
    }
  g_mutex_unlock (&backends_lock);
  if (names->len == 0)
    return g_strdup ("none");
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

/**
 * open_backend: (ag_store_open() then checks the mode)
 * @location: a path, or a location whose scheme names a registered backend (`sqlite:PATH`,
 *   `postgresql://…`)
 * @flags: %AG_STORE_OPEN_CREATE to create the store when it is not there
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Opens the store at @location with the backend its scheme names; a plain path goes to the
 * backend registered for paths. Callers never name a backend.
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
static AgStore *
open_backend (const char *location, AgStoreOpenFlags flags, GCancellable *cancellable,
              GError **error)
{
  g_autofree char *scheme = NULL;
  g_autofree char *key = NULL;
  AgStoreOpenFunc open_func;

  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  scheme = g_uri_parse_scheme (location);
  key = g_ascii_strdown (scheme != NULL ? scheme : "", -1);
  open_func = lookup_backend (key);
  if (open_func == NULL)
    {
      g_autofree char *known = known_schemes ();

      /* A relative path with a colon in its first part reads as a scheme: ./ before it
       * makes it a path. */
      if (scheme != NULL)
        g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                     "Unknown kind of store “%s:” (this program opens a path, ./PATH or %s)",
                     scheme, known);
      else
        g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_NOT_FOUND,
                     "This program opens no store by a plain path (it opens %s)", known);
      return NULL;
    }

  return open_func (location, flags, cancellable, error);
}

/* The training boundary (issue 16) ------------------------------------------------------ */

/**
 * open_backend: (ag_store_open() then checks the mode)
 * @location: where the store is
 * @flags: %AG_STORE_OPEN_CREATE to create it when there is none, %AG_STORE_OPEN_TRAINING
 *   to open it in training mode
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error; %AG_STORE_ERROR_MODE_MISMATCH when the store was
 *   made for the other mode
 *
 * Opens the store at @location in the mode @flags says: a store records the mode it was
 * created in (a store made before stores recorded it is live), and it only ever opens in
 * that mode. A store created here records the mode of @flags.
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
AgStore *
ag_store_open (const char *location, AgStoreOpenFlags flags, GCancellable *cancellable,
               GError **error)
{
  g_autoptr (AgStore) store = NULL;
  AgLedgerMode wanted
    = (flags & AG_STORE_OPEN_TRAINING) ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE;
  AgLedgerMode mode;

  g_return_val_if_fail (location != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = open_backend (location, flags, cancellable, error);
  if (store == NULL)
    return NULL;

  mode = ag_store_get_mode (store);
  if (mode != wanted)
    {
      g_set_error (error, AG_STORE_ERROR, AG_STORE_ERROR_MODE_MISMATCH,
                   "%s is a %s store and opens only in %s mode, not in %s mode", location,
                   ag_ledger_mode_to_string (mode), ag_ledger_mode_to_string (mode),
                   ag_ledger_mode_to_string (wanted));
      return NULL;
    }

  return g_steal_pointer (&store);
}

/**
 * ag_store_get_mode:
 *
 * Returns: the mode @self was created in; it opens in no other
 */
AgLedgerMode
ag_store_get_mode (AgStore *self)
{
  AgStoreInterface *iface;

  g_return_val_if_fail (AG_IS_STORE (self), AG_LEDGER_MODE_LIVE);

  iface = AG_STORE_GET_IFACE (self);
  return iface->get_mode != NULL ? iface->get_mode (self) : AG_LEDGER_MODE_LIVE;
}

/**
 * ag_store_get_info:
 * @info: (out caller-allocates): what the store is
 * @error: return location for an error
 *
 * The store's format and its version, its mode, and how many customers and ledger entries
 * it holds (counted now).
 *
 * Returns: %TRUE when @info was filled in
 */
gboolean
ag_store_get_info (AgStore *self, AgStoreInfo *info, GError **error)
{
  AgStoreInterface *iface;

  g_return_val_if_fail (AG_IS_STORE (self), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = AG_STORE_GET_IFACE (self);
  *info = (AgStoreInfo){ .format = "unknown", .mode = ag_store_get_mode (self) };
  if (iface->get_info == NULL)
    {
      info->n_records = ag_store_count (self, error);
      info->n_ledger_entries = -1;
      return info->n_records >= 0;
    }
  return iface->get_info (self, info, error);
}

const char *
ag_store_get_id (AgStore *self)
{
  g_return_val_if_fail (AG_IS_STORE (self), NULL);

  return AG_STORE_GET_IFACE (self)->get_id (self);
}

const char *
ag_store_get_location (AgStore *self)
{
  g_return_val_if_fail (AG_IS_STORE (self), NULL);

  return AG_STORE_GET_IFACE (self)->get_location (self);
}

typedef struct
{
  const AgLedgerFilter *filter;
  AgLedgerEntryFunc func;
  gpointer user_data;
  guint n_visited;
} EventVisit;

static gboolean
event_visit_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  EventVisit *visit = user_data;

  if (!ag_ledger_filter_matches (visit->filter, entry)
      || (visit->filter->limit != 0 && visit->n_visited >= visit->filter->limit))
    return TRUE;
  visit->n_visited++;
  return visit->func (entry, visit->user_data, error);
}

/**
 * ag_store_foreach_event:
 * @self: a store
 * @filter: (nullable): which entries
 * @func: called with each entry @filter selects, in its order, at most its limit times
 * @user_data: for @func
 * @error: return location for an error
 *
 * Reads the ledger. Whatever the backend selects, @func sees only entries that match
 * every member of @filter (ag_ledger_filter_matches()), and no more than its limit: a
 * backend that cannot answer a member in its query still returns the right entries,
 * only more slowly.
 *
 * Returns: %TRUE when the ledger was read; %FALSE with @error when it was not, or when
 *   @func stopped it
 */
gboolean
ag_store_foreach_event (AgStore *self, const AgLedgerFilter *filter, AgLedgerEntryFunc func,
                        gpointer user_data, GError **error)
{
  AgLedgerFilter none = { 0 };
  EventVisit visit = { filter != NULL ? filter : &none, func, user_data, 0 };

  g_return_val_if_fail (AG_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_STORE_GET_IFACE (self)->foreach_event (self, filter, event_visit_cb, &visit, error);
}

gboolean
ag_store_verify_ledger (AgStore *self, guint64 *n_entries, guint64 *first_bad_seq, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_STORE_GET_IFACE (self)->verify_ledger (self, n_entries, first_bad_seq, error);
}

gboolean
ag_store_prune_ledger (AgStore *self, guint retention_days, AgLedgerEntry *record,
                       guint64 *n_pruned, GError **error)
{
  g_return_val_if_fail (AG_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return AG_STORE_GET_IFACE (self)->prune_ledger (self, retention_days, record, n_pruned, error);
}

/**
 * ag_store_check_journal:
 *
 * Compares the ledger with its journal copy; a store that keeps none compares nothing
 * (@n_compared 0) and succeeds.
 */
gboolean
ag_store_check_journal (AgStore *self, const char *directory, guint64 *n_compared,
                        guint64 *journal_seq, guint64 *first_bad_seq, GError **error)
{
  AgStoreInterface *iface;

  g_return_val_if_fail (AG_IS_STORE (self), FALSE);
  g_return_val_if_fail (n_compared != NULL && journal_seq != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = AG_STORE_GET_IFACE (self);
  if (iface->check_journal == NULL)
    {
      *n_compared = 0;
      *journal_seq = 0;
      if (first_bad_seq != NULL)
        *first_bad_seq = 0;
      return TRUE;
    }
  return iface->check_journal (self, directory, n_compared, journal_seq, first_bad_seq, error);
}
