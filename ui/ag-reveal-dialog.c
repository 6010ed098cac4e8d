/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-reveal-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-auth-prompts.h"
#include "ag-list-keynav.h"
#include "ag-reveal-dialog.h"

/**
 * AgRevealDialog:
 *
 * Asks why the agent wants to see one field: a reason from the policy's list (required
 * unless the policy says otherwise: Reveal stays insensitive until one is chosen) and an
 * optional ticket or call id. For a kind that needs a step-up it says so and renders the
 * step-up PAM conversation in an #AgAuthPrompts.
 *
 * From the keyboard the reasons are one Tab stop: the arrow keys move among them and
 * choose, Space or Return chooses the one with the focus, and once one is chosen Return
 * reveals.
 *
 * Reveal hands the request to the #AgGuard (DESIGN §5); the dialog never sees the value.
 * A granted reveal is handed on with ::revealed and the dialog closes; a denial is said
 * in the dialog, in words an agent understands, and the value stays hidden. Closing the
 * dialog cancels a reveal still running, and a lock closes the dialog.
 */
struct _AgRevealDialog
{
  AdwWindow parent_instance;

  AgGuard *guard;
  char *record_id;
  AgPiiKind kind;
  char *field_label;

  char **reason_codes;
  GPtrArray *reason_checks; /* GtkCheckButton*, one per code */
  gboolean require_reason;
  gboolean step_up;
  GCancellable *cancellable; /* while a reveal runs */
  gulong step_up_handler;
  guint ticket_scroll_id; /* a tick callback on ticket_error_label */
  gint64 ticket_scroll_frame;
  gboolean closed;

  AdwWindowTitle *window_title;
  GtkLabel *body_label;
  AdwPreferencesGroup *reasons_group;
  GtkListBox *reasons_list;
  AdwEntryRow *ticket_row;
  GtkLabel *ticket_error_label;
  GtkScrolledWindow *scroller;
  GtkBox *step_up_box;
  GtkLabel *step_up_label;
  AgAuthPrompts *prompts;
  GtkSpinner *spinner;
  GtkLabel *error_label;
  GtkButton *cancel_button;
  GtkButton *reveal_button;
};

G_DEFINE_FINAL_TYPE (AgRevealDialog, ag_reveal_dialog, ADW_TYPE_WINDOW)

enum
{
  PROP_0,
  PROP_GUARD,
  PROP_RECORD_ID,
  PROP_KIND,
  PROP_FIELD_LABEL,
  N_PROPS
};

enum
{
  SIGNAL_REVEALED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Texts ----------------------------------------------------------------------------------- */

static const char *
describe_step_up (AgPiiKind kind)
{
  switch (kind)
    {
      case AG_PII_KIND_CARD_NUMBER:
        return _("Card numbers need your password and code again.");
      case AG_PII_KIND_BANK_ACCOUNT:
        return _("Bank account numbers need your password and code again.");
      default:
        return _("This field needs your password and code again.");
    }
}

/**
 * ag_reveal_dialog_describe_error:
 * @guard: the guard that denied the reveal
 * @error: an %AG_REVEAL_ERROR
 *
 * Returns: (transfer full): why a reveal was denied, in words an agent understands; it
 *   never carries a value or a name
 */
char *
ag_reveal_dialog_describe_error (AgGuard *guard, const GError *error)
{
  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);
  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != AG_REVEAL_ERROR)
    return g_strdup (_("The value could not be revealed, so it stays hidden. Try again; if "
                        "it keeps happening, call IT."));

  switch ((AgRevealError) error->code)
    {
      case AG_REVEAL_ERROR_LOCKED:
        return g_strdup (_("Agent Guard is locked, so the value stays hidden. Unlock it and "
                            "try again."));
      case AG_REVEAL_ERROR_NOT_MASKED:
        return g_strdup (_("Your policy does not hide this field, so there is nothing to "
                            "reveal."));
      case AG_REVEAL_ERROR_REASON_REQUIRED:
        return g_strdup (_("Choose a reason first: every reveal needs one."));
      case AG_REVEAL_ERROR_UNKNOWN_REASON:
        return g_strdup (_("That reason is no longer on your list. Choose another one."));
      case AG_REVEAL_ERROR_QUOTA:
        {
          guint max = ag_policy_get_max_reveals_per_hour (ag_guard_get_policy (guard));

          /* Translators: %u is the policy's max-reveals-per-hour, such as 30. */
          return g_strdup_printf (ngettext ("You reached your limit of %u reveal per hour. Ask "
                                            "your supervisor.",
                                            "You reached your limit of %u reveals per hour. "
                                            "Ask your supervisor.",
                                            max),
                                  max);
        }
      case AG_REVEAL_ERROR_STEP_UP_FAILED:
        return g_strdup (_("Your password or code was not accepted, so the value stays "
                            "hidden. Try again."));
      case AG_REVEAL_ERROR_LEDGER:
        return g_strdup (_("The reveal could not be recorded, so the value stays hidden. Try "
                            "again or call IT."));
      case AG_REVEAL_ERROR_NOT_FOUND:
        return g_strdup (_("This customer or field is no longer in the records. Search for "
                            "the customer again."));
      case AG_REVEAL_ERROR_CANCELLED:
        return g_strdup (_("The reveal was cancelled. The value stays hidden."));
      case AG_REVEAL_ERROR_INVALID_TICKET:
        return g_strdup (_("The ticket must be a ticket or call ID, never a CPF, CNPJ or card "
                            "number."));
      case AG_REVEAL_ERROR_ROLLED_BACK:
        return g_strdup (_("This copy of the records is older than its audit ledger, so "
                            "nothing can be revealed. Call IT."));
      case AG_REVEAL_ERROR_FAILED:
      default:
        return g_strdup (_("The value could not be revealed, so it stays hidden. Try again; "
                            "if it keeps happening, call IT."));
    }
}

