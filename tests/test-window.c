/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "ag-keyring.h"
#include "ag-test-pam.h"
#include "ag-test-ui.h"
#include "ag-test-window.h"
#include "ag-masked-label-private.h"
#include "ag-pii.h"
#include "ag-record-page.h"
#include "ag-sqlite-store.h"
#include "ag-synth.h"
#include "ag-window.h"
#include "ag-test-util.h"

/* How many synthetic customers the test store holds, and how many of them the tests
 * remember in clear to look for leaks. */
#define N_CUSTOMERS 200
#define N_KEPT      N_CUSTOMERS

/* A failure timeout for waiting on the main loop, not a timed assertion: reaching it
 * means the window never got there. */
#define WAIT_SECONDS 120

/* Waiting ------------------------------------------------------------------------------ */

static gboolean
wait_timed_out_cb (gpointer user_data)
{
  g_error ("Gave up waiting for: %s", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

#define WAIT_UNTIL(cond)                                                                \
  G_STMT_START                                                                          \
  {                                                                                     \
    guint timeout_id_ = g_timeout_add_seconds (WAIT_SECONDS, wait_timed_out_cb, #cond); \
    while (!(cond))                                                                     \
      g_main_context_iteration (NULL, TRUE);                                            \
    g_source_remove (timeout_id_);                                                      \
  }                                                                                     \
  G_STMT_END

/* The test store ------------------------------------------------------------------------ */

typedef struct
{
  char *dir;
  char *store_path;
  char *store_id;
  GPtrArray *customers; /* AgCustomerData*, in clear */
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;

  ag_test_pam_write_stack (NULL);
  fixture->dir = g_dir_make_tmp ("test-window-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store_path = g_build_filename (fixture->dir, "store.db", NULL);
  fixture->customers = g_ptr_array_new_with_free_func ((GDestroyNotify) ag_test_customer_data_free);

  if (user_data != NULL) /* a store is wanted */
    {
      fixture->store_id
        = ag_test_make_store (fixture->store_path, 20261123, N_CUSTOMERS, fixture->customers);
      g_assert_cmpuint (fixture->customers->len, ==, N_KEPT);
    }
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer user_data)
{
  ag_test_keep_glib_dirs ();
  if (fixture->store_id != NULL)
    ag_keyring_delete_keys (fixture->store_id, NULL, NULL);
  ag_test_remove_tree (fixture->dir);
  g_clear_pointer (&fixture->dir, g_free);
  g_clear_pointer (&fixture->store_path, g_free);
  g_clear_pointer (&fixture->store_id, g_free);
  g_clear_pointer (&fixture->customers, g_ptr_array_unref);
}

/* Looking at widgets ------------------------------------------------------------------ */

static gboolean
is_mapped_row_with_title (GtkWidget *widget, gconstpointer data)
{
  return ADW_IS_ACTION_ROW (widget) && gtk_widget_get_mapped (widget)
         && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), data) == 0;
}

static gboolean
shows_text (GtkWidget *root, const char *text)
{
  return ag_test_find_label (root, text, TRUE) != NULL;
}

/* GTK 4.8 has no getter for accessible properties; its test API hands the actual value
 * back when it differs from the one asked for, which a value of control characters
 * always does. */
static char *
get_accessible_string (GtkWidget *widget, GtkAccessibleProperty property)
{
  return gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget), property,
                                             "\x01\x02 never an accessible text");
}

/* The accessible label and description of every widget of @widget's tree. */
static void
collect_accessible_texts (GtkWidget *widget, GPtrArray *texts)
{
  g_ptr_array_add (texts, get_accessible_string (widget, GTK_ACCESSIBLE_PROPERTY_LABEL));
  g_ptr_array_add (texts, get_accessible_string (widget, GTK_ACCESSIBLE_PROPERTY_DESCRIPTION));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_accessible_texts (child, texts);
}

