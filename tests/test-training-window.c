/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 *
 * The window in training mode (issue 16): a trainee gets their own training store whatever
 * the store asked for, with a banner saying why; the watermark lies over the lock page and
 * the main page, takes no input and stands in the accessibility tree as one label; the title
 * and header bar say training. Synthetic customers only.
 *
 * With AG_TEST_SCREENSHOTS=DIR each test saves the window as DIR/NAME.png, for a person to
 * look at (run it with LC_MESSAGES=pt_BR for the Portuguese one).
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <grp.h>
#include <locale.h>
#include <string.h>
#include <unistd.h>

#include "ag-keyring.h"
#include "ag-session.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"
#include "ag-test-util.h"
#include "ag-test-window.h"
#include "ag-watermark.h"
#include "ag-window.h"

#define N_CUSTOMERS 20

typedef struct
{
  char *dir;
  char *live_path;
  char *live_id;
  GPtrArray *live_customers;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_write_stack (NULL);
  f->dir = g_dir_make_tmp ("test-training-window-XXXXXX", &error);
  g_assert_no_error (error);
  /* A live store where --store points: a trainee must never get it. */
  f->live_path = g_build_filename (f->dir, "store.db", NULL);
  f->live_customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);
  f->live_id = ag_test_make_store (f->live_path, 20261207, N_CUSTOMERS, f->live_customers);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_unsetenv ("AG_TRAINEES_GROUP");
  ag_test_keep_glib_dirs ();
  ag_keyring_delete_keys (f->live_id, NULL, NULL);
  ag_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->live_path);
  g_free (f->live_id);
  g_ptr_array_unref (f->live_customers);
}

static void
become_trainee (gboolean trainee)
{
  struct group *group = getgrgid (getgid ());

  g_assert_nonnull (group);
  /* The user's own group stands for the trainees' group (development builds). */
  g_setenv ("AG_TRAINEES_GROUP", trainee ? group->gr_name : "no-such-group-agent-guard", TRUE);
}

/* Saves @window as @name.png under $AG_TEST_SCREENSHOTS, when set. */
static void
screenshot (AgWindow *window, const char *name)
{
  const char *dir = g_getenv ("AG_TEST_SCREENSHOTS");
  GtkWidget *widget = GTK_WIDGET (window);
  GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_autoptr (GdkPaintable) paintable = NULL;
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *file = NULL;
  GtkSnapshot *snapshot;
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);

  if (dir == NULL)
    return;
  /* Past the stacks' crossfade, which a rendering would catch half-way. */
  {
    gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  ag_test_spin ();
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  file = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, file));
}

static gboolean
has_ink (GtkWidget *widget)
{
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree guchar *data = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return FALSE;
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  data = g_malloc ((gsize) width * height * 4);
  gdk_texture_download (texture, data, (gsize) width * 4);
  for (gsize i = 3; i < (gsize) width * height * 4; i += 4)
    if (data[i] != 0)
      return TRUE;
  return FALSE;
}

/* The watermark lies over @page (it is the top layer of an overlay holding the page), covers
 * it whole, draws, and takes neither input nor focus; to assistive technologies it is one
 * label. */
