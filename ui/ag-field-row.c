/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-field-row"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ag-field-row.h"
#include "ag-watermark.h"
#include "ag-masked-label.h"
#include "ag-reveal-dialog.h"
#include "ag-secret-clipboard.h"

/**
 * AgFieldRow:
 *
 * One field of a customer's record: its name, its masked text in an #AgMaskedLabel and,
 * for a kind the policy masks, a reveal button that opens an #AgRevealDialog. From the
 * keyboard the row is the one stop: Return or Space on it opens the dialog, and the button
 * takes no focus.
 *
 * While a reveal is live the label shows the value, the row says when it hides again
 * ("Hides in 18 s", from the reveal's expiry on the guard's clock, once a second) and
 * offers "Hide Now" and, when the `clipboard` policy allows it, "Copy" (#ag-secret-clipboard:
 * ledgered `copy` first, refused while a clipboard manager runs, with the password-manager
 * hint, cleared after N seconds, when the reveal ends and on lock). Under `deny` there
 * is no way to copy: the label cannot be selected and has no copy action. When the reveal
 * goes inactive — expiry, "Hide Now", a lock, another
 * record — the row lets go of it and is back to the mask.
 */
struct _AgFieldRow
{
  AdwActionRow parent_instance;

  AgField *field;
  AgGuard *guard;
  AgReveal *reveal;  /* only while it is active */
  AgReveal *copying; /* the reveal whose copy is being ledgered */
  GtkWindow *dialog;
  guint tick_id;

  AgMaskedLabel *masked_label;
  GtkButton *copy_button;
  GtkButton *hide_button;
  GtkButton *reveal_button;
};

G_DEFINE_FINAL_TYPE (AgFieldRow, ag_field_row, ADW_TYPE_ACTION_ROW)

enum
{
  PROP_0,
  PROP_FIELD,
  PROP_GUARD,
  PROP_REVEAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_reveal (AgFieldRow *self, AgReveal *reveal);

/* The countdown ------------------------------------------------------------------------ */

static gboolean
tick_cb (gpointer user_data);

static void
update_countdown (AgFieldRow *self)
{
  g_autofree char *text = NULL;
  gint64 left_us;
  guint seconds;

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->reveal == NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (self), "");
      return;
    }

  left_us = ag_reveal_get_expires_at (self->reveal) - ag_guard_now (self->guard);
  /* Rounded up, and never "0 s" while the value is still there: the guard's own timer
   * hides it at the expiry. */
  seconds = (guint) MAX ((left_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, 1);
  /* Translators: under a revealed field; %u is how many seconds are left before the value
   * is hidden again ("s" for seconds). */
  text = g_strdup_printf (_("Hides in %u s"), seconds);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), text);

  /* The next tick when the shown number changes. */
  self->tick_id = g_timeout_add (
    left_us > 0 ? (guint) (((left_us - 1) % G_USEC_PER_SEC) / 1000 + 1) : 1000, tick_cb, self);
  g_source_set_name_by_id (self->tick_id, "[agent-guard] reveal countdown");
}

static gboolean
tick_cb (gpointer user_data)
{
  AgFieldRow *self = user_data;

  self->tick_id = 0;
  update_countdown (self);
  return G_SOURCE_REMOVE;
}

/* State --------------------------------------------------------------------------------- */

static void
update (AgFieldRow *self)
{
  gboolean can_reveal = ag_field_row_get_can_reveal (self);
  gboolean revealed = self->reveal != NULL;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  gboolean focus_on_hide = focus != NULL
                           && (focus == GTK_WIDGET (self->hide_button)
                               || gtk_widget_is_ancestor (focus, GTK_WIDGET (self->hide_button)));

  gtk_widget_set_visible (GTK_WIDGET (self->reveal_button), can_reveal && !revealed);
  gtk_widget_set_visible (GTK_WIDGET (self->hide_button), revealed);
  gtk_widget_set_visible (GTK_WIDGET (self->copy_button),
                          revealed && ag_field_row_get_can_copy (self));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), can_reveal && !revealed);
  update_countdown (self);

  /* Hiding must not drop the keyboard focus on the floor: it goes back to the row. */
  if (!revealed && focus_on_hide)
    gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
