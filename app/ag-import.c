/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ag-import.h"

/* What an import file may hold: the id, then every PII kind by its string form. A column
 * index below AG_PII_N_KINDS is that kind; COLUMN_ID is the id. */
#define COLUMN_ID     AG_PII_N_KINDS
#define N_COLUMNS     (AG_PII_N_KINDS + 1)
#define MAX_ID_LENGTH 64
/* A header cell longer than this cannot be a known column; we stop reading it. */
#define MAX_HEADER_CELL 64
/* A value longer than this is refused by ag_pii_normalize() anyway; we stop reading it. */
#define MAX_VALUE_LENGTH AG_PII_MAX_INPUT

GQuark
ag_import_error_quark (void)
{
  return g_quark_from_static_string ("ag-import-error-quark");
}

static void
set_error (GError **error, AgImportError code, const char *filename, guint64 line,
           const char *format, ...) G_GNUC_PRINTF (5, 6);

static void
set_error (GError **error, AgImportError code, const char *filename, guint64 line,
           const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, AG_IMPORT_ERROR, code, "%s:%" G_GUINT64_FORMAT ": %s", filename, line,
               message);
}

static void
customer_data_free (gpointer data)
{
  ag_customer_data_clear (data);
  g_free (data);
}

static void
wipe_gstring (GString *str)
{
  if (str->len > 0)
    explicit_bzero (str->str, str->len);
  g_string_truncate (str, 0);
}

static void
wipe_gstring_free (gpointer data)
{
  GString *str = data;

  wipe_gstring (str);
  g_string_free (str, TRUE);
}

/* How an error message names a column or key: quoted and cut short (a header cell is read
 * only up to MAX_HEADER_CELL bytes) when it looks like a column name, that is ASCII
 * letters, '_', '-' and spaces only; a placeholder otherwise. The first row of a file
 * without a header is customer data, and a CPF, a phone or an e-mail must never be echoed
 * on stderr. */
static char *
printable_name (const char *name)
{
  gsize len = strlen (name);

  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isalpha (name[i]) && name[i] != '_' && name[i] != '-' && name[i] != ' ')
        return g_strdup (_("(not shown: it looks like data; is the header row missing?)"));
    }

  if (len > 40)
    return g_strdup_printf ("“%.40s…”", name);
  return g_strdup_printf ("“%s”", name);
}

static const char *
column_to_string (guint column)
{
  return column == COLUMN_ID ? "id" : ag_pii_kind_to_string ((AgPiiKind) column);
}

static gboolean
column_from_string (const char *name, guint *out_column)
{
  AgPiiKind kind;

  if (g_str_equal (name, "id"))
    {
      *out_column = COLUMN_ID;
      return TRUE;
    }
  /* Exactly the kind's string form, whatever else the parser accepts. */
  if (ag_pii_kind_from_string (name, &kind) && g_str_equal (ag_pii_kind_to_string (kind), name))
    {
      *out_column = kind;
      return TRUE;
    }

  return FALSE;
}

static gboolean
is_blank (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if (*p != ' ' && *p != '\t')
      return FALSE;
  return TRUE;
}

static const char *
pii_problem (const GError *pii_error)
{
  if (pii_error->domain != AG_PII_ERROR)
    return _("invalid value");

  switch ((AgPiiError) pii_error->code)
    {
      case AG_PII_ERROR_EMPTY:
        return _("empty value");
      case AG_PII_ERROR_TOO_LONG:
        return _("value too long");
      case AG_PII_ERROR_INVALID_CHARACTER:
        return _("invalid character");
      case AG_PII_ERROR_INVALID_LENGTH:
        return _("wrong number of digits or characters");
      case AG_PII_ERROR_INVALID_CHECK_DIGITS:
        return _("invalid check digits");
      case AG_PII_ERROR_INVALID_FORMAT:
        return _("invalid format");
      case AG_PII_ERROR_INVALID_DATE:
        return _("invalid date (use YYYY-MM-DD or DD/MM/YYYY)");
      default:
        return _("invalid value");
    }
}

static gboolean
id_is_valid (const char *id)
{
  gsize len = strlen (id);

  if (len < 1 || len > MAX_ID_LENGTH)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '_' && *p != '-')
      return FALSE;

  return TRUE;
}

/* Validates one value of @column and stores its normalised form in @customer. @value
 * is the raw cell; an empty or blank one means "no value". */
