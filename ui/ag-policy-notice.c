/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy-notice"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-policy-notice.h"

/*
 * The agent's own policy file may only tighten the policy, so a line of it that would
 * loosen it, or that does not fit with the rest, is ignored, and a file with a problem is
 * ignored whole. This notice names each such line (FILE:LINE: key: why) for as long as it
 * stays so, without being in the way: the agent may dismiss it until the lines change.
 */

struct _AgPolicyNotice
{
  GtkWidget parent_instance;

  GtkRevealer *revealer;
  GtkLabel *title_label;
  GtkLabel *lines_label;

  AgPolicySource *source;
  /* What the agent dismissed, to stay hidden until the lines change. */
  char *dismissed;
};

G_DEFINE_FINAL_TYPE (AgPolicyNotice, ag_policy_notice, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SOURCE,
  PROP_SHOWN,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_shown (AgPolicyNotice *self, gboolean shown)
{
  if (gtk_revealer_get_reveal_child (self->revealer) == shown)
    return;
  gtk_revealer_set_reveal_child (self->revealer, shown);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOWN]);
}

static void
update (AgPolicyNotice *self)
{
  g_autoptr (GString) lines = g_string_new (NULL);
  g_autofree char *title = NULL;
  GPtrArray *warnings = ag_policy_source_get_warnings (self->source);
  GPtrArray *refusals = ag_policy_source_get_refusals (self->source);

  for (guint i = 0; i < refusals->len; i++)
    {
      const AgPolicyRefusal *refusal = g_ptr_array_index (refusals, i);

      if (refusal->layer != AG_POLICY_LAYER_USER)
        continue;
      title = g_strdup (_("Your own policy file is ignored whole, for the problems below"));
      g_string_append (lines, refusal->message);
    }
  for (guint i = 0; title == NULL && i < warnings->len; i++)
    {
      if (i > 0)
        g_string_append_c (lines, '\n');
      g_string_append (lines, g_ptr_array_index (warnings, i));
    }
  if (title == NULL && warnings->len > 0)
    title
      = g_strdup_printf (ngettext ("A line of your own policy file is ignored",
                                   "%u lines of your own policy file are ignored", warnings->len),
                         warnings->len);

  if (title == NULL)
    {
      g_clear_pointer (&self->dismissed, g_free);
      set_shown (self, FALSE);
      return;
    }

  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->lines_label, lines->str);
  if (g_strcmp0 (self->dismissed, lines->str) == 0)
    return;
  g_clear_pointer (&self->dismissed, g_free);
  set_shown (self, TRUE);
}

static void
dismiss_clicked_cb (AgPolicyNotice *self)
{
  g_free (self->dismissed);
  self->dismissed = g_strdup (gtk_label_get_text (self->lines_label));
  set_shown (self, FALSE);
}

static void
ag_policy_notice_constructed (GObject *object)
{
  AgPolicyNotice *self = AG_POLICY_NOTICE (object);

  G_OBJECT_CLASS (ag_policy_notice_parent_class)->constructed (object);

  g_assert (self->source != NULL);
  /* A reload notifies last-error whenever it refuses a layer or stops refusing one. */
  g_signal_connect_object (self->source, "notify::warnings", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->source, "notify::last-error", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  update (self);
}

static void
ag_policy_notice_dispose (GObject *object)
{
  AgPolicyNotice *self = AG_POLICY_NOTICE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), AG_TYPE_POLICY_NOTICE);
  g_clear_object (&self->source);

  G_OBJECT_CLASS (ag_policy_notice_parent_class)->dispose (object);
}

static void
ag_policy_notice_finalize (GObject *object)
{
  AgPolicyNotice *self = AG_POLICY_NOTICE (object);

  g_free (self->dismissed);

  G_OBJECT_CLASS (ag_policy_notice_parent_class)->finalize (object);
}

static void
ag_policy_notice_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgPolicyNotice *self = AG_POLICY_NOTICE (object);

  switch (prop_id)
    {
      case PROP_SOURCE:
        g_value_set_object (value, self->source);
        break;
      case PROP_SHOWN:
        g_value_set_boolean (value, ag_policy_notice_get_shown (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_policy_notice_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  AgPolicyNotice *self = AG_POLICY_NOTICE (object);

  switch (prop_id)
    {
      case PROP_SOURCE:
        self->source = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_policy_notice_class_init (AgPolicyNoticeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ag_policy_notice_constructed;
  object_class->dispose = ag_policy_notice_dispose;
  object_class->finalize = ag_policy_notice_finalize;
  object_class->get_property = ag_policy_notice_get_property;
  object_class->set_property = ag_policy_notice_set_property;

  properties[PROP_SOURCE]
    = g_param_spec_object ("source", NULL, NULL, AG_TYPE_POLICY_SOURCE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOWN]
    = g_param_spec_boolean ("shown", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-policy-notice.ui");
  gtk_widget_class_bind_template_child (widget_class, AgPolicyNotice, revealer);
  gtk_widget_class_bind_template_child (widget_class, AgPolicyNotice, title_label);
  gtk_widget_class_bind_template_child (widget_class, AgPolicyNotice, lines_label);
  gtk_widget_class_bind_template_callback (widget_class, dismiss_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ag_policy_notice_init (AgPolicyNotice *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * ag_policy_notice_new:
 * @source: the policy source whose agent's file to follow
 *
 * Returns: (transfer floating): a notice, shown while a line of the agent's own policy
 *   file is ignored
 */
GtkWidget *
ag_policy_notice_new (AgPolicySource *source)
{
  g_return_val_if_fail (AG_IS_POLICY_SOURCE (source), NULL);

  return g_object_new (AG_TYPE_POLICY_NOTICE, "source", source, NULL);
}

AgPolicySource *
ag_policy_notice_get_source (AgPolicyNotice *self)
{
  g_return_val_if_fail (AG_IS_POLICY_NOTICE (self), NULL);

  return self->source;
}

/**
 * ag_policy_notice_get_shown:
 * @self: a notice
 *
 * Returns: whether the notice is out, naming ignored lines
 */
gboolean
ag_policy_notice_get_shown (AgPolicyNotice *self)
{
  g_return_val_if_fail (AG_IS_POLICY_NOTICE (self), FALSE);

  return gtk_revealer_get_reveal_child (self->revealer);
}

/**
 * ag_policy_notice_add_to_window:
 * @window: a window
 * @source: the policy source of its session
 *
 * Puts a notice for @source at the foot of @window, under its content.
 *
 * Returns: (transfer none): the notice
 */
AgPolicyNotice *
ag_policy_notice_add_to_window (AdwApplicationWindow *window, AgPolicySource *source)
{
  g_autoptr (GtkWidget) content = NULL;
  GtkWidget *column = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *notice = ag_policy_notice_new (source);

  g_return_val_if_fail (ADW_IS_APPLICATION_WINDOW (window), NULL);

  if (adw_application_window_get_content (window) != NULL)
    {
      content = g_object_ref (adw_application_window_get_content (window));
      adw_application_window_set_content (window, NULL);
      gtk_widget_set_vexpand (content, TRUE);
      gtk_box_append (GTK_BOX (column), content);
    }
  gtk_box_append (GTK_BOX (column), notice);
  adw_application_window_set_content (window, column);
  return AG_POLICY_NOTICE (notice);
}
