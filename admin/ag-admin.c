/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-admin"

#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "ag-admin.h"
#include "ag-import.h"
#include "ag-keyring.h"
#include "ag-roles.h"
#include "ag-session.h"

gboolean ag_admin_training = FALSE;
const char ag_admin_training_description[]
  = N_("Training mode: open a training store only (default: your own); always on for "
        "trainees");

/**
 * ag_admin_get_mode:
 * @out_trainee: (out) (optional): whether the user is a trainee
 *
 * Returns: the mode of this run: training with `--training` or for a trainee, else live
 */
AgLedgerMode
ag_admin_get_mode (gboolean *out_trainee)
{
  return ag_session_choose_mode (g_get_user_name (), ag_admin_training, out_trainee);
}

/**
 * ag_admin_default_store_path:
 *
 * Returns: (transfer full): `$XDG_DATA_HOME/agent-guard/store.db`
 */
char *
ag_admin_default_store_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "agent-guard", "store.db", NULL);
}

void
ag_admin_print_json (JsonNode *root)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) owned = root;
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

char *
ag_admin_format_utc (gint64 time_us)
{
  g_autoptr (GDateTime) utc = g_date_time_new_from_unix_utc (time_us / G_USEC_PER_SEC);

  return utc != NULL ? g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("");
}

/* Pads @text with spaces to @width characters (not bytes). */
static void
append_padded (GString *out, const char *text, guint width)
{
  g_string_append (out, text);
  for (glong i = g_utf8_strlen (text, -1); i < (glong) width; i++)
    g_string_append_c (out, ' ');
}

void
ag_admin_append_table (GString *out, const char *const *headers, guint n_columns, GPtrArray *rows)
{
  g_autofree guint *widths = g_new0 (guint, n_columns);

  for (guint c = 0; c < n_columns; c++)
    {
      widths[c] = g_utf8_strlen (headers[c], -1);
      for (guint r = 0; r < rows->len; r++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (((char **) rows->pdata[r])[c], -1));
    }
  for (guint c = 0; c < n_columns; c++)
    append_padded (out, headers[c], c + 1 < n_columns ? widths[c] + 2 : 0);
  g_string_append_c (out, '\n');
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = rows->pdata[r];

      for (guint c = 0; c < n_columns; c++)
        append_padded (out, row[c], c + 1 < n_columns ? widths[c] + 2 : 0);
      g_string_append_c (out, '\n');
    }
}

void
ag_admin_printerr (const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("agent-guard-admin: %s\n", message);
}

gboolean
ag_admin_parse_options (const char *words, const char *parameter_string, const char *summary,
                        GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *prgname = NULL;

  prgname = g_strdup_printf ("agent-guard-admin %s", words);
  g_set_prgname (prgname);

  context = g_option_context_new (parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      ag_admin_printerr ("%s: %s", words, error->message);
      g_printerr (_("Try “agent-guard-admin %s --help”.\n"), words);
      return FALSE;
    }

  return TRUE;
}

gboolean
ag_admin_require_supervisor (const char *words, int *exit_code)
{
  g_return_val_if_fail (exit_code != NULL, FALSE);

  if (ag_roles_user_has (g_get_user_name (), AG_ROLE_SUPERVISOR))
    return TRUE;
  ag_admin_printerr (_("%s: only supervisors may do this, and %s is not one (supervisors are "
                        "the members of the group “%s”)"),
                     words, g_get_user_name (), ag_roles_get_group (AG_ROLE_SUPERVISOR));
  *exit_code = AG_EXIT_DENIED;
  return FALSE;
}

int
ag_admin_exit_code_for_error (const GError *error)
{
  g_return_val_if_fail (error != NULL, AG_EXIT_FAILURE);

  if (error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR)
    return AG_EXIT_IOERR;
  if (error->domain == AG_STORE_ERROR && error->code == AG_STORE_ERROR_IO)
    return AG_EXIT_IOERR;
  if (error->domain == AG_IMPORT_ERROR)
    return AG_EXIT_DATAERR;
  if (error->domain == AG_STORE_ERROR
      && (error->code == AG_STORE_ERROR_DUPLICATE_ID || error->code == AG_STORE_ERROR_INVALID_DATA
          || error->code == AG_STORE_ERROR_MODE_MISMATCH))
    return AG_EXIT_DATAERR;

  return AG_EXIT_FAILURE;
}

/* Says why a store of the other mode does not open, and returns the exit code. */
static int
print_mode_mismatch (const char *location, AgLedgerMode mode, gboolean trainee)
{
  if (trainee)
    {
      ag_admin_printerr (_("%s: refused: you are a trainee (group %s), and a trainee works only "
                            "on training stores, never on a live store with real customers; "
                            "leave out --store to use your own training store"),
                         location, ag_roles_get_group (AG_ROLE_TRAINEE));
      return AG_EXIT_DENIED;
    }
  if (mode == AG_LEDGER_MODE_TRAINING)
    ag_admin_printerr (_("%s: this is a live store, and in training mode (--training) only a "
                          "training store opens; leave out --store to use your own training "
                          "store"),
                       location);
  else
    ag_admin_printerr (_("%s: this is a training store: it opens only in training mode; add "
                          "--training"),
                       location);
  return AG_EXIT_DATAERR;
}

