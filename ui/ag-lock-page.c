/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-lock-page"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-auth-prompts.h"
#include "ag-lock-page.h"

/**
 * AgLockPage:
 *
 * The first thing the window shows and what every lock returns to. It names the fixed
 * user and, as GNOME Shell's unlock dialog does, starts a sign-in through the #AgGuard as
 * soon as it is shown (at launch, after a lock, after a failed attempt, after Cancel), with
 * the focus in a password entry: nothing typed is lost, even before PAM asks. Each PAM
 * message is rendered as it comes in an #AgAuthPrompts: a password entry for a hidden
 * prompt, a visible entry for an echoed one (one-time codes often are), readable text for
 * information and errors. A failure is shown above the fresh entry of the next attempt.
 * Answers go to the guard; the entries are emptied as soon as they are sent, and nothing
 * here keeps a copy.
 *
 * A sign-in starts again by itself only after an attempt the agent answered: one that
 * fails before any answer (a broken PAM stack, an account locked out) would otherwise
 * start over and fail for ever. Then the Sign In button starts the next.
 */
struct _AgLockPage
{
  AdwBin parent_instance;

  AgGuard *guard;

  GtkLabel *title_label;
  AdwAvatar *avatar;
  GtkLabel *user_label;
  GtkLabel *cause_label;
  GtkLabel *hint_label;
  AgAuthPrompts *prompts;
  GtkSpinner *spinner;
  GtkLabel *error_label;
  GtkLabel *attempts_label;
  GtkButton *cancel_button;
  GtkButton *sign_in_button;

  guint begin_id;     /* the idle that starts the next attempt */
  gboolean answered;  /* the agent answered a prompt of the running attempt */
  gboolean held_back; /* the last attempt failed unanswered: wait for the button */

  GdkSurface *surface; /* the window's, while mapped: minimised or not */
  gulong surface_state_id;
};

G_DEFINE_FINAL_TYPE (AgLockPage, ag_lock_page, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_GUARD,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Texts ----------------------------------------------------------------------------------- */

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
  /* The password and code were right, but the sign-in could not be ledgered. */
  if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_ROLLED_BACK))
    return g_strdup (_("This copy of the customer records is older than its audit ledger, "
                        "so nobody can sign in to it. The records stay locked. Call IT."));
  if (error->domain == AG_STORE_ERROR)
    return g_strdup (_("Your sign-in could not be written to the audit ledger (the disk may "
                        "be full), so the records stay locked. Try again; if it keeps "
                        "happening, call IT."));
  return g_strdup (_("Sign-in is not set up correctly on this computer. Call IT."));
}

/* Rendering ------------------------------------------------------------------------------ */

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

/* Why the records locked, in the agent's words; NULL before the first sign-in. */
static char *
describe_lock_cause (AgLockPage *self)
{
  guint idle = ag_policy_get_idle_lock (ag_guard_get_policy (self->guard));

  if (!ag_guard_get_signed_in (self->guard))
    return NULL;
  switch (ag_guard_get_lock_cause (self->guard))
    {
      case AG_LOCK_CAUSE_IDLE:
        if (idle % 60 == 0)
          /* Translators: on the lock page; %u is a number of minutes ("5 min"). */
          return g_strdup_printf (_("Locked after %u min without use"), idle / 60);
        /* Translators: on the lock page; %u is a number of seconds ("90 s"). */
        return g_strdup_printf (_("Locked after %u s without use"), idle);
      case AG_LOCK_CAUSE_MANUAL:
        return g_strdup (_("Locked by you"));
      case AG_LOCK_CAUSE_SCREEN_LOCK:
        return g_strdup (_("Locked when the screen locked"));
      case AG_LOCK_CAUSE_SUSPEND:
        return g_strdup (_("Locked when the computer went to sleep"));
      case AG_LOCK_CAUSE_MINIMISE:
        return g_strdup (_("Locked when the window was minimized"));
      case AG_LOCK_CAUSE_CLOSE:
      default:
        return NULL;
    }
}

static void
update (AgLockPage *self)
{
  g_autofree char *cause = describe_lock_cause (self);
  AgGuardState state = ag_guard_get_state (self->guard);
  gboolean signed_in = ag_guard_get_signed_in (self->guard);
  gboolean authenticating = state == AG_GUARD_STATE_AUTHENTICATING;
  gboolean waiting_for_answers = ag_auth_prompts_get_waiting (self->prompts);
  /* PAM checks the answers: nothing to send until it asks again. */
  gboolean checking = authenticating && self->answered && !waiting_for_answers;

  gtk_label_set_text (self->title_label, signed_in ? _("Locked") : _("Welcome"));
  gtk_label_set_text (self->cause_label, cause);
  gtk_widget_set_visible (GTK_WIDGET (self->cause_label), cause != NULL);
  gtk_label_set_text (self->hint_label,
                      signed_in ? _("Unlock with your password and one-time code to see "
                                     "customer records again.")
                                : _("Sign in with your password and one-time code to see "
                                     "customer records."));
  gtk_button_set_label (self->sign_in_button, signed_in ? _("_Unlock") : _("_Sign In"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->sign_in_button), !checking);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), authenticating);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), checking);
  gtk_spinner_set_spinning (self->spinner, checking);
}

static void
begin (AgLockPage *self)
{
  g_autoptr (GError) error = NULL;

  g_clear_handle_id (&self->begin_id, g_source_remove);
  /* The last failure stays in sight until the next result. */
  ag_auth_prompts_clear (self->prompts);
  self->answered = FALSE;
  self->held_back = FALSE;
  if (!ag_guard_begin (self->guard, &error))
    {
      g_autofree char *text = NULL;

      g_message ("Could not start the sign-in: %s", error->message);
      text = describe_failure (error);
      show_error (self, text);
      self->held_back = TRUE;
      update (self);
      /* The next keystroke goes to the button that tries again. */
      gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_button));
      return;
    }
  ag_auth_prompts_expect (self->prompts);
  update (self);
}

