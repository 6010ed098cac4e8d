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

#include "ag-policy.h"

/*
 * The policy files use GKeyFile's syntax, but GKeyFile gives no line numbers and merges
 * duplicate keys silently, so this file parses them itself: `#` comments, `[section]`,
 * `key=value`, lists separated by `;`, whitespace trimmed. Parsing works on a string and
 * an origin name, never on a file, so the PostgreSQL mode can feed policies from a table.
 *
 * A load goes through every layer and collects every problem; when there is any, nothing
 * of it is applied.
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
};

G_DEFINE_FINAL_TYPE (AgPolicy, ag_policy, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (AgPolicyPaths, ag_policy_paths, ag_policy_paths_copy, ag_policy_paths_free)

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
} Problems;

static void
problems_init (Problems *problems)
{
  problems->lines = g_ptr_array_new_with_free_func (g_free);
  problems->first_code = -1;
}

static void
problems_clear (Problems *problems)
{
  g_clear_pointer (&problems->lines, g_ptr_array_unref);
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
    problems->first_code = code;
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

/* Reads @path; a missing file is no problem and returns %NULL without one. */
static ParsedFile *
parse_layer_file (const char *path, AgPolicyLayer layer, gboolean must_exist, Problems *problems)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  struct stat st;

  if (!g_file_get_contents (path, &data, &length, &error))
    {
      /* A missing file, or one under a path that is not a folder, is just not there. */
      if (!must_exist
          && (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
              || g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR)))
        return NULL;
      add_problem (problems, AG_POLICY_ERROR_IO, path, 0, NULL, _("cannot read the file: %s"),
                   error->message);
      return NULL;
    }

  if (stat (path, &st) != 0)
    {
      int saved_errno = errno;

      add_problem (problems, AG_POLICY_ERROR_IO, path, 0, NULL, _("cannot read the file: %s"),
                   g_strerror (saved_errno));
      return NULL;
    }

  /* A policy file anyone may write is no policy at all. The system layer is root's alone:
   * supervisors have their own layer, within its bounds. */
  if (layer != AG_POLICY_LAYER_USER && (st.st_mode & S_IWOTH) != 0)
    {
      add_problem (problems, AG_POLICY_ERROR_UNSAFE_FILE, path, 0, NULL,
                   _("every user may write this file; refused (chmod o-w)"));
      return NULL;
    }
  if (layer == AG_POLICY_LAYER_SYSTEM && (st.st_mode & S_IWGRP) != 0)
    {
      add_problem (problems, AG_POLICY_ERROR_UNSAFE_FILE, path, 0, NULL,
                   _("its group may write this file, but system policy files are for root "
                      "alone; refused (chmod g-w)"));
      return NULL;
    }
#if !DEVELOPMENT
  /* Development builds and their tests run with files of their own. */
  if (layer == AG_POLICY_LAYER_SYSTEM && st.st_uid != 0)
    {
      add_problem (problems, AG_POLICY_ERROR_UNSAFE_FILE, path, 0, NULL,
                   _("the file is not owned by root; refused (chown root:root)"));
      return NULL;
    }
#endif

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