static void
assert_watermark_over (AgWindow *window, GtkWidget *page)
{
  GtkWidget *watermark = ag_test_find_type (GTK_WIDGET (window), AG_TYPE_WATERMARK);
  GtkWidget *overlay;
  graphene_rect_t bounds;
  g_autofree char *label = NULL;

  g_assert_nonnull (watermark);
  /* Laid out with the frame after the page was shown. */
  AG_TEST_WAIT_UNTIL (gtk_widget_get_width (watermark) > 0);
  g_assert_true (gtk_widget_get_mapped (watermark));
  g_assert_true (gtk_widget_get_mapped (page));
  overlay = gtk_widget_get_parent (watermark);
  g_assert_true (GTK_IS_OVERLAY (overlay));
  g_assert_true (gtk_widget_is_ancestor (page, gtk_overlay_get_child (GTK_OVERLAY (overlay))));
  g_assert_true (gtk_widget_get_last_child (overlay) == watermark);

  g_assert_true (gtk_widget_compute_bounds (page, watermark, &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (watermark));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (watermark));
  g_assert_true (has_ink (watermark));

  g_assert_cmpstr (ag_watermark_get_text (AG_WATERMARK (watermark)), ==, _("TRAINING"));
  g_assert_false (gtk_widget_get_can_target (watermark));
  g_assert_false (gtk_widget_get_focusable (watermark));
  g_assert_false (gtk_widget_get_can_focus (watermark));
  g_assert_null (gtk_widget_get_first_child (watermark));
  gtk_test_accessible_assert_role (GTK_ACCESSIBLE (watermark), GTK_ACCESSIBLE_ROLE_LABEL);
  label
    = gtk_test_accessible_check_property (GTK_ACCESSIBLE (watermark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Training mode: synthetic customers only"));
  g_assert_null (label);
}

static AgWindow *
present_locked (const char *store_path, gboolean training)
{
  AgWindow *window = ag_window_new (NULL, store_path, training);

  gtk_window_present (GTK_WINDOW (window));
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_LOCKED);
  return window;
}

static void
sign_in (AgWindow *window)
{
  ag_test_sign_in (GTK_WIDGET (window), ag_window_get_guard (window), 0);
  AG_TEST_WAIT_UNTIL (ag_window_get_state (window) == AG_WINDOW_STATE_READY);
  ag_test_spin ();
}

/* A trainee asked for the live store gets their own training store, made on first use from
 * AgSynth with their seed, and a banner saying why; the live store is not touched. */
static void
test_trainee (Fixture *f, gconstpointer data)
{
  g_autofree char *own = ag_session_get_training_store_path (g_get_user_name ());
  g_autoptr (AgSynth) synth = ag_synth_new (ag_session_get_training_seed (g_get_user_name ()));
  AgCustomerData first = { 0 };
  g_autoptr (GPtrArray) live_entries = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  const char *banner = _("Training mode: you are a trainee, so Agent Guard opens only your own "
                          "training records, with synthetic customers, whatever records were "
                          "asked for.");
  AgRecordPage *page;
  AgStore *store;
  AgWindow *window;
  GtkWindow *dialog;
  GtkWidget *watermark;

  become_trainee (TRUE);
  window = present_locked (f->live_path, FALSE);
  g_assert_true (ag_window_get_training (window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, _("Agent Guard (Training)"));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window), "training"));
  g_assert_nonnull (ag_test_find_label (GTK_WIDGET (window), banner, TRUE));
  assert_watermark_over (window, ag_test_find_lock_page (GTK_WIDGET (window)));
  screenshot (window, "training-lock");

  sign_in (window);
  store = ag_window_get_store (window);
  g_assert_nonnull (store);
  g_assert_cmpstr (ag_store_get_location (store), ==, own);
  g_assert_cmpint (ag_store_get_mode (store), ==, AG_LEDGER_MODE_TRAINING);
  g_assert_cmpint (ag_store_count (store, NULL), ==, AG_SESSION_TRAINING_CUSTOMERS);
  g_assert_nonnull (ag_test_find_label (GTK_WIDGET (window), banner, TRUE));

  /* Its customers are the trainee's synthetic ones, found as on the live floor. */
  ag_synth_next (synth, &first);
  page = ag_test_open_customer (window, first.id);
  g_assert_nonnull (page);
  assert_watermark_over (window, GTK_WIDGET (page));
  screenshot (window, "training-record");
  ag_customer_data_clear (&first);

  /* The reveal dialog is marked as training too. */
  dialog = ag_field_row_open_reveal_dialog (ag_test_find_field_row (page, AG_PII_KIND_CPF));
  g_assert_nonnull (dialog);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (dialog)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (dialog), "training"));
  watermark = ag_test_find_type (GTK_WIDGET (dialog), AG_TYPE_WATERMARK);
  g_assert_nonnull (watermark);
  AG_TEST_WAIT_UNTIL (gtk_widget_get_width (watermark) > 0);
  g_assert_true (gtk_widget_get_mapped (watermark));
  gtk_window_destroy (dialog);
  ag_test_spin ();

  entries = ag_test_store_entries (store, NULL);
  g_assert_cmpuint (entries->len, >, 0);
  for (guint i = 0; i < entries->len; i++)
    g_assert_cmpint (((AgLedgerEntry *) g_ptr_array_index (entries, i))->mode, ==,
                     AG_LEDGER_MODE_TRAINING);
  ag_test_close_window (window);

  /* Nothing of the session reached the live store. */
  live_entries = ag_test_entries_at (f->live_path, NULL);
  g_assert_cmpuint (live_entries->len, ==, 0);
}

