/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-training"

#include "config.h"

#include <glib/gi18n.h>

#include "ag-training-score.h"

/*
 * The score of one training call. The trainee's actions come in as they happen (a reveal,
 * a hide, a copy, a reply chosen, the end of the call); each is judged at once and
 * explained in a note with the rule behind it.
 *
 * Minimisation = fields the task needs / fields revealed, counted as distinct kinds:
 * needed-and-revealed / revealed, so 1.0 when exactly what the task needs was revealed
 * (or less of it) and 0 when only unneeded fields were. Nothing revealed at all is 1.0: no
 * field was exposed. The score is the minimisation less every penalty, within 0 and 1.
 */

/* The rules behind the decisions, as a trainer would cite them. */
#define BASIS_MINIMISATION N_("LGPD art. 6 III, minimisation")
#define BASIS_SECURITY     N_("LGPD art. 46, security of processing")

struct _AgTrainingScore
{
  GObject parent_instance;

  AgTrainingScenario *scenario;
  AgTrainingClock clock;
  gpointer clock_data;

  gboolean started;
  gint64 start_us;
  gboolean identity_checked;
  gboolean call_ended;
  gint64 end_us;
  gboolean finished;
  gint64 finish_us;

  guint revealed;     /* kinds revealed at any time */
  guint shown;        /* kinds on screen now */
  guint shown_at_end; /* kinds that were on screen when the call ended */
  double penalties;
  GPtrArray *notes; /* of AgTrainingNote* */
};

G_DEFINE_FINAL_TYPE (AgTrainingScore, ag_training_score, G_TYPE_OBJECT)

static void
note_free (AgTrainingNote *note)
{
  g_free (note->text);
  g_free (note->basis);
  g_free (note);
}

static gint64
default_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static void
ag_training_score_finalize (GObject *object)
{
  AgTrainingScore *self = AG_TRAINING_SCORE (object);

  g_clear_object (&self->scenario);
  g_ptr_array_unref (self->notes);

  G_OBJECT_CLASS (ag_training_score_parent_class)->finalize (object);
}

static void
ag_training_score_class_init (AgTrainingScoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ag_training_score_finalize;
}

static void
ag_training_score_init (AgTrainingScore *self)
{
  self->clock = default_clock;
  self->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) note_free);
}

AgTrainingScore *
ag_training_score_new (AgTrainingScenario *scenario)
{
  AgTrainingScore *self;

  g_return_val_if_fail (AG_IS_TRAINING_SCENARIO (scenario), NULL);

  self = g_object_new (AG_TYPE_TRAINING_SCORE, NULL);
  self->scenario = g_object_ref (scenario);
  return self;
}

/* Tests move time themselves; @clock returns microseconds. */
void
ag_training_score_set_clock (AgTrainingScore *self, AgTrainingClock clock, gpointer user_data)
{
  g_return_if_fail (AG_IS_TRAINING_SCORE (self));

  self->clock = clock != NULL ? clock : default_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
}

AgTrainingScenario *
ag_training_score_get_scenario (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), NULL);
  return self->scenario;
}

static gint64
now (AgTrainingScore *self)
{
  return self->clock (self->clock_data);
}

/* The call starts at ag_training_score_start(), or else at the first action. */
void
ag_training_score_start (AgTrainingScore *self)
{
  g_return_if_fail (AG_IS_TRAINING_SCORE (self));

  if (self->started)
    return;
  self->started = TRUE;
  self->start_us = now (self);
}

static void
add_note (AgTrainingScore *self, AgTrainingRule rule, double penalty, const char *basis,
          const char *format, ...) G_GNUC_PRINTF (5, 6);

/* @basis is translated already. */
static void
add_note (AgTrainingScore *self, AgTrainingRule rule, double penalty, const char *basis,
          const char *format, ...)
{
  AgTrainingNote *note = g_new0 (AgTrainingNote, 1);
  va_list args;

  va_start (args, format);
  note->text = g_strdup_vprintf (format, args);
  va_end (args);
  note->rule = rule;
  note->penalty = penalty;
  note->basis = g_strdup (basis);
  note->offset_us = now (self) - self->start_us;
  self->penalties += penalty;
  g_ptr_array_add (self->notes, note);
}

/* Whether an action may still be taken; the first one starts the call. */
static gboolean
acting (AgTrainingScore *self)
{
  if (self->finished)
    {
      g_critical ("An action on a training score after ag_training_score_finish()");
      return FALSE;
    }
  ag_training_score_start (self);
  return TRUE;
}

/* The labels of the kinds in @kinds, as "CPF, Card". */
static char *
kinds_to_labels (guint kinds)
{
  g_autoptr (GString) labels = g_string_new (NULL);

  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      if ((kinds & (1u << kind)) == 0)
        continue;
      if (labels->len > 0)
        g_string_append (labels, ", ");
      g_string_append (labels, ag_pii_kind_get_label (kind));
    }
  return g_string_free (g_steal_pointer (&labels), FALSE);
}

