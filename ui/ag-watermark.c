/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-watermark"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-watermark.h"

/**
 * AgWatermark:
 *
 * The training watermark (issue 16): "TRAINING" written diagonally, again and again, over
 * everything under it, so that no part of a training window, and no screenshot of one,
 * can pass for a live one. It takes no input and no focus (clicks and keys go to the
 * widgets under it), and it stands in the accessibility tree as one label saying that this
 * is training mode, whatever it draws.
 */
struct _AgWatermark
{
  GtkWidget parent_instance;

  PangoLayout *layout;
};

G_DEFINE_FINAL_TYPE (AgWatermark, ag_watermark, GTK_TYPE_WIDGET)

/* The angle of the text, and the room between two copies of it, in pixels. */
#define ANGLE_DEGREES (-30.0)
#define GAP_X         120
#define GAP_Y         110
#define ALPHA         0.13

static void
ag_watermark_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AgWatermark *self = AG_WATERMARK (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GtkStyleContext *style = gtk_widget_get_style_context (widget);
  GdkRGBA color;
  int text_width, text_height;
  double radius;
  int step_x, step_y;

  if (width <= 0 || height <= 0)
    return;

  gtk_style_context_get_color (style, &color);
  color.alpha = ALPHA;
  pango_layout_get_pixel_size (self->layout, &text_width, &text_height);
  step_x = text_width + GAP_X;
  step_y = text_height + GAP_Y;
  /* Rows long enough to cover every corner once turned: (w + h) / 2 is at least half the
   * diagonal. */
  radius = (width + height) / 2.0 + step_x;

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (width / 2.0f, height / 2.0f));
  gtk_snapshot_rotate (snapshot, ANGLE_DEGREES);
  for (int row = 0; row * step_y <= 2 * radius; row++)
    {
      float y = (float) (-radius + row * step_y);
      /* Every other row half a copy along, as bricks are laid. */
      float offset = (row % 2) * step_x / 2.0f;

      for (float x = (float) -radius - offset; x <= radius; x += (float) step_x)
        {
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
          gtk_snapshot_append_layout (snapshot, self->layout, &color);
          gtk_snapshot_restore (snapshot);
        }
    }
  gtk_snapshot_restore (snapshot);
  gtk_snapshot_pop (snapshot);
}

static void
ag_watermark_dispose (GObject *object)
{
  AgWatermark *self = AG_WATERMARK (object);

  g_clear_object (&self->layout);

  G_OBJECT_CLASS (ag_watermark_parent_class)->dispose (object);
}

static void
ag_watermark_class_init (AgWatermarkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_watermark_dispose;
  widget_class->snapshot = ag_watermark_snapshot;

  gtk_widget_class_set_css_name (widget_class, "watermark");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_LABEL);
}

static void
ag_watermark_init (AgWatermark *self)
{
  PangoAttrList *attributes = pango_attr_list_new ();

  /* Translators: written diagonally over every page in training mode; capitals. */
  self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), _("TRAINING"));
  pango_attr_list_insert (attributes, pango_attr_weight_new (PANGO_WEIGHT_HEAVY));
  pango_attr_list_insert (attributes, pango_attr_scale_new (2.6));
  pango_layout_set_attributes (self->layout, attributes);
  pango_attr_list_unref (attributes);

  gtk_widget_set_can_target (GTK_WIDGET (self), FALSE);
  gtk_widget_set_can_focus (GTK_WIDGET (self), FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Training mode: synthetic customers only"), -1);
}

GtkWidget *
ag_watermark_new (void)
{
  return g_object_new (AG_TYPE_WATERMARK, NULL);
}

/**
 * ag_watermark_get_text:
 *
 * Returns: the text the watermark draws
 */
const char *
ag_watermark_get_text (AgWatermark *self)
{
  g_return_val_if_fail (AG_IS_WATERMARK (self), NULL);

  return pango_layout_get_text (self->layout);
}

/**
 * ag_watermark_add_to_window:
 * @window: an #AdwApplicationWindow or an #AdwWindow
 * @banner: (nullable): the text of a banner above the content, or %NULL for none
 *
 * Wraps @window's content in an overlay whose top layer is a new watermark, so that it is
 * drawn over every page the content shows (the lock page included), and puts a banner with
 * @banner above the content.
 *
 * Returns: (transfer none): the watermark
 */
static GtkWidget *
get_content (GtkWindow *window)
{
  return ADW_IS_APPLICATION_WINDOW (window)
           ? adw_application_window_get_content (ADW_APPLICATION_WINDOW (window))
           : adw_window_get_content (ADW_WINDOW (window));
}

static void
set_content (GtkWindow *window, GtkWidget *content)
{
  if (ADW_IS_APPLICATION_WINDOW (window))
    adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), content);
  else
    adw_window_set_content (ADW_WINDOW (window), content);
}

AgWatermark *
ag_watermark_add_to_window (GtkWindow *window, const char *banner)
{
  g_autoptr (GtkWidget) content = NULL;
  GtkWidget *overlay = gtk_overlay_new ();
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *watermark = ag_watermark_new ();

  g_return_val_if_fail (ADW_IS_APPLICATION_WINDOW (window) || ADW_IS_WINDOW (window), NULL);

  if (banner != NULL)
    {
      GtkWidget *label = gtk_label_new (banner);

      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0.5f);
      gtk_widget_add_css_class (label, "training-banner");
      gtk_box_append (GTK_BOX (column), label);
    }
  if (get_content (window) != NULL)
    {
      content = g_object_ref (get_content (window));
      set_content (window, NULL);
      gtk_widget_set_vexpand (content, TRUE);
      gtk_box_append (GTK_BOX (column), content);
    }
  gtk_overlay_set_child (GTK_OVERLAY (overlay), column);
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), watermark);
  gtk_overlay_set_measure_overlay (GTK_OVERLAY (overlay), watermark, FALSE);
  set_content (window, overlay);
  return AG_WATERMARK (watermark);
}