static gboolean
set_value (AgCustomerData *customer, guint column, const char *value, const char *filename,
           guint64 line, GError **error)
{
  g_autoptr (GError) pii_error = NULL;
  char *normalized;

  if (value == NULL || is_blank (value))
    return TRUE;

  if (column == COLUMN_ID)
    {
      g_autofree char *id = g_strstrip (g_strdup (value));

      if (!id_is_valid (id))
        {
          set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line,
                     _("id: must be 1 to %d letters, digits, “.”, “_” or “-”"), MAX_ID_LENGTH);
          return FALSE;
        }
      g_free (customer->id);
      customer->id = g_steal_pointer (&id);
      return TRUE;
    }

  normalized = ag_pii_normalize ((AgPiiKind) column, value, &pii_error);
  /* Only Unicode white space, e.g. a no-break space: as empty as an empty cell. */
  if (normalized == NULL && g_error_matches (pii_error, AG_PII_ERROR, AG_PII_ERROR_EMPTY))
    return TRUE;
  if (normalized == NULL)
    {
      set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line, "%s: %s",
                 column_to_string (column), pii_problem (pii_error));
      return FALSE;
    }

  if (customer->values[column] != NULL)
    {
      explicit_bzero (customer->values[column], strlen (customer->values[column]));
      g_free (customer->values[column]);
    }
  customer->values[column] = normalized;
  return TRUE;
}

/* The checks every row gets once its values are in: required values, unique id. */
static gboolean
finish_customer (AgCustomerData *customer, GHashTable *seen_ids, const char *filename, guint64 line,
                 GError **error)
{
  gpointer first_line;

  customer->line = line;

  if (customer->id == NULL)
    {
      set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line, _("id: missing"));
      return FALSE;
    }
  if (customer->values[AG_PII_KIND_NAME] == NULL)
    {
      set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line, _("name: missing"));
      return FALSE;
    }
  if (g_hash_table_lookup_extended (seen_ids, customer->id, NULL, &first_line))
    {
      set_error (error, AG_IMPORT_ERROR_DUPLICATE_ID, filename, line,
                 _("duplicate id (first seen on line %llu)"),
                 (unsigned long long) *(guint64 *) first_line);
      return FALSE;
    }
  /* The array owns the customer; the table borrows its id and line. */
  g_hash_table_insert (seen_ids, customer->id, &customer->line);

  return TRUE;
}

/* Both formats are UTF-8 only. The line of the first bad byte is reported. NUL bytes are
 * refused as well: no field may hold one. */
static gboolean
check_utf8 (const char *filename, const char *data, gsize len, GError **error)
{
  const char *end;
  guint64 line = 1;

  if (g_utf8_validate_len (data, len, &end))
    return TRUE;

  for (const char *p = data; p < end; p++)
    if (*p == '\n')
      line++;

  set_error (error, AG_IMPORT_ERROR_ENCODING, filename, line, _("invalid UTF-8"));
  return FALSE;
}

static gsize
skip_bom (const char *data, gsize len)
{
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    return 3;
  return 0;
}

/* CSV */

typedef enum
{
  CSV_FIELD_START,
  CSV_UNQUOTED,
  CSV_QUOTED,
  CSV_QUOTE_IN_QUOTED,
} CsvState;

typedef struct
{
  const char *filename;
  gboolean have_header;
  guint n_columns;
  guint columns[N_COLUMNS];
  gboolean column_seen[N_COLUMNS];
  GPtrArray *fields; /* GString*, wiped on free */
  guint n_fields;    /* fields of the current record so far */
  guint64 record_line;
  GHashTable *seen_ids;
  GPtrArray *result;
} CsvParser;

/* The GString the next field is read into, reused from record to record. */
static GString *
current_field (CsvParser *self)
{
  if (self->n_fields >= self->fields->len)
    g_ptr_array_add (self->fields, g_string_sized_new (64));
  return g_ptr_array_index (self->fields, self->n_fields);
}

static gboolean
csv_append (CsvParser *self, char c, GError **error)
{
  GString *field = current_field (self);
  gsize limit = self->have_header ? MAX_VALUE_LENGTH : MAX_HEADER_CELL;

  if (self->have_header && self->n_fields >= self->n_columns)
    {
      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                 _("too many fields (the header has %u)"), self->n_columns);
      return FALSE;
    }
  if (field->len >= limit)
    {
      if (!self->have_header)
        {
          g_autofree char *name = printable_name (field->str);

          set_error (error, AG_IMPORT_ERROR_UNKNOWN_COLUMN, self->filename, self->record_line,
                     _("unknown column %s"), name);
        }
      else
        {
          set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, self->filename, self->record_line,
                     "%s: %s", column_to_string (self->columns[self->n_fields]),
                     _("value too long"));
        }
      return FALSE;
    }

  g_string_append_c (field, c);
  return TRUE;
}

