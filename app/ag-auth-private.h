/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/*
 * What the files of the PAM sign-in share: ag-auth-batch.c holds one batch of PAM
 * messages and its answers (AgAuthBatch), ag-auth-session.c the session object and its
 * worker thread, ag-auth-pam.c the PAM transaction the worker runs and its conversation.
 */

#pragma once

#include "ag-auth-session.h"

G_BEGIN_DECLS

typedef struct
{
  GMutex mutex;
  GCond cond;
  gboolean cancelled;
} Exchange;

struct _AgAuthBatch
{
  GObject parent_instance;

  Exchange *exchange;
  AgAuthPhase phase;
  guint n_messages;
  AgAuthMessageKind *kinds;
  char **texts;

  /* Under exchange->mutex: */
  char **answers;
  gboolean replied;
  gboolean abandoned;
};

typedef struct
{
  GTask *task; /* owned; touched in the main context only */
  GThread *thread;
  GMainContext *context;
  Exchange *exchange;
  AgAuthSession *session; /* a ref, to emit ::conversation in the main context */
  gulong cancelled_id;

  /* The worker thread's own: */
  char *user;
  char *confdir;
  AgAuthPhase phase;
  GHashTable *factor_prompts;
  gboolean saw_u2f_cue;
  guint n_factors;
  GError *error;
} Worker;

typedef struct
{
  AgAuthSession *session;
  AgAuthBatch *batch;
} Emission;

const char *
ag_auth_development_confdir (void);
void
ag_auth_run_pam (Worker *worker);
AgAuthBatch *
ag_auth_batch_new (Exchange *exchange, AgAuthPhase phase, int num_msg,
                   const struct pam_message **msg);
Exchange *
ag_auth_exchange_new (void);
Exchange *
ag_auth_exchange_ref (Exchange *exchange);
void
ag_auth_exchange_unref (Exchange *exchange);
gboolean
ag_auth_kind_is_prompt (AgAuthMessageKind kind);
void
ag_auth_wipe_string (char *s);
void
ag_auth_emission_free (Emission *emission);
gboolean
ag_auth_emit_conversation_cb (gpointer data);
gboolean
ag_auth_worker_cancelled (Worker *worker);

G_END_DECLS
