/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  AG_LEDGER_MODE_LIVE,
  AG_LEDGER_MODE_TRAINING,
  AG_LEDGER_N_MODES /*< skip >*/
} AgLedgerMode;

/* The numbers are part of the canonical encoding: never renumber, only append. */
typedef enum
{
  AG_LEDGER_EVENT_LOGIN = 1,
  AG_LEDGER_EVENT_LOGIN_FAILED = 2,
  AG_LEDGER_EVENT_UNLOCK = 3,
  AG_LEDGER_EVENT_LOCK = 4,
  AG_LEDGER_EVENT_REVEAL = 5,
  AG_LEDGER_EVENT_REVEAL_DENIED = 6,
  AG_LEDGER_EVENT_REMASK = 7,
  AG_LEDGER_EVENT_POLICY_CHANGED = 8,
  AG_LEDGER_EVENT_IMPORT = 9,
  AG_LEDGER_EVENT_EXPORT = 10,
  AG_LEDGER_EVENT_PRUNE = 11,
  AG_LEDGER_EVENT_POLICY_REFUSED = 12,
  AG_LEDGER_EVENT_SEARCH = 13,
  AG_LEDGER_EVENT_SEARCH_DENIED = 14,
  AG_LEDGER_EVENT_COPY = 15,
  /* The supervisor console (issue 15): an alert rule fired (cause names rule, count and
   * window), a supervisor acknowledged one (record = the alert's sequence number, cause the
   * note), someone not a supervisor tried to open the console. */
  AG_LEDGER_EVENT_ALERT = 16,
  AG_LEDGER_EVENT_ALERT_ACK = 17,
  AG_LEDGER_EVENT_CONSOLE_DENIED = 18,
  /* Training mode (issue 16): a trainee passed every required scenario. */
  AG_LEDGER_EVENT_TRAINING_CERTIFIED = 19,
} AgLedgerEvent;

/* No field kind in an entry (login, lock, …). */
#define AG_LEDGER_NO_FIELD (-1)
/* The MESSAGE_ID of ledger entries in the journal, generated once for Agent Guard. */
#define AG_LEDGER_MESSAGE_ID "e804004a72e80a6655a1dd41c65f925f"
#define AG_LEDGER_HASH_BYTES 32

/**
 * AgLedgerEntry:
 *
 * One ledger entry (DESIGN §5). There is deliberately no member for a PII value: a
 * record id is the opaque customer id, the field is a kind. The caller fills @time_us
 * (0 = now), @user, @host, @session_id, @mode, @event and what the event needs;
 * ag_ledger_chain() fills @seq, @prev_hash, @hash and @mac.
 */
typedef struct
{
  guint64 seq;
  gint64 time_us; /* UTC, microseconds since the epoch */
  char *user;
  char *host;
  char *session_id;
  AgLedgerMode mode;
  AgLedgerEvent event;
  char *record_id;      /* nullable */
  int field_kind;       /* an AgPiiKind or AG_LEDGER_NO_FIELD */
  char *reason;         /* nullable: the reason code of a reveal */
  char *ticket;         /* nullable: ticket or call id */
  char *policy_version; /* nullable */
  char *cause;          /* nullable: why a lock or a denial happened */
  guint8 prev_hash[AG_LEDGER_HASH_BYTES];
  guint8 hash[AG_LEDGER_HASH_BYTES];
  guint8 mac[AG_LEDGER_HASH_BYTES];
} AgLedgerEntry;

#define AG_TYPE_LEDGER_ENTRY (ag_ledger_entry_get_type ())

GType
ag_ledger_entry_get_type (void) G_GNUC_CONST;
AgLedgerEntry *
ag_ledger_entry_new (AgLedgerEvent event);
AgLedgerEntry *
ag_ledger_entry_copy (const AgLedgerEntry *entry);
void
ag_ledger_entry_free (AgLedgerEntry *entry);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AgLedgerEntry, ag_ledger_entry_free)

const char *
ag_ledger_event_to_string (AgLedgerEvent event);
gboolean
ag_ledger_event_from_string (const char *str, AgLedgerEvent *out_event);
const char *
ag_ledger_mode_to_string (AgLedgerMode mode);

G_END_DECLS
