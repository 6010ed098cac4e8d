/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

#include "ag-training-scenario.h"

G_BEGIN_DECLS

/* What each decision costs; the score is the minimisation ratio less every penalty, kept
 * within 0 and 1 (README, "Training"). */
#define AG_TRAINING_PENALTY_REVEAL_BEFORE_CHECK 0.25
#define AG_TRAINING_PENALTY_REVEAL_AFTER_END    0.5
#define AG_TRAINING_PENALTY_COPY                0.25
#define AG_TRAINING_PENALTY_READ_UNVERIFIED     0.5
#define AG_TRAINING_PENALTY_UNNEEDED_KIND       0.1
#define AG_TRAINING_PENALTY_WRONG_REPLY         0.25
#define AG_TRAINING_PENALTY_LEFT_REVEALED       0.25
/* How long a value may stay on screen after the call ended before it counts as left. */
#define AG_TRAINING_HIDE_GRACE_US (5 * G_USEC_PER_SEC)

typedef enum
{
  AG_TRAINING_RULE_NEEDED_REVEAL,       /*< nick=needed-reveal >*/
  AG_TRAINING_RULE_NOTHING_REVEALED,    /*< nick=nothing-revealed >*/
  AG_TRAINING_RULE_UNNEEDED_KIND,       /*< nick=unneeded-kind >*/
  AG_TRAINING_RULE_REVEAL_BEFORE_CHECK, /*< nick=reveal-before-check >*/
  AG_TRAINING_RULE_REVEAL_AFTER_END,    /*< nick=reveal-after-end >*/
  AG_TRAINING_RULE_COPY,                /*< nick=copy >*/
  AG_TRAINING_RULE_READ_UNVERIFIED,     /*< nick=read-unverified >*/
  AG_TRAINING_RULE_RIGHT_REPLY,         /*< nick=right-reply >*/
  AG_TRAINING_RULE_WRONG_REPLY,         /*< nick=wrong-reply >*/
  AG_TRAINING_RULE_LEFT_REVEALED,       /*< nick=left-revealed >*/
  AG_TRAINING_RULE_HIDDEN_IN_TIME,      /*< nick=hidden-in-time >*/
} AgTrainingRule;

/**
 * AgTrainingNote:
 * @rule: which rule the decision fell under
 * @penalty: what it cost (0 for a good decision)
 * @text: the decision explained in plain words, translated
 * @basis: (nullable): the rule behind it ("LGPD art. 6 III, minimisation"), translated
 * @offset_us: when, from the start of the call
 *
 * One decision of the trainee, explained.
 */
typedef struct
{
  AgTrainingRule rule;
  double penalty;
  char *text;
  char *basis;
  gint64 offset_us;
} AgTrainingNote;

typedef gint64 (*AgTrainingClock) (gpointer user_data);

#define AG_TYPE_TRAINING_SCORE (ag_training_score_get_type ())

G_DECLARE_FINAL_TYPE (AgTrainingScore, ag_training_score, AG, TRAINING_SCORE, GObject)

AgTrainingScore *
ag_training_score_new (AgTrainingScenario *scenario);
void
ag_training_score_set_clock (AgTrainingScore *self, AgTrainingClock clock, gpointer user_data);
AgTrainingScenario *
ag_training_score_get_scenario (AgTrainingScore *self);

void
ag_training_score_start (AgTrainingScore *self);
void
ag_training_score_reveal (AgTrainingScore *self, AgPiiKind kind);
void
ag_training_score_hide (AgTrainingScore *self, AgPiiKind kind);
void
ag_training_score_copy (AgTrainingScore *self, AgPiiKind kind);
void
ag_training_score_identity_checked (AgTrainingScore *self);
void
ag_training_score_reply (AgTrainingScore *self, const AgTrainingReply *reply);
void
ag_training_score_end_call (AgTrainingScore *self);
void
ag_training_score_finish (AgTrainingScore *self);

gboolean
ag_training_score_get_identity_checked (AgTrainingScore *self);
gboolean
ag_training_score_get_call_ended (AgTrainingScore *self);
gboolean
ag_training_score_get_finished (AgTrainingScore *self);
guint
ag_training_score_get_n_revealed (AgTrainingScore *self);
guint
ag_training_score_get_n_needed_revealed (AgTrainingScore *self);
double
ag_training_score_get_minimisation (AgTrainingScore *self);
double
ag_training_score_get_penalties (AgTrainingScore *self);
double
ag_training_score_get_score (AgTrainingScore *self);
gint64
ag_training_score_get_duration_us (AgTrainingScore *self);
gboolean
ag_training_score_passed (AgTrainingScore *self, double pass_score);
const GPtrArray *
ag_training_score_get_notes (AgTrainingScore *self);
char *
ag_training_score_dup_summary (AgTrainingScore *self);

G_END_DECLS
