/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-desktop-monitor"

#include "config.h"

#include <gio/gunixfdlist.h>
#include <glib/gi18n.h>
#include <unistd.h>

#include "ag-desktop-monitor.h"

/*
 * The desktop's own lock is unreliable as an idle lock (an open menu or a media player
 * holds it off), but when it does come, or the machine is about to sleep, the app must lock
 * too, at once. This object only listens and asks: the owner decides, through AgGuard.
 *
 * Every D-Bus step is asynchronous and may fail: a bus or a service that is not there is
 * logged at debug level and the rest goes on. "ready" turns on once every first step has
 * ended one way or the other, so tests know when the subscriptions are in place.
 */

#define LOGIND_NAME       "org.freedesktop.login1"
#define LOGIND_PATH       "/org/freedesktop/login1"
#define LOGIND_MANAGER    "org.freedesktop.login1.Manager"
#define LOGIND_SESSION    "org.freedesktop.login1.Session"
#define LOGIND_USER       "org.freedesktop.login1.User"
#define FDO_SCREENSAVER   "org.freedesktop.ScreenSaver"
#define GNOME_SCREENSAVER "org.gnome.ScreenSaver"

struct _AgDesktopMonitor
{
  GObject parent_instance;

  GCancellable *cancellable;
  GDBusConnection *system_bus;
  GDBusConnection *session_bus;

  guint n_pending; /* first steps still under way; ready when 0 */
  gboolean ready;

  char *session_path;
  guint lock_id;
  guint sleep_id;
  guint fdo_screensaver_id;
  guint gnome_screensaver_id;

  int inhibit_fd;            /* the sleep inhibitor, or -1 */
  gboolean inhibit_pending;  /* an Inhibit call is under way */
  gboolean sleeping;         /* PrepareForSleep(true) came, (false) not yet */
  gboolean locked_for_sleep; /* ag_desktop_monitor_lock_done() since then */
  guint n_lockers;           /* ag_desktop_monitor_add_locker() less remove_locker() */
  guint n_locks_pending;     /* of the sleep under way, the lock_done() still to come */
};

