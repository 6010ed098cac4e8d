/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-training"

#include "config.h"

#include "ag-training-call.h"

/*
 * One training call being played: the scenario's steps one after the other, the replies
 * the trainee chooses, and the score they feed. The call ends when a reply has no next
 * step, when the caller hangs up (a step without replies), or when the trainee ends it.
 * Reveals, hides and copies go to the score directly (ag_training_call_get_score()).
 * `changed` is emitted after every move.
 */

struct _AgTrainingCall
{
  GObject parent_instance;

  AgTrainingScenario *scenario;
  AgTrainingScore *score;
  AgCustomerData customer;
  const AgTrainingStep *step; /* NULL once the call ended */
  GPtrArray *lines;           /* of AgTrainingLine* */
  gboolean started;
};

enum
{
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AgTrainingCall, ag_training_call, G_TYPE_OBJECT)

static void
line_free (AgTrainingLine *line)
{
  g_free (line->text);
  g_free (line);
}

static void
ag_training_call_finalize (GObject *object)
{
  AgTrainingCall *self = AG_TRAINING_CALL (object);

  g_clear_object (&self->score);
  g_clear_object (&self->scenario);
  ag_customer_data_clear (&self->customer);
  g_ptr_array_unref (self->lines);

  G_OBJECT_CLASS (ag_training_call_parent_class)->finalize (object);
}

static void
ag_training_call_class_init (AgTrainingCallClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ag_training_call_finalize;

  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ag_training_call_init (AgTrainingCall *self)
{
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_free);
}

AgTrainingCall *
ag_training_call_new (AgTrainingScenario *scenario)
{
  AgTrainingCall *self;

  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (scenario), NULL);

  self = g_object_new (AG_TYPE_TRAINING_CALL, NULL);
  self->scenario = g_object_ref (scenario);
  self->score = ag_training_score_new (scenario);
  ag_training_scenario_make_customer (scenario, &self->customer);
  return self;
}

AgTrainingScenario *
ag_training_call_get_scenario (AgTrainingCall *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_CALL (self), NULL);
  return self->scenario;
}

AgTrainingScore *
ag_training_call_get_score (AgTrainingCall *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_CALL (self), NULL);
  return self->score;
}

/* The synthetic customer on the line. */
const AgCustomerData *
ag_training_call_get_customer (AgTrainingCall *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_CALL (self), NULL);
  return &self->customer;
}

/* The step waiting for a reply, or %NULL before the start and once the call ended. */
const AgTrainingStep *
ag_training_call_get_step (AgTrainingCall *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_CALL (self), NULL);
  return self->step;
}

/* Returns: (element-type AgTrainingLine): what was said so far, in order. */
const GPtrArray *
ag_training_call_get_lines (AgTrainingCall *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_CALL (self), NULL);
  return self->lines;
}

/* The text of the current step's reply @index, its placeholders filled in. */
char *
ag_training_call_dup_reply_text (AgTrainingCall *self, guint index)
{
  const AgTrainingReply *reply;

  g_return_val_if_fail (AG_IS_TRAINING_CALL (self), NULL);
  g_return_val_if_fail (self->step != NULL && index < self->step->replies->len, NULL);

  reply = g_ptr_array_index (self->step->replies, index);
  return ag_training_scenario_expand (reply->text, &self->customer);
}

gboolean
ag_training_call_get_ended (AgTrainingCall *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_CALL (self), FALSE);
  return ag_training_score_get_call_ended (self->score);
}

static void
add_line (AgTrainingCall *self, gboolean from_caller, const char *text)
{
  AgTrainingLine *line = g_new0 (AgTrainingLine, 1);

  line->from_caller = from_caller;
  line->text = ag_training_scenario_expand (text, &self->customer);
  g_ptr_array_add (self->lines, line);
}

/* Moves to @step: its line is said; without replies the caller hangs up. */
static void
enter (AgTrainingCall *self, const AgTrainingStep *step)
{
  add_line (self, TRUE, step->caller);
  self->step = step;
  if (step->replies->len == 0)
    {
      self->step = NULL;
      ag_training_score_end_call (self->score);
    }
}

void
ag_training_call_start (AgTrainingCall *self)
{
  g_return_if_fail (AG_IS_TRAINING_CALL (self));

  if (self->started)
    return;
  self->started = TRUE;
  ag_training_score_start (self->score);
  enter (self, ag_training_scenario_get_start (self->scenario));
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* The trainee says the current step's reply @index. */
void
ag_training_call_choose (AgTrainingCall *self, guint index)
{
  const AgTrainingReply *reply;

  g_return_if_fail (AG_IS_TRAINING_CALL (self));
  g_return_if_fail (self->step != NULL && index < self->step->replies->len);

  reply = g_ptr_array_index (self->step->replies, index);
  add_line (self, FALSE, reply->text);
  ag_training_score_reply (self->score, reply);
  self->step = NULL;
  if (reply->next != NULL)
    enter (self, ag_training_scenario_get_step (self->scenario, reply->next));
  else
    ag_training_score_end_call (self->score);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
reveal_remasked_cb (AgReveal *reveal, AgRemaskCause cause, AgTrainingCall *self)
{
  if (!ag_training_score_get_finished (self->score))
    ag_training_score_hide (self->score, ag_reveal_get_kind (reveal));
}

static void
reveal_added_cb (AgGuard *guard, AgReveal *reveal, AgTrainingCall *self)
{
  if (ag_training_score_get_finished (self->score))
    return;
  ag_training_score_reveal (self->score, ag_reveal_get_kind (reveal));
  g_signal_connect_object (reveal, "remasked", G_CALLBACK (reveal_remasked_cb), self, 0);
}

/**
 * ag_training_call_watch_guard:
 * @self: a call
 * @guard: the session's guard
 *
 * Every reveal @guard makes from now on counts in the call's score, and so does its
 * re-mask (expiry, the trainee hiding it, a lock), until the score is finished.
 */
void
ag_training_call_watch_guard (AgTrainingCall *self, AgGuard *guard)
{
  g_return_if_fail (AG_IS_TRAINING_CALL (self));
  g_return_if_fail (AG_IS_GUARD (guard));

  g_signal_connect_object (guard, "reveal-added", G_CALLBACK (reveal_added_cb), self, 0);
}

/* The trainee ends the call. */
void
ag_training_call_end (AgTrainingCall *self)
{
  g_return_if_fail (AG_IS_TRAINING_CALL (self));

  self->step = NULL;
  ag_training_score_end_call (self->score);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}