void
ag_training_score_reveal (AgTrainingScore *self, AgPiiKind kind)
{
  const char *label;
  guint bit;
  gboolean first;

  g_return_if_fail (AG_IS_TRAINING_SCORE (self));
  g_return_if_fail (kind < AG_PII_N_KINDS);

  if (!acting (self))
    return;

  label = ag_pii_kind_get_label (kind);
  bit = 1u << kind;
  first = (self->revealed & bit) == 0;
  self->revealed |= bit;
  self->shown |= bit;

  if (self->call_ended)
    add_note (self, AG_TRAINING_RULE_REVEAL_AFTER_END, AG_TRAINING_PENALTY_REVEAL_AFTER_END,
              _(BASIS_MINIMISATION),
              _("You revealed the field “%s” after the call had ended; no task needed it any "
                 "more."),
              label);
  else if (!self->identity_checked)
    add_note (self, AG_TRAINING_RULE_REVEAL_BEFORE_CHECK, AG_TRAINING_PENALTY_REVEAL_BEFORE_CHECK,
              _(BASIS_SECURITY),
              _("You revealed the field “%s” before checking who was calling."), label);

  if (!first)
    return;
  if (ag_training_scenario_get_needs (self->scenario) & bit)
    {
      if (!self->call_ended)
        add_note (self, AG_TRAINING_RULE_NEEDED_REVEAL, 0, _(BASIS_MINIMISATION),
                  _("You revealed the field “%s”, which the task needed."), label);
    }
  else
    {
      const char *why = ag_training_scenario_get_unneeded_explanation (self->scenario, kind);

      if (why != NULL)
        add_note (self, AG_TRAINING_RULE_UNNEEDED_KIND, AG_TRAINING_PENALTY_UNNEEDED_KIND,
                  _(BASIS_MINIMISATION), "%s", why);
      else
        add_note (self, AG_TRAINING_RULE_UNNEEDED_KIND, AG_TRAINING_PENALTY_UNNEEDED_KIND,
                  _(BASIS_MINIMISATION),
                  _("You revealed the field “%s”, which this task did not need."), label);
    }
}

/* A value left the screen: the trainee hid it, or it expired. */
void
ag_training_score_hide (AgTrainingScore *self, AgPiiKind kind)
{
  guint bit;

  g_return_if_fail (AG_IS_TRAINING_SCORE (self));
  g_return_if_fail (kind < AG_PII_N_KINDS);

  if (!acting (self))
    return;

  bit = 1u << kind;
  if ((self->shown & bit) == 0)
    return;
  self->shown &= ~bit;

  if ((self->shown_at_end & bit) == 0)
    return;
  self->shown_at_end &= ~bit;
  if (now (self) - self->end_us > AG_TRAINING_HIDE_GRACE_US)
    add_note (self, AG_TRAINING_RULE_LEFT_REVEALED, AG_TRAINING_PENALTY_LEFT_REVEALED,
              _(BASIS_SECURITY),
              _("The field “%s” stayed on screen for more than %d seconds after the call "
                 "ended; hide a value as soon as the call no longer needs it."),
              ag_pii_kind_get_label (kind), (int) (AG_TRAINING_HIDE_GRACE_US / G_USEC_PER_SEC));
  else
    add_note (self, AG_TRAINING_RULE_HIDDEN_IN_TIME, 0, _(BASIS_SECURITY),
              _("You hid the field “%s” as soon as the call ended."),
              ag_pii_kind_get_label (kind));
}

void
ag_training_score_copy (AgTrainingScore *self, AgPiiKind kind)
{
  g_return_if_fail (AG_IS_TRAINING_SCORE (self));
  g_return_if_fail (kind < AG_PII_N_KINDS);

  if (!acting (self))
    return;

  add_note (self, AG_TRAINING_RULE_COPY, AG_TRAINING_PENALTY_COPY, _(BASIS_SECURITY),
            _("You copied the field “%s”; a copied value leaves the screen's protection and can "
               "end up in clipboard history or in another program."),
            ag_pii_kind_get_label (kind));
}

void
ag_training_score_identity_checked (AgTrainingScore *self)
{
  g_return_if_fail (AG_IS_TRAINING_SCORE (self));

  if (!acting (self))
    return;
  self->identity_checked = TRUE;
}

