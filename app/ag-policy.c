/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy"

#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ag-policy-file.h"
#include "ag-policy.h"

/*
 * The policy files use GKeyFile's syntax, but GKeyFile gives no line numbers and merges
 * duplicate keys silently, so this file parses them itself: `#` comments, `[section]`,
 * `key=value`, lists separated by `;`, whitespace trimmed. Parsing works on a string and
 * an origin name, never on a file, so the PostgreSQL mode can feed policies from a table.
 *
 * A load goes through the layers in order, and each stands or falls alone: a layer with
 * any problem is refused whole (nothing of it is applied) and the layers below it stay in
 * force. A refused system or supervisor layer is replaced by its last good version, which
 * every policy carries for the next load; with none, a refused system layer still gives
 * every admin bound that parsed, since a bound can only tighten. A failing layer never
 * loosens anything.
 */

#define MAX_REASON_CODES       64
#define MAX_REASON_CODE_LENGTH 64
#define VERSION_LENGTH         16

typedef enum
{
  TYPE_SECONDS,
  TYPE_COUNT,
  TYPE_BOOLEAN,
  TYPE_CLIPBOARD,
  TYPE_KINDS,
  TYPE_CODES,
} KeyType;

/* How a value compares with a stricter one. */
typedef enum
{
  STRICT_FREE,       /* no order: any value within the hard limits */
  STRICT_LOWER,      /* a lower number is stricter (clipboard: 0 = deny) */
  STRICT_HIGHER,     /* a higher number is stricter (the ledger kept longer) */
  STRICT_TRUE,       /* true is stricter */
  STRICT_MORE_KINDS, /* a superset of kinds is stricter */
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

#define ALL_KINDS   ((1 << AG_PII_N_KINDS) - 1)
#define KIND_BIT(k) (((gint64) 1) << (k))

static const KeyInfo key_info[AG_POLICY_N_KEYS] = {
  [AG_POLICY_KEY_IDLE_LOCK] = { "idle-lock", TYPE_SECONDS, STRICT_LOWER, AG_POLICY_IDLE_LOCK_MIN,
                                AG_POLICY_IDLE_LOCK_MAX, 300 },
  [AG_POLICY_KEY_LOCK_WARNING] = { "lock-warning", TYPE_SECONDS, STRICT_FREE,
                                   AG_POLICY_LOCK_WARNING_MIN, AG_POLICY_LOCK_WARNING_MAX, 30 },
  [AG_POLICY_KEY_REVEAL_DURATION]
  = { "reveal-duration", TYPE_SECONDS, STRICT_LOWER, AG_POLICY_REVEAL_DURATION_MIN,
      AG_POLICY_REVEAL_DURATION_MAX, 20 },
  [AG_POLICY_KEY_REQUIRE_REASON] = { "require-reason", TYPE_BOOLEAN, STRICT_TRUE, 0, 1, 1 },
  [AG_POLICY_KEY_REASON_CODES] = { "reason-codes", TYPE_CODES, STRICT_FREE, 0, 0, 0 },
  [AG_POLICY_KEY_STEP_UP_KINDS]
  = { "step-up-kinds", TYPE_KINDS, STRICT_MORE_KINDS, 0, 0,
      KIND_BIT (AG_PII_KIND_CARD_NUMBER) | KIND_BIT (AG_PII_KIND_BANK_ACCOUNT) },
  [AG_POLICY_KEY_STEP_UP_GRACE] = { "step-up-grace", TYPE_SECONDS, STRICT_LOWER,
                                    AG_POLICY_STEP_UP_GRACE_MIN, AG_POLICY_STEP_UP_GRACE_MAX, 120 },
  [AG_POLICY_KEY_MAX_REVEALS_PER_HOUR]
  = { "max-reveals-per-hour", TYPE_COUNT, STRICT_LOWER, AG_POLICY_MAX_REVEALS_PER_HOUR_MIN,
      AG_POLICY_MAX_REVEALS_PER_HOUR_MAX, 30 },
  [AG_POLICY_KEY_REMASK_ON_FOCUS_LOSS]
  = { "remask-on-focus-loss", TYPE_BOOLEAN, STRICT_TRUE, 0, 1, 1 },
  [AG_POLICY_KEY_CLIPBOARD]
  = { "clipboard", TYPE_CLIPBOARD, STRICT_LOWER, 0, AG_POLICY_CLIPBOARD_CLEAR_MAX, 0 },
  [AG_POLICY_KEY_MASKED_KINDS] = { "masked-kinds", TYPE_KINDS, STRICT_MORE_KINDS, 0, 0,
                                   ALL_KINDS & ~KIND_BIT (AG_PII_KIND_NAME) },
  /* The ledger is the evidence of every access, so keeping it longer is the stricter
   * side: an admin bound is the shortest retention a later file may set. */
  [AG_POLICY_KEY_LEDGER_RETENTION_DAYS]
  = { "ledger-retention-days", TYPE_COUNT, STRICT_HIGHER, AG_POLICY_LEDGER_RETENTION_DAYS_MIN,
      AG_POLICY_LEDGER_RETENTION_DAYS_MAX, 400 },
  [AG_POLICY_KEY_LOCK_ON_MINIMISE] = { "lock-on-minimise", TYPE_BOOLEAN, STRICT_TRUE, 0, 1, 1 },
  /* A search by CPF, phone, e-mail… is an access (a mask leaves few candidates to try), so
   * it has a quota of its own; 40 an hour is a call every 90 s. */
  [AG_POLICY_KEY_MAX_IDENTIFIER_SEARCHES_PER_HOUR]
  = { "max-identifier-searches-per-hour", TYPE_COUNT, STRICT_LOWER,
      AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MIN,
      AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MAX, 40 },
};

static const struct
{
  const char *code;
  const char *label;
} builtin_reason_codes[] = {
  { "identity-check", N_("Identity check") },   { "customer-request", N_("Customer request") },
  { "billing-dispute", N_("Billing dispute") }, { "fraud-check", N_("Fraud check") },
  { "legal-request", N_("Legal request") },
};

static const char *const built_in_origin = "built-in";

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

G_DEFINE_FINAL_TYPE (AgPolicy, ag_policy, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (AgPolicyPaths, ag_policy_paths, ag_policy_paths_copy, ag_policy_paths_free)

G_DEFINE_BOXED_TYPE (AgPolicyRefusal, ag_policy_refusal, ag_policy_refusal_copy,
                     ag_policy_refusal_free)

GQuark
ag_policy_error_quark (void)
{
  return g_quark_from_static_string ("ag-policy-error-quark");
}

/* Values */

static void
value_clear (Value *value)
{
  g_clear_pointer (&value->codes, g_strfreev);
  value->number = 0;
}

static void
value_copy (Value *dest, const Value *src)
{
  value_clear (dest);
  dest->number = src->number;
  dest->codes = g_strdupv (src->codes);
}

static char *
kinds_to_string (gint64 mask)
{
  g_autoptr (GString) str = g_string_new (NULL);

  for (int kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      if ((mask & KIND_BIT (kind)) == 0)
        continue;
      if (str->len > 0)
        g_string_append_c (str, ';');
      g_string_append (str, ag_pii_kind_to_string ((AgPiiKind) kind));
    }

  return g_string_free (g_steal_pointer (&str), FALSE);
}

static char *
value_to_string (AgPolicyKey key, const Value *value)
{
  switch (key_info[key].type)
    {
      case TYPE_SECONDS:
      case TYPE_COUNT:
        return g_strdup_printf ("%" G_GINT64_FORMAT, value->number);
      case TYPE_BOOLEAN:
        return g_strdup (value->number ? "true" : "false");
      case TYPE_CLIPBOARD:
        if (value->number == 0)
          return g_strdup ("deny");
        return g_strdup_printf ("allow-with-clear:%" G_GINT64_FORMAT, value->number);
      case TYPE_KINDS:
        return kinds_to_string (value->number);
      case TYPE_CODES:
        return g_strjoinv (";", value->codes);
      default:
        g_assert_not_reached ();
    }
}

/* Whether @candidate is looser than @reference for @key. Free keys are never looser. */
static gboolean
value_is_looser (AgPolicyKey key, const Value *candidate, const Value *reference)
{
  switch (key_info[key].strictness)
    {
      case STRICT_FREE:
        return FALSE;
      case STRICT_LOWER:
        return candidate->number > reference->number;
      case STRICT_HIGHER:
        return candidate->number < reference->number;
      case STRICT_TRUE:
        return candidate->number < reference->number;
      case STRICT_MORE_KINDS:
        return (reference->number & ~candidate->number) != 0;
      default:
        g_assert_not_reached ();
    }
}

/* Problems */

typedef struct
{
  GPtrArray *lines;
  int first_code; /* -1 while there is none */
  /* Where the first problem is, for the ledger: file, line, and the key when it is one. */
  char *first_origin;
  guint first_line;
  int first_key; /* an AgPolicyKey, or -1 */
} Problems;

static void
problems_init (Problems *problems)
{
  problems->lines = g_ptr_array_new_with_free_func (g_free);
  problems->first_code = -1;
  problems->first_origin = NULL;
  problems->first_line = 0;
  problems->first_key = -1;
}

static void
problems_clear (Problems *problems)
{
  g_clear_pointer (&problems->lines, g_ptr_array_unref);
  g_clear_pointer (&problems->first_origin, g_free);
}

static char *
format_problem (const char *origin, guint line, const char *key, const char *message)
{
  if (line > 0 && key != NULL)
    return g_strdup_printf ("%s:%u: %s: %s", origin, line, key, message);
  if (line > 0)
    return g_strdup_printf ("%s:%u: %s", origin, line, message);
  return g_strdup_printf ("%s: %s", origin, message);
}

static void
add_problem (Problems *problems, AgPolicyError code, const char *origin, guint line,
             const char *key, const char *format, ...) G_GNUC_PRINTF (6, 7);

static void
add_problem (Problems *problems, AgPolicyError code, const char *origin, guint line,
             const char *key, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (problems->first_code < 0)
    {
      AgPolicyKey known;

      problems->first_code = code;
      problems->first_origin = g_strdup (origin);
      problems->first_line = line;
      problems->first_key
        = key != NULL && ag_policy_key_from_string (key, &known) ? (int) known : -1;
    }
  g_ptr_array_add (problems->lines, format_problem (origin, line, key, message));
}

/* Returns FALSE and sets @error when there were problems. */
static gboolean
problems_propagate (Problems *problems, GError **error)
{
  g_autoptr (GString) message = NULL;

  if (problems->lines->len == 0)
    return TRUE;

  message = g_string_new (NULL);
  for (guint i = 0; i < problems->lines->len; i++)
    {
      if (i > 0)
        g_string_append_c (message, '\n');
      g_string_append (message, g_ptr_array_index (problems->lines, i));
    }

  g_set_error_literal (error, AG_POLICY_ERROR, problems->first_code, message->str);
  return FALSE;
}

/* Parsing */

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

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  value_clear (&entry->value);
}

static void
section_free (gpointer data)
{
  Section *section = data;

  g_free (section->target);
  g_array_unref (section->entries);
  g_free (section);
}

static void
parsed_file_free (ParsedFile *file)
{
  g_free (file->origin);
  g_ptr_array_unref (file->sections);
  g_free (file);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ParsedFile, parsed_file_free)

static gboolean
is_reason_code (const char *code)
{
  if (*code == '\0' || strlen (code) > MAX_REASON_CODE_LENGTH)
    return FALSE;
  for (const char *p = code; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

static gboolean
is_account_name (const char *name)
{
  /* POSIX portable user and group names, plus what Debian allows (a trailing $). */
  if (*name == '\0' || *name == '-' || strlen (name) > 256)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '.'
        && !(*p == '$' && p[1] == '\0'))
      return FALSE;
  return TRUE;
}

/* Splits a list value on `;`, trimming every item and dropping empty ones. */
static GStrv
split_list (const char *text)
{
  g_auto (GStrv) items = g_strsplit (text, ";", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] != '\0')
        g_strv_builder_add (builder, items[i]);
    }

  return g_strv_builder_end (builder);
}

