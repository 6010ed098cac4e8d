/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/*
 * What the files of AgTrainingScenario share: the object's fields.
 * ag-training-parse.c reads a file into them, ag-training-scenario.c is the object, its
 * getters and the loading of a folder.
 */

#pragma once

#include "ag-training-scenario.h"

G_BEGIN_DECLS

struct _AgTrainingScenario
{
  GObject parent_instance;

  char *origin;
  char *id;
  char *title;
  char *task;
  guint64 seed;
  guint customer_index;
  guint needs;
  gboolean required;
  char *unneeded[AG_PII_N_KINDS]; /* nullable: the file's own explanation per kind */
  GPtrArray *steps;               /* of AgTrainingStep*, in the order of the file */
  GHashTable *steps_by_id;        /* borrowed from steps */
  GPtrArray *replies;             /* of AgTrainingReply*, owned */
  const AgTrainingStep *start;
  const AgTrainingStep *identity_step;
};

/* Fills @self from @data; FALSE with every problem in @error. */
gboolean
ag_training_parse (AgTrainingScenario *self, const char *origin, const char *data, gsize length,
                   GError **error);

void
ag_training_step_free (AgTrainingStep *step);
void
ag_training_reply_free (AgTrainingReply *reply);

G_END_DECLS