/* Why a ticket typed in the dialog is refused, or %NULL when it is not. */
static char *
describe_ticket_problem (AgTicketProblem problem)
{
  switch (problem)
    {
      case AG_TICKET_OK:
      case AG_TICKET_EMPTY: /* the ticket is optional */
        return NULL;
      case AG_TICKET_TOO_LONG:
        /* Translators: %u is the longest ticket allowed, 64. */
        return g_strdup_printf (ngettext ("A ticket or call ID has at most %u character.",
                                          "A ticket or call ID has at most %u characters.",
                                          AG_REVEAL_TICKET_MAX),
                                AG_REVEAL_TICKET_MAX);
      case AG_TICKET_BAD_CHARACTER:
        return g_strdup (_("Only letters, digits and - _ . / # : go in a ticket or call ID, "
                            "without spaces."));
      case AG_TICKET_LOOKS_LIKE_PII:
      default:
        return g_strdup (_("This looks like a CPF, CNPJ or card number, which the audit log "
                            "must never keep. Type the ticket or call ID, or leave this empty."));
    }
}

/* State ----------------------------------------------------------------------------------- */

/* The message under the ticket is in the scrolled part of the dialog, maybe below what
 * shows: it is brought into sight once it has its place, laid out in the frame after the
 * one it was shown in. */
static gboolean
scroll_to_ticket_error_cb (GtkWidget *label, GdkFrameClock *frame_clock, gpointer user_data)
{
  AgRevealDialog *self = user_data;
  GtkWidget *scrolled = gtk_widget_get_ancestor (label, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *viewport = scrolled != NULL ? gtk_widget_get_first_child (scrolled) : NULL;
  GtkWidget *content = viewport != NULL ? gtk_widget_get_first_child (viewport) : NULL;
  GtkAdjustment *adjustment;
  graphene_rect_t bounds;

  if (!gtk_widget_get_visible (label) || content == NULL)
    {
      self->ticket_scroll_id = 0;
      return G_SOURCE_REMOVE;
    }
  if (self->ticket_scroll_frame == 0)
    self->ticket_scroll_frame = gdk_frame_clock_get_frame_counter (frame_clock);
  if (gdk_frame_clock_get_frame_counter (frame_clock) == self->ticket_scroll_frame
      || !gtk_widget_compute_bounds (label, content, &bounds))
    return G_SOURCE_CONTINUE;

  /* The entry above it too, where the caret is. */
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  gtk_adjustment_clamp_page (adjustment, bounds.origin.y - 60,
                             bounds.origin.y + bounds.size.height + 6);
  self->ticket_scroll_id = 0;
  return G_SOURCE_REMOVE;
}

/* Says why the ticket is refused under it, and to screen readers as the error of the text
 * the caret is in; the focus stays there, for the agent to fix it. */
static void
show_ticket_problem (AgRevealDialog *self, AgTicketProblem problem)
{
  g_autofree char *why = describe_ticket_problem (problem);
  gboolean new_message
    = why != NULL && g_strcmp0 (gtk_label_get_text (self->ticket_error_label), why) != 0;
  GtkAccessible *entry
    = GTK_ACCESSIBLE (gtk_editable_get_delegate (GTK_EDITABLE (self->ticket_row)));

  if (why != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->ticket_row), "error");
      gtk_label_set_text (self->ticket_error_label, why);
      gtk_accessible_update_state (entry, GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_relation (entry, GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE,
                                      self->ticket_error_label, -1);
      gtk_accessible_update_property (entry, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why, -1);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->ticket_row), "error");
      gtk_label_set_text (self->ticket_error_label, "");
      gtk_accessible_update_state (entry, GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_FALSE, -1);
      gtk_accessible_reset_relation (entry, GTK_ACCESSIBLE_RELATION_ERROR_MESSAGE);
      gtk_accessible_reset_property (entry, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->ticket_error_label), why != NULL);
  if (new_message && self->ticket_scroll_id == 0)
    {
      self->ticket_scroll_frame = 0;
      self->ticket_scroll_id = gtk_widget_add_tick_callback (GTK_WIDGET (self->ticket_error_label),
                                                             scroll_to_ticket_error_cb, self, NULL);
    }
}

