/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-pii"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ag-pii.h"

/* Limits, in characters unless named otherwise. */
#define NAME_MAX_CHARS    200
#define ADDRESS_MAX_CHARS 500
#define NOTES_MAX_CHARS   4000
#define EMAIL_MAX_BYTES   254
#define EMAIL_LOCAL_MAX   64
#define EMAIL_LABEL_MAX   63
#define BANK_MIN_CHARS    5
#define BANK_MAX_CHARS    40
#define BANK_MIN_DIGITS   5
#define RG_MIN_CHARS      5
#define RG_MAX_CHARS      14
#define CARD_MIN_DIGITS   12
#define CARD_MAX_DIGITS   19
#define E164_MIN_DIGITS   8
#define E164_MAX_DIGITS   15

/* The mask of free text never depends on the text, not even on its length. */
#define NOTES_MASK "••••••"

static const struct
{
  const char *name;
  const char *label;
} kinds[AG_PII_N_KINDS] = {
  [AG_PII_KIND_NAME] = { "name", N_("Name") },
  [AG_PII_KIND_CPF] = { "cpf", N_("CPF") },
  [AG_PII_KIND_CNPJ] = { "cnpj", N_("CNPJ") },
  [AG_PII_KIND_RG] = { "rg", N_("RG") },
  [AG_PII_KIND_BIRTH_DATE] = { "birth_date", N_("Birth date") },
  [AG_PII_KIND_PHONE] = { "phone", N_("Phone") },
  [AG_PII_KIND_EMAIL] = { "email", N_("E-mail") },
  [AG_PII_KIND_ADDRESS] = { "address", N_("Address") },
  [AG_PII_KIND_CARD_NUMBER] = { "card_number", N_("Card number") },
  [AG_PII_KIND_BANK_ACCOUNT] = { "bank_account", N_("Bank account") },
  [AG_PII_KIND_PIX_KEY] = { "pix_key", N_("PIX key") },
  [AG_PII_KIND_NOTES] = { "notes", N_("Notes") },
};

/* The Brazilian area codes (DDD) in use, as ANATEL lists them. */
static const guint8 valid_ddds[] = {
  11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42,
  43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74,
  75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
};

/* The 27 federative units, for recognising the end of an address. */
static const char *const brazilian_ufs[] = {
  "AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA",
  "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO",
};

GQuark
ag_pii_error_quark (void)
{
  return g_quark_from_static_string ("ag-pii-error-quark");
}

/**
 * ag_pii_kind_to_string:
 * @kind: a kind
 *
 * Returns: the stable string form of @kind (`cpf`, `birth_date`…)
 */
const char *
ag_pii_kind_to_string (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);

  return kinds[kind].name;
}

/**
 * ag_pii_kind_from_string:
 * @str: a string form, as ag_pii_kind_to_string() gives
 * @out_kind: (out) (optional): the kind
 *
 * Returns: %TRUE if @str names a kind
 */
gboolean
ag_pii_kind_from_string (const char *str, AgPiiKind *out_kind)
{
  g_return_val_if_fail (str != NULL, FALSE);

  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    {
      if (strcmp (str, kinds[i].name) == 0)
        {
          if (out_kind != NULL)
            *out_kind = (AgPiiKind) i;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * ag_pii_kind_get_label:
 * @kind: a kind
 *
 * Returns: the translated, human-readable name of @kind
 */
const char *
ag_pii_kind_get_label (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);

  return _(kinds[kind].label);
}

/**
 * ag_pii_kind_is_searchable:
 * @kind: a kind
 *
 * Returns: %TRUE if customers can be found by the exact value of @kind
 */
gboolean
ag_pii_kind_is_searchable (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, FALSE);

  return kind == AG_PII_KIND_CPF || kind == AG_PII_KIND_CNPJ || kind == AG_PII_KIND_PHONE
         || kind == AG_PII_KIND_EMAIL;
}

/**
 * ag_pii_kind_is_identifier:
 * @kind: a kind
 *
 * The identifiers are the kinds whose value names one person or account: CPF, CNPJ,
 * phone, e-mail, card number, bank account and PIX key. A search by one is an access:
 * a mask leaves few enough candidates to try them all.
 *
 * Returns: %TRUE if @kind is an identifier
 */
gboolean
ag_pii_kind_is_identifier (AgPiiKind kind)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, FALSE);

  return kind == AG_PII_KIND_CPF || kind == AG_PII_KIND_CNPJ || kind == AG_PII_KIND_PHONE
         || kind == AG_PII_KIND_EMAIL || kind == AG_PII_KIND_CARD_NUMBER
         || kind == AG_PII_KIND_BANK_ACCOUNT || kind == AG_PII_KIND_PIX_KEY;
}

/**
 * ag_pii_identifier_kinds:
 * @query: a search query
 *
 * A bank account counts only written with its agency (`0001 12345-6`, `1234/123456-X`):
 * a bare run of digits and dashes is also what customer ids often look like, and no
 * search finds a customer by bank account, so it cannot serve as an oracle.
 *
 * Returns: a bit (`1 << kind`) for each identifier kind that @query is a valid value of;
 *   0 for a name, a customer id, or anything no identifier accepts
 */
