/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-customer.h"

G_BEGIN_DECLS

#define AG_TYPE_SYNTH (ag_synth_get_type ())

G_DECLARE_FINAL_TYPE (AgSynth, ag_synth, AG, SYNTH, GObject)

/* Deterministic synthetic customers: the same seed gives the same customers, in order.
 * Every value passes ag_pii_normalize() and is already in normalised form.
 * ag_synth_next() takes a zeroed #AgCustomerData or one it filled before (whatever @out
 * holds is wiped first); ids are `XXXXXX-0000001`: six hex digits from the seed, then a
 * sequence number. */
AgSynth *
ag_synth_new (guint64 seed);
void
ag_synth_next (AgSynth *self, AgCustomerData *out);

/* The AgCustomerSourceFunc that hands out @remaining customers of @synth: the only source
 * a training store imports from (ag_store_import()). */
typedef struct
{
  AgSynth *synth;
  guint64 remaining;
} AgSynthSource;

gboolean
ag_synth_source (AgCustomerData *out, gpointer user_data, GError **error);

G_END_DECLS