static gboolean
parse_number (const char *text, gint64 min, gint64 max, gint64 *out, AgPolicyError *code,
              char **message)
{
  gint64 number;

  if (!g_ascii_isdigit (text[0])
      || !g_ascii_string_to_signed (text, 10, 0, G_MAXINT32, &number, NULL))
    {
      *code = AG_POLICY_ERROR_INVALID_VALUE;
      *message = g_strdup_printf (_("“%s” is not a whole number"), text);
      return FALSE;
    }
  if (number < min)
    {
      *code = AG_POLICY_ERROR_OUT_OF_RANGE;
      *message = g_strdup_printf (_("%d is below the minimum %d"), (int) number, (int) min);
      return FALSE;
    }
  if (number > max)
    {
      *code = AG_POLICY_ERROR_OUT_OF_RANGE;
      *message = g_strdup_printf (_("%d is above the maximum %d"), (int) number, (int) max);
      return FALSE;
    }

  *out = number;
  return TRUE;
}

/* Parses @text as a value of @key within the hard limits. */
static gboolean
parse_value (AgPolicyKey key, const char *text, Value *out, AgPolicyError *code, char **message)
{
  const KeyInfo *info = &key_info[key];

  switch (info->type)
    {
      case TYPE_SECONDS:
      case TYPE_COUNT:
        return parse_number (text, info->min, info->max, &out->number, code, message);

      case TYPE_BOOLEAN:
        if (g_str_equal (text, "true") || g_str_equal (text, "1"))
          out->number = 1;
        else if (g_str_equal (text, "false") || g_str_equal (text, "0"))
          out->number = 0;
        else
          {
            *code = AG_POLICY_ERROR_INVALID_VALUE;
            *message = g_strdup_printf (_("“%s” is neither true nor false"), text);
            return FALSE;
          }
        return TRUE;

      case TYPE_CLIPBOARD:
        if (g_str_equal (text, "deny"))
          {
            out->number = 0;
            return TRUE;
          }
        if (g_str_has_prefix (text, "allow-with-clear:"))
          return parse_number (text + strlen ("allow-with-clear:"), AG_POLICY_CLIPBOARD_CLEAR_MIN,
                               AG_POLICY_CLIPBOARD_CLEAR_MAX, &out->number, code, message);
        *code = AG_POLICY_ERROR_INVALID_VALUE;
        *message = g_strdup_printf (_("“%s” is neither deny nor allow-with-clear:SECONDS"), text);
        return FALSE;

      case TYPE_KINDS:
        {
          g_auto (GStrv) items = split_list (text);

          out->number = 0;
          for (guint i = 0; items[i] != NULL; i++)
            {
              AgPiiKind kind;

              if (!ag_pii_kind_from_string (items[i], &kind))
                {
                  *code = AG_POLICY_ERROR_INVALID_VALUE;
                  *message = g_strdup_printf (_("unknown kind “%s”"), items[i]);
                  return FALSE;
                }
              if (out->number & KIND_BIT (kind))
                {
                  *code = AG_POLICY_ERROR_INVALID_VALUE;
                  *message = g_strdup_printf (_("“%s” is listed twice"), items[i]);
                  return FALSE;
                }
              out->number |= KIND_BIT (kind);
            }
          return TRUE;
        }

      case TYPE_CODES:
        {
          g_auto (GStrv) items = split_list (text);
          guint n_items = g_strv_length (items);

          if (n_items == 0)
            {
              *code = AG_POLICY_ERROR_INVALID_VALUE;
              *message = g_strdup (_("the list needs at least one reason code"));
              return FALSE;
            }
          if (n_items > MAX_REASON_CODES)
            {
              *code = AG_POLICY_ERROR_OUT_OF_RANGE;
              *message = g_strdup_printf (_("more than %d reason codes"), MAX_REASON_CODES);
              return FALSE;
            }
          for (guint i = 0; i < n_items; i++)
            {
              if (!is_reason_code (items[i]))
                {
                  *code = AG_POLICY_ERROR_INVALID_VALUE;
                  *message = g_strdup_printf (
                    _("“%s” is not a reason code (a to z, 0 to 9 and -, at most %d characters)"),
                    items[i], MAX_REASON_CODE_LENGTH);
                  return FALSE;
                }
              for (guint j = 0; j < i; j++)
                if (g_str_equal (items[i], items[j]))
                  {
                    *code = AG_POLICY_ERROR_INVALID_VALUE;
                    *message = g_strdup_printf (_("“%s” is listed twice"), items[i]);
                    return FALSE;
                  }
            }
          out->codes = g_steal_pointer (&items);
          return TRUE;
        }

      default:
        g_assert_not_reached ();
    }
}

static guint
line_of_offset (const char *data, gsize offset)
{
  guint line = 1;

  for (gsize i = 0; i < offset; i++)
    if (data[i] == '\n')
      line++;
  return line;
}

static Section *
find_or_add_section (ParsedFile *file, SectionKind kind, const char *target, guint line)
{
  Section *section;

  for (guint i = 0; i < file->sections->len; i++)
    {
      section = g_ptr_array_index (file->sections, i);
      if (section->kind == kind && g_strcmp0 (section->target, target) == 0)
        return section;
    }

  section = g_new0 (Section, 1);
  section->kind = kind;
  section->target = g_strdup (target);
  section->line = line;
  section->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (section->entries, entry_clear);
  g_ptr_array_add (file->sections, section);
  return section;
}

