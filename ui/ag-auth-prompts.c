/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-auth-prompts"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-auth-prompts.h"
#include "ag-pam-texts.h"

/**
 * AgAuthPrompts:
 *
 * Renders the message batches of a PAM conversation, for the lock page's sign-in and for
 * a reveal's step-up alike: a password entry for a hidden prompt, a visible entry for an
 * echoed one (one-time codes often are), readable text for information and errors.
 *
 * Enter moves from one prompt of a batch to the next and sends the answers from the
 * last. Before the first prompt comes, ag_auth_prompts_expect() shows a password entry
 * that takes what is typed meanwhile, Enter included, and becomes the first prompt's. The entries
 * are emptied and dropped before the answers reach PAM, and nothing here keeps a copy. ::submitted
 * is emitted just before that reply.
 */
struct _AgAuthPrompts
{
  AdwBin parent_instance;

  /* The batch waiting for answers, and one editable per message (NULL for texts). */
  AgAuthBatch *batch;
  GPtrArray *entries;
  /* The widgets of the prompts of @batch, removed once it is answered. */
  GPtrArray *prompt_widgets;
  /* Before the first prompt of a conversation comes (ag_auth_prompts_expect()): a password
   * entry that takes what is typed meanwhile, and Enter pressed in it (GNOME Shell's
   * preemptive answer). It becomes the first prompt's entry. */
  GtkWidget *pending_box;
  GtkWidget *pending_entry;
  gboolean pending_activated;

  GtkBox *box;
};

G_DEFINE_FINAL_TYPE (AgAuthPrompts, ag_auth_prompts, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_WAITING,
  N_PROPS
};

enum
{
  SIGNAL_SUBMITTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Rendering ------------------------------------------------------------------------------ */

static void
add_text (AgAuthPrompts *self, const char *text, gboolean is_error)
{
  g_autofree char *shown = ag_pam_message_text (text);
  GtkWidget *label = gtk_label_new (shown);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
  gtk_widget_add_css_class (label, is_error ? "error" : "dim-label");
  /* Texts that come before the first prompt stay above the entry that waits for it. */
  if (self->pending_box != NULL)
    gtk_box_insert_child_after (self->box, label, gtk_widget_get_prev_sibling (self->pending_box));
  else
    gtk_box_append (self->box, label);
}

static void
entry_activate_cb (GtkWidget *entry, AgAuthPrompts *self);

/* Enter before the question: the answer is sent as soon as it is asked for. */
static void
pending_activate_cb (GtkWidget *entry, AgAuthPrompts *self)
{
  /* A stray Enter in an empty entry would send an empty password: a failed attempt. */
  if (gtk_editable_get_text (GTK_EDITABLE (entry))[0] == '\0')
    return;
  self->pending_activated = TRUE;
  gtk_editable_set_editable (GTK_EDITABLE (entry), FALSE);
}

static void
focus_entry (GtkWidget *entry)
{
  GtkRoot *root = gtk_widget_get_root (entry);
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && (focus == entry || gtk_widget_is_ancestor (focus, entry)))
    return;
  /* Into the text, caret at the end, nothing selected: a key typed next adds to it. */
  gtk_text_grab_focus_without_selecting (
    GTK_TEXT (gtk_editable_get_delegate (GTK_EDITABLE (entry))));
  gtk_editable_set_position (GTK_EDITABLE (entry), -1);
}

static void
drop_pending (AgAuthPrompts *self)
{
  if (self->pending_box == NULL)
    return;
  gtk_editable_set_text (GTK_EDITABLE (self->pending_entry), "");
  if (gtk_widget_get_parent (self->pending_box) == GTK_WIDGET (self->box))
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (focus != NULL && gtk_widget_is_ancestor (focus, self->pending_box))
        gtk_root_set_focus (root, NULL);
      gtk_box_remove (self->box, self->pending_box);
    }
  self->pending_box = NULL;
  self->pending_entry = NULL;
  self->pending_activated = FALSE;
}

/* A prompt's title and entry, in a box; @entry_out is the entry. */
static GtkWidget *
build_prompt (const char *text, gboolean secret, GtkWidget **entry_out)
{
  g_autofree char *title = ag_pam_prompt_title (text);
  const char *hint = ag_pam_prompt_hint (text);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *label = gtk_label_new (title);
  GtkWidget *hint_label = NULL;
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
  gtk_box_append (GTK_BOX (box), entry);
  if (hint != NULL)
    {
      hint_label = gtk_label_new (hint);
      gtk_label_set_xalign (GTK_LABEL (hint_label), 0);
      gtk_label_set_wrap (GTK_LABEL (hint_label), TRUE);
      gtk_widget_add_css_class (hint_label, "dim-label");
      gtk_widget_add_css_class (hint_label, "caption");
      gtk_box_append (GTK_BOX (box), hint_label);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY,
                                      hint_label, NULL, -1);
    }
  *entry_out = entry;
  return box;
}

