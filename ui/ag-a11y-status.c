/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-a11y-status"

#include "config.h"

#include "ag-a11y-status.h"

/**
 * AgA11yStatus:
 *
 * Whether a screen reader is on, as the desktop says on the session bus: the
 * `ScreenReaderEnabled` property of `org.a11y.Status` at `org.a11y.Bus`
 * `/org/a11y/bus` (at-spi-bus-launcher), followed live. A screen reader (Orca) sets it
 * when it starts and clears it when it stops. `IsEnabled`, on the same interface, says
 * only that accessibility is on for some tool (an on-screen keyboard, a magnifier), and
 * stays on after a screen reader stops: it does not count.
 *
 * It never starts the accessibility bus itself, and until the bus answers, or when there
 * is none, no screen reader is on. A revealed value reaches assistive technology only
 * while one is (#AgMaskedLabel).
 */
struct _AgA11yStatus
{
  GObject parent_instance;

  GCancellable *cancellable;
  GDBusProxy *proxy;
  gboolean screen_reader;
};

G_DEFINE_FINAL_TYPE (AgA11yStatus, ag_a11y_status, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SCREEN_READER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
update (AgA11yStatus *self)
{
  g_autoptr (GVariant) value = NULL;
  gboolean screen_reader = FALSE;

  if (self->proxy != NULL)
    value = g_dbus_proxy_get_cached_property (self->proxy, "ScreenReaderEnabled");
  if (value != NULL && g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    screen_reader = g_variant_get_boolean (value);
  if (self->screen_reader == screen_reader)
    return;
  self->screen_reader = screen_reader;
  g_debug ("A screen reader is %s", screen_reader ? "on" : "off");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCREEN_READER]);
}

static void
proxy_ready_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (AgA11yStatus) self = user_data;
  g_autoptr (GError) error = NULL;
  GDBusProxy *proxy = g_dbus_proxy_new_for_bus_finish (result, &error);

  if (proxy == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No accessibility status: %s", error->message);
      return;
    }
  self->proxy = proxy;
  /* Also when the bus comes and goes: the proxy loads the properties again. */
  g_signal_connect_object (proxy, "g-properties-changed", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (proxy, "notify::g-name-owner", G_CALLBACK (update), self,
                           G_CONNECT_SWAPPED);
  update (self);
}

static void
ag_a11y_status_dispose (GObject *object)
{
  AgA11yStatus *self = AG_A11Y_STATUS (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->proxy);

  G_OBJECT_CLASS (ag_a11y_status_parent_class)->dispose (object);
}

static void
ag_a11y_status_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgA11yStatus *self = AG_A11Y_STATUS (object);

  switch (prop_id)
    {
      case PROP_SCREEN_READER:
        g_value_set_boolean (value, self->screen_reader);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_a11y_status_class_init (AgA11yStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_a11y_status_dispose;
  object_class->get_property = ag_a11y_status_get_property;

  /**
   * AgA11yStatus:screen-reader:
   *
   * Whether a screen reader is on.
   */
  properties[PROP_SCREEN_READER] = g_param_spec_boolean ("screen-reader", NULL, NULL, FALSE,
                                                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ag_a11y_status_init (AgA11yStatus *self)
{
  self->cancellable = g_cancellable_new ();
  g_dbus_proxy_new_for_bus (G_BUS_TYPE_SESSION, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL,
                            "org.a11y.Bus", "/org/a11y/bus", "org.a11y.Status", self->cancellable,
                            proxy_ready_cb, g_object_ref (self));
}

/**
 * ag_a11y_status_get_default:
 *
 * Returns: (transfer none): the status on the process's session bus, made on first use,
 *   from the main thread (the widgets')
 */
AgA11yStatus *
ag_a11y_status_get_default (void)
{
  static AgA11yStatus *status;

  if (status == NULL)
    status = g_object_new (AG_TYPE_A11Y_STATUS, NULL);
  return status;
}

gboolean
ag_a11y_status_get_screen_reader (AgA11yStatus *self)
{
  g_return_val_if_fail (AG_IS_A11Y_STATUS (self), FALSE);

  return self->screen_reader;
}