G_DEFINE_FINAL_TYPE (AgDesktopMonitor, ag_desktop_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_READY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_LOCK_REQUESTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
step_begin (AgDesktopMonitor *self)
{
  self->n_pending++;
}

static void
step_end (AgDesktopMonitor *self)
{
  g_assert (self->n_pending > 0);
  if (--self->n_pending > 0 || self->ready)
    return;

  self->ready = TRUE;
  g_debug ("ready: session %s, inhibitor %s", self->session_path ? self->session_path : "none",
           self->inhibit_fd >= 0 ? "held" : "none");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static void
request_lock (AgDesktopMonitor *self, AgLockCause cause)
{
  /* While a sleep waits for the lockers, each is locking already, and a second request
   * (the desktop locks its screen as it suspends) would count an answer twice. */
  if (cause != AG_LOCK_CAUSE_SUSPEND && self->sleeping && !self->locked_for_sleep)
    {
      g_debug ("lock requested (%s) while locking for a sleep: nothing more to do",
               ag_lock_cause_to_string (cause));
      return;
    }
  g_debug ("lock requested: %s", ag_lock_cause_to_string (cause));
  g_signal_emit (self, signals[SIGNAL_LOCK_REQUESTED], 0, (gint) cause);
}

/* The sleep inhibitor. */

static gboolean
want_inhibitor (AgDesktopMonitor *self)
{
  return !(self->sleeping && self->locked_for_sleep);
}

static void
release_inhibitor (AgDesktopMonitor *self)
{
  if (self->inhibit_fd < 0)
    return;

  g_debug ("releasing the sleep inhibitor");
  close (self->inhibit_fd);
  self->inhibit_fd = -1;
}

typedef struct
{
  AgDesktopMonitor *self;
  gboolean first; /* one of the first steps */
} InhibitCall;

static void
inhibit_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autofree InhibitCall *call = data;
  AgDesktopMonitor *self = call->self;
  g_autoptr (GUnixFDList) fds = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;
  gint32 index;
  int fd;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fds, result,
                                                           &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->inhibit_pending = FALSE;
  if (reply == NULL)
    g_debug ("no sleep inhibitor: %s", error->message);
  else
    {
      g_variant_get (reply, "(h)", &index);
      fd = fds != NULL ? g_unix_fd_list_get (fds, index, &error) : -1;
      if (fd < 0)
        g_debug ("no sleep inhibitor: %s", error != NULL ? error->message : "no fd in the reply");
      else if (!want_inhibitor (self) || self->inhibit_fd >= 0)
        close (fd); /* the lock came while it was on its way */
      else
        {
          g_debug ("holding a sleep inhibitor");
          self->inhibit_fd = fd;
        }
    }

  if (call->first)
    step_end (self);
}

static void
take_inhibitor (AgDesktopMonitor *self, gboolean first)
{
  InhibitCall *call;

  if (self->system_bus == NULL || self->inhibit_fd >= 0 || self->inhibit_pending
      || !want_inhibitor (self))
    return;

  call = g_new0 (InhibitCall, 1);
  call->self = self;
  call->first = first;
  self->inhibit_pending = TRUE;
  if (first)
    step_begin (self);
  g_dbus_connection_call_with_unix_fd_list (
    self->system_bus, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER, "Inhibit",
    g_variant_new ("(ssss)", "sleep", "Agent Guard",
                   _("Locking the customer records before the computer sleeps"), "delay"),
    G_VARIANT_TYPE ("(h)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, self->cancellable,
    inhibit_cb, call);
}

/* Signals. */

static void
prepare_for_sleep_cb (GDBusConnection *connection, const char *sender, const char *path,
                      const char *interface, const char *member, GVariant *parameters,
                      gpointer data)
{
  AgDesktopMonitor *self = data;
  gboolean start;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &start);

  if (start)
    {
      self->sleeping = TRUE;
      self->locked_for_sleep = FALSE;
      /* Each locker answers; with none, nothing is shown to wait for. */
      self->n_locks_pending = self->n_lockers;
      request_lock (self, AG_LOCK_CAUSE_SUSPEND);
      if (self->n_locks_pending == 0)
        ag_desktop_monitor_lock_done (self);
    }
  else
    {
      g_debug ("awake again");
      self->sleeping = FALSE;
      self->locked_for_sleep = FALSE;
      take_inhibitor (self, FALSE);
    }
}

static void
session_lock_cb (GDBusConnection *connection, const char *sender, const char *path,
                 const char *interface, const char *member, GVariant *parameters, gpointer data)
{
  request_lock (AG_DESKTOP_MONITOR (data), AG_LOCK_CAUSE_SCREEN_LOCK);
}

static void
active_changed_cb (GDBusConnection *connection, const char *sender, const char *path,
                   const char *interface, const char *member, GVariant *parameters, gpointer data)
{
  gboolean active;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(b)")))
    return;
  g_variant_get (parameters, "(b)", &active);
  if (active)
    request_lock (AG_DESKTOP_MONITOR (data), AG_LOCK_CAUSE_SCREEN_LOCK);
}

static guint
subscribe (AgDesktopMonitor *self, GDBusConnection *bus, const char *sender, const char *interface,
           const char *member, const char *path, GDBusSignalCallback callback)
{
  return g_dbus_connection_signal_subscribe (bus, sender, interface, member, path, NULL,
                                             G_DBUS_SIGNAL_FLAGS_NONE, callback, self, NULL);
}

/* Finding this process's logind session: XDG_SESSION_ID, then the session of this PID,
 * then logind's "auto" (the caller's session, else the user's display session), then the
 * user's Display property for a logind that does not know "auto". */

typedef enum
{
  FIND_BY_ID,
  FIND_BY_PID,
  FIND_AUTO,
  FIND_USER,
  FIND_USER_DISPLAY,
  FIND_DONE
} FindStep;

typedef struct
{
  AgDesktopMonitor *self;
  FindStep step;
} FindCall;

static void
find_session (AgDesktopMonitor *self, FindStep step, const char *user_path);

static void
session_found (AgDesktopMonitor *self, const char *session_path)
{
  g_debug ("watching logind session %s", session_path);
  self->session_path = g_strdup (session_path);
  self->lock_id = subscribe (self, self->system_bus, LOGIND_NAME, LOGIND_SESSION, "Lock",
                             session_path, session_lock_cb);
}

static void
find_session_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autofree FindCall *call = data;
  AgDesktopMonitor *self = call->self;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GError) error = NULL;
  const char *path = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (reply == NULL)
    {
      g_debug ("no logind session (step %d): %s", call->step, error->message);
      /* Without logind at all, every further step fails the same way. */
      if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
          || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER))
        find_session (self, FIND_DONE, NULL);
      else
        find_session (self, call->step == FIND_USER ? FIND_DONE : call->step + 1, NULL);
      return;
    }

  if (call->step == FIND_USER_DISPLAY)
    {
      g_autoptr (GVariant) value = NULL;

      g_variant_get (reply, "(v)", &value);
      if (g_variant_is_of_type (value, G_VARIANT_TYPE ("(so)")))
        g_variant_get (value, "(&s&o)", NULL, &path);
      if (path == NULL || g_str_equal (path, "/"))
        {
          g_debug ("no logind session: the user has no display session");
          path = NULL;
        }
    }
  else
    g_variant_get (reply, "(&o)", &path);

  if (call->step == FIND_USER)
    find_session (self, FIND_USER_DISPLAY, path);
  else
    {
      if (path != NULL)
        session_found (self, path);
      step_end (self);
    }
}

