/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-application.h"
#include "ag-backends.h"
#include "ag-console-window.h"
#include "ag-roles.h"
#include "ag-store.h"
#include "ag-window.h"

/**
 * AgApplication:
 *
 * Parses the command line (`--store PATH`, `--training`, `--console`), opens the main
 * window and carries the application-wide actions: `app.about` and `app.quit`.
 */
struct _AgApplication
{
  AdwApplication parent_instance;

  char *store_path;
  gboolean training;
  gboolean console;
  AgNotifier *notifier;
  AgDesktopMonitor *desktop_monitor;
};

G_DEFINE_FINAL_TYPE (AgApplication, ag_application, ADW_TYPE_APPLICATION)

/* Someone not a supervisor asked for the console: said on stderr, and ledgered in the store
 * they named (or their own) as `console-denied`, before any window opens. Returns the exit
 * status, 77 as the CLI's permission denied. */
static int
refuse_console (AgApplication *self)
{
  g_autofree char *default_path = NULL;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgLedgerEntry) entry = NULL;
  g_autoptr (GError) error = NULL;
  const char *path = self->store_path;

  g_printerr (_("agent-guard: only supervisors may open the supervisor console, and %s is not "
                 "one (supervisors are the members of the group “%s”). This attempt is "
                 "recorded.\n"),
              g_get_user_name (), ag_roles_get_group (AG_ROLE_SUPERVISOR));

  if (path == NULL)
    path = default_path
      = g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);
  store = ag_store_open (path, AG_STORE_OPEN_DEFAULT, NULL, &error);
  if (store != NULL)
    {
      entry = ag_ledger_entry_new (AG_LEDGER_EVENT_CONSOLE_DENIED);
      entry->user = g_strdup (g_get_user_name ());
      entry->host = g_strdup (g_get_host_name ());
      entry->session_id = g_uuid_string_random ();
      entry->mode = self->training ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE;
      entry->cause = g_strdup ("not-supervisor");
      ag_store_append_event (store, entry, &error);
    }
  if (error != NULL)
    g_printerr (_("agent-guard: the attempt could not be written to the audit ledger: %s\n"),
                error->message);
  return 77;
}

static int
ag_application_handle_local_options (GApplication *application, GVariantDict *options)
{
  AgApplication *self = AG_APPLICATION (application);
  const char *store = NULL;

  if (g_variant_dict_lookup (options, "store", "^&ay", &store))
    {
      g_autofree char *scheme = g_uri_parse_scheme (store);
      g_autoptr (GFile) file = NULL;

      g_free (self->store_path);
      /* A location with a scheme (sqlite:PATH, postgresql://…) is the backend's to read; a
       * path is made absolute. */
      if (scheme != NULL && g_ascii_strcasecmp (scheme, "file") != 0)
        self->store_path = g_strdup (store);
      else
        {
          file = g_file_new_for_commandline_arg (store);
          self->store_path = g_file_get_path (file);
        }
    }
  if (g_variant_dict_contains (options, "training"))
    self->training = TRUE;
  if (g_variant_dict_contains (options, "console"))
    {
      if (!ag_roles_user_has (g_get_user_name (), AG_ROLE_SUPERVISOR))
        return refuse_console (self);
      self->console = TRUE;
    }

  return G_APPLICATION_CLASS (ag_application_parent_class)
    ->handle_local_options (application, options);
}

static void
ag_application_activate (GApplication *application)
{
  AgApplication *self = AG_APPLICATION (application);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (application));
  if (window == NULL && self->console)
    window = GTK_WINDOW (ag_console_window_new (GTK_APPLICATION (application), self->store_path));
  else if (window == NULL)
    window = GTK_WINDOW (
      ag_window_new (GTK_APPLICATION (application), self->store_path, self->training));

  gtk_window_present (window);
}

