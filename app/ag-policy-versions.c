/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy-versions"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ag-policy-versions.h"

/*
 * Versions of the supervisors' policy file. Each save writes the whole file as a new
 * version: first its copy history/NNNNNN.conf, then console.conf itself, each atomically
 * (a temporary file in the same folder, fsync, rename, fsync of the folder), so that a
 * running app (AgPolicySource watches the folder) sees either the old file or the new one.
 * A file starts with its version's header, comment lines the policy parser skips:
 *
 *   # Agent Guard supervisors' policy: written by agent-guard-admin policy set (or the
 *   # console); edit it with them, every save is a new version.
 *   # version=3
 *   # author=sup
 *   # time=2026-12-07T16:30:00Z
 *   # comment=vendas gets 10 minutes
 *
 * Reverting writes an old version's body again as a new version.
 */

#define HEADER_FIRST                                                                     \
  "# Agent Guard supervisors' policy: written by agent-guard-admin policy set (or the\n" \
  "# console); edit it with them, every save is a new version.\n"

void
ag_policy_version_free (AgPolicyVersion *version)
{
  if (version == NULL)
    return;
  g_free (version->author);
  g_free (version->comment);
  g_free (version->body);
  g_free (version);
}

static char *
history_path (const char *supervisor_dir, guint number)
{
  g_autofree char *name = g_strdup_printf ("%06u.conf", number);

  return g_build_filename (supervisor_dir, AG_POLICY_VERSIONS_FOLDER, name, NULL);
}

/* Splits a saved file into its header's fields and its body. */
static AgPolicyVersion *
parse_version (const char *path, const char *data, GError **error)
{
  g_autoptr (AgPolicyVersion) version = g_new0 (AgPolicyVersion, 1);
  const char *p = data;

  while (*p == '#')
    {
      const char *end = strchr (p, '\n');
      g_autofree char *line = end != NULL ? g_strndup (p, end - p) : g_strdup (p);
      const char *field = line + 1;

      while (*field == ' ')
        field++;
      if (g_str_has_prefix (field, "version="))
        version->number = (guint) g_ascii_strtoull (field + 8, NULL, 10);
      else if (g_str_has_prefix (field, "author="))
        version->author = g_strdup (field + 7);
      else if (g_str_has_prefix (field, "comment="))
        version->comment = g_strdup (field + 8);
      else if (g_str_has_prefix (field, "time="))
        {
          g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (field + 5, NULL);

          if (dt != NULL)
            version->time_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
        }
      p = end != NULL ? end + 1 : p + strlen (p);
    }
  if (version->number == 0 || version->author == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s: not a saved version of the supervisors' policy (no version header)", path);
      return NULL;
    }
  version->body = g_strdup (p);
  return g_steal_pointer (&version);
}

/**
 * ag_policy_versions_get:
 * @supervisor_dir: the supervisors' folder
 * @number: a version
 * @error: %G_IO_ERROR_NOT_FOUND when there is no such version
 *
 * Returns: (transfer full): the version, or %NULL with @error set
 */
AgPolicyVersion *
ag_policy_versions_get (const char *supervisor_dir, guint number, GError **error)
{
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (supervisor_dir != NULL, NULL);

  path = history_path (supervisor_dir, number);
  if (!g_file_get_contents (path, &data, NULL, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no version %u", number);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return parse_version (path, data, error);
}

static int
compare_versions (gconstpointer a, gconstpointer b)
{
  const AgPolicyVersion *x = *(AgPolicyVersion *const *) a;
  const AgPolicyVersion *y = *(AgPolicyVersion *const *) b;

  return x->number < y->number ? -1 : x->number > y->number;
}

/**
 * ag_policy_versions_list:
 * @supervisor_dir: the supervisors' folder
 * @error: return location for an error
 *
 * Returns: (transfer container) (element-type AgPolicyVersion): every saved version,
 *   oldest first (empty when none was saved), or %NULL with @error set
 */
GPtrArray *
ag_policy_versions_list (const char *supervisor_dir, GError **error)
{
  g_autoptr (GPtrArray) versions
    = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_policy_version_free);
  g_autofree char *folder = NULL;
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GError) local_error = NULL;
  const char *name;

  g_return_val_if_fail (supervisor_dir != NULL, NULL);

  folder = g_build_filename (supervisor_dir, AG_POLICY_VERSIONS_FOLDER, NULL);
  dir = g_dir_open (folder, 0, &local_error);
  if (dir == NULL)
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&versions);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      guint64 number;
      g_autofree char *stem = NULL;
      AgPolicyVersion *version;

      if (!g_str_has_suffix (name, ".conf") || name[0] == '.')
        continue;
      stem = g_strndup (name, strlen (name) - 5);
      if (!g_ascii_string_to_unsigned (stem, 10, 1, G_MAXUINT, &number, NULL))
        continue;
      version = ag_policy_versions_get (supervisor_dir, (guint) number, error);
      if (version == NULL)
        return NULL;
      g_ptr_array_add (versions, version);
    }
  g_ptr_array_sort (versions, compare_versions);
  return g_steal_pointer (&versions);
}