/* Every text the window shows or tells assistive technologies, in all its widgets,
 * visible or not. */
static void
collect_texts (GtkWidget *widget, GPtrArray *texts)
{
  ag_test_collect_texts (widget, texts);
  collect_accessible_texts (widget, texts);
}

static void
assert_no_clear_value (GtkWidget *root, GPtrArray *customers)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  guint checked = 0;

  collect_texts (root, texts);
  g_assert_cmpuint (texts->len, >, 10);

  for (guint c = 0; c < customers->len; c++)
    {
      AgCustomerData *customer = g_ptr_array_index (customers, c);

      for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
        {
          g_autofree char *formatted = NULL;
          const char *forms[2];

          if (customer->values[kind] == NULL)
            continue;
          formatted = ag_pii_format (kind, customer->values[kind]);
          forms[0] = customer->values[kind];
          forms[1] = formatted;

          for (guint f = 0; f < G_N_ELEMENTS (forms); f++)
            {
              /* Short values (a year of birth, say) could turn up by chance. */
              if (forms[f] == NULL || strlen (forms[f]) < 6)
                continue;
              checked++;
              for (guint t = 0; t < texts->len; t++)
                {
                  const char *text = g_ptr_array_index (texts, t);

                  if (text != NULL && strstr (text, forms[f]) != NULL)
                    g_error ("The window shows the clear %s of customer %s",
                             ag_pii_kind_to_string (kind), customer->id);
                }
            }
        }
    }
  g_assert_cmpuint (checked, >, 0);
}

/* Opening a window ---------------------------------------------------------------------- */

static AgWindow *
open_window (const char *store_path)
{
  AgWindow *window = ag_window_new (NULL, store_path, FALSE);

  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (window)));
  /* Every window starts locked; the agent signs in with both factors first. */
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_LOCKED);
  ag_test_sign_in (GTK_WIDGET (window), ag_window_get_guard (window), 0);
  WAIT_UNTIL (ag_window_get_state (window) != AG_WINDOW_STATE_OPENING);
  ag_test_spin ();
  return window;
}

static void
close_window (AgWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
  ag_test_spin ();
}

static AgCustomerData *
get_customer (Fixture *fixture, guint index)
{
  return g_ptr_array_index (fixture->customers, index);
}

/* What an agent would type to find @name: the first name and the start of the next word,
 * which keeps the customer within the first page of results. */
static char *
name_prefix (const char *name)
{
  g_auto (GStrv) words = g_strsplit (name, " ", 3);

  g_autofree char *start = NULL;

  if (words[1] == NULL)
    return g_strdup (words[0]);
  start = g_utf8_substring (words[1], 0, MIN (3, g_utf8_strlen (words[1], -1)));
  return g_strdup_printf ("%s %s", words[0], start);
}

/* Tests --------------------------------------------------------------------------------- */

static void
test_window_opens_on_search (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture->store_path);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  GtkWidget *focus;

  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_READY);
  g_assert_nonnull (ag_window_get_store (window));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Agent Guard");

  g_assert_nonnull (entry);
  WAIT_UNTIL ((focus = gtk_root_get_focus (GTK_ROOT (window))) != NULL);
  g_assert_true (focus == entry || gtk_widget_is_ancestor (focus, entry));

  g_assert_true (
    shows_text (GTK_WIDGET (window), "Search by name, CPF, phone, e-mail or customer id"));
  g_assert_false (shows_text (GTK_WIDGET (window), "No Customers Found"));

  close_window (window);
}

/* A spinning GtkSpinner animates on a stack page that is not on screen too, and keeps the
 * whole window laying out every frame: only a spinner on screen may spin. */
