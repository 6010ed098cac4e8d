/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib.h>

#include "ag-pii.h"

G_BEGIN_DECLS

/**
 * AgCustomerData:
 * @id: the customer id, required
 * @values: normalised values (ag_pii_normalize()) indexed by #AgPiiKind; `NULL` where the
 *   customer has none. `values[AG_PII_KIND_NAME]` is required.
 * @line: where the customer came from in an import file (1-based), or 0
 *
 * A customer on its way into a store, in clear. Only importers and the synthetic
 * generator build these; ag_customer_data_clear() wipes every value.
 */
typedef struct
{
  char *id;
  char *values[AG_PII_N_KINDS];
  guint64 line;
} AgCustomerData;

void
ag_customer_data_clear (AgCustomerData *data);

/**
 * AgCustomerSourceFunc:
 * @out: (out caller-allocates): filled with the next customer; the caller clears it
 * @user_data: closure
 * @error: set when the source fails
 *
 * Hands out customers one at a time to ag_store_import().
 *
 * Returns: %TRUE when @out was filled, %FALSE at the end (with @error unset) or on
 *   failure (with @error set)
 */
typedef gboolean (*AgCustomerSourceFunc) (AgCustomerData *out, gpointer user_data, GError **error);

/* Called now and then during long work; @total is 0 when unknown. */
typedef void (*AgProgressFunc) (guint64 done, guint64 total, gpointer user_data);

G_END_DECLS