/* Which sections each layer may hold. */
static gboolean
layer_allows_section (AgPolicyLayer layer, SectionKind kind)
{
  switch (layer)
    {
      case AG_POLICY_LAYER_SYSTEM:
        return kind == SECTION_POLICY || kind == SECTION_BOUNDS;
      case AG_POLICY_LAYER_SUPERVISOR:
        return kind == SECTION_TEAM || kind == SECTION_USER;
      case AG_POLICY_LAYER_USER:
        return kind == SECTION_POLICY;
      case AG_POLICY_LAYER_BUILT_IN:
      default:
        return FALSE;
    }
}

static const char *
layer_sections_hint (AgPolicyLayer layer)
{
  switch (layer)
    {
      case AG_POLICY_LAYER_SYSTEM:
        return "[policy], [bounds]";
      case AG_POLICY_LAYER_SUPERVISOR:
        return "[team:GROUP], [user:NAME]";
      case AG_POLICY_LAYER_USER:
      default:
        return "[policy]";
    }
}

/* Parses one file of @layer. Every problem goes to @problems; the entries that parsed are
 * returned either way, so that later checks can report their problems too. */
static ParsedFile *
parse_layer_data (const char *origin, const char *data, gsize length, AgPolicyLayer layer,
                  Problems *problems)
{
  g_autoptr (ParsedFile) file = g_new0 (ParsedFile, 1);
  const char *invalid = NULL;
  Section *section = NULL;
  gboolean in_unknown_section = FALSE;
  const char *p = data;
  const char *end = data + length;
  guint line = 0;

  file->origin = g_strdup (origin);
  file->sections = g_ptr_array_new_with_free_func (section_free);

  if (!g_utf8_validate_len (data, length, &invalid))
    {
      add_problem (problems, AG_POLICY_ERROR_INVALID_UTF8, origin,
                   line_of_offset (data, invalid - data), NULL,
                   _("invalid UTF-8; the file is not read"));
      return g_steal_pointer (&file);
    }

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      g_autofree char *text = g_strndup (p, (eol != NULL ? eol : end) - p);
      char *equals;
      AgPolicyKey key;

      p = eol != NULL ? eol + 1 : end;
      line++;
      g_strstrip (text);

      if (text[0] == '\0' || text[0] == '#')
        continue;

      if (text[0] == '[')
        {
          gsize len = strlen (text);
          g_autofree char *name = NULL;
          SectionKind kind;
          const char *target = NULL;

          section = NULL;
          in_unknown_section = TRUE;

          if (text[len - 1] != ']' || len < 3)
            {
              add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, NULL,
                           _("a section header must look like [NAME]"));
              continue;
            }
          name = g_strndup (text + 1, len - 2);

          if (g_str_equal (name, "policy"))
            kind = SECTION_POLICY;
          else if (g_str_equal (name, "bounds"))
            kind = SECTION_BOUNDS;
          else if (g_str_has_prefix (name, "team:"))
            kind = SECTION_TEAM, target = name + strlen ("team:");
          else if (g_str_has_prefix (name, "user:"))
            kind = SECTION_USER, target = name + strlen ("user:");
          else
            {
              add_problem (problems, AG_POLICY_ERROR_UNKNOWN_SECTION, origin, line, NULL,
                           _("unknown section [%s] (this file may hold %s)"), name,
                           layer_sections_hint (layer));
              continue;
            }

          if (!layer_allows_section (layer, kind))
            {
              add_problem (problems, AG_POLICY_ERROR_UNKNOWN_SECTION, origin, line, NULL,
                           _("section [%s] does not belong in this file (it may hold %s)"), name,
                           layer_sections_hint (layer));
              continue;
            }

          if (target != NULL && !is_account_name (target))
            {
              add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, NULL,
                           _("“%s” is not a valid user or group name"), target);
              continue;
            }

          section = find_or_add_section (file, kind, target, line);
          in_unknown_section = FALSE;
          continue;
        }

      equals = strchr (text, '=');
      if (equals == NULL)
        {
          add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, NULL,
                       _("expected KEY=VALUE, a [section] or a # comment"));
          continue;
        }
      *equals = '\0';
      g_strstrip (text);
      g_strstrip (equals + 1);

      if (section == NULL)
        {
          /* Its section was already reported. */
          if (!in_unknown_section)
            add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, text,
                         _("the key comes before any section"));
          continue;
        }

      if (!ag_policy_key_from_string (text, &key))
        {
          add_problem (problems, AG_POLICY_ERROR_UNKNOWN_KEY, origin, line, text,
                       _("unknown key"));
          continue;
        }

      if (section->kind == SECTION_BOUNDS && key_info[key].strictness == STRICT_FREE)
        {
          add_problem (problems, AG_POLICY_ERROR_UNKNOWN_KEY, origin, line, text,
                       _("this key has no admin bound; set it in [policy]"));
          continue;
        }

      {
        gboolean duplicate = FALSE;

        for (guint i = 0; i < section->entries->len; i++)
          {
            Entry *other = &g_array_index (section->entries, Entry, i);

            if (other->key == key)
              {
                add_problem (problems, AG_POLICY_ERROR_DUPLICATE_KEY, origin, line, text,
                             _("set twice in this section (first on line %u)"), other->line);
                duplicate = TRUE;
                break;
              }
          }
        if (duplicate)
          continue;
      }

      {
        Entry entry = { key, line, { 0, NULL } };
        AgPolicyError code = AG_POLICY_ERROR_INVALID_VALUE;
        g_autofree char *message = NULL;

        if (!parse_value (key, equals + 1, &entry.value, &code, &message))
          {
            add_problem (problems, code, origin, line, text, "%s", message);
            continue;
          }
        g_array_append_val (section->entries, entry);
      }
    }

  return g_steal_pointer (&file);
}

/* Reads @path under its layer's rules (ag-policy-file.c); a missing file is no problem and
 * returns %NULL without one. */
static ParsedFile *
parse_layer_file (const char *path, AgPolicyLayer layer, Problems *problems)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!ag_policy_file_read (path, layer, &data, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      add_problem (problems, error->code, path, 0, NULL, "%s", error->message);
      return NULL;
    }

  return parse_layer_data (path, data, length, layer, problems);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Appends the paths of FOLDER/ *.conf, in name order, to @paths. */
static void
list_conf_files (const char *folder, GPtrArray *paths, Problems *problems)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (folder, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        add_problem (problems, AG_POLICY_ERROR_IO, folder, 0, NULL,
                     _("cannot read the folder: %s"), error->message);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".conf") && name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));

  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (paths, g_build_filename (folder, g_ptr_array_index (names, i), NULL));
}

/* The policy object */

static void
ag_policy_finalize (GObject *object)
{
  AgPolicy *self = AG_POLICY (object);

  for (guint i = 0; i < AG_POLICY_N_KEYS; i++)
    {
      value_clear (&self->values[i]);
      value_clear (&self->bounds[i]);
      g_free (self->origins[i]);
      g_free (self->bound_origins[i]);
    }
  g_free (self->version);
  g_clear_pointer (&self->system_files, g_ptr_array_unref);
  g_clear_pointer (&self->supervisor_files, g_ptr_array_unref);

  G_OBJECT_CLASS (ag_policy_parent_class)->finalize (object);
}

static void
ag_policy_class_init (AgPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_policy_finalize;
}

static void
ag_policy_init (AgPolicy *self)
{
  for (guint i = 0; i < AG_POLICY_N_KEYS; i++)
    {
      const KeyInfo *info = &key_info[i];

      self->values[i].number = info->default_number;
      self->origins[i] = g_strdup (built_in_origin);
      self->bound_origins[i] = g_strdup (built_in_origin);

      /* The built-in bounds are the loosest end of the hard limits. */
      switch (info->strictness)
        {
          case STRICT_LOWER:
            self->bounds[i].number = info->max;
            break;
          case STRICT_HIGHER:
            self->bounds[i].number = info->min;
            break;
          case STRICT_TRUE:
          case STRICT_MORE_KINDS:
          case STRICT_FREE:
          default:
            self->bounds[i].number = 0;
            break;
        }
    }

  {
    g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

    for (gsize i = 0; i < G_N_ELEMENTS (builtin_reason_codes); i++)
      g_strv_builder_add (builder, builtin_reason_codes[i].code);
    self->values[AG_POLICY_KEY_REASON_CODES].codes = g_strv_builder_end (builder);
  }
}

static void
set_value (AgPolicy *self, AgPolicyKey key, const Value *value, const char *origin)
{
  value_copy (&self->values[key], value);
  g_free (self->origins[key]);
  self->origins[key] = g_strdup (origin);
}

