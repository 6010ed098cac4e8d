/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-console-charts"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-charts.h"
#include "ag-ledger-stats.h"
#include "ag-pii.h"

/**
 * AgConsoleCharts:
 *
 * The console's charts page, from #AgLedgerStats over the last 24 hours: reveals per hour of
 * the agent picked (with their policy's max-reveals-per-hour as the limit line), reveals by
 * field kind, by reason, and granted against denied. Counts only, never a customer.
 */
struct _AgConsoleCharts
{
  GtkWidget parent_instance;

  AgSession *session;
  AgPolicyPaths *paths;
  AgLedgerStats *stats;
  GtkStringList *agents;
  gboolean filling;

  GtkDropDown *agent;
  AgChart *charts[4];
};

#define N_HOURS 24

G_DEFINE_FINAL_TYPE (AgConsoleCharts, ag_console_charts, GTK_TYPE_WIDGET)

static void
show_agent (AgConsoleCharts *self)
{
  guint picked = gtk_drop_down_get_selected (self->agent);
  const char *agent = picked != GTK_INVALID_LIST_POSITION
                        ? gtk_string_list_get_string (self->agents, picked)
                        : NULL;
  g_autofree char **labels = g_new0 (char *, N_HOURS + 1);
  guint values[N_HOURS] = { 0 };
  guint limit = 0;

  if (self->stats == NULL || agent == NULL)
    {
      ag_chart_set_bars (self->charts[0], 0, NULL, NULL);
      ag_chart_set_limit (self->charts[0], 0);
      return;
    }
  for (guint i = 0; i < N_HOURS; i++)
    {
      g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (
        ag_ledger_stats_get_bucket_start (self->stats, i) / G_USEC_PER_SEC);
      g_autoptr (GDateTime) local = g_date_time_to_local (utc);

      labels[i] = g_date_time_format (local, "%H");
      values[i] = ag_ledger_stats_get_reveals (self->stats, agent, i);
    }
  {
    g_auto (GStrv) groups = ag_policy_get_user_groups (agent);
    g_autoptr (AgPolicy) policy
      = ag_policy_load_layers (self->paths, agent, (const char *const *) groups, NULL, NULL, NULL);

    limit = ag_policy_get_max_reveals_per_hour (policy);
  }
  ag_chart_set_bars (self->charts[0], N_HOURS, (const char *const *) labels, values);
  ag_chart_set_limit (self->charts[0], limit);
  for (guint i = 0; i < N_HOURS; i++)
    g_free (labels[i]);
}

static void
agent_picked_cb (AgConsoleCharts *self)
{
  if (!self->filling)
    show_agent (self);
}

/**
 * ag_console_charts_reload:
 *
 * Counts the last 24 hours of the session's ledger again.
 */
void
ag_console_charts_reload (AgConsoleCharts *self)
{
  AgStore *store = ag_session_get_store (self->session);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_auto (GStrv) agents = NULL;
  g_auto (GStrv) reasons = NULL;
  const char *kind_labels[AG_PII_N_KINDS];
  guint kind_values[AG_PII_N_KINDS];
  guint reason_values[64];
  const char *outcome_labels[2];
  guint outcome_values[2];
  guint n_reasons;
  gint64 hour = (g_date_time_to_unix (now) / 3600 + 1) * 3600;

  g_return_if_fail (AG_IS_CONSOLE_CHARTS (self));

  if (store == NULL)
    return;
  ag_console_charts_clear (self);
  self->stats = ag_ledger_stats_new ((hour - N_HOURS * 3600) * G_USEC_PER_SEC,
                                     (gint64) 3600 * G_USEC_PER_SEC, N_HOURS);
  if (!ag_ledger_stats_collect (self->stats, store, NULL, &error))
    {
      g_message ("Could not count the ledger: %s", error->message);
      return;
    }

  agents = ag_ledger_stats_dup_agents (self->stats);
  self->filling = TRUE;
  gtk_string_list_splice (self->agents, 0, g_list_model_get_n_items (G_LIST_MODEL (self->agents)),
                          (const char *const *) agents);
  self->filling = FALSE;
  gtk_drop_down_set_selected (self->agent, 0);
  show_agent (self);

  for (guint k = 0; k < AG_PII_N_KINDS; k++)
    {
      kind_labels[k] = ag_pii_kind_get_label (k);
      kind_values[k] = ag_ledger_stats_get_by_kind (self->stats, k);
    }
  ag_chart_set_bars (self->charts[1], AG_PII_N_KINDS, kind_labels, kind_values);

  reasons = ag_ledger_stats_dup_reasons (self->stats);
  n_reasons = MIN (g_strv_length (reasons), G_N_ELEMENTS (reason_values));
  for (guint i = 0; i < n_reasons; i++)
    reason_values[i] = ag_ledger_stats_get_by_reason (self->stats, reasons[i]);
  {
    const char *reason_labels[G_N_ELEMENTS (reason_values)];

    /* The reason's translated label, as the agent picked it; its code when it has none. */
    for (guint i = 0; i < n_reasons; i++)
      reason_labels[i] = ag_policy_reason_code_get_label (reasons[i]);
    ag_chart_set_bars (self->charts[2], n_reasons, reason_labels, reason_values);
  }

  outcome_labels[0] = _("Granted");
  outcome_labels[1] = _("Denied");
  outcome_values[0] = ag_ledger_stats_get_granted (self->stats);
  outcome_values[1] = ag_ledger_stats_get_denied (self->stats);
  ag_chart_set_bars (self->charts[3], 2, outcome_labels, outcome_values);
}