static void
test_window_spinners_only_on_screen (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture->store_path);
  g_autoptr (GPtrArray) spinners = g_ptr_array_new ();
  guint off_screen = 0;

  ag_test_collect_type (GTK_WIDGET (window), GTK_TYPE_SPINNER, spinners);
  for (guint i = 0; i < spinners->len; i++)
    {
      GtkWidget *spinner = g_ptr_array_index (spinners, i);

      if (!gtk_widget_get_mapped (spinner))
        off_screen++;
      g_assert_cmpint (gtk_spinner_get_spinning (GTK_SPINNER (spinner)), ==,
                       gtk_widget_get_mapped (spinner));
    }
  /* The opening, searching and loading spinners wait on pages not shown now. */
  g_assert_cmpuint (off_screen, >=, 3);

  close_window (window);
}

static void
test_window_search_and_select (Fixture *fixture, gconstpointer user_data)
{
  AgCustomerData *customer = get_customer (fixture, 0);
  const char *name = customer->values[AG_PII_KIND_NAME];
  g_autofree char *prefix = name_prefix (name);
  AgWindow *window = open_window (fixture->store_path);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);
  g_autoptr (GPtrArray) masked_labels = g_ptr_array_new ();
  GtkWidget *row, *page;
  guint expected_fields = 0;

  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_READY);

  /* Typing a name prefix lists the customer, by name and id. */
  gtk_editable_set_text (GTK_EDITABLE (entry), prefix);
  WAIT_UNTIL ((row = ag_test_find_widget (GTK_WIDGET (window), is_mapped_row_with_title, name))
              != NULL);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, customer->id);

  /* Opening it (Enter or a click) shows the record page with the name as its title. */
  g_signal_emit_by_name (row, "activate");
  page = ag_test_find_type (GTK_WIDGET (window), AG_TYPE_RECORD_PAGE);
  g_assert_nonnull (page);
  WAIT_UNTIL (gtk_widget_get_mapped (page) && shows_text (page, name));
  ag_test_spin ();

  /* The window title never carries the customer's name. */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "Agent Guard");

  /* One masked label per PII field but the name, whose text is the mask. */
  ag_test_collect_type (page, AG_TYPE_MASKED_LABEL, masked_labels);
  for (AgPiiKind kind = AG_PII_KIND_NAME + 1; kind < AG_PII_N_KINDS; kind++)
    if (customer->values[kind] != NULL)
      expected_fields++;
  g_assert_cmpuint (masked_labels->len, ==, expected_fields);

  for (guint i = 0; i < masked_labels->len; i++)
    {
      AgMaskedLabel *label = g_ptr_array_index (masked_labels, i);
      const char *field_label = ag_masked_label_get_field_label (label);
      g_autofree char *expected_accessible = g_strdup_printf ("%s, hidden", field_label);
      g_autofree char *mask = NULL;
      AgPiiKind kind = AG_PII_N_KINDS;

      for (AgPiiKind k = AG_PII_KIND_NAME + 1; k < AG_PII_N_KINDS; k++)
        if (g_strcmp0 (ag_pii_kind_get_label (k), field_label) == 0)
          kind = k;
      g_assert_cmpint (kind, <, AG_PII_N_KINDS);
      g_assert_nonnull (customer->values[kind]);

      mask = ag_pii_mask (kind, customer->values[kind]);
      g_assert_cmpstr (ag_masked_label_get_masked (label), ==, mask);
      g_assert_cmpstr (ag_masked_label_get_masked (label), !=, customer->values[kind]);
      g_assert_false (ag_masked_label_get_revealed (label));
      gtk_test_accessible_assert_property (GTK_ACCESSIBLE (label), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                           expected_accessible);
    }

  /* Nowhere in the whole window is a clear value of a masked kind. */
  assert_no_clear_value (GTK_WIDGET (window), fixture->customers);

  close_window (window);
}

