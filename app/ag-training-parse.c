/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-training"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-training-private.h"

/*
 * A scenario file uses GKeyFile's syntax (data/training/README.md). GKeyFile gives no line
 * numbers and merges a group or key written twice, so the lines are scanned here first:
 * where each group and key is, and whether every line is a group, a key or a comment. Only
 * a file that passes that scan is handed to GKeyFile for its values (escapes, locales).
 */

#define MAX_ID_LENGTH 64
#define MAX_CUSTOMER  1000

typedef struct
{
  char *name;
  guint line;
  GHashTable *keys; /* key without locale → line (GUINT_TO_POINTER) */
} GroupIndex;

typedef struct
{
  const char *origin;
  GPtrArray *groups; /* of GroupIndex*, in the order of the file */
  GPtrArray *lines;  /* the problems, "FILE:LINE: key: problem" */
  int first_code;    /* -1 while there is none */
} Parser;

static void
group_index_free (GroupIndex *group)
{
  g_free (group->name);
  g_hash_table_unref (group->keys);
  g_free (group);
}

static void
add_problem (Parser *parser, AgTrainingError code, guint line, const char *key, const char *format,
             ...) G_GNUC_PRINTF (5, 6);

static void
add_problem (Parser *parser, AgTrainingError code, guint line, const char *key, const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (parser->first_code < 0)
    parser->first_code = code;
  if (key != NULL)
    g_ptr_array_add (parser->lines,
                     g_strdup_printf ("%s:%u: %s: %s", parser->origin, line, key, message));
  else
    g_ptr_array_add (parser->lines, g_strdup_printf ("%s:%u: %s", parser->origin, line, message));
}

static gboolean
propagate (Parser *parser, GError **error)
{
  g_autofree char *message = NULL;

  if (parser->lines->len == 0)
    return TRUE;

  g_ptr_array_add (parser->lines, NULL);
  message = g_strjoinv ("\n", (char **) parser->lines->pdata);
  g_set_error_literal (error, AG_TRAINING_ERROR, parser->first_code, message);
  return FALSE;
}

static GroupIndex *
find_group (Parser *parser, const char *name)
{
  for (guint i = 0; i < parser->groups->len; i++)
    {
      GroupIndex *group = g_ptr_array_index (parser->groups, i);

      if (g_str_equal (group->name, name))
        return group;
    }
  return NULL;
}

static guint
key_line (const GroupIndex *group, const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (group->keys, key));
}

/* The key of a `key[locale]` line, without the locale; NULL when the brackets are wrong. */
static char *
base_key (const char *key, gboolean *localized)
{
  const char *bracket = strchr (key, '[');

  *localized = bracket != NULL;
  if (bracket == NULL)
    return g_strdup (key);
  if (bracket == key || !g_str_has_suffix (bracket, "]") || strlen (bracket) < 3
      || strchr (bracket + 1, '[') != NULL)
    return NULL;
  return g_strndup (key, bracket - key);
}

/* Where every group and key is; problems for lines that are none of them and duplicates. */
static void
scan_lines (Parser *parser, const char *data, gsize length)
{
  g_auto (GStrv) lines = NULL;
  g_autofree char *text = g_strndup (data, length);
  GroupIndex *group = NULL;

  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      guint line = i + 1;
      char *l = g_strstrip (lines[i]);
      char *equals;

      if (*l == '\0' || *l == '#')
        continue;

      if (*l == '[')
        {
          gsize len = strlen (l);
          g_autofree char *name = NULL;

          if (l[len - 1] != ']' || len < 3)
            {
              add_problem (parser, AG_TRAINING_ERROR_SYNTAX, line, NULL,
                           "a group header must be written [NAME]");
              group = NULL;
              continue;
            }
          name = g_strndup (l + 1, len - 2);
          if ((group = find_group (parser, name)) != NULL)
            {
              add_problem (parser, AG_TRAINING_ERROR_DUPLICATE, line, NULL,
                           "group [%s] is written twice (first on line %u)", name, group->line);
              continue;
            }
          group = g_new0 (GroupIndex, 1);
          group->name = g_steal_pointer (&name);
          group->line = line;
          group->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_ptr_array_add (parser->groups, group);
          continue;
        }

      equals = strchr (l, '=');
      if (equals == NULL || equals == l)
        {
          add_problem (parser, AG_TRAINING_ERROR_SYNTAX, line, NULL,
                       "not a [group], a key=value or a # comment");
          continue;
        }

      *equals = '\0';
      g_strchomp (l);
      if (group == NULL)
        {
          add_problem (parser, AG_TRAINING_ERROR_SYNTAX, line, l, "a key before any [group]");
          continue;
        }
      if (g_hash_table_contains (group->keys, l))
        {
          add_problem (parser, AG_TRAINING_ERROR_DUPLICATE, line, l,
                       "set twice in [%s] (first on line %u)", group->name, key_line (group, l));
          continue;
        }
      g_hash_table_insert (group->keys, g_strdup (l), GUINT_TO_POINTER (line));
    }
}

