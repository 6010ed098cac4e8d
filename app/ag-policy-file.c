/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-policy-file"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "ag-policy-file.h"

/*
 * Reading one policy file of a layer safely. The agent is the insider the policy holds
 * back, so every path a layer reads is treated as hostile: the folder is opened and its
 * owner and mode checked on the open descriptor, the file is opened relative to it
 * without following a symbolic link (O_NOFOLLOW) and without blocking on a FIFO, and the
 * checks are made with fstat() on what was opened, never on the path, so nothing can be
 * swapped in between the check and the read.
 *
 * The rules, for the system layer: the folder and the file are owned by root and neither
 * group nor others may write them. For the supervisor layer: the folder is owned by root,
 * others may not write it, and when its group may, that group is agent-guard-supervisors;
 * a file is owned by root or a member of that group, others may not write it, and when
 * its group may, it is the folder's group. For both, every folder above is owned by root
 * and writable by root alone (or sticky, as /tmp). The agent's own file is the agent's:
 * it is only required to be a regular file.
 *
 * Development builds run their tests with files of their own, so there the owner may
 * also be the user running the program, and the supervisor folder's group may be any.
 */

static gboolean
owner_is_trusted (uid_t uid)
{
  if (uid == 0)
    return TRUE;
#if DEVELOPMENT
  return uid == getuid ();
#else
  return FALSE;
#endif
}

/* Whether @gid is the supervisors' group (any group in development builds). */
static gboolean
is_supervisors_group (gid_t gid)
{
#if DEVELOPMENT
  return TRUE;
#else
  struct group *group = getgrnam (AG_POLICY_SUPERVISORS_GROUP);

  return group != NULL && group->gr_gid == gid;
#endif
}

/* Whether @uid is root, or a member of the group @gid (by its member list or as its
 * primary group). */
static gboolean
is_member (uid_t uid, gid_t gid)
{
  g_autofree char *buffer = NULL;
  struct passwd pwd, *found = NULL;
  struct group *group;
  long size = sysconf (_SC_GETPW_R_SIZE_MAX);

  if (owner_is_trusted (uid))
    return TRUE;

  if (size <= 0)
    size = 16384;
  buffer = g_malloc (size);
  if (getpwuid_r (uid, &pwd, buffer, size, &found) != 0 || found == NULL)
    return FALSE;
  if (pwd.pw_gid == gid)
    return TRUE;

  group = getgrgid (gid);
  return group != NULL && group->gr_mem != NULL
         && g_strv_contains ((const char *const *) group->gr_mem, pwd.pw_name);
}

/* Error messages are the problem alone: the caller puts the file's path before them. */
static gboolean
unsafe (GError **error, const char *message)
{
  g_set_error_literal (error, AG_POLICY_ERROR, AG_POLICY_ERROR_UNSAFE_FILE, message);
  return FALSE;
}

static gboolean
unsafe_folder (GError **error, const char *folder, const char *format)
{
  g_set_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_UNSAFE_FILE, format, folder);
  return FALSE;
}

/* Every folder above @path: whoever may write one of them may put another folder in
 * place of the next, so each is owned by root and only root may write it (a sticky folder
 * such as /tmp excepted: there nobody may move another's folder). */
static gboolean
check_ancestors (const char *path, GError **error)
{
  g_autofree char *current = g_path_get_dirname (path);

  for (;;)
    {
      g_autofree char *parent = NULL;
      struct stat st;

      if (stat (current, &st) != 0)
        return unsafe_folder (error, current, _("cannot check the folder %s; refused"));
      if (!owner_is_trusted (st.st_uid))
        return unsafe_folder (error, current,
                              _("the folder %s above it is not owned by root; refused"));
      if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0)
        return unsafe_folder (error, current,
                              _("others than root may write the folder %s above it; refused"));

      parent = g_path_get_dirname (current);
      if (g_str_equal (parent, current))
        return TRUE;
      g_free (current);
      current = g_steal_pointer (&parent);
    }
}

static gboolean
check_folder (const char *path, const struct stat *st, AgPolicyLayer layer, GError **error)
{
  if (!S_ISDIR (st->st_mode))
    return unsafe_folder (error, path, _("%s is not a folder; refused"));
  if (layer == AG_POLICY_LAYER_USER)
    return TRUE;

  if ((st->st_mode & S_IWOTH) != 0)
    return unsafe_folder (error, path,
                          _("every user may write its folder %s; refused (chmod o-w)"));
  if (!owner_is_trusted (st->st_uid))
    return unsafe_folder (error, path,
                          _("its folder %s is not owned by root; refused (chown root)"));
  if (layer == AG_POLICY_LAYER_SYSTEM && (st->st_mode & S_IWGRP) != 0)
    return unsafe_folder (error, path,
                          _("its group may write its folder %s, but system policy is for root "
                             "alone; refused (chmod g-w)"));
  if (layer == AG_POLICY_LAYER_SUPERVISOR && (st->st_mode & S_IWGRP) != 0
      && !is_supervisors_group (st->st_gid))
    return unsafe_folder (error, path,
                          _("a group other than agent-guard-supervisors may write its folder %s; "
                             "refused (chgrp agent-guard-supervisors)"));
  return check_ancestors (path, error);
}

