/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <locale.h>

#include "ag-customer.h"
#include "ag-record.h"

static void
test_field_new_destroy (void)
{
  AgField *field = ag_field_new ("9B5B10-0000001", AG_PII_KIND_CPF, "***.982.247-**");
  g_autofree char *masked = NULL;
  int kind = -1;

  g_assert_cmpstr (ag_field_get_record_id (field), ==, "9B5B10-0000001");
  g_assert_cmpint (ag_field_get_kind (field), ==, AG_PII_KIND_CPF);
  g_assert_cmpstr (ag_field_get_masked (field), ==, "***.982.247-**");
  g_assert_cmpstr (ag_field_get_label (field), ==, "CPF");

  g_object_get (field, "masked", &masked, "kind", &kind, NULL);
  g_assert_cmpstr (masked, ==, "***.982.247-**");
  g_assert_cmpint (kind, ==, AG_PII_KIND_CPF);

  g_assert_finalize_object (field);
}

static void
test_record_new_destroy (void)
{
  AgRecord *record = ag_record_new ("9B5B10-0000001", "Maria da Conceição Souza");
  GListModel *fields = ag_record_get_fields (record);

  g_assert_cmpstr (ag_record_get_id (record), ==, "9B5B10-0000001");
  g_assert_cmpstr (ag_record_get_name (record), ==, "Maria da Conceição Souza");
  g_assert_cmpuint (g_list_model_get_n_items (fields), ==, 0);
  g_assert_true (g_list_model_get_item_type (fields) == AG_TYPE_FIELD);
  g_assert_null (ag_record_get_field (record, AG_PII_KIND_CPF));

  g_assert_finalize_object (record);
}

static void
test_record_fields (void)
{
  g_autoptr (AgRecord) record = ag_record_new ("C-1", "João Silva");
  g_autoptr (AgField) cpf = ag_field_new ("C-1", AG_PII_KIND_CPF, "***.982.247-**");
  g_autoptr (AgField) phone = ag_field_new ("C-1", AG_PII_KIND_PHONE, "(**) *****-4321");
  GListModel *fields = ag_record_get_fields (record);

  ag_record_add_field (record, cpf);
  ag_record_add_field (record, phone);

  g_assert_cmpuint (g_list_model_get_n_items (fields), ==, 2);
  g_assert_true (ag_record_get_field (record, AG_PII_KIND_CPF) == cpf);
  g_assert_true (ag_record_get_field (record, AG_PII_KIND_PHONE) == phone);
  g_assert_null (ag_record_get_field (record, AG_PII_KIND_EMAIL));
}

static void
test_record_refuses_foreign_field (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr (AgRecord) record = ag_record_new ("C-1", "João Silva");
      g_autoptr (AgField) field = ag_field_new ("C-2", AG_PII_KIND_CPF, "***.982.247-**");

      ag_record_add_field (record, field);
      return;
    }

  /* A field of another customer must never show up on this customer's page. */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*CRITICAL*ag_record_add_field*");
}

static void
test_customer_data_clear (void)
{
  AgCustomerData data = { 0 };

  data.id = g_strdup ("C-1");
  data.values[AG_PII_KIND_NAME] = g_strdup ("João Silva");
  data.values[AG_PII_KIND_CPF] = g_strdup ("52998224725");
  data.line = 7;

  ag_customer_data_clear (&data);

  g_assert_null (data.id);
  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    g_assert_null (data.values[i]);
  g_assert_cmpuint (data.line, ==, 0);

  /* Clearing an empty customer is harmless, so sources can clear before filling. */
  ag_customer_data_clear (&data);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/field/new-destroy", test_field_new_destroy);
  g_test_add_func ("/record/new-destroy", test_record_new_destroy);
  g_test_add_func ("/record/fields", test_record_fields);
  g_test_add_func ("/record/refuses-foreign-field", test_record_refuses_foreign_field);
  g_test_add_func ("/customer-data/clear", test_customer_data_clear);

  return g_test_run ();
}
