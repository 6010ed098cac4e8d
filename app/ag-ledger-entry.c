/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-ledger"

#include "config.h"

#include <string.h>

#include "ag-enums.h"
#include "ag-ledger-private.h"

/*
 * A ledger entry and its canonical encoding (DESIGN §5):
 *
 *   encoding(e) = version (1 byte) · seq (u64 BE) · time_us (i64 BE) · mode (u8)
 *                 · event (u8) · field (u8, 0xff = none)
 *                 · user · host · session · record · reason · ticket · policy · cause
 *   where each string is: present (u8 0/1) [· length (u32 BE) · UTF-8 bytes]
 *
 * Every member has a fixed place and every string its length, so no two different
 * entries encode alike. The encoding is the entry: a backend stores it as it is, every
 * reader decodes it, and the chain's hash covers exactly those bytes (ag-ledger.c).
 */

G_DEFINE_BOXED_TYPE (AgLedgerEntry, ag_ledger_entry, ag_ledger_entry_copy, ag_ledger_entry_free)

/* Entries */

AgLedgerEntry *
ag_ledger_entry_new (AgLedgerEvent event)
{
  AgLedgerEntry *entry = g_new0 (AgLedgerEntry, 1);

  entry->event = event;
  entry->mode = AG_LEDGER_MODE_LIVE;
  entry->field_kind = AG_LEDGER_NO_FIELD;
  return entry;
}

AgLedgerEntry *
ag_ledger_entry_copy (const AgLedgerEntry *entry)
{
  AgLedgerEntry *copy;

  g_return_val_if_fail (entry != NULL, NULL);

  copy = g_memdup2 (entry, sizeof *entry);
  copy->user = g_strdup (entry->user);
  copy->host = g_strdup (entry->host);
  copy->session_id = g_strdup (entry->session_id);
  copy->record_id = g_strdup (entry->record_id);
  copy->reason = g_strdup (entry->reason);
  copy->ticket = g_strdup (entry->ticket);
  copy->policy_version = g_strdup (entry->policy_version);
  copy->cause = g_strdup (entry->cause);
  return copy;
}

void
ag_ledger_entry_free (AgLedgerEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->user);
  g_free (entry->host);
  g_free (entry->session_id);
  g_free (entry->record_id);
  g_free (entry->reason);
  g_free (entry->ticket);
  g_free (entry->policy_version);
  g_free (entry->cause);
  g_free (entry);
}

/* The event and mode names are their enums' nicks (ag-enum-types, generated): a file
 * format, so the value names never change. An unknown number (a decoded entry from a
 * newer or a broken ledger) is no name, without a warning. */

const char *
ag_ledger_event_to_string (AgLedgerEvent event)
{
  return ag_enum_lookup_nick (AG_TYPE_LEDGER_EVENT, event);
}

gboolean
ag_ledger_event_from_string (const char *str, AgLedgerEvent *out_event)
{
  int value;

  g_return_val_if_fail (str != NULL, FALSE);

  if (!ag_enum_from_nick (AG_TYPE_LEDGER_EVENT, str, &value))
    return FALSE;
  if (out_event != NULL)
    *out_event = value;
  return TRUE;
}

const char *
ag_ledger_mode_to_string (AgLedgerMode mode)
{
  return ag_enum_lookup_nick (AG_TYPE_LEDGER_MODE, mode);
}

static inline AgLedgerStr
str_from (const char *s)
{
  return (AgLedgerStr){ s, s != NULL ? (int) strlen (s) : -1 };
}

void
ag_ledger_view_from_entry (const AgLedgerEntry *entry, AgLedgerView *view)
{
  view->seq = entry->seq;
  view->time_us = entry->time_us;
  view->mode = entry->mode;
  view->event = entry->event;
  view->field = entry->field_kind;
  view->strings[0] = str_from (entry->user);
  view->strings[1] = str_from (entry->host);
  view->strings[2] = str_from (entry->session_id);
  view->strings[3] = str_from (entry->record_id);
  view->strings[4] = str_from (entry->reason);
  view->strings[5] = str_from (entry->ticket);
  view->strings[6] = str_from (entry->policy_version);
  view->strings[7] = str_from (entry->cause);
}

gsize
ag_ledger_view_encode (const AgLedgerView *view, guint8 *out)
{
  guint8 *p = out;

  if (view->mode < 0 || view->mode > 0xfe || view->event < 0 || view->event > 0xfe
      || view->field < AG_LEDGER_NO_FIELD || view->field > 0xfe)
    return 0;

  *p++ = AG_LEDGER_FORMAT_VERSION;
  p = ag_ledger_put_u64 (p, view->seq);
  p = ag_ledger_put_u64 (p, (guint64) view->time_us);
  *p++ = (guint8) view->mode;
  *p++ = (guint8) view->event;
  *p++ = view->field == AG_LEDGER_NO_FIELD ? 0xff : (guint8) view->field;

  for (guint i = 0; i < AG_LEDGER_N_STRINGS; i++)
    {
      const AgLedgerStr *s = &view->strings[i];

      if (s->len < 0)
        {
          *p++ = 0;
          continue;
        }
      if (s->len > AG_LEDGER_MAX_STRING)
        return 0;
      *p++ = 1;
      *p++ = (guint8) (s->len >> 24);
      *p++ = (guint8) (s->len >> 16);
      *p++ = (guint8) (s->len >> 8);
      *p++ = (guint8) s->len;
      memcpy (p, s->data, s->len);
      p += s->len;
    }

  return p - out;
}