static gboolean
csv_end_header_field (CsvParser *self, GError **error)
{
  GString *field = current_field (self);
  guint column;

  if (!column_from_string (field->str, &column))
    {
      g_autofree char *name = printable_name (field->str);

      set_error (error, AG_IMPORT_ERROR_UNKNOWN_COLUMN, self->filename, self->record_line,
                 _("unknown column %s"), name);
      return FALSE;
    }
  if (self->column_seen[column])
    {
      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                 _("column “%s” appears twice"), column_to_string (column));
      return FALSE;
    }

  self->column_seen[column] = TRUE;
  self->columns[self->n_fields] = column;
  return TRUE;
}

/* Called at the end of each field, before the next one starts. */
static gboolean
csv_end_field (CsvParser *self, GError **error)
{
  if (!self->have_header)
    {
      if (!csv_end_header_field (self, error))
        return FALSE;
    }
  else if (self->n_fields + 1 > self->n_columns)
    {
      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                 _("too many fields (the header has %u)"), self->n_columns);
      return FALSE;
    }

  self->n_fields++;
  return TRUE;
}

static gboolean
csv_end_header (CsvParser *self, GError **error)
{
  self->n_columns = self->n_fields;
  self->have_header = TRUE;

  if (!self->column_seen[COLUMN_ID])
    {
      set_error (error, AG_IMPORT_ERROR_MISSING_COLUMN, self->filename, self->record_line,
                 _("missing column “%s”"), "id");
      return FALSE;
    }
  if (!self->column_seen[AG_PII_KIND_NAME])
    {
      set_error (error, AG_IMPORT_ERROR_MISSING_COLUMN, self->filename, self->record_line,
                 _("missing column “%s”"), "name");
      return FALSE;
    }

  return TRUE;
}

/* Called after the last field of a record has been ended. */
static gboolean
csv_end_record (CsvParser *self, GError **error)
{
  AgCustomerData *customer;
  gboolean ok = TRUE;

  if (!self->have_header)
    {
      if (!csv_end_header (self, error))
        return FALSE;
      for (guint i = 0; i < self->fields->len; i++)
        wipe_gstring (g_ptr_array_index (self->fields, i));
      self->n_fields = 0;
      return TRUE;
    }

  if (self->n_fields != self->n_columns)
    {
      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                 _("expected %u fields, found %u"), self->n_columns, self->n_fields);
      return FALSE;
    }

  customer = g_new0 (AgCustomerData, 1);
  g_ptr_array_add (self->result, customer);

  for (guint i = 0; ok && i < self->n_fields; i++)
    {
      GString *field = g_ptr_array_index (self->fields, i);

      ok = set_value (customer, self->columns[i], field->str, self->filename, self->record_line,
                      error);
    }
  for (guint i = 0; i < self->n_fields; i++)
    wipe_gstring (g_ptr_array_index (self->fields, i));
  self->n_fields = 0;

  return ok && finish_customer (customer, self->seen_ids, self->filename, self->record_line, error);
}

