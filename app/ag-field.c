/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-field"

#include "config.h"

#include "ag-field.h"

struct _AgField
{
  GObject parent_instance;

  char *record_id;
  AgPiiKind kind;
  char *masked;
};

G_DEFINE_FINAL_TYPE (AgField, ag_field, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_RECORD_ID,
  PROP_KIND,
  PROP_LABEL,
  PROP_MASKED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_field_finalize (GObject *object)
{
  AgField *self = AG_FIELD (object);

  g_clear_pointer (&self->record_id, g_free);
  g_clear_pointer (&self->masked, g_free);

  G_OBJECT_CLASS (ag_field_parent_class)->finalize (object);
}

static void
ag_field_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgField *self = AG_FIELD (object);

  switch (prop_id)
    {
      case PROP_RECORD_ID:
        g_value_set_string (value, self->record_id);
        break;
      case PROP_KIND:
        g_value_set_int (value, self->kind);
        break;
      case PROP_LABEL:
        g_value_set_string (value, ag_field_get_label (self));
        break;
      case PROP_MASKED:
        g_value_set_string (value, self->masked);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_field_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgField *self = AG_FIELD (object);

  switch (prop_id)
    {
      case PROP_RECORD_ID:
        self->record_id = g_value_dup_string (value);
        break;
      case PROP_KIND:
        self->kind = g_value_get_int (value);
        break;
      case PROP_MASKED:
        self->masked = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_field_class_init (AgFieldClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_field_finalize;
  object_class->get_property = ag_field_get_property;
  object_class->set_property = ag_field_set_property;

  properties[PROP_RECORD_ID]
    = g_param_spec_string ("record-id", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND]
    = g_param_spec_int ("kind", NULL, NULL, 0, AG_PII_N_KINDS - 1, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LABEL]
    = g_param_spec_string ("label", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MASKED]
    = g_param_spec_string ("masked", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_field_init (AgField *self)
{
}

/**
 * ag_field_new:
 * @record_id: the id of the record the field belongs to
 * @kind: the kind of data
 * @masked: the masked text, the only form of the value the UI is given
 *
 * Returns: (transfer full): a new field
 */
AgField *
ag_field_new (const char *record_id, AgPiiKind kind, const char *masked)
{
  g_return_val_if_fail (record_id != NULL, NULL);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (masked != NULL, NULL);

  return g_object_new (AG_TYPE_FIELD, "record-id", record_id, "kind", (int) kind, "masked", masked,
                       NULL);
}

const char *
ag_field_get_record_id (AgField *self)
{
  g_return_val_if_fail (AG_IS_FIELD (self), NULL);

  return self->record_id;
}

AgPiiKind
ag_field_get_kind (AgField *self)
{
  g_return_val_if_fail (AG_IS_FIELD (self), AG_PII_KIND_NOTES);

  return self->kind;
}

/**
 * ag_field_get_label:
 * @self: a field
 *
 * Returns: the translated name of the field's kind, such as "CPF" or "Telefone"
 */
const char *
ag_field_get_label (AgField *self)
{
  g_return_val_if_fail (AG_IS_FIELD (self), NULL);

  return ag_pii_kind_get_label (self->kind);
}

const char *
ag_field_get_masked (AgField *self)
{
  g_return_val_if_fail (AG_IS_FIELD (self), NULL);

  return self->masked;
}
