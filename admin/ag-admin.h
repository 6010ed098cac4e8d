/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ag-auth-session.h"
#include "ag-policy.h"
#include "ag-store.h"

G_BEGIN_DECLS

/* Exit codes of agent-guard-admin (DESIGN §8), after sysexits.h. */
typedef enum
{
  AG_EXIT_OK = 0,
  AG_EXIT_FAILURE = 1,
  AG_EXIT_USAGE = 2,
  AG_EXIT_DATAERR = 65,
  AG_EXIT_IOERR = 74,
  AG_EXIT_DENIED = 77,
} AgExitCode;

/* One command of agent-guard-admin: @argv[0] is the command words ("policy check"). */
typedef int (*AgAdminCommandFunc) (int argc, char **argv);

int
ag_admin_generate (int argc, char **argv);
int
ag_admin_import (int argc, char **argv);
int
ag_admin_search (int argc, char **argv);
int
ag_admin_policy_show (int argc, char **argv);
int
ag_admin_policy_check (int argc, char **argv);
int
ag_admin_policy_set (int argc, char **argv);
int
ag_admin_policy_history (int argc, char **argv);
int
ag_admin_policy_revert (int argc, char **argv);
int
ag_admin_auth_check (int argc, char **argv);
int
ag_admin_reveal (int argc, char **argv);
int
ag_admin_audit_verify (int argc, char **argv);
int
ag_admin_audit_export (int argc, char **argv);
int
ag_admin_audit_subject (int argc, char **argv);
int
ag_admin_audit_prune (int argc, char **argv);
int
ag_admin_alerts_list (int argc, char **argv);
int
ag_admin_alerts_ack (int argc, char **argv);
int
ag_admin_pg_init (int argc, char **argv);
int
ag_admin_pg_grant (int argc, char **argv);
int
ag_admin_pg_revoke (int argc, char **argv);
int
ag_admin_training_list (int argc, char **argv);

int
ag_admin_store_info (int argc, char **argv);

/* Training mode (issue 16): --training, which every command that opens a store takes. A
 * trainee is in training mode with it or without. */
extern gboolean ag_admin_training;
extern const char ag_admin_training_description[];
#define AG_ADMIN_TRAINING_OPTION                                                                 \
  {                                                                                              \
    "training", 0, 0, G_OPTION_ARG_NONE, &ag_admin_training, ag_admin_training_description, NULL \
  }
/* The mode of this run: training for a trainee or with --training (ag_session_choose_mode()). */
AgLedgerMode
ag_admin_get_mode (gboolean *out_trainee);

/* Shared helpers (ag-admin.c). */
char *
ag_admin_default_store_path (void);
/* Parses @entries (plus --help) out of @argc/@argv for the command @words, with
 * @parameter_string after the command words in --help. Prints the problem and returns
 * FALSE on a usage error. */
gboolean
ag_admin_parse_options (const char *words, const char *parameter_string, const char *summary,
                        GOptionEntry *entries, int *argc, char ***argv);
/* Opens the store at @path in this run's mode (ag_admin_get_mode()); with no @path, the
 * mode's own (live: $XDG_DATA_HOME/agent-guard/store.db; training: the user's training
 * store, made on first use). On failure prints why on stderr and sets @exit_code (74 for
 * I/O; a store of the other mode: 77 for a trainee, 65 otherwise; 1 otherwise). */
AgStore *
ag_admin_open_store (const char *path, gboolean create, int *exit_code);
/* Prints "agent-guard-admin: MESSAGE" on stderr. */
void
ag_admin_printerr (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Prints @root (which it takes) as pretty JSON (two-space indent) and a newline on
 * standard output: every command's --json. */
void
ag_admin_print_json (JsonNode *root);
/* "2026-12-07T10:00:00Z" (UTC, to the second); "" for a time GLib cannot show. */
char *
ag_admin_format_utc (gint64 time_us);
/* Appends @rows (each a NULL-terminated array of @n_columns strings) to @out under
 * @headers, in columns padded to the widest cell (in characters), two spaces apart. */
void
ag_admin_append_table (GString *out, const char *const *headers, guint n_columns, GPtrArray *rows);
/* Reads one line from @fd without stdio buffering (ag-admin.c). */
gboolean
ag_admin_read_line (int fd, char *buffer, gsize size, gboolean *too_long, int *error_number);
/* Shows @prompt (if any) on stderr and reads one line from stdin, echo off for @secret on a
 * terminal. FALSE when stdin ended first. */
gboolean
ag_admin_ask (const char *prompt, gboolean secret, char *buffer, gsize size, gboolean *too_long);
/* The terminal side of a PAM conversation (ag-admin-auth.c): prompts on stderr, answers
 * from stdin, echo off for secrets. FALSE when @batch could not be answered (the caller
 * cancels the conversation); @end_of_input is set once stdin ended. */
gboolean
ag_admin_answer_batch (AgAuthBatch *batch, gboolean *end_of_input);
/* Prints why PAM refused a sign-in; @n_factors is G_MAXUINT when unknown. */
void
ag_admin_print_auth_error (const GError *error, guint n_factors);
/* Prints the layers a policy load refused and what stands in for them (ag-admin-policy.c). */
void
ag_admin_print_policy_refusals (GPtrArray *refusals);
/* The policy in force for @user, each layer standing alone; prints what it refused
 * into @refusals (ag-admin-policy.c). */
AgPolicy *
ag_admin_load_policy (const char *user, GPtrArray *refusals);
/* Parses `2026-11-23` or an ISO 8601 date and time (UTC when it names no zone); with
 * @end_of_day a date alone is the next midnight (ag-admin-audit.c). */
gboolean
ag_admin_parse_time (const char *text, gboolean end_of_day, gint64 *out);
/* Whether the user running the command is a supervisor; when not, says so for the command
 * @words and sets @exit_code to 77 (ag-admin.c). */
gboolean
ag_admin_require_supervisor (const char *words, int *exit_code);
/* Map an error from the core to an exit code. */
int
ag_admin_exit_code_for_error (const GError *error);

G_END_DECLS
