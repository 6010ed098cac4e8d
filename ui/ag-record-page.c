/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-record-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-field-row.h"
#include "ag-record-page.h"

/**
 * AgRecordPage:
 *
 * One customer's record: the name as the page's title, the customer id, then one row per
 * field (an #AgFieldRow) with its label and an #AgMaskedLabel. It is only ever given
 * masked text; with a guard, each masked field has a reveal button that goes through it.
 */
struct _AgRecordPage
{
  AdwBin parent_instance;

  AgRecord *record;
  AgGuard *guard;

  GtkLabel *name_label;
  GtkLabel *id_label;
  GtkListBox *fields_list;
};

G_DEFINE_FINAL_TYPE (AgRecordPage, ag_record_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_RECORD,
  PROP_GUARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
field_is_shown (gpointer item, gpointer user_data)
{
  /* The name is the page's title already. */
  return ag_field_get_kind (AG_FIELD (item)) != AG_PII_KIND_NAME;
}

static GtkWidget *
create_field_row (gpointer item, gpointer user_data)
{
  AgRecordPage *self = user_data;

  return ag_field_row_new (AG_FIELD (item), self->guard);
}

static void
update_page (AgRecordPage *self)
{
  g_autoptr (GtkFilterListModel) shown = NULL;
  g_autofree char *id_text = NULL;

  if (self->record == NULL)
    {
      gtk_label_set_text (self->name_label, "");
      gtk_label_set_text (self->id_label, "");
      gtk_list_box_bind_model (self->fields_list, NULL, NULL, NULL, NULL);
      return;
    }

  gtk_label_set_text (self->name_label, ag_record_get_name (self->record));
  /* Translators: under the customer's name on the record page; %s is the customer id. */
  id_text = g_strdup_printf (_("Customer id %s"), ag_record_get_id (self->record));
  gtk_label_set_text (self->id_label, id_text);

  shown
    = gtk_filter_list_model_new (g_object_ref (ag_record_get_fields (self->record)),
                                 GTK_FILTER (gtk_custom_filter_new (field_is_shown, NULL, NULL)));
  gtk_list_box_bind_model (self->fields_list, G_LIST_MODEL (shown), create_field_row, self, NULL);
}

static void
ag_record_page_dispose (GObject *object)
{
  AgRecordPage *self = AG_RECORD_PAGE (object);

  if (self->fields_list != NULL)
    gtk_list_box_bind_model (self->fields_list, NULL, NULL, NULL, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_TYPE_RECORD_PAGE);
  g_clear_object (&self->record);
  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ag_record_page_parent_class)->dispose (object);
}

static void
ag_record_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgRecordPage *self = AG_RECORD_PAGE (object);

  switch (prop_id)
    {
      case PROP_RECORD:
        g_value_set_object (value, self->record);
        break;
      case PROP_GUARD:
        g_value_set_object (value, self->guard);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_record_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgRecordPage *self = AG_RECORD_PAGE (object);

  switch (prop_id)
    {
      case PROP_RECORD:
        ag_record_page_set_record (self, g_value_get_object (value));
        break;
      case PROP_GUARD:
        self->guard = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_record_page_class_init (AgRecordPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_record_page_dispose;
  object_class->get_property = ag_record_page_get_property;
  object_class->set_property = ag_record_page_set_property;

  properties[PROP_RECORD]
    = g_param_spec_object ("record", NULL, NULL, AG_TYPE_RECORD,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The guard reveals go through; without one no field offers a reveal. */
  properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-record-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AgRecordPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, AgRecordPage, id_label);
  gtk_widget_class_bind_template_child (widget_class, AgRecordPage, fields_list);
}

static void
ag_record_page_init (AgRecordPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ag_record_page_new (void)
{
  return g_object_new (AG_TYPE_RECORD_PAGE, NULL);
}

/**
 * ag_record_page_new_with_guard:
 * @guard: the guard reveals go through
 *
 * Returns: (transfer floating): a new record page whose masked fields can be revealed
 */
GtkWidget *
ag_record_page_new_with_guard (AgGuard *guard)
{
  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);

  return g_object_new (AG_TYPE_RECORD_PAGE, "guard", guard, NULL);
}

/**
 * ag_record_page_get_guard:
 *
 * Returns: (transfer none) (nullable): the guard reveals go through
 */
AgGuard *
ag_record_page_get_guard (AgRecordPage *self)
{
  g_return_val_if_fail (AG_IS_RECORD_PAGE (self), NULL);

  return self->guard;
}

AgRecord *
ag_record_page_get_record (AgRecordPage *self)
{
  g_return_val_if_fail (AG_IS_RECORD_PAGE (self), NULL);

  return self->record;
}

/**
 * ag_record_page_policy_changed:
 * @self: a record page
 *
 * Offers a reveal on each field again as the guard's new policy says.
 */
void
ag_record_page_policy_changed (AgRecordPage *self)
{
  g_return_if_fail (AG_IS_RECORD_PAGE (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->fields_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (AG_IS_FIELD_ROW (child))
      ag_field_row_policy_changed (AG_FIELD_ROW (child));
}

/**
 * ag_record_page_set_record:
 * @self: a record page
 * @record: (nullable): the record to show, or %NULL to show none and drop every widget of
 *   the previous one
 */
void
ag_record_page_set_record (AgRecordPage *self, AgRecord *record)
{
  g_return_if_fail (AG_IS_RECORD_PAGE (self));
  g_return_if_fail (record == NULL || AG_IS_RECORD (record));

  if (!g_set_object (&self->record, record))
    return;

  update_page (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RECORD]);
}