guint
ag_pii_identifier_kinds (const char *query)
{
  g_autofree char *trimmed = NULL;
  gboolean with_agency;
  guint found = 0;

  g_return_val_if_fail (query != NULL, 0);

  trimmed = g_strstrip (g_strdup (query));
  with_agency = strpbrk (trimmed, " /") != NULL;
  explicit_bzero (trimmed, strlen (trimmed));

  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_autofree char *normalized = NULL;

      if (!ag_pii_kind_is_identifier (kind))
        continue;
      if (kind == AG_PII_KIND_BANK_ACCOUNT && !with_agency)
        continue;
      normalized = ag_pii_normalize (kind, query, NULL);
      if (normalized == NULL)
        continue;
      found |= 1u << kind;
      explicit_bzero (normalized, strlen (normalized));
    }

  return found;
}

/* Helpers. */

static inline gboolean
is_ascii_digit (char c)
{
  return c >= '0' && c <= '9';
}

static gboolean
all_ascii_digits (const char *str, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!is_ascii_digit (str[i]))
      return FALSE;
  return TRUE;
}

static gboolean
all_same (const char *str, gsize len)
{
  for (gsize i = 1; i < len; i++)
    if (str[i] != str[0])
      return FALSE;
  return TRUE;
}

static void
set_error (GError **error, AgPiiKind kind, AgPiiError code, const char *problem)
{
  /* The message names the kind and the problem, never the value. */
  g_set_error (error, AG_PII_ERROR, code, "%s: %s", kinds[kind].name, problem);
}

/* Refuses over-long and invalid UTF-8 input, trims surrounding ASCII and Unicode white
 * space, and refuses what is left empty. Returns a newly allocated copy of what is left. */
static char *
prepare (AgPiiKind kind, const char *input, GError **error)
{
  const char *start, *end;
  gsize len;

  len = strnlen (input, AG_PII_MAX_INPUT + 1);
  if (len > AG_PII_MAX_INPUT)
    {
      set_error (error, kind, AG_PII_ERROR_TOO_LONG, "input is too long");
      return NULL;
    }
  if (!g_utf8_validate (input, len, NULL))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "input is not valid UTF-8");
      return NULL;
    }

  start = input;
  end = input + len;
  while (start < end && g_unichar_isspace (g_utf8_get_char (start)))
    start = g_utf8_next_char (start);
  while (end > start)
    {
      const char *prev = g_utf8_find_prev_char (start, end);

      if (prev == NULL || !g_unichar_isspace (g_utf8_get_char (prev)))
        break;
      end = prev;
    }

  if (start == end)
    {
      set_error (error, kind, AG_PII_ERROR_EMPTY, "value is empty");
      return NULL;
    }

  return g_strndup (start, end - start);
}

/* Keeps the ASCII characters of @str that are in @keep, drops those in @drop, and refuses
 * anything else (Unicode digits and look-alikes included). Letters are uppercased when
 * @letters is set. Returns the kept characters, or NULL with @error set. */
static char *
filter_ascii (AgPiiKind kind, const char *str, gboolean letters, const char *drop, GError **error)
{
  GString *out = g_string_sized_new (32);

  for (const char *p = str; *p != '\0'; p++)
    {
      char c = *p;

      if (is_ascii_digit (c))
        g_string_append_c (out, c);
      else if (letters && g_ascii_isalpha (c))
        g_string_append_c (out, g_ascii_toupper (c));
      else if (strchr (drop, c) == NULL)
        {
          g_string_free (out, TRUE);
          set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "unexpected character");
          return NULL;
        }
    }

  return g_string_free (out, FALSE);
}

/* Bidirectional and invisible formatting characters that could make a value display as
 * something else; refused in text kinds alongside control characters. */
static gboolean
is_refused_format_char (gunichar c)
{
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E || c == 0x200F
         || c == 0x061C || c == 0xFEFF;
}

static gboolean
needs_nfc (const char *str)
{
  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    if (*p >= 0xCC)
      return TRUE;
  return FALSE;
}

/* Normalises free text: NFC, no control characters, white space runs collapsed to one
 * space, unless @multiline, in which case newlines and tabs are kept as they are (CR LF
 * and lone CR become LF). */
static char *
normalize_text (AgPiiKind kind, const char *input, guint max_chars, gboolean multiline,
                GError **error)
{
  g_autofree char *trimmed = NULL;
  g_autofree char *nfc = NULL;
  GString *out;
  gboolean pending_space = FALSE;
  guint n_chars = 0;

  trimmed = prepare (kind, input, error);
  if (trimmed == NULL)
    return NULL;

  /* Text made only of code points below U+0300 (lead bytes below 0xCC), as Portuguese
   * usually is, is already in NFC: there are no combining marks or decomposable
   * characters down there. Normalising costs microseconds, and imports are large. */
  if (needs_nfc (trimmed))
    {
      nfc = g_utf8_normalize (trimmed, -1, G_NORMALIZE_NFC);
      if (nfc == NULL)
        {
          set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "input is not valid UTF-8");
          return NULL;
        }
    }
  else
    nfc = g_steal_pointer (&trimmed);

  out = g_string_sized_new (strlen (nfc));
  for (const char *p = nfc; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c;

      /* Printable ASCII needs no more thought. */
      if (*p > ' ' && *p < 0x7F)
        {
          if (pending_space)
            {
              g_string_append_c (out, ' ');
              n_chars++;
              pending_space = FALSE;
            }
          g_string_append_c (out, *p);
          n_chars++;
          continue;
        }

      c = g_utf8_get_char (p);

      if (multiline && (c == '\n' || c == '\r' || c == '\t'))
        {
          if (c == '\r')
            {
              if (p[1] == '\n')
                p++;
              c = '\n';
            }
          if (pending_space)
            {
              g_string_append_c (out, ' ');
              n_chars++;
              pending_space = FALSE;
            }
          g_string_append_c (out, (char) c);
          n_chars++;
          continue;
        }

      if (g_unichar_isspace (c))
        {
          pending_space = TRUE;
          continue;
        }

      if (g_unichar_iscntrl (c) || is_refused_format_char (c))
        {
          g_string_free (out, TRUE);
          set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "control character");
          return NULL;
        }

      if (pending_space)
        {
          g_string_append_c (out, ' ');
          n_chars++;
          pending_space = FALSE;
        }
      g_string_append_unichar (out, c);
      n_chars++;
    }

  if (n_chars > max_chars || out->len > AG_PII_MAX_INPUT)
    {
      g_string_free (out, TRUE);
      set_error (error, kind, AG_PII_ERROR_TOO_LONG, "value is too long");
      return NULL;
    }

  return g_string_free (out, FALSE);
}