static gboolean
is_id (const char *id)
{
  if (*id == '\0' || strlen (id) > MAX_ID_LENGTH)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;
  return TRUE;
}

/* The keys each kind of group takes; translatable ones may carry a [locale]. */
typedef struct
{
  const char *name;
  gboolean translatable;
  gboolean required;
} KeySpec;

static const KeySpec scenario_keys[] = {
  { "Id", FALSE, TRUE },
  { "Title", TRUE, TRUE },
  { "Task", TRUE, TRUE },
  { "Seed", FALSE, TRUE },
  { "Customer", FALSE, FALSE },
  { "Needs", FALSE, TRUE },
  { "IdentityCheck", FALSE, TRUE },
  { "Start", FALSE, FALSE },
  { "Required", FALSE, FALSE },
};
static const KeySpec step_keys[] = {
  { "Caller", TRUE, TRUE },
  { "Replies", FALSE, FALSE },
};
static const KeySpec reply_keys[] = {
  { "Text", TRUE, TRUE },   { "Right", FALSE, TRUE },     { "Explain", TRUE, TRUE },
  { "Rule", TRUE, FALSE },  { "Verifies", FALSE, FALSE }, { "Reads", FALSE, FALSE },
  { "Next", FALSE, FALSE },
};

#define UNNEEDED_PREFIX "Unneeded-"

/* GKeyFile keys take no `_` (nor does xgettext), so card_number is Unneeded-card-number. */
static char *
unneeded_key (AgPiiKind kind)
{
  char *key = g_strconcat (UNNEEDED_PREFIX, ag_pii_kind_to_string (kind), NULL);

  g_strdelimit (key, "_", '-');
  return key;
}

static gboolean
unneeded_kind (const char *key, AgPiiKind *out_kind)
{
  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_autofree char *candidate = unneeded_key (kind);

      if (g_str_equal (key, candidate))
        {
          *out_kind = kind;
          return TRUE;
        }
    }
  return FALSE;
}

static const KeySpec *
find_key_spec (const KeySpec *specs, gsize n_specs, const char *key)
{
  for (gsize i = 0; i < n_specs; i++)
    if (g_str_equal (specs[i].name, key))
      return &specs[i];
  return NULL;
}

static int
compare_lines (gconstpointer a, gconstpointer b, gpointer user_data)
{
  guint line_a = GPOINTER_TO_UINT (g_hash_table_lookup (user_data, *(const char *const *) a));
  guint line_b = GPOINTER_TO_UINT (g_hash_table_lookup (user_data, *(const char *const *) b));

  return (line_a > line_b) - (line_a < line_b);
}