static GtkWidget *
add_prompt (AgAuthPrompts *self, const char *text, gboolean secret)
{
  GtkWidget *entry;
  GtkWidget *box = build_prompt (text, secret, &entry);

  g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), self);
  gtk_box_append (self->box, box);
  g_ptr_array_add (self->prompt_widgets, box);
  return entry;
}

/* The first prompt of a conversation takes over the entry that waited for it, with what
 * was typed there, its focus and its caret. A visible prompt does too when something was
 * typed already: that stays hidden, as it was typed. */
static GtkWidget *
adopt_pending (AgAuthPrompts *self, const char *text, gboolean secret)
{
  GtkWidget *entry = self->pending_entry;
  GtkWidget *label = gtk_widget_get_first_child (self->pending_box);
  g_autofree char *title = ag_pam_prompt_title (text);

  if (!secret && gtk_editable_get_text (GTK_EDITABLE (entry))[0] == '\0')
    {
      GtkWidget *new_entry;

      new_entry = add_prompt (self, text, secret);
      gtk_box_reorder_child_after (self->box, gtk_widget_get_parent (new_entry), self->pending_box);
      drop_pending (self);
      return new_entry;
    }

  gtk_label_set_text (GTK_LABEL (label), title);
  g_signal_handlers_disconnect_by_func (entry, pending_activate_cb, self);
  g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), self);
  gtk_editable_set_editable (GTK_EDITABLE (entry), TRUE);
  g_ptr_array_add (self->prompt_widgets, self->pending_box);
  self->pending_box = NULL;
  self->pending_entry = NULL;
  return entry;
}

static void
set_batch (AgAuthPrompts *self, AgAuthBatch *batch)
{
  gboolean was_waiting = self->batch != NULL;

  g_set_object (&self->batch, batch);
  if (was_waiting != (self->batch != NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WAITING]);
}

static void
drop_prompts (AgAuthPrompts *self);

/* Answering ----------------------------------------------------------------------------- */

static void
entry_activate_cb (GtkWidget *entry, AgAuthPrompts *self)
{
  gboolean after = FALSE;

  if (self->entries == NULL)
    return;
  /* Enter in an empty entry sends nothing (an empty answer is a failed attempt); the
   * Sign In button still sends what there is. */
  if (gtk_editable_get_text (GTK_EDITABLE (entry))[0] == '\0')
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
  ag_auth_prompts_submit (self);
}

/* GObject ------------------------------------------------------------------------------- */

static void
ag_auth_prompts_dispose (GObject *object)
{
  AgAuthPrompts *self = AG_AUTH_PROMPTS (object);

  if (self->box != NULL)
    ag_auth_prompts_clear_prompts (self);
  self->box = NULL;

  G_OBJECT_CLASS (ag_auth_prompts_parent_class)->dispose (object);
}

static void
ag_auth_prompts_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgAuthPrompts *self = AG_AUTH_PROMPTS (object);

  switch (prop_id)
    {
      case PROP_WAITING:
        g_value_set_boolean (value, ag_auth_prompts_get_waiting (self));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_auth_prompts_class_init (AgAuthPromptsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_auth_prompts_dispose;
  object_class->get_property = ag_auth_prompts_get_property;

  /**
   * AgAuthPrompts:waiting:
   *
   * Whether a batch shown waits for the agent's answers.
   */
  properties[PROP_WAITING] = g_param_spec_boolean ("waiting", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgAuthPrompts::submitted:
   *
   * The answers are about to go to PAM; the prompts are gone already.
   */
  signals[SIGNAL_SUBMITTED] = g_signal_new ("submitted", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ag_auth_prompts_init (AgAuthPrompts *self)
{
  self->box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 12));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->box));
}

GtkWidget *
ag_auth_prompts_new (void)
{
  return g_object_new (AG_TYPE_AUTH_PROMPTS, NULL);
}

/**
 * ag_auth_prompts_show_batch:
 * @self: the prompts
 * @batch: a message batch of a PAM conversation
 *
 * Shows the messages of @batch after those shown already, replacing prompts left
 * unanswered, and puts the focus on its first prompt.
 */