reveal_active_cb (AgFieldRow *self)
{
  if (self->reveal != NULL && !ag_reveal_get_active (self->reveal))
    set_reveal (self, NULL);
}

static void
set_reveal (AgFieldRow *self, AgReveal *reveal)
{
  if (reveal != NULL && !ag_reveal_get_active (reveal))
    reveal = NULL;
  if (self->reveal == reveal)
    return;

  if (self->reveal != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reveal, self);
      g_clear_object (&self->reveal);
    }
  if (reveal != NULL)
    {
      self->reveal = g_object_ref (reveal);
      g_signal_connect_swapped (reveal, "notify::active", G_CALLBACK (reveal_active_cb), self);
    }

  ag_masked_label_set_reveal (self->masked_label, self->reveal);
  update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REVEAL]);
}

/* Signals ------------------------------------------------------------------------------ */

static void
revealed_cb (AgFieldRow *self, AgReveal *reveal)
{
  set_reveal (self, reveal);
  if (self->reveal != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (self->hide_button));
}

static void
reveal_clicked_cb (AgFieldRow *self)
{
  ag_field_row_open_reveal_dialog (self);
}

static void
hide_clicked_cb (AgFieldRow *self)
{
  g_autoptr (AgReveal) reveal = NULL;

  if (self->reveal == NULL)
    return;
  reveal = g_object_ref (self->reveal);
  ag_guard_remask (self->guard, reveal, AG_REMASK_CAUSE_HIDDEN);
  /* The guard's remask went through notify::active already; be sure anyway. */
  set_reveal (self, NULL);
}

/* Tells the agent why a copy did not happen, in a dialog over the window. */
static void
show_copy_refused (AgFieldRow *self, const char *body)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  /* Translators: the heading of a message when a revealed value was not copied. */
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Not Copied"), body);
  /* Translators: the button that closes the "Not Copied" message. */
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
copy_ledgered_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgFieldRow) self = user_data;
  g_autoptr (AgReveal) reveal = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *formatted = NULL;
  const char *value;

  reveal = g_steal_pointer (&self->copying);
  if (!ag_guard_copy_finish (AG_GUARD (object), result, &error))
    {
      g_message ("Not copied: %s", error->message);
      if (g_error_matches (error, AG_REVEAL_ERROR, AG_REVEAL_ERROR_LEDGER))
        show_copy_refused (self, _("The copy could not be recorded in the audit ledger, so "
                                    "the value was not put on the clipboard."));
      return;
    }
  /* Ledgered: on the clipboard now, unless the value went meanwhile. */
  value = reveal != NULL && reveal == self->reveal ? ag_reveal_get_value (reveal) : NULL;
  if (value == NULL)
    return;
  /* As the agent reads it; the formatting's own buffer is wiped at once. */
  formatted = ag_pii_format (ag_reveal_get_kind (reveal), value);
  ag_secret_clipboard_copy (gtk_widget_get_clipboard (GTK_WIDGET (self)), self->guard, reveal,
                            formatted,
                            ag_policy_get_clipboard_clear (ag_guard_get_policy (self->guard)));
  explicit_bzero (formatted, strlen (formatted));
}

/* The copy is ledgered first (`copy`, ag_guard_copy_async()), and only then offered. */
static void
copy_clicked_cb (AgFieldRow *self)
{
  if (self->reveal == NULL || !ag_field_row_get_can_copy (self))
    return;
  if (self->copying != NULL)
    return;
  if (ag_secret_clipboard_has_manager (gtk_widget_get_display (GTK_WIDGET (self))))
    {
      show_copy_refused (self,
                         _("A clipboard manager is running on this desktop. It would keep the "
                            "value after Agent Guard clears the clipboard, so the value was not "
                            "copied. Read it from the screen instead."));
      return;
    }
  self->copying = g_object_ref (self->reveal);
  ag_guard_copy_async (self->guard, self->reveal, NULL, copy_ledgered_cb, g_object_ref (self));
}