/* CPF. */

/**
 * ag_pii_cpf_check_digit:
 * @digits: at least @n ASCII digits
 * @n: 9 for the first check digit, 10 for the second
 *
 * Returns: the CPF check digit that follows the first @n digits, as a character
 */
char
ag_pii_cpf_check_digit (const char *digits, guint n)
{
  guint sum = 0;

  g_return_val_if_fail (digits != NULL && (n == 9 || n == 10), '0');

  for (guint i = 0; i < n; i++)
    sum += (guint) (digits[i] - '0') * (n + 1 - i);
  return (char) ('0' + (sum * 10) % 11 % 10);
}

static gboolean
cpf_digits_ok (const char *d)
{
  if (all_same (d, 11))
    return FALSE;
  return ag_pii_cpf_check_digit (d, 9) == d[9] && ag_pii_cpf_check_digit (d, 10) == d[10];
}

/**
 * ag_pii_cpf_is_valid:
 * @digits: a CPF in canonical form, 11 ASCII digits
 *
 * Returns: %TRUE if @digits is 11 digits, not all the same, with correct check digits
 */
gboolean
ag_pii_cpf_is_valid (const char *digits)
{
  g_return_val_if_fail (digits != NULL, FALSE);

  return strlen (digits) == 11 && all_ascii_digits (digits, 11) && cpf_digits_ok (digits);
}

static char *
normalize_cpf (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *digits = filter_ascii (kind, trimmed, FALSE, ".- ", error);

  if (digits == NULL)
    return NULL;
  if (strlen (digits) != 11)
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH, "a CPF has 11 digits");
      return NULL;
    }
  if (all_same (digits, 11))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS,
                 "a CPF with all digits the same is not valid");
      return NULL;
    }
  if (!cpf_digits_ok (digits))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS, "wrong CPF check digits");
      return NULL;
    }

  return g_steal_pointer (&digits);
}

static gboolean
is_cpf_shape (const char *s)
{
  return strlen (s) == 11 && all_ascii_digits (s, 11);
}

/* CNPJ, numeric or alphanumeric (from July 2026): 12 characters [0-9A-Z] and two numeric
 * check digits; the value of each character is its ASCII code minus 48. */

/**
 * ag_pii_cnpj_check_digit:
 * @chars: at least @n characters [0-9A-Z]
 * @n: 12 for the first check digit, 13 for the second
 *
 * Returns: the CNPJ check digit that follows the first @n characters, as a character
 */
char
ag_pii_cnpj_check_digit (const char *chars, guint n)
{
  guint sum = 0, weight = 2;

  g_return_val_if_fail (chars != NULL && (n == 12 || n == 13), '0');

  for (guint i = n; i > 0; i--)
    {
      sum += (guint) (chars[i - 1] - '0') * weight;
      weight = weight == 9 ? 2 : weight + 1;
    }
  sum %= 11;
  return (char) ('0' + (sum < 2 ? 0 : 11 - sum));
}

static gboolean
is_cnpj_shape (const char *s)
{
  if (strlen (s) != 14)
    return FALSE;
  for (guint i = 0; i < 12; i++)
    if (!is_ascii_digit (s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
      return FALSE;
  return is_ascii_digit (s[12]) && is_ascii_digit (s[13]);
}

static gboolean
cnpj_chars_ok (const char *c)
{
  if (all_same (c, 14))
    return FALSE;
  return ag_pii_cnpj_check_digit (c, 12) == c[12] && ag_pii_cnpj_check_digit (c, 13) == c[13];
}

/**
 * ag_pii_cnpj_is_valid:
 * @chars: a CNPJ in canonical form: 12 characters [0-9A-Z] then 2 digits
 *
 * Returns: %TRUE if @chars has that shape, is not all the same, with correct check digits
 */
gboolean
ag_pii_cnpj_is_valid (const char *chars)
{
  g_return_val_if_fail (chars != NULL, FALSE);

  return is_cnpj_shape (chars) && cnpj_chars_ok (chars);
}

static char *
normalize_cnpj (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *chars = filter_ascii (kind, trimmed, TRUE, "./- ", error);

  if (chars == NULL)
    return NULL;
  if (strlen (chars) != 14)
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH, "a CNPJ has 14 characters");
      return NULL;
    }
  if (!is_cnpj_shape (chars))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                 "the two check digits of a CNPJ are numeric");
      return NULL;
    }
  if (all_same (chars, 14))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS,
                 "a CNPJ with all digits the same is not valid");
      return NULL;
    }
  if (!cnpj_chars_ok (chars))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS, "wrong CNPJ check digits");
      return NULL;
    }

  return g_steal_pointer (&chars);
}

