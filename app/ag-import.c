/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-import"

#include "config.h"

#include "ag-import.h"

GQuark
ag_import_error_quark (void)
{
  return g_quark_from_static_string ("ag-import-error-quark");
}
