/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * What the sign-in shows of the texts PAM modules send: the known ones in the agent's
 * language (English and pt_BR, from the build's catalogue), any other as it came.
 */

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ag-pam-texts.h"

static void
test_prompts (void)
{
  struct
  {
    const char *text;
    AgPamPromptKind kind;
    const char *title;
  } cases[] = {
    { "Password: ", AG_PAM_PROMPT_PASSWORD, "Password" },
    { "One-time password (OATH) for `agent': ", AG_PAM_PROMPT_ONE_TIME_CODE, "One-time code" },
    { "Verification code: ", AG_PAM_PROMPT_ONE_TIME_CODE, "One-time code" },
    /* Unknown, or translated by the module itself: as it came, without the colon. */
    { "Senha: ", AG_PAM_PROMPT_OTHER, "Senha" },
    { "PIN for the token:  ", AG_PAM_PROMPT_OTHER, "PIN for the token" },
    { ":", AG_PAM_PROMPT_OTHER, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *title = ag_pam_prompt_title (cases[i].text);

      g_assert_cmpint (ag_pam_prompt_kind (cases[i].text), ==, cases[i].kind);
      g_assert_cmpstr (title, ==, cases[i].title);
      g_assert_true ((ag_pam_prompt_hint (cases[i].text) != NULL)
                     == (cases[i].kind == AG_PAM_PROMPT_ONE_TIME_CODE));
    }
}

static void
assert_message (const char *text, const char *shown)
{
  g_autofree char *got = ag_pam_message_text (text);

  g_assert_cmpstr (got, ==, shown);
}

static void
test_messages (void)
{
  assert_message ("Please touch the device.", "Please touch the device.");
  assert_message ("The account is locked due to 3 failed logins.",
                  "The account is locked after 3 failed sign-ins.");
  assert_message ("The account is locked due to 1 failed logins.",
                  "The account is locked after 1 failed sign-in.");
  assert_message ("(10 minutes left to unlock)", "(unlocks in 10 minutes)");
  assert_message ("Warning: your password will expire in 1 day.",
                  "Your password expires in 1 day.");
  /* Near misses and strangers come as they are. */
  assert_message ("The account is locked due to many failed logins.",
                  "The account is locked due to many failed logins.");
  assert_message ("The account is locked due to 3 failed logins. Really.",
                  "The account is locked due to 3 failed logins. Really.");
  assert_message ("Conta bloqueada devido a 3 falhas de login.",
                  "Conta bloqueada devido a 3 falhas de login.");
  assert_message ("", "");
}

static void
test_pt_br (void)
{
  const char *build_root = g_getenv ("AG_BUILD_ROOT");
  g_autofree char *localedir = NULL;
  g_autofree char *title = NULL;
  g_autofree char *locked = NULL;

  if (build_root == NULL)
    {
      g_test_skip ("AG_BUILD_ROOT is not set (run through meson test)");
      return;
    }
  localedir = g_build_filename (build_root, "po", NULL);
  g_setenv ("LANGUAGE", "pt_BR", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  title = ag_pam_prompt_title ("One-time password (OATH) for `agent': ");
  g_assert_cmpstr (title, ==, "Código de uso único");
  g_assert_cmpstr (ag_pam_prompt_hint ("Verification code: "), ==,
                   "Os 6 dígitos que o seu app autenticador mostra agora");
  locked = ag_pam_message_text ("The account is locked due to 3 failed logins.");
  g_assert_cmpstr (locked, ==, "A conta está bloqueada após 3 tentativas de entrada que falharam.");
  assert_message ("Please touch the device.", "Toque no dispositivo.");

  g_unsetenv ("LANGUAGE");
  textdomain ("messages");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pam-texts/prompts", test_prompts);
  g_test_add_func ("/pam-texts/messages", test_messages);
  g_test_add_func ("/pam-texts/pt-br", test_pt_br);
  return g_test_run ();
}
