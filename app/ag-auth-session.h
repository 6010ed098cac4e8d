/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The PAM service, hard-wired: never taken from argv or the environment. */
#define AG_AUTH_SERVICE "agent-guard"

/* How many factors a successful authentication must have shown (see
 * ag_auth_session_get_n_factors() for how they are counted). */
#define AG_AUTH_MIN_FACTORS 2

#define AG_AUTH_ERROR (ag_auth_error_quark ())

typedef enum
{
  /* Wrong password or code, locked out, unknown user: PAM said no. */
  AG_AUTH_ERROR_FAILED,
  /* The session's GCancellable was cancelled. */
  AG_AUTH_ERROR_CANCELLED,
  /* Authenticated, but the account phase (or the forced password change) refused. */
  AG_AUTH_ERROR_ACCOUNT_REFUSED,
  /* PAM said yes after fewer than AG_AUTH_MIN_FACTORS factors: fix the PAM stack. */
  AG_AUTH_ERROR_TOO_FEW_FACTORS,
  /* The PAM stack or the system is broken (missing module, service error…). */
  AG_AUTH_ERROR_MISCONFIGURED,
  /* The authentication was asked for, or ended up as, another user than the one running
   * the application. */
  AG_AUTH_ERROR_NOT_SAME_USER,
} AgAuthError;

typedef enum
{
  AG_AUTH_MESSAGE_PROMPT_SECRET,  /* PAM_PROMPT_ECHO_OFF: a password entry */
  AG_AUTH_MESSAGE_PROMPT_VISIBLE, /* PAM_PROMPT_ECHO_ON: a visible entry (OTPs often) */
  AG_AUTH_MESSAGE_INFO,           /* PAM_TEXT_INFO: readable text */
  AG_AUTH_MESSAGE_ERROR,          /* PAM_ERROR_MSG: readable text, styled as an error */
} AgAuthMessageKind;

typedef enum
{
  AG_AUTH_PHASE_AUTHENTICATE,    /* pam_authenticate: the factors */
  AG_AUTH_PHASE_ACCOUNT,         /* pam_acct_mgmt: e.g. expiry warnings */
  AG_AUTH_PHASE_CHANGE_PASSWORD, /* pam_chauthtok after an expired password */
} AgAuthPhase;

/**
 * AgAuthBatch:
 *
 * One call of the PAM conversation: one or more messages, delivered together in the main
 * context that started the session. When it has prompts (ag_auth_batch_needs_reply()),
 * PAM waits until ag_auth_batch_reply() is called or the session is cancelled; a batch of
 * info and error messages only needs no reply. Answers are copied, handed to PAM and
 * wiped with explicit_bzero() as soon as they are sent.
 */
#define AG_TYPE_AUTH_BATCH (ag_auth_batch_get_type ())

G_DECLARE_FINAL_TYPE (AgAuthBatch, ag_auth_batch, AG, AUTH_BATCH, GObject)

guint
ag_auth_batch_get_n_messages (AgAuthBatch *self);
AgAuthMessageKind
ag_auth_batch_get_kind (AgAuthBatch *self, guint index);
/* The message as PAM sent it (made valid UTF-8), e.g. "Password: ". */
const char *
ag_auth_batch_get_text (AgAuthBatch *self, guint index);
gboolean
ag_auth_batch_is_prompt (AgAuthBatch *self, guint index);
AgAuthPhase
ag_auth_batch_get_phase (AgAuthBatch *self);
gboolean
ag_auth_batch_needs_reply (AgAuthBatch *self);
/* Sets the answer to the prompt at @index (copied; the copy is wiped after sending). */
void
ag_auth_batch_set_answer (AgAuthBatch *self, guint index, const char *answer);
/* Sends the answers to PAM; a prompt without an answer gets an empty one. Once only;
 * does nothing for a batch that needs no reply or after the session was cancelled. */
void
ag_auth_batch_reply (AgAuthBatch *self);

/**
 * AgAuthSession:
 *
 * One PAM transaction for the service AG_AUTH_SERVICE and the Unix user running the
 * process, in a worker thread. Connect to ::conversation before starting it. A session
 * authenticates once; create a new one for each attempt. Keep the GCancellable and
 * cancel it when the prompt goes away: a session waiting for an answer holds its thread
 * until it is answered or cancelled.
 */
#define AG_TYPE_AUTH_SESSION (ag_auth_session_get_type ())

G_DECLARE_FINAL_TYPE (AgAuthSession, ag_auth_session, AG, AUTH_SESSION, GObject)

GQuark
ag_auth_error_quark (void);

/* For the user running the process (getuid()). */
AgAuthSession *
ag_auth_session_new (GError **error);
/* Fails with AG_AUTH_ERROR_NOT_SAME_USER unless @user is the user running the process. */
AgAuthSession *
ag_auth_session_new_for_user (const char *user, GError **error);
const char *
ag_auth_session_get_user (AgAuthSession *self);
void
ag_auth_session_authenticate_async (AgAuthSession *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
/* TRUE when PAM authenticated the user with at least AG_AUTH_MIN_FACTORS factors and the
 * account phase accepted. The worker thread has ended when this result arrives. */
gboolean
ag_auth_session_authenticate_finish (AgAuthSession *self, GAsyncResult *result, GError **error);
/* The number of factors counted during pam_authenticate (valid once finished). */
guint
ag_auth_session_get_n_factors (AgAuthSession *self);

/* The service file libpam reads for AG_AUTH_SERVICE, for checks and messages. */
char *
ag_auth_find_service_file (void);
/* Splits one line of a PAM service file; FALSE for a blank or comment line. */
gboolean
ag_auth_parse_service_line (const char *line, char **type, char **control, char **module);

G_END_DECLS