static void
find_session (AgDesktopMonitor *self, FindStep step, const char *user_path)
{
  const char *id = g_getenv ("XDG_SESSION_ID");
  const char *object_path = LOGIND_PATH;
  const char *interface = LOGIND_MANAGER;
  const char *method;
  GVariant *parameters;
  FindCall *call;

  if (step == FIND_BY_ID && (id == NULL || *id == '\0'))
    step = FIND_BY_PID;

  switch (step)
    {
      case FIND_BY_ID:
        method = "GetSession";
        parameters = g_variant_new ("(s)", id);
        break;
      case FIND_BY_PID:
        method = "GetSessionByPID";
        parameters = g_variant_new ("(u)", (guint32) getpid ());
        break;
      case FIND_AUTO:
        method = "GetSession";
        parameters = g_variant_new ("(s)", "auto");
        break;
      case FIND_USER:
        method = "GetUser";
        parameters = g_variant_new ("(u)", (guint32) getuid ());
        break;
      case FIND_USER_DISPLAY:
        object_path = user_path;
        interface = "org.freedesktop.DBus.Properties";
        method = "Get";
        parameters = g_variant_new ("(ss)", LOGIND_USER, "Display");
        break;
      case FIND_DONE:
      default:
        step_end (self);
        return;
    }

  call = g_new0 (FindCall, 1);
  call->self = self;
  call->step = step;
  g_dbus_connection_call (self->system_bus, LOGIND_NAME, object_path, interface, method, parameters,
                          NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, self->cancellable,
                          find_session_cb, call);
}

/* The buses. */

static void
start_system_bus (AgDesktopMonitor *self)
{
  self->sleep_id = subscribe (self, self->system_bus, LOGIND_NAME, LOGIND_MANAGER,
                              "PrepareForSleep", LOGIND_PATH, prepare_for_sleep_cb);
  step_begin (self);
  find_session (self, FIND_BY_ID, NULL);
  take_inhibitor (self, TRUE);
}