static void
about_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GtkWidget *about;
  const char *developers[] = { _("The Agent Guard authors"), NULL };

  about = g_object_new (
    ADW_TYPE_ABOUT_WINDOW, "transient-for", gtk_application_get_active_window (application),
    "modal", TRUE, "application-name", _("Agent Guard"), "application-icon", APPLICATION_ID,
    "developer-name", _("The Agent Guard authors"), "version", PACKAGE_VERSION, "comments",
    _("Look up customer records with personal data kept "
       "masked."),
    "developers", developers,
    /* Translators: your names, one per line, for the About window. */
    "translator-credits", _("translator-credits"), "license-type", GTK_LICENSE_GPL_3_0,
    "copyright", "© 2026 The Agent Guard authors", NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GtkApplication *application = GTK_APPLICATION (user_data);
  GList *windows;

  /* Closing each window first lets it save its size and cancel its work. */
  while ((windows = gtk_application_get_windows (application)) != NULL)
    gtk_window_destroy (GTK_WINDOW (windows->data));
  g_application_quit (G_APPLICATION (application));
}

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_action },
  { .name = "quit", .activate = quit_action },
};

static void
ag_application_startup (GApplication *application)
{
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (ag_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), app_actions,
                                   G_N_ELEMENTS (app_actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);
}

/* Each window of the application watches the desktop and notifies through the
 * application's monitor and notifier; the window does not know the application. */
static void
ag_application_window_added (GtkApplication *application, GtkWindow *window)
{
  AgApplication *self = AG_APPLICATION (application);

  GTK_APPLICATION_CLASS (ag_application_parent_class)->window_added (application, window);
  if (AG_IS_WINDOW (window))
    ag_window_set_application_services (AG_WINDOW (window), ag_application_get_notifier (self),
                                        ag_application_get_desktop_monitor (self));
  else if (AG_IS_CONSOLE_WINDOW (window))
    ag_console_window_set_application_services (AG_CONSOLE_WINDOW (window),
                                                ag_application_get_notifier (self),
                                                ag_application_get_desktop_monitor (self));
}

static void
ag_application_finalize (GObject *object)
{
  AgApplication *self = AG_APPLICATION (object);

  g_clear_pointer (&self->store_path, g_free);
  g_clear_object (&self->notifier);
  g_clear_object (&self->desktop_monitor);

  G_OBJECT_CLASS (ag_application_parent_class)->finalize (object);
}

static void
ag_application_class_init (AgApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *application_class = G_APPLICATION_CLASS (klass);
  GtkApplicationClass *gtk_application_class = GTK_APPLICATION_CLASS (klass);

  /* The application opens stores by location (the console's refusal is ledgered before
   * any window): every backend of the build, known once. */
  ag_backends_register ();

  object_class->finalize = ag_application_finalize;

  application_class->handle_local_options = ag_application_handle_local_options;
  application_class->startup = ag_application_startup;
  application_class->activate = ag_application_activate;
  gtk_application_class->window_added = ag_application_window_added;
}

static void
ag_application_init (AgApplication *self)
{
  const GOptionEntry entries[]
    = { { "store", 0, 0, G_OPTION_ARG_FILENAME, NULL,
          N_("The customer records to open (default: $XDG_DATA_HOME/agent-guard/store.db)"),
          N_("PATH") },
        { "training", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Practise on synthetic customers"), NULL },
        { "console", 0, 0, G_OPTION_ARG_NONE, NULL,
          N_("Open the supervisor console (supervisors only)"), NULL },
        { NULL } };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Look up customer records with personal data "
                                               "kept masked."));
}

AgApplication *
ag_application_new (void)
{
  return g_object_new (AG_TYPE_APPLICATION, "application-id", APPLICATION_ID, "flags",
                       G_APPLICATION_DEFAULT_FLAGS, "resource-base-path",
                       "/org/agentguard/AgentGuard", NULL);
}

/**
 * ag_application_get_notifier:
 *
 * Returns: (transfer none): where the application's desktop notifications go
 */
AgNotifier *
ag_application_get_notifier (AgApplication *self)
{
  g_return_val_if_fail (AG_IS_APPLICATION (self), NULL);

  if (self->notifier == NULL)
    self->notifier = ag_notifier_new ();
  return self->notifier;
}

/**
 * ag_application_get_desktop_monitor:
 *
 * The desktop's screen lock and sleep on the session and system buses, watched once for
 * every window of the application.
 *
 * Returns: (transfer none): the application's desktop monitor
 */
AgDesktopMonitor *
ag_application_get_desktop_monitor (AgApplication *self)
{
  g_return_val_if_fail (AG_IS_APPLICATION (self), NULL);

  if (self->desktop_monitor == NULL)
    self->desktop_monitor = ag_desktop_monitor_new ();
  return self->desktop_monitor;
}
