/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-console-ledger"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-console-ledger.h"
#include "ag-ledger-item.h"
#include "ag-ledger-model.h"
#include "ag-pii.h"

/**
 * AgConsoleLedger:
 *
 * The console's ledger page: a #GtkColumnView over an #AgLedgerModel (paged, newest first,
 * never the whole ledger in memory) with the time, agent, event, record id, field kind,
 * reason, ticket and policy version of each entry; never a value, never a customer's
 * name. The filter controls above it rebuild the model's filter. An alert opened on the
 * alerts page shows exactly its rows (ag_console_ledger_show_rows()).
 */
struct _AgConsoleLedger
{
  GtkWidget parent_instance;

  AgSession *session;
  AgLedgerModel *model;
  GtkFilterListModel *rows;
  GtkCustomFilter *seq_filter; /* the rows of an opened alert; NULL filter otherwise */
  GHashTable *alert_seqs;      /* guint64* set, or NULL */
  guint64 alert_after, alert_before;

  GtkSearchEntry *search;
  GtkEntry *agent;
  GtkDropDown *event;
  GtkDropDown *field_kind;
  GtkEntry *reason;
  GtkEntry *record_id;
  GtkEntry *since;
  GtkEntry *until;
  GtkLabel *alert_label;
  GtkWidget *alert_bar;
  GtkColumnView *view;
};

G_DEFINE_FINAL_TYPE (AgConsoleLedger, ag_console_ledger, GTK_TYPE_WIDGET)

/* The filter ------------------------------------------------------------------------------ */

static const char *
entry_text (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  return text[0] != '\0' ? text : NULL;
}

/* A date (2026-11-23) or an ISO 8601 time, local when it names no zone; 0 for none or a
 * malformed one (which the entry marks). */
static gint64
parse_time (GtkEntry *entry)
{
  const char *text = entry_text (entry);
  g_autoptr (GDateTime) time = NULL;
  g_autoptr (GTimeZone) local = g_time_zone_new_local ();

  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  if (text == NULL)
    return 0;
  time = g_date_time_new_from_iso8601 (text, local);
  if (time == NULL)
    {
      g_autofree char *midnight = g_strconcat (text, "T00:00:00", NULL);

      time = g_date_time_new_from_iso8601 (midnight, local);
    }
  if (time == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      return 0;
    }
  return g_date_time_to_unix (time) * G_USEC_PER_SEC;
}

static void
build_filter (AgConsoleLedger *self, AgLedgerFilter *filter, const char **users)
{
  guint event = gtk_drop_down_get_selected (self->event);
  guint kind = gtk_drop_down_get_selected (self->field_kind);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search));

  memset (filter, 0, sizeof *filter);
  filter->newest_first = TRUE;
  filter->user = entry_text (self->agent);
  filter->record_id = entry_text (self->record_id);
  filter->reason = entry_text (self->reason);
  filter->text = text[0] != '\0' ? text : NULL;
  filter->since_us = parse_time (self->since);
  filter->until_us = parse_time (self->until);
  if (event != GTK_INVALID_LIST_POSITION && event > 0)
    filter->events = 1u << (event - 1);
  if (kind != GTK_INVALID_LIST_POSITION && kind > 0)
    filter->field_kinds = 1u << (kind - 1);
  if (self->alert_seqs != NULL)
    {
      users[0] = filter->user;
      filter->user = NULL;
      filter->users = users[0] != NULL ? users : NULL;
      filter->after_seq = self->alert_after;
      filter->before_seq = self->alert_before;
    }
}

static void
apply_filter (AgConsoleLedger *self)
{
  const char *users[2] = { NULL, NULL };
  AgLedgerFilter filter;
  AgStore *store = ag_session_get_store (self->session);

  if (store == NULL)
    return;
  build_filter (self, &filter, users);
  if (self->model == NULL)
    {
      self->model = ag_ledger_model_new (store, &filter, AG_LEDGER_MODEL_PAGE_SIZE);
      gtk_filter_list_model_set_model (self->rows, G_LIST_MODEL (self->model));
    }
  else
    ag_ledger_model_set_filter (self->model, &filter);
}

