/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-masked-label"

#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ag-a11y-status.h"
#include "ag-pii.h"

#include "ag-masked-label-private.h"

/**
 * AgMaskedLabel:
 *
 * Shows one masked PII field. It is given the masked text only (never a value: it has no
 * way to get one) and draws its hidden positions through a blur and the characters it
 * keeps sharp, so that the pixels depend on the mask alone: two values with the same mask draw the
 * same pixels, and nothing can be recovered from the picture that the mask does not already say
 * (DESIGN §9).
 *
 * Its accessible name says which field it is and that it is hidden ("CPF, hidden"), never
 * any text of the mask, and its accessible description says so in words. It cannot be
 * selected and has no tooltip.
 *
 * Given a live #AgReveal (ag_masked_label_set_reveal()), it draws the revealed value
 * instead, sharp. Its accessible name says "CPF, revealed", and carries the value only
 * while a screen reader is on (#AgA11yStatus, followed live): GTK sends every accessible
 * name over the accessibility bus whether anyone listens or not, and frees the old ones
 * without wiping them. It keeps no copy of the
 * value: each drawing reads it from the reveal, and as soon as the reveal goes inactive
 * (expiry, "Hide now", a lock, another record) the label drops the reveal and is back to
 * the blurred mask and "CPF, hidden".
 */
struct _AgMaskedLabel
{
  GtkWidget parent_instance;

  char *masked;
  char *field_label;
  double blur_radius;
  AgReveal *reveal; /* only while it is active */
  AgSecret *shown;  /* the value of @reveal formatted for reading, in locked memory */
};

G_DEFINE_FINAL_TYPE (AgMaskedLabel, ag_masked_label, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_MASKED,
  PROP_FIELD_LABEL,
  PROP_REVEAL,
  PROP_REVEALED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The revealed value as an agent reads it ("529.982.247-25"), copied into locked memory
 * that is wiped when it is freed; the formatting's own buffer is wiped at once. */
static AgSecret *
format_value (AgReveal *reveal)
{
  const char *value = ag_reveal_get_value (reveal);
  g_autofree char *formatted = NULL;
  gsize len;
  AgSecret *shown;

  if (value == NULL)
    return NULL;
  formatted = ag_pii_format (ag_reveal_get_kind (reveal), value);
  len = strlen (formatted);
  shown = ag_secret_new_from_data (formatted, len + 1);
  explicit_bzero (formatted, len);
  return shown;
}

static const char *
get_value (AgMaskedLabel *self)
{
  if (self->shown == NULL)
    return NULL;
  return (const char *) ag_secret_get_data (self->shown, NULL);
}

static const char *
get_text (AgMaskedLabel *self)
{
  if (self->shown != NULL)
    return get_value (self);
  return self->masked;
}

static void
update_accessible_label (AgMaskedLabel *self)
{
  g_autofree char *text = NULL;
  const char *value = get_value (self);
  gboolean has_label = self->field_label != NULL && self->field_label[0] != '\0';

  if (value != NULL && ag_a11y_status_get_screen_reader (ag_a11y_status_get_default ()))
    {
      if (has_label)
        /* Translators: the accessible name of a revealed field while a screen reader is
         * on, read out by it; the first %s is the name of the field, such as "CPF", the
         * second its value. */
        text = g_strdup_printf (_("%s, revealed: %s"), self->field_label, value);
      else
        text = g_strdup (value);
    }
  else if (value != NULL)
    /* Translators: the accessible name of a revealed field when no screen reader is on
     * (the value itself stays out of it); %s is the name of the field, such as "CPF". */
    text = has_label ? g_strdup_printf (_("%s, revealed"), self->field_label)
                     : g_strdup (_("Revealed"));
  else if (has_label)
    /* Translators: the accessible name of a masked field, read out by screen readers;
     * %s is the name of the field, such as "CPF" or "Phone". */
    text = g_strdup_printf (_("%s, hidden"), self->field_label);
  else
    text = g_strdup (_("Hidden"));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  value != NULL
                                    /* Translators: the accessible description of a
                                     * revealed field, read out by screen readers. */
                                    ? _("Revealed for a short while; it is hidden again by "
                                         "itself")
                                    /* Translators: the accessible description of a masked
                                     * field, read out by screen readers. */
                                    : _("Hidden to protect the customer; reveal it for a "
                                         "reason to read it"),
                                  -1);
  /* The name with the value is GTK's copy now; ours is wiped at once. */
  explicit_bzero (text, strlen (text));
}

