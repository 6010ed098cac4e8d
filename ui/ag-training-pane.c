/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-training-pane"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-training-pane.h"

/*
 * A training call beside the record. The caller's lines come one step at a time; the
 * trainee answers with the reply buttons (the first one takes the focus, Tab moves on) or
 * ends the call. Once the call ended the same button shows the score, so that a value
 * still on screen can be hidden first; then every decision is listed with its rule.
 * Everything is decided by AgTrainingCall and AgTrainingScore; the pane shows them.
 */

struct _AgTrainingPane
{
  GtkWidget parent_instance;

  GtkWidget *scroller;
  GtkLabel *title_label;
  GtkLabel *task_label;
  GtkBox *lines_box;
  GtkBox *replies_box;
  GtkButton *end_button;
  GtkBox *result_box;
  GtkLabel *summary_label;
  GtkBox *notes_box;

  AgTrainingCall *call;
};

G_DEFINE_FINAL_TYPE (AgTrainingPane, ag_training_pane, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_CALL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
remove_children (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static GtkWidget *
wrapped_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
reply_clicked_cb (GtkButton *button, AgTrainingPane *self)
{
  ag_training_call_choose (self->call,
                           GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index")));
}

static void
show_result (AgTrainingPane *self)
{
  AgTrainingScore *score = ag_training_call_get_score (self->call);
  const GPtrArray *notes = ag_training_score_get_notes (score);
  g_autofree char *summary = ag_training_score_dup_summary (score);

  gtk_label_set_text (self->summary_label, summary);
  remove_children (self->notes_box);
  for (guint i = 0; i < notes->len; i++)
    {
      const AgTrainingNote *note = g_ptr_array_index (notes, i);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
      g_autofree char *detail = NULL;

      gtk_box_append (GTK_BOX (box), wrapped_label (note->text, NULL));
      if (note->penalty > 0)
        /* Translators: the rule behind a decision, and what it cost in the score. */
        detail = g_strdup_printf (_("%s · −%.2f"), note->basis != NULL ? note->basis : "",
                                  note->penalty);
      else
        detail = g_strdup (note->basis != NULL ? note->basis : "");
      if (*detail != '\0')
        gtk_box_append (GTK_BOX (box), wrapped_label (detail, "caption"));
      gtk_widget_add_css_class (box, note->penalty > 0 ? "error" : "success");
      gtk_box_append (self->notes_box, box);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->end_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->result_box), TRUE);
}

static void
end_clicked_cb (AgTrainingPane *self)
{
  if (!ag_training_call_get_ended (self->call))
    {
      ag_training_call_end (self->call);
      return;
    }
  ag_training_score_finish (ag_training_call_get_score (self->call));
  show_result (self);
}

static void
call_changed_cb (AgTrainingPane *self)
{
  const GPtrArray *lines = ag_training_call_get_lines (self->call);
  const AgTrainingStep *step = ag_training_call_get_step (self->call);
  GtkWidget *first = NULL;

  remove_children (self->lines_box);
  for (guint i = 0; i < lines->len; i++)
    {
      const AgTrainingLine *line = g_ptr_array_index (lines, i);
      g_autofree char *text = line->from_caller ? g_strdup_printf (_("Caller: %s"), line->text)
                                                : g_strdup_printf (_("You: %s"), line->text);

      gtk_box_append (self->lines_box,
                      wrapped_label (text, line->from_caller ? NULL : "dim-label"));
    }

  remove_children (self->replies_box);
  for (guint i = 0; step != NULL && i < step->replies->len; i++)
    {
      g_autofree char *text = ag_training_call_dup_reply_text (self->call, i);
      GtkWidget *button = gtk_button_new ();

      gtk_button_set_child (GTK_BUTTON (button), wrapped_label (text, NULL));
      g_object_set_data (G_OBJECT (button), "index", GUINT_TO_POINTER (i));
      g_signal_connect (button, "clicked", G_CALLBACK (reply_clicked_cb), self);
      gtk_box_append (self->replies_box, button);
      if (first == NULL)
        first = button;
    }

  if (ag_training_call_get_ended (self->call))
    {
      gtk_button_set_label (self->end_button, _("_See the Score"));
      gtk_widget_remove_css_class (GTK_WIDGET (self->end_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->end_button), "suggested-action");
      first = GTK_WIDGET (self->end_button);
    }
  if (first != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gtk_widget_grab_focus (first);
}

static void
ag_training_pane_set_call (AgTrainingPane *self, AgTrainingCall *call)
{
  AgTrainingScenario *scenario = ag_training_call_get_scenario (call);

  self->call = g_object_ref (call);
  gtk_label_set_text (self->title_label, ag_training_scenario_get_title (scenario));
  gtk_label_set_text (self->task_label, ag_training_scenario_get_task (scenario));
  g_signal_connect_object (call, "changed", G_CALLBACK (call_changed_cb), self, G_CONNECT_SWAPPED);
  ag_training_call_start (call);
  call_changed_cb (self);
}

static void
ag_training_pane_map (GtkWidget *widget)
{
  AgTrainingPane *self = AG_TRAINING_PANE (widget);
  GtkWidget *first;

  GTK_WIDGET_CLASS (ag_training_pane_parent_class)->map (widget);
  first = gtk_widget_get_first_child (GTK_WIDGET (self->replies_box));
  if (first != NULL)
    gtk_widget_grab_focus (first);
}

static void
ag_training_pane_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgTrainingPane *self = AG_TRAINING_PANE (object);

  switch (prop_id)
    {
      case PROP_CALL:
        g_value_set_object (value, self->call);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_training_pane_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  AgTrainingPane *self = AG_TRAINING_PANE (object);

  switch (prop_id)
    {
      case PROP_CALL:
        ag_training_pane_set_call (self, g_value_get_object (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_training_pane_dispose (GObject *object)
{
  AgTrainingPane *self = AG_TRAINING_PANE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_TYPE_TRAINING_PANE);
  g_clear_object (&self->call);

  G_OBJECT_CLASS (ag_training_pane_parent_class)->dispose (object);
}

static void
ag_training_pane_class_init (AgTrainingPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = ag_training_pane_get_property;
  object_class->set_property = ag_training_pane_set_property;
  object_class->dispose = ag_training_pane_dispose;
  widget_class->map = ag_training_pane_map;

  properties[PROP_CALL]
    = g_param_spec_object ("call", NULL, NULL, AG_TYPE_TRAINING_CALL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-training-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, scroller);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, title_label);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, task_label);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, lines_box);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, replies_box);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, end_button);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, result_box);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, summary_label);
  gtk_widget_class_bind_template_child (widget_class, AgTrainingPane, notes_box);
  gtk_widget_class_bind_template_callback (widget_class, end_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ag_training_pane_init (AgTrainingPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ag_training_pane_new (AgTrainingCall *call)
{
  g_return_val_if_fail (AG_IS_TRAINING_CALL (call), NULL);

  return g_object_new (AG_TYPE_TRAINING_PANE, "call", call, NULL);
}

AgTrainingCall *
ag_training_pane_get_call (AgTrainingPane *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_PANE (self), NULL);
  return self->call;
}