/* Anyone may ask for training mode: the same training store, without the trainee's banner. */
static void
test_asked (Fixture *f, gconstpointer data)
{
  g_autofree char *own = ag_session_get_training_store_path (g_get_user_name ());
  GtkWidget *browser;
  AgWindow *window;

  become_trainee (FALSE);
  window = present_locked (f->live_path, TRUE);
  g_assert_null (ag_test_find_label (GTK_WIDGET (window),
                                     _("Training mode: you are a trainee, so "
                                        "Agent Guard opens only your own "
                                        "training records, with synthetic "
                                        "customers, whatever records were "
                                        "asked for."),
                                     FALSE));
  assert_watermark_over (window, ag_test_find_lock_page (GTK_WIDGET (window)));
  sign_in (window);
  g_assert_cmpstr (ag_store_get_location (ag_window_get_store (window)), ==, own);
  browser = ag_test_find_type (GTK_WIDGET (window), ADW_TYPE_LEAFLET);
  assert_watermark_over (window, browser);
  screenshot (window, "training-search");
  ag_test_close_window (window);
}

/* A live window has none of it, and a training store is not opened in it. */
static void
test_live (Fixture *f, gconstpointer data)
{
  g_autofree char *training_path = g_build_filename (f->dir, "training.db", NULL);
  g_autoptr (AgStore) training = NULL;
  g_autoptr (GError) error = NULL;
  AgWindow *window;

  become_trainee (FALSE);
  window = present_locked (f->live_path, FALSE);
  g_assert_false (ag_window_get_training (window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Agent Guard");
  g_assert_false (gtk_widget_has_css_class (GTK_WIDGET (window), "training"));
  g_assert_null (ag_test_find_type (GTK_WIDGET (window), AG_TYPE_WATERMARK));
  sign_in (window);
  g_assert_cmpint (ag_store_get_mode (ag_window_get_store (window)), ==, AG_LEDGER_MODE_LIVE);
  ag_test_close_window (window);

  training
    = ag_store_open (training_path, AG_STORE_OPEN_CREATE | AG_STORE_OPEN_TRAINING, NULL, &error);
  g_assert_no_error (error);
  window = present_locked (training_path, FALSE);
  /* The next one-time code: pam_oath refuses the first one again. */
  ag_test_sign_in (GTK_WIDGET (window), ag_window_get_guard (window), 1);
  AG_TEST_WAIT_UNTIL (ag_window_get_state (window) == AG_WINDOW_STATE_ERROR);
  g_assert_null (ag_window_get_store (window));
  g_assert_nonnull (
    ag_test_find_label (GTK_WIDGET (window), _("These Are Training Records"), TRUE));
  ag_test_close_window (window);
  ag_keyring_delete_keys (ag_store_get_id (training), NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_autofree char *content_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);
  int status;

  if (g_getenv ("AG_TEST_SCREENSHOTS") != NULL)
    {
      g_autofree char *localedir = g_build_filename (g_getenv ("AG_BUILD_ROOT"), "po", NULL);

      setlocale (LC_ALL, "");
      bindtextdomain (GETTEXT_PACKAGE, localedir);
      bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
      textdomain (GETTEXT_PACKAGE);
    }
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#if defined(__SANITIZE_ADDRESS__)
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  g_setenv ("GTK_A11Y", "test", TRUE);
  ag_test_pam_init ();
  gtk_init ();
  adw_init ();
  ag_test_keep_glib_dirs ();
  if (g_getenv ("AG_TEST_SCREENSHOTS") != NULL)
    {
      /* The application's style, which a window without an AdwApplication lacks. */
      g_autoptr (GtkCssProvider) css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/org/agentguard/AgentGuard/style.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                  GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }

  g_test_add ("/training-window/trainee", Fixture, NULL, fixture_set_up, test_trainee,
              fixture_tear_down);
  g_test_add ("/training-window/asked", Fixture, NULL, fixture_set_up, test_asked,
              fixture_tear_down);
  g_test_add ("/training-window/live", Fixture, NULL, fixture_set_up, test_live, fixture_tear_down);

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
