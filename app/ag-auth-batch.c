/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-auth-session"

#include "config.h"

#include <pwd.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ag-auth-private.h"

static void
exchange_clear (Exchange *exchange)
{
  g_mutex_clear (&exchange->mutex);
  g_cond_clear (&exchange->cond);
}

Exchange *
ag_auth_exchange_new (void)
{
  Exchange *exchange = g_atomic_rc_box_new0 (Exchange);

  g_mutex_init (&exchange->mutex);
  g_cond_init (&exchange->cond);
  return exchange;
}

Exchange *
ag_auth_exchange_ref (Exchange *exchange)
{
  return g_atomic_rc_box_acquire (exchange);
}

void
ag_auth_exchange_unref (Exchange *exchange)
{
  g_atomic_rc_box_release_full (exchange, (GDestroyNotify) exchange_clear);
}

void
ag_auth_wipe_string (char *s)
{
  if (s == NULL)
    return;
  explicit_bzero (s, strlen (s));
  g_free (s);
}

/* AgAuthBatch */

G_DEFINE_FINAL_TYPE (AgAuthBatch, ag_auth_batch, G_TYPE_OBJECT)

static void
ag_auth_batch_finalize (GObject *object)
{
  AgAuthBatch *self = AG_AUTH_BATCH (object);

  for (guint i = 0; i < self->n_messages; i++)
    ag_auth_wipe_string (self->answers[i]);
  g_free (self->answers);
  g_strfreev (self->texts);
  g_free (self->kinds);
  g_clear_pointer (&self->exchange, ag_auth_exchange_unref);

  G_OBJECT_CLASS (ag_auth_batch_parent_class)->finalize (object);
}

static void
ag_auth_batch_class_init (AgAuthBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_auth_batch_finalize;
}

static void
ag_auth_batch_init (AgAuthBatch *self)
{
}

guint
ag_auth_batch_get_n_messages (AgAuthBatch *self)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), 0);

  return self->n_messages;
}

AgAuthMessageKind
ag_auth_batch_get_kind (AgAuthBatch *self, guint index)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), AG_AUTH_MESSAGE_ERROR);
  g_return_val_if_fail (index < self->n_messages, AG_AUTH_MESSAGE_ERROR);

  return self->kinds[index];
}

const char *
ag_auth_batch_get_text (AgAuthBatch *self, guint index)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), NULL);
  g_return_val_if_fail (index < self->n_messages, NULL);

  return self->texts[index];
}

gboolean
ag_auth_kind_is_prompt (AgAuthMessageKind kind)
{
  return kind == AG_AUTH_MESSAGE_PROMPT_SECRET || kind == AG_AUTH_MESSAGE_PROMPT_VISIBLE;
}

gboolean
ag_auth_batch_is_prompt (AgAuthBatch *self, guint index)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), FALSE);
  g_return_val_if_fail (index < self->n_messages, FALSE);

  return ag_auth_kind_is_prompt (self->kinds[index]);
}

AgAuthPhase
ag_auth_batch_get_phase (AgAuthBatch *self)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), AG_AUTH_PHASE_AUTHENTICATE);

  return self->phase;
}

gboolean
ag_auth_batch_needs_reply (AgAuthBatch *self)
{
  g_return_val_if_fail (AG_IS_AUTH_BATCH (self), FALSE);

  for (guint i = 0; i < self->n_messages; i++)
    if (ag_auth_kind_is_prompt (self->kinds[i]))
      return TRUE;
  return FALSE;
}

void
ag_auth_batch_set_answer (AgAuthBatch *self, guint index, const char *answer)
{
  g_return_if_fail (AG_IS_AUTH_BATCH (self));
  g_return_if_fail (index < self->n_messages);
  g_return_if_fail (ag_auth_kind_is_prompt (self->kinds[index]));
  g_return_if_fail (answer != NULL);

  g_mutex_lock (&self->exchange->mutex);
  if (!self->replied)
    {
      ag_auth_wipe_string (self->answers[index]);
      self->answers[index] = g_strdup (answer);
    }
  g_mutex_unlock (&self->exchange->mutex);
}

void
ag_auth_batch_reply (AgAuthBatch *self)
{
  g_return_if_fail (AG_IS_AUTH_BATCH (self));

  g_mutex_lock (&self->exchange->mutex);
  self->replied = TRUE;
  g_cond_broadcast (&self->exchange->cond);
  g_mutex_unlock (&self->exchange->mutex);
}

AgAuthBatch *
ag_auth_batch_new (Exchange *exchange, AgAuthPhase phase, int num_msg,
                   const struct pam_message **msg)
{
  AgAuthBatch *self = g_object_new (AG_TYPE_AUTH_BATCH, NULL);

  self->exchange = ag_auth_exchange_ref (exchange);
  self->phase = phase;
  self->n_messages = (guint) num_msg;
  self->kinds = g_new0 (AgAuthMessageKind, num_msg);
  self->texts = g_new0 (char *, num_msg + 1);
  self->answers = g_new0 (char *, num_msg);

  for (int i = 0; i < num_msg; i++)
    {
      switch (msg[i]->msg_style)
        {
          case PAM_PROMPT_ECHO_OFF:
            self->kinds[i] = AG_AUTH_MESSAGE_PROMPT_SECRET;
            break;
          case PAM_PROMPT_ECHO_ON:
            self->kinds[i] = AG_AUTH_MESSAGE_PROMPT_VISIBLE;
            break;
          case PAM_TEXT_INFO:
            self->kinds[i] = AG_AUTH_MESSAGE_INFO;
            break;
          case PAM_ERROR_MSG:
          default:
            self->kinds[i] = AG_AUTH_MESSAGE_ERROR;
            break;
        }
      self->texts[i] = g_utf8_make_valid (msg[i]->msg != NULL ? msg[i]->msg : "", -1);
    }

  return self;
}
