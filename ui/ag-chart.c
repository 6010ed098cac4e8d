/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-chart"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-chart.h"

/*
 * A bar chart for the supervisor console, drawn with GtkSnapshot: one bar per label, an
 * optional limit line (a quota), the selected bar's number above it. It takes the
 * keyboard focus; Left, Right, Home and End move the selection. Its accessible
 * description states every number, so the chart says to a screen reader what it shows.
 * Counts only: the console never charts a value.
 */

#define BAR_GAP        6.0
#define LABEL_SPACE    22.0
#define NUMBER_SPACE   20.0
#define DEFAULT_WIDTH  420
#define DEFAULT_HEIGHT 200

struct _AgChart
{
  GtkWidget parent_instance;

  char *title;
  GStrv labels;
  guint *values;
  guint n_bars;
  guint limit; /* 0: none */
  int selected;
};

G_DEFINE_FINAL_TYPE (AgChart, ag_chart, GTK_TYPE_WIDGET)

static void
update_description (AgChart *self)
{
  g_autofree char *description = ag_chart_describe (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, self->title,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description, -1);
}

/**
 * ag_chart_describe:
 * @self: a chart
 *
 * What the chart shows in words, for its accessible description: every bar's label and
 * number, the limit, and which bar is selected.
 *
 * Returns: (transfer full): the description
 */
char *
ag_chart_describe (AgChart *self)
{
  g_autoptr (GString) text = g_string_new (NULL);

  g_return_val_if_fail (AG_IS_CHART (self), NULL);

  if (self->n_bars == 0)
    return g_strdup (_("Nothing to show in this period."));

  for (guint i = 0; i < self->n_bars; i++)
    {
      if (i > 0)
        g_string_append (text, "; ");
      /* TRANSLATORS: one bar of a chart, e.g. "CPF: 12". */
      g_string_append_printf (text, _("%s: %u"), self->labels[i], self->values[i]);
    }
  g_string_append (text, ".");
  if (self->limit > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Limit: %u."), self->limit);
    }
  if (self->selected >= 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, _("Selected: %s, %u."), self->labels[self->selected],
                              self->values[self->selected]);
    }
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static guint
scale_top (AgChart *self)
{
  guint top = MAX (self->limit, 1);

  for (guint i = 0; i < self->n_bars; i++)
    top = MAX (top, self->values[i]);
  return top;
}

static void
lookup_color (GtkWidget *widget, const char *name, const char *fallback, GdkRGBA *color)
{
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color))
    gdk_rgba_parse (color, fallback);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
append_text (GtkSnapshot *snapshot, GtkWidget *widget, const char *text, double x, double y,
             double width, const GdkRGBA *color)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int text_width = 0;

  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_layout_get_pixel_size (layout, &text_width, NULL);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (
    snapshot, &GRAPHENE_POINT_INIT ((float) (x + MAX (0.0, (width - text_width) / 2)), (float) y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
ag_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  AgChart *self = AG_CHART (widget);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double plot = height - LABEL_SPACE - NUMBER_SPACE;
  GdkRGBA fg, bar, selected, limit;
  double slot;
  guint top;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  G_GNUC_END_IGNORE_DEPRECATIONS
  lookup_color (widget, "accent_bg_color", "#3584e4", &bar);
  lookup_color (widget, "accent_color", "#1c71d8", &selected);
  lookup_color (widget, "error_color", "#c01c28", &limit);
  /* With a bar selected, the others step back. */
  if (self->selected >= 0)
    bar.alpha *= 0.55f;

  if (self->n_bars == 0 || plot <= 0 || width <= 0)
    {
      append_text (snapshot, widget, _("Nothing to show in this period."), 0, height / 2 - 10,
                   width, &fg);
      return;
    }

  top = scale_top (self);
  slot = width / self->n_bars;
  for (guint i = 0; i < self->n_bars; i++)
    {
      double bar_height = plot * self->values[i] / top;
      double x = i * slot + BAR_GAP / 2;
      double bar_width = MAX (1.0, slot - BAR_GAP);
      graphene_rect_t rect
        = GRAPHENE_RECT_INIT ((float) x, (float) (NUMBER_SPACE + plot - bar_height),
                              (float) bar_width, (float) bar_height);

      gtk_snapshot_append_color (snapshot, (int) i == self->selected ? &selected : &bar, &rect);
      append_text (snapshot, widget, self->labels[i], i * slot, NUMBER_SPACE + plot + 2, slot, &fg);
      if ((int) i == self->selected)
        {
          g_autofree char *number = g_strdup_printf ("%u", self->values[i]);

          append_text (snapshot, widget, number, i * slot,
                       MAX (0.0, NUMBER_SPACE + plot - bar_height - NUMBER_SPACE), slot, &fg);
        }
    }

  {
    GdkRGBA axis = fg;
    graphene_rect_t base = GRAPHENE_RECT_INIT (0, (float) (NUMBER_SPACE + plot), (float) width, 1);

    axis.alpha *= 0.3f;
    gtk_snapshot_append_color (snapshot, &axis, &base);
  }

  if (self->limit > 0)
    {
      double y = NUMBER_SPACE + plot - plot * self->limit / top;
      graphene_rect_t line = GRAPHENE_RECT_INIT (0, (float) y - 1, (float) width, 2);
      /* TRANSLATORS: the label of a chart's limit line, e.g. "limit 10" (a quota). */
      g_autofree char *text = g_strdup_printf (_("limit %u"), self->limit);
      g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
      int text_width = 0, text_height = 0;

      gtk_snapshot_append_color (snapshot, &limit, &line);
      pango_layout_get_pixel_size (layout, &text_width, &text_height);
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT ((float) MAX (0.0, width - text_width - 4),
                                                    (float) MAX (0.0, y - text_height - 2)));
      gtk_snapshot_append_layout (snapshot, layout, &limit);
      gtk_snapshot_restore (snapshot);
    }
}

