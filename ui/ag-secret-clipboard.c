/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-secret-clipboard"

#include "config.h"

#include <string.h>

#include "ag-secret-clipboard.h"
#include "ag-secret.h"

#ifdef GDK_WINDOWING_X11
#include <gdk/x11/gdkx.h>
#endif

/**
 * SECTION:ag-secret-clipboard
 *
 * A revealed value on the clipboard, when the `clipboard` policy allows it
 * (`allow-with-clear:N`, DESIGN §9), once its `copy` entry is in the ledger
 * (ag_guard_copy_async()). The copy offers the text and the `x-kde-passwordManagerHint`
 * mime type with the content `secret`, which tells clipboard managers not to keep it in
 * their history. The app takes it off the clipboard again at whichever comes first: N
 * seconds, the reveal's end (its expiry, "Hide Now", a change of record, focus loss) or
 * the guard's lock; but only while the clipboard still holds this copy: whatever the
 * agent copied since, from any app, is left alone.
 *
 * The text lives in locked memory that is wiped as soon as the copy is taken off, and the
 * clipboard is served by our own content provider (#AgSecretContent), which writes each
 * read straight from that memory and offers no #GValue that the toolkit could copy. What
 * the toolkit does with the bytes it is handed is its own (README, threat model).
 */

/* The content provider ------------------------------------------------------------------ */

#define AG_TYPE_SECRET_CONTENT (ag_secret_content_get_type ())
G_DECLARE_FINAL_TYPE (AgSecretContent, ag_secret_content, AG, SECRET_CONTENT, GdkContentProvider)

struct _AgSecretContent
{
  GdkContentProvider parent_instance;

  AgSecret *text; /* NULL once wiped */
  gsize len;
  guint n_writing; /* reads being written from @text */
  gboolean wipe;   /* wipe @text once the last write is done */
};

G_DEFINE_FINAL_TYPE (AgSecretContent, ag_secret_content, GDK_TYPE_CONTENT_PROVIDER)

static const char *const text_mime_types[] = { "text/plain;charset=utf-8", "text/plain" };

static void
wipe_if_idle (AgSecretContent *self)
{
  if (self->wipe && self->n_writing == 0)
    g_clear_pointer (&self->text, ag_secret_free);
}

static GdkContentFormats *
ag_secret_content_ref_formats (GdkContentProvider *provider)
{
  GdkContentFormatsBuilder *builder = gdk_content_formats_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (text_mime_types); i++)
    gdk_content_formats_builder_add_mime_type (builder, text_mime_types[i]);
  gdk_content_formats_builder_add_mime_type (builder, AG_SECRET_CLIPBOARD_HINT_MIME_TYPE);
  return gdk_content_formats_builder_free_to_formats (builder);
}

static void
write_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  AgSecretContent *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;

  self->n_writing--;
  wipe_if_idle (self);
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
ag_secret_content_write_mime_type_async (GdkContentProvider *provider, const char *mime_type,
                                         GOutputStream *stream, int io_priority,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data)
{
  AgSecretContent *self = AG_SECRET_CONTENT (provider);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  gboolean is_text = FALSE;

  g_task_set_source_tag (task, ag_secret_content_write_mime_type_async);
  g_task_set_priority (task, io_priority);
  for (guint i = 0; i < G_N_ELEMENTS (text_mime_types); i++)
    is_text |= g_str_equal (mime_type, text_mime_types[i]);

  if (g_str_equal (mime_type, AG_SECRET_CLIPBOARD_HINT_MIME_TYPE))
    {
      g_output_stream_write_all_async (stream, "secret", strlen ("secret"), io_priority,
                                       cancellable, write_done_cb, g_object_ref (task));
      self->n_writing++;
    }
  else if (!is_text)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             "Cannot offer the copy as %s", mime_type);
  else if (self->text == NULL || self->wipe)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "The copy was cleared");
  else
    {
      /* Straight from the locked memory: the task keeps the provider, and the memory with
       * it, until the stream is done with it. */
      g_output_stream_write_all_async (stream, ag_secret_get_data (self->text, NULL), self->len,
                                       io_priority, cancellable, write_done_cb,
                                       g_object_ref (task));
      self->n_writing++;
    }
}