static gboolean
csv_parse (CsvParser *self, const char *data, gsize len, GError **error)
{
  CsvState state = CSV_FIELD_START;
  guint64 line = 1;
  /* Whether the current record has begun: an empty line is no record and is skipped. */
  gboolean in_record = FALSE;

  for (gsize i = skip_bom (data, len); i < len; i++)
    {
      char c = data[i];
      gboolean end_of_line = FALSE;

      if (c == '\r')
        {
          if (state == CSV_QUOTED)
            {
              if (!csv_append (self, c, error))
                return FALSE;
              continue;
            }
          if (i + 1 >= len || data[i + 1] != '\n')
            {
              set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                         _("carriage return without a line feed"));
              return FALSE;
            }
          /* CRLF: the LF does the work. */
          continue;
        }

      if (!in_record)
        {
          if (c == '\n')
            {
              line++;
              continue;
            }
          in_record = TRUE;
          self->record_line = line;
        }

      switch (state)
        {
          case CSV_FIELD_START:
            if (c == '"')
              state = CSV_QUOTED;
            else if (c == ',')
              {
                (void) current_field (self);
                if (!csv_end_field (self, error))
                  return FALSE;
              }
            else if (c == '\n')
              end_of_line = TRUE;
            else
              {
                if (!csv_append (self, c, error))
                  return FALSE;
                state = CSV_UNQUOTED;
              }
            break;

          case CSV_UNQUOTED:
            if (c == ',')
              {
                if (!csv_end_field (self, error))
                  return FALSE;
                state = CSV_FIELD_START;
              }
            else if (c == '\n')
              end_of_line = TRUE;
            else if (c == '"')
              {
                set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                           _("quote inside an unquoted field"));
                return FALSE;
              }
            else if (!csv_append (self, c, error))
              return FALSE;
            break;

          case CSV_QUOTED:
            if (c == '"')
              state = CSV_QUOTE_IN_QUOTED;
            else
              {
                if (c == '\n')
                  line++;
                if (!csv_append (self, c, error))
                  return FALSE;
              }
            break;

          case CSV_QUOTE_IN_QUOTED:
            if (c == '"')
              {
                if (!csv_append (self, c, error))
                  return FALSE;
                state = CSV_QUOTED;
              }
            else if (c == ',')
              {
                if (!csv_end_field (self, error))
                  return FALSE;
                state = CSV_FIELD_START;
              }
            else if (c == '\n')
              end_of_line = TRUE;
            else
              {
                set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                           _("text after a closing quote"));
                return FALSE;
              }
            break;

          default:
            g_assert_not_reached ();
        }

      if (end_of_line)
        {
          (void) current_field (self);
          if (!csv_end_field (self, error) || !csv_end_record (self, error))
            return FALSE;
          line++;
          in_record = FALSE;
          state = CSV_FIELD_START;
        }
    }

  if (state == CSV_QUOTED)
    {
      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                 _("unterminated quoted field"));
      return FALSE;
    }

  /* The last line may lack its line feed. */
  if (in_record)
    {
      (void) current_field (self);
      if (!csv_end_field (self, error) || !csv_end_record (self, error))
        return FALSE;
    }

  if (!self->have_header)
    {
      set_error (error, AG_IMPORT_ERROR_MISSING_COLUMN, self->filename, 1,
                 _("missing header row"));
      return FALSE;
    }

  return TRUE;
}

/**
 * ag_import_parse_csv:
 * @filename: the name to put in error messages
 * @data: the document
 * @len: its length in bytes
 * @error: return location for an error
 *
 * Parses and validates a CSV document (RFC 4180, UTF-8, header row). Empty lines between
 * records are skipped; an empty or blank cell means "no value".
 *
 * Returns: (transfer full) (element-type AgCustomerData): the customers, or %NULL
 */
