/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-guard.h"
#include "ag-training-score.h"

G_BEGIN_DECLS

#define AG_TYPE_TRAINING_CALL (ag_training_call_get_type ())

G_DECLARE_FINAL_TYPE (AgTrainingCall, ag_training_call, AG, TRAINING_CALL, GObject)

/* One line of the call as it was played. */
typedef struct
{
  gboolean from_caller;
  char *text; /* with the placeholders filled in */
} AgTrainingLine;

AgTrainingCall *
ag_training_call_new (AgTrainingScenario *scenario);
AgTrainingScenario *
ag_training_call_get_scenario (AgTrainingCall *self);
AgTrainingScore *
ag_training_call_get_score (AgTrainingCall *self);
const AgCustomerData *
ag_training_call_get_customer (AgTrainingCall *self);
const AgTrainingStep *
ag_training_call_get_step (AgTrainingCall *self);
const GPtrArray *
ag_training_call_get_lines (AgTrainingCall *self);
char *
ag_training_call_dup_reply_text (AgTrainingCall *self, guint index);
gboolean
ag_training_call_get_ended (AgTrainingCall *self);

void
ag_training_call_start (AgTrainingCall *self);
void
ag_training_call_choose (AgTrainingCall *self, guint index);
void
ag_training_call_end (AgTrainingCall *self);
void
ag_training_call_watch_guard (AgTrainingCall *self, AgGuard *guard);

G_END_DECLS