static gboolean
ag_secret_content_write_mime_type_finish (GdkContentProvider *provider, GAsyncResult *result,
                                          GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* No GValue of the text: a local reader would get a string copy the app never sees again.
 * It reads through a stream, as every other app does. */
static gboolean
ag_secret_content_get_value (GdkContentProvider *provider, GValue *value, GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "A copied value is only offered as bytes");
  return FALSE;
}

static void
ag_secret_content_finalize (GObject *object)
{
  AgSecretContent *self = AG_SECRET_CONTENT (object);

  g_clear_pointer (&self->text, ag_secret_free);

  G_OBJECT_CLASS (ag_secret_content_parent_class)->finalize (object);
}

static void
ag_secret_content_class_init (AgSecretContentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GdkContentProviderClass *provider_class = GDK_CONTENT_PROVIDER_CLASS (klass);

  object_class->finalize = ag_secret_content_finalize;
  provider_class->ref_formats = ag_secret_content_ref_formats;
  provider_class->write_mime_type_async = ag_secret_content_write_mime_type_async;
  provider_class->write_mime_type_finish = ag_secret_content_write_mime_type_finish;
  provider_class->get_value = ag_secret_content_get_value;
}

static void
ag_secret_content_init (AgSecretContent *self)
{
}

static GdkContentProvider *
ag_secret_content_new (const char *text)
{
  AgSecretContent *self = g_object_new (AG_TYPE_SECRET_CONTENT, NULL);

  self->len = strlen (text);
  self->text = ag_secret_new_from_data (text, self->len + 1);
  return GDK_CONTENT_PROVIDER (self);
}

/* Wipes the text now, or once the reads being written are done; later reads fail. */
static void
ag_secret_content_wipe (AgSecretContent *self)
{
  self->wipe = TRUE;
  wipe_if_idle (self);
}

/* The copy ------------------------------------------------------------------------------ */

typedef struct
{
  GdkClipboard *clipboard;      /* not owned: the copy is data on it */
  GdkContentProvider *provider; /* ours, while set */
  AgGuard *guard;
  AgReveal *reveal;
  gulong state_id;
  gulong active_id;
  guint timeout_id;
} Copy;

#define COPY_KEY "ag-secret-clipboard-copy"

static void
copy_free (Copy *copy)
{
  g_clear_handle_id (&copy->timeout_id, g_source_remove);
  g_clear_signal_handler (&copy->state_id, copy->guard);
  g_clear_signal_handler (&copy->active_id, copy->reveal);
  g_clear_object (&copy->guard);
  g_clear_object (&copy->reveal);
  ag_secret_content_wipe (AG_SECRET_CONTENT (copy->provider));
  g_clear_object (&copy->provider);
  g_free (copy);
}

static Copy *
get_copy (GdkClipboard *clipboard)
{
  return g_object_get_data (G_OBJECT (clipboard), COPY_KEY);
}

/**
 * ag_secret_clipboard_holds_copy:
 * @clipboard: a clipboard
 *
 * Returns: whether @clipboard still holds a copy made by ag_secret_clipboard_copy()
 */
gboolean
ag_secret_clipboard_holds_copy (GdkClipboard *clipboard)
{
  Copy *copy;

  g_return_val_if_fail (GDK_IS_CLIPBOARD (clipboard), FALSE);

  copy = get_copy (clipboard);
  return copy != NULL && gdk_clipboard_is_local (clipboard)
         && gdk_clipboard_get_content (clipboard) == copy->provider;
}

/**
 * ag_secret_clipboard_clear:
 * @clipboard: a clipboard
 *
 * Takes our copy off @clipboard if it still holds it and wipes it; forgets it either way.
 */
void
ag_secret_clipboard_clear (GdkClipboard *clipboard)
{
  g_return_if_fail (GDK_IS_CLIPBOARD (clipboard));

  if (get_copy (clipboard) == NULL)
    return;
  if (ag_secret_clipboard_holds_copy (clipboard))
    {
      g_debug ("Clearing a copied value from the clipboard");
      gdk_clipboard_set_content (clipboard, NULL);
    }
  else
    g_debug ("The clipboard holds something else now: left alone");
  g_object_set_data (G_OBJECT (clipboard), COPY_KEY, NULL);
}

