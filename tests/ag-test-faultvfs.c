/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-test-faultvfs"

#include "config.h"

#include <sqlite3.h>

#include "ag-test-faultvfs.h"

/* The wrapper of one open file: ours first, the real VFS's file right after it. */
typedef struct
{
  sqlite3_file base;
  sqlite3_file *real;
} FaultFile;

static sqlite3_vfs fault_vfs;
static sqlite3_vfs *real_vfs;
static sqlite3_io_methods fault_methods;

/* Tests drive the store from one thread at a time, but the store may run in a GTask
 * thread: plain atomics are enough. */
static guint calls;
static guint failures;
static guint fail_at;
static int fail_rc;
static gboolean fail_sticky;
static gboolean read_only;

void
ag_test_faultvfs_reset (void)
{
  ag_test_faultvfs_fail_at (0, SQLITE_OK, FALSE);
}

void
ag_test_faultvfs_fail_at (guint n, int rc, gboolean sticky)
{
  g_atomic_int_set (&fail_at, n);
  g_atomic_int_set (&fail_rc, rc);
  g_atomic_int_set (&fail_sticky, sticky);
  g_atomic_int_set (&calls, 0);
  g_atomic_int_set (&failures, 0);
}

guint
ag_test_faultvfs_get_calls (void)
{
  return g_atomic_int_get (&calls);
}

guint
ag_test_faultvfs_get_failures (void)
{
  return g_atomic_int_get (&failures);
}

void
ag_test_faultvfs_set_read_only (gboolean value)
{
  g_atomic_int_set (&read_only, value);
}

/* Counts one write, sync or truncate and says whether it must fail, and with what. */
static int
inject (int ioerr)
{
  guint n = (guint) g_atomic_int_add (&calls, 1) + 1;
  guint at = g_atomic_int_get (&fail_at);
  int rc = g_atomic_int_get (&fail_rc);

  if (at == 0 || n < at || (n > at && !g_atomic_int_get (&fail_sticky)))
    return SQLITE_OK;

  g_atomic_int_inc (&failures);
  return rc == SQLITE_IOERR ? ioerr : rc;
}

static int
fault_close (sqlite3_file *file)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xClose (self->real);
}

static int
fault_read (sqlite3_file *file, void *buf, int amount, sqlite3_int64 offset)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xRead (self->real, buf, amount, offset);
}

static int
fault_write (sqlite3_file *file, const void *buf, int amount, sqlite3_int64 offset)
{
  FaultFile *self = (FaultFile *) file;
  int rc = inject (SQLITE_IOERR_WRITE);

  return rc != SQLITE_OK ? rc : self->real->pMethods->xWrite (self->real, buf, amount, offset);
}

static int
fault_truncate (sqlite3_file *file, sqlite3_int64 size)
{
  FaultFile *self = (FaultFile *) file;
  int rc = inject (SQLITE_IOERR_TRUNCATE);

  return rc != SQLITE_OK ? rc : self->real->pMethods->xTruncate (self->real, size);
}

static int
fault_sync (sqlite3_file *file, int flags)
{
  FaultFile *self = (FaultFile *) file;
  int rc = inject (SQLITE_IOERR_FSYNC);

  return rc != SQLITE_OK ? rc : self->real->pMethods->xSync (self->real, flags);
}

static int
fault_file_size (sqlite3_file *file, sqlite3_int64 *size)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xFileSize (self->real, size);
}

static int
fault_lock (sqlite3_file *file, int level)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xLock (self->real, level);
}

static int
fault_unlock (sqlite3_file *file, int level)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xUnlock (self->real, level);
}

static int
fault_check_reserved_lock (sqlite3_file *file, int *out)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xCheckReservedLock (self->real, out);
}

static int
fault_file_control (sqlite3_file *file, int op, void *arg)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xFileControl (self->real, op, arg);
}

static int
fault_sector_size (sqlite3_file *file)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xSectorSize (self->real);
}

static int
fault_device_characteristics (sqlite3_file *file)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xDeviceCharacteristics (self->real);
}

static int
fault_shm_map (sqlite3_file *file, int page, int page_size, int extend, void volatile **out)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xShmMap (self->real, page, page_size, extend, out);
}

static int
fault_shm_lock (sqlite3_file *file, int offset, int n, int flags)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xShmLock (self->real, offset, n, flags);
}

static void
fault_shm_barrier (sqlite3_file *file)
{
  FaultFile *self = (FaultFile *) file;

  self->real->pMethods->xShmBarrier (self->real);
}

static int
fault_shm_unmap (sqlite3_file *file, int delete_flag)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xShmUnmap (self->real, delete_flag);
}

static int
fault_fetch (sqlite3_file *file, sqlite3_int64 offset, int amount, void **out)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xFetch (self->real, offset, amount, out);
}