static void
test_window_no_results (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture->store_path);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);

  gtk_editable_set_text (GTK_EDITABLE (entry), "Zzyzx");
  WAIT_UNTIL (shows_text (GTK_WIDGET (window), "No Customers Found"));

  /* Ctrl+F's action brings the focus back to the search. */
  gtk_root_set_focus (GTK_ROOT (window), NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == entry
                 || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (window)), entry));

  /* Escape's signal clears the search and brings the hint back. */
  g_signal_emit_by_name (entry, "stop-search");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (entry)), ==, "");
  WAIT_UNTIL (
    shows_text (GTK_WIDGET (window), "Search by name, CPF, phone, e-mail or customer id"));

  close_window (window);
}

static void
test_window_search_by_cpf (Fixture *fixture, gconstpointer user_data)
{
  AgCustomerData *customer = get_customer (fixture, 7);
  g_autofree char *formatted = ag_pii_format (AG_PII_KIND_CPF, customer->values[AG_PII_KIND_CPF]);
  AgWindow *window = open_window (fixture->store_path);
  GtkWidget *entry = ag_test_find_type (GTK_WIDGET (window), GTK_TYPE_SEARCH_ENTRY);

  /* A search by CPF is an access: it runs on Return, not while typing. */
  gtk_editable_set_text (GTK_EDITABLE (entry), formatted);
  WAIT_UNTIL (shows_text (GTK_WIDGET (window), "Press Enter to Search"));
  g_signal_emit_by_name (entry, "activate");
  WAIT_UNTIL (ag_test_find_widget (GTK_WIDGET (window), is_mapped_row_with_title,
                                   customer->values[AG_PII_KIND_NAME])
              != NULL);
  /* The agent's own typing is in the entry; no other widget repeats it. */
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  assert_no_clear_value (GTK_WIDGET (window), fixture->customers);

  close_window (window);
}

static void
test_window_no_store (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = open_window (fixture->store_path);

  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_NO_STORE);
  g_assert_null (ag_window_get_store (window));
  g_assert_true (shows_text (GTK_WIDGET (window), "No Customer Records Yet"));
  g_assert_false (g_file_test (fixture->store_path, G_FILE_TEST_EXISTS));

  close_window (window);
}

static void
test_window_key_missing (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GError) error = NULL;
  AgWindow *window;

  ag_keyring_delete_keys (fixture->store_id, NULL, &error);
  g_assert_no_error (error);

  window = open_window (fixture->store_path);
  g_assert_cmpint (ag_window_get_state (window), ==, AG_WINDOW_STATE_ERROR);
  g_assert_null (ag_window_get_store (window));
  g_assert_true (shows_text (GTK_WIDGET (window), "The Key to the Customer Records Is Missing"));

  close_window (window);
}

static void
test_window_saves_size (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (GSettings) settings = g_settings_new ("org.agentguard.AgentGuard");
  AgWindow *window;
  int width, height;

  g_settings_set_int (settings, "window-width", 700);
  g_settings_set_int (settings, "window-height", 500);

  /* A new window takes its size from the settings... */
  window = open_window (fixture->store_path);
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 700);
  g_assert_cmpint (height, ==, 500);

  /* ...and keeps the size it had when it is closed. */
  gtk_window_set_default_size (GTK_WINDOW (window), 820, 610);
  gtk_window_close (GTK_WINDOW (window));
  ag_test_spin ();
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 820);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 610);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
}

static void
test_window_new_destroy (Fixture *fixture, gconstpointer user_data)
{
  AgWindow *window = ag_window_new (NULL, fixture->store_path, TRUE);

  g_object_ref (window);
  g_assert_true (ag_window_get_training (window));
  g_assert_cmpstr (ag_window_get_store_path (window), ==, fixture->store_path);
  gtk_window_destroy (GTK_WINDOW (window));
  ag_test_spin ();
  g_assert_finalize_object (window);
}