static void
filter_changed_cb (AgConsoleLedger *self)
{
  apply_filter (self);
}

static gboolean
match_alert_row (gpointer item, gpointer user_data)
{
  AgConsoleLedger *self = user_data;
  guint64 seq = ag_ledger_item_get_seq (item);

  return self->alert_seqs == NULL || g_hash_table_contains (self->alert_seqs, &seq);
}

static void
forget_alert (AgConsoleLedger *self)
{
  g_clear_pointer (&self->alert_seqs, g_hash_table_unref);
  gtk_widget_set_visible (self->alert_bar, FALSE);
  gtk_custom_filter_set_filter_func (self->seq_filter, NULL, NULL, NULL);
}

static void
show_all_clicked_cb (AgConsoleLedger *self)
{
  forget_alert (self);
  gtk_editable_set_text (GTK_EDITABLE (self->agent), "");
  apply_filter (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->search));
}

/**
 * ag_console_ledger_show_rows:
 * @user: the agent of the rows
 * @seqs: (element-type guint64): the rows' sequence numbers
 *
 * Shows exactly the rows @seqs of @user (an alert's) until the supervisor asks for all
 * rows again.
 */
void
ag_console_ledger_show_rows (AgConsoleLedger *self, const char *user, const GArray *seqs)
{
  g_autofree char *text = NULL;

  g_return_if_fail (AG_IS_CONSOLE_LEDGER (self));
  g_return_if_fail (seqs != NULL && seqs->len > 0);

  forget_alert (self);
  self->alert_seqs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->alert_after = G_MAXUINT64;
  self->alert_before = 0;
  for (guint i = 0; i < seqs->len; i++)
    {
      guint64 seq = g_array_index (seqs, guint64, i);

      g_hash_table_add (self->alert_seqs, g_memdup2 (&seq, sizeof seq));
      self->alert_after = MIN (self->alert_after, seq - 1);
      self->alert_before = MAX (self->alert_before, seq + 1);
    }
  g_signal_handlers_block_by_func (self->agent, filter_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->agent), user != NULL ? user : "");
  g_signal_handlers_unblock_by_func (self->agent, filter_changed_cb, self);
  /* Translators: the ledger page shows only the rows of an alert. */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Showing the %u entry of an alert.",
                                       "Showing the %u entries of an alert.", seqs->len),
                          seqs->len);
  gtk_label_set_text (self->alert_label, text);
  gtk_widget_set_visible (self->alert_bar, TRUE);
  gtk_custom_filter_set_filter_func (self->seq_filter, match_alert_row, self, NULL);
  apply_filter (self);
}

/**
 * ag_console_ledger_reload:
 *
 * Reads the ledger again from the newest entry (after the unlock).
 */
void
ag_console_ledger_reload (AgConsoleLedger *self)
{
  g_return_if_fail (AG_IS_CONSOLE_LEDGER (self));

  apply_filter (self);
}

/* Forgets every row and every filter (on lock). */
void
ag_console_ledger_clear (AgConsoleLedger *self)
{
  g_return_if_fail (AG_IS_CONSOLE_LEDGER (self));

  gtk_filter_list_model_set_model (self->rows, NULL);
  g_clear_object (&self->model);
  forget_alert (self);
}

/**
 * ag_console_ledger_get_rows:
 *
 * Returns: (transfer none): the rows the view shows (#AgLedgerItem)
 */
GListModel *
ag_console_ledger_get_rows (AgConsoleLedger *self)
{
  g_return_val_if_fail (AG_IS_CONSOLE_LEDGER (self), NULL);

  return G_LIST_MODEL (self->rows);
}

/* Export ---------------------------------------------------------------------------------- */

typedef struct
{
  AgConsoleLedger *self;
  AgLedgerExportFormat format;
  GOutputStream *out;
} ExportContext;