/* RG: the format varies per state; 5 to 14 digits with an optional final X. */

static gboolean
is_rg_shape (const char *s)
{
  gsize len = strlen (s);

  if (len < RG_MIN_CHARS || len > RG_MAX_CHARS)
    return FALSE;
  if (!all_ascii_digits (s, len - 1))
    return FALSE;
  return is_ascii_digit (s[len - 1]) || s[len - 1] == 'X';
}

static char *
normalize_rg (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *chars = NULL;
  gsize len;

  for (const char *p = trimmed; *p != '\0'; p++)
    if (*p != 'x' && *p != 'X' && !is_ascii_digit (*p) && !strchr (".- ", *p))
      {
        set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "unexpected character");
        return NULL;
      }

  chars = filter_ascii (kind, trimmed, TRUE, ".- ", error);
  if (chars == NULL)
    return NULL;
  len = strlen (chars);
  if (len < RG_MIN_CHARS || len > RG_MAX_CHARS)
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH, "an RG has 5 to 14 characters");
      return NULL;
    }
  if (!is_rg_shape (chars))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                 "only the last character of an RG may be X");
      return NULL;
    }

  return g_steal_pointer (&chars);
}

/* Birth date. */

static gboolean
parse_date (const char *s, GDateYear *year, GDateMonth *month, GDateDay *day)
{
  guint y, m, d;

  if (strlen (s) != 10)
    return FALSE;

  if (s[4] == '-' && s[7] == '-' && all_ascii_digits (s, 4) && all_ascii_digits (s + 5, 2)
      && all_ascii_digits (s + 8, 2))
    {
      y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
      m = (s[5] - '0') * 10 + (s[6] - '0');
      d = (s[8] - '0') * 10 + (s[9] - '0');
    }
  else if (s[2] == '/' && s[5] == '/' && all_ascii_digits (s, 2) && all_ascii_digits (s + 3, 2)
           && all_ascii_digits (s + 6, 4))
    {
      d = (s[0] - '0') * 10 + (s[1] - '0');
      m = (s[3] - '0') * 10 + (s[4] - '0');
      y = (s[6] - '0') * 1000 + (s[7] - '0') * 100 + (s[8] - '0') * 10 + (s[9] - '0');
    }
  else
    return FALSE;

  *year = y;
  *month = m;
  *day = d;
  return TRUE;
}

/* Today's local date as YYYYMMDD. Looking up the local time zone costs a few system
 * calls, which made date-heavy imports three times slower, so the answer is kept for
 * up to a second. */
static int
today_as_number (void)
{
  static GMutex mutex;
  static gint64 computed_at;
  static int today;
  gint64 now_us = g_get_monotonic_time ();
  int result;

  g_mutex_lock (&mutex);
  if (computed_at == 0 || now_us - computed_at >= G_USEC_PER_SEC)
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();

      today = g_date_time_get_year (now) * 10000 + g_date_time_get_month (now) * 100
              + g_date_time_get_day_of_month (now);
      computed_at = now_us;
    }
  result = today;
  g_mutex_unlock (&mutex);

  return result;
}

static char *
normalize_birth_date (AgPiiKind kind, const char *trimmed, GError **error)
{
  GDateYear year;
  GDateMonth month;
  GDateDay day;

  if (!parse_date (trimmed, &year, &month, &day))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                 "expected a date as YYYY-MM-DD or DD/MM/YYYY");
      return NULL;
    }
  if (year < 1900 || !g_date_valid_dmy (day, month, year))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_DATE, "not a valid date");
      return NULL;
    }

  if ((int) year * 10000 + (int) month * 100 + (int) day > today_as_number ())
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_DATE, "date is in the future");
      return NULL;
    }

  return g_strdup_printf ("%04u-%02u-%02u", (guint) year, (guint) month, (guint) day);
}

/* Phone, canonically E.164. */

static gboolean
is_valid_ddd (guint ddd)
{
  for (guint i = 0; i < G_N_ELEMENTS (valid_ddds); i++)
    if (valid_ddds[i] == ddd)
      return TRUE;
  return FALSE;
}

/* @national is the Brazilian national number: DDD then subscriber number. */
static gboolean
is_brazilian_national (const char *national)
{
  gsize len = strlen (national);

  if ((len != 10 && len != 11) || !all_ascii_digits (national, len))
    return FALSE;
  if (!is_valid_ddd ((guint) (national[0] - '0') * 10 + (guint) (national[1] - '0')))
    return FALSE;
  if (len == 11)
    return national[2] == '9';
  return national[2] >= '2' && national[2] <= '5';
}

static char *
normalize_phone (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *digits = NULL;
  gboolean international = trimmed[0] == '+';
  gsize len;

  digits = filter_ascii (kind, international ? trimmed + 1 : trimmed, FALSE, " ()-.", error);
  if (digits == NULL)
    return NULL;
  len = strlen (digits);

  if (!international)
    {
      /* An optional trunk prefix 0, or the country code without its plus. */
      if (len == 11 && digits[0] == '0')
        return normalize_phone (kind, digits + 1, error);
      if ((len == 12 || len == 13) && g_str_has_prefix (digits, "55"))
        international = TRUE;
      else if (len == 10 || len == 11)
        {
          if (!is_brazilian_national (digits))
            {
              set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                         "not a valid Brazilian phone number");
              return NULL;
            }
          return g_strconcat ("+55", digits, NULL);
        }
      else if (len == 12 && digits[0] == '0')
        return normalize_phone (kind, digits + 1, error);
      else
        {
          set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                     "a Brazilian phone number has 10 or 11 digits with the area code");
          return NULL;
        }
    }

  if (len < E164_MIN_DIGITS || len > E164_MAX_DIGITS)
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                 "an international number has 8 to 15 digits");
      return NULL;
    }
  if (digits[0] == '0')
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT, "a country code never starts with 0");
      return NULL;
    }
  if (g_str_has_prefix (digits, "55") && !is_brazilian_national (digits + 2))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT, "not a valid Brazilian phone number");
      return NULL;
    }

  return g_strconcat ("+", digits, NULL);
}

