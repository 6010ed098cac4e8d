/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-console-alerts"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-alerts.h"
#include "ag-pii.h"

/**
 * AgConsoleAlerts:
 *
 * The console's alerts page: the alerts the rules of each agent's policy raise over the
 * ledger (ag_alert_scan_store(), which ledgers each new one as `alert`, as `agent-guard-admin
 * alerts list` does), each naming rule, agent, count and window, never a customer. Activating
 * one emits ::alert-activated (the window shows its ledger rows); its button acknowledges it
 * with a note, ledgered as `alert-ack` as `alerts ack` writes it.
 */
struct _AgConsoleAlerts
{
  GtkWidget parent_instance;

  AgSession *session;
  AgPolicyPaths *paths;
  GPtrArray *records; /* AgAlertRecord*, newest first */

  GtkStack *stack;
  GtkListBox *list;
};

enum
{
  SIGNAL_ALERT_ACTIVATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* A note goes into the entry's cause, as the CLI's. */
#define NOTE_MAX 500

G_DEFINE_FINAL_TYPE (AgConsoleAlerts, ag_console_alerts, GTK_TYPE_WIDGET)

static const char *
rule_title (AgAlertRule rule)
{
  switch (rule)
    {
      case AG_ALERT_RULE_REVEALS_PER_WINDOW:
        return _("Many reveals in a short time");
      case AG_ALERT_RULE_DISTINCT_CUSTOMERS_PER_HOUR:
        return _("Many different customers in an hour");
      case AG_ALERT_RULE_DENIED_PER_HOUR:
        return _("Many denied requests in an hour");
      case AG_ALERT_RULE_OUTSIDE_HOURS:
        return _("Reveal outside working hours");
      case AG_ALERT_N_RULES:
      default:
        return ag_alert_rule_to_string (rule);
    }
}

static char *
format_time (gint64 time_us, const char *format)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, format) : g_strdup ("");
}

/* "4 events from 09:00 to 09:05 on 23/11/2026". */
static char *
describe_window (const AgAlertRecord *record)
{
  /* Translators: a date format (strftime) for the day of an alert's window. */
  g_autofree char *day = format_time (record->alert->window_start_us, _("%Y-%m-%d"));
  g_autofree char *start = format_time (record->alert->window_start_us, "%H:%M");
  g_autofree char *end = format_time (record->alert->window_end_us, "%H:%M");

  /* Translators: an alert's count and window: "4 events from 09:00 to 09:05 on
   * 2026-11-23". */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u event from %s to %s on %s",
                                       "%u events from %s to %s on %s", record->alert->count),
                          record->alert->count, start, end, day);
}

/* The acknowledgement --------------------------------------------------------------------- */

static gboolean
note_has_identifier (const char *note)
{
  g_auto (GStrv) words = g_strsplit_set (note, " \t\n,;()\"'", -1);

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0' && ag_pii_identifier_kinds (words[i]) != 0)
      return TRUE;
  return FALSE;
}

/**
 * ag_console_alerts_acknowledge:
 * @id: the alert's id
 * @note: what was found or done, never a customer's data
 *
 * Ledgers `alert-ack` for alert @id with @note, as `agent-guard-admin alerts ack` does,
 * and reads the alerts again. Fails with %G_IO_ERROR_INVALID_DATA for an empty note, one
 * too long, or one that holds a CPF, phone, e-mail and the like.
 */
gboolean
ag_console_alerts_acknowledge (AgConsoleAlerts *self, guint64 id, const char *note, GError **error)
{
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autofree char *text = NULL;
  AgStore *store;

  g_return_val_if_fail (AG_IS_CONSOLE_ALERTS (self), FALSE);
  g_return_val_if_fail (note != NULL, FALSE);

  store = ag_session_get_store (self->session);
  text = g_strstrip (g_strdup (note));
  if (store == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "No store is open");
      return FALSE;
    }
  if (text[0] == '\0' || strlen (text) > NOTE_MAX || !g_utf8_validate (text, -1, NULL)
      || note_has_identifier (text))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The note is empty, too long or holds a customer's data");
      return FALSE;
    }
  entry = ag_session_new_entry (self->session, AG_LEDGER_EVENT_ALERT_ACK);
  entry->record_id = g_strdup_printf ("%" G_GUINT64_FORMAT, id);
  entry->cause = g_steal_pointer (&text);
  if (!ag_store_append_event (store, entry, error))
    return FALSE;
  return ag_console_alerts_refresh (self, error);
}

