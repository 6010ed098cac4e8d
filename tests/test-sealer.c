/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define _GNU_SOURCE /* memmem */

#include "config.h"

#include <glib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ag-sealer.h"
#include "ag-secret.h"

/* Synthetic test values only. */
#define TEST_CPF "52998224725"
#define TEST_ID  "C-000042"

static AgSecret *
make_key (guint8 fill)
{
  AgSecret *key = ag_secret_new (AG_SEALER_KEY_BYTES);

  memset (ag_secret_get_mutable_data (key), fill, AG_SEALER_KEY_BYTES);
  return key;
}

static AgSealer *
make_sealer (guint8 fill)
{
  g_autoptr (AgSecret) key = make_key (fill);

  return ag_sealer_new (key);
}

static void
test_secret_basics (void)
{
  g_autoptr (AgSecret) empty = ag_secret_new (0);
  g_autoptr (AgSecret) secret = ag_secret_new_from_data ("abc", 3);
  gsize len = 99;
  const guint8 *data;

  g_assert_cmpuint (ag_secret_get_size (empty), ==, 0);
  g_assert_cmpuint (ag_secret_get_data (empty, NULL)[0], ==, 0);

  data = ag_secret_get_data (secret, &len);
  g_assert_cmpuint (len, ==, 3);
  g_assert_cmpmem (data, 3, "abc", 3);
  /* NUL-terminated, so a revealed value can be used as a C string. */
  g_assert_cmpstr ((const char *) data, ==, "abc");

  ag_secret_get_mutable_data (secret)[1] = 'X';
  g_assert_cmpstr ((const char *) ag_secret_get_data (secret, NULL), ==, "aXc");

  ag_secret_free (NULL);
}

static void
test_sealer_new_destroy (void)
{
  AgSealer *sealer = make_sealer (1);

  g_assert_true (AG_IS_SEALER (sealer));
  g_assert_finalize_object (sealer);
}

static void
test_sealer_roundtrip (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (AgSecret) opened = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data;

  sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
  data = g_bytes_get_data (sealed, &len);
  g_assert_cmpuint (len, ==, ag_sealer_sealed_size (strlen (TEST_CPF)));
  g_assert_cmpuint (len, >, strlen (TEST_CPF));
  /* The value is not in the sealed bytes. */
  g_assert_null (memmem (data, len, TEST_CPF, strlen (TEST_CPF)));

  opened = ag_sealer_open (sealer, TEST_ID, AG_PII_KIND_CPF, data, len, &error);
  g_assert_no_error (error);
  g_assert_nonnull (opened);
  g_assert_cmpuint (ag_secret_get_size (opened), ==, strlen (TEST_CPF));
  g_assert_cmpstr ((const char *) ag_secret_get_data (opened, NULL), ==, TEST_CPF);
}

static void
test_sealer_empty_value (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_NOTES, "");
  g_autoptr (AgSecret) opened = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  g_assert_cmpuint (len, ==, ag_sealer_sealed_size (0));
  opened = ag_sealer_open (sealer, TEST_ID, AG_PII_KIND_NOTES, data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ag_secret_get_size (opened), ==, 0);
}

static void
test_sealer_fresh_nonce (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) first = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
  g_autoptr (GBytes) second = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
  const guint8 *a = g_bytes_get_data (first, NULL);
  const guint8 *b = g_bytes_get_data (second, NULL);

  /* Same value, same record, same kind: different nonce and so different ciphertext. */
  g_assert_false (g_bytes_equal (first, second));
  g_assert_true (memcmp (a, b, 24) != 0);
}

static void
test_sealer_fork_nonces (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) before = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
  g_autoptr (GBytes) parent = NULL;
  guint8 child_nonce[24];
  int fds[2];
  pid_t pid;
  int status;

  /* A child forked while the sealer holds unused nonces must not reuse them. */
  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
      gboolean ok = write (fds[1], g_bytes_get_data (sealed, NULL), 24) == 24;

      _exit (ok ? 0 : 1);
    }
  close (fds[1]);
  g_assert_cmpint (read (fds[0], child_nonce, sizeof child_nonce), ==, sizeof child_nonce);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);

  parent = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
  g_assert_true (memcmp (g_bytes_get_data (parent, NULL), child_nonce, 24) != 0);
  g_assert_true (memcmp (g_bytes_get_data (before, NULL), child_nonce, 24) != 0);
}

static void
assert_forged (AgSealer *sealer, const char *record_id, AgPiiKind kind, GBytes *sealed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AgSecret) opened = NULL;
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  opened = ag_sealer_open (sealer, record_id, kind, data, len, &error);
  g_assert_error (error, AG_SEALER_ERROR, AG_SEALER_ERROR_FORGED);
  g_assert_null (opened);
  /* The error never carries the value. */
  g_assert_null (strstr (error->message, TEST_CPF));
}

static void
test_sealer_wrong_record (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);

  assert_forged (sealer, "C-000043", AG_PII_KIND_CPF, sealed);
  assert_forged (sealer, "C-00004", AG_PII_KIND_CPF, sealed);
  assert_forged (sealer, "", AG_PII_KIND_CPF, sealed);
}

static void
test_sealer_wrong_kind (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);

  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    if (kind != AG_PII_KIND_CPF)
      assert_forged (sealer, TEST_ID, kind, sealed);
  assert_forged (sealer, TEST_ID, AG_PII_N_KINDS, sealed);
}

