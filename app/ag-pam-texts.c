/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pam-texts"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "ag-pam-texts.h"

/**
 * SECTION:ag-pam-texts
 *
 * The texts PAM modules send, in the agent's language where Agent Guard knows them.
 *
 * Modules of Linux-PAM (pam_unix, pam_faillock) translate their own texts when their
 * catalogue is installed; the others (pam_oath, pam_google_authenticator, pam_u2f,
 * pam_matrix) always write English. A text known here in English is shown from this
 * catalogue; any other, a translated one included, is shown as the module sent it.
 */

/* Prompts, by how they begin. */
typedef struct
{
  const char *prefix;
  AgPamPromptKind kind;
} KnownPrompt;

static const KnownPrompt known_prompts[] = {
  { "Password", AG_PAM_PROMPT_PASSWORD },               /* pam_unix, pam_matrix */
  { "One-time password", AG_PAM_PROMPT_ONE_TIME_CODE }, /* pam_oath: "… (OATH) for `user': " */
  { "Verification code", AG_PAM_PROMPT_ONE_TIME_CODE }, /* pam_google_authenticator */
};

/* Messages, as the module writes them in English, with at most one number (%u or %d). */
typedef enum
{
  MESSAGE_TOUCH,
  MESSAGE_LOCKED_OUT,
  MESSAGE_UNLOCKS_IN,
  MESSAGE_CHANGE_ENFORCED,
  MESSAGE_CHANGE_EXPIRED,
  MESSAGE_EXPIRES_IN,
  MESSAGE_ACCOUNT_EXPIRED,
} MessageId;

static const struct
{
  const char *english;
  MessageId id;
} known_messages[] = {
  { "Please touch the device.", MESSAGE_TOUCH },                            /* pam_u2f */
  { "The account is locked due to %u failed logins.", MESSAGE_LOCKED_OUT }, /* pam_faillock */
  { "(%d minute left to unlock)", MESSAGE_UNLOCKS_IN },
  { "(%d minutes left to unlock)", MESSAGE_UNLOCKS_IN },
  { "You are required to change your password immediately (administrator enforced)",
    MESSAGE_CHANGE_ENFORCED }, /* pam_unix */
  { "You are required to change your password immediately (password expired)",
    MESSAGE_CHANGE_EXPIRED },
  { "Warning: your password will expire in %d day.", MESSAGE_EXPIRES_IN },
  { "Warning: your password will expire in %d days.", MESSAGE_EXPIRES_IN },
  { "Your account has expired; please contact your system administrator.",
    MESSAGE_ACCOUNT_EXPIRED },
};

static char *
translate (MessageId id, int n)
{
  switch (id)
    {
      case MESSAGE_TOUCH:
        /* Translators: pam_u2f asks to touch the security key. */
        return g_strdup (_("Please touch the device."));
      case MESSAGE_LOCKED_OUT:
        /* Translators: pam_faillock, after too many failed sign-ins; %d is how many. */
        return g_strdup_printf (ngettext ("The account is locked after %d failed sign-in.",
                                          "The account is locked after %d failed sign-ins.", n),
                                n);
      case MESSAGE_UNLOCKS_IN:
        /* Translators: pam_faillock; %d is a number of minutes. */
        return g_strdup_printf (ngettext ("(unlocks in %d minute)", "(unlocks in %d minutes)", n),
                                n);
      case MESSAGE_CHANGE_ENFORCED:
        return g_strdup (_("You must change your password now (your administrator asks for it)."));
      case MESSAGE_CHANGE_EXPIRED:
        return g_strdup (_("You must change your password now: it has expired."));
      case MESSAGE_EXPIRES_IN:
        /* Translators: pam_unix; %d is a number of days. */
        return g_strdup_printf (
          ngettext ("Your password expires in %d day.", "Your password expires in %d days.", n), n);
      case MESSAGE_ACCOUNT_EXPIRED:
        return g_strdup (_("Your account has expired. Call IT."));
      default:
        g_return_val_if_reached (NULL);
    }
}

static const KnownPrompt *
find_prompt (const char *text)
{
  while (g_ascii_isspace (*text))
    text++;
  for (guint i = 0; i < G_N_ELEMENTS (known_prompts); i++)
    if (g_str_has_prefix (text, known_prompts[i].prefix))
      return &known_prompts[i];
  return NULL;
}

/**
 * ag_pam_prompt_kind:
 *
 * Returns: what the prompt @text asks for, or %AG_PAM_PROMPT_OTHER when it is not known
 */
AgPamPromptKind
ag_pam_prompt_kind (const char *text)
{
  const KnownPrompt *prompt;

  g_return_val_if_fail (text != NULL, AG_PAM_PROMPT_OTHER);

  prompt = find_prompt (text);
  return prompt != NULL ? prompt->kind : AG_PAM_PROMPT_OTHER;
}

/**
 * ag_pam_prompt_title:
 *
 * Returns: the label for the entry that answers @text: a known prompt in the agent's
 *   language, any other as PAM wrote it without its trailing colon and spaces
 */
char *
ag_pam_prompt_title (const char *text)
{
  char *title;
  gsize len;

  g_return_val_if_fail (text != NULL, NULL);

  switch (ag_pam_prompt_kind (text))
    {
      case AG_PAM_PROMPT_PASSWORD:
        return g_strdup (_("Password"));
      case AG_PAM_PROMPT_ONE_TIME_CODE:
        /* Translators: the second factor's code, from an authenticator app. */
        return g_strdup (_("One-time code"));
      case AG_PAM_PROMPT_OTHER:
      default:
        break;
    }
  title = g_strstrip (g_strdup (text));
  len = strlen (title);
  while (len > 0 && (title[len - 1] == ':' || g_ascii_isspace (title[len - 1])))
    title[--len] = '\0';
  return title;
}

/**
 * ag_pam_prompt_hint:
 *
 * Returns: (nullable): a line that helps answer @text, for the prompts that need one
 */
const char *
ag_pam_prompt_hint (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  if (ag_pam_prompt_kind (text) == AG_PAM_PROMPT_ONE_TIME_CODE)
    return _("The 6 digits your authenticator app shows now");
  return NULL;
}

/* Whether @text is @format with its one number (%u or %d, or none), which is stored in
 * @number. */
static gboolean
matches (const char *format, const char *text, long *number)
{
  const char *mark = strchr (format, '%');
  gsize head;
  char *end;

  if (mark == NULL)
    return g_str_equal (format, text);
  head = (gsize) (mark - format);
  if (strncmp (format, text, head) != 0 || !g_ascii_isdigit (text[head]))
    return FALSE;
  *number = strtol (text + head, &end, 10);
  return g_str_equal (mark + 2, end);
}

/**
 * ag_pam_message_text:
 *
 * Returns: the information or error message @text of a PAM module in the agent's
 *   language when it is known, otherwise @text as it came
 */
char *
ag_pam_message_text (const char *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (known_messages); i++)
    {
      long number = 0;

      if (matches (known_messages[i].english, text, &number))
        return translate (known_messages[i].id, (int) CLAMP (number, 0, G_MAXINT));
    }
  return g_strdup (text);
}