typedef struct
{
  AgConsoleAlerts *alerts;
  guint64 id;
  GtkEditable *note;
} AckDialog;

static void
ack_response_cb (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  AckDialog *ack = user_data;
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (response, "acknowledge") == 0
      && !ag_console_alerts_acknowledge (ack->alerts, ack->id, gtk_editable_get_text (ack->note),
                                         &error))
    {
      GtkWidget *refusal = adw_message_dialog_new (
        gtk_window_get_transient_for (GTK_WINDOW (dialog)), _("The Alert Was Not Acknowledged"),
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA)
          ? _("Write what was found or done, without any customer data such as a CPF, "
               "phone number or e-mail.")
          : error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (refusal), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (refusal));
    }
  g_object_unref (ack->alerts);
  g_free (ack);
}

static void
note_activate_cb (GtkEntry *entry, AdwMessageDialog *dialog)
{
  adw_message_dialog_response (dialog, "acknowledge");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
ack_clicked_cb (GtkButton *button, AgConsoleAlerts *self)
{
  AckDialog *ack = g_new0 (AckDialog, 1);
  GtkWidget *dialog, *entry;

  ack->alerts = g_object_ref (self);
  ack->id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "alert-id"));
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Acknowledge Alert"),
                                   _("Write what you found or did. Never write customer data "
                                      "here: the note is kept in the audit ledger."));
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Note"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Note"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "acknowledge", _("_Acknowledge"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "acknowledge",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "acknowledge");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  ack->note = GTK_EDITABLE (entry);
  g_signal_connect (dialog, "response", G_CALLBACK (ack_response_cb), ack);
  g_signal_connect (entry, "activate", G_CALLBACK (note_activate_cb), dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* The list -------------------------------------------------------------------------------- */

static GtkWidget *
create_row (AgConsoleAlerts *self, const AgAlertRecord *record)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *title
    = g_strdup_printf ("%s — %s", rule_title (record->alert->rule), record->alert->user);
  g_autofree char *subtitle = describe_window (record);
  GtkWidget *suffix;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  if (record->ack_id == 0)
    {
      suffix = gtk_button_new_with_mnemonic (_("_Acknowledge…"));
      gtk_widget_set_valign (suffix, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (suffix), "alert-id", GSIZE_TO_POINTER (record->id));
      g_signal_connect (suffix, "clicked", G_CALLBACK (ack_clicked_cb), self);
    }
  else
    {
      g_autofree char *acked = g_strdup_printf (_("Acknowledged by %s"), record->acked_by);

      suffix = gtk_label_new (acked);
      gtk_widget_add_css_class (suffix, "dim-label");
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             gtk_image_new_from_icon_name ("go-next-symbolic"));
  return row;
}

static void
row_activated_cb (AgConsoleAlerts *self, GtkListBoxRow *row)
{
  g_signal_emit (self, signals[SIGNAL_ALERT_ACTIVATED], 0,
                 (guint) gtk_list_box_row_get_index (row));
}

static void
show_records (AgConsoleAlerts *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; self->records != NULL && i < self->records->len; i++)
    gtk_list_box_append (self->list, create_row (self, g_ptr_array_index (self->records, i)));
  gtk_stack_set_visible_child_name (
    self->stack, self->records != NULL && self->records->len > 0 ? "list" : "empty");
}

static AgPolicy *
policy_for_agent_cb (const char *agent, gpointer user_data)
{
  AgConsoleAlerts *self = user_data;
  g_auto (GStrv) groups = ag_policy_get_user_groups (agent);

  /* The agent's own file is on their workstation and can only tighten. */
  return ag_policy_load_layers (self->paths, agent, (const char *const *) groups, NULL, NULL, NULL);
}

