/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "ag-import.h"

/* Synthetic values only: 529.982.247-25 is the classic test CPF, 11.222.333/0001-81 the
 * classic test CNPJ, 4111 1111 1111 1111 a test card number. */

#define HEADER "id,name,cpf\n"

typedef enum
{
  CSV,
  JSON,
} Format;

typedef struct
{
  const char *test_name;
  Format format;
  const char *document;
  int error_code;
  const char *message;
} BadCase;

static const BadCase bad_cases[] = {
  /* Columns. */
  { "unknown-column", CSV, "id,name,cpff\nc1,Ana,\n", AG_IMPORT_ERROR_UNKNOWN_COLUMN,
    "in.csv:1: unknown column “cpff”" },
  { "case-of-column", CSV, "id,Name\nc1,Ana\n", AG_IMPORT_ERROR_UNKNOWN_COLUMN,
    "in.csv:1: unknown column “Name”" },
  { "empty-column", CSV, "id,name,\nc1,Ana,\n", AG_IMPORT_ERROR_UNKNOWN_COLUMN,
    "in.csv:1: unknown column “”" },
  /* A file without its header row: the first row is customer data and must not be echoed. */
  { "headerless", CSV, "52998224725;Maria da Silva;maria@example.com\n",
    AG_IMPORT_ERROR_UNKNOWN_COLUMN,
    "in.csv:1: unknown column (not shown: it looks like data; is the header row missing?)" },
  { "headerless-comma", CSV, "c1,Maria da Silva,52998224725\n", AG_IMPORT_ERROR_UNKNOWN_COLUMN,
    "in.csv:1: unknown column (not shown: it looks like data; is the header row missing?)" },
  { "duplicate-column", CSV, "id,name,cpf,cpf\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:1: column “cpf” appears twice" },
  { "missing-id-column", CSV, "name,cpf\nAna,\n", AG_IMPORT_ERROR_MISSING_COLUMN,
    "in.csv:1: missing column “id”" },
  { "missing-name-column", CSV, "id,cpf\nc1,\n", AG_IMPORT_ERROR_MISSING_COLUMN,
    "in.csv:1: missing column “name”" },
  { "no-header", CSV, "", AG_IMPORT_ERROR_MISSING_COLUMN, "in.csv:1: missing header row" },
  { "blank-only", CSV, "\n\n", AG_IMPORT_ERROR_MISSING_COLUMN, "in.csv:1: missing header row" },
  /* Values. */
  { "check-digits", CSV, HEADER "c1,Ana,529.982.247-25\nc2,Bia,529.982.247-26\n",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.csv:3: cpf: invalid check digits" },
  { "same-digit-cpf", CSV, HEADER "c1,Ana,111.111.111-11\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:2: cpf: " },
  { "bad-date", CSV, "id,name,birth_date\nc1,Ana,1990-02-30\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:2: birth_date: invalid date (use YYYY-MM-DD or DD/MM/YYYY)" },
  { "bad-date-format", CSV, "id,name,birth_date\nc1,Ana,30.01.1990\n",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.csv:2: birth_date: " },
  { "bad-email", CSV, "id,name,email\nc1,Ana,ana-at-example\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:2: email: " },
  { "bad-card", CSV, "id,name,card_number\nc1,Ana,4111111111111112\n",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.csv:2: card_number: invalid check digits" },
  { "missing-id", CSV, HEADER ",Ana,\n", AG_IMPORT_ERROR_INVALID_VALUE, "in.csv:2: id: missing" },
  { "missing-name", CSV, HEADER "c1,,\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:2: name: missing" },
  { "blank-name", CSV, HEADER "c1,  ,\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:2: name: missing" },
  { "unicode-blank-name", CSV, HEADER "c1,\xc2\xa0\xe2\x80\x83,\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:2: name: missing" },
  { "bad-id", CSV, HEADER "c 1,Ana,\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:2: id: must be 1 to 64 letters, digits, “.”, “_” or “-”" },
  { "long-id", CSV,
    HEADER "c12345678901234567890123456789012345678901234567890123456789012345,Ana,\n",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.csv:2: id: must be" },
  { "duplicate-id", CSV, HEADER "c1,Ana,\nc2,Bia,\n\nc1,Cida,\n", AG_IMPORT_ERROR_DUPLICATE_ID,
    "in.csv:5: duplicate id (first seen on line 2)" },
  /* Structure. */
  { "too-few-fields", CSV, HEADER "c1,Ana\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:2: expected 3 fields, found 2" },
  { "too-many-fields", CSV, HEADER "c1,Ana,,\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:2: too many fields (the header has 3)" },
  { "too-many-values", CSV, HEADER "c1,Ana,,x\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:2: too many fields (the header has 3)" },
  { "quote-in-unquoted", CSV, HEADER "c1,An\"a,\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:2: quote inside an unquoted field" },
  { "text-after-quote", CSV, HEADER "c1,\"Ana\" Maria,\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:2: text after a closing quote" },
  { "unterminated-quote", CSV, HEADER "c1,Ana,\nc2,\"Bia,\nc3,Cida,\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:3: unterminated quoted field" },
  { "lone-cr", CSV, HEADER "c1,Ana,\rc2,Bia,\n", AG_IMPORT_ERROR_SYNTAX,
    "in.csv:2: carriage return without a line feed" },
  { "line-after-quoted-newline", CSV, HEADER "c1,\"Ana\nMaria\",\nc2,Bia,529.982.247-26\n",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.csv:4: cpf: invalid check digits" },
  { "line-with-crlf", CSV, "id,name,cpf\r\nc1,Ana,\r\nc2,Bia,1\r\n", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.csv:3: cpf: " },
  /* Encoding. */
  { "invalid-utf8", CSV, HEADER "c1,Ana,\nc2,B\xe9la,\n", AG_IMPORT_ERROR_ENCODING,
    "in.csv:3: invalid UTF-8" },
  { "overlong-utf8", CSV, HEADER "c1,\xc0\xaf,\n", AG_IMPORT_ERROR_ENCODING,
    "in.csv:2: invalid UTF-8" },
  { "invalid-utf8-json", JSON, "[\n{\"id\": \"c1\", \"name\": \"B\xff\"}\n]",
    AG_IMPORT_ERROR_ENCODING, "in.json:2: invalid UTF-8" },
  /* JSON. */
  { "json-syntax", JSON, "[\n  {\"id\": \"c1\", \"name\": \"Ana\"},\n  {\"id\": }\n]",
    AG_IMPORT_ERROR_SYNTAX, "in.json:3: JSON syntax error" },
  { "json-not-array", JSON, "{\"id\": \"c1\"}", AG_IMPORT_ERROR_SYNTAX,
    "in.json:1: expected an array of customer objects" },
  { "json-empty", JSON, "", AG_IMPORT_ERROR_SYNTAX,
    "in.json:1: expected an array of customer objects" },
  { "json-not-object", JSON, "[\n{\"id\": \"c1\", \"name\": \"Ana\"},\n\"c2\"\n]",
    AG_IMPORT_ERROR_SYNTAX, "in.json:3: expected an object for each customer" },
  { "json-unknown-key", JSON, "[\n{\"id\": \"c1\",\n \"name\": \"Ana\",\n \"cpf_\": \"\"}\n]",
    AG_IMPORT_ERROR_UNKNOWN_COLUMN, "in.json:2: unknown key “cpf_”" },
  { "json-data-as-key", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\", \"52998224725\": \"x\"}]",
    AG_IMPORT_ERROR_UNKNOWN_COLUMN,
    "in.json:1: unknown key (not shown: it looks like data; is the header row missing?)" },
  { "json-nul-escape", JSON,
    "[{\"id\": \"n1\",\n \"name\": \"Ana\", \"cpf\": \"52998224725\\u0000junk\"}]",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.json:2: a string holds a NUL character (\\u0000)" },
  { "json-number", JSON, "[\n\n{\"id\": \"c1\", \"name\": \"Ana\", \"cpf\": 52998224725}]",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.json:3: cpf: expected a string" },
  { "json-bool", JSON, "[{\"id\": \"c1\", \"name\": true}]", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.json:1: name: expected a string" },
  { "json-nested", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\", \"cpf\": [\"x\"]}]",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.json:1: cpf: nested values are not allowed" },
  { "json-array-in-array", JSON, "[\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", AG_IMPORT_ERROR_SYNTAX,
    "in.json:2: expected an object for each customer" },
  { "json-deep", JSON, "[{\"id\": \"c1\",\n\"name\": [[{\"a\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    AG_IMPORT_ERROR_SYNTAX, "in.json:2: values nested too deeply" },
  { "json-trailing-comma", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\"},\n]", AG_IMPORT_ERROR_SYNTAX,
    "in.json:2: JSON syntax error" },
  { "json-trailing-text", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\"}]\n\nx",
    AG_IMPORT_ERROR_SYNTAX, "in.json:3: JSON syntax error" },
  { "json-missing-comma", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\"}\n {\"id\": \"c2\"}]",
    AG_IMPORT_ERROR_SYNTAX, "in.json:2: JSON syntax error" },
  { "json-unterminated", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\"},\n {\"id\": \"c2\",\n",
    AG_IMPORT_ERROR_SYNTAX, "in.json:2: JSON syntax error" },
  { "json-error-column", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\"},  {\"id\" \"c2\"}]",
    AG_IMPORT_ERROR_SYNTAX, "in.json:1: JSON syntax error at column " },
  { "json-bracket-mismatch", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\"]]", AG_IMPORT_ERROR_SYNTAX,
    "in.json:1: JSON syntax error" },
  { "json-check-digits", JSON,
    "[\n {\"id\": \"c1\", \"name\": \"Ana\"},\n {\"id\": \"c2\",\n  \"name\": \"Bia\",\n"
    "  \"cnpj\": \"11.222.333/0001-82\"}\n]",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.json:3: cnpj: invalid check digits" },
  { "json-duplicate-id", JSON,
    "[{\"id\": \"c1\", \"name\": \"Ana\"},\n{\"id\": \"c1\", \"name\": \"Bia\"}]",
    AG_IMPORT_ERROR_DUPLICATE_ID, "in.json:2: duplicate id (first seen on line 1)" },
  { "json-duplicate-key", JSON, "[{\"id\": \"c1\",\n \"name\": \"Ana\",\n \"name\": \"Bia\"}]",
    AG_IMPORT_ERROR_SYNTAX, "in.json:3: key “name” appears twice in one object" },
  { "json-missing-name", JSON, "[{\"id\": \"c1\", \"name\": null}]", AG_IMPORT_ERROR_INVALID_VALUE,
    "in.json:1: name: missing" },
  { "json-bad-date", JSON, "[{\"id\": \"c1\", \"name\": \"Ana\", \"birth_date\": \"31/02/1990\"}]",
    AG_IMPORT_ERROR_INVALID_VALUE, "in.json:1: birth_date: invalid date" },
};

static GPtrArray *
parse (Format format, const char *document, gsize len, GError **error)
{
  if (format == CSV)
    return ag_import_parse_csv ("in.csv", document, len, error);
  return ag_import_parse_json ("in.json", document, len, error);
}

static void
test_bad (gconstpointer data)
{
  const BadCase *bad = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  result = parse (bad->format, bad->document, strlen (bad->document), &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, bad->error_code);
  if (!g_str_has_prefix (error->message, bad->message))
    g_error ("expected a message starting with “%s”, got “%s”", bad->message, error->message);
  /* No value of the document is ever quoted back. */
  g_assert_null (strstr (error->message, "529"));
  g_assert_null (strstr (error->message, "Ana"));
}

static AgCustomerData *
customer (GPtrArray *result, guint i)
{
  g_assert_cmpuint (i, <, result->len);
  return g_ptr_array_index (result, i);
}

static void
test_csv_good (void)
{
  const char doc[] = "\xEF\xBB\xBF"
                     "id,name,cpf,cnpj,rg,birth_date,phone,email,address,card_number,"
                     "bank_account,pix_key,notes\r\n"
                     "c-1,\"Silva, Ana\",529.982.247-25,11.222.333/0001-81,12.345.678-9,"
                     "31/12/1990,(11) 98765-4321,Ana@Example.COM,"
                     "\"Rua A, 10\nSão Paulo - SP\",4111 1111 1111 1111,0001/12345-6,"
                     "52998224725,\"said \"\"hi\"\"\"\r\n"
                     "\r\n"
                     "c.2,José,,,,,,,,,,,\r\n"
                     "c_3,Bia,52998224725,,,1990-01-02,,,,,,,";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;
  AgCustomerData *c;

  result = ag_import_parse_csv ("good.csv", doc, sizeof doc - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 3);

  c = customer (result, 0);
  g_assert_cmpstr (c->id, ==, "c-1");
  g_assert_cmpuint (c->line, ==, 2);
  g_assert_cmpstr (c->values[AG_PII_KIND_NAME], ==, "Silva, Ana");
  g_assert_cmpstr (c->values[AG_PII_KIND_CPF], ==, "52998224725");
  g_assert_cmpstr (c->values[AG_PII_KIND_CNPJ], ==, "11222333000181");
  g_assert_cmpstr (c->values[AG_PII_KIND_BIRTH_DATE], ==, "1990-12-31");
  g_assert_cmpstr (c->values[AG_PII_KIND_PHONE], ==, "+5511987654321");
  g_assert_cmpstr (c->values[AG_PII_KIND_EMAIL], ==, "ana@example.com");
  g_assert_cmpstr (c->values[AG_PII_KIND_CARD_NUMBER], ==, "4111111111111111");
  g_assert_nonnull (c->values[AG_PII_KIND_ADDRESS]);
  g_assert_nonnull (strstr (c->values[AG_PII_KIND_ADDRESS], "São Paulo"));
  g_assert_nonnull (c->values[AG_PII_KIND_RG]);
  g_assert_nonnull (c->values[AG_PII_KIND_BANK_ACCOUNT]);
  g_assert_cmpstr (c->values[AG_PII_KIND_PIX_KEY], ==, "52998224725");
  g_assert_cmpstr (c->values[AG_PII_KIND_NOTES], ==, "said \"hi\"");

  /* The quoted newline in the address counts: the next record starts on line 5 (line 4
   * is empty and skipped). */
  c = customer (result, 1);
  g_assert_cmpstr (c->id, ==, "c.2");
  g_assert_cmpuint (c->line, ==, 5);
  g_assert_cmpstr (c->values[AG_PII_KIND_NAME], ==, "José");
  for (guint k = AG_PII_KIND_NAME + 1; k < AG_PII_N_KINDS; k++)
    g_assert_null (c->values[k]);

  /* The last line lacks its line feed. */
  c = customer (result, 2);
  g_assert_cmpstr (c->id, ==, "c_3");
  g_assert_cmpuint (c->line, ==, 6);
  g_assert_cmpstr (c->values[AG_PII_KIND_BIRTH_DATE], ==, "1990-01-02");
}

static void
test_csv_header_only (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  result = ag_import_parse_csv ("h.csv", "name,id", 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 0);
}

static void
test_json_good (void)
{
  const char doc[]
    = "\xEF\xBB\xBF[\n"
      "  {\"id\": \"c1\", \"name\": \"Ana\", \"cpf\": \"529.982.247-25\",\n"
      "   \"notes\": \"a \\\"quoted\\\" [note]\", \"phone\": null, \"email\": \"\"},\n"
      "  {\n"
      "    \"id\": \"c2\",\n"
      "    \"name\": \"Jos\\u00e9\", \"birth_date\": \"02/01/1990\"\n"
      "  }\n"
      "]\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;
  AgCustomerData *c;

  result = ag_import_parse_json ("good.json", doc, sizeof doc - 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 2);

  c = customer (result, 0);
  g_assert_cmpstr (c->id, ==, "c1");
  g_assert_cmpuint (c->line, ==, 2);
  g_assert_cmpstr (c->values[AG_PII_KIND_CPF], ==, "52998224725");
  g_assert_cmpstr (c->values[AG_PII_KIND_NOTES], ==, "a \"quoted\" [note]");
  g_assert_null (c->values[AG_PII_KIND_PHONE]);
  g_assert_null (c->values[AG_PII_KIND_EMAIL]);

  c = customer (result, 1);
  g_assert_cmpstr (c->id, ==, "c2");
  g_assert_cmpuint (c->line, ==, 4);
  g_assert_cmpstr (c->values[AG_PII_KIND_NAME], ==, "José");
  g_assert_cmpstr (c->values[AG_PII_KIND_BIRTH_DATE], ==, "1990-01-02");
}

static void
test_json_empty_array (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  result = ag_import_parse_json ("e.json", "[ ]", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 0);
}

/* Hostile inputs: bounded memory and a clear error, never a crash. */

static void
test_csv_long_line (void)
{
  gsize len = 10 * 1024 * 1024;
  g_autofree char *doc = g_malloc (len);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  memcpy (doc, HEADER "c1,", strlen (HEADER "c1,"));
  memset (doc + strlen (HEADER "c1,"), 'a', len - strlen (HEADER "c1,"));

  result = ag_import_parse_csv ("long.csv", doc, len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, "long.csv:2: name: value too long");
}

static void
test_csv_many_columns (void)
{
  GString *doc = g_string_new ("id,name,");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  for (guint i = 0; i < 1000000; i++)
    g_string_append (doc, ",");

  /* Header: the first empty column name is unknown. */
  result = ag_import_parse_csv ("wide.csv", doc->str, doc->len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_UNKNOWN_COLUMN);
  g_clear_error (&error);

  /* A row with a million fields stops at the first one too many. */
  g_string_printf (doc, HEADER "c1,Ana,");
  for (guint i = 0; i < 1000000; i++)
    g_string_append (doc, ",x");
  result = ag_import_parse_csv ("wide.csv", doc->str, doc->len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "wide.csv:2: too many fields (the header has 3)");

  g_string_free (doc, TRUE);
}

static void
test_csv_long_header (void)
{
  gsize len = 1024 * 1024;
  g_autofree char *doc = g_malloc (len);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  memset (doc, 'x', len);
  result = ag_import_parse_csv ("h.csv", doc, len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_UNKNOWN_COLUMN);
  g_assert_true (g_str_has_prefix (error->message, "h.csv:1: unknown column “xxxx"));
  g_assert_cmpuint (strlen (error->message), <, 200);
}

/* A header cell cut at its limit in the middle of a character still gives a message in
 * valid UTF-8, read within the cell; a non-ASCII cell is no column name, so it is not
 * echoed (it could be a customer's name). */
static void
test_csv_long_header_utf8 (void)
{
  GString *doc = g_string_new ("id,name,");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  for (guint i = 0; i < 63; i++)
    g_string_append_c (doc, 'x');
  g_string_append (doc, "\xc3\xa9\xc3\xa9\n");

  result = ag_import_parse_csv ("h.csv", doc->str, doc->len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_UNKNOWN_COLUMN);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_assert_cmpstr (error->message, ==,
                   "h.csv:1: unknown column (not shown: it looks like data; is the header row "
                   "missing?)");

  g_string_free (doc, TRUE);
}

static void
test_json_deep (void)
{
  gsize len = 10 * 1024 * 1024;
  g_autofree char *doc = g_malloc (len);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  memset (doc, '[', len);
  doc[1] = '{';
  result = ag_import_parse_json ("deep.json", doc, len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "deep.json:1: values nested too deeply");
}

/* Three million empty objects: refused at the first one, never held in memory at once. */
static void
test_json_many_elements (void)
{
  GString *doc = g_string_new ("[");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  for (guint i = 0; i < 3000000; i++)
    g_string_append (doc, "{},\n");
  g_string_append (doc, "{}]");

  result = ag_import_parse_json ("many.json", doc->str, doc->len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, "many.json:1: id: missing");

  g_string_free (doc, TRUE);
}

static void
test_json_long_string (void)
{
  GString *doc = g_string_new ("[{\"id\": \"c1\", \"name\": \"Ana\",\n \"notes\": \"");
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  for (guint i = 0; i < 10 * 1024 * 1024; i++)
    g_string_append_c (doc, 'n');
  g_string_append (doc, "\"}]");

  result = ag_import_parse_json ("long.json", doc->str, doc->len, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_INVALID_VALUE);
  g_assert_cmpstr (error->message, ==, "long.json:1: notes: value too long");

  g_string_free (doc, TRUE);
}

static void
test_nul_byte (void)
{
  const char doc[] = HEADER "c1,A\0na,\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  result = ag_import_parse_csv ("nul.csv", doc, sizeof doc - 1, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_ENCODING);
  g_assert_cmpstr (error->message, ==, "nul.csv:2: invalid UTF-8");
}

static void
test_load_file (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ag-import-XXXXXX", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "people.CSV", NULL);
  g_autofree char *json_path = g_build_filename (dir, "people.json", NULL);
  g_autofree char *txt_path = g_build_filename (dir, "people.txt", NULL);
  g_autofree char *missing_path = g_build_filename (dir, "missing.csv", NULL);
  g_autoptr (GFile) csv = g_file_new_for_path (csv_path);
  g_autoptr (GFile) json = g_file_new_for_path (json_path);
  g_autoptr (GFile) txt = g_file_new_for_path (txt_path);
  g_autoptr (GFile) missing = g_file_new_for_path (missing_path);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) result = NULL;

  g_assert_true (g_file_set_contents (csv_path, "id,name\nc1,Ana\n", -1, NULL));
  g_assert_true (g_file_set_contents (json_path, "[{\"id\":\"c1\",\"name\":\"Ana\"}]", -1, NULL));
  g_assert_true (g_file_set_contents (txt_path, "id,name\nc1,Ana\n", -1, NULL));

  result = ag_import_load_file (csv, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 1);
  g_clear_pointer (&result, g_ptr_array_unref);

  result = ag_import_load_file_full (json, "x/people.json", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->len, ==, 1);
  g_clear_pointer (&result, g_ptr_array_unref);

  result = ag_import_load_file_full (txt, "people.txt", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_UNSUPPORTED_FORMAT);
  g_assert_true (g_str_has_prefix (error->message, "people.txt: "));
  g_clear_error (&error);

  result = ag_import_load_file_full (missing, "missing.csv", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "missing.csv: "));
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (csv_path, "id,name\nc1,\"Ana\n", -1, NULL));
  result = ag_import_load_file_full (csv, "people.CSV", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, AG_IMPORT_ERROR, AG_IMPORT_ERROR_SYNTAX);
  g_assert_cmpstr (error->message, ==, "people.CSV:2: unterminated quoted field");

  g_unlink (csv_path);
  g_unlink (json_path);
  g_unlink (txt_path);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/import/bad/%s", bad_cases[i].test_name);

      g_test_add_data_func (path, &bad_cases[i], test_bad);
    }
  g_test_add_func ("/import/csv/good", test_csv_good);
  g_test_add_func ("/import/csv/header-only", test_csv_header_only);
  g_test_add_func ("/import/csv/long-line", test_csv_long_line);
  g_test_add_func ("/import/csv/many-columns", test_csv_many_columns);
  g_test_add_func ("/import/csv/long-header", test_csv_long_header);
  g_test_add_func ("/import/csv/long-header-utf8", test_csv_long_header_utf8);
  g_test_add_func ("/import/csv/nul-byte", test_nul_byte);
  g_test_add_func ("/import/json/good", test_json_good);
  g_test_add_func ("/import/json/empty-array", test_json_empty_array);
  g_test_add_func ("/import/json/deep", test_json_deep);
  g_test_add_func ("/import/json/long-string", test_json_long_string);
  g_test_add_func ("/import/json/many-elements", test_json_many_elements);
  g_test_add_func ("/import/load-file", test_load_file);

  return g_test_run ();
}