/* Whether the agent can see the page: mapped, in a window that is not minimised. A
 * sign-in starts only then, and not in a minimised window nobody is looking at. */
static gboolean
is_in_sight (AgLockPage *self)
{
  return gtk_widget_get_mapped (GTK_WIDGET (self)) && self->surface != NULL
         && (!GDK_IS_TOPLEVEL (self->surface)
             || !(gdk_toplevel_get_state (GDK_TOPLEVEL (self->surface))
                  & GDK_TOPLEVEL_STATE_MINIMIZED));
}

static gboolean
begin_cb (gpointer user_data)
{
  AgLockPage *self = user_data;

  self->begin_id = 0;
  if (is_in_sight (self) && ag_guard_get_state (self->guard) == AG_GUARD_STATE_LOCKED
      && !self->held_back)
    begin (self);
  return G_SOURCE_REMOVE;
}

/* Starts the next attempt from the main loop, once the guard has finished the change of
 * state that brought the page here. */
static void
schedule_begin (AgLockPage *self)
{
  if (self->begin_id == 0 && !self->held_back)
    self->begin_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, begin_cb, self, NULL);
}

static void
sign_in_clicked_cb (AgLockPage *self)
{
  if (ag_guard_get_state (self->guard) == AG_GUARD_STATE_LOCKED)
    begin (self);
  else
    ag_auth_prompts_submit (self->prompts);
}

/* Cancel starts over: the answers given so far go, and a fresh password entry comes. */
static void
cancel_clicked_cb (AgLockPage *self)
{
  ag_guard_cancel (self->guard);
}

/* Guard signals ------------------------------------------------------------------------- */

static void
conversation_cb (AgLockPage *self, AgAuthBatch *batch)
{
  ag_auth_prompts_show_batch (self->prompts, batch);
  update (self);
}

static void
submitted_cb (AgLockPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  self->answered = TRUE;
  update (self);
  /* Nothing focused while PAM checks: an impatient second Enter must not land on Cancel.
   * The next prompt takes the focus when it comes; Tab reaches Cancel. */
  if (root != NULL)
    gtk_root_set_focus (root, NULL);
}

static void
attempt_failed_cb (AgLockPage *self, const GError *error)
{
  g_autofree char *text = describe_failure (error);

  g_message ("Sign-in failed: %s", error->message);
  show_error (self, text);
  /* Unanswered, the next attempt would fail the same way: wait for the agent. */
  if (!self->answered)
    {
      self->held_back = TRUE;
      g_clear_handle_id (&self->begin_id, g_source_remove);
      update (self);
      gtk_widget_grab_focus (GTK_WIDGET (self->sign_in_button));
    }
}

static void
state_changed_cb (AgLockPage *self)
{
  AgGuardState state = ag_guard_get_state (self->guard);

  if (state != AG_GUARD_STATE_AUTHENTICATING)
    ag_auth_prompts_clear_prompts (self->prompts);
  if (state == AG_GUARD_STATE_UNLOCKED)
    {
      ag_auth_prompts_clear (self->prompts);
      show_error (self, NULL);
    }
  if (state == AG_GUARD_STATE_UNLOCKED)
    self->held_back = FALSE;
  update (self);
  if (state == AG_GUARD_STATE_LOCKED && is_in_sight (self))
    schedule_begin (self);
}

/* The window came back from being minimised (or went). */
static void
surface_state_cb (AgLockPage *self)
{
  if (ag_guard_get_state (self->guard) == AG_GUARD_STATE_LOCKED && is_in_sight (self))
    schedule_begin (self);
}

static void
ag_lock_page_map (GtkWidget *widget)
{
  AgLockPage *self = AG_LOCK_PAGE (widget);

  GTK_WIDGET_CLASS (ag_lock_page_parent_class)->map (widget);
  self->surface = g_object_ref (gtk_native_get_surface (gtk_widget_get_native (widget)));
  self->surface_state_id = g_signal_connect_swapped (self->surface, "notify::state",
                                                     G_CALLBACK (surface_state_cb), self);
  if (ag_guard_get_state (self->guard) == AG_GUARD_STATE_LOCKED && is_in_sight (self))
    schedule_begin (self);
}

static void
ag_lock_page_unmap (GtkWidget *widget)
{
  AgLockPage *self = AG_LOCK_PAGE (widget);

  g_clear_signal_handler (&self->surface_state_id, self->surface);
  g_clear_object (&self->surface);
  GTK_WIDGET_CLASS (ag_lock_page_parent_class)->unmap (widget);
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

  g_clear_handle_id (&self->begin_id, g_source_remove);
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

  g_type_ensure (AG_TYPE_AUTH_PROMPTS);

  object_class->constructed = ag_lock_page_constructed;
  object_class->dispose = ag_lock_page_dispose;
  object_class->get_property = ag_lock_page_get_property;
  object_class->set_property = ag_lock_page_set_property;
  widget_class->map = ag_lock_page_map;
  widget_class->unmap = ag_lock_page_unmap;

  properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/agentguard/AgentGuard/ag-lock-page.ui");
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, avatar);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, user_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, cause_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, prompts);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, attempts_label);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, AgLockPage, sign_in_button);
  gtk_widget_class_bind_template_callback (widget_class, sign_in_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, submitted_cb);

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