/**
 * ag_policy_versions_set_value:
 * @body: (nullable): a policy text (a version's body), %NULL for none
 * @section: `team:NAME` or `user:NAME`
 * @key: a policy key
 * @value: its value, as a policy file writes it
 * @error: return location for an error
 *
 * Returns: (transfer full): @body with @key set to @value in @section (added when
 *   missing); not yet checked, see ag_policy_validate_layer_data()
 */
char *
ag_policy_versions_set_value (const char *body, const char *section, const char *key,
                              const char *value, GError **error)
{
  g_autoptr (GKeyFile) keyfile = g_key_file_new ();

  g_return_val_if_fail (section != NULL && key != NULL && value != NULL, NULL);

  if (strpbrk (value, "\n\r") != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "A value is one line");
      return NULL;
    }
  if (body != NULL && *body != '\0'
      && !g_key_file_load_from_data (keyfile, body, -1, G_KEY_FILE_KEEP_COMMENTS, error))
    return NULL;
  g_key_file_set_value (keyfile, section, key, value);
  return g_key_file_to_data (keyfile, NULL, NULL);
}

/**
 * ag_policy_versions_format:
 * @version: a version
 *
 * Returns: (transfer full): the whole file of @version: its header, then its body
 */
char *
ag_policy_versions_format (const AgPolicyVersion *version)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (version->time_us / G_USEC_PER_SEC);
  g_autofree char *time = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  GString *out = g_string_new (HEADER_FIRST);

  g_string_append_printf (out, "# version=%u\n# author=%s\n# time=%s\n", version->number,
                          version->author, time);
  if (version->comment != NULL)
    g_string_append_printf (out, "# comment=%s\n", version->comment);
  g_string_append (out, version->body);
  return g_string_free (out, FALSE);
}

/* Writes @data to @path atomically and durably: a temporary file beside it, fsync, rename,
 * then fsync of the folder so that the rename itself survives a crash. 0644: the file is
 * replaced, never written in place, so the supervisors need only write the folder. */
static gboolean
write_atomically (const char *path, const char *data, GError **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  int fd;

  if (!g_file_set_contents_full (
        path, data, -1, G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE, 0644, error))
    return FALSE;
  fd = open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync (fd) != 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", folder,
                   g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* Makes the history folder when there is none, writable by whoever may write the
 * supervisors' folder (its group, agent-guard-supervisors, with its setgid bit), whoever
 * made it first. */
static gboolean
make_history_folder (const char *supervisor_dir, const char *folder)
{
  GStatBuf parent;

  if (g_file_test (folder, G_FILE_TEST_IS_DIR))
    return TRUE;
  if (g_stat (supervisor_dir, &parent) != 0 || g_mkdir (folder, 0700) != 0)
    return FALSE;
  return g_chmod (folder, parent.st_mode & 02775) == 0;
}

/**
 * ag_policy_versions_save:
 * @supervisor_dir: the supervisors' folder
 * @body: the new policy text, already checked
 * @author: who saves it
 * @comment: (nullable): why, one line (line breaks become spaces)
 * @error: return location for an error
 *
 * Saves @body as the next version: its copy in the history, then the supervisors' file.
 *
 * Returns: (transfer full): the new version, or %NULL with @error set
 */
AgPolicyVersion *
ag_policy_versions_save (const char *supervisor_dir, const char *body, const char *author,
                         const char *comment, GError **error)
{
  g_autoptr (GPtrArray) versions = NULL;
  g_autoptr (AgPolicyVersion) version = NULL;
  g_autofree char *data = NULL;
  g_autofree char *history = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *current = NULL;

  g_return_val_if_fail (supervisor_dir != NULL && body != NULL && author != NULL, NULL);

  versions = ag_policy_versions_list (supervisor_dir, error);
  if (versions == NULL)
    return NULL;

  version = g_new0 (AgPolicyVersion, 1);
  version->number
    = versions->len > 0
        ? ((AgPolicyVersion *) g_ptr_array_index (versions, versions->len - 1))->number + 1
        : 1;
  version->author = g_strdup (author);
  version->time_us = g_get_real_time ();
  if (comment != NULL && *comment != '\0')
    version->comment = g_strdelimit (g_strdup (comment), "\r\n", ' ');
  version->body = g_strdup (body);
  data = ag_policy_versions_format (version);

  folder = g_build_filename (supervisor_dir, AG_POLICY_VERSIONS_FOLDER, NULL);
  if (!make_history_folder (supervisor_dir, folder))
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", folder,
                   g_strerror (saved));
      return NULL;
    }
  history = history_path (supervisor_dir, version->number);
  current = g_build_filename (supervisor_dir, AG_POLICY_VERSIONS_FILE, NULL);
  if (!write_atomically (history, data, error) || !write_atomically (current, data, error))
    return NULL;
  return g_steal_pointer (&version);
}
