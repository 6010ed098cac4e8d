/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * A PAM module for the tests only (never installed): libpam loads and runs it like any
 * other module, so the conversation cases real modules rarely produce can be tested.
 *
 * auth options:
 *   batch        one conversation call with an info, an error and two prompts,
 *                "First secret: " (echo off) and "Second code: " (echo on); succeeds when
 *                the answers are first=… and second=…
 *   first=S second=S   the expected answers for batch
 *   cue          sends pam_u2f's touch cue "Please touch the device." and succeeds
 *   setuser=U    sets PAM_USER to U and succeeds
 *   hold=F       asks nothing until file F exists (at most a minute), then succeeds
 *   endmark=F    writes F when pam_end runs the module's cleanup
 * account options:
 *   expired      returns PAM_NEW_AUTHTOK_REQD
 * password (chauthtok) options:
 *   newpass=S    asks "New password: " (echo off) and succeeds when the answer is S
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_modules.h>

static const char *
option (int argc, const char **argv, const char *name)
{
  size_t len = strlen (name);

  for (int i = 0; i < argc; i++)
    {
      if (strcmp (argv[i], name) == 0)
        return "";
      if (strncmp (argv[i], name, len) == 0 && argv[i][len] == '=')
        return argv[i] + len + 1;
    }
  return NULL;
}

static void
endmark_cleanup (pam_handle_t *pamh, void *data, int error_status)
{
  FILE *f = fopen (data, "w");

  if (f != NULL)
    {
      fprintf (f, "%d\n", error_status);
      fclose (f);
    }
  free (data);
}

static int
converse (pam_handle_t *pamh, int n, const struct pam_message **msgs, struct pam_response **resp)
{
  const struct pam_conv *conv = NULL;
  int status = pam_get_item (pamh, PAM_CONV, (const void **) &conv);

  if (status != PAM_SUCCESS || conv == NULL || conv->conv == NULL)
    return PAM_CONV_ERR;
  *resp = NULL;
  return conv->conv (n, msgs, resp, conv->appdata_ptr);
}

static void
free_resp (struct pam_response *resp, int n)
{
  if (resp == NULL)
    return;
  for (int i = 0; i < n; i++)
    free (resp[i].resp);
  free (resp);
}

PAM_EXTERN int
pam_sm_authenticate (pam_handle_t *pamh, int flags, int argc, const char **argv)
{
  const char *value;

  if ((value = option (argc, argv, "endmark")) != NULL)
    pam_set_data (pamh, "agtest-endmark", strdup (value), endmark_cleanup);

  /* hold=FILE: asks nothing until FILE exists (at most a minute), as a slow module would. */
  if ((value = option (argc, argv, "hold")) != NULL)
    {
      for (int i = 0; i < 6000 && access (value, F_OK) != 0; i++)
        usleep (10000);
      return PAM_SUCCESS;
    }

  if ((value = option (argc, argv, "setuser")) != NULL)
    return pam_set_item (pamh, PAM_USER, value);

  if (option (argc, argv, "cue") != NULL)
    {
      struct pam_message m = { PAM_TEXT_INFO, "Please touch the device." };
      const struct pam_message *msgs[] = { &m };
      struct pam_response *resp = NULL;
      int status = converse (pamh, 1, msgs, &resp);

      free_resp (resp, 1);
      return status == PAM_SUCCESS ? PAM_SUCCESS : PAM_AUTH_ERR;
    }

  if (option (argc, argv, "batch") != NULL)
    {
      struct pam_message m[] = {
        { PAM_TEXT_INFO, "Test info message." },
        { PAM_ERROR_MSG, "Test error message." },
        { PAM_PROMPT_ECHO_OFF, "First secret: " },
        { PAM_PROMPT_ECHO_ON, "Second code: " },
      };
      const struct pam_message *msgs[] = { &m[0], &m[1], &m[2], &m[3] };
      struct pam_response *resp = NULL;
      const char *first = option (argc, argv, "first");
      const char *second = option (argc, argv, "second");
      int status = converse (pamh, 4, msgs, &resp);

      if (status != PAM_SUCCESS)
        return PAM_CONV_ERR;
      if (resp == NULL || resp[2].resp == NULL || resp[3].resp == NULL || first == NULL
          || second == NULL || strcmp (resp[2].resp, first) != 0
          || strcmp (resp[3].resp, second) != 0)
        status = PAM_AUTH_ERR;
      free_resp (resp, 4);
      return status;
    }

  return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_setcred (pam_handle_t *pamh, int flags, int argc, const char **argv)
{
  return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_acct_mgmt (pam_handle_t *pamh, int flags, int argc, const char **argv)
{
  if (option (argc, argv, "expired") != NULL)
    return PAM_NEW_AUTHTOK_REQD;
  return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_chauthtok (pam_handle_t *pamh, int flags, int argc, const char **argv)
{
  const char *expected = option (argc, argv, "newpass");
  struct pam_message m = { PAM_PROMPT_ECHO_OFF, "New password: " };
  const struct pam_message *msgs[] = { &m };
  struct pam_response *resp = NULL;
  int status;

  /* libpam calls chauthtok twice: a check pass, then the update pass. */
  if (flags & PAM_PRELIM_CHECK)
    return PAM_SUCCESS;
  if (expected == NULL)
    return PAM_AUTHTOK_ERR;

  status = converse (pamh, 1, msgs, &resp);
  if (status == PAM_SUCCESS
      && (resp == NULL || resp[0].resp == NULL || strcmp (resp[0].resp, expected) != 0))
    status = PAM_AUTHTOK_ERR;
  free_resp (resp, 1);
  return status;
}
