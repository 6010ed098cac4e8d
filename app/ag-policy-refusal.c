/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy"

#include "config.h"

#include <string.h>

#include "ag-enums.h"
#include "ag-policy-private.h"

G_DEFINE_BOXED_TYPE (AgPolicyRefusal, ag_policy_refusal, ag_policy_refusal_copy,
                     ag_policy_refusal_free)

/* Refusals */

const char *
ag_policy_layer_to_string (AgPolicyLayer layer)
{
  if (layer > AG_POLICY_LAYER_USER)
    return "unknown";
  return ag_enum_to_nick (AG_TYPE_POLICY_LAYER, layer);
}

/**
 * ag_policy_error_to_string:
 * @code: an #AgPolicyError
 *
 * Returns: a stable name for @code (`syntax`, `beyond-bound`…), as the ledger keeps it
 */
const char *
ag_policy_error_to_string (AgPolicyError code)
{
  if (code > AG_POLICY_ERROR_UNSAFE_FILE)
    return "failed";
  return ag_enum_to_nick (AG_TYPE_POLICY_ERROR, code);
}

AgPolicyRefusal *
ag_policy_refusal_copy (const AgPolicyRefusal *refusal)
{
  AgPolicyRefusal *copy;

  g_return_val_if_fail (refusal != NULL, NULL);

  copy = g_memdup2 (refusal, sizeof *refusal);
  copy->file = g_strdup (refusal->file);
  copy->key = g_strdup (refusal->key);
  copy->message = g_strdup (refusal->message);
  return copy;
}

void
ag_policy_refusal_free (AgPolicyRefusal *refusal)
{
  if (refusal == NULL)
    return;
  g_free (refusal->file);
  g_free (refusal->key);
  g_free (refusal->message);
  g_free (refusal);
}

/**
 * ag_policy_refusal_equal:
 *
 * Returns: whether @a and @b refuse the same layer for the same problems
 */
gboolean
ag_policy_refusal_equal (const AgPolicyRefusal *a, const AgPolicyRefusal *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->layer == b->layer && g_strcmp0 (a->message, b->message) == 0;
}

/* The longest file name kept in a ledger cause, in bytes; the ledger takes 512. */
#define CAUSE_MAX_FILE 320

/**
 * ag_policy_refusal_to_cause:
 * @refusal: a refusal
 *
 * The `cause` of its `policy-refused` ledger entry: which layer, the file, line and key
 * of the first problem and its class, and how many problems there were —
 * `layer=user file=/home/ana/.config/agent-guard/policy.conf line=2 key=idle-lock
 * problem=beyond-bound problems=1`. Never a value from the file: only a known key name
 * and a class, so nothing an agent writes into a file reaches the ledger but its name.
 *
 * Returns: (transfer full): the cause, valid UTF-8 of at most 512 bytes
 */
char *
ag_policy_refusal_to_cause (const AgPolicyRefusal *refusal)
{
  g_autofree char *file = NULL;
  g_autoptr (GString) cause = g_string_new (NULL);

  g_return_val_if_fail (refusal != NULL, NULL);

  file = refusal->file != NULL ? g_filename_display_name (refusal->file) : g_strdup ("-");
  if (strlen (file) > CAUSE_MAX_FILE)
    {
      /* Keep the end, which names the file; cut on a character boundary. */
      const char *tail = g_utf8_find_next_char (file + strlen (file) - CAUSE_MAX_FILE, NULL);
      char *shorter = g_strconcat ("…", tail, NULL);

      g_free (file);
      file = shorter;
    }
  g_strdelimit (file, " \t\n\r", '_');

  g_string_append_printf (cause, "layer=%s file=%s", ag_policy_layer_to_string (refusal->layer),
                          file);
  if (refusal->line > 0)
    g_string_append_printf (cause, " line=%u", refusal->line);
  if (refusal->key != NULL)
    g_string_append_printf (cause, " key=%s", refusal->key);
  g_string_append_printf (cause, " problem=%s problems=%u",
                          ag_policy_error_to_string (refusal->code), refusal->n_problems);
  return g_string_free (g_steal_pointer (&cause), FALSE);
}

/**
 * ag_policy_refusals_propagate:
 * @refusals: (element-type AgPolicyRefusal): refusals of one load
 * @error: return location for an error
 *
 * Returns: %TRUE when @refusals is empty; otherwise %FALSE with @error set to
 *   %AG_POLICY_ERROR and the code of the first refusal, its message every problem of
 *   every refused layer, one per line
 */
gboolean
ag_policy_refusals_propagate (GPtrArray *refusals, GError **error)
{
  g_autoptr (GString) message = g_string_new (NULL);

  g_return_val_if_fail (refusals != NULL, FALSE);

  if (refusals->len == 0)
    return TRUE;

  for (guint i = 0; i < refusals->len; i++)
    {
      const AgPolicyRefusal *refusal = g_ptr_array_index (refusals, i);

      if (i > 0)
        g_string_append_c (message, '\n');
      g_string_append (message, refusal->message);
    }
  g_set_error_literal (error, AG_POLICY_ERROR,
                       ((const AgPolicyRefusal *) g_ptr_array_index (refusals, 0))->code,
                       message->str);
  return FALSE;
}