static int
get_padding (AgMaskedLabel *self)
{
  /* Room for the blur to spread, so that parents never cut it off. It does not follow
   * the testing radius, so a test compares drawings of the same size. */
  return (int) ceil (AG_MASKED_LABEL_BLUR_RADIUS);
}

/* A PangoLayout the label wipes when it drops it (drop_layout()). */
typedef PangoLayout AgLabelLayout;

static PangoLayout *
create_layout (AgMaskedLabel *self)
{
  const char *text = get_text (self);

  return gtk_widget_create_pango_layout (GTK_WIDGET (self), text != NULL ? text : "");
}

/* Drops a layout of create_layout(). Pango keeps its own copy of the text and frees it
 * unwiped: a revealed value's copy is wiped first, so no freed memory keeps it. */
static void
drop_layout (PangoLayout *layout)
{
  char *text = (char *) pango_layout_get_text (layout);

  /* The layout is ours alone and goes now: its text may be written over. */
  explicit_bzero (text, strlen (text));
  g_object_unref (layout);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgLabelLayout, drop_layout)

static void
ag_masked_label_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                         int *natural, int *minimum_baseline, int *natural_baseline)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (widget);
  g_autoptr (AgLabelLayout) layout = create_layout (self);
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

/* Whether @c stands for a hidden character in a mask ("***.982.247-**", "••••••"). */
static gboolean
is_hidden_char (gunichar c)
{
  return c == '*' || c == 0x2022 /* • */;
}

/* Attributes for @masked that leave either the characters it keeps (@kept) or its hidden
 * ones visible, and make the others transparent. Returns: (transfer full) */
static PangoAttrList *
mask_attributes (const char *masked, gboolean kept)
{
  PangoAttrList *attributes = pango_attr_list_new ();

  for (const char *p = masked; *p != '\0'; p = g_utf8_next_char (p))
    {
      PangoAttribute *attribute;

      if (is_hidden_char (g_utf8_get_char (p)) != kept)
        continue;
      /* The least alpha Pango takes: nothing reaches the pixels. */
      attribute = pango_attr_foreground_alpha_new (1);
      attribute->start_index = (guint) (p - masked);
      attribute->end_index = (guint) (g_utf8_next_char (p) - masked);
      pango_attr_list_insert (attributes, attribute);
    }
  return attributes;
}

static void
ag_masked_label_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (widget);
  g_autoptr (AgLabelLayout) layout = NULL;
  GdkRGBA color;
  int padding = get_padding (self);
  int width, height;

  const char *text = get_text (self);

  if (text == NULL || text[0] == '\0')
    return;

  layout = create_layout (self);
  pango_layout_get_pixel_size (layout, &width, &height);
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &color);

  gtk_snapshot_save (snapshot);
  /* Centred vertically, start-aligned horizontally as a label would be. */
  gtk_snapshot_translate (
    snapshot, &GRAPHENE_POINT_INIT (padding, (gtk_widget_get_height (widget) - height) / 2.0f));
  if (self->shown != NULL)
    {
      /* A revealed value is drawn sharp: it is meant to be read. */
      gtk_snapshot_append_layout (snapshot, layout, &color);
    }
  else
    {
      /* The characters the mask keeps are drawn sharp, since agents read them back to the
       * caller; only the hidden positions go through the blur. Both passes draw the one
       * layout, so nothing moves, and both depend on the mask alone. */
      g_autoptr (PangoAttrList) hidden = mask_attributes (text, FALSE);
      g_autoptr (PangoAttrList) kept = mask_attributes (text, TRUE);

      pango_layout_set_attributes (layout, hidden);
      gtk_snapshot_push_blur (snapshot, self->blur_radius);
      gtk_snapshot_append_layout (snapshot, layout, &color);
      gtk_snapshot_pop (snapshot);
      pango_layout_set_attributes (layout, kept);
      gtk_snapshot_append_layout (snapshot, layout, &color);
    }
  gtk_snapshot_restore (snapshot);
}

