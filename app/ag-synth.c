/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-synth"

#include "config.h"

#include <string.h>

#include "ag-synth-tables.h"
#include "ag-synth.h"

/* Synthetic Brazilian customers for the demo, training and benchmarks. Nothing here is
 * anybody's data: names are drawn from lists of common given names and surnames, document
 * numbers are random with correct check digits, e-mail addresses use the reserved
 * example domains, and card numbers start with the issuers' published test prefixes.
 *
 * The generator is its own xoshiro256** seeded through splitmix64, so the same seed gives
 * the same customers on every machine and every GLib version. It builds values in a stack
 * buffer rather than with printf: the store's import benchmark leans on it. */

struct _AgSynth
{
  GObject parent_instance;

  guint64 seed;
  guint64 state[4];
  guint64 sequence;
  char id_prefix[7];
};

G_DEFINE_FINAL_TYPE (AgSynth, ag_synth, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SEED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The ASCII, lowercase forms of the names, for e-mail addresses; built once. */
static char *first_names_ascii[G_N_ELEMENTS (first_names)];
static char *surnames_ascii[G_N_ELEMENTS (surnames)];

/* Random numbers. */

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += 0x9E3779B97F4A7C15ull);

  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
next_u64 (AgSynth *self)
{
  guint64 *s = self->state;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);

  return result;
}

/* A number in [0, n). */
static inline guint
below (AgSynth *self, guint n)
{
  return (guint) (((next_u64 (self) >> 32) * (guint64) n) >> 32);
}

/* TRUE with a probability of @percent in 100. */
static inline gboolean
chance (AgSynth *self, guint percent)
{
  return below (self, 100) < percent;
}

#define PICK(self, array) ((array)[below ((self), G_N_ELEMENTS (array))])

/* A small string builder on the stack; values are far shorter than its size. */
typedef struct
{
  char str[512];
  gsize len;
} Buf;

static inline void
buf_add (Buf *b, const char *s)
{
  gsize n = strlen (s);

  g_assert (b->len + n < sizeof b->str);
  memcpy (b->str + b->len, s, n);
  b->len += n;
}

static inline void
buf_add_c (Buf *b, char c)
{
  g_assert (b->len + 1 < sizeof b->str);
  b->str[b->len++] = c;
}

/* Appends @value in decimal, zero-padded to @width digits (0: no padding). */
static void
buf_add_uint (Buf *b, guint value, guint width)
{
  char digits[12];
  guint n = 0;

  do
    {
      digits[n++] = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value > 0);
  while (n < width)
    digits[n++] = '0';
  while (n > 0)
    buf_add_c (b, digits[--n]);
}

static void
buf_add_random_digits (AgSynth *self, Buf *b, guint n)
{
  for (guint i = 0; i < n; i++)
    buf_add_c (b, (char) ('0' + below (self, 10)));
}

static inline char *
buf_dup (const Buf *b)
{
  return g_strndup (b->str, b->len);
}

/* Values. */

static char *
make_id (AgSynth *self)
{
  Buf b = { .len = 0 };

  buf_add (&b, self->id_prefix);
  buf_add_c (&b, '-');
  buf_add_uint (&b, (guint) ++self->sequence, 7);
  return buf_dup (&b);
}

static char *
make_name (AgSynth *self, guint first, guint *last)
{
  Buf b = { .len = 0 };
  guint n_surnames = chance (self, 50) ? 3 : 2;
  guint used[3];

  buf_add (&b, first_names[first]);
  for (guint i = 0; i < n_surnames; i++)
    {
      guint s;
      gboolean repeated;

      do
        {
          s = below (self, G_N_ELEMENTS (surnames));
          repeated = FALSE;
          for (guint j = 0; j < i; j++)
            repeated |= used[j] == s;
        }
      while (repeated);
      used[i] = s;

      buf_add_c (&b, ' ');
      /* A particle now and then, as in "Maria da Silva" or "José de Souza". */
      if (i == n_surnames - 1 && chance (self, 15))
        buf_add (&b, g_str_has_suffix (surnames[s], "a") ? "da " : "de ");
      buf_add (&b, surnames[s]);
    }

  *last = used[n_surnames - 1];
  return buf_dup (&b);
}

