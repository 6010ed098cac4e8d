/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-keyring.h"
#include "ag-window-private.h"

/*
 * AgWindow's store: opening it off the main thread after the first sign-in (or on
 * win.open-store), saying why when it cannot be opened, and committing the sign-in's
 * entry, with what happened before the store was open, before the guard unlocks.
 */

/* Error texts ---------------------------------------------------------------------------- */

/* Says what went wrong in words an agent understands; the technical line is for IT. Store
 * and keyring errors never carry a PII value (DESIGN §9), so their message may be shown. */
static void
describe_store_error (const GError *error, const char **icon_name, const char **title,
                      const char **description)
{
  *icon_name
    = error->domain == AG_KEYRING_ERROR ? "dialog-password-symbolic" : "dialog-error-symbolic";

  if (g_error_matches (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_UNAVAILABLE))
    {
      *title = _("The Keyring Is Not Available");
      *description = _("The key to the customer records is kept in your keyring, and no "
                        "keyring service answered. Log out and in again; if that does not "
                        "help, call IT.");
    }
  else if (g_error_matches (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_NOT_FOUND))
    {
      *title = _("The Key to the Customer Records Is Missing");
      *description = _("Your keyring has no key for these customer records. They may have "
                        "been set up for another user or on another computer. Call IT.");
    }
  else if (g_error_matches (error, AG_KEYRING_ERROR, AG_KEYRING_ERROR_CORRUPT))
    {
      *title = _("The Key to the Customer Records Is Damaged");
      *description = _("The key kept in your keyring cannot be used. Call IT.");
    }
  else if (error->domain == AG_KEYRING_ERROR)
    {
      *title = _("The Keyring Could Not Be Used");
      *description = _("Your keyring may be locked. Unlock it, or log out and in again, "
                        "then try again.");
    }
  else if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_MODE_MISMATCH))
    {
      *title = _("These Are Training Records");
      *description = _("The customer records asked for are for training, with synthetic "
                        "customers only, and open only in training mode. Start Agent Guard "
                        "with --training to practise on them, or open the live records.");
    }
  else if (g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_CORRUPT))
    {
      *title = _("The Customer Records Are Damaged");
      *description = _("The customer records file cannot be read. Call IT: they can "
                        "restore it from a backup or import the records again.");
    }
  else if (error->domain == G_IO_ERROR
           || g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_IO))
    {
      *title = _("The Customer Records Could Not Be Read");
      *description = _("The customer records file could not be read. Check that you may "
                        "read it, or call IT.");
    }
  else
    {
      *title = _("The Customer Records Could Not Be Opened");
      *description = _("Something went wrong while opening the customer records. Try "
                        "again; if it keeps happening, call IT.");
    }
}

char *
ag_window_format_technical_detail (const GError *error)
{
  /* Translators: the line under an error for IT staff; the first %s is an error domain
   * such as "ag-keyring-error-quark", %d its code and the last %s the developer's
   * message, in English. */
  return g_strdup_printf (_("Technical detail: %s %d: %s"), g_quark_to_string (error->domain),
                          error->code, error->message);
}

/* The ledger ---------------------------------------------------------------------------- */

/* Hands what happened to the guard's ledger writer, in order; what happened before the
 * store was open (the first sign-in and its failures) waits until it is. The writes happen
 * off the main thread: a lock never waits on the disk to show the lock page. */
void
ag_window_flush_ledger (AgWindow *self)
{
  g_autofree gpointer *entries = NULL;
  gsize n_entries = 0;

  if (ag_window_get_store (self) == NULL)
    return;
  entries = g_ptr_array_steal (self->pending_entries, &n_entries);
  for (gsize i = 0; i < n_entries; i++)
    ag_guard_ledger_later (self->guard, entries[i]);
}

/* Whether there is a store to open: in training mode the session's own, made on first use;
 * else a file for a path, and for a location with a scheme (sqlite:PATH, postgresql://…)
 * opening it answers. */
