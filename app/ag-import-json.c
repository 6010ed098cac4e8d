/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-import-private.h"

/* JSON */

/* The top-level array is read here, one element at a time, and each element (an object
 * of strings) is handed to json-glib on its own: json-glib builds a whole tree in memory
 * (a few hundred bytes per empty object) and recurses without limit, so neither a huge
 * array nor deep nesting ever reaches it whole. This scanner also gives each customer the
 * line where its object starts, which json-glib nodes do not carry. */

typedef enum
{
  JSON_BEFORE_ARRAY,
  JSON_FIRST_ELEMENT,
  JSON_NEXT_ELEMENT,
  JSON_IN_ELEMENT,
  JSON_AFTER_ELEMENT,
  JSON_AFTER_ARRAY,
} JsonState;

typedef struct
{
  const char *filename;
  JsonParser *parser;
  GHashTable *member_counts; /* JsonObject* → number of members parsed */
  char *duplicate_key;
  guint64 duplicate_line;
  GHashTable *seen_ids;
  GPtrArray *result;
} JsonImport;

/* json-glib keeps the last of two members with the same name without a word; a key given
 * twice could hide a value, so we count the members as they are parsed. */
static void
object_member_cb (JsonParser *parser, JsonObject *object, const char *member_name,
                  gpointer user_data)
{
  JsonImport *self = user_data;
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (self->member_counts, object)) + 1;

  g_hash_table_insert (self->member_counts, object, GUINT_TO_POINTER (count));
  if (self->duplicate_key == NULL && json_object_get_size (object) < count)
    {
      self->duplicate_key = ag_import_printable_name (member_name);
      self->duplicate_line = json_parser_get_current_line (parser);
    }
}

/* json-glib's messages read "<data>:LINE:COLUMN: Parse error: …" and may quote the
 * offending text, which could be customer data: keep the position only, made absolute
 * from the element's own position. */
static void
set_syntax_error (GError **error, const char *filename, const GError *json_error,
                  guint64 element_line, guint64 element_column)
{
  guint64 line = 1;
  guint64 column = 0;
  const char *p = strchr (json_error->message, ':');

  if (p != NULL)
    {
      char *end;

      line = g_ascii_strtoull (p + 1, &end, 10);
      if (*end == ':')
        column = g_ascii_strtoull (end + 1, NULL, 10);
      if (line == 0)
        line = 1;
    }

  if (line == 1 && column > 0)
    column += element_column - 1;
  line += element_line - 1;

  if (column > 0)
    ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, filename, line,
                         _("JSON syntax error at column %llu"), (unsigned long long) column);
  else
    ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, filename, line, _("JSON syntax error"));
}