static void
start_session_bus (AgDesktopMonitor *self)
{
  self->fdo_screensaver_id = subscribe (self, self->session_bus, FDO_SCREENSAVER, FDO_SCREENSAVER,
                                        "ActiveChanged", NULL, active_changed_cb);
  self->gnome_screensaver_id
    = subscribe (self, self->session_bus, GNOME_SCREENSAVER, GNOME_SCREENSAVER, "ActiveChanged",
                 NULL, active_changed_cb);
}

static void
system_bus_get_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  AgDesktopMonitor *self = data;
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bus == NULL)
    g_debug ("no system bus: %s", error->message);
  else
    {
      self->system_bus = bus;
      start_system_bus (self);
    }
  step_end (self);
}

static void
session_bus_get_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  AgDesktopMonitor *self = data;
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (bus == NULL)
    g_debug ("no session bus: %s", error->message);
  else
    {
      self->session_bus = bus;
      start_session_bus (self);
    }
  step_end (self);
}

static void
unsubscribe (GDBusConnection *bus, guint *id)
{
  if (*id != 0)
    g_dbus_connection_signal_unsubscribe (bus, *id);
  *id = 0;
}

/* GObject. */

static void
ag_desktop_monitor_dispose (GObject *object)
{
  AgDesktopMonitor *self = AG_DESKTOP_MONITOR (object);

  g_cancellable_cancel (self->cancellable);
  release_inhibitor (self);
  if (self->system_bus != NULL)
    {
      unsubscribe (self->system_bus, &self->lock_id);
      unsubscribe (self->system_bus, &self->sleep_id);
    }
  if (self->session_bus != NULL)
    {
      unsubscribe (self->session_bus, &self->fdo_screensaver_id);
      unsubscribe (self->session_bus, &self->gnome_screensaver_id);
    }
  g_clear_object (&self->system_bus);
  g_clear_object (&self->session_bus);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ag_desktop_monitor_parent_class)->dispose (object);
}

static void
ag_desktop_monitor_finalize (GObject *object)
{
  AgDesktopMonitor *self = AG_DESKTOP_MONITOR (object);

  g_free (self->session_path);

  G_OBJECT_CLASS (ag_desktop_monitor_parent_class)->finalize (object);
}

