/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-lock-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-lock-page.h"

/**
 * AgLockPage:
 *
 * The first thing the window shows and what every lock returns to. It names the fixed
 * user, starts a sign-in through the #AgGuard and renders each PAM message as it comes:
 * a password entry for a hidden prompt, a visible entry for an echoed one (one-time codes
 * often are), readable text for information and errors. Answers go to the guard; the
 * entries are emptied as soon as they are sent, and nothing here keeps a copy.
 */
struct _AgLockPage
{
  AdwBin parent_instance;

  AgGuard *guard;
  /* The batch waiting for answers, and one editable per message (NULL for texts). */
  AgAuthBatch *batch;
  GPtrArray *entries;
  /* The widgets of the prompts of @batch, removed once it is answered. */
  GPtrArray *prompt_widgets;

  GtkLabel *title_label;
  AdwAvatar *avatar;
  GtkLabel *user_label;
  GtkLabel *hint_label;
  GtkBox *messages_box;
  GtkSpinner *spinner;
  GtkLabel *error_label;
  GtkLabel *attempts_label;
  GtkButton *cancel_button;
  GtkButton *sign_in_button;
};

G_DEFINE_FINAL_TYPE (AgLockPage, ag_lock_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_GUARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* PAM texts the catalogue translates when a module sends them in English. */
static const char *const known_pam_texts[] = {
  /* Translators: pam_u2f asks to touch the security key. */
  N_("Please touch the device."),
};

/* Texts ----------------------------------------------------------------------------------- */

/* The label over a prompt's entry: known prompts in the agent's language, others as PAM
 * wrote them, without the trailing colon. */
static char *
prompt_title (const char *text)
{
  g_autofree char *title = g_strstrip (g_strdup (text));
  gsize len = strlen (title);

  if (g_str_has_prefix (title, "Password"))
    return g_strdup (_("Password"));
  if (g_str_has_prefix (title, "One-time password")
      || g_str_has_prefix (title, "Verification code"))
    /* Translators: the one-time code of the sign-in's second factor. */
    return g_strdup (C_("sign-in prompt", "Code"));

  while (len > 0 && (title[len - 1] == ':' || g_ascii_isspace (title[len - 1])))
    title[--len] = '\0';
  return g_steal_pointer (&title);
}

static const char *
message_text (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_pam_texts); i++)
    if (g_str_equal (text, known_pam_texts[i]))
      return _(known_pam_texts[i]);
  return text;
}

static char *
describe_failure (const GError *error)
{
  if (g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_FAILED))
    return g_strdup (_("Sign-in failed. Check your password and code."));
  if (g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_ACCOUNT_REFUSED))
    return g_strdup (_("Your account may not sign in now. Call IT."));
  if (g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_TOO_FEW_FACTORS))
    return g_strdup (_("Sign-in on this computer asks for fewer than two factors, so Agent "
                        "Guard refuses it. For IT: make /etc/pam.d/agent-guard ask for the "
                        "password and a one-time code (see the README), then check it with "
                        "“agent-guard-admin auth-check”."));
  if (g_error_matches (error, AG_AUTH_ERROR, AG_AUTH_ERROR_NOT_SAME_USER))
    return g_strdup (_("Only the user running Agent Guard can sign in here."));
  return g_strdup (_("Sign-in is not set up correctly on this computer. Call IT."));
}

/* Rendering ------------------------------------------------------------------------------ */

static void
clear_prompts (AgLockPage *self)
{
  /* Empty every entry before it goes, so no answer outlives the prompt in a buffer. */
  if (self->entries != NULL)
    for (guint i = 0; i < self->entries->len; i++)
      {
        GtkEditable *entry = g_ptr_array_index (self->entries, i);

        if (entry != NULL)
          gtk_editable_set_text (entry, "");
      }
  g_clear_pointer (&self->entries, g_ptr_array_unref);

  /* Take the focus off a prompt before it goes: GTK 4.8 may still look at the old focus
   * widget in the next layout. */
  if (self->prompt_widgets != NULL && self->prompt_widgets->len > 0)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->messages_box)))
        gtk_root_set_focus (root, NULL);
    }

  if (self->prompt_widgets != NULL)
    for (guint i = 0; i < self->prompt_widgets->len; i++)
      gtk_box_remove (self->messages_box, g_ptr_array_index (self->prompt_widgets, i));
  g_clear_pointer (&self->prompt_widgets, g_ptr_array_unref);

  g_clear_object (&self->batch);
}

static void
clear_messages (AgLockPage *self)
{
  GtkWidget *child;

  clear_prompts (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->messages_box))) != NULL)
    gtk_box_remove (self->messages_box, child);
}