static char *
make_cpf (AgSynth *self)
{
  Buf b = { .len = 0 };

  /* Nine equal digits would give an all-equal CPF, which is not valid. */
  do
    {
      b.len = 0;
      buf_add_random_digits (self, &b, 9);
    }
  while (memcmp (b.str, b.str + 1, 8) == 0);

  buf_add_c (&b, ag_pii_cpf_check_digit (b.str, 9));
  buf_add_c (&b, ag_pii_cpf_check_digit (b.str, 10));
  return buf_dup (&b);
}

/* Most are numeric MEI registrations (head office, branch 0001); one in ten uses the
 * alphanumeric form issued from July 2026. */
static char *
make_cnpj (AgSynth *self)
{
  static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  Buf b = { .len = 0 };
  gboolean alphanumeric = chance (self, 10);

  for (guint i = 0; i < 8; i++)
    buf_add_c (&b, alphanumeric ? alnum[below (self, 36)] : (char) ('0' + below (self, 10)));
  buf_add (&b, "0001");
  buf_add_c (&b, ag_pii_cnpj_check_digit (b.str, 12));
  buf_add_c (&b, ag_pii_cnpj_check_digit (b.str, 13));
  return buf_dup (&b);
}

/* An RG as São Paulo issues them: eight digits and a check digit that may be X. */
static char *
make_rg (AgSynth *self)
{
  Buf b = { .len = 0 };
  guint sum = 0, dv;

  buf_add_c (&b, (char) ('1' + below (self, 9)));
  buf_add_random_digits (self, &b, 7);
  for (guint i = 0; i < 8; i++)
    sum += (guint) (b.str[i] - '0') * (i + 2);
  dv = 11 - sum % 11;
  buf_add_c (&b, dv == 10 ? 'X' : (char) ('0' + dv % 11));
  return buf_dup (&b);
}