static void
ag_desktop_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgDesktopMonitor *self = AG_DESKTOP_MONITOR (object);

  switch (prop_id)
    {
      case PROP_READY:
        g_value_set_boolean (value, self->ready);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_desktop_monitor_class_init (AgDesktopMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ag_desktop_monitor_dispose;
  object_class->finalize = ag_desktop_monitor_finalize;
  object_class->get_property = ag_desktop_monitor_get_property;

  properties[PROP_READY]
    = g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * AgDesktopMonitor::lock-requested:
   * @self: the monitor
   * @cause: an #AgLockCause: %AG_LOCK_CAUSE_SCREEN_LOCK or %AG_LOCK_CAUSE_SUSPEND
   *
   * The desktop locked its screen or the machine is about to sleep: lock now, then call
   * ag_desktop_monitor_lock_done().
   */
  signals[SIGNAL_LOCK_REQUESTED]
    = g_signal_new ("lock-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
ag_desktop_monitor_init (AgDesktopMonitor *self)
{
  self->cancellable = g_cancellable_new ();
  self->inhibit_fd = -1;
}

/**
 * ag_desktop_monitor_new:
 *
 * Returns: (transfer full): a monitor on the process's system and session buses
 */
AgDesktopMonitor *
ag_desktop_monitor_new (void)
{
  AgDesktopMonitor *self = g_object_new (AG_TYPE_DESKTOP_MONITOR, NULL);

  /* A step for each bus: "ready" waits for both. */
  step_begin (self);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, system_bus_get_cb, self);
  step_begin (self);
  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, session_bus_get_cb, self);
  return self;
}

/**
 * ag_desktop_monitor_new_for_buses:
 * @system_bus: (nullable): where logind is
 * @session_bus: (nullable): where the screen savers are
 *
 * Returns: (transfer full): a monitor on these connections
 */
AgDesktopMonitor *
ag_desktop_monitor_new_for_buses (GDBusConnection *system_bus, GDBusConnection *session_bus)
{
  AgDesktopMonitor *self;

  g_return_val_if_fail (system_bus == NULL || G_IS_DBUS_CONNECTION (system_bus), NULL);
  g_return_val_if_fail (session_bus == NULL || G_IS_DBUS_CONNECTION (session_bus), NULL);

  self = g_object_new (AG_TYPE_DESKTOP_MONITOR, NULL);
  step_begin (self);
  if (system_bus != NULL)
    {
      self->system_bus = g_object_ref (system_bus);
      start_system_bus (self);
    }
  if (session_bus != NULL)
    {
      self->session_bus = g_object_ref (session_bus);
      start_session_bus (self);
    }
  step_end (self);
  return self;
}

gboolean
ag_desktop_monitor_get_ready (AgDesktopMonitor *self)
{
  g_return_val_if_fail (AG_IS_DESKTOP_MONITOR (self), FALSE);

  return self->ready;
}

const char *
ag_desktop_monitor_get_session_path (AgDesktopMonitor *self)
{
  g_return_val_if_fail (AG_IS_DESKTOP_MONITOR (self), NULL);

  return self->session_path;
}

gboolean
ag_desktop_monitor_get_inhibiting (AgDesktopMonitor *self)
{
  g_return_val_if_fail (AG_IS_DESKTOP_MONITOR (self), FALSE);

  return self->inhibit_fd >= 0;
}

/**
 * ag_desktop_monitor_lock_done:
 *
 * Call after each ::lock-requested once the lock is done (each locker once). When a sleep
 * waits for it and every locker has said so, the sleep inhibitor goes, so the machine
 * sleeps now rather than when logind stops waiting.
 */
void
ag_desktop_monitor_lock_done (AgDesktopMonitor *self)
{
  g_return_if_fail (AG_IS_DESKTOP_MONITOR (self));

  if (!self->sleeping || self->locked_for_sleep)
    return;
  if (self->n_locks_pending > 0)
    self->n_locks_pending--;
  if (self->n_locks_pending > 0)
    {
      g_debug ("locked for the sleep; %u more to lock", self->n_locks_pending);
      return;
    }

  self->locked_for_sleep = TRUE;
  release_inhibitor (self);
}

/**
 * ag_desktop_monitor_add_locker:
 *
 * Says that one more owner (a window) locks on ::lock-requested and calls
 * ag_desktop_monitor_lock_done() when it is done: from the next sleep on, the sleep waits
 * for it too. Undo with ag_desktop_monitor_remove_locker(), after the owner's last
 * lock_done().
 */
void
ag_desktop_monitor_add_locker (AgDesktopMonitor *self)
{
  g_return_if_fail (AG_IS_DESKTOP_MONITOR (self));

  self->n_lockers++;
}

/**
 * ag_desktop_monitor_remove_locker:
 *
 * Undoes one ag_desktop_monitor_add_locker(), after that owner's last lock_done(): a lock
 * it was still to answer for keeps the sleep waiting until logind stops waiting.
 */
void
ag_desktop_monitor_remove_locker (AgDesktopMonitor *self)
{
  g_return_if_fail (AG_IS_DESKTOP_MONITOR (self));
  g_return_if_fail (self->n_lockers > 0);

  self->n_lockers--;
}

guint
ag_desktop_monitor_get_n_lockers (AgDesktopMonitor *self)
{
  g_return_val_if_fail (AG_IS_DESKTOP_MONITOR (self), 0);

  return self->n_lockers;
}