static gboolean
is_running (AgRevealDialog *self)
{
  return self->cancellable != NULL;
}

static void
update (AgRevealDialog *self)
{
  gboolean running = is_running (self);
  gboolean waiting = ag_auth_prompts_get_waiting (self->prompts);
  g_autofree char *ticket
    = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ticket_row))));
  /* The ledger keeps the ticket: one that looks like a document or card number, or like
   * free text, is refused here already, and the dialog says why. */
  AgTicketProblem problem = ag_guard_check_ticket (ticket);
  gboolean ticket_ok = problem == AG_TICKET_OK || problem == AG_TICKET_EMPTY;
  gboolean ready
    = (!self->require_reason || ag_reveal_dialog_get_reason (self) != NULL) && ticket_ok;

  show_ticket_problem (self, problem);

  gtk_widget_set_sensitive (GTK_WIDGET (self->reveal_button), running ? waiting : ready);
  /* With a step-up the first press leads on to the password and code. */
  gtk_button_set_label (self->reveal_button,
                        self->step_up && !running ? _("_Continue") : _("_Reveal"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->reasons_list), !running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->ticket_row), !running);
  /* During a step-up the prompts take the place of the choices made already. */
  gtk_widget_set_visible (GTK_WIDGET (self->reasons_group), !(running && self->step_up));
  gtk_widget_set_visible (
    gtk_widget_get_ancestor (GTK_WIDGET (self->ticket_row), ADW_TYPE_PREFERENCES_GROUP),
    !(running && self->step_up));
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), running && !waiting);
  gtk_spinner_set_spinning (self->spinner, running && !waiting);
}

static void
show_error (AgRevealDialog *self, const char *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static void
stop_step_up (AgRevealDialog *self)
{
  if (self->step_up_handler != 0)
    g_clear_signal_handler (&self->step_up_handler, self->guard);
  ag_auth_prompts_clear (self->prompts);
}

/* Revealing ------------------------------------------------------------------------------- */

static void
reveal_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgRevealDialog) self = user_data;
  g_autoptr (AgReveal) reveal = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  reveal = ag_guard_reveal_finish (AG_GUARD (object), result, &error);
  g_clear_object (&self->cancellable);

  if (self->closed)
    {
      /* Nobody is there to show it any more. */
      if (reveal != NULL)
        ag_guard_remask (self->guard, reveal, AG_REMASK_CAUSE_CLOSE);
      return;
    }

  stop_step_up (self);

  if (reveal != NULL)
    {
      g_signal_emit (self, signals[SIGNAL_REVEALED], 0, reveal);
      gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  /* The cause alone: the developer message may name the customer's id. */
  g_message ("Reveal denied: %s", error->domain == AG_REVEAL_ERROR
                                    ? ag_reveal_error_to_cause (error->code)
                                    : g_quark_to_string (error->domain));
  text = ag_reveal_dialog_describe_error (self->guard, error);
  show_error (self, text);
  update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->reveal_button));
}

static void
step_up_conversation_cb (AgRevealDialog *self, AgAuthBatch *batch)
{
  ag_auth_prompts_show_batch (self->prompts, batch);
  update (self);
}

/* The step-up's prompts take the place of the choices: the dialog keeps the height it has
 * (they scroll if they need more, up to its cap) rather than jumping under the pointer.
 * Before its first allocation (Enter pressed at once) that is its natural height. */
