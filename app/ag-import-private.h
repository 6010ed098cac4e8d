/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/*
 * What the files of the import share: ag-import.c checks and stores each value and loads a
 * file, ag-import-csv.c and ag-import-json.c read their formats.
 */

#pragma once

#include "ag-import.h"

G_BEGIN_DECLS

/* What an import file may hold: the id, then every PII kind by its string form. A column
 * index below AG_PII_N_KINDS is that kind; COLUMN_ID is the id. */
#define COLUMN_ID     AG_PII_N_KINDS
#define N_COLUMNS     (AG_PII_N_KINDS + 1)
#define MAX_ID_LENGTH 64
/* A header cell longer than this cannot be a known column; we stop reading it. */
#define MAX_HEADER_CELL 64
/* A value longer than this is refused by ag_pii_normalize() anyway; we stop reading it. */
#define MAX_VALUE_LENGTH AG_PII_MAX_INPUT

gboolean
ag_import_check_utf8 (const char *filename, const char *data, gsize len, GError **error);
gboolean
ag_import_column_from_string (const char *name, guint *out_column);
const char *
ag_import_column_to_string (guint column);
void
ag_import_customer_data_free (gpointer data);
gboolean
ag_import_finish_customer (AgCustomerData *customer, GHashTable *seen_ids, const char *filename,
                           guint64 line, GError **error);
char *
ag_import_printable_name (const char *name);
void
ag_import_set_error (GError **error, AgImportError code, const char *filename, guint64 line,
                     const char *format, ...) G_GNUC_PRINTF (5, 6);
gboolean
ag_import_set_value (AgCustomerData *customer, guint column, const char *value,
                     const char *filename, guint64 line, GError **error);
gsize
ag_import_skip_bom (const char *data, gsize len);
void
ag_import_wipe_gstring (GString *str);
void
ag_import_wipe_gstring_free (gpointer data);

G_END_DECLS
