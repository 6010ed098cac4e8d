/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-reveal"

#include "config.h"

#include "ag-reveal.h"

/*
 * One revealed value, from the moment the store handed it over until it is masked again.
 * The value never leaves its AgSecret (locked memory, wiped on free); re-masking frees it
 * at once, so ag_reveal_get_value() is NULL from then on even while the UI still holds
 * the object. Only AgGuard creates and re-masks reveals: it ledgers each re-mask.
 */

struct _AgReveal
{
  GObject parent_instance;

  char *record_id;
  AgPiiKind kind;
  AgSecret *value; /* NULL once re-masked */
  gint64 revealed_at_us;
  gint64 expires_at_us;
};

G_DEFINE_FINAL_TYPE (AgReveal, ag_reveal, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (AgRemaskCause, ag_remask_cause,
                    G_DEFINE_ENUM_VALUE (AG_REMASK_CAUSE_EXPIRED, "expired"),
                    G_DEFINE_ENUM_VALUE (AG_REMASK_CAUSE_HIDDEN, "hidden"),
                    G_DEFINE_ENUM_VALUE (AG_REMASK_CAUSE_RECORD_CHANGED, "record-changed"),
                    G_DEFINE_ENUM_VALUE (AG_REMASK_CAUSE_LOCK, "lock"),
                    G_DEFINE_ENUM_VALUE (AG_REMASK_CAUSE_FOCUS_LOSS, "focus-loss"),
                    G_DEFINE_ENUM_VALUE (AG_REMASK_CAUSE_CLOSE, "close"),
                    G_DEFINE_ENUM_VALUE (AG_REMASK_CAUSE_INSPECTOR, "inspector"))

enum
{
  PROP_0,
  PROP_RECORD_ID,
  PROP_KIND,
  PROP_ACTIVE,
  PROP_REVEALED_AT,
  PROP_EXPIRES_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_REMASKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
ag_remask_cause_to_string (AgRemaskCause cause)
{
  switch (cause)
    {
      case AG_REMASK_CAUSE_EXPIRED:
        return "expired";
      case AG_REMASK_CAUSE_HIDDEN:
        return "hidden";
      case AG_REMASK_CAUSE_RECORD_CHANGED:
        return "record-changed";
      case AG_REMASK_CAUSE_LOCK:
        return "lock";
      case AG_REMASK_CAUSE_FOCUS_LOSS:
        return "focus-loss";
      case AG_REMASK_CAUSE_CLOSE:
        return "close";
      case AG_REMASK_CAUSE_INSPECTOR:
        return "inspector";
      default:
        g_return_val_if_reached (NULL);
    }
}

static void
ag_reveal_finalize (GObject *object)
{
  AgReveal *self = AG_REVEAL (object);

  g_clear_pointer (&self->value, ag_secret_free);
  g_clear_pointer (&self->record_id, g_free);

  G_OBJECT_CLASS (ag_reveal_parent_class)->finalize (object);
}

static void
ag_reveal_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgReveal *self = AG_REVEAL (object);

  switch (prop_id)
    {
      case PROP_RECORD_ID:
        g_value_set_string (value, self->record_id);
        break;
      case PROP_KIND:
        g_value_set_int (value, self->kind);
        break;
      case PROP_ACTIVE:
        g_value_set_boolean (value, self->value != NULL);
        break;
      case PROP_REVEALED_AT:
        g_value_set_int64 (value, self->revealed_at_us);
        break;
      case PROP_EXPIRES_AT:
        g_value_set_int64 (value, self->expires_at_us);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_reveal_class_init (AgRevealClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ag_reveal_finalize;
  object_class->get_property = ag_reveal_get_property;

  properties[PROP_RECORD_ID] = g_param_spec_string ("record-id", NULL, NULL, NULL,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_KIND] = g_param_spec_int ("kind", NULL, NULL, 0, AG_PII_N_KINDS - 1, 0,
                                            G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACTIVE]
    = g_param_spec_boolean ("active", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REVEALED_AT] = g_param_spec_int64 ("revealed-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_EXPIRES_AT] = g_param_spec_int64 ("expires-at", NULL, NULL, 0, G_MAXINT64, 0,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgReveal::remasked:
   * @self: the reveal
   * @cause: why, an #AgRemaskCause
   *
   * The value was wiped; ag_reveal_get_value() returns %NULL from now on. Emitted once.
   */
  signals[SIGNAL_REMASKED]
    = g_signal_new ("remasked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 1, AG_TYPE_REMASK_CAUSE);
}

static void
ag_reveal_init (AgReveal *self)
{
}

/**
 * ag_reveal_new:
 * @record_id: the customer's opaque id
 * @kind: the field's kind
 * @value: (transfer full): the clear value, NUL-terminated UTF-8
 * @revealed_at_us: when, on the guard's clock
 * @expires_at_us: when it goes back to its mask, on the guard's clock
 *
 * For AgGuard only.
 *
 * Returns: (transfer full): a live reveal owning @value
 */
AgReveal *
ag_reveal_new (const char *record_id, AgPiiKind kind, AgSecret *value, gint64 revealed_at_us,
               gint64 expires_at_us)
{
  AgReveal *self;

  g_return_val_if_fail (record_id != NULL, NULL);
  g_return_val_if_fail (kind >= 0 && kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (value != NULL, NULL);
  g_return_val_if_fail (expires_at_us >= revealed_at_us, NULL);

  self = g_object_new (AG_TYPE_REVEAL, NULL);
  self->record_id = g_strdup (record_id);
  self->kind = kind;
  self->value = value;
  self->revealed_at_us = revealed_at_us;
  self->expires_at_us = expires_at_us;
  return self;
}

/**
 * ag_reveal_remask:
 * @cause: why
 *
 * For AgGuard only: wipes the value, then notifies ::active and emits ::remasked. Does
 * nothing when already re-masked.
 */
void
ag_reveal_remask (AgReveal *self, AgRemaskCause cause)
{
  g_return_if_fail (AG_IS_REVEAL (self));

  if (self->value == NULL)
    return;

  g_clear_pointer (&self->value, ag_secret_free);
  g_debug ("re-masked (%s)", ag_remask_cause_to_string (cause));

  g_object_ref (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
  g_signal_emit (self, signals[SIGNAL_REMASKED], 0, cause);
  g_object_unref (self);
}

const char *
ag_reveal_get_record_id (AgReveal *self)
{
  g_return_val_if_fail (AG_IS_REVEAL (self), NULL);

  return self->record_id;
}

AgPiiKind
ag_reveal_get_kind (AgReveal *self)
{
  g_return_val_if_fail (AG_IS_REVEAL (self), 0);

  return self->kind;
}

/**
 * ag_reveal_get_value:
 *
 * Returns: (nullable): the value in locked memory while active, else %NULL. Never copy
 *   it anywhere that outlives the reveal.
 */
const char *
ag_reveal_get_value (AgReveal *self)
{
  g_return_val_if_fail (AG_IS_REVEAL (self), NULL);

  if (self->value == NULL)
    return NULL;
  return (const char *) ag_secret_get_data (self->value, NULL);
}

gboolean
ag_reveal_get_active (AgReveal *self)
{
  g_return_val_if_fail (AG_IS_REVEAL (self), FALSE);

  return self->value != NULL;
}

gint64
ag_reveal_get_revealed_at (AgReveal *self)
{
  g_return_val_if_fail (AG_IS_REVEAL (self), 0);

  return self->revealed_at_us;
}

gint64
ag_reveal_get_expires_at (AgReveal *self)
{
  g_return_val_if_fail (AG_IS_REVEAL (self), 0);

  return self->expires_at_us;
}