static int
compare_newest_first (gconstpointer a, gconstpointer b)
{
  const AgAlertRecord *ra = *(AgAlertRecord **) a, *rb = *(AgAlertRecord **) b;

  return ra->id < rb->id ? 1 : ra->id > rb->id ? -1 : 0;
}

/**
 * ag_console_alerts_refresh:
 *
 * Runs the alert rules over the session's store, ledgering each new alert, and shows
 * them, newest first.
 */
gboolean
ag_console_alerts_refresh (AgConsoleAlerts *self, GError **error)
{
  g_autoptr (AgLedgerEntry) author = NULL;
  GPtrArray *records;
  AgStore *store;

  g_return_val_if_fail (AG_IS_CONSOLE_ALERTS (self), FALSE);

  store = ag_session_get_store (self->session);
  if (store == NULL)
    return TRUE;
  author = ag_session_new_entry (self->session, AG_LEDGER_EVENT_ALERT);
  records = ag_alert_scan_store (store, 0, policy_for_agent_cb, self, author, error);
  if (records == NULL)
    return FALSE;
  g_ptr_array_sort (records, compare_newest_first);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->records = records;
  show_records (self);
  return TRUE;
}

/* Forgets the alerts (on lock). */
void
ag_console_alerts_clear (AgConsoleAlerts *self)
{
  g_return_if_fail (AG_IS_CONSOLE_ALERTS (self));

  g_clear_pointer (&self->records, g_ptr_array_unref);
  show_records (self);
}

guint
ag_console_alerts_get_n_alerts (AgConsoleAlerts *self)
{
  g_return_val_if_fail (AG_IS_CONSOLE_ALERTS (self), 0);

  return self->records != NULL ? self->records->len : 0;
}

/**
 * ag_console_alerts_get_alert:
 *
 * Returns: (transfer none) (nullable): the alert shown at @position
 */
const AgAlertRecord *
ag_console_alerts_get_alert (AgConsoleAlerts *self, guint position)
{
  g_return_val_if_fail (AG_IS_CONSOLE_ALERTS (self), NULL);

  if (self->records == NULL || position >= self->records->len)
    return NULL;
  return g_ptr_array_index (self->records, position);
}

/* GObject --------------------------------------------------------------------------------- */

static void
ag_console_alerts_dispose (GObject *object)
{
  AgConsoleAlerts *self = AG_CONSOLE_ALERTS (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ag_console_alerts_parent_class)->dispose (object);
}

static void
ag_console_alerts_finalize (GObject *object)
{
  AgConsoleAlerts *self = AG_CONSOLE_ALERTS (object);

  g_clear_pointer (&self->paths, ag_policy_paths_free);

  G_OBJECT_CLASS (ag_console_alerts_parent_class)->finalize (object);
}

static void
ag_console_alerts_class_init (AgConsoleAlertsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_alerts_dispose;
  object_class->finalize = ag_console_alerts_finalize;

  /* An alert was opened: the position of its row. */
  signals[SIGNAL_ALERT_ACTIVATED]
    = g_signal_new ("alert-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
ag_console_alerts_init (AgConsoleAlerts *self)
{
  GtkWidget *empty = adw_status_page_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();

  self->stack = GTK_STACK (gtk_stack_new ());
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "emblem-ok-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Alerts"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("No agent has crossed an alert rule of their policy."));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list), GTK_ALIGN_START);
  gtk_widget_set_margin_top (GTK_WIDGET (self->list), 24);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->list), 24);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Alerts"), -1);
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_stack_add_named (self->stack, scrolled, "list");
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));
}

AgConsoleAlerts *
ag_console_alerts_new (AgSession *session, const AgPolicyPaths *paths)
{
  AgConsoleAlerts *self;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);
  g_return_val_if_fail (paths != NULL, NULL);

  self = g_object_new (AG_TYPE_CONSOLE_ALERTS, NULL);
  self->session = g_object_ref (session);
  self->paths = ag_policy_paths_copy (paths);
  g_clear_pointer (&self->paths->user_file, g_free);
  return self;
}
