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
 * document. Returns an array of AgCustomerData* (normalised values, `line` set; the
 * array's free function clears and frees them), or %NULL with an error whose message
 * starts with "FILENAME:LINE: ". Nothing is returned unless every row is valid. */
GPtrArray *
ag_import_parse_csv (const char *filename, const char *data, gsize len, GError **error);
GPtrArray *
ag_import_parse_json (const char *filename, const char *data, gsize len, GError **error);
/* Reads @file and picks the parser by its extension (.csv or .json). */
GPtrArray *
ag_import_load_file (GFile *file, GCancellable *cancellable, GError **error);

G_END_DECLS
