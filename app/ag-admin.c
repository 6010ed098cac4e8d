/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-admin.h"
#include "ag-import.h"
#include "ag-keyring.h"
#include "ag-sqlite-store.h"

/**
 * ag_admin_default_store_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/agent-guard/store.db`
 */
char *
ag_admin_default_store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);
}

void
ag_admin_printerr (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("agent-guard-admin: %s\n", message);
}

gboolean
ag_admin_parse_options (const char *words, const char *parameter_string, const char *summary,
                        GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *prgname = NULL;

  prgname = g_strdup_printf ("agent-guard-admin %s", words);
  g_set_prgname (prgname);

  context = g_option_context_new (parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      ag_admin_printerr ("%s: %s", words, error->message);
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), words);
      return FALSE;
    }

  return TRUE;
}

int
ag_admin_exit_code_for_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, AG_EXIT_FAILURE);

  if (error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR)
    return AG_EXIT_IOERR;
  if (error->domain == AG_STORE_ERROR && error->code == AG_STORE_ERROR_IO)
    return AG_EXIT_IOERR;
  if (error->domain == AG_IMPORT_ERROR)
    return AG_EXIT_DATAERR;
  if (error->domain == AG_STORE_ERROR
      && (error->code == AG_STORE_ERROR_DUPLICATE_ID || error->code == AG_STORE_ERROR_INVALID_DATA))
    return AG_EXIT_DATAERR;

  return AG_EXIT_FAILURE;
}

AgStore *
ag_admin_open_store (const char *path, gboolean create, int *exit_code)
{
  g_autofree char *default_path = NULL;
  g_autoptr (GError) error = NULL;
  AgSqliteStore *store;

  g_return_val_if_fail (exit_code != NULL, NULL);

  if (path == NULL)
    path = default_path = ag_admin_default_store_path ();

  if (create)
    {
      g_autofree char *dir = g_path_get_dirname (path);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved_errno = errno;

          ag_admin_printerr (_("%s: cannot create the folder: %s"), dir, g_strerror (saved_errno));
          *exit_code = AG_EXIT_IOERR;
          return NULL;
        }
    }

  store = ag_sqlite_store_open (
    path, create ? AG_SQLITE_STORE_OPEN_CREATE : AG_SQLITE_STORE_OPEN_DEFAULT, NULL, &error);
  if (store == NULL)
    {
      ag_admin_printerr ("%s: %s", path, error->message);
      *exit_code = ag_admin_exit_code_for_error (error);
      return NULL;
    }

  *exit_code = AG_EXIT_OK;
  return AG_STORE (store);
}
