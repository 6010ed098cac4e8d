/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger-model"

#include "config.h"

#include "ag-ledger-model.h"

/*
 * The supervisor console's ledger page reads the ledger through this model: newest entry
 * first, a page at a time, each page read in a worker thread by sequence number (keyset:
 * "the next page_size entries before the oldest one loaded"), never the whole ledger. The
 * model holds the pages loaded so far; asking for an item near the end of them (a view
 * scrolling down) loads the next page. A new filter starts again from the newest entry;
 * a page of an old filter that arrives late is dropped.
 */

/* A filter with copies of its strings, owned by the model and by each read. */
typedef struct
{
  AgLedgerFilter filter;
  char *user;
  char *record_id;
  char *reason;
  char *text;
  GStrv users;
} OwnedFilter;

static OwnedFilter *
owned_filter_new (const AgLedgerFilter *filter)
{
  OwnedFilter *owned = g_new0 (OwnedFilter, 1);

  if (filter != NULL)
    owned->filter = *filter;
  owned->user = g_strdup (owned->filter.user);
  owned->record_id = g_strdup (owned->filter.record_id);
  owned->reason = g_strdup (owned->filter.reason);
  owned->text = g_strdup (owned->filter.text);
  owned->users = g_strdupv ((GStrv) owned->filter.users);
  owned->filter.user = owned->user;
  owned->filter.record_id = owned->record_id;
  owned->filter.reason = owned->reason;
  owned->filter.text = owned->text;
  owned->filter.users = (const char *const *) owned->users;
  return owned;
}

static void
owned_filter_free (OwnedFilter *owned)
{
  g_free (owned->user);
  g_free (owned->record_id);
  g_free (owned->reason);
  g_free (owned->text);
  g_strfreev (owned->users);
  g_free (owned);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OwnedFilter, owned_filter_free)

struct _AgLedgerModel
{
  GObject parent_instance;

  AgStore *store;
  OwnedFilter *filter;
  guint page_size;

  GPtrArray *items;          /* AgLedgerItem, newest first */
  GCancellable *cancellable; /* of the read under way; NULL when none */
  gboolean complete;
  GError *error;
};