static void
keep_height (AgRevealDialog *self)
{
  GtkWidget *scroller = GTK_WIDGET (self->scroller);
  int height = gtk_widget_get_height (scroller);

  if (height <= 0)
    gtk_widget_measure (scroller, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (scroller), NULL,
                        &height, NULL, NULL);
  gtk_scrolled_window_set_min_content_height (
    self->scroller, MIN (height, gtk_scrolled_window_get_max_content_height (self->scroller)));
}

static void
start_reveal (AgRevealDialog *self)
{
  g_autofree char *ticket = NULL;
  const char *reason = ag_reveal_dialog_get_reason (self);

  if (is_running (self) || (self->require_reason && reason == NULL))
    return;

  ticket = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->ticket_row))));
  show_error (self, NULL);
  stop_step_up (self);
  if (self->step_up)
    keep_height (self);

  self->cancellable = g_cancellable_new ();
  self->step_up_handler
    = g_signal_connect_object (self->guard, "step-up-conversation",
                               G_CALLBACK (step_up_conversation_cb), self, G_CONNECT_SWAPPED);
  update (self);
  ag_guard_reveal_async (self->guard, self->record_id, self->kind, reason,
                         ticket[0] != '\0' ? ticket : NULL, self->cancellable, reveal_done_cb,
                         g_object_ref (self));
}

static void
reveal_clicked_cb (AgRevealDialog *self)
{
  if (ag_auth_prompts_get_waiting (self->prompts))
    ag_auth_prompts_submit (self->prompts);
  else
    start_reveal (self);
}

static void
reason_toggled_cb (AgRevealDialog *self)
{
  update (self);
}

/* The reasons as a radio group: the arrows move among them and choose; Return reveals once
 * a reason is chosen (before, it chooses the one with the focus, as Space does). */
static gboolean
reasons_key_pressed_cb (AgRevealDialog *self, guint keyval, guint keycode, GdkModifierType state,
                        GtkEventControllerKey *controller)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  GtkWidget *row = focus != NULL ? gtk_widget_get_ancestor (focus, GTK_TYPE_LIST_BOX_ROW) : NULL;
  int n_reasons = (int) self->reason_checks->len;
  int index, next;

  if ((state & gtk_accelerator_get_default_mod_mask ()) != 0 || row == NULL)
    return GDK_EVENT_PROPAGATE;
  index = gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (row));

  switch (keyval)
    {
      case GDK_KEY_Return:
      case GDK_KEY_ISO_Enter:
      case GDK_KEY_KP_Enter:
        if (ag_reveal_dialog_get_reason (self) == NULL)
          return GDK_EVENT_PROPAGATE;
        if (gtk_widget_is_sensitive (GTK_WIDGET (self->reveal_button)))
          gtk_widget_activate (GTK_WIDGET (self->reveal_button));
        return GDK_EVENT_STOP;
      case GDK_KEY_Up:
      case GDK_KEY_KP_Up:
        next = index - 1;
        break;
      case GDK_KEY_Down:
      case GDK_KEY_KP_Down:
        next = index + 1;
        break;
      case GDK_KEY_Home:
      case GDK_KEY_KP_Home:
        next = 0;
        break;
      case GDK_KEY_End:
      case GDK_KEY_KP_End:
        next = n_reasons - 1;
        break;
      default:
        return GDK_EVENT_PROPAGATE;
    }

  if (index < 0 || n_reasons == 0)
    return GDK_EVENT_PROPAGATE;
  next = CLAMP (next, 0, n_reasons - 1);
  gtk_widget_grab_focus (GTK_WIDGET (gtk_list_box_get_row_at_index (self->reasons_list, next)));
  gtk_check_button_set_active (g_ptr_array_index (self->reason_checks, next), TRUE);
  return GDK_EVENT_STOP;
}

static void
guard_state_cb (AgRevealDialog *self)
{
  /* A lock takes every customer's widgets away, this dialog with them. */
  if (ag_guard_get_state (self->guard) != AG_GUARD_STATE_UNLOCKED)
    gtk_window_destroy (GTK_WINDOW (self));
}

/* Building -------------------------------------------------------------------------------- */

static void
add_reason (AgRevealDialog *self, const char *code)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ag_policy_reason_code_get_label (code));
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  /* The row is the reason's one focus stop; activating it checks the button. */
  gtk_widget_set_focusable (check, FALSE);
  if (self->reason_checks->len > 0)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check),
                                g_ptr_array_index (self->reason_checks, 0));
  g_signal_connect_swapped (check, "toggled", G_CALLBACK (reason_toggled_cb), self);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_list_box_append (self->reasons_list, row);
  g_ptr_array_add (self->reason_checks, check);
}