static gboolean
export_entry_cb (const AgLedgerEntry *entry, gpointer user_data, GError **error)
{
  ExportContext *ctx = user_data;
  g_autoptr (GString) line = g_string_new (NULL);
  guint64 seq = entry->seq;

  if (ctx->self->alert_seqs != NULL && !g_hash_table_contains (ctx->self->alert_seqs, &seq))
    return TRUE;
  ag_ledger_export_append_entry (line, ctx->format, entry);
  return g_output_stream_write_all (ctx->out, line->str, line->len, NULL, NULL, error);
}

/**
 * ag_console_ledger_export:
 * @file: where to write
 * @format: CSV or JSON Lines, as `agent-guard-admin audit export` writes them
 *
 * Writes the entries the page's filter selects, oldest first as `audit export` does, to
 * @file; the export is ledgered (`export`, cause `console-export`) before anything is
 * written, so that it is in the file too when the filter selects it.
 */
gboolean
ag_console_ledger_export (AgConsoleLedger *self, GFile *file, AgLedgerExportFormat format,
                          GError **error)
{
  const char *users[2] = { NULL, NULL };
  g_autoptr (AgLedgerEntry) access = NULL;
  g_autoptr (GFileOutputStream) out = NULL;
  g_autoptr (GString) header = g_string_new (NULL);
  AgStore *store;
  AgLedgerFilter filter;
  ExportContext ctx = { self, format, NULL };

  g_return_val_if_fail (AG_IS_CONSOLE_LEDGER (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  store = ag_session_get_store (self->session);
  if (store == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "No store is open");
      return FALSE;
    }
  build_filter (self, &filter, users);
  filter.newest_first = FALSE;
  access = ag_session_new_entry (self->session, AG_LEDGER_EVENT_EXPORT);
  access->record_id = g_strdup (filter.record_id);
  access->cause = g_strdup ("console-export");
  if (!ag_store_append_event (store, access, error))
    return FALSE;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_PRIVATE, NULL, error);
  if (out == NULL)
    return FALSE;
  ctx.out = G_OUTPUT_STREAM (out);
  ag_ledger_export_append_header (header, format);
  if (!g_output_stream_write_all (ctx.out, header->str, header->len, NULL, NULL, error)
      || !ag_store_foreach_event (store, &filter, export_entry_cb, &ctx, error))
    return FALSE;
  return g_output_stream_close (ctx.out, NULL, error);
}