static gboolean
json_element_to_customer (JsonNode *element, AgCustomerData *customer, const char *filename,
                          guint64 line, GError **error)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *key;
  JsonNode *value;

  if (!JSON_NODE_HOLDS_OBJECT (element))
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, filename, line,
                           _("expected an object for each customer"));
      return FALSE;
    }

  object = json_node_get_object (element);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &value))
    {
      guint column;

      if (!ag_import_column_from_string (key, &column))
        {
          g_autofree char *name = ag_import_printable_name (key);

          ag_import_set_error (error, AG_IMPORT_ERROR_UNKNOWN_COLUMN, filename, line,
                               _("unknown key %s"), name);
          return FALSE;
        }

      if (JSON_NODE_HOLDS_NULL (value))
        continue;

      if (!JSON_NODE_HOLDS_VALUE (value))
        {
          ag_import_set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line,
                               _("%s: nested values are not allowed"), key);
          return FALSE;
        }

      /* Numbers are refused even for digit-only kinds: a CPF or a card number as a JSON
       * number loses its leading zeros or its last digits on the way. */
      if (json_node_get_value_type (value) != G_TYPE_STRING)
        {
          ag_import_set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line,
                               _("%s: expected a string"), key);
          return FALSE;
        }

      if (!ag_import_set_value (customer, column, json_node_get_string (value), filename, line,
                                error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
json_import_element (JsonImport *self, const char *start, gsize len, guint64 line, guint64 column,
                     GError **error)
{
  g_autoptr (GError) json_error = NULL;
  AgCustomerData *customer;
  JsonNode *root;

  g_hash_table_remove_all (self->member_counts);
  if (!json_parser_load_from_data (self->parser, start, (gssize) len, &json_error))
    {
      set_syntax_error (error, self->filename, json_error, line, column);
      return FALSE;
    }
  g_hash_table_remove_all (self->member_counts);
  if (self->duplicate_key != NULL)
    {
      g_autofree char *key = g_steal_pointer (&self->duplicate_key);

      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename,
                           line + MAX (self->duplicate_line, 1) - 1,
                           _("key %s appears twice in one object"), key);
      return FALSE;
    }

  root = json_parser_get_root (self->parser);
  customer = g_new0 (AgCustomerData, 1);
  g_ptr_array_add (self->result, customer);

  return json_element_to_customer (root, customer, self->filename, line, error)
         && ag_import_finish_customer (customer, self->seen_ids, self->filename, line, error);
}

static gboolean
is_json_space (char c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static gboolean
json_import (JsonImport *self, const char *data, gsize len, GError **error)
{
  JsonState state = JSON_BEFORE_ARRAY;
  guint64 line = 1;
  gsize line_start = 0;
  gsize element_start = 0;
  guint64 element_line = 0;
  guint64 element_column = 0;
  guint depth = 0;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = data[i];

      if (state == JSON_IN_ELEMENT)
        {
          if (in_string)
            {
              if (escaped)
                {
                  /* json-glib hands strings out as C strings, so "\u0000" would cut a
                   * value short without a word: refuse it, as the CSV parser refuses NUL. */
                  if (c == 'u' && len - i > 4 && memcmp (data + i + 1, "0000", 4) == 0)
                    {
                      ag_import_set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, self->filename,
                                           line, _("a string holds a NUL character (\\u0000)"));
                      return FALSE;
                    }
                  escaped = FALSE;
                }
              else if (c == '\\')
                escaped = TRUE;
              else if (c == '"')
                in_string = FALSE;
            }
          else if (c == '"')
            in_string = TRUE;
          else if (c == '{' || c == '[')
            {
              /* The customer's object, then one level more for a clear "nested
               * values" error; anything deeper is refused here. */
              if (++depth > 2)
                {
                  ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                                       _("values nested too deeply"));
                  return FALSE;
                }
            }
          else if ((c == '}' || c == ']') && --depth == 0)
            {
              if (!json_import_element (self, data + element_start, i + 1 - element_start,
                                        element_line, element_column, error))
                return FALSE;
              state = JSON_AFTER_ELEMENT;
            }
        }
      else if (!is_json_space (c))
        {
          switch (state)
            {
              case JSON_BEFORE_ARRAY:
                if (c != '[')
                  {
                    ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                                         _("expected an array of customer objects"));
                    return FALSE;
                  }
                state = JSON_FIRST_ELEMENT;
                break;

              case JSON_FIRST_ELEMENT:
              case JSON_NEXT_ELEMENT:
                if (c == ']' && state == JSON_FIRST_ELEMENT)
                  state = JSON_AFTER_ARRAY;
                else if (c == '{')
                  {
                    state = JSON_IN_ELEMENT;
                    depth = 1;
                    element_start = i;
                    element_line = line;
                    element_column = i - line_start + 1;
                  }
                else if (c == ']' || c == ',')
                  {
                    ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                                         _("JSON syntax error"));
                    return FALSE;
                  }
                else
                  {
                    ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                                         _("expected an object for each customer"));
                    return FALSE;
                  }
                break;

              case JSON_AFTER_ELEMENT:
                if (c == ',')
                  state = JSON_NEXT_ELEMENT;
                else if (c == ']')
                  state = JSON_AFTER_ARRAY;
                else
                  {
                    ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                                         _("JSON syntax error"));
                    return FALSE;
                  }
                break;

              case JSON_AFTER_ARRAY:
                ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                                     _("JSON syntax error"));
                return FALSE;

              case JSON_IN_ELEMENT:
              default:
                g_assert_not_reached ();
            }
        }

      if (c == '\n')
        {
          line++;
          line_start = i + 1;
        }
    }

  if (state == JSON_BEFORE_ARRAY)
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, 1,
                           _("expected an array of customer objects"));
      return FALSE;
    }
  if (state != JSON_AFTER_ARRAY)
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename,
                           state == JSON_IN_ELEMENT ? element_line : line, _("JSON syntax error"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ag_import_parse_json:
 * @filename: the name to put in error messages
 * @data: the document
 * @len: its length in bytes
 * @error: return location for an error
 *
 * Parses and validates a JSON document: an array of objects with the same keys as the
 * CSV columns. Values are strings; `null` and `""` mean "no value"; numbers, booleans,
 * nested values, unknown keys and keys given twice are refused. The line of a customer
 * is the line where its object starts.
 *
 * Returns: (transfer full) (element-type AgCustomerData): the customers, or %NULL
 */
GPtrArray *
ag_import_parse_json (const char *filename, const char *data, gsize len, GError **error)
{
  g_autoptr (GPtrArray) result = NULL;
  g_autoptr (GHashTable) seen_ids = NULL;
  g_autoptr (GHashTable) member_counts = NULL;
  g_autoptr (JsonParser) parser = NULL;
  JsonImport import = { 0 };
  gsize start;
  gboolean ok;

  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!ag_import_check_utf8 (filename, data, len, error))
    return NULL;

  result = g_ptr_array_new_with_free_func (ag_import_customer_data_free);
  seen_ids = g_hash_table_new (g_str_hash, g_str_equal);
  member_counts = g_hash_table_new (NULL, NULL);
  parser = json_parser_new_immutable ();

  import.filename = filename;
  import.parser = parser;
  import.member_counts = member_counts;
  import.seen_ids = seen_ids;
  import.result = result;
  g_signal_connect (parser, "object-member", G_CALLBACK (object_member_cb), &import);

  start = ag_import_skip_bom (data, len);
  ok = json_import (&import, data + start, len - start, error);
  g_free (import.duplicate_key);

  return ok ? g_steal_pointer (&result) : NULL;
}
