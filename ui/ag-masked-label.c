/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-masked-label"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "ag-masked-label-private.h"

/**
 * AgMaskedLabel:
 *
 * Shows one masked PII field. It is given the masked text only (never a value: it has no
 * way to get one) and draws it through a blur, so that the pixels depend on the mask
 * alone: two values with the same mask draw the same pixels, and nothing can be
 * recovered from the picture that the mask does not already say (DESIGN §9).
 *
 * Its accessible name says which field it is and that it is hidden ("CPF, hidden"), never
 * any text of the mask. It cannot be selected and has no tooltip.
 *
 * The reveal issue will add a way to show a revealed value in place of the mask; until
 * then #AgMaskedLabel:revealed is always %FALSE.
 */
struct _AgMaskedLabel
{
  GtkWidget parent_instance;

  char *masked;
  char *field_label;
  double blur_radius;
  gboolean revealed;
};

G_DEFINE_FINAL_TYPE (AgMaskedLabel, ag_masked_label, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MASKED,
  PROP_FIELD_LABEL,
  PROP_REVEALED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update_accessible_label (AgMaskedLabel *self)
{
  g_autofree char *text = NULL;

  if (self->field_label != NULL && self->field_label[0] != '\0')
    /* Translators: the accessible name of a masked field, read out by screen readers;
     * %s is the name of the field, such as "CPF" or "Phone". */
    text = g_strdup_printf (_("%s, hidden"), self->field_label);
  else
    text = g_strdup (_("Hidden"));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

static int
get_padding (AgMaskedLabel *self)
{
  /* Room for the blur to spread, so that parents never cut it off. It does not follow
   * the testing radius, so a test compares drawings of the same size. */
  return (int) ceil (AG_MASKED_LABEL_BLUR_RADIUS);
}

static PangoLayout *
create_layout (AgMaskedLabel *self)
{
  return gtk_widget_create_pango_layout (GTK_WIDGET (self),
                                         self->masked != NULL ? self->masked : "");
}

static void
ag_masked_label_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (widget);
  g_autoptr (PangoLayout) layout = create_layout (self);
  int padding = get_padding (self);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = *natural = width + 2 * padding;
    }
  else
    {
      *minimum = *natural = height + 2 * padding;
      *minimum_baseline = *natural_baseline
        = padding + pango_layout_get_baseline (layout) / PANGO_SCALE;
    }
}

static void
ag_masked_label_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (widget);
  g_autoptr (PangoLayout) layout = NULL;
  GdkRGBA color;
  int padding = get_padding (self);
  int width, height;

  if (self->masked == NULL || self->masked[0] == '\0')
    return;

  layout = create_layout (self);
  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  gtk_snapshot_push_blur (snapshot, self->blur_radius);
  gtk_snapshot_save (snapshot);
  /* Centred vertically, start-aligned horizontally as a label would be. */
  gtk_snapshot_translate (
    snapshot, &GRAPHENE_POINT_INIT (padding, (gtk_widget_get_height (widget) - height) / 2.0f));
  gtk_snapshot_append_layout (snapshot, layout, &color);
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
ag_masked_label_finalize (GObject *object)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (object);

  g_clear_pointer (&self->masked, g_free);
  g_clear_pointer (&self->field_label, g_free);

  G_OBJECT_CLASS (ag_masked_label_parent_class)->finalize (object);
}

static void
ag_masked_label_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (object);

  switch (prop_id)
    {
      case PROP_MASKED:
        g_value_set_string (value, self->masked);
        break;
      case PROP_FIELD_LABEL:
        g_value_set_string (value, self->field_label);
        break;
      case PROP_REVEALED:
        g_value_set_boolean (value, self->revealed);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_masked_label_set_property (GObject *object, guint prop_id, const GValue *value,
                              GParamSpec *pspec)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (object);

  switch (prop_id)
    {
      case PROP_MASKED:
        ag_masked_label_set_masked (self, g_value_get_string (value));
        break;
      case PROP_FIELD_LABEL:
        ag_masked_label_set_field_label (self, g_value_get_string (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_masked_label_class_init (AgMaskedLabelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ag_masked_label_finalize;
  object_class->get_property = ag_masked_label_get_property;
  object_class->set_property = ag_masked_label_set_property;

  widget_class->measure = ag_masked_label_measure;
  widget_class->snapshot = ag_masked_label_snapshot;

  /**
   * AgMaskedLabel:masked:
   *
   * The masked text drawn (blurred), such as `***.982.247-**`.
   */
  properties[PROP_MASKED]
    = g_param_spec_string ("masked", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AgMaskedLabel:field-label:
   *
   * The translated name of the field, such as "CPF", for the accessible name.
   */
  properties[PROP_FIELD_LABEL]
    = g_param_spec_string ("field-label", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AgMaskedLabel:revealed:
   *
   * Whether a revealed value is shown instead of the mask. Always %FALSE for now: revealing
   * comes with the reveal path (DESIGN §5).
   */
  properties[PROP_REVEALED] = g_param_spec_boolean ("revealed", NULL, NULL, FALSE,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "maskedlabel");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
ag_masked_label_init (AgMaskedLabel *self)
{
  self->blur_radius = AG_MASKED_LABEL_BLUR_RADIUS;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), FALSE);
  update_accessible_label (self);
}

/**
 * ag_masked_label_new:
 * @field_label: (nullable): the translated name of the field, such as "CPF"
 * @masked: (nullable): the masked text
 *
 * Returns: (transfer floating): a new masked label
 */
GtkWidget *
ag_masked_label_new (const char *field_label, const char *masked)
{
  return g_object_new (AG_TYPE_MASKED_LABEL, "field-label", field_label, "masked", masked, NULL);
}

const char *
ag_masked_label_get_masked (AgMaskedLabel *self)
{
  g_return_val_if_fail (AG_IS_MASKED_LABEL (self), NULL);

  return self->masked;
}

void
ag_masked_label_set_masked (AgMaskedLabel *self, const char *masked)
{
  g_return_if_fail (AG_IS_MASKED_LABEL (self));

  if (g_strcmp0 (self->masked, masked) == 0)
    return;

  g_free (self->masked);
  self->masked = g_strdup (masked);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MASKED]);
}

const char *
ag_masked_label_get_field_label (AgMaskedLabel *self)
{
  g_return_val_if_fail (AG_IS_MASKED_LABEL (self), NULL);

  return self->field_label;
}

void
ag_masked_label_set_field_label (AgMaskedLabel *self, const char *field_label)
{
  g_return_if_fail (AG_IS_MASKED_LABEL (self));

  if (g_strcmp0 (self->field_label, field_label) == 0)
    return;

  g_free (self->field_label);
  self->field_label = g_strdup (field_label);
  update_accessible_label (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIELD_LABEL]);
}

gboolean
ag_masked_label_get_revealed (AgMaskedLabel *self)
{
  g_return_val_if_fail (AG_IS_MASKED_LABEL (self), FALSE);

  return self->revealed;
}

void
ag_masked_label_set_blur_radius_for_testing (AgMaskedLabel *self, double radius)
{
  g_return_if_fail (AG_IS_MASKED_LABEL (self));
  g_return_if_fail (radius >= 0);

  self->blur_radius = radius;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