static gboolean
is_phone_shape (const char *s)
{
  gsize len = strlen (s);

  if (s[0] != '+' || len < 1 + E164_MIN_DIGITS || len > 1 + E164_MAX_DIGITS)
    return FALSE;
  return all_ascii_digits (s + 1, len - 1);
}

static gboolean
is_brazilian_phone (const char *canonical)
{
  return g_str_has_prefix (canonical, "+55") && is_brazilian_national (canonical + 3);
}

/* E-mail. */

static gboolean
is_atext (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr ("!#$%&'*+/=?^_`{|}~-", c) != NULL);
}

static gboolean
is_valid_domain (const char *domain)
{
  gsize label_len = 0;
  guint n_dots = 0;
  char prev = '.';

  if (*domain == '\0')
    return FALSE;

  for (const char *p = domain; *p != '\0'; p++)
    {
      if (*p == '.')
        {
          if (prev == '.' || prev == '-')
            return FALSE;
          n_dots++;
          label_len = 0;
        }
      else if (g_ascii_isalnum (*p) || *p == '-')
        {
          if (*p == '-' && prev == '.')
            return FALSE;
          if (++label_len > EMAIL_LABEL_MAX)
            return FALSE;
        }
      else
        return FALSE;
      prev = *p;
    }

  return n_dots > 0 && prev != '.' && prev != '-';
}

static char *
normalize_email (AgPiiKind kind, const char *trimmed, GError **error)
{
  const char *at;
  gsize len, local_len;

  len = strlen (trimmed);
  if (len > EMAIL_MAX_BYTES)
    {
      set_error (error, kind, AG_PII_ERROR_TOO_LONG, "an e-mail address has at most 254 bytes");
      return NULL;
    }

  at = strchr (trimmed, '@');
  if (at == NULL || strchr (at + 1, '@') != NULL)
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT, "an e-mail address has exactly one @");
      return NULL;
    }

  local_len = at - trimmed;
  if (local_len == 0 || local_len > EMAIL_LOCAL_MAX)
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                 "the part before @ has 1 to 64 characters");
      return NULL;
    }
  for (gsize i = 0; i < local_len; i++)
    {
      char c = trimmed[i];

      if (c == '.')
        {
          if (i == 0 || i == local_len - 1 || trimmed[i - 1] == '.')
            {
              set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT, "misplaced dot before the @");
              return NULL;
            }
        }
      else if (!is_atext (c))
        {
          set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER,
                     "unexpected character before the @");
          return NULL;
        }
    }

  if (!is_valid_domain (at + 1))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT, "not a valid domain after the @");
      return NULL;
    }

  return g_ascii_strdown (trimmed, -1);
}

/* Payment card number. */

/* The Luhn sum of @len digits, doubling every second one from the right starting at the
 * rightmost when @payload (the check digit is still to come), else at the one before. */
static guint
luhn_sum (const char *digits, gsize len, gboolean payload)
{
  guint sum = 0;

  for (gsize i = 0; i < len; i++)
    {
      guint d = (guint) (digits[len - 1 - i] - '0');

      if (i % 2 == (payload ? 0 : 1))
        {
          d *= 2;
          if (d > 9)
            d -= 9;
        }
      sum += d;
    }
  return sum;
}

/**
 * ag_pii_luhn_check_digit:
 * @payload: @len ASCII digits
 * @len: how many
 *
 * Returns: the Luhn check digit that makes @payload followed by it valid, as a character
 */
char
ag_pii_luhn_check_digit (const char *payload, gsize len)
{
  g_return_val_if_fail (payload != NULL, '0');

  return (char) ('0' + (10 - luhn_sum (payload, len, TRUE) % 10) % 10);
}

/**
 * ag_pii_luhn_is_valid:
 * @digits: ASCII digits only
 *
 * Returns: %TRUE if @digits is a non-empty string of digits whose Luhn checksum is right
 */
gboolean
ag_pii_luhn_is_valid (const char *digits)
{
  gsize len;

  g_return_val_if_fail (digits != NULL, FALSE);

  len = strlen (digits);
  if (len == 0 || !all_ascii_digits (digits, len))
    return FALSE;
  return luhn_sum (digits, len, FALSE) % 10 == 0;
}

static char *
normalize_card (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *digits = filter_ascii (kind, trimmed, FALSE, " -", error);
  gsize len;

  if (digits == NULL)
    return NULL;
  len = strlen (digits);
  if (len < CARD_MIN_DIGITS || len > CARD_MAX_DIGITS)
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH, "a card number has 12 to 19 digits");
      return NULL;
    }
  if (!ag_pii_luhn_is_valid (digits))
    {
      set_error (error, kind, AG_PII_ERROR_INVALID_CHECK_DIGITS, "wrong card check digit");
      return NULL;
    }

  return g_steal_pointer (&digits);
}