static void
activated_cb (AgFieldRow *self)
{
  if (self->reveal == NULL)
    ag_field_row_open_reveal_dialog (self);
}

/* GObject ------------------------------------------------------------------------------- */

static void
ag_field_row_constructed (GObject *object)
{
  AgFieldRow *self = AG_FIELD_ROW (object);
  const char *label;
  g_autofree char *reveal_text = NULL;
  g_autofree char *copy_text = NULL;

  G_OBJECT_CLASS (ag_field_row_parent_class)->constructed (object);

  g_assert (AG_IS_FIELD (self->field));
  label = ag_field_get_label (self->field);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), label);
  ag_masked_label_set_field_label (self->masked_label, label);
  ag_masked_label_set_masked (self->masked_label, ag_field_get_masked (self->field));

  /* Translators: the tooltip and accessible name of a field's reveal button; %s is the
   * name of the field, such as "CPF". */
  reveal_text = g_strdup_printf (_("Reveal %s"), label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->reveal_button), reveal_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->reveal_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, reveal_text, -1);
  /* Translators: the tooltip and accessible name of a revealed field's copy button; %s is
   * the name of the field, such as "CPF". The copy is cleared after a while. */
  copy_text = g_strdup_printf (_("Copy %s for a short while"), label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button), copy_text);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->copy_button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  copy_text, -1);

  update (self);
}

static void
ag_field_row_dispose (GObject *object)
{
  AgFieldRow *self = AG_FIELD_ROW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dialog), (gpointer *) &self->dialog);
      gtk_window_destroy (self->dialog);
      self->dialog = NULL;
    }
  if (self->reveal != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->reveal, self);
      g_clear_object (&self->reveal);
    }
  g_clear_object (&self->copying);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_TYPE_FIELD_ROW);
  g_clear_object (&self->field);
  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ag_field_row_parent_class)->dispose (object);
}