static void
compute_version (AgPolicy *self)
{
  g_autofree char *dump = ag_policy_to_keyfile_string (self);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, dump, -1);

  g_free (self->version);
  self->version = g_strndup (sum, VERSION_LENGTH);
}

/**
 * ag_policy_new_default:
 *
 * Returns: (transfer full): the strict built-in policy
 */
AgPolicy *
ag_policy_new_default (void)
{
  AgPolicy *self = g_object_new (AG_TYPE_POLICY, NULL);

  compute_version (self);
  return self;
}

static char *
origin_at (const char *file, guint line)
{
  return g_strdup_printf ("%s:%u", file, line);
}

/* Checks @entry of @file against the admin bounds of @self. */
static gboolean
check_bound (AgPolicy *self, const ParsedFile *file, const Entry *entry, Problems *problems)
{
  const char *key = key_info[entry->key].name;
  const Value *bound = &self->bounds[entry->key];
  g_autofree char *value_str = NULL;
  g_autofree char *bound_str = NULL;

  if (!value_is_looser (entry->key, &entry->value, bound))
    return TRUE;

  value_str = value_to_string (entry->key, &entry->value);
  bound_str = value_to_string (entry->key, bound);

  if (key_info[entry->key].strictness == STRICT_MORE_KINDS)
    {
      g_autofree char *missing = kinds_to_string (bound->number & ~entry->value.number);

      add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                   _("leaves out %s, which the admin bound set in %s requires"), missing,
                   self->bound_origins[entry->key]);
    }
  else if (key_info[entry->key].strictness == STRICT_HIGHER)
    add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                 _("%s is below the admin bound %s set in %s"), value_str, bound_str,
                 self->bound_origins[entry->key]);
  else if (key_info[entry->key].type == TYPE_SECONDS || key_info[entry->key].type == TYPE_COUNT)
    add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                 _("%s is above the admin bound %s set in %s"), value_str, bound_str,
                 self->bound_origins[entry->key]);
  else
    add_problem (problems, AG_POLICY_ERROR_BEYOND_BOUND, file->origin, entry->line, key,
                 _("%s is looser than the admin bound %s set in %s"), value_str, bound_str,
                 self->bound_origins[entry->key]);
  return FALSE;
}

/* Takes in the [bounds] sections of @file: each may only tighten the bounds so far. */
static void
apply_bounds (AgPolicy *self, const ParsedFile *file, Problems *problems)
{
  for (guint s = 0; s < file->sections->len; s++)
    {
      const Section *section = g_ptr_array_index (file->sections, s);

      if (section->kind != SECTION_BOUNDS)
        continue;

      for (guint i = 0; i < section->entries->len; i++)
        {
          const Entry *entry = &g_array_index (section->entries, Entry, i);
          g_autofree char *origin = NULL;

          if (!check_bound (self, file, entry, problems))
            continue;

          origin = origin_at (file->origin, entry->line);
          value_copy (&self->bounds[entry->key], &entry->value);
          g_free (self->bound_origins[entry->key]);
          self->bound_origins[entry->key] = g_steal_pointer (&origin);
        }
    }
}

/* Applies the entries of @section after checking each against the bounds. */
static void
apply_section (AgPolicy *self, const ParsedFile *file, const Section *section, guint *seq,
               guint *counter, Problems *problems)
{
  for (guint i = 0; i < section->entries->len; i++)
    {
      const Entry *entry = &g_array_index (section->entries, Entry, i);
      g_autofree char *origin = NULL;

      if (!check_bound (self, file, entry, problems))
        continue;

      origin = origin_at (file->origin, entry->line);
      set_value (self, entry->key, &entry->value, origin);
      seq[entry->key] = ++(*counter);
    }
}

/* Brings the built-in defaults within tighter admin bounds: a bound is the loosest value
 * allowed, and the defaults are no exception. */
static void
clamp_defaults (AgPolicy *self, guint *seq, guint *counter)
{
  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      Value clamped = { 0, NULL };

      if (!g_str_equal (self->origins[key], built_in_origin)
          || !value_is_looser (key, &self->values[key], &self->bounds[key]))
        continue;

      if (key_info[key].strictness == STRICT_MORE_KINDS)
        clamped.number = self->values[key].number | self->bounds[key].number;
      else
        clamped.number = self->bounds[key].number;

      set_value (self, key, &clamped, self->bound_origins[key]);
      seq[key] = ++(*counter);
    }
}

/* Why the agent's own @entry cannot tighten the policy in force, or %NULL when it can. */
static char *
user_entry_problem (AgPolicy *self, const Entry *entry)
{
  AgPolicyKey key = entry->key;

  if (value_is_looser (key, &entry->value, &self->values[key]))
    {
      g_autofree char *value_str = value_to_string (key, &entry->value);
      g_autofree char *current_str = value_to_string (key, &self->values[key]);

      return g_strdup_printf (_("%s is looser than the policy in force (%s, from %s); "
                                 "ignored"),
                              value_str, current_str, self->origins[key]);
    }
  if (key == AG_POLICY_KEY_REASON_CODES)
    {
      /* Fewer codes is stricter; new ones are not the agent's to invent. */
      for (guint c = 0; entry->value.codes[c] != NULL; c++)
        if (!g_strv_contains ((const char *const *) self->values[key].codes, entry->value.codes[c]))
          return g_strdup_printf (_("“%s” is not among the reason codes in force "
                                     "(from %s); ignored"),
                                  entry->value.codes[c], self->origins[key]);
    }
  return NULL;
}

/* The agent's own file may only tighten: looser values become warnings. A limit that
 * involves two keys (lock-warning below idle-lock) is checked once the whole file is
 * read, so that the order of its lines changes nothing: a stricter idle-lock is kept
 * rather than its lock-warning, when only one of the two can be. */
static void
apply_user_file (AgPolicy *self, const ParsedFile *file, GPtrArray *warnings)
{
  g_autoptr (GPtrArray) entries = g_ptr_array_new ();
  g_autoptr (GPtrArray) messages = g_ptr_array_new_with_free_func (g_free);
  int idle_index = -1;
  int warning_index = -1;
  gint64 idle = self->values[AG_POLICY_KEY_IDLE_LOCK].number;
  gint64 warning = self->values[AG_POLICY_KEY_LOCK_WARNING].number;

  for (guint s = 0; s < file->sections->len; s++)
    {
      const Section *section = g_ptr_array_index (file->sections, s);

      for (guint i = 0; i < section->entries->len; i++)
        {
          const Entry *entry = &g_array_index (section->entries, Entry, i);
          char *message = user_entry_problem (self, entry);

          if (message == NULL && entry->key == AG_POLICY_KEY_IDLE_LOCK)
            {
              idle_index = entries->len;
              idle = entry->value.number;
            }
          else if (message == NULL && entry->key == AG_POLICY_KEY_LOCK_WARNING)
            {
              warning_index = entries->len;
              warning = entry->value.number;
            }
          g_ptr_array_add (entries, (gpointer) entry);
          g_ptr_array_add (messages, message);
        }
    }

  if (warning >= idle && warning_index >= 0)
    {
      const Entry *entry = g_ptr_array_index (entries, warning_index);
      g_autofree char *value_str = value_to_string (entry->key, &entry->value);

      messages->pdata[warning_index] = g_strdup_printf (
        _("%s is not shorter than idle-lock (%d); ignored"), value_str, (int) idle);
      warning = self->values[AG_POLICY_KEY_LOCK_WARNING].number;
    }
  if (warning >= idle && idle_index >= 0)
    {
      const Entry *entry = g_ptr_array_index (entries, idle_index);
      g_autofree char *value_str = value_to_string (entry->key, &entry->value);

      messages->pdata[idle_index] = g_strdup_printf (
        _("%s is not longer than lock-warning (%d); ignored"), value_str, (int) warning);
    }

  for (guint i = 0; i < entries->len; i++)
    {
      const Entry *entry = g_ptr_array_index (entries, i);
      const char *message = g_ptr_array_index (messages, i);
      g_autofree char *origin = NULL;

      if (message != NULL)
        {
          if (warnings != NULL)
            g_ptr_array_add (warnings, format_problem (file->origin, entry->line,
                                                       key_info[entry->key].name, message));
          continue;
        }

      origin = origin_at (file->origin, entry->line);
      set_value (self, entry->key, &entry->value, origin);
    }
}