AgStore *
ag_admin_open_store (const char *path, gboolean create, int *exit_code)
{
  g_autofree char *location = NULL;
  g_autoptr (GError) error = NULL;
  gboolean trainee = FALSE;
  AgLedgerMode mode;
  AgStore *store;

  g_return_val_if_fail (exit_code != NULL, NULL);

  mode = ag_admin_get_mode (&trainee);
  if (path != NULL)
    location = g_strdup (path);
  else if (mode == AG_LEDGER_MODE_TRAINING)
    location = ag_session_get_training_store_path (g_get_user_name ());
  else
    location = ag_admin_default_store_path ();

  store = ag_session_open_store_for (g_get_user_name (), mode, path, create, NULL, &error);
  if (store == NULL && g_error_matches (error, AG_STORE_ERROR, AG_STORE_ERROR_MODE_MISMATCH))
    {
      *exit_code = print_mode_mismatch (location, mode, trainee);
      return NULL;
    }
  if (store == NULL)
    {
      ag_admin_printerr ("%s: %s", location, error->message);
      *exit_code = ag_admin_exit_code_for_error (error);
      return NULL;
    }

  g_debug ("Opened the store %s (%s)", location, ag_ledger_mode_to_string (mode));
  *exit_code = AG_EXIT_OK;
  return store;
}

/**
 * ag_admin_read_line:
 * @fd: where to read from
 * @buffer: where the line goes, without its newline (nor a carriage return before it)
 * @size: the size of @buffer
 * @too_long: (out): set when the line did not fit; the rest of it was read and dropped
 * @error_number: (out) (optional): the errno of a failed read, else 0
 *
 * Reads one line, byte by byte so that nothing beyond it is buffered (and left unwiped)
 * in stdio or read from @fd. The caller wipes @buffer.
 *
 * Returns: %FALSE when @fd ended (or failed) before anything was read
 */
gboolean
ag_admin_read_line (int fd, char *buffer, gsize size, gboolean *too_long, int *error_number)
{
  gsize len = 0;
  gboolean got_any = FALSE;

  g_return_val_if_fail (buffer != NULL && size > 0, FALSE);
  g_return_val_if_fail (too_long != NULL, FALSE);

  *too_long = FALSE;
  if (error_number != NULL)
    *error_number = 0;
  for (;;)
    {
      char c;
      ssize_t n = read (fd, &c, 1);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && error_number != NULL)
        *error_number = errno;
      if (n <= 0)
        break;
      got_any = TRUE;
      if (c == '\n')
        break;
      if (len + 1 < size)
        buffer[len++] = c;
      else
        *too_long = TRUE;
    }

  if (len > 0 && buffer[len - 1] == '\r')
    len--;
  buffer[len] = '\0';
  explicit_bzero (buffer + len, size - len);
  return got_any;
}

/* The terminal settings to restore if a signal ends the process while echo is off. */
static struct termios saved_termios;

static void
restore_echo_and_die (int signum)
{
  tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
  signal (signum, SIG_DFL);
  raise (signum);
}

/**
 * ag_admin_ask:
 * @prompt: (nullable): what to show on stderr first
 * @secret: whether to switch echo off while the answer is typed (on a terminal)
 * @buffer: where the answer goes
 * @size: the size of @buffer
 * @too_long: (out): set when the answer did not fit
 *
 * Asks on stderr and reads one line from standard input with ag_admin_read_line(). With
 * @secret and a terminal on standard input, echo is off from before the prompt shows until
 * the line is read, and restored if a signal ends the process meanwhile. The caller wipes
 * @buffer.
 *
 * Returns: %FALSE when standard input ended before an answer
 */
gboolean
ag_admin_ask (const char *prompt, gboolean secret, char *buffer, gsize size, gboolean *too_long)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
  struct sigaction action = { 0 }, old_actions[G_N_ELEMENTS (signals)];
  struct termios quiet;
  gboolean hide = secret && isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &saved_termios) == 0;
  gboolean got;

  if (hide)
    {
      action.sa_handler = restore_echo_and_die;
      sigemptyset (&action.sa_mask);
      for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
        sigaction (signals[i], &action, &old_actions[i]);

      quiet = saved_termios;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      quiet.c_lflag |= ECHONL;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  /* Echo is off before the prompt shows: nothing typed after it is echoed. */
  if (prompt != NULL)
    g_printerr ("%s", prompt);

  got = ag_admin_read_line (STDIN_FILENO, buffer, size, too_long, NULL);

  if (hide)
    {
      tcsetattr (STDIN_FILENO, TCSANOW, &saved_termios);
      for (gsize i = 0; i < G_N_ELEMENTS (signals); i++)
        sigaction (signals[i], &old_actions[i], NULL);
    }
  else if (prompt != NULL && !isatty (STDIN_FILENO))
    {
      g_printerr ("\n");
    }

  return got;
}