static void
test_sealer_wrong_key (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (AgSealer) other = make_sealer (2);
  g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);

  assert_forged (other, TEST_ID, AG_PII_KIND_CPF, sealed);
}

static void
test_sealer_flipped_bytes (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  /* Every byte — nonce, ciphertext and tag — is covered. */
  for (gsize i = 0; i < len; i++)
    for (guint bit = 0; bit < 8; bit += 7)
      {
        g_autofree guint8 *copy = g_memdup2 (data, len);
        g_autoptr (GBytes) tampered = NULL;

        copy[i] ^= 1u << bit;
        tampered = g_bytes_new (copy, len);
        assert_forged (sealer, TEST_ID, AG_PII_KIND_CPF, tampered);
      }
}

static void
test_sealer_truncated (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (GBytes) sealed = ag_sealer_seal (sealer, TEST_ID, AG_PII_KIND_CPF, TEST_CPF);
  gsize len;
  const guint8 *data = g_bytes_get_data (sealed, &len);

  for (gsize cut = 0; cut < len; cut++)
    {
      g_autoptr (GBytes) truncated = g_bytes_new (data, cut);
      assert_forged (sealer, TEST_ID, AG_PII_KIND_CPF, truncated);
    }
}

static void
test_sealer_long_record_id (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autofree char *long_id = g_strnfill (1000, 'x');
  g_autofree char *other_id = g_strnfill (1000, 'x');
  g_autoptr (GBytes) sealed = NULL;
  g_autoptr (AgSecret) opened = NULL;
  g_autoptr (GError) error = NULL;
  gsize len;
  const guint8 *data;

  sealed = ag_sealer_seal (sealer, long_id, AG_PII_KIND_EMAIL, "ana@example.com");
  data = g_bytes_get_data (sealed, &len);
  opened = ag_sealer_open (sealer, long_id, AG_PII_KIND_EMAIL, data, len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr ((const char *) ag_secret_get_data (opened, NULL), ==, "ana@example.com");

  other_id[999] = 'y';
  assert_forged (sealer, other_id, AG_PII_KIND_EMAIL, sealed);
}

static void
test_sealer_seal_into (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  const char *value = "Rua das Flores, 100";
  gsize sealed_len = ag_sealer_sealed_size (strlen (value));
  g_autofree guint8 *buf = g_malloc (sealed_len + 1);
  g_autoptr (AgSecret) opened = NULL;
  g_autoptr (GError) error = NULL;

  buf[sealed_len] = 0xA5;
  ag_sealer_seal_into (sealer, TEST_ID, AG_PII_KIND_ADDRESS, value, strlen (value), buf);
  /* Writes exactly the announced size. */
  g_assert_cmpuint (buf[sealed_len], ==, 0xA5);

  opened = ag_sealer_open (sealer, TEST_ID, AG_PII_KIND_ADDRESS, buf, sealed_len, &error);
  g_assert_no_error (error);
  g_assert_cmpstr ((const char *) ag_secret_get_data (opened, NULL), ==, value);
}

static void
test_sealer_blind_index (void)
{
  g_autoptr (AgSealer) sealer = make_sealer (1);
  g_autoptr (AgSealer) same_key = make_sealer (1);
  g_autoptr (AgSealer) other_key = make_sealer (2);
  guint8 a[AG_SEALER_TAG_BYTES], b[AG_SEALER_TAG_BYTES];
  guint8 zero[AG_SEALER_TAG_BYTES] = { 0 };

  ag_sealer_blind_index (sealer, AG_PII_KIND_CPF, TEST_CPF, a);
  g_assert_true (memcmp (a, zero, sizeof a) != 0);

  /* Deterministic for one key, so a lookup finds the value again. */
  ag_sealer_blind_index (same_key, AG_PII_KIND_CPF, TEST_CPF, b);
  g_assert_cmpmem (a, sizeof a, b, sizeof b);

  /* Another key, another kind or another value gives another tag. */
  ag_sealer_blind_index (other_key, AG_PII_KIND_CPF, TEST_CPF, b);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
  ag_sealer_blind_index (sealer, AG_PII_KIND_PHONE, TEST_CPF, b);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
  ag_sealer_blind_index (sealer, AG_PII_KIND_CPF, "52998224726", b);
  g_assert_true (memcmp (a, b, sizeof a) != 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/secret/basics", test_secret_basics);
  g_test_add_func ("/sealer/new-destroy", test_sealer_new_destroy);
  g_test_add_func ("/sealer/roundtrip", test_sealer_roundtrip);
  g_test_add_func ("/sealer/empty-value", test_sealer_empty_value);
  g_test_add_func ("/sealer/fresh-nonce", test_sealer_fresh_nonce);
  g_test_add_func ("/sealer/fork-nonces", test_sealer_fork_nonces);
  g_test_add_func ("/sealer/wrong-record", test_sealer_wrong_record);
  g_test_add_func ("/sealer/wrong-kind", test_sealer_wrong_kind);
  g_test_add_func ("/sealer/wrong-key", test_sealer_wrong_key);
  g_test_add_func ("/sealer/flipped-bytes", test_sealer_flipped_bytes);
  g_test_add_func ("/sealer/truncated", test_sealer_truncated);
  g_test_add_func ("/sealer/long-record-id", test_sealer_long_record_id);
  g_test_add_func ("/sealer/seal-into", test_sealer_seal_into);
  g_test_add_func ("/sealer/blind-index", test_sealer_blind_index);

  return g_test_run ();
}
