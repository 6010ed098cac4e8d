/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ag-policy-file.h"
#include "ag-policy-private.h"

/*
 * The policy files use GKeyFile's syntax, but GKeyFile gives no line numbers and merges
 * duplicate keys silently, so this file parses them itself: `#` comments, `[section]`,
 * `key=value`, lists separated by `;`, whitespace trimmed. Parsing works on a string and
 * an origin name, never on a file, so the PostgreSQL mode can feed policies from a table.
 */

void
ag_policy_problems_init (Problems *problems)
{
  problems->lines = g_ptr_array_new_with_free_func (g_free);
  problems->first_code = -1;
  problems->first_origin = NULL;
  problems->first_line = 0;
  problems->first_key = -1;
}

void
ag_policy_problems_clear (Problems *problems)
{
  g_clear_pointer (&problems->lines, g_ptr_array_unref);
  g_clear_pointer (&problems->first_origin, g_free);
}

char *
ag_policy_format_problem (const char *origin, guint line, const char *key, const char *message)
{
  if (line > 0 && key != NULL)
    return g_strdup_printf ("%s:%u: %s: %s", origin, line, key, message);
  if (line > 0)
    return g_strdup_printf ("%s:%u: %s", origin, line, message);
  return g_strdup_printf ("%s: %s", origin, message);
}

void
ag_policy_add_problem (Problems *problems, AgPolicyError code, const char *origin, guint line,
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
  g_ptr_array_add (problems->lines, ag_policy_format_problem (origin, line, key, message));
}

/* Returns FALSE and sets @error when there were problems. */
gboolean
ag_policy_problems_propagate (Problems *problems, GError **error)
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

static void
entry_clear (gpointer data)
{
  Entry *entry = data;

  ag_policy_value_clear (&entry->value);
}

static void
section_free (gpointer data)
{
  Section *section = data;

  g_free (section->target);
  g_array_unref (section->entries);
  g_free (section);
}

void
ag_policy_parsed_file_free (ParsedFile *file)
{
  g_free (file->origin);
  g_ptr_array_unref (file->sections);
  g_free (file);
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
ParsedFile *
ag_policy_parse_layer_data (const char *origin, const char *data, gsize length, AgPolicyLayer layer,
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
      ag_policy_add_problem (problems, AG_POLICY_ERROR_INVALID_UTF8, origin,
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
              ag_policy_add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, NULL,
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
              ag_policy_add_problem (problems, AG_POLICY_ERROR_UNKNOWN_SECTION, origin, line, NULL,
                                     _("unknown section [%s] (this file may hold %s)"), name,
                                     layer_sections_hint (layer));
              continue;
            }

          if (!layer_allows_section (layer, kind))
            {
              ag_policy_add_problem (
                problems, AG_POLICY_ERROR_UNKNOWN_SECTION, origin, line, NULL,
                _("section [%s] does not belong in this file (it may hold %s)"), name,
                layer_sections_hint (layer));
              continue;
            }

          if (target != NULL && !is_account_name (target))
            {
              ag_policy_add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, NULL,
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
          ag_policy_add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, NULL,
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
            ag_policy_add_problem (problems, AG_POLICY_ERROR_SYNTAX, origin, line, text,
                                   _("the key comes before any section"));
          continue;
        }

      if (!ag_policy_key_from_string (text, &key))
        {
          ag_policy_add_problem (problems, AG_POLICY_ERROR_UNKNOWN_KEY, origin, line, text,
                                 _("unknown key"));
          continue;
        }

      if (section->kind == SECTION_BOUNDS && ag_policy_key_info[key].strictness == STRICT_FREE)
        {
          ag_policy_add_problem (problems, AG_POLICY_ERROR_UNKNOWN_KEY, origin, line, text,
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
                ag_policy_add_problem (problems, AG_POLICY_ERROR_DUPLICATE_KEY, origin, line, text,
                                       _("set twice in this section (first on line %u)"),
                                       other->line);
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

        if (!ag_policy_parse_value (key, equals + 1, &entry.value, &code, &message))
          {
            ag_policy_add_problem (problems, code, origin, line, text, "%s", message);
            continue;
          }
        g_array_append_val (section->entries, entry);
      }
    }

  return g_steal_pointer (&file);
}

/* Reads @path under its layer's rules (ag-policy-file.c); a missing file is no problem and
 * returns %NULL without one. */
ParsedFile *
ag_policy_parse_layer_file (const char *path, AgPolicyLayer layer, Problems *problems)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!ag_policy_file_read (path, layer, &data, &length, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return NULL;
      ag_policy_add_problem (problems, error->code, path, 0, NULL, "%s", error->message);
      return NULL;
    }

  return ag_policy_parse_layer_data (path, data, length, layer, problems);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Appends the paths of FOLDER/ *.conf, in name order, to @paths. */
void
ag_policy_list_conf_files (const char *folder, GPtrArray *paths, Problems *problems)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (folder, 0, &error);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
          && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR))
        ag_policy_add_problem (problems, AG_POLICY_ERROR_IO, folder, 0, NULL,
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