/* Forgets every count (on lock). */
void
ag_console_charts_clear (AgConsoleCharts *self)
{
  g_return_if_fail (AG_IS_CONSOLE_CHARTS (self));

  g_clear_pointer (&self->stats, ag_ledger_stats_free);
  self->filling = TRUE;
  gtk_string_list_splice (self->agents, 0, g_list_model_get_n_items (G_LIST_MODEL (self->agents)),
                          NULL);
  self->filling = FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (self->charts); i++)
    {
      ag_chart_set_bars (self->charts[i], 0, NULL, NULL);
      ag_chart_set_limit (self->charts[i], 0);
    }
}

/**
 * ag_console_charts_get_chart:
 * @n: 0 reveals per hour, 1 by field kind, 2 by reason, 3 granted and denied
 *
 * Returns: (transfer none): the chart
 */
AgChart *
ag_console_charts_get_chart (AgConsoleCharts *self, guint n)
{
  g_return_val_if_fail (AG_IS_CONSOLE_CHARTS (self), NULL);
  g_return_val_if_fail (n < G_N_ELEMENTS (self->charts), NULL);

  return self->charts[n];
}

static void
ag_console_charts_dispose (GObject *object)
{
  AgConsoleCharts *self = AG_CONSOLE_CHARTS (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->stats, ag_ledger_stats_free);
  g_clear_object (&self->agents);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ag_console_charts_parent_class)->dispose (object);
}

static void
ag_console_charts_finalize (GObject *object)
{
  AgConsoleCharts *self = AG_CONSOLE_CHARTS (object);

  g_clear_pointer (&self->paths, ag_policy_paths_free);

  G_OBJECT_CLASS (ag_console_charts_parent_class)->finalize (object);
}

static void
ag_console_charts_class_init (AgConsoleChartsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_charts_dispose;
  object_class->finalize = ag_console_charts_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ag_console_charts_init (AgConsoleCharts *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *agent_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *agent_label = gtk_label_new_with_mnemonic (_("_Agent:"));
  const char *titles[4] = { _("Reveals per hour, last 24 hours"), _("Reveals by field kind"),
                            _("Reveals by reason"), _("Reveals granted and denied") };

  self->agents = gtk_string_list_new (NULL);
  self->agent
    = GTK_DROP_DOWN (gtk_drop_down_new (g_object_ref (G_LIST_MODEL (self->agents)), NULL));
  gtk_label_set_mnemonic_widget (GTK_LABEL (agent_label), GTK_WIDGET (self->agent));
  g_signal_connect_swapped (self->agent, "notify::selected", G_CALLBACK (agent_picked_cb), self);
  gtk_box_append (GTK_BOX (agent_box), agent_label);
  gtk_box_append (GTK_BOX (agent_box), GTK_WIDGET (self->agent));

  gtk_grid_set_row_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 24);
  gtk_widget_set_margin_top (grid, 12);
  gtk_widget_set_margin_bottom (grid, 12);
  gtk_widget_set_margin_start (grid, 12);
  gtk_widget_set_margin_end (grid, 12);
  gtk_grid_attach (GTK_GRID (grid), agent_box, 0, 0, 2, 1);
  for (guint i = 0; i < G_N_ELEMENTS (self->charts); i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *heading = gtk_label_new (titles[i]);

      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_add_css_class (heading, "heading");
      self->charts[i] = ag_chart_new (titles[i]);
      gtk_widget_set_hexpand (GTK_WIDGET (self->charts[i]), TRUE);
      gtk_widget_set_size_request (GTK_WIDGET (self->charts[i]), 320, 200);
      gtk_box_append (GTK_BOX (box), heading);
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->charts[i]));
      gtk_grid_attach (GTK_GRID (grid), box, i % 2, 1 + i / 2, 1, 1);
    }
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), grid);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
}

AgConsoleCharts *
ag_console_charts_new (AgSession *session, const AgPolicyPaths *paths)
{
  AgConsoleCharts *self;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);
  g_return_val_if_fail (paths != NULL, NULL);

  self = g_object_new (AG_TYPE_CONSOLE_CHARTS, NULL);
  self->session = g_object_ref (session);
  self->paths = ag_policy_paths_copy (paths);
  g_clear_pointer (&self->paths->user_file, g_free);
  return self;
}
