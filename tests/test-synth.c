/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <string.h>

#include "ag-synth.h"

static void
test_new_destroy (void)
{
  AgSynth *synth = ag_synth_new (7);
  guint64 seed = 0;

  g_assert_true (AG_IS_SYNTH (synth));
  g_object_get (synth, "seed", &seed, NULL);
  g_assert_cmpuint (seed, ==, 7);
  g_assert_finalize_object (synth);
}

static void
assert_same_customer (const AgCustomerData *a, const AgCustomerData *b)
{
  g_assert_cmpstr (a->id, ==, b->id);
  for (guint k = 0; k < AG_PII_N_KINDS; k++)
    g_assert_cmpstr (a->values[k], ==, b->values[k]);
}

static void
test_same_seed (void)
{
  g_autoptr (AgSynth) a = ag_synth_new (20261123);
  g_autoptr (AgSynth) b = ag_synth_new (20261123);
  AgCustomerData ca = { 0 }, cb = { 0 };

  for (guint i = 0; i < 1000; i++)
    {
      ag_synth_next (a, &ca);
      ag_synth_next (b, &cb);
      assert_same_customer (&ca, &cb);
    }

  ag_customer_data_clear (&ca);
  ag_customer_data_clear (&cb);
}

/* The generator is our own, so a seed gives the same customers on every machine and with
 * every GLib: the first customer of seed 1 is pinned. */
static void
test_pinned (void)
{
  g_autoptr (AgSynth) synth = ag_synth_new (1);
  AgCustomerData c = { 0 };

  ag_synth_next (synth, &c);
  g_assert_cmpstr (c.id, ==, "9B5B10-0000001");
  g_assert_cmpstr (c.values[AG_PII_KIND_NAME], ==, "Antônia Leite de Novaes");
  g_assert_cmpstr (c.values[AG_PII_KIND_CPF], ==, "03859996584");
  ag_synth_next (synth, &c);
  g_assert_cmpstr (c.id, ==, "9B5B10-0000002");
  ag_customer_data_clear (&c);
}

static void
test_different_seeds (void)
{
  g_autoptr (GHashTable) prefixes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  AgCustomerData first = { 0 };

  for (guint64 seed = 0; seed < 100; seed++)
    {
      g_autoptr (AgSynth) synth = ag_synth_new (seed);
      AgCustomerData c = { 0 };
      guint n_same = 0;

      ag_synth_next (synth, &c);
      g_assert_true (g_hash_table_add (prefixes, g_strndup (c.id, 6)));

      if (seed == 0)
        {
          first = c;
          continue;
        }
      for (guint k = 0; k < AG_PII_N_KINDS; k++)
        n_same += g_strcmp0 (c.values[k], first.values[k]) == 0 && c.values[k] != NULL;
      g_assert_cmpuint (n_same, <, 3);
      g_assert_cmpstr (c.values[AG_PII_KIND_CPF], !=, first.values[AG_PII_KIND_CPF]);
      ag_customer_data_clear (&c);
    }

  ag_customer_data_clear (&first);
}

/* AddressSanitizer with the slow unwinder (for GLib's suppressed leaks) makes each
 * allocation costly; the same code runs on fewer customers there. */
#if defined(__SANITIZE_ADDRESS__)
#define N_UNIQUE_IDS 20000
#else
#define N_UNIQUE_IDS 100000
#endif

static void
test_unique_ids (void)
{
  g_autoptr (AgSynth) synth = ag_synth_new (99);
  g_autoptr (GHashTable) ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *prefix = NULL;
  AgCustomerData c = { 0 };

  for (guint i = 0; i < N_UNIQUE_IDS; i++)
    {
      ag_synth_next (synth, &c);
      /* Six hex digits from the seed, a dash, a sequence number of at least seven digits. */
      g_assert_cmpuint (strlen (c.id), ==, 14);
      g_assert_cmpint (c.id[6], ==, '-');
      for (guint j = 0; j < 6; j++)
        g_assert_true (g_ascii_isxdigit (c.id[j]) && !g_ascii_islower (c.id[j]));
      for (guint j = 7; j < 14; j++)
        g_assert_true (g_ascii_isdigit (c.id[j]));
      if (prefix == NULL)
        prefix = g_strndup (c.id, 6);
      g_assert_true (strncmp (c.id, prefix, 6) == 0);
      g_assert_true (g_hash_table_add (ids, g_steal_pointer (&c.id)));
    }
  g_assert_cmpuint (g_hash_table_size (ids), ==, N_UNIQUE_IDS);
  ag_customer_data_clear (&c);
}

static gboolean
has_test_card_prefix (const char *number)
{
  static const char *const prefixes[] = { "411111", "400000", "555555", "222300", "378282" };

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_str_has_prefix (number, prefixes[i]))
      return TRUE;
  return FALSE;
}