static gboolean
is_card_shape (const char *s)
{
  gsize len = strlen (s);

  return len >= CARD_MIN_DIGITS && len <= CARD_MAX_DIGITS && all_ascii_digits (s, len);
}

/* Bank account: Brazilian agency and account, such as `0001 12345-6` or `1234/123456-X`. */

static char *
normalize_bank_account (AgPiiKind kind, const char *trimmed, GError **error)
{
  GString *out = g_string_sized_new (BANK_MAX_CHARS);
  guint n_digits = 0;

  for (const char *p = trimmed; *p != '\0'; p++)
    {
      char c = *p;

      if (c == ' ')
        {
          if (out->len > 0 && out->str[out->len - 1] != ' ')
            g_string_append_c (out, ' ');
          continue;
        }
      if (is_ascii_digit (c))
        n_digits++;
      else if (c != 'X' && c != 'x' && c != '-' && c != '/' && c != '.')
        {
          g_string_free (out, TRUE);
          set_error (error, kind, AG_PII_ERROR_INVALID_CHARACTER, "unexpected character");
          return NULL;
        }
      g_string_append_c (out, g_ascii_toupper (c));
    }

  if (out->len < BANK_MIN_CHARS || out->len > BANK_MAX_CHARS || n_digits < BANK_MIN_DIGITS)
    {
      g_string_free (out, TRUE);
      set_error (error, kind, AG_PII_ERROR_INVALID_LENGTH,
                 "a bank account has 5 to 40 characters, at least 5 of them digits");
      return NULL;
    }

  return g_string_free (out, FALSE);
}

static gboolean
is_bank_shape (const char *s)
{
  gsize len = strlen (s);

  if (len < BANK_MIN_CHARS || len > BANK_MAX_CHARS)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!is_ascii_digit (s[i]) && strchr ("X-/. ", s[i]) == NULL)
      return FALSE;
  return TRUE;
}

/* PIX key. */

static gboolean
is_uuid_shape (const char *s, gboolean lowercase_only)
{
  if (strlen (s) != 36)
    return FALSE;
  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        {
          if (s[i] != '-')
            return FALSE;
        }
      else if (!g_ascii_isxdigit (s[i]) || (lowercase_only && g_ascii_isupper (s[i])))
        return FALSE;
    }
  return TRUE;
}

static char *
normalize_pix_key (AgPiiKind kind, const char *trimmed, GError **error)
{
  g_autofree char *compact = NULL;
  gsize len;

  if (strchr (trimmed, '@') != NULL)
    return normalize_email (kind, trimmed, error);
  if (is_uuid_shape (trimmed, FALSE))
    return g_ascii_strdown (trimmed, -1);
  if (trimmed[0] == '+')
    {
      char *phone = normalize_phone (kind, trimmed, error);

      if (phone != NULL && !g_str_has_prefix (phone, "+55"))
        {
          g_free (phone);
          set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
                     "a PIX phone key is a Brazilian number");
          return NULL;
        }
      return phone;
    }

  compact = filter_ascii (kind, trimmed, TRUE, "./- ", error);
  if (compact == NULL)
    return NULL;
  len = strlen (compact);
  if (len == 11)
    return normalize_cpf (kind, trimmed, error);
  if (len == 14)
    return normalize_cnpj (kind, trimmed, error);

  set_error (error, kind, AG_PII_ERROR_INVALID_FORMAT,
             "a PIX key is a CPF, CNPJ, +55 phone number, e-mail address or random key");
  return NULL;
}

/**
 * ag_pii_normalize:
 * @kind: the kind of @input
 * @input: what was typed or imported
 * @error: return location for an error in %AG_PII_ERROR
 *
 * Validates @input as a value of @kind and returns its canonical form: the form stored,
 * compared and searched. Surrounding white space (ASCII or Unicode) is ignored. Input
 * longer than %AG_PII_MAX_INPUT bytes or not valid UTF-8 is refused unread. Error
 * messages name the kind and the problem, never the value.
 *
 * Returns: (transfer full): the canonical value, or %NULL with @error set
 */
