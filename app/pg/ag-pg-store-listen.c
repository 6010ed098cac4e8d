/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pg-store"

#include "config.h"

#include <glib-unix.h>

#include "ag-pg-store-private.h"

/*
 * The policy listener: a connection of its own that LISTENs on agent_guard_policy, its
 * socket watched by a GLib fd source, so the main loop never waits on it; connecting runs
 * in a worker thread. Every version announced, and the version in force after each
 * (re)connect, is emitted as ::policy-changed in the context listening began in.
 */

#define LISTEN_RETRY_MAX_S 10

static void
connect_listener (AgPgStore *self);

typedef struct
{
  PGconn *conn;
  gint64 version;
} Listener;

static void
listener_free (Listener *listener)
{
  g_clear_pointer (&listener->conn, PQfinish);
  g_free (listener);
}

static void
emit_version (AgPgStore *self, gint64 version)
{
  g_signal_emit (self, _ag_pg_store_signals[AG_PG_STORE_SIGNAL_POLICY_CHANGED], 0, version);
}

static gboolean
retry_cb (gpointer user_data)
{
  AgPgStore *self = user_data;

  g_clear_pointer (&self->listen_retry, g_source_unref);
  connect_listener (self);
  return G_SOURCE_REMOVE;
}

/* Lost, or never made: try again later, waiting longer each time. */
static void
listen_later (AgPgStore *self)
{
  guint delay = MIN (LISTEN_RETRY_MAX_S, 1u << MIN (self->listen_failures, 4));

  self->listen_failures++;
  self->listen_retry = g_timeout_source_new_seconds (delay);
  g_source_set_callback (self->listen_retry, retry_cb, self, NULL);
  g_source_attach (self->listen_retry, self->listen_context);
}

static gboolean
readable_cb (int fd, GIOCondition condition, gpointer user_data)
{
  AgPgStore *self = user_data;
  PGnotify *notify;

  if (!PQconsumeInput (self->listen_conn) || PQstatus (self->listen_conn) != CONNECTION_OK)
    {
      g_debug ("The policy listener lost its connection: %s", PQerrorMessage (self->listen_conn));
      g_clear_pointer (&self->listen_source, g_source_unref);
      g_clear_pointer (&self->listen_conn, PQfinish);
      listen_later (self);
      return G_SOURCE_REMOVE;
    }
  while ((notify = PQnotifies (self->listen_conn)) != NULL)
    {
      gint64 version = g_ascii_strtoll (notify->extra, NULL, 10);

      PQfreemem (notify);
      emit_version (self, version);
    }
  return G_SOURCE_CONTINUE;
}

static void
connect_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  AgPgStore *self = source_object;
  g_autoptr (PGresult) result = NULL;
  GError *error = NULL;
  Listener *listener = g_new0 (Listener, 1);

  listener->conn = ag_pg_connect (self->uri, cancellable, &error);
  if (listener->conn != NULL)
    result = ag_pg_exec (listener->conn, "listen",
                         "LISTEN agent_guard_policy;"
                         " SELECT version FROM agent_guard.current_policy()",
                         0, NULL, &error);
  if (result == NULL)
    {
      listener_free (listener);
      g_task_return_error (task, error);
      return;
    }
  listener->version = g_ascii_strtoll (PQgetvalue (result, 0, 0), NULL, 10);
  g_task_return_pointer (task, listener, (GDestroyNotify) listener_free);
}

static void
connected_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  AgPgStore *self = AG_PG_STORE (source);
  g_autoptr (GError) error = NULL;
  Listener *listener;

  listener = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->listen_context == NULL)
    {
      g_clear_pointer (&listener, listener_free);
      return;
    }
  if (listener == NULL)
    {
      g_debug ("The policy listener could not connect: %s", error->message);
      listen_later (self);
      return;
    }
  self->listen_failures = 0;
  self->listen_conn = g_steal_pointer (&listener->conn);
  self->listen_source
    = g_unix_fd_source_new (PQsocket (self->listen_conn), G_IO_IN | G_IO_HUP | G_IO_ERR);
  g_source_set_callback (self->listen_source, G_SOURCE_FUNC (readable_cb), self, NULL);
  g_source_attach (self->listen_source, self->listen_context);
  emit_version (self, listener->version);
  listener_free (listener);
}

static void
connect_listener (AgPgStore *self)
{
  g_autoptr (GTask) task = g_task_new (self, self->listen_cancellable, connected_cb, NULL);

  g_task_set_source_tag (task, connect_listener);
  g_task_run_in_thread (task, connect_thread);
}

void
ag_pg_store_listen_policy (AgPgStore *self)
{
  g_return_if_fail (AG_IS_PG_STORE (self));

  if (self->listen_context != NULL)
    return;
  self->listen_context = g_main_context_ref_thread_default ();
  self->listen_cancellable = g_cancellable_new ();
  connect_listener (self);
}

void
_ag_pg_store_stop_listening (AgPgStore *self)
{
  if (self->listen_cancellable != NULL)
    g_cancellable_cancel (self->listen_cancellable);
  g_clear_object (&self->listen_cancellable);
  if (self->listen_source != NULL)
    g_source_destroy (self->listen_source);
  g_clear_pointer (&self->listen_source, g_source_unref);
  if (self->listen_retry != NULL)
    g_source_destroy (self->listen_retry);
  g_clear_pointer (&self->listen_retry, g_source_unref);
  g_clear_pointer (&self->listen_conn, PQfinish);
  g_clear_pointer (&self->listen_context, g_main_context_unref);
}