/* Unknown keys, locales on keys that take none, and missing required keys. */
static void
check_keys (Parser *parser, const GroupIndex *group, const KeySpec *specs, gsize n_specs,
            gboolean unneeded_keys)
{
  static const KeySpec unneeded_spec = { UNNEEDED_PREFIX, TRUE, FALSE };
  g_autofree gpointer *keys = NULL;
  guint n_keys;

  /* In the order of the file, so that the problems are too. */
  keys = g_hash_table_get_keys_as_array (group->keys, &n_keys);
  g_qsort_with_data (keys, n_keys, sizeof (gpointer), compare_lines, group->keys);
  for (guint k = 0; k < n_keys; k++)
    {
      const char *key = keys[k];
      gpointer line = g_hash_table_lookup (group->keys, key);
      gboolean localized;
      g_autofree char *base = base_key (key, &localized);
      const KeySpec *spec = NULL;
      AgPiiKind kind;

      if (base != NULL)
        spec = find_key_spec (specs, n_specs, base);
      if (spec == NULL && base != NULL && unneeded_keys && g_str_has_prefix (base, UNNEEDED_PREFIX)
          && unneeded_kind (base, &kind))
        spec = &unneeded_spec;

      if (spec == NULL)
        add_problem (parser, AG_TRAINING_ERROR_UNKNOWN_KEY, GPOINTER_TO_UINT (line), key,
                     "unknown key in [%s]", group->name);
      else if (localized && !spec->translatable)
        add_problem (parser, AG_TRAINING_ERROR_UNKNOWN_KEY, GPOINTER_TO_UINT (line), key,
                     "only shown text takes a [locale]");
      else if (localized && !g_hash_table_contains (group->keys, base))
        add_problem (parser, AG_TRAINING_ERROR_MISSING_KEY, GPOINTER_TO_UINT (line), key,
                     "a translation needs the untranslated %s too", base);
    }

  for (gsize i = 0; i < n_specs; i++)
    if (specs[i].required && !g_hash_table_contains (group->keys, specs[i].name))
      add_problem (parser, AG_TRAINING_ERROR_MISSING_KEY, group->line, specs[i].name,
                   "[%s] needs this key", group->name);
}

static const char *const placeholders[] = {
  "first-name",
  "cpf-middle",
  "card-last4",
  "phone-last4",
};

static gboolean
check_placeholders (const char *text, char **unknown)
{
  for (const char *p = strchr (text, '{'); p != NULL; p = strchr (p + 1, '{'))
    {
      const char *end = strchr (p, '}');
      g_autofree char *name = NULL;
      gboolean known = FALSE;

      if (end == NULL)
        {
          *unknown = g_strdup (p);
          return FALSE;
        }
      name = g_strndup (p + 1, end - p - 1);
      for (gsize i = 0; i < G_N_ELEMENTS (placeholders); i++)
        known |= g_str_equal (name, placeholders[i]);
      if (!known)
        {
          *unknown = g_strndup (p, end - p + 1);
          return FALSE;
        }
    }
  return TRUE;
}

/* A shown string: the file's own translation for the current locale when it has one, else
 * the catalogue's translation of the untranslated value (which is the msgid). */
static char *
get_text (Parser *parser, GKeyFile *file, const GroupIndex *group, const char *key)
{
  g_autofree char *raw = NULL;
  g_autofree char *locale = NULL;
  g_autofree char *unknown = NULL;
  guint line = key_line (group, key);

  if (!g_hash_table_contains (group->keys, key))
    return NULL;

  raw = g_key_file_get_string (file, group->name, key, NULL);
  if (raw == NULL || *raw == '\0')
    {
      add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, line, key, "must not be empty");
      return NULL;
    }
  if (!check_placeholders (raw, &unknown))
    {
      add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, line, key,
                   "unknown placeholder “%s” (known: {first-name}, {cpf-middle}, {card-last4}, "
                   "{phone-last4})",
                   unknown);
      return NULL;
    }

  locale = g_key_file_get_locale_for_key (file, group->name, key, NULL);
  if (locale != NULL)
    return g_key_file_get_locale_string (file, group->name, key, locale, NULL);
  return g_strdup (g_dgettext (GETTEXT_PACKAGE, raw));
}

static char *
get_id (Parser *parser, GKeyFile *file, const GroupIndex *group, const char *key)
{
  g_autofree char *value = NULL;

  if (!g_hash_table_contains (group->keys, key))
    return NULL;
  value = g_key_file_get_string (file, group->name, key, NULL);
  if (value == NULL || !is_id (value))
    {
      add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, key_line (group, key), key,
                   "“%s” is not an id (a to z, 0 to 9 and -, at most %d characters)",
                   value != NULL ? value : "", MAX_ID_LENGTH);
      return NULL;
    }
  return g_steal_pointer (&value);
}