static char *
make_birth_date (AgSynth *self)
{
  static const guint8 days_in_month[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  Buf b = { .len = 0 };
  guint year = 1940 + below (self, 2007 - 1940 + 1);
  guint month = 1 + below (self, 12);
  guint days = days_in_month[month - 1];

  if (month == 2 && g_date_is_leap_year (year))
    days = 29;

  buf_add_uint (&b, year, 4);
  buf_add_c (&b, '-');
  buf_add_uint (&b, month, 2);
  buf_add_c (&b, '-');
  buf_add_uint (&b, 1 + below (self, days), 2);
  return buf_dup (&b);
}

/* Mobiles are 9 then eight digits, the second 6 to 9; landlines start with 2 to 5. */
static char *
make_phone (AgSynth *self, const City *city)
{
  Buf b = { .len = 0 };

  buf_add (&b, "+55");
  buf_add_uint (&b, city->ddd, 2);
  if (chance (self, 85))
    {
      buf_add_c (&b, '9');
      buf_add_c (&b, (char) ('6' + below (self, 4)));
      buf_add_random_digits (self, &b, 7);
    }
  else
    {
      buf_add_c (&b, (char) ('2' + below (self, 4)));
      buf_add_random_digits (self, &b, 7);
    }
  return buf_dup (&b);
}

static char *
make_email (AgSynth *self, guint first, guint last)
{
  Buf b = { .len = 0 };

  buf_add (&b, first_names_ascii[first]);
  buf_add_c (&b, chance (self, 70) ? '.' : '_');
  buf_add (&b, surnames_ascii[last]);
  if (chance (self, 60))
    buf_add_uint (&b, 1 + below (self, 999), 0);
  buf_add_c (&b, '@');
  buf_add (&b, PICK (self, email_domains));
  return buf_dup (&b);
}

static char *
make_address (AgSynth *self, const City *city)
{
  Buf b = { .len = 0 };
  guint kind = below (self, 20);

  buf_add (&b, kind < 12 ? "Rua " : kind < 17 ? "Avenida " : "Travessa ");
  buf_add (&b, PICK (self, street_names));
  buf_add (&b, ", ");
  buf_add_uint (&b, 1 + below (self, 3999), 0);
  buf_add (&b, " - ");
  buf_add (&b, PICK (self, neighbourhoods));
  buf_add (&b, ", ");
  buf_add (&b, city->city);
  buf_add (&b, " - ");
  buf_add (&b, city->uf);
  buf_add (&b, ", ");
  buf_add_uint (&b, city->cep_first + below (self, city->cep_count), 3);
  buf_add_random_digits (self, &b, 2);
  buf_add_c (&b, '-');
  buf_add_random_digits (self, &b, 3);
  return buf_dup (&b);
}

static char *
make_card_number (AgSynth *self)
{
  Buf b = { .len = 0 };
  guint i = below (self, G_N_ELEMENTS (card_prefixes));
  guint length = card_prefixes[i].length;

  buf_add (&b, card_prefixes[i].prefix);
  buf_add_random_digits (self, &b, length - 1 - b.len);
  buf_add_c (&b, ag_pii_luhn_check_digit (b.str, b.len));
  return buf_dup (&b);
}

/* Agency, account and its check digit: `0001 12345-6`. */
static char *
make_bank_account (AgSynth *self)
{
  Buf b = { .len = 0 };

  buf_add_random_digits (self, &b, 4);
  buf_add_c (&b, ' ');
  buf_add_random_digits (self, &b, 5 + below (self, 4));
  buf_add_c (&b, '-');
  if (chance (self, 5))
    buf_add_c (&b, 'X');
  else
    buf_add_random_digits (self, &b, 1);
  return buf_dup (&b);
}

/* A random key (EVP): a version 4 UUID. */
static char *
make_random_key (AgSynth *self)
{
  static const char hex[] = "0123456789abcdef";
  Buf b = { .len = 0 };

  for (guint i = 0; i < 36; i++)
    {
      if (i == 8 || i == 13 || i == 18 || i == 23)
        buf_add_c (&b, '-');
      else if (i == 14)
        buf_add_c (&b, '4');
      else if (i == 19)
        buf_add_c (&b, hex[8 + below (self, 4)]);
      else
        buf_add_c (&b, hex[below (self, 16)]);
    }
  return buf_dup (&b);
}

static char *
make_pix_key (AgSynth *self, const AgCustomerData *customer)
{
  guint which = below (self, 100);

  if (which < 30)
    return g_strdup (customer->values[AG_PII_KIND_CPF]);
  if (which < 55)
    return g_strdup (customer->values[AG_PII_KIND_EMAIL]);
  if (which < 80)
    return g_strdup (customer->values[AG_PII_KIND_PHONE]);
  if (which < 90 && customer->values[AG_PII_KIND_CNPJ] != NULL)
    return g_strdup (customer->values[AG_PII_KIND_CNPJ]);
  return make_random_key (self);
}

/**
 * ag_synth_next:
 * @self: a generator
 * @out: a zeroed #AgCustomerData, or one filled before; what it holds is wiped first
 *
 * Fills @out with the next synthetic customer: an id unique to this generator, and every
 * value in canonical form. Every customer has a name, CPF, RG, birth date, phone, e-mail,
 * address, card number, bank account and PIX key; about 15% have a CNPJ (as individual
 * micro-entrepreneurs) and 10% have notes.
 */
void
ag_synth_next (AgSynth *self, AgCustomerData *out)
{
  const City *city;
  guint first, last;

  g_return_if_fail (AG_IS_SYNTH (self));
  g_return_if_fail (out != NULL);

  ag_customer_data_clear (out);

  city = &PICK (self, cities);
  first = below (self, G_N_ELEMENTS (first_names));

  out->id = make_id (self);
  out->values[AG_PII_KIND_NAME] = make_name (self, first, &last);
  out->values[AG_PII_KIND_CPF] = make_cpf (self);
  if (chance (self, 15))
    out->values[AG_PII_KIND_CNPJ] = make_cnpj (self);
  out->values[AG_PII_KIND_RG] = make_rg (self);
  out->values[AG_PII_KIND_BIRTH_DATE] = make_birth_date (self);
  out->values[AG_PII_KIND_PHONE] = make_phone (self, city);
  out->values[AG_PII_KIND_EMAIL] = make_email (self, first, last);
  out->values[AG_PII_KIND_ADDRESS] = make_address (self, city);
  out->values[AG_PII_KIND_CARD_NUMBER] = make_card_number (self);
  out->values[AG_PII_KIND_BANK_ACCOUNT] = make_bank_account (self);
  out->values[AG_PII_KIND_PIX_KEY] = make_pix_key (self, out);
  if (chance (self, 10))
    out->values[AG_PII_KIND_NOTES] = g_strdup (PICK (self, notes));
}

/**
 * ag_synth_source:
 * @out: where the next customer goes
 * @user_data: an #AgSynthSource
 * @error: unused: the generator never fails
 *
 * An #AgCustomerSourceFunc over an #AgSynthSource: hands out its next customer until
 * @remaining are out. A training store imports from no other source, so that it never
 * holds a customer that did not come from AgSynth.
 *
 * Returns: %FALSE when @remaining customers were handed out
 */
gboolean
ag_synth_source (AgCustomerData *out, gpointer user_data, GError **error)
{
  AgSynthSource *source = user_data;

  g_return_val_if_fail (source != NULL && AG_IS_SYNTH (source->synth), FALSE);

  if (source->remaining == 0)
    return FALSE;

  ag_synth_next (source->synth, out);
  source->remaining--;
  return TRUE;
}

/* Object. */

static char *
fold_to_ascii (const char *name)
{
  g_autofree char *ascii = g_str_to_ascii (name, "C");
  g_autofree char *lower = g_ascii_strdown (ascii, -1);
  GString *out = g_string_new (NULL);

  for (const char *p = lower; *p != '\0'; p++)
    if (g_ascii_isalnum (*p))
      g_string_append_c (out, *p);
  return g_string_free (out, FALSE);
}

static void
ag_synth_constructed (GObject *object)
{
  AgSynth *self = AG_SYNTH (object);
  guint64 x = self->seed;
  guint64 tag;
  static const char hex[] = "0123456789ABCDEF";

  G_OBJECT_CLASS (ag_synth_parent_class)->constructed (object);

  for (guint i = 0; i < 4; i++)
    self->state[i] = splitmix64 (&x);

  /* The id prefix comes from the seed alone, so ids of different seeds rarely meet. */
  tag = splitmix64 (&x);
  for (guint i = 0; i < 6; i++)
    self->id_prefix[i] = hex[(tag >> (4 * i)) & 0xF];
  self->id_prefix[6] = '\0';
}

static void
ag_synth_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  AgSynth *self = AG_SYNTH (object);

  switch (prop_id)
    {
      case PROP_SEED:
        g_value_set_uint64 (value, self->seed);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_synth_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  AgSynth *self = AG_SYNTH (object);

  switch (prop_id)
    {
      case PROP_SEED:
        self->seed = g_value_get_uint64 (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ag_synth_class_init (AgSynthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ag_synth_constructed;
  object_class->get_property = ag_synth_get_property;
  object_class->set_property = ag_synth_set_property;

  /**
   * AgSynth:seed:
   *
   * The seed: the same seed gives the same customers, in the same order.
   */
  properties[PROP_SEED]
    = g_param_spec_uint64 ("seed", NULL, NULL, 0, G_MAXUINT64, 0,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Class init runs once, under GType's lock; these tables live as long as the process. */
  for (guint i = 0; i < G_N_ELEMENTS (first_names); i++)
    first_names_ascii[i] = fold_to_ascii (first_names[i]);
  for (guint i = 0; i < G_N_ELEMENTS (surnames); i++)
    surnames_ascii[i] = fold_to_ascii (surnames[i]);
}

static void
ag_synth_init (AgSynth *self)
{
}

/**
 * ag_synth_new:
 * @seed: the seed
 *
 * Creates a generator of synthetic customers. The same @seed gives the same customers, in
 * the same order, on every machine.
 *
 * Returns: (transfer full): a new #AgSynth
 */
AgSynth *
ag_synth_new (guint64 seed)
{
  return g_object_new (AG_TYPE_SYNTH, "seed", seed, NULL);
}