static gboolean
store_expected (AgWindow *self)
{
  g_autofree char *scheme = NULL;

  if (ag_session_get_training (self->session))
    return TRUE;
  scheme = g_uri_parse_scheme (self->store_path);
  return scheme != NULL || g_file_test (self->store_path, G_FILE_TEST_EXISTS);
}

/* A sign-in entry on its way to the ledger, with the hold it answers. */
typedef struct
{
  AgWindow *window;
  guint hold;
} SignInWrite;

static void
sign_in_committed_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  SignInWrite *write = user_data;
  AgGuard *guard = AG_GUARD (object);
  g_autoptr (GError) error = NULL;

  ag_guard_ledger_finish (guard, result, &error);
  if (write->window->sign_in_hold == write->hold)
    write->window->sign_in_hold = 0;
  /* Exactly the hold this entry was written for: a later sign-in's hold is not this
   * entry's to end, and the guard ignores a hold that ended already. The guard is the
   * task's source, still there when the window has been disposed. */
  ag_guard_release_unlock (guard, write->hold, error);
  g_object_unref (write->window);
  g_free (write);
}

/* The sign-in's `login` or `unlock` entry is committed before the guard unlocks: a ledger
 * that cannot take it keeps the session locked, and the lock page says why (issue 18). The
 * first sign-in comes before the store is open: it is opened for it, off the main thread,
 * and the entry goes in after what happened before (the failed attempts). With no store
 * at all, or one that does not open, there is nothing to ledger nor to see: the window
 * unlocks to say so, and the entry waits for the store with the others. */
void
ag_window_commit_sign_in (AgWindow *self)
{
  if (ag_window_get_store (self) != NULL)
    {
      SignInWrite *write = g_new0 (SignInWrite, 1);

      write->window = g_object_ref (self);
      write->hold = self->sign_in_hold;
      ag_window_flush_ledger (self);
      ag_guard_ledger_async (self->guard, g_steal_pointer (&self->sign_in_entry), NULL,
                             sign_in_committed_cb, write);
      return;
    }
  if (store_expected (self))
    {
      if (!self->opening)
        ag_window_open_store (self);
      return;
    }
  g_ptr_array_add (self->pending_entries, g_steal_pointer (&self->sign_in_entry));
  ag_guard_release_unlock (self->guard, self->sign_in_hold, NULL);
  self->sign_in_hold = 0;
}

/* The store did not open for the held sign-in: the entry waits with the others. */
static void
release_sign_in_unopened (AgWindow *self)
{
  guint hold = self->sign_in_hold;

  if (hold == 0)
    return;
  self->sign_in_hold = 0;
  if (self->sign_in_entry != NULL)
    g_ptr_array_add (self->pending_entries, g_steal_pointer (&self->sign_in_entry));
  ag_guard_release_unlock (self->guard, hold, NULL);
}

/* Opening the store --------------------------------------------------------------------- */

/* What the thread opens: in training mode the session's own training store, whatever the
 * path says (issue 16), else the store at @location. */
typedef struct
{
  AgSession *session;
  char *location; /* NULL: the session's own */
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_object_unref (data->session);
  g_free (data->location);
  g_free (data);
}

static void
open_store_thread (GTask *task, gpointer source_object, gpointer task_data,
                   GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  AgStore *store;

  /* The session reads only what is fixed at its construction: safe in this thread. */
  store = ag_session_open_store (data->session, data->location, FALSE, cancellable, &error);
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

/* Shows why the store cannot be used, on the window's error page. */
static void
show_store_error (AgWindow *self, const GError *error)
{
  g_autofree char *detail = ag_window_format_technical_detail (error);
  const char *icon_name, *title, *description;

  describe_store_error (error, &icon_name, &title, &description);
  adw_status_page_set_icon_name (self->error_page, icon_name);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, description);
  gtk_label_set_text (self->error_detail, detail);
  ag_window_set_state (self, AG_WINDOW_STATE_ERROR);
}