static gboolean
clear_timeout_cb (gpointer user_data)
{
  Copy *copy = user_data;

  copy->timeout_id = 0;
  ag_secret_clipboard_clear (copy->clipboard);
  return G_SOURCE_REMOVE;
}

static void
guard_state_cb (AgGuard *guard, GParamSpec *pspec, Copy *copy)
{
  if (ag_guard_get_state (guard) != AG_GUARD_STATE_UNLOCKED)
    ag_secret_clipboard_clear (copy->clipboard);
}

static void
reveal_active_cb (AgReveal *reveal, GParamSpec *pspec, Copy *copy)
{
  if (!ag_reveal_get_active (reveal))
    ag_secret_clipboard_clear (copy->clipboard);
}

/**
 * ag_secret_clipboard_has_manager:
 * @display: a display
 *
 * Whether a clipboard manager runs on @display: on X11, whether some client owns the
 * `CLIPBOARD_MANAGER` selection. Such a manager takes a copy of whatever the clipboard
 * offers (`SAVE_TARGETS`, or on its own when the owner changes) and keeps it after the
 * app clears the clipboard. Wayland has no such well-known name: %FALSE there.
 *
 * Returns: whether a copy would be kept by a clipboard manager
 */
gboolean
ag_secret_clipboard_has_manager (GdkDisplay *display)
{
  g_return_val_if_fail (GDK_IS_DISPLAY (display), FALSE);

#ifdef GDK_WINDOWING_X11
  if (GDK_IS_X11_DISPLAY (display))
    return XGetSelectionOwner (gdk_x11_display_get_xdisplay (display),
                               gdk_x11_get_xatom_by_name_for_display (display, "CLIPBOARD_MANAGER"))
           != None;
#endif
  return FALSE;
}

/**
 * ag_secret_clipboard_copy:
 * @clipboard: the clipboard to copy to
 * @guard: the guard whose lock takes the copy off again
 * @reveal: the live reveal of the value, whose end takes the copy off again
 * @text: the text to copy
 * @clear_after_seconds: when to take it off again, more than 0
 *
 * Puts @text on @clipboard with the password-manager hint, replacing an earlier copy of
 * ours, and takes it off at whichever comes first: @clear_after_seconds, the end of
 * @reveal, or @guard's lock; if the clipboard still holds it then. The caller has
 * ledgered the copy (ag_guard_copy_async()) and made sure no clipboard manager would
 * keep it (ag_secret_clipboard_has_manager()).
 */
void
ag_secret_clipboard_copy (GdkClipboard *clipboard, AgGuard *guard, AgReveal *reveal,
                          const char *text, guint clear_after_seconds)
{
  Copy *copy;

  g_return_if_fail (GDK_IS_CLIPBOARD (clipboard));
  g_return_if_fail (AG_IS_GUARD (guard));
  g_return_if_fail (AG_IS_REVEAL (reveal));
  g_return_if_fail (text != NULL);
  g_return_if_fail (clear_after_seconds > 0);

  /* An earlier copy of ours goes now, with its timer. */
  ag_secret_clipboard_clear (clipboard);
  if (!ag_reveal_get_active (reveal) || ag_guard_get_state (guard) != AG_GUARD_STATE_UNLOCKED)
    return;

  copy = g_new0 (Copy, 1);
  copy->clipboard = clipboard;
  copy->provider = ag_secret_content_new (text);
  copy->guard = g_object_ref (guard);
  copy->reveal = g_object_ref (reveal);
  copy->state_id = g_signal_connect (guard, "notify::state", G_CALLBACK (guard_state_cb), copy);
  copy->active_id
    = g_signal_connect (reveal, "notify::active", G_CALLBACK (reveal_active_cb), copy);
  copy->timeout_id = g_timeout_add_seconds (clear_after_seconds, clear_timeout_cb, copy);
  g_source_set_name_by_id (copy->timeout_id, "[agent-guard] clipboard clear");
  g_object_set_data_full (G_OBJECT (clipboard), COPY_KEY, copy, (GDestroyNotify) copy_free);

  if (!gdk_clipboard_set_content (clipboard, copy->provider))
    g_message ("Could not put a copied value on the clipboard");
  g_debug ("Copied a value to the clipboard, cleared in %u s at most", clear_after_seconds);
}