static int
fault_unfetch (sqlite3_file *file, sqlite3_int64 offset, void *p)
{
  FaultFile *self = (FaultFile *) file;

  return self->real->pMethods->xUnfetch (self->real, offset, p);
}

static int
fault_open (sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
  FaultFile *self = (FaultFile *) file;
  int rc;

  /* What the unix VFS itself does when it cannot open a database for writing. */
  if (g_atomic_int_get (&read_only) && (flags & SQLITE_OPEN_MAIN_DB))
    {
      flags &= ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      flags |= SQLITE_OPEN_READONLY;
    }

  self->real = (sqlite3_file *) (self + 1);
  rc = real_vfs->xOpen (real_vfs, name, self->real, flags, out_flags);
  /* SQLite calls xClose only when pMethods is set, even after a failed open. */
  self->base.pMethods = self->real->pMethods != NULL ? &fault_methods : NULL;

  return rc;
}

static int
fault_delete (sqlite3_vfs *vfs, const char *name, int sync_dir)
{
  return real_vfs->xDelete (real_vfs, name, sync_dir);
}

static int
fault_access (sqlite3_vfs *vfs, const char *name, int flags, int *out)
{
  return real_vfs->xAccess (real_vfs, name, flags, out);
}

static int
fault_full_pathname (sqlite3_vfs *vfs, const char *name, int n_out, char *out)
{
  return real_vfs->xFullPathname (real_vfs, name, n_out, out);
}

static void *
fault_dl_open (sqlite3_vfs *vfs, const char *name)
{
  return real_vfs->xDlOpen (real_vfs, name);
}

static void
fault_dl_error (sqlite3_vfs *vfs, int n, char *out)
{
  real_vfs->xDlError (real_vfs, n, out);
}

static void (*fault_dl_sym (sqlite3_vfs *vfs, void *handle, const char *symbol)) (void)
{
  return real_vfs->xDlSym (real_vfs, handle, symbol);
}

static void
fault_dl_close (sqlite3_vfs *vfs, void *handle)
{
  real_vfs->xDlClose (real_vfs, handle);
}

static int
fault_randomness (sqlite3_vfs *vfs, int n, char *out)
{
  return real_vfs->xRandomness (real_vfs, n, out);
}

static int
fault_sleep (sqlite3_vfs *vfs, int microseconds)
{
  return real_vfs->xSleep (real_vfs, microseconds);
}

static int
fault_current_time (sqlite3_vfs *vfs, double *out)
{
  return real_vfs->xCurrentTime (real_vfs, out);
}

static int
fault_get_last_error (sqlite3_vfs *vfs, int n, char *out)
{
  return real_vfs->xGetLastError (real_vfs, n, out);
}

static int
fault_current_time_int64 (sqlite3_vfs *vfs, sqlite3_int64 *out)
{
  return real_vfs->xCurrentTimeInt64 (real_vfs, out);
}

const char *
ag_test_faultvfs_register (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      g_assert_cmpint (sqlite3_initialize (), ==, SQLITE_OK);
      real_vfs = sqlite3_vfs_find (NULL);
      g_assert_nonnull (real_vfs);
      g_assert_cmpint (real_vfs->iVersion, >=, 2);

      fault_methods = (sqlite3_io_methods){
        .iVersion = 3,
        .xClose = fault_close,
        .xRead = fault_read,
        .xWrite = fault_write,
        .xTruncate = fault_truncate,
        .xSync = fault_sync,
        .xFileSize = fault_file_size,
        .xLock = fault_lock,
        .xUnlock = fault_unlock,
        .xCheckReservedLock = fault_check_reserved_lock,
        .xFileControl = fault_file_control,
        .xSectorSize = fault_sector_size,
        .xDeviceCharacteristics = fault_device_characteristics,
        .xShmMap = fault_shm_map,
        .xShmLock = fault_shm_lock,
        .xShmBarrier = fault_shm_barrier,
        .xShmUnmap = fault_shm_unmap,
        .xFetch = fault_fetch,
        .xUnfetch = fault_unfetch,
      };

      fault_vfs = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = sizeof (FaultFile) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname,
        .zName = AG_TEST_FAULTVFS_NAME,
        .xOpen = fault_open,
        .xDelete = fault_delete,
        .xAccess = fault_access,
        .xFullPathname = fault_full_pathname,
        .xDlOpen = fault_dl_open,
        .xDlError = fault_dl_error,
        .xDlSym = fault_dl_sym,
        .xDlClose = fault_dl_close,
        .xRandomness = fault_randomness,
        .xSleep = fault_sleep,
        .xCurrentTime = fault_current_time,
        .xGetLastError = fault_get_last_error,
        .xCurrentTimeInt64 = fault_current_time_int64,
      };
      g_assert_cmpint (sqlite3_vfs_register (&fault_vfs, 0), ==, SQLITE_OK);
      g_once_init_leave (&once, 1);
    }

  return AG_TEST_FAULTVFS_NAME;
}