static gboolean
get_boolean (Parser *parser, GKeyFile *file, const GroupIndex *group, const char *key,
             gboolean default_value)
{
  g_autofree char *value = NULL;

  if (!g_hash_table_contains (group->keys, key))
    return default_value;
  value = g_key_file_get_value (file, group->name, key, NULL);
  if (g_strcmp0 (value, "true") == 0)
    return TRUE;
  if (g_strcmp0 (value, "false") != 0)
    add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, key_line (group, key), key,
                 "“%s” is neither true nor false", value != NULL ? value : "");
  return FALSE;
}

static gboolean
get_number (Parser *parser, GKeyFile *file, const GroupIndex *group, const char *key, guint64 min,
            guint64 max, guint64 *out)
{
  g_autofree char *value = NULL;

  if (!g_hash_table_contains (group->keys, key))
    return FALSE;
  value = g_key_file_get_value (file, group->name, key, NULL);
  if (value == NULL || !g_ascii_isdigit (value[0])
      || !g_ascii_string_to_unsigned (value, 10, min, max, out, NULL))
    {
      add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, key_line (group, key), key,
                   "“%s” is not a whole number from %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT,
                   value != NULL ? value : "", min, max);
      return FALSE;
    }
  return TRUE;
}

static GStrv
get_list (GKeyFile *file, const GroupIndex *group, const char *key)
{
  g_autofree char *value = NULL;
  g_auto (GStrv) items = NULL;
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  if (g_hash_table_contains (group->keys, key))
    value = g_key_file_get_value (file, group->name, key, NULL);
  if (value == NULL)
    return g_strv_builder_end (builder);

  items = g_strsplit (value, ";", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      g_strstrip (items[i]);
      if (items[i][0] != '\0')
        g_strv_builder_add (builder, items[i]);
    }
  return g_strv_builder_end (builder);
}

static guint
get_kinds (Parser *parser, GKeyFile *file, const GroupIndex *group, const char *key)
{
  g_auto (GStrv) items = get_list (file, group, key);
  guint kinds = 0;

  for (guint i = 0; items[i] != NULL; i++)
    {
      AgPiiKind kind;

      if (!ag_pii_kind_from_string (items[i], &kind))
        add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, key_line (group, key), key,
                     "unknown kind “%s”", items[i]);
      else
        kinds |= 1u << kind;
    }
  return kinds;
}

static void
parse_scenario_group (Parser *parser, AgTrainingScenario *self, GKeyFile *file,
                      const GroupIndex *group)
{
  guint64 number;

  check_keys (parser, group, scenario_keys, G_N_ELEMENTS (scenario_keys), TRUE);
  self->id = get_id (parser, file, group, "Id");
  self->title = get_text (parser, file, group, "Title");
  self->task = get_text (parser, file, group, "Task");
  if (get_number (parser, file, group, "Seed", 0, G_MAXUINT64, &number))
    self->seed = number;
  self->customer_index = 1;
  if (get_number (parser, file, group, "Customer", 1, MAX_CUSTOMER, &number))
    self->customer_index = (guint) number;
  self->needs = get_kinds (parser, file, group, "Needs");
  self->required = get_boolean (parser, file, group, "Required", TRUE);

  for (guint kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_autofree char *key = unneeded_key (kind);

      self->unneeded[kind] = get_text (parser, file, group, key);
    }
}

static AgTrainingReply *
parse_reply_group (Parser *parser, GKeyFile *file, const GroupIndex *group, const char *id)
{
  AgTrainingReply *reply = g_new0 (AgTrainingReply, 1);

  check_keys (parser, group, reply_keys, G_N_ELEMENTS (reply_keys), FALSE);
  reply->id = g_strdup (id);
  reply->text = get_text (parser, file, group, "Text");
  reply->right = get_boolean (parser, file, group, "Right", FALSE);
  reply->explanation = get_text (parser, file, group, "Explain");
  reply->rule = get_text (parser, file, group, "Rule");
  reply->verifies = get_boolean (parser, file, group, "Verifies", FALSE);
  reply->reads = get_kinds (parser, file, group, "Reads");
  reply->next = get_id (parser, file, group, "Next");
  return reply;
}

