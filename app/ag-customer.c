/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-customer"

#include "config.h"

#include <string.h>

#include "ag-customer.h"

static void
wipe_string (char **str)
{
  if (*str != NULL)
    {
      explicit_bzero (*str, strlen (*str));
      g_clear_pointer (str, g_free);
    }
}

/**
 * ag_customer_data_clear:
 * @data: a customer
 *
 * Wipes and frees every value of @data and leaves it empty, ready to be filled again.
 */
void
ag_customer_data_clear (AgCustomerData *data)
{
  g_return_if_fail (data != NULL);

  wipe_string (&data->id);
  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    wipe_string (&data->values[i]);
  data->line = 0;
}
