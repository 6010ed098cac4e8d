/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>

#include "ag-customer.h"

G_BEGIN_DECLS

#define AG_IMPORT_ERROR (ag_import_error_quark ())

typedef enum
{
  AG_IMPORT_ERROR_UNSUPPORTED_FORMAT,
  AG_IMPORT_ERROR_ENCODING,
  AG_IMPORT_ERROR_SYNTAX,
  AG_IMPORT_ERROR_UNKNOWN_COLUMN,
  AG_IMPORT_ERROR_MISSING_COLUMN,
  AG_IMPORT_ERROR_INVALID_VALUE,
  AG_IMPORT_ERROR_DUPLICATE_ID,
} AgImportError;

GQuark
ag_import_error_quark (void);

/* Parse and validate a whole CSV (RFC 4180, UTF-8, header row) or JSON (array of objects)
 * document. Columns/keys: `id` and the AgPiiKind strings; `id` and `name` are required.
 * An empty cell, a blank one, `""` or JSON `null` means no value; JSON values must be
 * strings (numbers are refused: they lose leading zeros and digits), and nested values,
 * unknown keys and keys given twice are refused. The line of a customer is the line where
 * its CSV record or JSON object starts.
 * Returns an array of AgCustomerData* (normalised values, `line` set; the array's free
 * function clears and frees them), or %NULL with an error whose message starts with
 * "FILENAME:LINE: ". Nothing is returned unless every row is valid. */
GPtrArray *
ag_import_parse_csv (const char *filename, const char *data, gsize len, GError **error);
GPtrArray *
ag_import_parse_json (const char *filename, const char *data, gsize len, GError **error);
/* Reads @file and picks the parser by its extension (.csv or .json). */
GPtrArray *
ag_import_load_file (GFile *file, GCancellable *cancellable, GError **error);
/* The same, with @display_name (e.g. the path as the user typed it) in error messages
 * instead of the file's path. */
GPtrArray *
ag_import_load_file_full (GFile *file, const char *display_name, GCancellable *cancellable,
                          GError **error);

G_END_DECLS
