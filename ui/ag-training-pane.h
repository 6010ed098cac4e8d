/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-training-call.h"

G_BEGIN_DECLS

#define AG_TYPE_TRAINING_PANE (ag_training_pane_get_type ())

G_DECLARE_FINAL_TYPE (AgTrainingPane, ag_training_pane, AG, TRAINING_PANE, GtkWidget)

GtkWidget *
ag_training_pane_new (AgTrainingCall *call);
AgTrainingCall *
ag_training_pane_get_call (AgTrainingPane *self);

G_END_DECLS