static void
pending_committed_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ag_guard_ledger_finish (AG_GUARD (object), result, &error))
    {
      /* Nothing from the store without its entries: the error page, not the records. */
      g_message ("Could not commit the entries of before the store opened: %s", error->message);
      show_store_error (self, error);
      return;
    }
  ag_window_set_state (self, AG_WINDOW_STATE_READY);
}

static void
open_store_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgWindow) self = user_data;
  g_autoptr (AgStore) store = NULL;
  g_autoptr (GError) error = NULL;

  store = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->opening = FALSE;
  if (store == NULL)
    {
      g_message ("Could not open the store: %s", error->message);
      show_store_error (self, error);
      release_sign_in_unopened (self);
      return;
    }

  ag_session_set_store (self->session, store);
  g_object_notify_by_pspec (G_OBJECT (self), ag_window_properties[PROP_STORE]);
  if (self->sign_in_entry != NULL)
    ag_window_commit_sign_in (self);
  else if (self->pending_entries->len > 0)
    {
      /* Opened after the sign-in (it failed to open then): what happened before, the
       * sign-in's entry among it, is committed before the records show. The last entry
       * is written after all the others: when it is in, they are. */
      AgLedgerEntry *last
        = g_ptr_array_steal_index (self->pending_entries, self->pending_entries->len - 1);

      ag_window_flush_ledger (self);
      ag_guard_ledger_async (self->guard, last, NULL, pending_committed_cb, g_object_ref (self));
      return;
    }
  ag_window_set_state (self, AG_WINDOW_STATE_READY);
}

static void
update_no_store_command (AgWindow *self)
{
  g_autofree char *default_path = NULL;
  g_autofree char *store_option = NULL;
  g_autofree char *command = NULL;
  g_autofree char *demo_command = NULL;

  default_path = g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);
  if (g_strcmp0 (default_path, self->store_path) == 0)
    store_option = g_strdup ("");
  else
    {
      g_autofree char *quoted = g_shell_quote (self->store_path);
      store_option = g_strdup_printf (" --store %s", quoted);
    }

  /* Translators: the placeholder for the file to import in a command line. */
  command = g_strdup_printf ("agent-guard-admin import%s %s", store_option, _("FILE"));
  demo_command = g_strdup_printf ("agent-guard-admin generate%s --count 1000", store_option);
  gtk_label_set_text (self->no_store_command, command);
  gtk_label_set_text (self->no_store_demo_command, demo_command);
}

void
ag_window_open_store (AgWindow *self)
{
  g_autoptr (GTask) task = NULL;
  OpenData *data;

  g_cancellable_cancel (self->open_cancellable);
  g_clear_object (&self->open_cancellable);
  if (ag_window_is_unlocked (self))
    ag_guard_remask_all (self->guard, AG_REMASK_CAUSE_RECORD_CHANGED);
  ag_window_forget_customers (self);
  if (ag_window_get_store (self) != NULL)
    {
      ag_session_set_store (self->session, NULL);
      g_object_notify_by_pspec (G_OBJECT (self), ag_window_properties[PROP_STORE]);
    }

  if (!store_expected (self))
    {
      release_sign_in_unopened (self);
      update_no_store_command (self);
      ag_window_set_state (self, AG_WINDOW_STATE_NO_STORE);
      return;
    }

  ag_window_set_state (self, AG_WINDOW_STATE_OPENING);
  self->open_cancellable = g_cancellable_new ();
  self->opening = TRUE;
  task = g_task_new (self, self->open_cancellable, open_store_done_cb, g_object_ref (self));
  g_task_set_source_tag (task, ag_window_open_store);
  data = g_new0 (OpenData, 1);
  data->session = g_object_ref (self->session);
  data->location = ag_session_get_training (self->session) ? NULL : g_strdup (self->store_path);
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_store_thread);
}