static gboolean
check_file (const char *path, const struct stat *st, const struct stat *folder, AgPolicyLayer layer,
            GError **error)
{
  if (!S_ISREG (st->st_mode))
    {
      /* A folder or a FIFO is no policy file, but nothing anyone can exploit: unreadable. */
      g_set_error_literal (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO,
                           _("not a regular file; it cannot be read"));
      return FALSE;
    }
  if (layer == AG_POLICY_LAYER_USER)
    return TRUE;

  if ((st->st_mode & S_IWOTH) != 0)
    return unsafe (error, _("every user may write this file; refused (chmod o-w)"));

  if (layer == AG_POLICY_LAYER_SYSTEM)
    {
      if ((st->st_mode & S_IWGRP) != 0)
        return unsafe (error,
                       _("its group may write this file, but system policy files are for root "
                          "alone; refused (chmod g-w)"));
      if (!owner_is_trusted (st->st_uid))
        return unsafe (error, _("the file is not owned by root; refused (chown root:root)"));
      return TRUE;
    }

  if ((st->st_mode & S_IWGRP) != 0 && st->st_gid != folder->st_gid)
    return unsafe (error,
                   _("a group other than the folder’s may write this file; refused (chgrp it "
                      "to the folder’s group)"));
  if (!is_member (st->st_uid, folder->st_gid))
    return unsafe (error,
                   _("the file’s owner is neither root nor a supervisor; refused (chown it to "
                      "root or a supervisor)"));
  return TRUE;
}

static gboolean
io_error (GError **error, const char *path, int saved_errno)
{
  if (saved_errno == ENOENT || saved_errno == ENOTDIR)
    g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, g_strerror (saved_errno));
  else if (saved_errno == ELOOP)
    return unsafe (error, _("a symbolic link; refused (policy files are read directly)"));
  else
    g_set_error (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO, _("cannot read %s: %s"), path,
                 g_strerror (saved_errno));
  return FALSE;
}

/**
 * ag_policy_file_read:
 * @path: a policy file of @layer
 * @layer: the layer it belongs to, which decides the owner and mode rules
 * @out_contents: (out): its contents, NUL-terminated
 * @out_length: (out): their length
 * @error: return location for an error: %G_FILE_ERROR_NOENT when the file (or its folder)
 *   is not there, %AG_POLICY_ERROR_UNSAFE_FILE when a rule above is broken,
 *   %AG_POLICY_ERROR_IO otherwise; the message is the problem alone, for the caller to
 *   put after the path
 *
 * Reads @path under the rules of its layer, checked on the opened folder and file.
 *
 * Returns: whether it was read
 */
gboolean
ag_policy_file_read (const char *path, AgPolicyLayer layer, char **out_contents, gsize *out_length,
                     GError **error)
{
  g_autofree char *folder_path = NULL;
  g_autofree char *name = NULL;
  g_autoptr (GString) data = NULL;
  struct stat folder_st, file_st;
  int folder_fd = -1;
  int fd = -1;
  int flags;
  gboolean ok = FALSE;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (out_contents != NULL && out_length != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  folder_path = g_path_get_dirname (path);
  name = g_path_get_basename (path);

  folder_fd = open (folder_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (folder_fd < 0)
    {
      io_error (error, folder_path, errno);
      goto out;
    }
  if (fstat (folder_fd, &folder_st) != 0)
    {
      io_error (error, folder_path, errno);
      goto out;
    }

  /* The agent's own file may be a link (dotfile managers make them); no other may. */
  flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  if (layer != AG_POLICY_LAYER_USER)
    flags |= O_NOFOLLOW;
  fd = openat (folder_fd, name, flags);
  if (fd < 0)
    {
      io_error (error, path, errno);
      goto out;
    }
  if (fstat (fd, &file_st) != 0)
    {
      io_error (error, path, errno);
      goto out;
    }

  /* The folder is checked only once the file is there: a missing file is no policy, and
   * says nothing about its folder. */
  if (!check_folder (folder_path, &folder_st, layer, error)
      || !check_file (path, &file_st, &folder_st, layer, error))
    goto out;

  if (file_st.st_size > AG_POLICY_FILE_MAX_SIZE)
    {
      g_set_error_literal (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO,
                           _("larger than 1 MiB; refused"));
      goto out;
    }

  data = g_string_sized_new (file_st.st_size + 1);
  for (;;)
    {
      char buffer[4096];
      ssize_t n = read (fd, buffer, sizeof buffer);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          io_error (error, path, errno);
          goto out;
        }
      if (n == 0)
        break;
      if (data->len + n > AG_POLICY_FILE_MAX_SIZE)
        {
          g_set_error_literal (error, AG_POLICY_ERROR, AG_POLICY_ERROR_IO,
                               _("larger than 1 MiB; refused"));
          goto out;
        }
      g_string_append_len (data, buffer, n);
    }

  *out_length = data->len;
  *out_contents = g_string_free (g_steal_pointer (&data), FALSE);
  ok = TRUE;

out:
  if (fd >= 0)
    close (fd);
  if (folder_fd >= 0)
    close (folder_fd);
  return ok;
}
