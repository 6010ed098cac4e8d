/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-customer.h"
#include "ag-pii.h"

G_BEGIN_DECLS

#define AG_TRAINING_ERROR (ag_training_error_quark ())

/* The class of a scenario file's first problem; the message holds every problem found, one
 * per line, each as "FILE:LINE: key: problem" (or "FILE:LINE: problem" when no key). */
typedef enum
{
  AG_TRAINING_ERROR_IO,
  AG_TRAINING_ERROR_SYNTAX,
  AG_TRAINING_ERROR_UNKNOWN_GROUP,
  AG_TRAINING_ERROR_UNKNOWN_KEY,
  AG_TRAINING_ERROR_DUPLICATE,
  AG_TRAINING_ERROR_MISSING_KEY,
  AG_TRAINING_ERROR_INVALID_VALUE,
  AG_TRAINING_ERROR_UNKNOWN_REFERENCE,
  AG_TRAINING_ERROR_UNREACHABLE,
} AgTrainingError;

/* Where the shipped scenarios are installed. */
#define AG_TRAINING_SCENARIO_SUFFIX ".scenario"

/**
 * AgTrainingReply:
 * @id: the reply's id, unique in its file
 * @text: what the trainee says, translated
 * @right: whether it is the right reaction
 * @explanation: why it is right or wrong, translated
 * @rule: (nullable): the rule behind it ("LGPD art. 6 III, minimisation"), translated
 * @verifies: choosing it completes the identity check
 * @reads: the #AgPiiKind bits of what the reply reads out to the caller
 * @next: (nullable): the step that follows; %NULL when the reply ends the call
 *
 * One reply the trainee may choose at a step. Owned by its #AgTrainingScenario.
 */
typedef struct
{
  char *id;
  char *text;
  gboolean right;
  char *explanation;
  char *rule;
  gboolean verifies;
  guint reads;
  char *next;
} AgTrainingReply;

/**
 * AgTrainingStep:
 * @id: the step's id, unique in its file
 * @caller: what the caller says, translated, with its placeholders
 *   (ag_training_scenario_expand())
 * @replies: (element-type AgTrainingReply): the replies offered; empty when the caller hangs
 *   up after this line
 *
 * One line of the caller. Owned by its #AgTrainingScenario.
 */
typedef struct
{
  char *id;
  char *caller;
  GPtrArray *replies;
} AgTrainingStep;

#define AG_TYPE_TRAINING_SCENARIO (ag_training_scenario_get_type ())

G_DECLARE_FINAL_TYPE (AgTrainingScenario, ag_training_scenario, AG, TRAINING_SCENARIO, GObject)

GQuark
ag_training_error_quark (void);

AgTrainingScenario *
ag_training_scenario_new_from_data (const char *origin, const char *data, gssize length,
                                    GError **error);
AgTrainingScenario *
ag_training_scenario_new_from_file (const char *path, GError **error);
GPtrArray *
ag_training_scenario_load_dir (const char *folder, GPtrArray *errors);
const char *
ag_training_scenario_get_default_dir (void);

const char *
ag_training_scenario_get_id (AgTrainingScenario *self);
const char *
ag_training_scenario_get_origin (AgTrainingScenario *self);
const char *
ag_training_scenario_get_title (AgTrainingScenario *self);
const char *
ag_training_scenario_get_task (AgTrainingScenario *self);
guint64
ag_training_scenario_get_seed (AgTrainingScenario *self);
guint
ag_training_scenario_get_customer_index (AgTrainingScenario *self);
guint
ag_training_scenario_get_needs (AgTrainingScenario *self);
gboolean
ag_training_scenario_get_required (AgTrainingScenario *self);
const char *
ag_training_scenario_get_unneeded_explanation (AgTrainingScenario *self, AgPiiKind kind);
const AgTrainingStep *
ag_training_scenario_get_start (AgTrainingScenario *self);
const AgTrainingStep *
ag_training_scenario_get_identity_step (AgTrainingScenario *self);
const AgTrainingStep *
ag_training_scenario_get_step (AgTrainingScenario *self, const char *id);
guint
ag_training_scenario_get_n_steps (AgTrainingScenario *self);
void
ag_training_scenario_make_customer (AgTrainingScenario *self, AgCustomerData *out);
char *
ag_training_scenario_expand (const char *text, const AgCustomerData *customer);

G_END_DECLS
