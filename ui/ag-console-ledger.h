/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <adwaita.h>

#include "ag-ledger-export.h"
#include "ag-session.h"

G_BEGIN_DECLS

#define AG_TYPE_CONSOLE_LEDGER (ag_console_ledger_get_type ())

G_DECLARE_FINAL_TYPE (AgConsoleLedger, ag_console_ledger, AG, CONSOLE_LEDGER, GtkWidget)

AgConsoleLedger *
ag_console_ledger_new (AgSession *session);
void
ag_console_ledger_reload (AgConsoleLedger *self);
void
ag_console_ledger_clear (AgConsoleLedger *self);
void
ag_console_ledger_show_rows (AgConsoleLedger *self, const char *user, const GArray *seqs);
GListModel *
ag_console_ledger_get_rows (AgConsoleLedger *self);
gboolean
ag_console_ledger_export (AgConsoleLedger *self, GFile *file, AgLedgerExportFormat format,
                          GError **error);

G_END_DECLS
