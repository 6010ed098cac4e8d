/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-session"

#include "config.h"

#include "ag-session.h"

#include "ag-roles.h"
#include "ag-synth.h"

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
  gboolean trainee; /* training because the user is a trainee, not by choice */
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

/* The training boundary (issue 16) ---------------------------------------------------------- */

/**
 * ag_session_choose_mode:
 * @user: the Unix user of the session
 * @training_asked: whether training mode was asked for (`--training`)
 * @out_trainee: (out) (optional): whether @user is a trainee
 *
 * The one place that decides live or training: a member of the trainees' group
 * (ag_roles_user_has() with %AG_ROLE_TRAINEE) is always in training mode, whatever was
 * asked; anyone else is in training mode when they ask for it.
 *
 * Returns: the session's mode
 */
AgLedgerMode
ag_session_choose_mode (const char *user, gboolean training_asked, gboolean *out_trainee)
{
  gboolean trainee;

  g_return_val_if_fail (user != NULL, AG_LEDGER_MODE_TRAINING);

  trainee = ag_roles_user_has (user, AG_ROLE_TRAINEE);
  if (out_trainee != NULL)
    *out_trainee = trainee;
  return trainee || training_asked ? AG_LEDGER_MODE_TRAINING : AG_LEDGER_MODE_LIVE;
}

/**
 * ag_session_new_for_user:
 * @guard: the guard the agent signs in with
 * @training_asked: whether training mode was asked for
 * @policy_source: (nullable): where the guard's policy comes from, or %NULL
 *
 * Returns: (transfer full): a new session in the mode ag_session_choose_mode() gives the
 *   guard's user
 */
AgSession *
ag_session_new_for_user (AgGuard *guard, gboolean training_asked, AgPolicySource *policy_source)
{
  AgSession *self;
  gboolean trainee;
  AgLedgerMode mode;

  g_return_val_if_fail (AG_IS_GUARD (guard), NULL);

  mode = ag_session_choose_mode (ag_guard_get_user (guard), training_asked, &trainee);
  self = ag_session_new (guard, mode, policy_source);
  self->trainee = trainee;
  return self;
}

/**
 * ag_session_get_trainee:
 *
 * Returns: whether the session is in training mode because its user is a trainee
 */
gboolean
ag_session_get_trainee (AgSession *self)
{
  g_return_val_if_fail (AG_IS_SESSION (self), FALSE);

  return self->trainee;
}

/**
 * ag_session_get_training_store_path:
 * @user: a Unix user
 *
 * Returns: (transfer full): the training store of @user,
 *   `$XDG_DATA_HOME/agent-guard/training/USER.db`
 */
char *
ag_session_get_training_store_path (const char *user)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (user != NULL, NULL);

  /* A user name holds no '/', but a store name must not climb out of the folder. */
  name = g_strconcat (user, ".db", NULL);
  g_strdelimit (name, "/", '_');
  return g_build_filename (g_get_user_data_dir (), "agent-guard", "training", name, NULL);
}

/**
 * ag_session_get_training_seed:
 * @user: a Unix user
 *
 * The seed of @user's training customers: derived from the user name (64-bit FNV-1a), so
 * that a trainee's store holds the same customers each time it is made, and two trainees'
 * stores differ.
 *
 * Returns: the seed
 */
guint64
ag_session_get_training_seed (const char *user)
{
  guint64 hash = 0xcbf29ce484222325u;

  g_return_val_if_fail (user != NULL, 0);

  for (const char *p = "agent-guard-training:"; *p != '\0'; p++)
    hash = (hash ^ (guchar) *p) * 0x100000001b3u;
  for (const char *p = user; *p != '\0'; p++)
    hash = (hash ^ (guchar) *p) * 0x100000001b3u;
  return hash;
}

/* @user's own training store, created on first use and filled from AgSynth: a store that
 * holds no customer yet (its filling failed, say) is filled again. */
static AgStore *
open_own_training_store (const char *user, GCancellable *cancellable, GError **error)
{
  g_autofree char *path = ag_session_get_training_store_path (user);
  g_autoptr (AgStore) store = NULL;
  g_autoptr (AgSynth) synth = NULL;
  AgSynthSource source;
  gint64 count;

  store = ag_store_open (path, AG_STORE_OPEN_CREATE | AG_STORE_OPEN_TRAINING, cancellable, error);
  if (store == NULL)
    return NULL;
  count = ag_store_count (store, error);
  if (count < 0)
    return NULL;
  if (count > 0)
    return g_steal_pointer (&store);

  synth = ag_synth_new (ag_session_get_training_seed (user));
  source = (AgSynthSource){ synth, AG_SESSION_TRAINING_CUSTOMERS };
  if (!ag_store_import (store, ag_synth_source, &source, AG_SESSION_TRAINING_CUSTOMERS, NULL, NULL,
                        cancellable, error))
    return NULL;
  g_debug ("Filled the training store of %s with %d synthetic customers", user,
           AG_SESSION_TRAINING_CUSTOMERS);
  return g_steal_pointer (&store);
}

/**
 * ag_session_open_store_for:
 * @user: the Unix user of the session
 * @mode: the session's mode (ag_session_choose_mode())
 * @location: (nullable): the store asked for; %NULL for the mode's own: in training
 *   mode @user's training store (created and filled on first use), live
 *   `$XDG_DATA_HOME/agent-guard/store.db`
 * @create: whether to create the store at @location when there is none
 * @cancellable: (nullable): a #GCancellable
 * @error: return location for an error; %AG_STORE_ERROR_MODE_MISMATCH for a store of the
 *   other mode
 *
 * Opens a store in @mode only (ag_store_open() with %AG_STORE_OPEN_TRAINING in training
 * mode). Blocks; may be called from any thread.
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
AgStore *
ag_session_open_store_for (const char *user, AgLedgerMode mode, const char *location,
                           gboolean create, GCancellable *cancellable, GError **error)
{
  g_autofree char *default_location = NULL;
  AgStoreOpenFlags flags = create ? AG_STORE_OPEN_CREATE : AG_STORE_OPEN_DEFAULT;

  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (mode < AG_LEDGER_N_MODES, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (mode == AG_LEDGER_MODE_TRAINING && location == NULL)
    return open_own_training_store (user, cancellable, error);
  if (mode == AG_LEDGER_MODE_TRAINING)
    flags |= AG_STORE_OPEN_TRAINING;
  if (location == NULL)
    location = default_location
      = g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);
  return ag_store_open (location, flags, cancellable, error);
}

/**
 * ag_session_open_store:
 *
 * ag_session_open_store_for() with the session's user and mode. It reads only what is
 * fixed at construction, so it may run in another thread.
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
AgStore *
ag_session_open_store (AgSession *self, const char *location, gboolean create,
                       GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (AG_IS_SESSION (self), NULL);

  return ag_session_open_store_for (ag_session_get_user (self), self->mode, location, create,
                                    cancellable, error);
}