void
ag_auth_prompts_show_batch (AgAuthPrompts *self, AgAuthBatch *batch)
{
  guint n;
  guint n_prompts = 0;
  GtkWidget *first_entry = NULL;
  gboolean answer_now = FALSE;

  g_return_if_fail (AG_IS_AUTH_PROMPTS (self));
  g_return_if_fail (AG_IS_AUTH_BATCH (batch));

  /* A new batch replaces prompts left unanswered (there should be none). */
  drop_prompts (self);

  n = ag_auth_batch_get_n_messages (batch);
  if (ag_auth_batch_needs_reply (batch))
    {
      self->entries = g_ptr_array_new ();
      self->prompt_widgets = g_ptr_array_new ();
    }

  for (guint i = 0; i < n; i++)
    {
      const char *text = ag_auth_batch_get_text (batch, i);
      AgAuthMessageKind kind = ag_auth_batch_get_kind (batch, i);
      GtkWidget *entry = NULL;

      switch (kind)
        {
          case AG_AUTH_MESSAGE_PROMPT_SECRET:
          case AG_AUTH_MESSAGE_PROMPT_VISIBLE:
            if (self->entries == NULL)
              break;
            n_prompts++;
            if (first_entry == NULL && self->pending_box != NULL)
              {
                answer_now = self->pending_activated;
                entry = adopt_pending (self, text, kind == AG_AUTH_MESSAGE_PROMPT_SECRET);
              }
            else
              entry = add_prompt (self, text, kind == AG_AUTH_MESSAGE_PROMPT_SECRET);
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

  if (self->entries != NULL)
    set_batch (self, batch);
  if (first_entry == NULL)
    return;
  self->pending_activated = FALSE;
  focus_entry (first_entry);
  /* Enter was pressed before the question came: answer it now, or go on to the next. */
  if (answer_now)
    entry_activate_cb (first_entry, self);
}

/**
 * ag_auth_prompts_expect:
 * @self: the prompts
 *
 * Shows a password entry, focused, for the first prompt of a conversation that is
 * starting: what is typed there before the prompt comes (and Enter) is not lost, it goes
 * to that prompt. Nothing when a batch waits or the entry is there already.
 */
void
ag_auth_prompts_expect (AgAuthPrompts *self)
{
  g_return_if_fail (AG_IS_AUTH_PROMPTS (self));

  if (self->batch != NULL || self->pending_box != NULL)
    return;
  self->pending_box = build_prompt ("Password", TRUE, &self->pending_entry);
  g_signal_connect (self->pending_entry, "activate", G_CALLBACK (pending_activate_cb), self);
  self->pending_activated = FALSE;
  gtk_box_append (self->box, self->pending_box);
  focus_entry (self->pending_entry);
}

gboolean
ag_auth_prompts_get_waiting (AgAuthPrompts *self)
{
  g_return_val_if_fail (AG_IS_AUTH_PROMPTS (self), FALSE);

  return self->batch != NULL;
}

/**
 * ag_auth_prompts_submit:
 * @self: the prompts
 *
 * Sends what was typed into the prompts as the answers of the waiting batch; nothing
 * when no batch waits.
 */
void
ag_auth_prompts_submit (AgAuthPrompts *self)
{
  g_autoptr (AgAuthBatch) batch = NULL;

  g_return_if_fail (AG_IS_AUTH_PROMPTS (self));

  if (self->batch == NULL && self->pending_entry != NULL)
    {
      pending_activate_cb (self->pending_entry, self);
      return;
    }
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
  drop_prompts (self);
  g_signal_emit (self, signals[SIGNAL_SUBMITTED], 0);
  ag_auth_batch_reply (batch);
}

/* Empties and drops the prompts of the batch and forgets it; the texts and the entry
 * that waits for the first prompt stay. */
static void
drop_prompts (AgAuthPrompts *self)
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

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->box)))
        gtk_root_set_focus (root, NULL);
    }

  if (self->prompt_widgets != NULL)
    for (guint i = 0; i < self->prompt_widgets->len; i++)
      gtk_box_remove (self->box, g_ptr_array_index (self->prompt_widgets, i));
  g_clear_pointer (&self->prompt_widgets, g_ptr_array_unref);

  set_batch (self, NULL);
}

/**
 * ag_auth_prompts_clear_prompts:
 * @self: the prompts
 *
 * Empties and drops the prompts, the entry that waited for the first one included, and
 * forgets the waiting batch; the texts stay.
 */
void
ag_auth_prompts_clear_prompts (AgAuthPrompts *self)
{
  g_return_if_fail (AG_IS_AUTH_PROMPTS (self));

  drop_prompts (self);
  drop_pending (self);
}

/**
 * ag_auth_prompts_clear:
 * @self: the prompts
 *
 * Drops everything shown: the prompts and the texts.
 */
void
ag_auth_prompts_clear (AgAuthPrompts *self)
{
  GtkWidget *child;

  g_return_if_fail (AG_IS_AUTH_PROMPTS (self));

  ag_auth_prompts_clear_prompts (self);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->box))) != NULL)
    gtk_box_remove (self->box, child);
}
