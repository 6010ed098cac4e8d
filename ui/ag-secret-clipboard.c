/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-secret-clipboard"

#include "config.h"

#include <string.h>

#include "ag-secret-clipboard.h"
#include "ag-secret.h"

/**
 * SECTION:ag-secret-clipboard
 *
 * A revealed value on the clipboard, when the `clipboard` policy allows it
 * (`allow-with-clear:N`, DESIGN §9). The copy offers the text and the
 * `x-kde-passwordManagerHint` mime type with the content `secret`, which tells clipboard
 * managers not to keep it in their history. The app takes it off the clipboard again after
 * N seconds and when its guard locks, but only while the clipboard still holds this copy:
 * whatever the agent copied since, from any app, is left alone.
 *
 * The text lives in locked memory that is wiped when the clipboard lets go of it.
 */

typedef struct
{
  GdkClipboard *clipboard;      /* not owned: the copy is data on it */
  GdkContentProvider *provider; /* ours, while set */
  AgGuard *guard;
  gulong state_id;
  guint timeout_id;
} Copy;

#define COPY_KEY "ag-secret-clipboard-copy"

static void
copy_free (Copy *copy)
{
  g_clear_handle_id (&copy->timeout_id, g_source_remove);
  if (copy->guard != NULL)
    g_clear_signal_handler (&copy->state_id, copy->guard);
  g_clear_object (&copy->guard);
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
 * Takes our copy off @clipboard if it still holds it; forgets it either way.
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
wipe_secret (gpointer data)
{
  ag_secret_free (data);
}

/**
 * ag_secret_clipboard_copy:
 * @clipboard: the clipboard to copy to
 * @guard: the guard whose lock takes the copy off again
 * @text: the text to copy
 * @clear_after_seconds: when to take it off again, more than 0
 *
 * Puts @text on @clipboard with the password-manager hint, replacing an earlier copy of
 * ours, and takes it off after @clear_after_seconds or when @guard locks, whichever is
 * first, if the clipboard still holds it then.
 */
void
ag_secret_clipboard_copy (GdkClipboard *clipboard, AgGuard *guard, const char *text,
                          guint clear_after_seconds)
{
  g_autoptr (GBytes) text_bytes = NULL;
  g_autoptr (GBytes) hint_bytes = NULL;
  GdkContentProvider *providers[3];
  AgSecret *secret;
  gsize len;
  Copy *copy;

  g_return_if_fail (GDK_IS_CLIPBOARD (clipboard));
  g_return_if_fail (AG_IS_GUARD (guard));
  g_return_if_fail (text != NULL);
  g_return_if_fail (clear_after_seconds > 0);

  /* An earlier copy of ours goes now, with its timer. */
  ag_secret_clipboard_clear (clipboard);

  len = strlen (text);
  secret = ag_secret_new_from_data (text, len + 1);
  text_bytes
    = g_bytes_new_with_free_func (ag_secret_get_data (secret, NULL), len, wipe_secret, secret);
  hint_bytes = g_bytes_new_static ("secret", strlen ("secret"));
  providers[0] = gdk_content_provider_new_for_bytes ("text/plain;charset=utf-8", text_bytes);
  providers[1] = gdk_content_provider_new_for_bytes ("text/plain", text_bytes);
  providers[2]
    = gdk_content_provider_new_for_bytes (AG_SECRET_CLIPBOARD_HINT_MIME_TYPE, hint_bytes);

  copy = g_new0 (Copy, 1);
  copy->clipboard = clipboard;
  copy->provider = gdk_content_provider_new_union (providers, G_N_ELEMENTS (providers));
  copy->guard = g_object_ref (guard);
  copy->state_id = g_signal_connect (guard, "notify::state", G_CALLBACK (guard_state_cb), copy);
  copy->timeout_id = g_timeout_add_seconds (clear_after_seconds, clear_timeout_cb, copy);
  g_source_set_name_by_id (copy->timeout_id, "[agent-guard] clipboard clear");
  g_object_set_data_full (G_OBJECT (clipboard), COPY_KEY, copy, (GDestroyNotify) copy_free);

  if (!gdk_clipboard_set_content (clipboard, copy->provider))
    g_message ("Could not put a copied value on the clipboard");
  g_debug ("Copied a value to the clipboard, cleared in %u s", clear_after_seconds);
}