static void
show_error (AgLockPage *self, const char *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static void
update_attempts (AgLockPage *self)
{
  guint n = ag_guard_get_failed_attempts (self->guard);
  g_autofree char *text = NULL;

  /* Translators: %u is how many sign-in attempts failed since the last success. */
  text = g_strdup_printf (ngettext ("%u failed attempt", "%u failed attempts", n), n);
  gtk_label_set_text (self->attempts_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->attempts_label), n > 0);
}

static void
update (AgLockPage *self)
{
  AgGuardState state = ag_guard_get_state (self->guard);
  gboolean signed_in = ag_guard_get_signed_in (self->guard);
  gboolean authenticating = state == AG_GUARD_STATE_AUTHENTICATING;
  gboolean waiting_for_answers = self->batch != NULL;

  gtk_label_set_text (self->title_label, signed_in ? _("Locked") : _("Welcome"));
  gtk_label_set_text (self->hint_label,
                      signed_in ? _("Unlock with your password and one-time code to see "
                                     "customer records again.")
                                : _("Sign in with your password and one-time code to see "
                                     "customer records."));
  gtk_button_set_label (self->sign_in_button, signed_in ? _("_Unlock") : _("_Sign In"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button),
                            !authenticating || waiting_for_answers);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), authenticating);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), authenticating && !waiting_for_answers);
  gtk_spinner_set_spinning (self->spinner, authenticating && !waiting_for_answers);
}

static GtkWidget *
add_text (AgLockPage *self, const char *text, gboolean is_error)
{
  GtkWidget *label = gtk_label_new (message_text (text));

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, is_error ? "error" : "dim-label");
  gtk_box_append (self->messages_box, label);
  return label;
}

static void
entry_activate_cb (GtkWidget *entry, AgLockPage *self);

static GtkWidget *
add_prompt (AgLockPage *self, const char *text, gboolean secret)
{
  g_autofree char *title = prompt_title (text);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *entry;

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "heading");
  gtk_box_append (GTK_BOX (box), label);

  if (secret)
    {
      entry = gtk_password_entry_new ();
      gtk_password_entry_set_show_peek_icon (GTK_PASSWORD_ENTRY (entry), TRUE);
    }
  else
    {
      entry = gtk_entry_new ();
      /* What is typed here is not kept anywhere else either. */
      gtk_entry_set_input_hints (GTK_ENTRY (entry), GTK_INPUT_HINT_NO_SPELLCHECK
                                                      | GTK_INPUT_HINT_NO_EMOJI
                                                      | GTK_INPUT_HINT_PRIVATE);
    }
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), self);
  gtk_box_append (GTK_BOX (box), entry);

  gtk_box_append (self->messages_box, box);
  g_ptr_array_add (self->prompt_widgets, box);
  return entry;
}

/* Answering ----------------------------------------------------------------------------- */

static void
submit (AgLockPage *self)
{
  g_autoptr (AgAuthBatch) batch = NULL;

  if (self->batch == NULL)
    return;

  batch = g_object_ref (self->batch);
  for (guint i = 0; i < self->entries->len; i++)
    {
      GtkEditable *entry = g_ptr_array_index (self->entries, i);

      if (entry != NULL)
        ag_auth_batch_set_answer (batch, i, gtk_editable_get_text (entry));
    }
  /* Empties the entries and drops the prompts before PAM even sees the answers. */
  clear_prompts (self);
  update (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  ag_auth_batch_reply (batch);
}

static void
entry_activate_cb (GtkWidget *entry, AgLockPage *self)
{
  gboolean after = FALSE;

  if (self->entries == NULL)
    return;

  /* Enter moves on to the next prompt of the batch, and sends them from the last. */
  for (guint i = 0; i < self->entries->len; i++)
    {
      GtkWidget *other = g_ptr_array_index (self->entries, i);

      if (other == NULL)
        continue;
      if (after)
        {
          gtk_widget_grab_focus (other);
          return;
        }
      if (other == entry)
        after = TRUE;
    }
  submit (self);
}

static void
begin (AgLockPage *self)
{
  g_autoptr (GError) error = NULL;

  /* The last failure stays in sight until the next result. */
  clear_messages (self);
  if (!ag_guard_begin (self->guard, &error))
    {
      g_autofree char *text = NULL;

      g_message ("Could not start the sign-in: %s", error->message);
      text = describe_failure (error);
      show_error (self, text);
    }
}

static void
sign_in_clicked_cb (AgLockPage *self)
{
  if (self->batch != NULL)
    submit (self);
  else if (ag_guard_get_state (self->guard) == AG_GUARD_STATE_LOCKED)
    begin (self);
}

static void
cancel_clicked_cb (AgLockPage *self)
{
  ag_guard_cancel (self->guard);
}

/* Guard signals ------------------------------------------------------------------------- */

static void
conversation_cb (AgLockPage *self, AgAuthBatch *batch)
{
  guint n = ag_auth_batch_get_n_messages (batch);
  GtkWidget *first_entry = NULL;

  /* A new batch replaces prompts left unanswered (there should be none). */
  clear_prompts (self);

  if (ag_auth_batch_needs_reply (batch))
    {
      self->batch = g_object_ref (batch);
      self->entries = g_ptr_array_new ();
      self->prompt_widgets = g_ptr_array_new ();
    }

  for (guint i = 0; i < n; i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);
      GtkWidget *entry = NULL;

      switch (ag_auth_batch_get_kind (batch, i))
        {
          case AG_AUTH_MESSAGE_PROMPT_SECRET:
          case AG_AUTH_MESSAGE_PROMPT_VISIBLE:
            if (self->batch == NULL)
              break;
            entry = add_prompt (self, text,
                                ag_auth_batch_get_kind (batch, i) == AG_AUTH_MESSAGE_PROMPT_SECRET);
            if (first_entry == NULL)
              first_entry = entry;
            break;
          case AG_AUTH_MESSAGE_INFO:
            add_text (self, text, FALSE);
            break;
          case AG_AUTH_MESSAGE_ERROR:
            add_text (self, text, TRUE);
            break;
          default:
            g_assert_not_reached ();
        }
      if (self->entries != NULL)
        g_ptr_array_add (self->entries, entry);
    }

  update (self);
  if (first_entry != NULL)
    gtk_widget_grab_focus (first_entry);
}