/* Every value is valid and already canonical; cards are test cards, e-mails reserved. */
static void
test_values_canonical (void)
{
  g_autoptr (AgSynth) synth = ag_synth_new (12345);
  AgCustomerData c = { 0 };
  guint n_present[AG_PII_N_KINDS] = { 0 };
  const guint n = 5000;

  for (guint i = 0; i < n; i++)
    {
      const char *email, *card, *at;

      ag_synth_next (synth, &c);

      for (guint k = 0; k < AG_PII_N_KINDS; k++)
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *canonical = NULL;

          if (c.values[k] == NULL)
            continue;
          n_present[k]++;
          canonical = ag_pii_normalize (k, c.values[k], &error);
          if (error != NULL)
            g_test_message ("customer %s, %s", c.id, ag_pii_kind_to_string (k));
          g_assert_no_error (error);
          g_assert_cmpstr (canonical, ==, c.values[k]);
        }

      card = c.values[AG_PII_KIND_CARD_NUMBER];
      g_assert_true (ag_pii_luhn_is_valid (card));
      g_assert_true (has_test_card_prefix (card));

      email = c.values[AG_PII_KIND_EMAIL];
      at = strchr (email, '@');
      g_assert_nonnull (at);
      g_assert_true (g_str_equal (at, "@example.com") || g_str_equal (at, "@example.net")
                     || g_str_equal (at, "@example.org"));

      g_assert_true (ag_pii_cpf_is_valid (c.values[AG_PII_KIND_CPF]));
      if (c.values[AG_PII_KIND_CNPJ] != NULL)
        g_assert_true (ag_pii_cnpj_is_valid (c.values[AG_PII_KIND_CNPJ]));
      /* Brazilian phones with a real area code, and an address whose mask shows the city. */
      g_assert_true (g_str_has_prefix (c.values[AG_PII_KIND_PHONE], "+55"));
      {
        g_autofree char *mask = ag_pii_mask (AG_PII_KIND_ADDRESS, c.values[AG_PII_KIND_ADDRESS]);

        g_assert_true (g_str_has_prefix (mask, "***, "));
        g_assert_cmpuint (strlen (mask), >, strlen ("***, X - UF"));
      }
    }

  /* Everybody has these; a share has a CNPJ (about 15%) or notes (about 10%). */
  for (guint k = 0; k < AG_PII_N_KINDS; k++)
    {
      if (k == AG_PII_KIND_CNPJ)
        {
          g_assert_cmpuint (n_present[k], >, n / 10);
          g_assert_cmpuint (n_present[k], <, n / 5);
        }
      else if (k == AG_PII_KIND_NOTES)
        {
          g_assert_cmpuint (n_present[k], >, n / 20);
          g_assert_cmpuint (n_present[k], <, n * 3 / 20);
        }
      else
        g_assert_cmpuint (n_present[k], ==, n);
    }

  ag_customer_data_clear (&c);
}

/* Names look Brazilian: a given name and two or three surnames, accents included. */
static void
test_names (void)
{
  g_autoptr (AgSynth) synth = ag_synth_new (2);
  AgCustomerData c = { 0 };
  guint n_accented = 0;

  for (guint i = 0; i < 1000; i++)
    {
      g_auto (GStrv) words = NULL;
      guint n_words;

      ag_synth_next (synth, &c);
      words = g_strsplit (c.values[AG_PII_KIND_NAME], " ", -1);
      n_words = g_strv_length (words);
      g_assert_cmpuint (n_words, >=, 3);
      g_assert_cmpuint (n_words, <=, 5);
      for (const char *p = c.values[AG_PII_KIND_NAME]; *p != '\0'; p++)
        if ((guchar) *p >= 0x80)
          {
            n_accented++;
            break;
          }
    }
  g_assert_cmpuint (n_accented, >, 100);
  ag_customer_data_clear (&c);
}

/* Filling a customer that already holds values wipes them first: nothing leaks. */
static void
test_reuse (void)
{
  g_autoptr (AgSynth) synth = ag_synth_new (3);
  AgCustomerData c = { 0 };

  c.id = g_strdup ("old");
  c.values[AG_PII_KIND_NOTES] = g_strdup ("old notes");
  c.line = 12;
  ag_synth_next (synth, &c);
  g_assert_cmpstr (c.id, !=, "old");
  g_assert_cmpuint (c.line, ==, 0);
  g_assert_true (c.values[AG_PII_KIND_NOTES] == NULL
                 || !g_str_equal (c.values[AG_PII_KIND_NOTES], "old notes"));
  ag_customer_data_clear (&c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/synth/new-destroy", test_new_destroy);
  g_test_add_func ("/synth/same-seed", test_same_seed);
  g_test_add_func ("/synth/pinned", test_pinned);
  g_test_add_func ("/synth/different-seeds", test_different_seeds);
  g_test_add_func ("/synth/unique-ids", test_unique_ids);
  g_test_add_func ("/synth/values-canonical", test_values_canonical);
  g_test_add_func ("/synth/names", test_names);
  g_test_add_func ("/synth/reuse", test_reuse);

  return g_test_run ();
}
