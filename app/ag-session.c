/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-session"

#include "config.h"

#include "ag-session.h"

/**
 * AgSession:
 *
 * One signed-in session of Agent Guard, as GNOME Calendar's context object is its
 * application's: the user, this host, the session id, the mode (live or training), the
 * policy source, the guard and the store. The window and agent-guard-admin take these from
 * it, and every ledger entry of the session is made here, so the live/training choice is
 * made once, when the session is made.
 *
 * Everything but the store is fixed at construction. The store is opened after the first
 * sign-in (and may be opened again); ag_session_set_store() hands it to the guard with this
 * session's id and mode.
 *
 * The policy source is the window's, which reloads the policy live and hands it to the
 * guard; agent-guard-admin loads the policy once and has none.
 */
struct _AgSession
{
  GObject parent_instance;

  AgGuard *guard;
  AgLedgerMode mode;
  AgPolicySource *policy_source;
  char *session_id;
  AgStore *store;
};

G_DEFINE_FINAL_TYPE (AgSession, ag_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_GUARD,
  PROP_MODE,
  PROP_POLICY_SOURCE,
  PROP_USER,
  PROP_HOST,
  PROP_SESSION_ID,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ag_session_constructed (GObject *object)
{
  AgSession *self = AG_SESSION (object);

  G_OBJECT_CLASS (ag_session_parent_class)->constructed (object);

  g_assert (AG_IS_GUARD (self->guard));
  self->session_id = g_uuid_string_random ();
}

static void
ag_session_dispose (GObject *object)
{
  AgSession *self = AG_SESSION (object);

  g_clear_object (&self->store);
  g_clear_object (&self->policy_source);
  g_clear_object (&self->guard);

  G_OBJECT_CLASS (ag_session_parent_class)->dispose (object);
}

static void
ag_session_finalize (GObject *object)
{
  AgSession *self = AG_SESSION (object);

  g_free (self->session_id);

  G_OBJECT_CLASS (ag_session_parent_class)->finalize (object);
}

static void
ag_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgSession *self = AG_SESSION (object);

  switch (prop_id)
    {
      case PROP_GUARD:
        g_value_set_object (value, self->guard);
        break;
      case PROP_MODE:
        g_value_set_int (value, self->mode);
        break;
      case PROP_POLICY_SOURCE:
        g_value_set_object (value, self->policy_source);
        break;
      case PROP_USER:
        g_value_set_string (value, ag_session_get_user (self));
        break;
      case PROP_HOST:
        g_value_set_string (value, ag_session_get_host (self));
        break;
      case PROP_SESSION_ID:
        g_value_set_string (value, self->session_id);
        break;
      case PROP_STORE:
        g_value_set_object (value, self->store);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_session_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgSession *self = AG_SESSION (object);

  switch (prop_id)
    {
      case PROP_GUARD:
        self->guard = g_value_dup_object (value);
        break;
      case PROP_MODE:
        self->mode = g_value_get_int (value);
        break;
      case PROP_POLICY_SOURCE:
        self->policy_source = g_value_dup_object (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_session_class_init (AgSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ag_session_constructed;
  object_class->dispose = ag_session_dispose;
  object_class->finalize = ag_session_finalize;
  object_class->get_property = ag_session_get_property;
  object_class->set_property = ag_session_set_property;

  properties[PROP_GUARD]
    = g_param_spec_object ("guard", NULL, NULL, AG_TYPE_GUARD,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /* An AgLedgerMode. */
  properties[PROP_MODE] = g_param_spec_int (
    "mode", NULL, NULL, AG_LEDGER_MODE_LIVE, AG_LEDGER_N_MODES - 1, AG_LEDGER_MODE_LIVE,
    G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POLICY_SOURCE]
    = g_param_spec_object ("policy-source", NULL, NULL, AG_TYPE_POLICY_SOURCE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER]
    = g_param_spec_string ("user", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST]
    = g_param_spec_string ("host", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION_ID] = g_param_spec_string ("session-id", NULL, NULL, NULL,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE]
    = g_param_spec_object ("store", NULL, NULL, AG_TYPE_STORE,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_session_init (AgSession *self)
{
}

/**
 * ag_session_new:
 * @guard: the guard the agent signs in with
 * @mode: live or training, for every ledger entry of the session
 * @policy_source: (nullable): where the guard's policy comes from, or %NULL
 *
 * Returns: (transfer full): a new session with a new random id, without a store
 */
AgSession *
ag_session_new (AgGuard *guard, AgLedgerMode mode, AgPolicySource *policy_source)
{
  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);
  g_return_val_if_fail (mode < AG_LEDGER_N_MODES, NULL);
  g_return_val_if_fail (policy_source == NULL || AG_IS_POLICY_SOURCE (policy_source), NULL);

  return g_object_new (AG_TYPE_SESSION, "guard", guard, "mode", (int) mode, "policy-source",
                       policy_source, NULL);
}

/**
 * ag_session_get_guard:
 *
 * Returns: (transfer none): the session's guard
 */
AgGuard *
ag_session_get_guard (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->guard;
}

/* The guard's user: the Unix user running the process, who signs in. */
const char *
ag_session_get_user (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return ag_guard_get_user (self->guard);
}

const char *
ag_session_get_host (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return g_get_host_name ();
}

const char *
ag_session_get_session_id (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->session_id;
}

AgLedgerMode
ag_session_get_mode (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), AG_LEDGER_MODE_LIVE);

  return self->mode;
}

gboolean
ag_session_get_training (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);

  return self->mode == AG_LEDGER_MODE_TRAINING;
}

/**
 * ag_session_get_policy_source:
 *
 * Returns: (transfer none) (nullable): where the guard's policy comes from, or %NULL
 */
AgPolicySource *
ag_session_get_policy_source (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->policy_source;
}

/**
 * ag_session_get_store:
 *
 * Returns: (transfer none) (nullable): the open store, or %NULL
 */
AgStore *
ag_session_get_store (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return self->store;
}

/**
 * ag_session_set_store:
 * @store: (nullable): the store now open, or %NULL when none is
 *
 * Hands @store to the guard (ag_guard_set_store()) with this session's id and mode: live
 * reveals of the previous store are re-masked first.
 */
void
ag_session_set_store (AgSession *self, AgStore *store)
{
  g_return_if_fail (AG_IS_SESSION (self));
  g_return_if_fail (store == NULL || AG_IS_STORE (store));

  ag_guard_set_store (self->guard, store, self->session_id, self->mode);
  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/**
 * ag_session_new_entry:
 * @event: what happened
 *
 * Returns: (transfer full): a new entry of @event with the user, this host, the session
 *   id and the mode filled in
 */
AgLedgerEntry *
ag_session_new_entry (AgSession *self, AgLedgerEvent event)
{
  AgLedgerEntry *entry;

  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  entry = ag_ledger_entry_new (event);
  entry->user = g_strdup (ag_session_get_user (self));
  entry->host = g_strdup (ag_session_get_host (self));
  entry->session_id = g_strdup (self->session_id);
  entry->mode = self->mode;
  return entry;
}

/**
 * ag_session_guard_event_to_entry:
 * @event: an event from the guard's sink
 *
 * Returns: (transfer full): the ledger entry of @event in this session
 */
AgLedgerEntry *
ag_session_guard_event_to_entry (AgSession *self, const AgGuardEvent *event)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);
  g_return_val_if_fail (event != NULL, NULL);

  return ag_guard_event_to_ledger_entry (event, self->session_id, self->mode);
}