static void
reveal_active_cb (AgMaskedLabel *self)
{
  if (self->reveal != NULL && !ag_reveal_get_active (self->reveal))
    ag_masked_label_set_reveal (self, NULL);
}

static void
ag_masked_label_dispose (GObject *object)
{
  AgMaskedLabel *self = AG_MASKED_LABEL (object);

  if (self->reveal != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reveal, self);
      g_clear_object (&self->reveal);
    }
  g_clear_pointer (&self->shown, ag_secret_free);

  G_OBJECT_CLASS (ag_masked_label_parent_class)->dispose (object);
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
      case PROP_REVEAL:
        g_value_set_object (value, self->reveal);
        break;
      case PROP_REVEALED:
        g_value_set_boolean (value, ag_masked_label_get_revealed (self));
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
      case PROP_REVEAL:
        ag_masked_label_set_reveal (self, g_value_get_object (value));
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

  object_class->dispose = ag_masked_label_dispose;
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
   * AgMaskedLabel:reveal:
   *
   * The live reveal whose value is shown instead of the mask, or %NULL. The label lets
   * go of it as soon as it goes inactive.
   */
  properties[PROP_REVEAL]
    = g_param_spec_object ("reveal", NULL, NULL, AG_TYPE_REVEAL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * AgMaskedLabel:revealed:
   *
   * Whether a revealed value is shown instead of the mask.
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
  g_signal_connect_object (ag_a11y_status_get_default (), "notify::screen-reader",
                           G_CALLBACK (update_accessible_label), self, G_CONNECT_SWAPPED);
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
  if (self->reveal == NULL)
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

  return self->reveal != NULL;
}

/**
 * ag_masked_label_get_reveal:
 *
 * Returns: (transfer none) (nullable): the live reveal shown, or %NULL while masked
 */
AgReveal *
ag_masked_label_get_reveal (AgMaskedLabel *self)
{
  g_return_val_if_fail (AG_IS_MASKED_LABEL (self), NULL);

  return self->reveal;
}

/**
 * ag_masked_label_set_reveal:
 * @self: a masked label
 * @reveal: (nullable): a live reveal of this field, or %NULL to show the mask again
 *
 * Shows the value of @reveal until it goes inactive; an inactive reveal is ignored.
 */
void
ag_masked_label_set_reveal (AgMaskedLabel *self, AgReveal *reveal)
{
  gboolean was_revealed;

  g_return_if_fail (AG_IS_MASKED_LABEL (self));
  g_return_if_fail (reveal == NULL || AG_IS_REVEAL (reveal));

  if (reveal != NULL && !ag_reveal_get_active (reveal))
    reveal = NULL;
  if (self->reveal == reveal)
    return;

  was_revealed = self->reveal != NULL;
  if (self->reveal != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reveal, self);
      g_clear_object (&self->reveal);
    }
  g_clear_pointer (&self->shown, ag_secret_free);
  if (reveal != NULL)
    {
      self->reveal = g_object_ref (reveal);
      self->shown = format_value (reveal);
      g_signal_connect_swapped (reveal, "notify::active", G_CALLBACK (reveal_active_cb), self);
    }

  if (self->reveal != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self), "revealed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "revealed");
  update_accessible_label (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEAL]);
  if (was_revealed != (self->reveal != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEALED]);
}

void
ag_masked_label_set_blur_radius_for_testing (AgMaskedLabel *self, double radius)
{
  g_return_if_fail (AG_IS_MASKED_LABEL (self));
  g_return_if_fail (radius >= 0);

  self->blur_radius = radius;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