static void
export_response_cb (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  AgConsoleLedger *self = user_data;
  AgLedgerExportFormat format = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "format"));
  g_autoptr (GFile) file = NULL;
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
  if (file != NULL && !ag_console_ledger_export (self, file, format, &error))
    {
      GtkWidget *dialog
        = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                  _("The Export Failed"), error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  AgConsoleLedger *self = AG_CONSOLE_LEDGER (widget);
  gboolean jsonl = g_str_equal (g_variant_get_string (parameter, NULL), "jsonl");
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    _("Export Ledger Entries"), GTK_WINDOW (gtk_widget_get_root (widget)),
    GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));

  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     jsonl ? "ledger.jsonl" : "ledger.csv");
  g_object_set_data (G_OBJECT (chooser), "format",
                     GINT_TO_POINTER (jsonl ? AG_LEDGER_EXPORT_JSONL : AG_LEDGER_EXPORT_CSV));
  g_signal_connect (chooser, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The columns ----------------------------------------------------------------------------- */

typedef enum
{
  COLUMN_TIME,
  COLUMN_AGENT,
  COLUMN_EVENT,
  COLUMN_RECORD,
  COLUMN_FIELD,
  COLUMN_REASON,
  COLUMN_TICKET,
  COLUMN_POLICY,
} Column;

static char *
column_text (const AgLedgerEntry *entry, Column column)
{
  switch (column)
    {
      case COLUMN_TIME:
        {
          g_autoptr (GDateTime) utc
            = g_date_time_new_from_unix_utc (entry->time_us / G_USEC_PER_SEC);
          g_autoptr (GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

          return local != NULL ? g_date_time_format (local, "%Y-%m-%d %H:%M:%S") : NULL;
        }
      case COLUMN_AGENT:
        return g_strdup (entry->user);
      case COLUMN_EVENT:
        return g_strdup (ag_ledger_event_to_string (entry->event));
      case COLUMN_RECORD:
        return g_strdup (entry->record_id);
      case COLUMN_FIELD:
        return entry->field_kind >= 0 && entry->field_kind < AG_PII_N_KINDS
                 ? g_strdup (ag_pii_kind_to_string (entry->field_kind))
                 : NULL;
      case COLUMN_REASON:
        return g_strdup (entry->reason);
      case COLUMN_TICKET:
        return g_strdup (entry->ticket);
      case COLUMN_POLICY:
        return g_strdup (entry->policy_version);
      default:
        g_assert_not_reached ();
    }
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer user_data)
{
  AgLedgerItem *row = gtk_list_item_get_item (item);
  g_autofree char *text = column_text (ag_ledger_item_get_entry (row), GPOINTER_TO_INT (user_data));

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text != NULL ? text : "");
}

static void
add_column (AgConsoleLedger *self, const char *title, Column column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), GINT_TO_POINTER (column));
  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, column == COLUMN_TIME || column == COLUMN_RECORD);
  gtk_column_view_append_column (self->view, view_column);
  g_object_unref (view_column);
}

/* Building -------------------------------------------------------------------------------- */

static GtkEntry *
add_entry (AgConsoleLedger *self, GtkWidget *box, const char *placeholder, int width)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  placeholder, -1);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), width);
  g_signal_connect_swapped (entry, "changed", G_CALLBACK (filter_changed_cb), self);
  gtk_box_append (GTK_BOX (box), entry);
  return GTK_ENTRY (entry);
}