char *
ag_pii_normalize (AgPiiKind kind, const char *input, GError **error)
{
  g_autofree char *trimmed = NULL;

  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (input != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch (kind)
    {
      case AG_PII_KIND_NAME:
        return normalize_text (kind, input, NAME_MAX_CHARS, FALSE, error);
      case AG_PII_KIND_ADDRESS:
        return normalize_text (kind, input, ADDRESS_MAX_CHARS, FALSE, error);
      case AG_PII_KIND_NOTES:
        return normalize_text (kind, input, NOTES_MAX_CHARS, TRUE, error);
      default:
        break;
    }

  trimmed = prepare (kind, input, error);
  if (trimmed == NULL)
    return NULL;

  switch (kind)
    {
      case AG_PII_KIND_CPF:
        return normalize_cpf (kind, trimmed, error);
      case AG_PII_KIND_CNPJ:
        return normalize_cnpj (kind, trimmed, error);
      case AG_PII_KIND_RG:
        return normalize_rg (kind, trimmed, error);
      case AG_PII_KIND_BIRTH_DATE:
        return normalize_birth_date (kind, trimmed, error);
      case AG_PII_KIND_PHONE:
        return normalize_phone (kind, trimmed, error);
      case AG_PII_KIND_EMAIL:
        return normalize_email (kind, trimmed, error);
      case AG_PII_KIND_CARD_NUMBER:
        return normalize_card (kind, trimmed, error);
      case AG_PII_KIND_BANK_ACCOUNT:
        return normalize_bank_account (kind, trimmed, error);
      case AG_PII_KIND_PIX_KEY:
        return normalize_pix_key (kind, trimmed, error);
      case AG_PII_KIND_NAME:
      case AG_PII_KIND_ADDRESS:
      case AG_PII_KIND_NOTES:
      case AG_PII_N_KINDS:
      default:
        g_assert_not_reached ();
    }
}

/* Masks. Each mask depends only on what it shows; a value that is not in canonical form
 * gets a mask that shows nothing. */

#define NOTHING_SHOWN "***"

static char *
mask_cpf (const char *s)
{
  if (!is_cpf_shape (s))
    return g_strdup (NOTHING_SHOWN);
  return g_strdup_printf ("***.%.3s.%.3s-**", s + 3, s + 6);
}

static char *
mask_cnpj (const char *s)
{
  if (!is_cnpj_shape (s))
    return g_strdup (NOTHING_SHOWN);
  return g_strdup_printf ("**.***.***/%.4s-**", s + 8);
}

static char *
mask_phone (const char *s)
{
  gsize len;

  if (!is_phone_shape (s))
    return g_strdup (NOTHING_SHOWN);

  len = strlen (s);
  if (is_brazilian_phone (s))
    return g_strdup_printf (len == 14 ? "(**) *****-%s" : "(**) ****-%s", s + len - 4);
  return g_strdup_printf ("+** *******%s", s + len - 4);
}

static char *
mask_email (const char *s)
{
  const char *at = strchr (s, '@');

  if (at == NULL || at == s)
    return g_strdup (NOTHING_SHOWN);
  /* A one-character local part would be shown whole. */
  if (at - s == 1)
    return g_strconcat ("***", at, NULL);
  return g_strdup_printf ("%c***%s", s[0], at);
}

static gboolean
is_uf (const char *s, gsize len)
{
  if (len != 2)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (brazilian_ufs); i++)
    if (s[0] == brazilian_ufs[i][0] && s[1] == brazilian_ufs[i][1])
      return TRUE;
  return FALSE;
}

static gboolean
is_cep (const char *s, gsize len)
{
  if (len == 8)
    return all_ascii_digits (s, 8);
  return len == 9 && all_ascii_digits (s, 5) && s[5] == '-' && all_ascii_digits (s + 6, 3);
}

/* Shows the city and state of an address that ends as `…, City - UF` or
 * `…, City - UF, 01234-567`, and nothing else. */
static char *
mask_address (const char *s)
{
  gsize len = strlen (s);
  const char *end = s + len;
  const char *comma, *city;

  /* Drop a final CEP. */
  comma = g_strrstr_len (s, len, ", ");
  if (comma != NULL && is_cep (comma + 2, end - (comma + 2)))
    end = comma;

  /* Then `City - UF` after the last comma before it. */
  if (end - s < 5 || !is_uf (end - 2, 2) || memcmp (end - 5, " - ", 3) != 0)
    return g_strdup (NOTHING_SHOWN);
  comma = g_strrstr_len (s, end - 5 - s, ", ");
  if (comma == NULL || comma == s)
    return g_strdup (NOTHING_SHOWN);
  city = comma + 2;
  if (city >= end - 5)
    return g_strdup (NOTHING_SHOWN);

  /* What stands there must look like a city: no house or flat number, no neighbourhood
   * joined with another " - " ("Rua das Flores, 123 - SP" would show the number). */
  for (const char *p = city; p < end - 5; p++)
    if (g_ascii_isdigit (*p) || (p + 3 <= end - 5 && memcmp (p, " - ", 3) == 0))
      return g_strdup (NOTHING_SHOWN);

  return g_strdup_printf ("***, %.*s", (int) (end - city), city);
}

static char *
mask_card (const char *s)
{
  if (!is_card_shape (s))
    return g_strdup (NOTHING_SHOWN);
  return g_strdup_printf ("**** **** **** %s", s + strlen (s) - 4);
}

static char *
mask_last3 (const char *s)
{
  return g_strdup_printf ("*****%s", s + strlen (s) - 3);
}

static char *
mask_uuid (const char *s)
{
  return g_strdup_printf ("********-****-****-****-********%s", s + 32);
}

/**
 * ag_pii_mask:
 * @kind: the kind of @normalized
 * @normalized: a value in canonical form, as ag_pii_normalize() returns it
 *
 * Masks a value for display: only what an agent needs to match a caller is shown, and the
 * mask depends only on what it shows. Names are not masked. A value that is not in
 * canonical form is masked whole.
 *
 * Returns: (transfer full): the masked text
 */
