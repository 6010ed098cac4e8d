/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include "ag-test-ui.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

void
ag_test_spin (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* G_TEST_OPTION_ISOLATE_DIRS gives every test its own home and XDG directories; GLib then
 * drops the strings it cached for the previous test on purpose, as callers may still hold
 * them (its g_ignore_leak() only works when GLib itself is built with the sanitizer). GTK
 * holds them, so tell LeakSanitizer about exactly those strings and nothing else. */
void
ag_test_keep_glib_dirs (void)
{
#if defined(__SANITIZE_ADDRESS__)
  const char *const *data_dirs = g_get_system_data_dirs ();
  const char *const *config_dirs = g_get_system_config_dirs ();

  __lsan_ignore_object (g_get_home_dir ());
  __lsan_ignore_object (g_get_user_cache_dir ());
  __lsan_ignore_object (g_get_user_config_dir ());
  __lsan_ignore_object (g_get_user_data_dir ());
  __lsan_ignore_object (g_get_user_state_dir ());
  __lsan_ignore_object (g_get_user_runtime_dir ());
  __lsan_ignore_object (data_dirs);
  for (guint i = 0; data_dirs[i] != NULL; i++)
    __lsan_ignore_object (data_dirs[i]);
  __lsan_ignore_object (config_dirs);
  for (guint i = 0; config_dirs[i] != NULL; i++)
    __lsan_ignore_object (config_dirs[i]);
#endif
}