static void
test_record_page_new_destroy (Fixture *fixture, gconstpointer user_data)
{
  g_autoptr (AgRecord) record = ag_record_new ("C42", "Maria Silva");
  GtkWidget *page = g_object_ref_sink (ag_record_page_new ());
  g_autoptr (GPtrArray) labels = g_ptr_array_new ();

  const struct
  {
    AgPiiKind kind;
    const char *masked;
  } fields[] = {
    { AG_PII_KIND_NAME, "Maria Silva" },
    { AG_PII_KIND_CPF, "***.982.247-**" },
    { AG_PII_KIND_PHONE, "(11) *****-4321" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autoptr (AgField) field = ag_field_new ("C42", fields[i].kind, fields[i].masked);
      ag_record_add_field (record, field);
    }
  ag_record_page_set_record (AG_RECORD_PAGE (page), record);
  g_assert_true (ag_record_page_get_record (AG_RECORD_PAGE (page)) == record);

  /* The name is the title, not a field row. */
  g_assert_nonnull (ag_test_find_label (page, "Maria Silva", FALSE));
  ag_test_collect_type (page, AG_TYPE_MASKED_LABEL, labels);
  g_assert_cmpuint (labels->len, ==, 2);
  g_assert_cmpstr (ag_masked_label_get_masked (g_ptr_array_index (labels, 0)), ==,
                   "***.982.247-**");
  g_ptr_array_set_size (labels, 0);

  /* No record, no field widgets left. */
  ag_record_page_set_record (AG_RECORD_PAGE (page), NULL);
  ag_test_collect_type (page, AG_TYPE_MASKED_LABEL, labels);
  g_assert_cmpuint (labels->len, ==, 0);

  g_assert_finalize_object (page);
}

static void
test_masked_label_new_destroy (Fixture *fixture, gconstpointer user_data)
{
  GtkWidget *label = g_object_ref_sink (ag_masked_label_new ("CPF", "***.982.247-**"));

  g_assert_cmpstr (ag_masked_label_get_masked (AG_MASKED_LABEL (label)), ==, "***.982.247-**");
  g_assert_cmpstr (ag_masked_label_get_field_label (AG_MASKED_LABEL (label)), ==, "CPF");
  g_assert_false (ag_masked_label_get_revealed (AG_MASKED_LABEL (label)));
  g_assert_false (gtk_widget_get_has_tooltip (label));
  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (label)), ==,
                   GTK_ACCESSIBLE_ROLE_LABEL);
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "CPF, hidden");

  ag_masked_label_set_field_label (AG_MASKED_LABEL (label), "Phone");
  gtk_test_accessible_assert_property (label, GTK_ACCESSIBLE_PROPERTY_LABEL, "Phone, hidden");

  g_assert_finalize_object (label);
}

/* Pixels ------------------------------------------------------------------------------- */

/* A valid CPF made of @first3 and @middle6 and whatever check digits make it valid. */
static char *
make_cpf (const char *first3, const char *middle6)
{
  for (guint check = 0; check < 100; check++)
    {
      g_autofree char *cpf = g_strdup_printf ("%s%s%02u", first3, middle6, check);

      if (ag_pii_cpf_is_valid (cpf))
        return g_steal_pointer (&cpf);
    }
  g_assert_not_reached ();
}

static void
after_paint_cb (GdkFrameClock *clock, gpointer user_data)
{
  gboolean *painted = user_data;

  *painted = TRUE;
}

static void
wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;

  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  WAIT_UNTIL (painted);
  g_signal_handler_disconnect (clock, handler);
}

static GBytes *
render_widget (GtkWidget *widget)
{
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  gsize stride = (gsize) width * 4;
  guchar *data;

  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  data = g_malloc (stride * height);
  gdk_texture_download (texture, data, stride);
  return g_bytes_new_take (data, stride * height);
}

static gboolean
has_ink (GBytes *pixels)
{
  gsize size;
  const guchar *data = g_bytes_get_data (pixels, &size);

  /* Premultiplied BGRA or RGBA: any alpha byte set means something was drawn. */
  for (gsize i = 3; i < size; i += 4)
    if (data[i] != 0)
      return TRUE;
  return FALSE;
}

/* The x of the start of the character at byte @index of @text as @label lays it out, in
 * the label's coordinates. */