static void
check_lock_warning (AgPolicy *self, const guint *seq, Problems *problems)
{
  const Value *idle = &self->values[AG_POLICY_KEY_IDLE_LOCK];
  const Value *warning = &self->values[AG_POLICY_KEY_LOCK_WARNING];
  AgPolicyKey culprit;
  const char *origin;
  const char *colon;
  g_autofree char *file = NULL;
  guint line = 0;

  if (warning->number < idle->number)
    return;

  /* Blame whichever of the two was set last. */
  culprit = seq[AG_POLICY_KEY_LOCK_WARNING] >= seq[AG_POLICY_KEY_IDLE_LOCK]
              ? AG_POLICY_KEY_LOCK_WARNING
              : AG_POLICY_KEY_IDLE_LOCK;
  origin = self->origins[culprit];
  colon = strrchr (origin, ':');
  if (colon != NULL)
    {
      file = g_strndup (origin, colon - origin);
      line = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
    }
  else
    file = g_strdup (origin);

  add_problem (problems, AG_POLICY_ERROR_OUT_OF_RANGE, file, line, key_info[culprit].name,
               _("lock-warning (%d, from %s) must be shorter than idle-lock (%d, from %s)"),
               (int) warning->number, self->origins[AG_POLICY_KEY_LOCK_WARNING], (int) idle->number,
               self->origins[AG_POLICY_KEY_IDLE_LOCK]);
}

static gboolean
section_applies (const Section *section, SectionKind kind, const char *user_name,
                 const char *const *groups)
{
  if (section->kind != kind)
    return FALSE;
  if (kind == SECTION_USER)
    return user_name != NULL && g_str_equal (section->target, user_name);
  return groups != NULL && g_strv_contains (groups, section->target);
}

static GPtrArray *
new_file_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) parsed_file_free);
}

/* Reads every file of the system layer: policy.conf, then policy.d/ *.conf. */
static GPtrArray *
parse_system_layer (const char *system_dir, Problems *problems)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *drop_in = g_build_filename (system_dir, "policy.d", NULL);
  GPtrArray *files = new_file_array ();

  g_ptr_array_add (paths, g_build_filename (system_dir, "policy.conf", NULL));
  list_conf_files (drop_in, paths, problems);

  for (guint i = 0; i < paths->len; i++)
    {
      ParsedFile *file
        = parse_layer_file (g_ptr_array_index (paths, i), AG_POLICY_LAYER_SYSTEM, problems);
      if (file != NULL)
        g_ptr_array_add (files, file);
    }
  return files;
}

static GPtrArray *
parse_supervisor_layer (const char *supervisor_dir, Problems *problems)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *files = new_file_array ();

  list_conf_files (supervisor_dir, paths, problems);
  for (guint i = 0; i < paths->len; i++)
    {
      ParsedFile *file
        = parse_layer_file (g_ptr_array_index (paths, i), AG_POLICY_LAYER_SUPERVISOR, problems);
      if (file != NULL)
        g_ptr_array_add (files, file);
    }
  return files;
}

/* A policy under construction, with the order in which its keys were set (to blame the
 * later of idle-lock and lock-warning). A layer is tried on a copy and the copy is kept
 * only when the layer had no problem. */
typedef struct
{
  AgPolicy *policy;
  guint seq[AG_POLICY_N_KEYS];
  guint counter;
} Draft;

static void
draft_copy (Draft *dest, const Draft *src)
{
  AgPolicy *copy = g_object_new (AG_TYPE_POLICY, NULL);

  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      value_copy (&copy->values[key], &src->policy->values[key]);
      value_copy (&copy->bounds[key], &src->policy->bounds[key]);
      g_free (copy->origins[key]);
      copy->origins[key] = g_strdup (src->policy->origins[key]);
      g_free (copy->bound_origins[key]);
      copy->bound_origins[key] = g_strdup (src->policy->bound_origins[key]);
    }
  if (src->policy->system_files != NULL)
    copy->system_files = g_ptr_array_ref (src->policy->system_files);
  if (src->policy->supervisor_files != NULL)
    copy->supervisor_files = g_ptr_array_ref (src->policy->supervisor_files);

  dest->policy = copy;
  memcpy (dest->seq, src->seq, sizeof dest->seq);
  dest->counter = src->counter;
}

static void
draft_clear (Draft *draft)
{
  g_clear_object (&draft->policy);
}

/* Replaces @draft with @other, which it takes. */
static void
draft_take (Draft *draft, Draft *other)
{
  draft_clear (draft);
  *draft = *other;
  other->policy = NULL;
}

/* Layer 2: every bound first, then the values, so that a value is held to every bound of
 * the layer wherever the bound was written; then the defaults within the bounds. */
static void
apply_system_layer (Draft *draft, GPtrArray *files, Problems *problems)
{
  for (guint i = 0; i < files->len; i++)
    apply_bounds (draft->policy, g_ptr_array_index (files, i), problems);
  for (guint i = 0; i < files->len; i++)
    {
      const ParsedFile *file = g_ptr_array_index (files, i);

      for (guint s = 0; s < file->sections->len; s++)
        {
          const Section *section = g_ptr_array_index (file->sections, s);

          if (section->kind == SECTION_POLICY)
            apply_section (draft->policy, file, section, draft->seq, &draft->counter, problems);
        }
    }
  clamp_defaults (draft->policy, draft->seq, &draft->counter);
  check_lock_warning (draft->policy, draft->seq, problems);
}

/* Layer 3: teams, then the user's own section, which wins. Every section is checked,
 * whoever it is for. */
static void
apply_supervisor_layer (Draft *draft, GPtrArray *files, const char *user_name,
                        const char *const *groups, Problems *problems)
{
  for (SectionKind kind = SECTION_TEAM; kind <= SECTION_USER; kind++)
    for (guint i = 0; i < files->len; i++)
      {
        const ParsedFile *file = g_ptr_array_index (files, i);

        for (guint s = 0; s < file->sections->len; s++)
          {
            const Section *section = g_ptr_array_index (file->sections, s);

            if (section->kind != kind)
              continue;
            if (section_applies (section, kind, user_name, groups))
              apply_section (draft->policy, file, section, draft->seq, &draft->counter, problems);
            else
              for (guint e = 0; e < section->entries->len; e++)
                check_bound (draft->policy, file, &g_array_index (section->entries, Entry, e),
                             problems);
          }
      }
  check_lock_warning (draft->policy, draft->seq, problems);
}

static void
add_refusal (GPtrArray *refusals, AgPolicyLayer layer, Problems *problems)
{
  g_autoptr (GError) error = NULL;
  AgPolicyRefusal *refusal;

  if (refusals == NULL)
    return;

  problems_propagate (problems, &error);
  refusal = g_new0 (AgPolicyRefusal, 1);
  refusal->layer = layer;
  refusal->code = problems->first_code;
  refusal->file = g_strdup (problems->first_origin);
  refusal->line = problems->first_line;
  refusal->key = problems->first_key >= 0 ? g_strdup (key_info[problems->first_key].name) : NULL;
  refusal->n_problems = problems->lines->len;
  refusal->message = g_strdup (error->message);
  g_ptr_array_add (refusals, refusal);
}

/* The system layer, or what stands in for it when it is refused. */
static void
load_system_layer (Draft *draft, const char *system_dir, AgPolicy *previous, GPtrArray *refusals)
{
  g_autoptr (GPtrArray) files = NULL;
  Draft trial;
  Problems problems;

  problems_init (&problems);
  files = system_dir != NULL ? parse_system_layer (system_dir, &problems) : new_file_array ();

  draft_copy (&trial, draft);
  if (problems.lines->len == 0)
    apply_system_layer (&trial, files, &problems);
  if (problems.lines->len == 0)
    {
      g_clear_pointer (&trial.policy->system_files, g_ptr_array_unref);
      trial.policy->system_files = g_steal_pointer (&files);
      draft_take (draft, &trial);
      problems_clear (&problems);
      return;
    }
  draft_clear (&trial);

  g_debug ("The system policy layer is refused, the layers below it stay: %s",
           problems.lines->len > 0 ? (const char *) g_ptr_array_index (problems.lines, 0) : "");
  add_refusal (refusals, AG_POLICY_LAYER_SYSTEM, &problems);
  problems_clear (&problems);

  /* The last good system layer, applied again: it applied without a problem before, on
   * the same built-in defaults. */
  if (previous != NULL && previous->system_files != NULL)
    {
      Problems again;

      problems_init (&again);
      draft_copy (&trial, draft);
      apply_system_layer (&trial, previous->system_files, &again);
      if (again.lines->len == 0)
        {
          g_clear_pointer (&trial.policy->system_files, g_ptr_array_unref);
          trial.policy->system_files = g_ptr_array_ref (previous->system_files);
          draft_take (draft, &trial);
          problems_clear (&again);
          return;
        }
      draft_clear (&trial);
      problems_clear (&again);
    }

  /* None: the strict defaults, tightened by every bound that parsed. A bound only ever
   * tightens, so taking them from a refused layer loosens nothing. */
  {
    Problems ignored;

    problems_init (&ignored);
    for (guint i = 0; i < files->len; i++)
      apply_bounds (draft->policy, g_ptr_array_index (files, i), &ignored);
    clamp_defaults (draft->policy, draft->seq, &draft->counter);
    problems_clear (&ignored);
    g_clear_pointer (&draft->policy->system_files, g_ptr_array_unref);
  }
}

