/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For UI tests: spinning the main loop, keeping LeakSanitizer quiet about GLib's cached
 * directories; and, from ag-test-store.h, filling a test store with synthetic customers.
 */

#pragma once

#include <adwaita.h>

#include "ag-test-store.h"

void
ag_test_spin (void);

/* G_TEST_OPTION_ISOLATE_DIRS gives every test its own home and XDG directories; GLib then
 * drops the strings it cached for the previous test on purpose, as callers may still hold
 * them (its g_ignore_leak() only works when GLib itself is built with the sanitizer). GTK
 * holds them, so tell LeakSanitizer about exactly those strings and nothing else. */
void
ag_test_keep_glib_dirs (void);
