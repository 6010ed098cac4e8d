/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-test-util"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "ag-test-util.h"

void
ag_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  /* A link is removed, never followed: it may point outside the test's folder. */
  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    {
      g_unlink (path);
      return;
    }

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      ag_test_remove_tree (child);
    }
  g_rmdir (path);
}

void
ag_test_launcher_set_input (GSubprocessLauncher *launcher, const char *input)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  gsize len = input != NULL ? strlen (input) : 0;
  int fd;

  fd = g_file_open_tmp ("ag-test-input-XXXXXX", &path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_unlink (path), ==, 0);
  for (gsize done = 0; done < len;)
    {
      gssize n = write (fd, input + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      done += n;
    }
  g_assert_cmpint (lseek (fd, 0, SEEK_SET), ==, 0);
  g_subprocess_launcher_take_stdin_fd (launcher, fd);
}