enum
{
  PROP_0,
  PROP_LOADING,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (AgLedgerModel, ag_ledger_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* The read of one page, in the worker thread. */
typedef struct
{
  OwnedFilter *filter;
  GPtrArray *items;
  GCancellable *cancellable;
} PageRead;

static void
page_read_free (PageRead *read)
{
  owned_filter_free (read->filter);
  g_ptr_array_unref (read->items);
  g_free (read);
}

static gboolean
collect_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  PageRead *read = user_data;

  if (g_cancellable_set_error_if_cancelled (read->cancellable, error))
    return FALSE;
  g_ptr_array_add (read->items, ag_ledger_item_new (entry));
  return TRUE;
}

static void
read_page_thread (GTask *task, gpointer source_object, gpointer task_data,
                  GCancellable *cancellable)
{
  AgLedgerModel *self = source_object;
  PageRead *read = task_data;
  GError *error = NULL;

  if (!ag_store_foreach_event (self->store, &read->filter->filter, collect_cb, read, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
read_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AgLedgerModel *self = AG_LEDGER_MODEL (source);
  PageRead *read = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  gboolean read_ok = g_task_propagate_boolean (G_TASK (result), &error);
  guint position;
  guint n_read;

  /* A read of a filter given up on: its successor is under way, or none is wanted. */
  if (read->cancellable != self->cancellable)
    return;

  if (!read_ok)
    {
      g_clear_object (&self->cancellable);
      g_clear_error (&self->error);
      self->error = g_steal_pointer (&error);
      self->complete = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      return;
    }
  g_clear_object (&self->cancellable);
  position = self->items->len;
  n_read = read->items->len;
  for (guint i = 0; i < n_read; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (read->items, i)));
  self->complete = n_read < self->page_size;
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, self->items->len - position);
  if (self->complete)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/**
 * ag_ledger_model_load_more:
 * @self: a model
 *
 * Starts reading the next page, unless one is being read or every entry is loaded.
 */
void
ag_ledger_model_load_more (AgLedgerModel *self)
{
  g_autoptr (GTask) task = NULL;
  PageRead *read;

  g_return_if_fail (AG_IS_LEDGER_MODEL (self));

  if (self->cancellable != NULL || self->complete)
    return;

  read = g_new0 (PageRead, 1);
  read->filter = owned_filter_new (&self->filter->filter);
  read->filter->filter.newest_first = TRUE;
  read->filter->filter.limit = self->page_size;
  if (self->items->len > 0)
    read->filter->filter.before_seq
      = ag_ledger_item_get_seq (g_ptr_array_index (self->items, self->items->len - 1));
  read->items = g_ptr_array_new_with_free_func (g_object_unref);
  read->cancellable = g_cancellable_new ();
  self->cancellable = g_object_ref (read->cancellable);

  task = g_task_new (self, read->cancellable, read_page_cb, NULL);
  g_task_set_source_tag (task, ag_ledger_model_load_more);
  g_task_set_task_data (task, read, (GDestroyNotify) page_read_free);
  g_task_run_in_thread (task, read_page_thread);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static GType
ag_ledger_model_get_item_type (GListModel *model)
{
  return AG_TYPE_LEDGER_ITEM;
}

static guint
ag_ledger_model_get_n_items (GListModel *model)
{
  return AG_LEDGER_MODEL (model)->items->len;
}

static gpointer
ag_ledger_model_get_item (GListModel *model, guint position)
{
  AgLedgerModel *self = AG_LEDGER_MODEL (model);

  if (position >= self->items->len)
    return NULL;
  /* A view reaching the last half page of what is loaded: read on. */
  if (position + self->page_size / 2 >= self->items->len)
    ag_ledger_model_load_more (self);
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ag_ledger_model_get_item_type;
  iface->get_n_items = ag_ledger_model_get_n_items;
  iface->get_item = ag_ledger_model_get_item;
}

static void
ag_ledger_model_dispose (GObject *object)
{
  AgLedgerModel *self = AG_LEDGER_MODEL (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ag_ledger_model_parent_class)->dispose (object);
}

static void
ag_ledger_model_finalize (GObject *object)
{
  AgLedgerModel *self = AG_LEDGER_MODEL (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->filter, owned_filter_free);
  g_ptr_array_unref (self->items);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ag_ledger_model_parent_class)->finalize (object);
}

static void
ag_ledger_model_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgLedgerModel *self = AG_LEDGER_MODEL (object);

  switch (prop_id)
    {
      case PROP_LOADING:
        g_value_set_boolean (value, ag_ledger_model_get_loading (self));
        break;
      case PROP_COMPLETE:
        g_value_set_boolean (value, self->complete);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_ledger_model_class_init (AgLedgerModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_ledger_model_dispose;
  object_class->finalize = ag_ledger_model_finalize;
  object_class->get_property = ag_ledger_model_get_property;

  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] = g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_ledger_model_init (AgLedgerModel *self)
{
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * ag_ledger_model_new:
 * @store: the store whose ledger to show
 * @filter: (nullable): which entries (copied; its limit and order are the model's)
 * @page_size: entries read at a time; 0 for %AG_LEDGER_MODEL_PAGE_SIZE
 *
 * Starts reading the first page at once.
 *
 * Returns: (transfer full): the model, empty until the first page arrives
 */
AgLedgerModel *
ag_ledger_model_new (AgStore *store, const AgLedgerFilter *filter, guint page_size)
{
  AgLedgerModel *self;

  g_return_val_if_fail (AG_IS_STORE (store), NULL);

  self = g_object_new (AG_TYPE_LEDGER_MODEL, NULL);
  self->store = g_object_ref (store);
  self->page_size = page_size > 0 ? page_size : AG_LEDGER_MODEL_PAGE_SIZE;
  self->filter = owned_filter_new (filter);
  ag_ledger_model_load_more (self);
  return self;
}

/**
 * ag_ledger_model_set_filter:
 * @self: a model
 * @filter: (nullable): which entries now (copied)
 *
 * Empties the model and starts again from the newest entry that @filter selects; a read
 * of the old filter still under way is given up.
 */
void
ag_ledger_model_set_filter (AgLedgerModel *self, const AgLedgerFilter *filter)
{
  guint removed;

  g_return_if_fail (AG_IS_LEDGER_MODEL (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->filter, owned_filter_free);
  self->filter = owned_filter_new (filter);
  g_clear_error (&self->error);
  self->complete = FALSE;

  removed = self->items->len;
  g_ptr_array_set_size (self->items, 0);
  if (removed > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, removed, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
  ag_ledger_model_load_more (self);
}

const AgLedgerFilter *
ag_ledger_model_get_filter (AgLedgerModel *self)
{
  g_return_val_if_fail (AG_IS_LEDGER_MODEL (self), NULL);

  return &self->filter->filter;
}

gboolean
ag_ledger_model_get_loading (AgLedgerModel *self)
{
  g_return_val_if_fail (AG_IS_LEDGER_MODEL (self), FALSE);

  return self->cancellable != NULL;
}

gboolean
ag_ledger_model_get_complete (AgLedgerModel *self)
{
  g_return_val_if_fail (AG_IS_LEDGER_MODEL (self), FALSE);

  return self->complete;
}

/**
 * ag_ledger_model_get_error:
 * @self: a model
 *
 * Returns: (nullable): why the last page could not be read (the model then stops
 *   reading: it is complete with what it has)
 */
const GError *
ag_ledger_model_get_error (AgLedgerModel *self)
{
  g_return_val_if_fail (AG_IS_LEDGER_MODEL (self), NULL);

  return self->error;
}