/* The supervisor layer, or its last good version when it is refused. */
static void
load_supervisor_layer (Draft *draft, const char *supervisor_dir, const char *user_name,
                       const char *const *groups, AgPolicy *previous, GPtrArray *refusals)
{
  g_autoptr (GPtrArray) files = NULL;
  Draft trial;
  Problems problems;

  problems_init (&problems);
  files = supervisor_dir != NULL ? parse_supervisor_layer (supervisor_dir, &problems)
                                 : new_file_array ();

  draft_copy (&trial, draft);
  if (problems.lines->len == 0)
    apply_supervisor_layer (&trial, files, user_name, groups, &problems);
  if (problems.lines->len == 0)
    {
      g_clear_pointer (&trial.policy->supervisor_files, g_ptr_array_unref);
      trial.policy->supervisor_files = g_steal_pointer (&files);
      draft_take (draft, &trial);
      problems_clear (&problems);
      return;
    }
  draft_clear (&trial);

  g_debug ("The supervisor policy layer is refused, the layers below it stay: %s",
           (const char *) g_ptr_array_index (problems.lines, 0));
  add_refusal (refusals, AG_POLICY_LAYER_SUPERVISOR, &problems);
  problems_clear (&problems);
  g_clear_pointer (&draft->policy->supervisor_files, g_ptr_array_unref);

  /* The last good supervisor layer, when it still fits the system layer in force. */
  if (previous != NULL && previous->supervisor_files != NULL)
    {
      Problems again;

      problems_init (&again);
      draft_copy (&trial, draft);
      apply_supervisor_layer (&trial, previous->supervisor_files, user_name, groups, &again);
      if (again.lines->len == 0)
        {
          trial.policy->supervisor_files = g_ptr_array_ref (previous->supervisor_files);
          draft_take (draft, &trial);
        }
      else
        draft_clear (&trial);
      problems_clear (&again);
    }
}

/* Layer 4: the agent's own file only tightens what the others decided; one with a
 * problem is refused and changes nothing. */
static void
load_user_layer (Draft *draft, const char *user_file, GPtrArray *warnings, GPtrArray *refusals)
{
  g_autoptr (ParsedFile) file = NULL;
  Problems problems;

  if (user_file == NULL)
    return;

  problems_init (&problems);
  file = parse_layer_file (user_file, AG_POLICY_LAYER_USER, &problems);
  if (problems.lines->len == 0)
    {
      if (file != NULL)
        apply_user_file (draft->policy, file, warnings);
    }
  else
    {
      g_debug ("The agent's own policy file is refused, the layers below it stay: %s",
               (const char *) g_ptr_array_index (problems.lines, 0));
      add_refusal (refusals, AG_POLICY_LAYER_USER, &problems);
    }
  problems_clear (&problems);
}

/**
 * ag_policy_load_layers:
 * @paths: where the layers are
 * @user_name: (nullable): the agent whose policy this is (for `[user:NAME]` sections)
 * @groups: (nullable): the agent's Unix groups (for `[team:GROUP]` sections)
 * @previous: (nullable): the policy in force until now, whose system and supervisor
 *   layers stand in for those that are refused this time; %NULL at start
 * @warnings: (nullable) (element-type utf8): receives "FILE:LINE: key: problem" for each
 *   value of the agent's own file that was ignored because it was looser
 * @refusals: (nullable) (element-type AgPolicyRefusal): receives one #AgPolicyRefusal
 *   for each layer that was refused, in layer order
 *
 * Reads and merges every layer; each stands or falls alone. A layer with any problem is
 * refused whole and the layers below it stay in force: a refused system layer gives way
 * to its last good version in @previous, or, with none, to the built-in defaults
 * tightened by every admin bound that parsed; a refused supervisor layer to its last good
 * version when that still fits, or to nothing; a refused user file to nothing. A refused
 * layer never loosens the policy.
 *
 * Returns: (transfer full): the effective policy; never %NULL
 */
AgPolicy *
ag_policy_load_layers (const AgPolicyPaths *paths, const char *user_name, const char *const *groups,
                       AgPolicy *previous, GPtrArray *warnings, GPtrArray *refusals)
{
  Draft draft = { NULL, { 0 }, 0 };

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (previous == NULL || AG_IS_POLICY (previous), NULL);

  draft.policy = g_object_new (AG_TYPE_POLICY, NULL);

  load_system_layer (&draft, paths->system_dir, previous, refusals);
  load_supervisor_layer (&draft, paths->supervisor_dir, user_name, groups, previous, refusals);
  load_user_layer (&draft, paths->user_file, warnings, refusals);

  compute_version (draft.policy);
  return g_steal_pointer (&draft.policy);
}

/**
 * ag_policy_load:
 * @paths: where the layers are
 * @user_name: (nullable): the agent whose policy this is (for `[user:NAME]` sections)
 * @groups: (nullable): the agent's Unix groups (for `[team:GROUP]` sections)
 * @warnings: (nullable) (element-type utf8): see ag_policy_load_layers()
 * @error: return location for an error
 *
 * Like ag_policy_load_layers() without a previous policy, but fails when any layer is
 * refused: for checks that must see every file good (`policy check`, `audit prune`). The
 * error's message lists every problem found, one per line, each as
 * "FILE:LINE: key: problem"; its code is the class of the first.
 *
 * Returns: (transfer full): the effective policy, or %NULL with @error set
 */
AgPolicy *
ag_policy_load (const AgPolicyPaths *paths, const char *user_name, const char *const *groups,
                GPtrArray *warnings, GError **error)
{
  g_autoptr (GPtrArray) refusals = NULL;
  g_autoptr (AgPolicy) self = NULL;

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  refusals = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_refusal_free);
  self = ag_policy_load_layers (paths, user_name, groups, NULL, warnings, refusals);
  if (refusals->len > 0)
    {
      ag_policy_refusals_propagate (refusals, error);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * ag_policy_validate_layer_data:
 * @origin: the name problems are reported under (a file name)
 * @data: the contents of a policy file
 * @length: the length of @data, or -1 when it ends with a NUL
 * @layer: which layer the file belongs to
 * @bounds: (nullable): a policy whose admin bounds supervisor values must stay within
 *   (e.g. the system layer loaded alone); %NULL for the built-in limits only
 * @error: return location for an error
 *
 * Checks one file without applying it: syntax, sections, keys, values against the hard
 * limits, a system file's own [bounds], and supervisor values against @bounds. The
 * supervisor console uses this before it writes a file.
 *
 * Returns: %TRUE when the file is valid; otherwise %FALSE with every problem, one per line,
 *   in @error's message
 */
gboolean
ag_policy_validate_layer_data (const char *origin, const char *data, gssize length,
                               AgPolicyLayer layer, AgPolicy *bounds, GError **error)
{
  g_autoptr (AgPolicy) self = NULL;
  g_autoptr (ParsedFile) file = NULL;
  guint seq[AG_POLICY_N_KEYS] = { 0 };
  guint counter = 0;
  Problems problems;
  gboolean ok;

  g_return_val_if_fail (origin != NULL, FALSE);
  g_return_val_if_fail (data != NULL, FALSE);
  g_return_val_if_fail (layer != AG_POLICY_LAYER_BUILT_IN, FALSE);
  g_return_val_if_fail (bounds == NULL || AG_IS_POLICY (bounds), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (length < 0)
    length = strlen (data);

  self = g_object_new (AG_TYPE_POLICY, NULL);
  if (bounds != NULL && layer == AG_POLICY_LAYER_SUPERVISOR)
    for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
      {
        value_copy (&self->bounds[key], &bounds->bounds[key]);
        g_free (self->bound_origins[key]);
        self->bound_origins[key] = g_strdup (bounds->bound_origins[key]);
      }

  problems_init (&problems);
  file = parse_layer_data (origin, data, length, layer, &problems);

  if (layer == AG_POLICY_LAYER_SYSTEM)
    {
      /* The file's own bounds, then its values against them; lock-warning must stay
       * below idle-lock, as a load would find. */
      apply_bounds (self, file, &problems);
      for (guint s = 0; s < file->sections->len; s++)
        {
          const Section *section = g_ptr_array_index (file->sections, s);

          if (section->kind == SECTION_POLICY)
            apply_section (self, file, section, seq, &counter, &problems);
        }
      if (problems.lines->len == 0)
        {
          clamp_defaults (self, seq, &counter);
          check_lock_warning (self, seq, &problems);
        }
    }
  else if (layer == AG_POLICY_LAYER_SUPERVISOR)
    {
      for (guint s = 0; s < file->sections->len; s++)
        {
          const Section *section = g_ptr_array_index (file->sections, s);

          for (guint e = 0; e < section->entries->len; e++)
            check_bound (self, file, &g_array_index (section->entries, Entry, e), &problems);
        }
    }

  ok = problems_propagate (&problems, error);
  problems_clear (&problems);
  return ok;
}

/**
 * ag_policy_validate_layer_file:
 * @path: a policy file
 * @layer: which layer the file belongs to
 * @bounds: (nullable): see ag_policy_validate_layer_data()
 * @error: return location for an error; %AG_POLICY_ERROR_IO when it cannot be read
 *
 * Reads @path and checks it with ag_policy_validate_layer_data().
 *
 * Returns: %TRUE when the file is valid
 */
gboolean
ag_policy_validate_layer_file (const char *path, AgPolicyLayer layer, AgPolicy *bounds,
                               GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_file_get_contents (path, &data, &length, &local_error))
    {
      g_set_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO, "%s: %s", path,
                   local_error->message);
      return FALSE;
    }

  return ag_policy_validate_layer_data (path, data, length, layer, bounds, error);
}