static void
ag_field_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgFieldRow *self = AG_FIELD_ROW (object);

  switch (prop_id)
    {
      case PROP_FIELD:
        g_value_set_object (value, self->field);
        break;
      case PROP_GUARD:
        g_value_set_object (value, self->guard);
        break;
      case PROP_REVEAL:
        g_value_set_object (value, self->reveal);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_field_row_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgFieldRow *self = AG_FIELD_ROW (object);

  switch (prop_id)
    {
      case PROP_FIELD:
        self->field = g_value_dup_object (value);
        break;
      case PROP_GUARD:
        self->guard = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_field_row_class_init (AgFieldRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  g_type_ensure (AG_TYPE_MASKED_LABEL);

  object_class->constructed = ag_field_row_constructed;
  object_class->dispose = ag_field_row_dispose;
  object_class->get_property = ag_field_row_get_property;
  object_class->set_property = ag_field_row_set_property;

  properties[PROP_FIELD]
    = g_param_spec_object ("field", NULL, NULL, AG_TYPE_FIELD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* Without a guard the row shows the mask and offers no reveal. */
  properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVEAL] = g_param_spec_object ("reveal", NULL, NULL, AG_TYPE_REVEAL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-field-row.ui");
  gtk_widget_class_bind_template_child (widget_class, AgFieldRow, masked_label);
  gtk_widget_class_bind_template_child (widget_class, AgFieldRow, copy_button);
  gtk_widget_class_bind_template_child (widget_class, AgFieldRow, hide_button);
  gtk_widget_class_bind_template_child (widget_class, AgFieldRow, reveal_button);
  gtk_widget_class_bind_template_callback (widget_class, reveal_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, hide_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, copy_clicked_cb);
}

static void
ag_field_row_init (AgFieldRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect (self, "activated", G_CALLBACK (activated_cb), NULL);
}

/**
 * ag_field_row_new:
 * @field: the field
 * @guard: (nullable): the guard reveals go through, or %NULL for a row without reveal
 *
 * Returns: (transfer floating): a new row
 */
GtkWidget *
ag_field_row_new (AgField *field, AgGuard *guard)
{
  g_return_val_if_fail (AG_IS_FIELD (field), NULL);
  g_return_val_if_fail (guard == NULL || AG_IS_GUARD (guard), NULL);

  return g_object_new (AG_TYPE_FIELD_ROW, "field", field, "guard", guard, NULL);
}

AgField *
ag_field_row_get_field (AgFieldRow *self)
{
  g_return_val_if_fail (AG_IS_FIELD_ROW (self), NULL);

  return self->field;
}

/**
 * ag_field_row_get_guard:
 *
 * Returns: (transfer none) (nullable): the guard, or %NULL
 */
AgGuard *
ag_field_row_get_guard (AgFieldRow *self)
{
  g_return_val_if_fail (AG_IS_FIELD_ROW (self), NULL);

  return self->guard;
}

/**
 * ag_field_row_get_can_reveal:
 *
 * Returns: whether the row offers a reveal: it has a guard whose policy masks its kind
 */
gboolean
ag_field_row_get_can_reveal (AgFieldRow *self)
{
  g_return_val_if_fail (AG_IS_FIELD_ROW (self), FALSE);

  return self->guard != NULL && self->field != NULL
         && ag_policy_kind_is_masked (ag_guard_get_policy (self->guard),
                                      ag_field_get_kind (self->field));
}

/**
 * ag_field_row_get_can_copy:
 *
 * Returns: whether a revealed value of this row may be copied: the guard's policy says
 *   `allow-with-clear:N`, not `deny`
 */
gboolean
ag_field_row_get_can_copy (AgFieldRow *self)
{
  g_return_val_if_fail (AG_IS_FIELD_ROW (self), FALSE);

  return self->guard != NULL
         && ag_policy_get_clipboard_clear (ag_guard_get_policy (self->guard)) > 0;
}

/**
 * ag_field_row_policy_changed:
 * @self: a field row
 *
 * Offers the reveal or not again, after the guard's policy changed.
 */
void
ag_field_row_policy_changed (AgFieldRow *self)
{
  g_return_if_fail (AG_IS_FIELD_ROW (self));

  update (self);
}

/**
 * ag_field_row_get_reveal:
 *
 * Returns: (transfer none) (nullable): the live reveal shown, or %NULL while masked
 */
AgReveal *
ag_field_row_get_reveal (AgFieldRow *self)
{
  g_return_val_if_fail (AG_IS_FIELD_ROW (self), NULL);

  return self->reveal;
}

/**
 * ag_field_row_open_reveal_dialog:
 * @self: a field row
 *
 * Opens the reveal dialog for this field, or presents the one already open, as the
 * reveal button does.
 *
 * Returns: (transfer none) (nullable): the dialog, or %NULL when the row offers no reveal
 */
GtkWindow *
ag_field_row_open_reveal_dialog (AgFieldRow *self)
{
  GtkRoot *root;
  AgRevealDialog *dialog;

  g_return_val_if_fail (AG_IS_FIELD_ROW (self), NULL);

  if (!ag_field_row_get_can_reveal (self) || self->reveal != NULL)
    return NULL;
  if (self->dialog != NULL)
    {
      gtk_window_present (self->dialog);
      return self->dialog;
    }

  dialog = ag_reveal_dialog_new (self->guard, ag_field_get_record_id (self->field),
                                 ag_field_get_kind (self->field), ag_field_get_label (self->field));
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  /* A training window's dialog is marked as training too (issue 16). */
  if (GTK_IS_WINDOW (root) && gtk_widget_has_css_class (GTK_WIDGET (root), "training"))
    {
      gtk_widget_add_css_class (GTK_WIDGET (dialog), "training");
      ag_watermark_add_to_window (GTK_WINDOW (dialog), NULL);
    }
  g_signal_connect_object (dialog, "revealed", G_CALLBACK (revealed_cb), self, G_CONNECT_SWAPPED);
  self->dialog = GTK_WINDOW (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->dialog);
  gtk_window_present (self->dialog);
  return self->dialog;
}
