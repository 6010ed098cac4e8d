/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-import-private.h"

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
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                           _("too many fields (the header has %u)"), self->n_columns);
      return FALSE;
    }
  if (field->len >= limit)
    {
      if (!self->have_header)
        {
          g_autofree char *name = ag_import_printable_name (field->str);

          ag_import_set_error (error, AG_IMPORT_ERROR_UNKNOWN_COLUMN, self->filename,
                               self->record_line, _("unknown column %s"), name);
        }
      else
        {
          ag_import_set_error (
            error, AG_IMPORT_ERROR_INVALID_VALUE, self->filename, self->record_line, "%s: %s",
            ag_import_column_to_string (self->columns[self->n_fields]), _("value too long"));
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

  if (!ag_import_column_from_string (field->str, &column))
    {
      g_autofree char *name = ag_import_printable_name (field->str);

      ag_import_set_error (error, AG_IMPORT_ERROR_UNKNOWN_COLUMN, self->filename, self->record_line,
                           _("unknown column %s"), name);
      return FALSE;
    }
  if (self->column_seen[column])
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                           _("column “%s” appears twice"), ag_import_column_to_string (column));
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
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
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
      ag_import_set_error (error, AG_IMPORT_ERROR_MISSING_COLUMN, self->filename, self->record_line,
                           _("missing column “%s”"), "id");
      return FALSE;
    }
  if (!self->column_seen[AG_PII_KIND_NAME])
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_MISSING_COLUMN, self->filename, self->record_line,
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
        ag_import_wipe_gstring (g_ptr_array_index (self->fields, i));
      self->n_fields = 0;
      return TRUE;
    }

  if (self->n_fields != self->n_columns)
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
                           _("expected %u fields, found %u"), self->n_columns, self->n_fields);
      return FALSE;
    }

  customer = g_new0 (AgCustomerData, 1);
  g_ptr_array_add (self->result, customer);

  for (guint i = 0; ok && i < self->n_fields; i++)
    {
      GString *field = g_ptr_array_index (self->fields, i);

      ok = ag_import_set_value (customer, self->columns[i], field->str, self->filename,
                                self->record_line, error);
    }
  for (guint i = 0; i < self->n_fields; i++)
    ag_import_wipe_gstring (g_ptr_array_index (self->fields, i));
  self->n_fields = 0;

  return ok
         && ag_import_finish_customer (customer, self->seen_ids, self->filename, self->record_line,
                                       error);
}

static gboolean
csv_parse (CsvParser *self, const char *data, gsize len, GError **error)
{
  CsvState state = CSV_FIELD_START;
  guint64 line = 1;
  /* Whether the current record has begun: an empty line is no record and is skipped. */
  gboolean in_record = FALSE;

  for (gsize i = ag_import_skip_bom (data, len); i < len; i++)
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
              ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
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
                ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
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
                ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, line,
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
      ag_import_set_error (error, AG_IMPORT_ERROR_SYNTAX, self->filename, self->record_line,
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
      ag_import_set_error (error, AG_IMPORT_ERROR_MISSING_COLUMN, self->filename, 1,
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

  if (!ag_import_check_utf8 (filename, data, len, error))
    return NULL;

  result = g_ptr_array_new_with_free_func (ag_import_customer_data_free);
  fields = g_ptr_array_new_with_free_func (ag_import_wipe_gstring_free);
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