static int
char_x (GtkWidget *label, const char *text, int index)
{
  g_autoptr (PangoLayout) layout = gtk_widget_create_pango_layout (label, text);
  PangoRectangle pos;

  pango_layout_index_to_pos (layout, index, &pos);
  return (int) ceil (AG_MASKED_LABEL_BLUR_RADIUS) + pos.x / PANGO_SCALE;
}

/* Whether columns [@x0, @x1) of two renderings of @label are the same. */
static gboolean
columns_equal (GtkWidget *label, GBytes *a, GBytes *b, int x0, int x1)
{
  int width = gtk_widget_get_width (label);
  int height = gtk_widget_get_height (label);
  const guchar *pa = g_bytes_get_data (a, NULL);
  const guchar *pb = g_bytes_get_data (b, NULL);

  g_assert_cmpint (x0, <, x1);
  g_assert_cmpint (x1, <=, width);
  for (int y = 0; y < height; y++)
    if (memcmp (pa + ((gsize) y * width + x0) * 4, pb + ((gsize) y * width + x0) * 4,
                (gsize) (x1 - x0) * 4)
        != 0)
      return FALSE;
  return TRUE;
}

/* @blurred (the label drawn) and @sharp (drawn with no blur) of a CPF mask "***.982.247-**"
 * are the same over the kept ".982.247-", away from the blur's reach, and differ over the
 * hidden "***". */
static void
assert_blurred_only_where_hidden (GtkWidget *label, const char *mask, GBytes *blurred,
                                  GBytes *sharp)
{
  /* A Gaussian blur of radius r reaches about 3r. */
  int reach = (int) ceil (3 * AG_MASKED_LABEL_BLUR_RADIUS) + 1;
  const char *kept = strchr (mask, '.');
  const char *end = strrchr (mask, '-');

  g_assert_nonnull (kept);
  g_assert_nonnull (end);
  g_assert_cmpint (kept - mask, ==, 3);
  g_assert_true (columns_equal (label, blurred, sharp, char_x (label, mask, 3) + reach,
                                char_x (label, mask, (int) (end - mask)) - reach));
  g_assert_false (
    columns_equal (label, blurred, sharp, char_x (label, mask, 0), char_x (label, mask, 3)));
}

static void
test_masked_label_pixels (Fixture *fixture, gconstpointer user_data)
{
  g_autofree char *cpf_a = make_cpf ("529", "982247");
  g_autofree char *cpf_b = make_cpf ("111", "982247");
  g_autofree char *mask_a = ag_pii_mask (AG_PII_KIND_CPF, cpf_a);
  g_autofree char *mask_b = ag_pii_mask (AG_PII_KIND_CPF, cpf_b);
  g_autoptr (GBytes) pixels_a = NULL;
  g_autoptr (GBytes) pixels_b = NULL;
  g_autoptr (GBytes) sharp = NULL;
  GtkWidget *window, *box, *label_a, *label_b;

  /* Two different CPFs that share the digits the mask shows. */
  g_assert_cmpstr (cpf_a, !=, cpf_b);
  g_assert_cmpstr (mask_a, ==, mask_b);
  g_assert_null (strstr (mask_a, cpf_a));

  window = gtk_window_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  label_a = ag_masked_label_new ("CPF", mask_a);
  label_b = ag_masked_label_new ("CPF", mask_b);
  gtk_widget_set_halign (label_a, GTK_ALIGN_START);
  gtk_widget_set_halign (label_b, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (box), label_a);
  gtk_box_append (GTK_BOX (box), label_b);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_mapped (label_b) && gtk_widget_get_width (label_b) > 0);
  wait_for_paint (window);

  g_assert_cmpint (gtk_widget_get_width (label_a), ==, gtk_widget_get_width (label_b));
  g_assert_cmpint (gtk_widget_get_height (label_a), ==, gtk_widget_get_height (label_b));

  /* The same mask draws the very same pixels, whatever the value behind it. */
  pixels_a = render_widget (label_a);
  pixels_b = render_widget (label_b);
  g_assert_true (has_ink (pixels_a));
  g_assert_true (g_bytes_equal (pixels_a, pixels_b));

  /* And what is drawn is blurred: the sharp drawing of the same text differs. */
  ag_masked_label_set_blur_radius_for_testing (AG_MASKED_LABEL (label_a), 0);
  wait_for_paint (window);
  sharp = render_widget (label_a);
  g_assert_true (has_ink (sharp));
  g_assert_cmpuint (g_bytes_get_size (sharp), ==, g_bytes_get_size (pixels_a));
  g_assert_false (g_bytes_equal (sharp, pixels_a));

  /* But only where the mask hides: the digits it keeps are as sharp as can be, since the
   * agent reads them back to the caller. */
  assert_blurred_only_where_hidden (label_a, mask_a, pixels_a, sharp);

  gtk_window_destroy (GTK_WINDOW (window));
  ag_test_spin ();
}

