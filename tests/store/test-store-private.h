/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-store.h"
#include "ag-test-store.h"

G_BEGIN_DECLS

/* What test-store.c and its PostgreSQL backend (test-store-pg.c) share. */

typedef struct
{
  const char *name;
  /* The location of a new store in @dir, as a user would write it for --store. */
  char *(*location) (const char *dir);
  /* Changes the user of ledger entry @seq behind the store's back. */
  void (*tamper_entry) (const char *location, guint64 seq);
  /* Opens the store with every write from now on failing, and ends that. */
  AgStore *(*open_failing) (const char *location);
  void (*end_failing) (void);
  /* Optional: where an administrator imports and an auditor verifies, when the store's
   * own location may not (a PostgreSQL agent's role). */
  char *(*admin_location) (const char *location);
  char *(*auditor_location) (const char *location);
  /* Sets the reveals allowed per hour where the backend keeps it, not the caller (NULL:
   * the caller's max_per_hour is the quota, and times are the caller's clock). */
  void (*set_reveal_quota) (const char *location, guint n);
} Backend;

typedef struct
{
  const Backend *backend;
  char *dir;
  char *location;
  AgStore *store;
  GPtrArray *customers; /* AgCustomerData*, in clear */
} Fixture;

const AgCustomerData *
customer_with (Fixture *f, AgPiiKind kind, guint n);
AgLedgerEntry *
reveal_entry (const AgCustomerData *customer, AgPiiKind kind, gint64 time_us);

/* The PostgreSQL backend and its cases of its own (test-store-pg.c). */
char *
ag_test_store_pg_location (const char *dir);
void
ag_test_store_pg_tamper_entry (const char *location, guint64 seq);
AgStore *
ag_test_store_pg_open_failing (const char *location);
void
ag_test_store_pg_end_failing (void);
char *
ag_test_store_pg_admin_location (const char *location);
char *
ag_test_store_pg_auditor_location (const char *location);
void
ag_test_store_pg_set_reveal_quota (const char *location, guint n);

#define AG_TEST_STORE_PG_BACKEND                                                                   \
  {                                                                                                \
    "pg", ag_test_store_pg_location, ag_test_store_pg_tamper_entry, ag_test_store_pg_open_failing, \
      ag_test_store_pg_end_failing, ag_test_store_pg_admin_location,                               \
      ag_test_store_pg_auditor_location, ag_test_store_pg_set_reveal_quota                         \
  }

void
ag_test_store_pg_self_check (Fixture *f, gconstpointer data);
void
ag_test_store_pg_reconnect (Fixture *f, gconstpointer data);
void
ag_test_store_pg_policy_notify (Fixture *f, gconstpointer data);

G_END_DECLS