static GtkDropDown *
add_drop_down (AgConsoleLedger *self, GtkWidget *box, const char *any, guint n,
               const char *(*to_string) (int), const char *label)
{
  GtkStringList *strings = gtk_string_list_new (NULL);
  GtkWidget *drop_down;

  gtk_string_list_append (strings, any);
  for (guint i = 0; i < n; i++)
    gtk_string_list_append (strings, to_string (i));
  drop_down = gtk_drop_down_new (G_LIST_MODEL (strings), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (drop_down), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_signal_connect_swapped (drop_down, "notify::selected", G_CALLBACK (filter_changed_cb), self);
  gtk_box_append (GTK_BOX (box), drop_down);
  return GTK_DROP_DOWN (drop_down);
}

static const char *
event_name (int event)
{
  return ag_ledger_event_to_string (event);
}

static const char *
kind_name (int kind)
{
  return ag_pii_kind_to_string (kind);
}

static void
ag_console_ledger_dispose (GObject *object)
{
  AgConsoleLedger *self = AG_CONSOLE_LEDGER (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->rows);
  g_clear_object (&self->model);
  g_clear_pointer (&self->alert_seqs, g_hash_table_unref);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (ag_console_ledger_parent_class)->dispose (object);
}

static void
ag_console_ledger_class_init (AgConsoleLedgerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ag_console_ledger_dispose;
  gtk_widget_class_install_action (widget_class, "ledger.export", "s", export_action);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
}

static void
ag_console_ledger_init (AgConsoleLedger *self)
{
  GtkWidget *filters = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *times = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *show_all = gtk_button_new_with_mnemonic (_("Show _All Entries"));
  GtkSelectionModel *selection;

  gtk_orientable_set_orientation (
    GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                              6);
  for (GtkWidget *box = filters; box != NULL; box = box == filters ? times : NULL)
    {
      gtk_widget_set_margin_start (box, 12);
      gtk_widget_set_margin_end (box, 12);
      gtk_widget_set_parent (box, GTK_WIDGET (self));
    }
  gtk_widget_set_margin_top (filters, 12);

  self->search = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->search), TRUE);
  g_object_set (self->search, "placeholder-text", _("Search agent, reason or ticket"), NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->search), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Search agent, reason or ticket"), -1);
  g_signal_connect_swapped (self->search, "search-changed", G_CALLBACK (filter_changed_cb), self);
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->search));
  self->agent = add_entry (self, filters, _("Agent"), 10);
  self->event = add_drop_down (self, filters, _("Any event"),
                               AG_LEDGER_EVENT_TRAINING_CERTIFIED + 1, event_name, _("Event"));
  self->field_kind
    = add_drop_down (self, filters, _("Any field"), AG_PII_N_KINDS, kind_name, _("Field kind"));
  self->reason = add_entry (self, times, _("Reason code"), 12);
  self->record_id = add_entry (self, times, _("Record id"), 12);
  /* Translators: placeholders of the time range; keep the date format as it is typed. */
  self->since = add_entry (self, times, _("From (2026-11-23)"), 14);
  self->until = add_entry (self, times, _("Until (2026-11-24)"), 14);
  {
    g_autoptr (GMenu) menu = g_menu_new ();
    GtkWidget *export = gtk_menu_button_new ();

    g_menu_append (menu, _("As _CSV…"), "ledger.export::csv");
    g_menu_append (menu, _("As _JSON Lines…"), "ledger.export::jsonl");
    gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (export), G_MENU_MODEL (menu));
    gtk_menu_button_set_label (GTK_MENU_BUTTON (export), _("E_xport"));
    gtk_menu_button_set_use_underline (GTK_MENU_BUTTON (export), TRUE);
    gtk_widget_set_halign (export, GTK_ALIGN_END);
    gtk_widget_set_hexpand (export, TRUE);
    gtk_box_append (GTK_BOX (times), export);
  }

  self->alert_bar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  self->alert_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_set_hexpand (GTK_WIDGET (self->alert_label), TRUE);
  gtk_label_set_xalign (self->alert_label, 0);
  g_signal_connect_swapped (show_all, "clicked", G_CALLBACK (show_all_clicked_cb), self);
  gtk_box_append (GTK_BOX (self->alert_bar), GTK_WIDGET (self->alert_label));
  gtk_box_append (GTK_BOX (self->alert_bar), show_all);
  gtk_widget_set_margin_start (self->alert_bar, 12);
  gtk_widget_set_margin_end (self->alert_bar, 12);
  gtk_widget_set_visible (self->alert_bar, FALSE);
  gtk_widget_set_parent (self->alert_bar, GTK_WIDGET (self));

  self->seq_filter = gtk_custom_filter_new (NULL, NULL, NULL);
  self->rows = gtk_filter_list_model_new (NULL, GTK_FILTER (self->seq_filter));
  selection
    = GTK_SELECTION_MODEL (gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->rows))));
  self->view = GTK_COLUMN_VIEW (gtk_column_view_new (selection));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Ledger entries"), -1);
  add_column (self, _("Time"), COLUMN_TIME);
  add_column (self, _("Agent"), COLUMN_AGENT);
  add_column (self, _("Event"), COLUMN_EVENT);
  add_column (self, _("Record"), COLUMN_RECORD);
  add_column (self, _("Field"), COLUMN_FIELD);
  add_column (self, _("Reason"), COLUMN_REASON);
  add_column (self, _("Ticket"), COLUMN_TICKET);
  add_column (self, _("Policy"), COLUMN_POLICY);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->view));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_widget_set_parent (scrolled, GTK_WIDGET (self));
}

AgConsoleLedger *
ag_console_ledger_new (AgSession *session)
{
  AgConsoleLedger *self;

  g_return_val_if_fail (AG_IS_SESSION (session), NULL);

  self = g_object_new (AG_TYPE_CONSOLE_LEDGER, NULL);
  self->session = g_object_ref (session);
  return self;
}