int
main (int argc, char **argv)
{
  g_autofree char *content_type = NULL;
  int status;

  /* GIO reads the shared MIME database once, from the data directories it first sees;
   * read it before G_TEST_OPTION_ISOLATE_DIRS hides them, or GTK cannot tell an SVG icon
   * from any other file. */
  content_type = g_content_type_guess ("icon.svg", NULL, 0, NULL);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#if defined(__SANITIZE_ADDRESS__)
  /* The sanitizer build unwinds the stack on every malloc (fast_unwind_on_malloc=0), which
   * deadlocks in libgcc's unwinder when Mesa's llvmpipe JIT registers its frames; the
   * cairo renderer draws the same blur without GL. */
  g_setenv ("GSK_RENDERER", "cairo", TRUE);
#endif
  /* GTK's test accessibility backend: real accessible properties to check, no bus. */
  g_setenv ("GTK_A11Y", "test", TRUE);
  ag_test_pam_init ();
  gtk_init ();
  adw_init ();

  ag_test_keep_glib_dirs ();

  g_test_add ("/masked-label/new-destroy", Fixture, NULL, fixture_set_up,
              test_masked_label_new_destroy, fixture_tear_down);
  g_test_add ("/masked-label/pixels", Fixture, NULL, fixture_set_up, test_masked_label_pixels,
              fixture_tear_down);
  g_test_add ("/record-page/new-destroy", Fixture, NULL, fixture_set_up,
              test_record_page_new_destroy, fixture_tear_down);

  g_test_add ("/window/new-destroy", Fixture, NULL, fixture_set_up, test_window_new_destroy,
              fixture_tear_down);
  g_test_add ("/window/no-store", Fixture, NULL, fixture_set_up, test_window_no_store,
              fixture_tear_down);
  g_test_add ("/window/saves-size", Fixture, NULL, fixture_set_up, test_window_saves_size,
              fixture_tear_down);
  g_test_add ("/window/opens-on-search", Fixture, "store", fixture_set_up,
              test_window_opens_on_search, fixture_tear_down);
  g_test_add ("/window/search-and-select", Fixture, "store", fixture_set_up,
              test_window_search_and_select, fixture_tear_down);
  g_test_add ("/window/spinners-only-on-screen", Fixture, "store", fixture_set_up,
              test_window_spinners_only_on_screen, fixture_tear_down);
  g_test_add ("/window/no-results", Fixture, "store", fixture_set_up, test_window_no_results,
              fixture_tear_down);
  g_test_add ("/window/search-by-cpf", Fixture, "store", fixture_set_up, test_window_search_by_cpf,
              fixture_tear_down);
  g_test_add ("/window/key-missing", Fixture, "store", fixture_set_up, test_window_key_missing,
              fixture_tear_down);

  status = g_test_run ();
  ag_test_pam_cleanup ();
  return status;
}