gboolean
ag_ledger_view_decode (const guint8 *data, gsize len, AgLedgerView *view)
{
  const guint8 *p = data;
  const guint8 *end = data + len;

  if (len < AG_LEDGER_ENCODING_MIN || len > AG_LEDGER_ENCODING_MAX
      || *p++ != AG_LEDGER_FORMAT_VERSION)
    return FALSE;
  view->seq = ag_ledger_get_u64 (p);
  view->time_us = (gint64) ag_ledger_get_u64 (p + 8);
  p += 16;
  view->mode = *p++;
  view->event = *p++;
  view->field = *p == 0xff ? AG_LEDGER_NO_FIELD : *p;
  p++;
  if (view->mode == 0xff || view->event == 0xff || view->time_us < 0)
    return FALSE;

  for (guint i = 0; i < AG_LEDGER_N_STRINGS; i++)
    {
      guint32 n;

      if (p == end)
        return FALSE;
      switch (*p++)
        {
          case 0:
            view->strings[i] = (AgLedgerStr){ NULL, -1 };
            continue;
          case 1:
            break;
          default:
            return FALSE;
        }
      if (end - p < 4)
        return FALSE;
      n = ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
      p += 4;
      if (n > AG_LEDGER_MAX_STRING || n > (gsize) (end - p))
        return FALSE;
      view->strings[i] = (AgLedgerStr){ (const char *) p, (int) n };
      p += n;
    }
  return p == end;
}

gsize
ag_ledger_encode_for_testing (const AgLedgerEntry *entry, guint8 *out, gsize out_len)
{
  guint8 buffer[AG_LEDGER_ENCODING_MAX];
  AgLedgerView view;
  gsize len;

  g_return_val_if_fail (entry != NULL, 0);

  ag_ledger_view_from_entry (entry, &view);
  len = ag_ledger_view_encode (&view, buffer);
  if (len == 0 || len > out_len)
    return 0;
  memcpy (out, buffer, len);
  return len;
}

static gboolean
string_ok (const char *s, gboolean required)
{
  if (s == NULL)
    return !required;
  if (required && *s == '\0')
    return FALSE;
  return strlen (s) <= AG_LEDGER_MAX_STRING && g_utf8_validate (s, -1, NULL);
}

gboolean
ag_ledger_entry_validate (const AgLedgerEntry *entry, GError **error)
{
  const char *problem = NULL;

  if (ag_ledger_event_to_string (entry->event) == NULL)
    problem = "unknown event";
  else if (ag_ledger_mode_to_string (entry->mode) == NULL)
    problem = "unknown mode";
  else if (entry->field_kind != AG_LEDGER_NO_FIELD
           && (entry->field_kind < 0 || entry->field_kind >= AG_PII_N_KINDS))
    problem = "unknown field kind";
  else if (entry->time_us < 0)
    problem = "negative time";
  else if (!string_ok (entry->user, TRUE))
    problem = "missing or invalid user";
  else if (!string_ok (entry->host, TRUE))
    problem = "missing or invalid host";
  else if (!string_ok (entry->session_id, TRUE))
    problem = "missing or invalid session id";
  else if (!string_ok (entry->record_id, FALSE) || !string_ok (entry->reason, FALSE)
           || !string_ok (entry->ticket, FALSE) || !string_ok (entry->policy_version, FALSE)
           || !string_ok (entry->cause, FALSE))
    problem = "a string is too long or not UTF-8";
  else if ((entry->event == AG_LEDGER_EVENT_REVEAL || entry->event == AG_LEDGER_EVENT_REMASK
            || entry->event == AG_LEDGER_EVENT_COPY)
           && (entry->record_id == NULL || entry->field_kind == AG_LEDGER_NO_FIELD))
    problem = "a reveal needs a record and a field";

  if (problem != NULL)
    {
      /* Names the problem, never a value. */
      g_set_error (error, AG_LEDGER_ERROR, AG_LEDGER_ERROR_INVALID_ENTRY,
                   "Invalid ledger entry (%s): %s", ag_ledger_event_to_string (entry->event),
                   problem);
      return FALSE;
    }
  return TRUE;
}

static char *
str_dup (const AgLedgerStr *str)
{
  return str->len >= 0 ? g_strndup (str->data, str->len) : NULL;
}

AgLedgerEntry *
ag_ledger_entry_from_view (const AgLedgerView *view, const guint8 *seal)
{
  g_autoptr (AgLedgerEntry) entry = NULL;

  for (guint i = 0; i < AG_LEDGER_N_STRINGS; i++)
    if (view->strings[i].len >= 0
        && (memchr (view->strings[i].data, '\0', view->strings[i].len) != NULL
            || !g_utf8_validate (view->strings[i].data, view->strings[i].len, NULL)))
      return NULL;
  if (ag_ledger_event_to_string (view->event) == NULL
      || ag_ledger_mode_to_string (view->mode) == NULL
      || (view->field != AG_LEDGER_NO_FIELD && view->field >= AG_PII_N_KINDS))
    return NULL;

  entry = g_new0 (AgLedgerEntry, 1);
  entry->seq = view->seq;
  entry->time_us = view->time_us;
  entry->mode = view->mode;
  entry->event = view->event;
  entry->field_kind = view->field;
  entry->user = str_dup (&view->strings[0]);
  entry->host = str_dup (&view->strings[1]);
  entry->session_id = str_dup (&view->strings[2]);
  entry->record_id = str_dup (&view->strings[3]);
  entry->reason = str_dup (&view->strings[4]);
  entry->ticket = str_dup (&view->strings[5]);
  entry->policy_version = str_dup (&view->strings[6]);
  entry->cause = str_dup (&view->strings[7]);
  memcpy (entry->prev_hash, seal, AG_LEDGER_HASH_BYTES);
  memcpy (entry->hash, seal + AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  memcpy (entry->mac, seal + 2 * AG_LEDGER_HASH_BYTES, AG_LEDGER_HASH_BYTES);
  return g_steal_pointer (&entry);
}
