/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-import"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-import-private.h"

GQuark
ag_import_error_quark (void)
{
  return g_quark_from_static_string ("ag-import-error-quark");
}

void
ag_import_set_error (GError **error, AgImportError code, const char *filename, guint64 line,
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

void
ag_import_customer_data_free (gpointer data)
{
  ag_customer_data_clear (data);
  g_free (data);
}

void
ag_import_wipe_gstring (GString *str)
{
  if (str->len > 0)
    explicit_bzero (str->str, str->len);
  g_string_truncate (str, 0);
}

void
ag_import_wipe_gstring_free (gpointer data)
{
  GString *str = data;

  ag_import_wipe_gstring (str);
  g_string_free (str, TRUE);
}

/* How an error message names a column or key: quoted and cut short (a header cell is read
 * only up to MAX_HEADER_CELL bytes) when it looks like a column name, that is ASCII
 * letters, '_', '-' and spaces only; a placeholder otherwise. The first row of a file
 * without a header is customer data, and a CPF, a phone or an e-mail must never be echoed
 * on stderr. */
char *
ag_import_printable_name (const char *name)
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

const char *
ag_import_column_to_string (guint column)
{
  return column == COLUMN_ID ? "id" : ag_pii_kind_to_string ((AgPiiKind) column);
}

gboolean
ag_import_column_from_string (const char *name, guint *out_column)
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
gboolean
ag_import_set_value (AgCustomerData *customer, guint column, const char *value,
                     const char *filename, guint64 line, GError **error)
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
          ag_import_set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line,
                               _("id: must be 1 to %d letters, digits, “.”, “_” or “-”"),
                               MAX_ID_LENGTH);
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
      ag_import_set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line, "%s: %s",
                           ag_import_column_to_string (column), pii_problem (pii_error));
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
gboolean
ag_import_finish_customer (AgCustomerData *customer, GHashTable *seen_ids, const char *filename,
                           guint64 line, GError **error)
{
  gpointer first_line;

  customer->line = line;

  if (customer->id == NULL)
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line, _("id: missing"));
      return FALSE;
    }
  if (customer->values[AG_PII_KIND_NAME] == NULL)
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_INVALID_VALUE, filename, line,
                           _("name: missing"));
      return FALSE;
    }
  if (g_hash_table_lookup_extended (seen_ids, customer->id, NULL, &first_line))
    {
      ag_import_set_error (error, AG_IMPORT_ERROR_DUPLICATE_ID, filename, line,
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
gboolean
ag_import_check_utf8 (const char *filename, const char *data, gsize len, GError **error)
{
  const char *end;
  guint64 line = 1;

  if (g_utf8_validate_len (data, len, &end))
    return TRUE;

  for (const char *p = data; p < end; p++)
    if (*p == '\n')
      line++;

  ag_import_set_error (error, AG_IMPORT_ERROR_ENCODING, filename, line, _("invalid UTF-8"));
  return FALSE;
}

gsize
ag_import_skip_bom (const char *data, gsize len)
{
  if (len >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    return 3;
  return 0;
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
