/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "agent-guard"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sys/prctl.h>

#include "ag-application.h"

int
main (int argc, char **argv)
{
  g_autoptr (AgApplication) application = NULL;
  const char *localedir = LOCALEDIR;

  /* No core dumps and no ptrace by other processes of the user: the process will hold
   * revealed values (DESIGN §9). First, before anything can touch PII. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    g_printerr ("agent-guard: could not disable core dumps\n");

#if DEVELOPMENT
  /* Lets `LANGUAGE=pt_BR AG_LOCALEDIR=_build/po agent-guard` work uninstalled. */
  if (g_getenv ("AG_LOCALEDIR") != NULL)
    localedir = g_getenv ("AG_LOCALEDIR");
#else
  /* The inspector shows every widget's text; release builds do not open it on request. */
  g_unsetenv ("GTK_DEBUG");
#endif

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name (_("Agent Guard"));

  application = ag_application_new ();
  return g_application_run (G_APPLICATION (application), argc, argv);
}