/* Splits "Step greet" into its kind and id; problems for a bad id. */
static const char *
group_id (Parser *parser, const GroupIndex *group, const char *prefix)
{
  const char *id;

  if (!g_str_has_prefix (group->name, prefix))
    return NULL;
  id = group->name + strlen (prefix);
  if (!is_id (id))
    {
      add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, group->line, NULL,
                   "“%s” is not an id (a to z, 0 to 9 and -, at most %d characters)", id,
                   MAX_ID_LENGTH);
      return NULL;
    }
  return id;
}

/* Marks every step reachable from @step. */
static void
mark_reachable (AgTrainingScenario *self, const AgTrainingStep *step, GHashTable *seen)
{
  if (step == NULL || !g_hash_table_add (seen, (gpointer) step))
    return;
  for (guint i = 0; i < step->replies->len; i++)
    {
      const AgTrainingReply *reply = g_ptr_array_index (step->replies, i);

      if (reply->next != NULL)
        mark_reachable (self, g_hash_table_lookup (self->steps_by_id, reply->next), seen);
    }
}

static void
link_steps (Parser *parser, AgTrainingScenario *self, GKeyFile *file, const GroupIndex *scenario,
            GHashTable *replies_by_id)
{
  g_autoptr (GHashTable) offered = g_hash_table_new (NULL, NULL);
  g_autoptr (GHashTable) reachable = g_hash_table_new (NULL, NULL);
  g_autofree char *start = get_id (parser, file, scenario, "Start");
  g_autofree char *identity = get_id (parser, file, scenario, "IdentityCheck");

  for (guint s = 0; s < self->steps->len; s++)
    {
      AgTrainingStep *step = g_ptr_array_index (self->steps, s);
      g_autofree char *name = g_strconcat ("Step ", step->id, NULL);
      const GroupIndex *group = find_group (parser, name);
      g_auto (GStrv) ids = get_list (file, group, "Replies");
      gboolean any_right = FALSE;

      for (guint i = 0; ids[i] != NULL; i++)
        {
          AgTrainingReply *reply = g_hash_table_lookup (replies_by_id, ids[i]);

          if (reply == NULL)
            {
              add_problem (parser, AG_TRAINING_ERROR_UNKNOWN_REFERENCE, key_line (group, "Replies"),
                           "Replies", "no [Reply %s] in this file", ids[i]);
              continue;
            }
          g_ptr_array_add (step->replies, reply);
          g_hash_table_add (offered, reply);
          any_right |= reply->right;
        }
      if (step->replies->len > 0 && !any_right)
        add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, key_line (group, "Replies"),
                     "Replies", "the step needs at least one right reply");
    }

  for (guint i = 0; i < self->replies->len; i++)
    {
      AgTrainingReply *reply = g_ptr_array_index (self->replies, i);
      g_autofree char *name = g_strconcat ("Reply ", reply->id, NULL);
      const GroupIndex *group = find_group (parser, name);

      if (reply->next != NULL && !g_hash_table_contains (self->steps_by_id, reply->next))
        add_problem (parser, AG_TRAINING_ERROR_UNKNOWN_REFERENCE, key_line (group, "Next"), "Next",
                     "no [Step %s] in this file", reply->next);
      if (!g_hash_table_contains (offered, reply))
        add_problem (parser, AG_TRAINING_ERROR_UNREACHABLE, group->line, NULL,
                     "[%s] is not in the Replies of any step", name);
    }

  if (self->steps->len == 0)
    {
      add_problem (parser, AG_TRAINING_ERROR_MISSING_KEY, scenario->line, NULL,
                   "the scenario needs at least one [Step NAME]");
      return;
    }

  self->start = g_ptr_array_index (self->steps, 0);
  if (start != NULL && (self->start = g_hash_table_lookup (self->steps_by_id, start)) == NULL)
    add_problem (parser, AG_TRAINING_ERROR_UNKNOWN_REFERENCE, key_line (scenario, "Start"), "Start",
                 "no [Step %s] in this file", start);
  if (identity != NULL
      && (self->identity_step = g_hash_table_lookup (self->steps_by_id, identity)) == NULL)
    add_problem (parser, AG_TRAINING_ERROR_UNKNOWN_REFERENCE, key_line (scenario, "IdentityCheck"),
                 "IdentityCheck", "no [Step %s] in this file", identity);

  /* Only the identity-check step's replies may complete the check. */
  for (guint i = 0; i < self->replies->len; i++)
    {
      AgTrainingReply *reply = g_ptr_array_index (self->replies, i);
      g_autofree char *name = g_strconcat ("Reply ", reply->id, NULL);
      const GroupIndex *group = find_group (parser, name);
      gboolean in_check = FALSE;

      if (!reply->verifies || self->identity_step == NULL)
        continue;
      for (guint r = 0; r < self->identity_step->replies->len; r++)
        in_check |= g_ptr_array_index (self->identity_step->replies, r) == reply;
      if (!in_check)
        add_problem (parser, AG_TRAINING_ERROR_INVALID_VALUE, key_line (group, "Verifies"),
                     "Verifies", "only a reply of the identity-check step %s may verify",
                     self->identity_step->id);
    }

  if (self->start == NULL)
    return;
  mark_reachable (self, self->start, reachable);
  for (guint s = 0; s < self->steps->len; s++)
    {
      AgTrainingStep *step = g_ptr_array_index (self->steps, s);
      g_autofree char *name = g_strconcat ("Step ", step->id, NULL);

      if (!g_hash_table_contains (reachable, step))
        add_problem (parser, AG_TRAINING_ERROR_UNREACHABLE, find_group (parser, name)->line, NULL,
                     "[%s] is never reached from the start", name);
    }
}