static void
ag_reveal_dialog_constructed (GObject *object)
{
  AgRevealDialog *self = AG_REVEAL_DIALOG (object);
  AgPolicy *policy;
  guint duration;
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  G_OBJECT_CLASS (ag_reveal_dialog_parent_class)->constructed (object);

  g_assert (AG_IS_GUARD (self->guard));
  policy = ag_guard_get_policy (self->guard);
  self->require_reason = ag_policy_get_require_reason (policy);
  self->reason_codes = g_strdupv ((char **) ag_policy_get_reason_codes (policy));
  self->step_up = ag_guard_needs_step_up (self->guard, self->kind);
  duration = ag_policy_get_reveal_duration (policy);

  /* Translators: the title of the reveal dialog; %s is the name of a field, such as
   * "CPF". */
  title = g_strdup_printf (_("Reveal %s"), self->field_label != NULL ? self->field_label : "");
  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);

  /* Translators: %u is the policy's reveal-duration in seconds. */
  body = g_strdup_printf (ngettext ("The value shows for %u second. Your name, this customer, "
                                    "the field and your reason are recorded.",
                                    "The value shows for %u seconds. Your name, this customer, "
                                    "the field and your reason are recorded.",
                                    duration),
                          duration);
  gtk_label_set_text (self->body_label, body);

  for (guint i = 0; self->reason_codes != NULL && self->reason_codes[i] != NULL; i++)
    add_reason (self, self->reason_codes[i]);
  adw_preferences_group_set_description (self->reasons_group,
                                         self->require_reason ? _("Required") : _("Optional"));

  gtk_label_set_text (self->step_up_label, describe_step_up (self->kind));
  gtk_widget_set_visible (GTK_WIDGET (self->step_up_box), self->step_up);

  g_signal_connect_object (self->guard, "notify::state", G_CALLBACK (guard_state_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->ticket_row, "changed", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);

  if (self->reason_checks->len > 0)
    gtk_window_set_focus (GTK_WINDOW (self),
                          GTK_WIDGET (gtk_list_box_get_row_at_index (self->reasons_list, 0)));
  update (self);
}

static gboolean
ag_reveal_dialog_close_request (GtkWindow *window)
{
  AgRevealDialog *self = AG_REVEAL_DIALOG (window);

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (ag_reveal_dialog_parent_class)->close_request (window);
}

static void
ag_reveal_dialog_dispose (GObject *object)
{
  AgRevealDialog *self = AG_REVEAL_DIALOG (object);

  self->closed = TRUE;
  g_cancellable_cancel (self->cancellable);
  if (self->guard != NULL)
    {
      g_clear_signal_handler (&self->step_up_handler, self->guard);
      g_signal_handlers_disconnect_by_data (self->guard, self);
    }
  if (self->ticket_scroll_id != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->ticket_error_label),
                                       self->ticket_scroll_id);
      self->ticket_scroll_id = 0;
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_TYPE_REVEAL_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ag_reveal_dialog_parent_class)->dispose (object);
}

static void
ag_reveal_dialog_finalize (GObject *object)
{
  AgRevealDialog *self = AG_REVEAL_DIALOG (object);

  g_clear_pointer (&self->record_id, g_free);
  g_clear_pointer (&self->field_label, g_free);
  g_clear_pointer (&self->reason_codes, g_strfreev);
  g_clear_pointer (&self->reason_checks, g_ptr_array_unref);

  G_OBJECT_CLASS (ag_reveal_dialog_parent_class)->finalize (object);
}

