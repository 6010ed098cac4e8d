/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

/*
 * What the files of AgPolicy share: the table of keys, values, problems, parsed files and
 * the object's fields. ag-policy-keys.c holds the keys and their values,
 * ag-policy-parse.c reads files into ParsedFile, ag-policy-layers.c applies the layers
 * and their bounds, ag-policy.c is the object and its getters, ag-policy-refusal.c
 * reports refused layers.
 */

#pragma once

#include "ag-policy.h"

G_BEGIN_DECLS

typedef enum
{
  TYPE_SECONDS,
  TYPE_COUNT,
  TYPE_BOOLEAN,
  TYPE_CLIPBOARD,
  TYPE_KINDS,
  TYPE_CODES,
  /* The alert rules; 0 is `off` for each. */
  TYPE_ALERT_COUNT,  /* `off` or N */
  TYPE_ALERT_WINDOW, /* `off` or N/MINUTES: N events within MINUTES */
  TYPE_ALERT_HOURS,  /* `off` or HH:MM-HH:MM, the working hours in local time */
  TYPE_SCORE,        /* a fraction from 0 to 1 with two decimals, kept in hundredths */
} KeyType;

/* How a value compares with a stricter one. */
typedef enum
{
  STRICT_FREE,       /* no order: any value within the hard limits */
  STRICT_LOWER,      /* a lower number is stricter (clipboard: 0 = deny) */
  STRICT_HIGHER,     /* a higher number is stricter (the ledger kept longer) */
  STRICT_TRUE,       /* true is stricter */
  STRICT_MORE_KINDS, /* a superset of kinds is stricter */
  STRICT_ALERT,      /* a rule that fires sooner is stricter; off is the loosest */
} Strictness;

typedef struct
{
  gint64 number; /* numbers, booleans (0/1), clipboard (0 = deny) and kind masks */
  GStrv codes;   /* reason codes */
} Value;

typedef struct
{
  const char *name;
  KeyType type;
  Strictness strictness;
  gint64 min;
  gint64 max;
  gint64 default_number;
} KeyInfo;

/* How the alert rules keep two numbers in Value.number: N/MINUTES as N * 10000 + MINUTES,
 * HH:MM-HH:MM as START * 10000 + END in minutes after midnight (END up to 24:00). */
#define ALERT_PAIR(a, b)  (((gint64) (a)) * 10000 + (b))
#define ALERT_PAIR_A(n)   ((guint) ((n) / 10000))
#define ALERT_PAIR_B(n)   ((guint) ((n) % 10000))
#define ALERT_MINUTES_DAY 1440

#define ALL_KINDS   ((1 << AG_PII_N_KINDS) - 1)
#define KIND_BIT(k) (((gint64) 1) << (k))

struct _AgPolicy
{
  GObject parent_instance;

  Value values[AG_POLICY_N_KEYS];
  char *origins[AG_POLICY_N_KEYS];
  /* The loosest value a later layer may set, and where that bound was set. */
  Value bounds[AG_POLICY_N_KEYS];
  char *bound_origins[AG_POLICY_N_KEYS];
  char *version;

  /* The last good system and supervisor layers (ParsedFile*), for the next load to fall
   * back on when one of them is refused; %NULL when there was none. */
  GPtrArray *system_files;
  GPtrArray *supervisor_files;
};

/* Problems: every problem of a layer, each as "FILE:LINE: key: problem". */

typedef struct
{
  GPtrArray *lines;
  int first_code; /* -1 while there is none */
  /* Where the first problem is, for the ledger: file, line, and the key when it is one. */
  char *first_origin;
  guint first_line;
  int first_key; /* an AgPolicyKey, or -1 */
} Problems;

/* A parsed file: its sections and their entries, in the order of the file. */

typedef enum
{
  SECTION_POLICY,
  SECTION_BOUNDS,
  SECTION_TEAM,
  SECTION_USER,
} SectionKind;

typedef struct
{
  AgPolicyKey key;
  guint line;
  Value value;
} Entry;

typedef struct
{
  SectionKind kind;
  char *target; /* the group or user name of team and user sections */
  guint line;
  GArray *entries; /* of Entry */
} Section;

typedef struct
{
  char *origin;
  GPtrArray *sections; /* of Section*, one per distinct section, in order of first sight */
} ParsedFile;

/* Where a value came from when no file set it. */
#define AG_POLICY_BUILT_IN_ORIGIN "built-in"

/* Keys and their values (ag-policy-keys.c) */

extern const KeyInfo ag_policy_key_info[AG_POLICY_N_KEYS];

void
ag_policy_value_clear (Value *value);
void
ag_policy_value_copy (Value *dest, const Value *src);
char *
ag_policy_kinds_to_string (gint64 mask);
char *
ag_policy_value_to_string (AgPolicyKey key, const Value *value);
gboolean
ag_policy_value_is_looser (AgPolicyKey key, const Value *candidate, const Value *reference);
gboolean
ag_policy_parse_value (AgPolicyKey key, const char *text, Value *out, AgPolicyError *code,
                       char **message);
GStrv
ag_policy_dup_builtin_reason_codes (void);

/* Problems and parsing (ag-policy-parse.c) */

void
ag_policy_problems_init (Problems *problems);
void
ag_policy_problems_clear (Problems *problems);
char *
ag_policy_format_problem (const char *origin, guint line, const char *key, const char *message);
void
ag_policy_add_problem (Problems *problems, AgPolicyError code, const char *origin, guint line,
                       const char *key, const char *format, ...) G_GNUC_PRINTF (6, 7);
gboolean
ag_policy_problems_propagate (Problems *problems, GError **error);
void
ag_policy_parsed_file_free (ParsedFile *file);
ParsedFile *
ag_policy_parse_layer_data (const char *origin, const char *data, gsize length, AgPolicyLayer layer,
                            Problems *problems);
ParsedFile *
ag_policy_parse_layer_file (const char *path, AgPolicyLayer layer, Problems *problems);
void
ag_policy_list_conf_files (const char *folder, GPtrArray *paths, Problems *problems);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsedFile, ag_policy_parsed_file_free)

/* The policy object (ag-policy.c) */

void
ag_policy_set_value (AgPolicy *self, AgPolicyKey key, const Value *value, const char *origin);
void
ag_policy_compute_version (AgPolicy *self);

G_END_DECLS
