/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include "ag-ledger.h"

G_BEGIN_DECLS

/*
 * What the chain (ag-ledger.c, ag-ledger-verify.c) asks of a backend that stores a
 * ledger. A backend keeps each entry as its canonical encoding and its seal (prev_hash ·
 * hash · mac, AG_LEDGER_SEAL_BYTES), and may keep copies of a few members for its own
 * queries (time, event, user, record): the chain checks them against the encoding. It
 * keeps the meta values "format", "mac" and, once pruned, "anchor" (AG_LEDGER_ANCHOR_BYTES).
 * It returns what it stores, as stored; every check is the chain's.
 */

/* One stored entry, as the backend returns it. The pointers are the backend's, valid
 * during the call they are passed to. */
typedef struct
{
  guint64 seq;         /* the sequence number it is stored under */
  const guint8 *entry; /* the encoding; NULL when not stored as bytes */
  gsize entry_len;
  const guint8 *seal; /* NULL when not stored as bytes */
  gsize seal_len;
  gboolean copies_typed; /* FALSE when a copy below is not of its type */
  gint64 time_us;
  gint64 event;
  const char *user; /* not NUL-terminated */
  gsize user_len;
  const char *record_id; /* NULL: none; not NUL-terminated */
  gsize record_len;
} AgLedgerRow;

/* Which rows AgLedgerStorage.read_rows returns; every member is optional (0 / NULL). */
typedef struct
{
  gboolean newest_first;
  guint64 seq;       /* only the entry @seq */
  guint64 after_seq; /* only the entries after @after_seq */
  int event;         /* only the entries of this AgLedgerEvent */
  /* The filters of ag_ledger_foreach(), on the copies: the chain applies them again on
   * what each entry holds. */
  const AgLedgerFilter *filter;
} AgLedgerQuery;

/* Return FALSE to stop. */
typedef gboolean (*AgLedgerRowFunc) (const AgLedgerRow *row, gpointer user_data);

struct _AgLedgerStorage
{
  /* Reads the meta value @key into @value, NULL when there is none. */
  gboolean (*read_meta) (AgLedgerStorage *storage, const char *key, GBytes **value, GError **error);
  /* Calls @func with each row @query selects, in sequence order, until it returns FALSE. */
  gboolean (*read_rows) (AgLedgerStorage *storage, const AgLedgerQuery *query, AgLedgerRowFunc func,
                         gpointer user_data, GError **error);
  /* Calls @func with every row, in sequence order, until it returns FALSE: the walk of
   * verification, which the backend makes its fastest way. @func only reads memory, so it
   * may be called from inside the backend's reads. */
  gboolean (*walk) (AgLedgerStorage *storage, AgLedgerRowFunc func, gpointer user_data,
                    GError **error);
};

G_END_DECLS