/* Paths */

AgPolicyPaths *
ag_policy_paths_new (const char *system_dir, const char *supervisor_dir, const char *user_file)
{
  AgPolicyPaths *paths = g_new0 (AgPolicyPaths, 1);

  paths->system_dir = g_strdup (system_dir);
  paths->supervisor_dir = g_strdup (supervisor_dir);
  paths->user_file = g_strdup (user_file);
  return paths;
}

/**
 * ag_policy_paths_new_default:
 *
 * The installed layers: `SYSCONFDIR/agent-guard`, `LOCALSTATEDIR/lib/agent-guard/policy.d`
 * and `$XDG_CONFIG_HOME/agent-guard/policy.conf`. Development builds take the first two
 * from `AG_POLICY_SYSTEM_DIR` and `AG_POLICY_SUPERVISOR_DIR` when set; release builds never
 * read them.
 *
 * Returns: (transfer full): the paths
 */
AgPolicyPaths *
ag_policy_paths_new_default (void)
{
  g_autofree char *system_dir = g_build_filename (SYSCONFDIR, "agent-guard", NULL);
  g_autofree char *supervisor_dir
    = g_build_filename (LOCALSTATEDIR, "lib", "agent-guard", "policy.d", NULL);
  g_autofree char *user_file
    = g_build_filename (g_get_user_config_dir (), "agent-guard", "policy.conf", NULL);

#if DEVELOPMENT
  {
    const char *env;

    if ((env = g_getenv ("AG_POLICY_SYSTEM_DIR")) != NULL && *env != '\0')
      {
        g_free (system_dir);
        system_dir = g_strdup (env);
      }
    if ((env = g_getenv ("AG_POLICY_SUPERVISOR_DIR")) != NULL && *env != '\0')
      {
        g_free (supervisor_dir);
        supervisor_dir = g_strdup (env);
      }
  }
#endif

  return ag_policy_paths_new (system_dir, supervisor_dir, user_file);
}

AgPolicyPaths *
ag_policy_paths_copy (const AgPolicyPaths *paths)
{
  g_return_val_if_fail (paths != NULL, NULL);

  return ag_policy_paths_new (paths->system_dir, paths->supervisor_dir, paths->user_file);
}

void
ag_policy_paths_free (AgPolicyPaths *paths)
{
  if (paths == NULL)
    return;
  g_free (paths->system_dir);
  g_free (paths->supervisor_dir);
  g_free (paths->user_file);
  g_free (paths);
}

/* Keys and reason codes */

const char *
ag_policy_key_to_string (AgPolicyKey key)
{
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return key_info[key].name;
}

gboolean
ag_policy_key_from_string (const char *str, AgPolicyKey *out_key)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    if (g_str_equal (str, key_info[key].name))
      {
        if (out_key != NULL)
          *out_key = key;
        return TRUE;
      }
  return FALSE;
}

/**
 * ag_policy_reason_code_get_label:
 * @code: a reason code
 *
 * Returns: the translated label of a built-in reason code, or @code itself for a code an
 *   administrator added
 */
const char *
ag_policy_reason_code_get_label (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (builtin_reason_codes); i++)
    if (g_str_equal (code, builtin_reason_codes[i].code))
      return _(builtin_reason_codes[i].label);
  return code;
}

/* Getters */

guint
ag_policy_get_idle_lock (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_IDLE_LOCK_MIN);

  return self->values[AG_POLICY_KEY_IDLE_LOCK].number;
}

guint
ag_policy_get_lock_warning (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_LOCK_WARNING].number;
}

guint
ag_policy_get_reveal_duration (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_REVEAL_DURATION_MIN);

  return self->values[AG_POLICY_KEY_REVEAL_DURATION].number;
}

gboolean
ag_policy_get_require_reason (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);

  return self->values[AG_POLICY_KEY_REQUIRE_REASON].number != 0;
}

/**
 * ag_policy_get_reason_codes:
 * @self: a policy
 *
 * Returns: (transfer none): the reason codes an agent may pick, never empty
 */
const char *const *
ag_policy_get_reason_codes (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);

  return (const char *const *) self->values[AG_POLICY_KEY_REASON_CODES].codes;
}

gboolean
ag_policy_has_reason_code (AgPolicy *self, const char *code)
{
  g_return_val_if_fail (AG_IS_POLICY (self), FALSE);
  g_return_val_if_fail (code != NULL, FALSE);

  return g_strv_contains (ag_policy_get_reason_codes (self), code);
}

guint
ag_policy_get_step_up_grace (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_STEP_UP_GRACE].number;
}

guint
ag_policy_get_max_reveals_per_hour (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_MAX_REVEALS_PER_HOUR_MIN);

  return self->values[AG_POLICY_KEY_MAX_REVEALS_PER_HOUR].number;
}

guint
ag_policy_get_max_identifier_searches_per_hour (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_MAX_IDENTIFIER_SEARCHES_PER_HOUR_MIN);

  return self->values[AG_POLICY_KEY_MAX_IDENTIFIER_SEARCHES_PER_HOUR].number;
}

gboolean
ag_policy_get_remask_on_focus_loss (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);

  return self->values[AG_POLICY_KEY_REMASK_ON_FOCUS_LOSS].number != 0;
}

/**
 * ag_policy_get_clipboard_clear:
 * @self: a policy
 *
 * Returns: 0 when copying revealed values is denied, otherwise the seconds after which a
 *   copied value is cleared from the clipboard
 */
guint
ag_policy_get_clipboard_clear (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), 0);

  return self->values[AG_POLICY_KEY_CLIPBOARD].number;
}

/**
 * ag_policy_get_ledger_retention_days:
 * @self: a policy
 *
 * Returns: how many days ledger entries are kept; `agent-guard-admin audit prune` removes
 *   older ones
 */
guint
ag_policy_get_ledger_retention_days (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), AG_POLICY_LEDGER_RETENTION_DAYS_MAX);

  return self->values[AG_POLICY_KEY_LEDGER_RETENTION_DAYS].number;
}

/**
 * ag_policy_get_lock_on_minimise:
 * @self: a policy
 *
 * Returns: whether minimising the window locks the records
 */
gboolean
ag_policy_get_lock_on_minimise (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);

  return self->values[AG_POLICY_KEY_LOCK_ON_MINIMISE].number != 0;
}

gboolean
ag_policy_kind_is_masked (AgPolicy *self, AgPiiKind kind)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, TRUE);

  return (self->values[AG_POLICY_KEY_MASKED_KINDS].number & KIND_BIT (kind)) != 0;
}

gboolean
ag_policy_kind_needs_step_up (AgPolicy *self, AgPiiKind kind)
{
  g_return_val_if_fail (AG_IS_POLICY (self), TRUE);
  g_return_val_if_fail (kind < AG_PII_N_KINDS, TRUE);

  return (self->values[AG_POLICY_KEY_STEP_UP_KINDS].number & KIND_BIT (kind)) != 0;
}

/**
 * ag_policy_get_origin:
 * @self: a policy
 * @key: a key
 *
 * Returns: where the value of @key came from: "built-in" or "FILE:LINE"
 */
const char *
ag_policy_get_origin (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return self->origins[key];
}

/**
 * ag_policy_get_bound_origin:
 * @self: a policy
 * @key: a key
 *
 * Returns: where the admin bound of @key was set: "built-in" or "FILE:LINE"
 */
const char *
ag_policy_get_bound_origin (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return self->bound_origins[key];
}

/**
 * ag_policy_dup_value_string:
 * @self: a policy
 * @key: a key
 *
 * Returns: (transfer full): the value of @key as a policy file writes it
 */