/* @reply is one of the scenario's; its own explanation and rule are the note. */
void
ag_training_score_reply (AgTrainingScore *self, const AgTrainingReply *reply)
{
  g_return_if_fail (AG_IS_TRAINING_SCORE (self));
  g_return_if_fail (reply != NULL);

  if (!acting (self))
    return;

  if (reply->reads != 0 && !self->identity_checked)
    {
      g_autofree char *labels = kinds_to_labels (reply->reads);

      add_note (self, AG_TRAINING_RULE_READ_UNVERIFIED, AG_TRAINING_PENALTY_READ_UNVERIFIED,
                _(BASIS_SECURITY),
                _("You read out %s to a caller whose identity was not checked."), labels);
    }
  if (reply->right)
    add_note (self, AG_TRAINING_RULE_RIGHT_REPLY, 0, reply->rule, "%s", reply->explanation);
  else
    add_note (self, AG_TRAINING_RULE_WRONG_REPLY, AG_TRAINING_PENALTY_WRONG_REPLY, reply->rule,
              "%s", reply->explanation);

  if (reply->verifies)
    self->identity_checked = TRUE;
}

void
ag_training_score_end_call (AgTrainingScore *self)
{
  g_return_if_fail (AG_IS_TRAINING_SCORE (self));

  if (!acting (self) || self->call_ended)
    return;
  self->call_ended = TRUE;
  self->end_us = now (self);
  self->shown_at_end = self->shown;
}

/* Ends the call if it has not ended, and judges what is still on screen. No action after. */
void
ag_training_score_finish (AgTrainingScore *self)
{
  g_return_if_fail (AG_IS_TRAINING_SCORE (self));

  if (self->finished)
    return;
  ag_training_score_end_call (self);

  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    if (self->shown_at_end & (1u << kind))
      add_note (self, AG_TRAINING_RULE_LEFT_REVEALED, AG_TRAINING_PENALTY_LEFT_REVEALED,
                _(BASIS_SECURITY),
                _("The field “%s” was still on screen when the call ended; hide a value as "
                   "soon as the call no longer needs it."),
                ag_pii_kind_get_label (kind));
  self->shown_at_end = 0;

  if (self->revealed == 0)
    add_note (self, AG_TRAINING_RULE_NOTHING_REVEALED, 0, _(BASIS_MINIMISATION),
              _("You revealed nothing: the masked values were enough for this call."));

  self->finished = TRUE;
  self->finish_us = now (self);
}

gboolean
ag_training_score_get_identity_checked (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), FALSE);
  return self->identity_checked;
}

gboolean
ag_training_score_get_call_ended (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), FALSE);
  return self->call_ended;
}

gboolean
ag_training_score_get_finished (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), FALSE);
  return self->finished;
}

/* Distinct kinds revealed. */
guint
ag_training_score_get_n_revealed (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), 0);
  return __builtin_popcount (self->revealed);
}

guint
ag_training_score_get_n_needed_revealed (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), 0);
  return __builtin_popcount (self->revealed & ag_training_scenario_get_needs (self->scenario));
}

double
ag_training_score_get_minimisation (AgTrainingScore *self)
{
  guint n_revealed;

  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), 0);

  n_revealed = ag_training_score_get_n_revealed (self);
  if (n_revealed == 0)
    return 1.0;
  return (double) ag_training_score_get_n_needed_revealed (self) / n_revealed;
}

double
ag_training_score_get_penalties (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), 0);
  return self->penalties;
}

double
ag_training_score_get_score (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), 0);
  return CLAMP (ag_training_score_get_minimisation (self) - self->penalties, 0.0, 1.0);
}

/* From the start to the end of the call (or to now while it goes on). */
gint64
ag_training_score_get_duration_us (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), 0);

  if (!self->started)
    return 0;
  return (self->call_ended ? self->end_us : now (self)) - self->start_us;
}

/* Whether the score reaches @pass_score (a policy's training-pass-score). */
gboolean
ag_training_score_passed (AgTrainingScore *self, double pass_score)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), FALSE);

  /* The sums of penalties are exact in binary but the ratios are not: 1e-9 of slack. */
  return ag_training_score_get_score (self) + 1e-9 >= pass_score;
}

/**
 * ag_training_score_get_notes:
 *
 * Returns: (transfer none) (element-type AgTrainingNote): every decision, in order
 */
const GPtrArray *
ag_training_score_get_notes (AgTrainingScore *self)
{
  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), NULL);
  return self->notes;
}

/* One line: the score and how it came about, translated. */
char *
ag_training_score_dup_summary (AgTrainingScore *self)
{
  gint64 seconds;

  g_return_val_if_fail (AG_IS_TRAINING_SCORE (self), NULL);

  seconds = ag_training_score_get_duration_us (self) / G_USEC_PER_SEC;
  return g_strdup_printf (
    _("Score %.2f: minimisation %.2f (%u of %u revealed fields needed), "
       "penalties %.2f, time %d:%02d"),
    ag_training_score_get_score (self), ag_training_score_get_minimisation (self),
    ag_training_score_get_n_needed_revealed (self), ag_training_score_get_n_revealed (self),
    ag_training_score_get_penalties (self), (int) (seconds / 60), (int) (seconds % 60));
}