static void
ag_chart_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                  int *natural, int *minimum_baseline, int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = DEFAULT_WIDTH;
    }
  else
    {
      *minimum = 120;
      *natural = DEFAULT_HEIGHT;
    }
}

static gboolean
key_pressed_cb (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, AgChart *self)
{
  int bar = self->selected;

  if (self->n_bars == 0 || (state & (GDK_CONTROL_MASK | GDK_ALT_MASK)) != 0)
    return GDK_EVENT_PROPAGATE;

  switch (keyval)
    {
      case GDK_KEY_Left:
      case GDK_KEY_KP_Left:
        bar = MAX (0, bar - 1);
        break;
      case GDK_KEY_Right:
      case GDK_KEY_KP_Right:
        bar = MIN ((int) self->n_bars - 1, bar + 1);
        break;
      case GDK_KEY_Home:
      case GDK_KEY_KP_Home:
        bar = 0;
        break;
      case GDK_KEY_End:
      case GDK_KEY_KP_End:
        bar = (int) self->n_bars - 1;
        break;
      default:
        return GDK_EVENT_PROPAGATE;
    }
  ag_chart_select (self, bar);
  return GDK_EVENT_STOP;
}

static void
pressed_cb (GtkGestureClick *gesture, int n_press, double x, double y, AgChart *self)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (self->n_bars > 0 && width > 0 && x >= 0 && x < width)
    ag_chart_select (self, (int) (x / (width / self->n_bars)));
}

static void
ag_chart_finalize (GObject *object)
{
  AgChart *self = AG_CHART (object);

  g_free (self->title);
  g_strfreev (self->labels);
  g_free (self->values);

  G_OBJECT_CLASS (ag_chart_parent_class)->finalize (object);
}

static void
ag_chart_class_init (AgChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = ag_chart_finalize;
  widget_class->snapshot = ag_chart_snapshot;
  widget_class->measure = ag_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
ag_chart_init (AgChart *self)
{
  GtkEventController *keys = gtk_event_controller_key_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->selected = -1;
  self->labels = g_new0 (char *, 1);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  g_signal_connect (keys, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);
  g_signal_connect (click, "pressed", G_CALLBACK (pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/**
 * ag_chart_new:
 * @title: what the chart shows, as its accessible name ("Reveals by field")
 *
 * Returns: (transfer floating): an empty chart
 */
AgChart *
ag_chart_new (const char *title)
{
  AgChart *self = g_object_new (AG_TYPE_CHART, NULL);

  self->title = g_strdup (title);
  update_description (self);
  return self;
}

/**
 * ag_chart_set_bars:
 * @self: a chart
 * @n_bars: how many bars
 * @labels: (array length=n_bars): each bar's label
 * @values: (array length=n_bars): each bar's number
 *
 * Shows these bars instead of the ones before; the selection is kept when the chart
 * still has that bar.
 */
void
ag_chart_set_bars (AgChart *self, guint n_bars, const char *const *labels, const guint *values)
{
  g_return_if_fail (AG_IS_CHART (self));
  g_return_if_fail (n_bars == 0 || (labels != NULL && values != NULL));

  g_strfreev (self->labels);
  g_free (self->values);
  self->labels = g_new0 (char *, n_bars + 1);
  for (guint i = 0; i < n_bars; i++)
    self->labels[i] = g_strdup (labels[i]);
  self->values = g_memdup2 (values, sizeof (guint) * n_bars);
  self->n_bars = n_bars;
  if (self->selected >= (int) n_bars)
    self->selected = n_bars > 0 ? (int) n_bars - 1 : -1;

  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * ag_chart_set_limit:
 * @self: a chart
 * @limit: where to draw the limit line (a quota); 0 for none
 */
void
ag_chart_set_limit (AgChart *self, guint limit)
{
  g_return_if_fail (AG_IS_CHART (self));

  self->limit = limit;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

int
ag_chart_get_selected (AgChart *self)
{
  g_return_val_if_fail (AG_IS_CHART (self), -1);

  return self->selected;
}

/**
 * ag_chart_select:
 * @self: a chart
 * @bar: a bar, or -1 for none
 */
void
ag_chart_select (AgChart *self, int bar)
{
  g_return_if_fail (AG_IS_CHART (self));
  g_return_if_fail (bar >= -1 && bar < (int) self->n_bars);

  if (self->selected == bar)
    return;
  self->selected = bar;
  update_description (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