static void
attempt_failed_cb (AgLockPage *self, const GError *error)
{
  g_autofree char *text = describe_failure (error);

  g_message ("Sign-in failed: %s", error->message);
  show_error (self, text);
}

static void
state_changed_cb (AgLockPage *self)
{
  AgGuardState state = ag_guard_get_state (self->guard);

  if (state != AG_GUARD_STATE_AUTHENTICATING)
    clear_prompts (self);
  if (state == AG_GUARD_STATE_UNLOCKED)
    {
      clear_messages (self);
      show_error (self, NULL);
    }
  update (self);
  if (state == AG_GUARD_STATE_LOCKED)
    gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_button));
}

/* GObject ------------------------------------------------------------------------------- */

static void
ag_lock_page_constructed (GObject *object)
{
  AgLockPage *self = AG_LOCK_PAGE (object);
  const char *user;

  G_OBJECT_CLASS (ag_lock_page_parent_class)->constructed (object);

  g_assert (AG_IS_GUARD (self->guard));
  user = ag_guard_get_user (self->guard);
  gtk_label_set_text (self->user_label, user);
  adw_avatar_set_text (self->avatar, user);

  g_signal_connect_object (self->guard, "conversation", G_CALLBACK (conversation_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->guard, "attempt-failed", G_CALLBACK (attempt_failed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->guard, "notify::state", G_CALLBACK (state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->guard, "notify::signed-in", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->guard, "notify::failed-attempts", G_CALLBACK (update_attempts),
                           self, G_CONNECT_SWAPPED);
  update (self);
  update_attempts (self);
}

static void
ag_lock_page_dispose (GObject *object)
{
  AgLockPage *self = AG_LOCK_PAGE (object);

  if (self->messages_box != NULL)
    clear_prompts (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), AG_TYPE_LOCK_PAGE);
  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ag_lock_page_parent_class)->dispose (object);
}

static void
ag_lock_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgLockPage *self = AG_LOCK_PAGE (object);

  switch (prop_id)
    {
      case PROP_GUARD:
        g_value_set_object (value, self->guard);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_lock_page_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgLockPage *self = AG_LOCK_PAGE (object);

  switch (prop_id)
    {
      case PROP_GUARD:
        self->guard = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
escape_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  AgLockPage *self = AG_LOCK_PAGE (widget);

  if (ag_guard_get_state (self->guard) != AG_GUARD_STATE_AUTHENTICATING)
    return FALSE;
  ag_guard_cancel (self->guard);
  return TRUE;
}

static void
ag_lock_page_class_init (AgLockPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ag_lock_page_constructed;
  object_class->dispose = ag_lock_page_dispose;
  object_class->get_property = ag_lock_page_get_property;
  object_class->set_property = ag_lock_page_set_property;

  properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-lock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, user_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, messages_box);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, attempts_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Escape, 0, escape_cb, NULL);
}

static void
ag_lock_page_init (AgLockPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
ag_lock_page_new (AgGuard *guard)
{
  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);

  return g_object_new (AG_TYPE_LOCK_PAGE, "guard", guard, NULL);
}

/**
 * ag_lock_page_get_guard:
 *
 * Returns: (transfer none): the guard the page signs in with
 */
AgGuard *
ag_lock_page_get_guard (AgLockPage *self)
{
  g_return_val_if_fail (AG_IS_LOCK_PAGE (self), NULL);

  return self->guard;
}