/* The agent's own file may only tighten: looser values become warnings. */
static void
apply_user_file (AgPolicy *self, const ParsedFile *file, GPtrArray *warnings)
{
  for (guint s = 0; s < file->sections->len; s++)
    {
      const Section *section = g_ptr_array_index (file->sections, s);

      for (guint i = 0; i < section->entries->len; i++)
        {
          const Entry *entry = &g_array_index (section->entries, Entry, i);
          AgPolicyKey key = entry->key;
          const char *name = key_info[key].name;
          g_autofree char *value_str = value_to_string (key, &entry->value);
          g_autofree char *current_str = value_to_string (key, &self->values[key]);
          g_autofree char *origin = NULL;
          g_autofree char *message = NULL;

          if (value_is_looser (key, &entry->value, &self->values[key]))
            message = g_strdup_printf (_("%s is looser than the policy in force (%s, from %s); "
                                          "ignored"),
                                       value_str, current_str, self->origins[key]);
          else if (key == AG_POLICY_KEY_REASON_CODES)
            {
              /* Fewer codes is stricter; new ones are not the agent's to invent. */
              for (guint c = 0; entry->value.codes[c] != NULL && message == NULL; c++)
                if (!g_strv_contains ((const char *const *) self->values[key].codes,
                                      entry->value.codes[c]))
                  message = g_strdup_printf (_("“%s” is not among the reason codes in force "
                                                "(from %s); ignored"),
                                             entry->value.codes[c], self->origins[key]);
            }
          else if (key == AG_POLICY_KEY_IDLE_LOCK
                   && entry->value.number <= self->values[AG_POLICY_KEY_LOCK_WARNING].number)
            message
              = g_strdup_printf (_("%s is not longer than lock-warning (%d); ignored"), value_str,
                                 (int) self->values[AG_POLICY_KEY_LOCK_WARNING].number);
          else if (key == AG_POLICY_KEY_LOCK_WARNING
                   && entry->value.number >= self->values[AG_POLICY_KEY_IDLE_LOCK].number)
            message
              = g_strdup_printf (_("%s is not shorter than idle-lock (%d); ignored"), value_str,
                                 (int) self->values[AG_POLICY_KEY_IDLE_LOCK].number);

          if (message != NULL)
            {
              if (warnings != NULL)
                g_ptr_array_add (warnings,
                                 format_problem (file->origin, entry->line, name, message));
              continue;
            }

          origin = origin_at (file->origin, entry->line);
          set_value (self, key, &entry->value, origin);
        }
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

static void
parse_system_layer (const char *system_dir, GPtrArray *files, Problems *problems)
{
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *drop_in = g_build_filename (system_dir, "policy.d", NULL);

  g_ptr_array_add (paths, g_build_filename (system_dir, "policy.conf", NULL));
  list_conf_files (drop_in, paths, problems);

  for (guint i = 0; i < paths->len; i++)
    {
      ParsedFile *file
        = parse_layer_file (g_ptr_array_index (paths, i), AG_POLICY_LAYER_SYSTEM, FALSE, problems);
      if (file != NULL)
        g_ptr_array_add (files, file);
    }
}

/**
 * ag_policy_load:
 * @paths: where the layers are
 * @user_name: (nullable): the agent whose policy this is (for `[user:NAME]` sections)
 * @groups: (nullable): the agent's Unix groups (for `[team:GROUP]` sections)
 * @warnings: (nullable) (element-type utf8): receives "FILE:LINE: key: problem" for each
 *   value of the agent's own file that was ignored because it was looser
 * @error: return location for an error
 *
 * Reads and merges every layer. Any problem in any file fails the whole load, and the
 * error's message lists every problem found, one per line, each as
 * "FILE:LINE: key: problem".
 *
 * Returns: (transfer full): the effective policy, or %NULL with @error set
 */
AgPolicy *
ag_policy_load (const AgPolicyPaths *paths, const char *user_name, const char *const *groups,
                GPtrArray *warnings, GError **error)
{
  g_autoptr (AgPolicy) self = NULL;
  g_autoptr (GPtrArray) system_files
    = g_ptr_array_new_with_free_func ((GDestroyNotify) parsed_file_free);
  g_autoptr (GPtrArray) supervisor_files
    = g_ptr_array_new_with_free_func ((GDestroyNotify) parsed_file_free);
  g_autoptr (ParsedFile) user_file = NULL;
  guint seq[AG_POLICY_N_KEYS] = { 0 };
  guint counter = 0;
  Problems problems;
  gboolean ok;

  g_return_val_if_fail (paths != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (AG_TYPE_POLICY, NULL);
  problems_init (&problems);

  /* Layer 2: every bound first, then the values, so that a value is held to every bound
   * of the layer wherever the bound was written. */
  if (paths->system_dir != NULL)
    parse_system_layer (paths->system_dir, system_files, &problems);
  for (guint i = 0; i < system_files->len; i++)
    apply_bounds (self, g_ptr_array_index (system_files, i), &problems);
  for (guint i = 0; i < system_files->len; i++)
    {
      const ParsedFile *file = g_ptr_array_index (system_files, i);

      for (guint s = 0; s < file->sections->len; s++)
        {
          const Section *section = g_ptr_array_index (file->sections, s);

          if (section->kind == SECTION_POLICY)
            apply_section (self, file, section, seq, &counter, &problems);
        }
    }
  clamp_defaults (self, seq, &counter);

  /* Layer 3: teams, then the user's own section, which wins. Every section is checked,
   * whoever it is for. */
  if (paths->supervisor_dir != NULL)
    {
      g_autoptr (GPtrArray) file_paths = g_ptr_array_new_with_free_func (g_free);

      list_conf_files (paths->supervisor_dir, file_paths, &problems);
      for (guint i = 0; i < file_paths->len; i++)
        {
          ParsedFile *file = parse_layer_file (g_ptr_array_index (file_paths, i),
                                               AG_POLICY_LAYER_SUPERVISOR, FALSE, &problems);
          if (file != NULL)
            g_ptr_array_add (supervisor_files, file);
        }
    }
  for (SectionKind kind = SECTION_TEAM; kind <= SECTION_USER; kind++)
    for (guint i = 0; i < supervisor_files->len; i++)
      {
        const ParsedFile *file = g_ptr_array_index (supervisor_files, i);

        for (guint s = 0; s < file->sections->len; s++)
          {
            const Section *section = g_ptr_array_index (file->sections, s);

            if (section->kind != kind)
              continue;
            if (section_applies (section, kind, user_name, groups))
              apply_section (self, file, section, seq, &counter, &problems);
            else
              for (guint e = 0; e < section->entries->len; e++)
                check_bound (self, file, &g_array_index (section->entries, Entry, e), &problems);
          }
      }

  check_lock_warning (self, seq, &problems);

  /* Layer 4: the agent's own file only tightens what the others decided. */
  if (paths->user_file != NULL)
    user_file = parse_layer_file (paths->user_file, AG_POLICY_LAYER_USER, FALSE, &problems);
  if (user_file != NULL && problems.lines->len == 0)
    apply_user_file (self, user_file, warnings);

  ok = problems_propagate (&problems, error);
  problems_clear (&problems);
  if (!ok)
    return NULL;

  compute_version (self);
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