char *
ag_pii_mask (AgPiiKind kind, const char *normalized)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (normalized != NULL, NULL);

  switch (kind)
    {
      case AG_PII_KIND_NAME:
        return g_strdup (normalized);
      case AG_PII_KIND_CPF:
        return mask_cpf (normalized);
      case AG_PII_KIND_CNPJ:
        return mask_cnpj (normalized);
      case AG_PII_KIND_RG:
        return is_rg_shape (normalized) ? mask_last3 (normalized) : g_strdup (NOTHING_SHOWN);
      case AG_PII_KIND_BIRTH_DATE:
        if (strlen (normalized) != 10 || normalized[4] != '-' || !all_ascii_digits (normalized, 4))
          return g_strdup (NOTHING_SHOWN);
        return g_strdup_printf ("**/**/%.4s", normalized);
      case AG_PII_KIND_PHONE:
        return mask_phone (normalized);
      case AG_PII_KIND_EMAIL:
        return mask_email (normalized);
      case AG_PII_KIND_ADDRESS:
        return mask_address (normalized);
      case AG_PII_KIND_CARD_NUMBER:
        return mask_card (normalized);
      case AG_PII_KIND_BANK_ACCOUNT:
        return is_bank_shape (normalized) ? mask_last3 (normalized) : g_strdup (NOTHING_SHOWN);
      case AG_PII_KIND_PIX_KEY:
        if (strchr (normalized, '@') != NULL)
          return mask_email (normalized);
        if (is_uuid_shape (normalized, TRUE))
          return mask_uuid (normalized);
        if (normalized[0] == '+')
          return mask_phone (normalized);
        if (is_cpf_shape (normalized))
          return mask_cpf (normalized);
        return mask_cnpj (normalized);
      case AG_PII_KIND_NOTES:
        return g_strdup (NOTES_MASK);
      case AG_PII_N_KINDS:
      default:
        g_assert_not_reached ();
    }
}

/* Formats. */

/* @s laid out on @pattern: each `#` takes the next character of @s, anything else stands
 * as it is. Written once into a buffer of its final size: a formatted value leaves no
 * intermediate copy behind in freed memory (printf's buffers are not wiped). */
static char *
format_pattern (const char *s, const char *pattern)
{
  gsize len = strlen (pattern);
  char *out = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    out[i] = pattern[i] == '#' ? *s++ : pattern[i];
  out[len] = '\0';
  return out;
}

static char *
format_cpf (const char *s)
{
  if (!is_cpf_shape (s))
    return g_strdup (s);
  return format_pattern (s, "###.###.###-##");
}

static char *
format_cnpj (const char *s)
{
  if (!is_cnpj_shape (s))
    return g_strdup (s);
  return format_pattern (s, "##.###.###/####-##");
}

/* yyyy-mm-dd as dd/mm/yyyy. */
static char *
format_birth_date (const char *s)
{
  char in_order[9];
  char *out;

  memcpy (in_order, s + 8, 2);
  memcpy (in_order + 2, s + 5, 2);
  memcpy (in_order + 4, s, 4);
  in_order[8] = '\0';
  out = format_pattern (in_order, "##/##/####");
  explicit_bzero (in_order, sizeof in_order);
  return out;
}

/* With @international, Brazilian numbers keep their +55 so that the result still reads as a
 * phone number PIX key. */
static char *
format_phone (const char *s, gboolean international)
{
  const char *national;
  GString *out;
  gsize len;

  if (!is_brazilian_phone (s))
    return g_strdup (s);

  national = s + 3;
  len = strlen (national);
  /* One buffer of the final size, for the reason format_pattern() gives. */
  out = g_string_sized_new (len + 9);
  if (international)
    g_string_append (out, "+55 ");
  g_string_append_c (out, '(');
  g_string_append_len (out, national, 2);
  g_string_append (out, ") ");
  g_string_append_len (out, national + 2, (gssize) (len - 6));
  g_string_append_c (out, '-');
  g_string_append_len (out, national + len - 4, 4);
  return g_string_free (out, FALSE);
}

static char *
format_card (const char *s)
{
  GString *out;
  gsize len = strlen (s);

  if (!is_card_shape (s))
    return g_strdup (s);

  out = g_string_sized_new (len + len / 4);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && i % 4 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, s[i]);
    }
  return g_string_free (out, FALSE);
}

/**
 * ag_pii_format:
 * @kind: the kind of @normalized
 * @normalized: a value in canonical form, as ag_pii_normalize() returns it
 *
 * Formats a revealed value for reading: `529.982.247-25`, `(11) 98765-4321`,
 * `12/03/1985`, `4111 1111 1111 1111`… ag_pii_normalize() accepts every formatted value
 * and gives back @normalized. A value not in canonical form is returned as it is.
 *
 * Returns: (transfer full): the formatted value
 */
char *
ag_pii_format (AgPiiKind kind, const char *normalized)
{
  g_return_val_if_fail (kind < AG_PII_N_KINDS, NULL);
  g_return_val_if_fail (normalized != NULL, NULL);

  switch (kind)
    {
      case AG_PII_KIND_CPF:
        return format_cpf (normalized);
      case AG_PII_KIND_CNPJ:
        return format_cnpj (normalized);
      case AG_PII_KIND_BIRTH_DATE:
        if (strlen (normalized) != 10 || normalized[4] != '-' || normalized[7] != '-')
          return g_strdup (normalized);
        return format_birth_date (normalized);
      case AG_PII_KIND_PHONE:
        return format_phone (normalized, FALSE);
      case AG_PII_KIND_CARD_NUMBER:
        return format_card (normalized);
      case AG_PII_KIND_PIX_KEY:
        if (normalized[0] == '+')
          return format_phone (normalized, TRUE);
        if (is_cpf_shape (normalized))
          return format_cpf (normalized);
        if (is_cnpj_shape (normalized))
          return format_cnpj (normalized);
        return g_strdup (normalized);
      case AG_PII_KIND_NAME:
      case AG_PII_KIND_RG:
      case AG_PII_KIND_EMAIL:
      case AG_PII_KIND_ADDRESS:
      case AG_PII_KIND_BANK_ACCOUNT:
      case AG_PII_KIND_NOTES:
        return g_strdup (normalized);
      case AG_PII_N_KINDS:
      default:
        g_assert_not_reached ();
    }
}
