/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-record"

#include "config.h"

#include "ag-record.h"

struct _AgRecord
{
  GObject parent_instance;

  char *id;
  char *name;
  GListStore *fields;
};

G_DEFINE_FINAL_TYPE (AgRecord, ag_record, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_FIELDS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_record_dispose (GObject *object)
{
  AgRecord *self = AG_RECORD (object);

  g_clear_object (&self->fields);

  G_OBJECT_CLASS (ag_record_parent_class)->dispose (object);
}

static void
ag_record_finalize (GObject *object)
{
  AgRecord *self = AG_RECORD (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (ag_record_parent_class)->finalize (object);
}

static void
ag_record_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgRecord *self = AG_RECORD (object);

  switch (prop_id)
    {
      case PROP_ID:
        g_value_set_string (value, self->id);
        break;
      case PROP_NAME:
        g_value_set_string (value, self->name);
        break;
      case PROP_FIELDS:
        g_value_set_object (value, self->fields);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_record_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgRecord *self = AG_RECORD (object);

  switch (prop_id)
    {
      case PROP_ID:
        self->id = g_value_dup_string (value);
        break;
      case PROP_NAME:
        self->name = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_record_class_init (AgRecordClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_record_dispose;
  object_class->finalize = ag_record_finalize;
  object_class->get_property = ag_record_get_property;
  object_class->set_property = ag_record_set_property;

  properties[PROP_ID] = g_param_spec_string (
    "id", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] = g_param_spec_string (
    "name", NULL, NULL, NULL, G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIELDS] = g_param_spec_object ("fields", NULL, NULL, G_TYPE_LIST_MODEL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_record_init (AgRecord *self)
{
  self->fields = g_list_store_new (AG_TYPE_FIELD);
}

/**
 * ag_record_new:
 * @id: the customer id
 * @name: the customer's display name
 *
 * Returns: (transfer full): a record with no fields yet
 */
AgRecord *
ag_record_new (const char *id, const char *name)
{
  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return g_object_new (AG_TYPE_RECORD, "id", id, "name", name, NULL);
}

/**
 * ag_record_add_field:
 * @self: a record
 * @field: a field of this record
 *
 * Appends @field; stores add fields in #AgPiiKind order.
 */
void
ag_record_add_field (AgRecord *self, AgField *field)
{
  g_return_if_fail (AG_IS_RECORD (self));
  g_return_if_fail (AG_IS_FIELD (field));
  g_return_if_fail (g_strcmp0 (ag_field_get_record_id (field), self->id) == 0);

  g_list_store_append (self->fields, field);
}

const char *
ag_record_get_id (AgRecord *self)
{
  g_return_val_if_fail (AG_IS_RECORD (self), NULL);

  return self->id;
}

const char *
ag_record_get_name (AgRecord *self)
{
  g_return_val_if_fail (AG_IS_RECORD (self), NULL);

  return self->name;
}

/**
 * ag_record_get_fields:
 * @self: a record
 *
 * Returns: (transfer none): a #GListModel of #AgField
 */
GListModel *
ag_record_get_fields (AgRecord *self)
{
  g_return_val_if_fail (AG_IS_RECORD (self), NULL);

  return G_LIST_MODEL (self->fields);
}

/**
 * ag_record_get_field:
 * @self: a record
 * @kind: a kind
 *
 * Returns: (transfer none) (nullable): the field of that kind, or %NULL when the
 *   customer has none
 */
AgField *
ag_record_get_field (AgRecord *self, AgPiiKind kind)
{
  guint n;

  g_return_val_if_fail (AG_IS_RECORD (self), NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->fields));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (AgField) field = g_list_model_get_item (G_LIST_MODEL (self->fields), i);

      if (ag_field_get_kind (field) == kind)
        return field;
    }

  return NULL;
}
