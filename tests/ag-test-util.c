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

char *
ag_test_write_file (const char *dir, const char *name, const char *contents)
{
  g_autoptr (GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return path;
}

void
ag_test_put_file (const char *dir, const char *name, const char *contents)
{
  g_free (ag_test_write_file (dir, name, contents));
}

/* Fails when @text holds one of @needles; names the needle by its index only. */
static void
assert_no_needle (const GPtrArray *needles, const char *text, const char *what)
{
  for (guint i = 0; needles != NULL && i < needles->len; i++)
    if (strstr (text, g_ptr_array_index (needles, i)) != NULL)
      g_error ("agent-guard-admin's %s shows value #%u that it must not", what, i);
}

int
ag_test_run_admin (const AgTestAdminRun *run, char **out, char **err, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  const char *admin = g_getenv ("AG_ADMIN");

  g_assert_nonnull (admin);
  g_ptr_array_add (argv, (gpointer) admin);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  ag_test_launcher_set_input (launcher, run != NULL ? run->input : NULL);
  for (guint i = 0; run != NULL && run->env != NULL && run->env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, run->env[i], run->env[i + 1], TRUE);
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (process))
    g_error ("agent-guard-admin %s died of signal %d; stderr: %s", args[0],
             g_subprocess_get_term_sig (process), stderr_text);

  if (run != NULL)
    {
      if (!run->stdout_free)
        assert_no_needle (run->needles, stdout_text, "standard output");
      assert_no_needle (run->needles, stderr_text, "standard error");
    }

  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);
  return g_subprocess_get_exit_status (process);
}