gboolean
ag_training_parse (AgTrainingScenario *self, const char *origin, const char *data, gsize length,
                   GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GHashTable) replies_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_index_free);
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  Parser parser = { origin, groups, lines, -1 };
  const GroupIndex *scenario = NULL;
  const char *invalid;

  if (!g_utf8_validate (data, length, &invalid))
    {
      guint line = 1;

      for (const char *p = data; p < invalid; p++)
        line += *p == '\n';
      add_problem (&parser, AG_TRAINING_ERROR_SYNTAX, line, NULL, "not valid UTF-8");
      return propagate (&parser, error);
    }
  if (memchr (data, '\0', length) != NULL)
    {
      add_problem (&parser, AG_TRAINING_ERROR_SYNTAX, 1, NULL, "the file holds a NUL byte");
      return propagate (&parser, error);
    }

  scan_lines (&parser, data, length);
  if (!propagate (&parser, error))
    return FALSE;
  if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_NONE, &local_error))
    {
      add_problem (&parser, AG_TRAINING_ERROR_SYNTAX, 1, NULL, "%s", local_error->message);
      return propagate (&parser, error);
    }

  for (guint i = 0; i < groups->len; i++)
    {
      const GroupIndex *group = g_ptr_array_index (groups, i);
      const char *id;

      if (g_str_equal (group->name, "Scenario"))
        {
          scenario = group;
          parse_scenario_group (&parser, self, file, group);
        }
      else if ((id = group_id (&parser, group, "Step ")) != NULL)
        {
          AgTrainingStep *step = g_new0 (AgTrainingStep, 1);

          check_keys (&parser, group, step_keys, G_N_ELEMENTS (step_keys), FALSE);
          step->id = g_strdup (id);
          step->caller = get_text (&parser, file, group, "Caller");
          step->replies = g_ptr_array_new ();
          g_ptr_array_add (self->steps, step);
          g_hash_table_insert (self->steps_by_id, step->id, step);
        }
      else if ((id = group_id (&parser, group, "Reply ")) != NULL)
        {
          AgTrainingReply *reply = parse_reply_group (&parser, file, group, id);

          g_ptr_array_add (self->replies, reply);
          g_hash_table_insert (replies_by_id, reply->id, reply);
        }
      else if (!g_str_has_prefix (group->name, "Step ")
               && !g_str_has_prefix (group->name, "Reply "))
        add_problem (&parser, AG_TRAINING_ERROR_UNKNOWN_GROUP, group->line, NULL,
                     "unknown group [%s] (a scenario has [Scenario], [Step NAME] and "
                     "[Reply NAME])",
                     group->name);
    }

  if (scenario == NULL)
    {
      add_problem (&parser, AG_TRAINING_ERROR_MISSING_KEY, 1, NULL, "the file has no [Scenario]");
      return propagate (&parser, error);
    }

  link_steps (&parser, self, file, scenario, replies_by_id);
  return propagate (&parser, error);
}