GPtrArray *
ag_import_parse_csv (const char *filename, const char *data, gsize len, GError **error)
{
  g_autoptr (GPtrArray) result = NULL;
  g_autoptr (GPtrArray) fields = NULL;
  g_autoptr (GHashTable) seen_ids = NULL;
  CsvParser parser = { 0 };

  g_return_val_if_fail (filename != NULL, NULL);
  g_return_val_if_fail (data != NULL || len == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_utf8 (filename, data, len, error))
    return NULL;

  result = g_ptr_array_new_with_free_func (customer_data_free);
  fields = g_ptr_array_new_with_free_func (wipe_gstring_free);
  seen_ids = g_hash_table_new (g_str_hash, g_str_equal);

  parser.filename = filename;
  parser.fields = fields;
  parser.seen_ids = seen_ids;
  parser.result = result;
  parser.record_line = 1;

  if (!csv_parse (&parser, data, len, error))
    return NULL;

  return g_steal_pointer (&result);
}

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
      self->duplicate_key = printable_name (member_name);
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
    set_error (error, AG_IMPORT_ERROR_SYNTAX, filename, line,
               _("JSON syntax error at column %llu"), (unsigned long long) column);
  else
    set_error (error, AG_IMPORT_ERROR_SYNTAX, filename, line, _("JSON syntax error"));
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
      set_error (error, AG_IMPORT_ERROR_SYNTAX, filename, line,
                 _("expected an object for each customer"));
      return FALSE;
    }

  object = json_node_get_object (element);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &key, &value))
    {
      guint column;

      if (!column_from_string (key, &column))
        {
          g_autofree char *name = printable_name (key);

          set_error (error, AG_IMPORT_ERROR_UNKNOWN_COLUMN, filename, line, _("unknown key %s"),
                     name);
          return FALSE;
        }

      if (JSON_NODE_HOLDS_NULL (value))
        continue;

      if (!JSON_NODE_HOLDS_VALUE (value))
        {
          set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line,
                     _("%s: nested values are not allowed"), key);
          return FALSE;
        }

      /* Numbers are refused even for digit-only kinds: a CPF or a card number as a JSON
       * number loses its leading zeros or its last digits on the way. */
      if (json_node_get_value_type (value) != G_TYPE_STRING)
        {
          set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line,
                     _("%s: expected a string"), key);
          return FALSE;
        }

      if (!set_value (customer, column, json_node_get_string (value), filename, line, error))
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

      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename,
                 line + MAX (self->duplicate_line, 1) - 1, _("key %s appears twice in one object"),
                 key);
      return FALSE;
    }

  root = json_parser_get_root (self->parser);
  customer = g_new0 (AgCustomerData, 1);
  g_ptr_array_add (self->result, customer);

  return json_element_to_customer (root, customer, self->filename, line, error)
         && finish_customer (customer, self->seen_ids, self->filename, line, error);
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
                      set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, self->filename, line,
                                 _("a string holds a NUL character (\\u0000)"));
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
                  set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
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
                    set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
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
                    set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                               _("JSON syntax error"));
                    return FALSE;
                  }
                else
                  {
                    set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
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
                    set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
                               _("JSON syntax error"));
                    return FALSE;
                  }
                break;

              case JSON_AFTER_ARRAY:
                set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
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
      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, 1,
                 _("expected an array of customer objects"));
      return FALSE;
    }
  if (state != JSON_AFTER_ARRAY)
    {
      set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename,
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

  if (!check_utf8 (filename, data, len, error))
    return NULL;

  result = g_ptr_array_new_with_free_func (customer_data_free);
  seen_ids = g_hash_table_new (g_str_hash, g_str_equal);
  member_counts = g_hash_table_new (NULL, NULL);
  parser = json_parser_new_immutable ();

  import.filename = filename;
  import.parser = parser;
  import.member_counts = member_counts;
  import.seen_ids = seen_ids;
  import.result = result;
  g_signal_connect (parser, "object-member", G_CALLBACK (object_member_cb), &import);

  start = skip_bom (data, len);
  ok = json_import (&import, data + start, len - start, error);
  g_free (import.duplicate_key);

  return ok ? g_steal_pointer (&result) : NULL;
}

static gboolean
has_suffix_nocase (const char *name, const char *suffix)
{
  gsize name_len = strlen (name);
  gsize suffix_len = strlen (suffix);

  return name_len >= suffix_len && g_ascii_strcasecmp (name + name_len - suffix_len, suffix) == 0;
}

/**
 * ag_import_load_file_full:
 * @file: the file to read
 * @display_name: (nullable): the name to put in error messages, e.g. as the user typed
 *   it; the file's path when %NULL
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Reads @file and parses it as CSV or JSON by its extension (`.csv`, `.json`, any case).
 *
 * Returns: (transfer full) (element-type AgCustomerData): the customers, or %NULL
 */
GPtrArray *
ag_import_load_file_full (GFile *file, const char *display_name, GCancellable *cancellable,
                          GError **error)
{
  g_autofree char *parse_name = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *contents = NULL;
  GPtrArray *result;
  gboolean is_csv;
  gsize len;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (display_name == NULL)
    display_name = parse_name = g_file_get_parse_name (file);

  basename = g_file_get_basename (file);
  if (basename != NULL && has_suffix_nocase (basename, ".csv"))
    is_csv = TRUE;
  else if (basename != NULL && has_suffix_nocase (basename, ".json"))
    is_csv = FALSE;
  else
    {
      g_set_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_UNSUPPORTED_FORMAT,
                   _("%s: unknown file type; the name must end in .csv or .json"), display_name);
      return NULL;
    }

  if (!g_file_load_contents (file, cancellable, &contents, &len, NULL, error))
    {
      g_prefix_error (error, "%s: ", display_name);
      return NULL;
    }

  if (is_csv)
    result = ag_import_parse_csv (display_name, contents, len, error);
  else
    result = ag_import_parse_json (display_name, contents, len, error);

  explicit_bzero (contents, len);
  return result;
}

/**
 * ag_import_load_file:
 * @file: the file to read
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error
 *
 * Like ag_import_load_file_full() with the file's path in error messages.
 *
 * Returns: (transfer full) (element-type AgCustomerData): the customers, or %NULL
 */
GPtrArray *
ag_import_load_file (GFile *file, GCancellable *cancellable, GError **error)
{
  return ag_import_load_file_full (file, NULL, cancellable, error);
}