static void
ag_reveal_dialog_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgRevealDialog *self = AG_REVEAL_DIALOG (object);

  switch (prop_id)
    {
      case PROP_GUARD:
        g_value_set_object (value, self->guard);
        break;
      case PROP_RECORD_ID:
        g_value_set_string (value, self->record_id);
        break;
      case PROP_KIND:
        g_value_set_int (value, self->kind);
        break;
      case PROP_FIELD_LABEL:
        g_value_set_string (value, self->field_label);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_reveal_dialog_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  AgRevealDialog *self = AG_REVEAL_DIALOG (object);

  switch (prop_id)
    {
      case PROP_GUARD:
        self->guard = g_value_dup_object (value);
        break;
      case PROP_RECORD_ID:
        self->record_id = g_value_dup_string (value);
        break;
      case PROP_KIND:
        self->kind = g_value_get_int (value);
        break;
      case PROP_FIELD_LABEL:
        self->field_label = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_reveal_dialog_class_init (AgRevealDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  g_type_ensure (AG_TYPE_AUTH_PROMPTS);

  object_class->constructed = ag_reveal_dialog_constructed;
  object_class->dispose = ag_reveal_dialog_dispose;
  object_class->finalize = ag_reveal_dialog_finalize;
  object_class->get_property = ag_reveal_dialog_get_property;
  object_class->set_property = ag_reveal_dialog_set_property;

  window_class->close_request = ag_reveal_dialog_close_request;

  properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RECORD_ID]
    = g_param_spec_string ("record-id", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND]
    = g_param_spec_int ("kind", NULL, NULL, 0, AG_PII_N_KINDS - 1, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FIELD_LABEL]
    = g_param_spec_string ("field-label", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgRevealDialog::revealed:
   * @reveal: the live reveal
   *
   * The guard granted the reveal; the dialog closes right after.
   */
  signals[SIGNAL_REVEALED] = g_signal_new ("revealed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, AG_TYPE_REVEAL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-reveal-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, body_label);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, reasons_group);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, reasons_list);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, ticket_row);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, ticket_error_label);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, scroller);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, step_up_box);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, step_up_label);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, prompts);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AgRevealDialog, reveal_button);
  gtk_widget_class_bind_template_callback (widget_class, reveal_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, update);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
ag_reveal_dialog_init (AgRevealDialog *self)
{
  GtkEventController *controller;

  self->reason_checks = g_ptr_array_new ();
  gtk_widget_init_template (GTK_WIDGET (self));

  ag_list_keynav_single_tab_stop (self->reasons_list);
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect_swapped (controller, "key-pressed", G_CALLBACK (reasons_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->reasons_list), controller);
}

/**
 * ag_reveal_dialog_new:
 * @guard: the guard that decides
 * @record_id: the customer's id
 * @kind: the field's kind
 * @field_label: the translated name of the field, such as "CPF"
 *
 * Returns: (transfer none): a new dialog, owned by GTK's list of toplevels; present it
 *   with gtk_window_present()
 */
AgRevealDialog *
ag_reveal_dialog_new (AgGuard *guard, const char *record_id, AgPiiKind kind,
                      const char *field_label)
{
  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);
  g_return_val_if_fail (record_id != NULL, NULL);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);

  return g_object_new (AG_TYPE_REVEAL_DIALOG, "guard", guard, "record-id", record_id, "kind",
                       (int) kind, "field-label", field_label, NULL);
}

AgGuard *
ag_reveal_dialog_get_guard (AgRevealDialog *self)
{
  g_return_val_if_fail (AG_IS_REVEAL_DIALOG (self), NULL);

  return self->guard;
}

const char *
ag_reveal_dialog_get_record_id (AgRevealDialog *self)
{
  g_return_val_if_fail (AG_IS_REVEAL_DIALOG (self), NULL);

  return self->record_id;
}

AgPiiKind
ag_reveal_dialog_get_kind (AgRevealDialog *self)
{
  g_return_val_if_fail (AG_IS_REVEAL_DIALOG (self), 0);

  return self->kind;
}

/**
 * ag_reveal_dialog_get_reason:
 *
 * Returns: (nullable): the reason code chosen, or %NULL while none is
 */
const char *
ag_reveal_dialog_get_reason (AgRevealDialog *self)
{
  g_return_val_if_fail (AG_IS_REVEAL_DIALOG (self), NULL);

  for (guint i = 0; i < self->reason_checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (self->reason_checks, i)))
      return self->reason_codes[i];
  return NULL;
}

/**
 * ag_reveal_dialog_select_reason:
 * @self: the dialog
 * @code: a reason code of the policy
 *
 * Chooses @code as the agent would by clicking it.
 *
 * Returns: %FALSE when @code is not one of the policy's reasons
 */
gboolean
ag_reveal_dialog_select_reason (AgRevealDialog *self, const char *code)
{
  g_return_val_if_fail (AG_IS_REVEAL_DIALOG (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  for (guint i = 0; i < self->reason_checks->len; i++)
    if (g_str_equal (self->reason_codes[i], code))
      {
        gtk_check_button_set_active (g_ptr_array_index (self->reason_checks, i), TRUE);
        return TRUE;
      }
  return FALSE;
}