char *
ag_policy_dup_value_string (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  return value_to_string (key, &self->values[key]);
}

/**
 * ag_policy_dup_bound_string:
 * @self: a policy
 * @key: a key
 *
 * Returns: (transfer full) (nullable): the admin bound of @key as a `[bounds]` section
 *   writes it, or %NULL for a key without bounds (`lock-warning`, `reason-codes`)
 */
char *
ag_policy_dup_bound_string (AgPolicy *self, AgPolicyKey key)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);
  g_return_val_if_fail (key < AG_POLICY_N_KEYS, NULL);

  if (key_info[key].strictness == STRICT_FREE)
    return NULL;
  return value_to_string (key, &self->bounds[key]);
}

/**
 * ag_policy_get_version:
 * @self: a policy
 *
 * Returns: 16 hex digits that change whenever an effective value changes (the start of
 *   the SHA-256 of ag_policy_to_keyfile_string()); the ledger records it
 */
const char *
ag_policy_get_version (AgPolicy *self)
{
  g_return_val_if_fail (AG_IS_POLICY (self), NULL);

  return self->version;
}

/**
 * ag_policy_to_keyfile_string:
 * @self: a policy
 *
 * Returns: (transfer full): the effective values as a `[policy]` section, one key per
 *   line in a fixed order: a canonical form that a policy file can also hold
 */
char *
ag_policy_to_keyfile_string (AgPolicy *self)
{
  GString *str;

  g_return_val_if_fail (AG_IS_POLICY (self), NULL);

  str = g_string_new ("[policy]\n");
  for (guint key = 0; key < AG_POLICY_N_KEYS; key++)
    {
      g_autofree char *value = value_to_string (key, &self->values[key]);

      g_string_append_printf (str, "%s=%s\n", key_info[key].name, value);
    }
  return g_string_free (str, FALSE);
}

/**
 * ag_policy_get_user_groups:
 * @user_name: a user
 *
 * Returns: (transfer full) (nullable): the names of the Unix groups @user_name belongs to,
 *   or %NULL when there is no such user
 */
char **
ag_policy_get_user_groups (const char *user_name)
{
  g_autoptr (GStrvBuilder) builder = NULL;
  g_autofree gid_t *gids = NULL;
  struct passwd *pw;
  int n_gids = 32;

  g_return_val_if_fail (user_name != NULL, NULL);

  pw = getpwnam (user_name);
  if (pw == NULL)
    return NULL;

  gids = g_new (gid_t, n_gids);
  while (getgrouplist (user_name, pw->pw_gid, gids, &n_gids) < 0)
    gids = g_renew (gid_t, gids, n_gids);

  builder = g_strv_builder_new ();
  for (int i = 0; i < n_gids; i++)
    {
      struct group *gr = getgrgid (gids[i]);

      if (gr != NULL)
        g_strv_builder_add (builder, gr->gr_name);
    }
  return g_strv_builder_end (builder);
}

/* Refusals */

const char *
ag_policy_layer_to_string (AgPolicyLayer layer)
{
  switch (layer)
    {
      case AG_POLICY_LAYER_BUILT_IN:
        return "built-in";
      case AG_POLICY_LAYER_SYSTEM:
        return "system";
      case AG_POLICY_LAYER_SUPERVISOR:
        return "supervisor";
      case AG_POLICY_LAYER_USER:
        return "user";
      default:
        return "unknown";
    }
}

/**
 * ag_policy_error_to_string:
 * @code: an #AgPolicyError
 *
 * Returns: a stable name for @code (`syntax`, `beyond-bound`…), as the ledger keeps it
 */
const char *
ag_policy_error_to_string (AgPolicyError code)
{
  switch (code)
    {
      case AG_POLICY_ERROR_IO:
        return "io";
      case AG_POLICY_ERROR_INVALID_UTF8:
        return "invalid-utf8";
      case AG_POLICY_ERROR_SYNTAX:
        return "syntax";
      case AG_POLICY_ERROR_UNKNOWN_SECTION:
        return "unknown-section";
      case AG_POLICY_ERROR_UNKNOWN_KEY:
        return "unknown-key";
      case AG_POLICY_ERROR_DUPLICATE_KEY:
        return "duplicate-key";
      case AG_POLICY_ERROR_INVALID_VALUE:
        return "invalid-value";
      case AG_POLICY_ERROR_OUT_OF_RANGE:
        return "out-of-range";
      case AG_POLICY_ERROR_BEYOND_BOUND:
        return "beyond-bound";
      case AG_POLICY_ERROR_UNSAFE_FILE:
        return "unsafe-file";
      default:
        return "failed";
    }
}

AgPolicyRefusal *
ag_policy_refusal_copy (const AgPolicyRefusal *refusal)
{
  AgPolicyRefusal *copy;

  g_return_val_if_fail (refusal != NULL, NULL);

  copy = g_memdup2 (refusal, sizeof *refusal);
  copy->file = g_strdup (refusal->file);
  copy->key = g_strdup (refusal->key);
  copy->message = g_strdup (refusal->message);
  return copy;
}

void
ag_policy_refusal_free (AgPolicyRefusal *refusal)
{
  if (refusal == NULL)
    return;
  g_free (refusal->file);
  g_free (refusal->key);
  g_free (refusal->message);
  g_free (refusal);
}

/**
 * ag_policy_refusal_equal:
 *
 * Returns: whether @a and @b refuse the same layer for the same problems
 */
gboolean
ag_policy_refusal_equal (const AgPolicyRefusal *a, const AgPolicyRefusal *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->layer == b->layer && g_strcmp0 (a->message, b->message) == 0;
}

/* The longest file name kept in a ledger cause, in bytes; the ledger takes 512. */
#define CAUSE_MAX_FILE 320

/**
 * ag_policy_refusal_to_cause:
 * @refusal: a refusal
 *
 * The `cause` of its `policy-refused` ledger entry: which layer, the file, line and key
 * of the first problem and its class, and how many problems there were —
 * `layer=user file=/home/ana/.config/agent-guard/policy.conf line=2 key=idle-lock
 * problem=beyond-bound problems=1`. Never a value from the file: only a known key name
 * and a class, so nothing an agent writes into a file reaches the ledger but its name.
 *
 * Returns: (transfer full): the cause, valid UTF-8 of at most 512 bytes
 */
char *
ag_policy_refusal_to_cause (const AgPolicyRefusal *refusal)
{
  g_autofree char *file = NULL;
  g_autoptr (GString) cause = g_string_new (NULL);

  g_return_val_if_fail (refusal != NULL, NULL);

  file = refusal->file != NULL ? g_filename_display_name (refusal->file) : g_strdup ("-");
  if (strlen (file) > CAUSE_MAX_FILE)
    {
      /* Keep the end, which names the file; cut on a character boundary. */
      const char *tail = g_utf8_find_next_char (file + strlen (file) - CAUSE_MAX_FILE, NULL);
      char *shorter = g_strconcat ("…", tail, NULL);

      g_free (file);
      file = shorter;
    }
  g_strdelimit (file, " \t\n\r", '_');

  g_string_append_printf (cause, "layer=%s file=%s", ag_policy_layer_to_string (refusal->layer),
                          file);
  if (refusal->line > 0)
    g_string_append_printf (cause, " line=%u", refusal->line);
  if (refusal->key != NULL)
    g_string_append_printf (cause, " key=%s", refusal->key);
  g_string_append_printf (cause, " problem=%s problems=%u",
                          ag_policy_error_to_string (refusal->code), refusal->n_problems);
  return g_string_free (g_steal_pointer (&cause), FALSE);
}

/**
 * ag_policy_refusals_propagate:
 * @refusals: (element-type AgPolicyRefusal): refusals of one load
 * @error: return location for an error
 *
 * Returns: %TRUE when @refusals is empty; otherwise %FALSE with @error set to
 *   %AG_POLICY_ERROR and the code of the first refusal, its message every problem of
 *   every refused layer, one per line
 */
gboolean
ag_policy_refusals_propagate (GPtrArray *refusals, GError **error)
{
  g_autoptr (GString) message = g_string_new (NULL);

  g_return_val_if_fail (refusals != NULL, FALSE);

  if (refusals->len == 0)
    return TRUE;

  for (guint i = 0; i < refusals->len; i++)
    {
      const AgPolicyRefusal *refusal = g_ptr_array_index (refusals, i);

      if (i > 0)
        g_string_append_c (message, '\n');
      g_string_append (message, refusal->message);
    }
  g_set_error_literal (error, AG_POLICY_ERROR,
                       ((const AgPolicyRefusal *) g_ptr_array_index (refusals, 0))->code,
                       message->str);
  return FALSE;
}
