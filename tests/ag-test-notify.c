/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include "ag-test-notify.h"

void
ag_test_notify_name_appeared_cb (GDBusConnection *connection, const char *name, const char *owner,
                                 gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

AgTestNotifyDaemon *
ag_test_notify_daemon_start (const char *log_path)
{
  g_autoptr (GError) error = NULL;
  AgTestNotifyDaemon *daemon = g_new0 (AgTestNotifyDaemon, 1);
  gboolean appeared = FALSE;
  guint watch;
  gint64 give_up = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  daemon->log_path = g_strdup (log_path);
  /* Debian's dbusmock is for /usr/bin/python3, whatever python3 comes first on PATH. */
  daemon->process
    = g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, "/usr/bin/python3", "-m", "dbusmock",
                        "--template", "notification_daemon", "-l", log_path, NULL);
  g_assert_no_error (error);

  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, "org.freedesktop.Notifications",
                            G_BUS_NAME_WATCHER_FLAGS_NONE, ag_test_notify_name_appeared_cb, NULL,
                            &appeared, NULL);
  while (!appeared)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (10000);
      if (g_get_monotonic_time () > give_up)
        g_error ("The private notification daemon did not start");
    }
  g_bus_unwatch_name (watch);
  return daemon;
}

void
ag_test_notify_daemon_stop (AgTestNotifyDaemon *daemon)
{
  g_subprocess_force_exit (daemon->process);
  g_subprocess_wait (daemon->process, NULL, NULL);
  g_clear_object (&daemon->process);
  g_free (daemon->log_path);
  g_free (daemon);
}

char *
ag_test_notify_daemon_read_log (AgTestNotifyDaemon *daemon)
{
  char *contents = NULL;

  if (!g_file_get_contents (daemon->log_path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

guint
ag_test_notify_daemon_count (AgTestNotifyDaemon *daemon, ...)
{
  g_autofree char *log = ag_test_notify_daemon_read_log (daemon);
  g_auto (GStrv) lines = g_strsplit (log, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean all = lines[i][0] != '\0';
      const char *needle;
      va_list args;

      va_start (args, daemon);
      while (all && (needle = va_arg (args, const char *)) != NULL)
        all = strstr (lines[i], needle) != NULL;
      va_end (args);
      if (all)
        count++;
    }
  return count;
}
