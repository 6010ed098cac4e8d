/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * For the memory tests only (LD_PRELOAD, never installed): free() that frees nothing, so
 * that memory freed without being wiped stays as it was, where a scan of the process
 * finds it, instead of being reused and written over by chance.
 */

#include <stddef.h>

void
free (void *ptr);

void
free (void *ptr)
{
  (void) ptr;
}
