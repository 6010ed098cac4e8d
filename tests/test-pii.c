/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ag-pii.h"

/* Every value here is synthetic: classic test CPFs and CNPJs, card numbers from the
 * networks' test ranges, reserved e-mail domains. */

typedef struct
{
  AgPiiKind kind;
  const char *input;
  const char *canonical;
  const char *mask;
  const char *format;
} GoodCase;

static const GoodCase good_cases[] = {
  /* Names are not masked; white space is collapsed and the text is NFC. */
  { AG_PII_KIND_NAME, "João da Silva", "João da Silva", "João da Silva", "João da Silva" },
  { AG_PII_KIND_NAME, "  João   da\tSilva \n", "João da Silva", "João da Silva", "João da Silva" },
  { AG_PII_KIND_NAME, "Joa\xcc\x83o Conceic\xcc\xa7\xc3\xa3o", "João Conceição", "João Conceição",
    "João Conceição" },
  { AG_PII_KIND_NAME,
    "\xc2\xa0"
    "Ana\xe2\x80\x83Souza\xc2\xa0",
    "Ana Souza", "Ana Souza", "Ana Souza" },
  { AG_PII_KIND_NAME, "X", "X", "X", "X" },

  /* CPF. */
  { AG_PII_KIND_CPF, "529.982.247-25", "52998224725", "***.982.247-**", "529.982.247-25" },
  { AG_PII_KIND_CPF, "52998224725", "52998224725", "***.982.247-**", "529.982.247-25" },
  { AG_PII_KIND_CPF, " 529 982 247 25 ", "52998224725", "***.982.247-**", "529.982.247-25" },
  { AG_PII_KIND_CPF,
    "\xc2\xa0"
    "529.982.247-25\xc2\xa0",
    "52998224725", "***.982.247-**", "529.982.247-25" },
  { AG_PII_KIND_CPF, "111.444.777-35", "11144477735", "***.444.777-**", "111.444.777-35" },
  { AG_PII_KIND_CPF, "123.456.789-09", "12345678909", "***.456.789-**", "123.456.789-09" },
  { AG_PII_KIND_CPF, "000.000.001-91", "00000000191", "***.000.001-**", "000.000.001-91" },

  /* CNPJ, numeric and alphanumeric. */
  { AG_PII_KIND_CNPJ, "11.222.333/0001-81", "11222333000181", "**.***.***/0001-**",
    "11.222.333/0001-81" },
  { AG_PII_KIND_CNPJ, "12345678000195", "12345678000195", "**.***.***/0001-**",
    "12.345.678/0001-95" },
  { AG_PII_KIND_CNPJ, "12.ABC.345/01DE-35", "12ABC34501DE35", "**.***.***/01DE-**",
    "12.ABC.345/01DE-35" },
  { AG_PII_KIND_CNPJ, " 12.abc.345/01de-35 ", "12ABC34501DE35", "**.***.***/01DE-**",
    "12.ABC.345/01DE-35" },

  /* RG. */
  { AG_PII_KIND_RG, "12.345.678-9", "123456789", "*****789", "123456789" },
  { AG_PII_KIND_RG, "12.345.678-x", "12345678X", "*****78X", "12345678X" },
  { AG_PII_KIND_RG, "1234578X", "1234578X", "*****78X", "1234578X" },
  { AG_PII_KIND_RG, "12345", "12345", "*****345", "12345" },

  /* Birth date. */
  { AG_PII_KIND_BIRTH_DATE, "1985-03-12", "1985-03-12", "**/**/1985", "12/03/1985" },
  { AG_PII_KIND_BIRTH_DATE, "12/03/1985", "1985-03-12", "**/**/1985", "12/03/1985" },
  { AG_PII_KIND_BIRTH_DATE, "29/02/2000", "2000-02-29", "**/**/2000", "29/02/2000" },
  { AG_PII_KIND_BIRTH_DATE, "1900-01-01", "1900-01-01", "**/**/1900", "01/01/1900" },

  /* Phone. */
  { AG_PII_KIND_PHONE, "(11) 98765-4321", "+5511987654321", "(**) *****-4321", "(11) 98765-4321" },
  { AG_PII_KIND_PHONE, "11 98765-4321", "+5511987654321", "(**) *****-4321", "(11) 98765-4321" },
  { AG_PII_KIND_PHONE, "11987654321", "+5511987654321", "(**) *****-4321", "(11) 98765-4321" },
  { AG_PII_KIND_PHONE, "+55 11 98765-4321", "+5511987654321", "(**) *****-4321",
    "(11) 98765-4321" },
  { AG_PII_KIND_PHONE, "+5511987654321", "+5511987654321", "(**) *****-4321", "(11) 98765-4321" },
  { AG_PII_KIND_PHONE, "0 11 98765-4321", "+5511987654321", "(**) *****-4321", "(11) 98765-4321" },
  { AG_PII_KIND_PHONE, "5511987654321", "+5511987654321", "(**) *****-4321", "(11) 98765-4321" },
  { AG_PII_KIND_PHONE, "(21) 2345-6789", "+552123456789", "(**) ****-6789", "(21) 2345-6789" },
  { AG_PII_KIND_PHONE, "(99) 5432-1098", "+559954321098", "(**) ****-1098", "(99) 5432-1098" },
  { AG_PII_KIND_PHONE, "+44 20 7946 0000", "+442079460000", "+** *******0000", "+442079460000" },
  { AG_PII_KIND_PHONE, "+1 (202) 555-0143", "+12025550143", "+** *******0143", "+12025550143" },

  /* E-mail. */
  { AG_PII_KIND_EMAIL, "John.Doe@Example.COM", "john.doe@example.com", "j***@example.com",
    "john.doe@example.com" },
  { AG_PII_KIND_EMAIL, " maria+vendas@sub.example.org ", "maria+vendas@sub.example.org",
    "m***@sub.example.org", "maria+vendas@sub.example.org" },
  { AG_PII_KIND_EMAIL, "o'neil_2@example.net", "o'neil_2@example.net", "o***@example.net",
    "o'neil_2@example.net" },
  /* A one-letter local part would be shown whole: it is hidden. */
  { AG_PII_KIND_EMAIL, "j@example.com", "j@example.com", "***@example.com", "j@example.com" },

  /* Address. */
  { AG_PII_KIND_ADDRESS, "Rua das Flores, 123 - Centro, São Paulo - SP, 01234-567",
    "Rua das Flores, 123 - Centro, São Paulo - SP, 01234-567", "***, São Paulo - SP",
    "Rua das Flores, 123 - Centro, São Paulo - SP, 01234-567" },
  { AG_PII_KIND_ADDRESS, "Avenida Brasil,  500\t- Boa Vista,\nRecife - PE",
    "Avenida Brasil, 500 - Boa Vista, Recife - PE", "***, Recife - PE",
    "Avenida Brasil, 500 - Boa Vista, Recife - PE" },
  { AG_PII_KIND_ADDRESS, "Travessa Bahia, 7, Manaus - AM, 69000000",
    "Travessa Bahia, 7, Manaus - AM, 69000000", "***, Manaus - AM",
    "Travessa Bahia, 7, Manaus - AM, 69000000" },
  { AG_PII_KIND_ADDRESS, "Rua Sa\xcc\x83o Joa\xcc\x83o, 1, Goia\xcc\x82nia - GO",
    "Rua São João, 1, Goiânia - GO", "***, Goiânia - GO", "Rua São João, 1, Goiânia - GO" },
  { AG_PII_KIND_NOTES, "Cafe\xcc\x81 ☕ à tarde", "Café ☕ à tarde", "••••••", "Café ☕ à tarde" },
  { AG_PII_KIND_ADDRESS, "221B Baker Street, London", "221B Baker Street, London", "***",
    "221B Baker Street, London" },
  { AG_PII_KIND_ADDRESS, "Rua X, 10, Cidade - XX", "Rua X, 10, Cidade - XX", "***",
    "Rua X, 10, Cidade - XX" },
  { AG_PII_KIND_ADDRESS, "Curitiba - PR", "Curitiba - PR", "***", "Curitiba - PR" },
  /* No city before the state: a house or flat number, or a neighbourhood, is never shown. */
  { AG_PII_KIND_ADDRESS, "Rua das Flores, 123 - SP", "Rua das Flores, 123 - SP", "***",
    "Rua das Flores, 123 - SP" },
  { AG_PII_KIND_ADDRESS, "Rua Sete, 1500 apto 42 bloco C - Centro - RJ",
    "Rua Sete, 1500 apto 42 bloco C - Centro - RJ", "***",
    "Rua Sete, 1500 apto 42 bloco C - Centro - RJ" },
  { AG_PII_KIND_ADDRESS, "Rua Sete, 15, Jardim América - Centro - RJ",
    "Rua Sete, 15, Jardim América - Centro - RJ", "***",
    "Rua Sete, 15, Jardim América - Centro - RJ" },
  /* Nothing before the city: showing it would show everything. */
  { AG_PII_KIND_ADDRESS, ", Recife - PE, 50000-000", ", Recife - PE, 50000-000", "***",
    ", Recife - PE, 50000-000" },

  /* Card number. */
  { AG_PII_KIND_CARD_NUMBER, "4111 1111 1111 1111", "4111111111111111", "**** **** **** 1111",
    "4111 1111 1111 1111" },
  { AG_PII_KIND_CARD_NUMBER, "4111-1111-1111-1111", "4111111111111111", "**** **** **** 1111",
    "4111 1111 1111 1111" },
  { AG_PII_KIND_CARD_NUMBER, "378282246310005", "378282246310005", "**** **** **** 0005",
    "3782 8224 6310 005" },
  { AG_PII_KIND_CARD_NUMBER, "5555555555554444", "5555555555554444", "**** **** **** 4444",
    "5555 5555 5555 4444" },

  /* Bank account. */
  { AG_PII_KIND_BANK_ACCOUNT, "0001 12345-6", "0001 12345-6", "*****5-6", "0001 12345-6" },
  { AG_PII_KIND_BANK_ACCOUNT, "1234/123456-x", "1234/123456-X", "*****6-X", "1234/123456-X" },
  { AG_PII_KIND_BANK_ACCOUNT, "0001    98765-4", "0001 98765-4", "*****5-4", "0001 98765-4" },
  { AG_PII_KIND_BANK_ACCOUNT, "12345", "12345", "*****345", "12345" },

  /* PIX key, each sub-kind. */
  { AG_PII_KIND_PIX_KEY, "529.982.247-25", "52998224725", "***.982.247-**", "529.982.247-25" },
  { AG_PII_KIND_PIX_KEY, "11.222.333/0001-81", "11222333000181", "**.***.***/0001-**",
    "11.222.333/0001-81" },
  { AG_PII_KIND_PIX_KEY, "12ABC34501DE35", "12ABC34501DE35", "**.***.***/01DE-**",
    "12.ABC.345/01DE-35" },
  { AG_PII_KIND_PIX_KEY, "+55 11 98765-4321", "+5511987654321", "(**) *****-4321",
    "+55 (11) 98765-4321" },
  { AG_PII_KIND_PIX_KEY, "Fulano@Example.com", "fulano@example.com", "f***@example.com",
    "fulano@example.com" },
  { AG_PII_KIND_PIX_KEY, "123E4567-E89B-42D3-A456-426614174000",
    "123e4567-e89b-42d3-a456-426614174000", "********-****-****-****-********4000",
    "123e4567-e89b-42d3-a456-426614174000" },

  /* Notes keep their lines; the mask never depends on the text. */
  { AG_PII_KIND_NOTES, "Ligar após as 18h.", "Ligar após as 18h.", "••••••", "Ligar após as 18h." },
  { AG_PII_KIND_NOTES, "\n Linha 1\r\nLinha 2\rLinha\t3  fim \n", "Linha 1\nLinha 2\nLinha\t3 fim",
    "••••••", "Linha 1\nLinha 2\nLinha\t3 fim" },
};

typedef struct
{
  AgPiiKind kind;
  const char *input;
  AgPiiError code;
} BadCase;

static const BadCase bad_cases[] = {
  /* Empty, for every kind, including only Unicode spaces. */
  { AG_PII_KIND_NAME, "", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_NAME, " \t\n\xc2\xa0\xe2\x80\x83", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_CPF, "   ", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_CNPJ, "\xc2\xa0", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_RG, "", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_BIRTH_DATE, " ", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_PHONE, "", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_EMAIL, "\t", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_ADDRESS, "\n\n", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_CARD_NUMBER, "", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_BANK_ACCOUNT, " ", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_PIX_KEY, "", AG_PII_ERROR_EMPTY },
  { AG_PII_KIND_NOTES, " \r\n ", AG_PII_ERROR_EMPTY },

  /* Control and formatting characters in text. */
  { AG_PII_KIND_NAME,
    "Jo\x01"
    "ão",
    AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_NAME, "\x1b[31mAna", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_NAME, "Ana\x7f", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_NAME, "Ana\xc2\x85Souza", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_NAME,
    "Ana \xe2\x80\xae"
    "azuoS",
    AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_NAME, "Ana\vSouza", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_ADDRESS, "Rua A, 1\x07", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_NOTES, "ding\x07", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_NOTES, "texto \xe2\x81\xa6oculto", AG_PII_ERROR_INVALID_CHARACTER },

  /* CPF: check digits, all the same, length, Unicode digits and look-alikes. */
  { AG_PII_KIND_CPF, "529.982.247-26", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CPF, "529.982.247-35", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CPF, "111.111.111-11", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CPF, "000.000.000-00", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CPF, "99999999999", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CPF, "529.982.247-2", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_CPF, "529.982.247-255", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_CPF, "---...", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_CPF, "\xef\xbc\x95\xef\xbc\x92\xef\xbc\x99.982.247-25",
    AG_PII_ERROR_INVALID_CHARACTER }, /* fullwidth ５２９ */
  { AG_PII_KIND_CPF, "\xd9\xa5\xd9\xa2\xd9\xa9.982.247-25",
    AG_PII_ERROR_INVALID_CHARACTER }, /* Arabic-Indic ٥٢٩ */
  { AG_PII_KIND_CPF, "\xdb\xb5\xdb\xb2\xdb\xb9.982.247-25",
    AG_PII_ERROR_INVALID_CHARACTER }, /* Extended Arabic-Indic */
  { AG_PII_KIND_CPF, "\xe0\xa5\xab\xe0\xa5\xa8\xe0\xa5\xaf.982.247-25",
    AG_PII_ERROR_INVALID_CHARACTER }, /* Devanagari */
  { AG_PII_KIND_CPF, "529.982.247-2O", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CPF, "529.982.247-2o", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CPF, "529.982.247-l5", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CPF, "529.982.247-I5", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CPF, "529,982,247/25", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CPF,
    "529.982.247\xe2\x80\x90"
    "25",
    AG_PII_ERROR_INVALID_CHARACTER }, /* U+2010 */
  { AG_PII_KIND_CPF, "529.982.247-25\n1", AG_PII_ERROR_INVALID_CHARACTER },

  /* CNPJ. */
  { AG_PII_KIND_CNPJ, "11.222.333/0001-82", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CNPJ, "12.ABC.345/01DE-36", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CNPJ, "12.ABD.345/01DE-35", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CNPJ, "11.111.111/1111-11", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CNPJ, "00000000000000", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CNPJ, "11.222.333/0001-8", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_CNPJ, "11.222.333/0001-811", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_CNPJ, "12.ABC.345/01DE-3A", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_CNPJ,
    "12.\xc3\x81"
    "BC.345/01DE-35",
    AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CNPJ, "\xef\xbc\x91\xef\xbc\x91.222.333/0001-81", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CNPJ, "11_222_333_0001_81", AG_PII_ERROR_INVALID_CHARACTER },

  /* RG. */
  { AG_PII_KIND_RG, "1234", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_RG, "123456789012345", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_RG, "12X45678", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_RG, "12345678-Y", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_RG, "MG-12.345.678", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_RG,
    "\xef\xbc\x91"
    "2345678",
    AG_PII_ERROR_INVALID_CHARACTER },

  /* Birth date. */
  { AG_PII_KIND_BIRTH_DATE, "1985-02-29", AG_PII_ERROR_INVALID_DATE },
  { AG_PII_KIND_BIRTH_DATE, "31/04/1985", AG_PII_ERROR_INVALID_DATE },
  { AG_PII_KIND_BIRTH_DATE, "1985-13-01", AG_PII_ERROR_INVALID_DATE },
  { AG_PII_KIND_BIRTH_DATE, "00/01/2000", AG_PII_ERROR_INVALID_DATE },
  { AG_PII_KIND_BIRTH_DATE, "1899-12-31", AG_PII_ERROR_INVALID_DATE },
  { AG_PII_KIND_BIRTH_DATE, "9999-12-31", AG_PII_ERROR_INVALID_DATE },
  { AG_PII_KIND_BIRTH_DATE, "1985/03/12", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_BIRTH_DATE, "12-03-1985", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_BIRTH_DATE, "1985-3-12", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_BIRTH_DATE, "12/3/85", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_BIRTH_DATE, "1985-03-12T00:00", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_BIRTH_DATE,
    "\xef\xbc\x91"
    "985-03-12",
    AG_PII_ERROR_INVALID_FORMAT },

  /* Phone. */
  { AG_PII_KIND_PHONE, "(20) 98765-4321", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "(23) 98765-4321", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "(10) 98765-4321", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "(11) 88765-4321", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "(11) 8765-4321", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "(11) 1765-4321", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "+55 20 98765-4321", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "+0 123 4567 8901", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PHONE, "98765-4321", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_PHONE, "+1234567", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_PHONE, "+1234567890123456", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_PHONE, "++5511987654321", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_PHONE, "11 98765-4321 ramal 2", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_PHONE, "11 98765-432\xef\xbc\x91", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_PHONE, "11 98765-432l", AG_PII_ERROR_INVALID_CHARACTER },

  /* E-mail. */
  { AG_PII_KIND_EMAIL, "fulano.example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "a@b@example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "@example.com", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_EMAIL,
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com",
    AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_EMAIL, ".ana@example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana.@example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "a..na@example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana souza@example.com", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_EMAIL, "jo\xc3\xa3o@example.com", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_EMAIL, "ana\"x@example.com", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_EMAIL, "ana@localhost", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@-example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@example-.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@example..com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@.example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@example.com.", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@exa_mple.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_EMAIL, "ana@exampl\xc3\xa9.com", AG_PII_ERROR_INVALID_FORMAT },

  /* Card number. */
  { AG_PII_KIND_CARD_NUMBER, "4111 1111 1111 1112", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CARD_NUMBER, "4111 1111 1111 1121", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_CARD_NUMBER, "41111111111", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_CARD_NUMBER, "41111111111111111111", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_CARD_NUMBER, "4111.1111.1111.1111", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CARD_NUMBER, "4111 1111 1111 111l", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_CARD_NUMBER,
    "\xef\xbc\x94"
    "111 1111 1111 1111",
    AG_PII_ERROR_INVALID_CHARACTER },

  /* Bank account. */
  { AG_PII_KIND_BANK_ACCOUNT, "12-3", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_BANK_ACCOUNT, "X-X-X-1234", AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_BANK_ACCOUNT, "0001 1234567890123456789012345678901234-5",
    AG_PII_ERROR_INVALID_LENGTH },
  { AG_PII_KIND_BANK_ACCOUNT, "ag 0001 cc 12345-6", AG_PII_ERROR_INVALID_CHARACTER },
  { AG_PII_KIND_BANK_ACCOUNT, "0001\t12345-6", AG_PII_ERROR_INVALID_CHARACTER },

  /* PIX key. */
  { AG_PII_KIND_PIX_KEY, "+44 20 7946 0000", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PIX_KEY, "11987654321", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_PIX_KEY, "111.111.111-11", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_PIX_KEY, "11.222.333/0001-82", AG_PII_ERROR_INVALID_CHECK_DIGITS },
  { AG_PII_KIND_PIX_KEY, "chave-qualquer", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PIX_KEY, "123e4567-e89b-42d3-a456-42661417400g", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PIX_KEY, "a@b@example.com", AG_PII_ERROR_INVALID_FORMAT },
  { AG_PII_KIND_PIX_KEY,
    "\xef\xbc\x95"
    "29.982.247-25",
    AG_PII_ERROR_INVALID_CHARACTER },
};

/* What a test value is: the canonical form of a good input. */
static char *
normalize_ok (AgPiiKind kind, const char *input)
{
  g_autoptr (GError) error = NULL;
  char *canonical = ag_pii_normalize (kind, input, &error);

  g_assert_no_error (error);
  g_assert_nonnull (canonical);
  return canonical;
}

/* The invariants every canonical value keeps. */
static void
check_invariants (AgPiiKind kind, const char *canonical)
{
  g_autofree char *formatted = ag_pii_format (kind, canonical);
  g_autofree char *again = normalize_ok (kind, formatted);
  g_autofree char *self = normalize_ok (kind, canonical);
  g_autofree char *mask = ag_pii_mask (kind, canonical);

  g_assert_cmpstr (again, ==, canonical);
  g_assert_cmpstr (self, ==, canonical);
  g_assert_nonnull (mask);
  if (kind != AG_PII_KIND_NAME)
    {
      g_assert_cmpstr (mask, !=, canonical);
      g_assert_null (strstr (mask, canonical));
      g_assert_null (strstr (mask, formatted));
    }
}

static void
test_good (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (good_cases); i++)
    {
      const GoodCase *c = &good_cases[i];
      g_autofree char *canonical = normalize_ok (c->kind, c->input);
      g_autofree char *mask = ag_pii_mask (c->kind, canonical);
      g_autofree char *formatted = ag_pii_format (c->kind, canonical);

      g_test_message ("good case %u (%s)", i, ag_pii_kind_to_string (c->kind));
      g_assert_cmpstr (canonical, ==, c->canonical);
      g_assert_cmpstr (mask, ==, c->mask);
      g_assert_cmpstr (formatted, ==, c->format);
      check_invariants (c->kind, canonical);
    }
}

static void
test_bad (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      const BadCase *c = &bad_cases[i];
      g_autoptr (GError) error = NULL;
      g_autofree char *canonical = NULL;
      g_autofree char *stripped = g_strstrip (g_strdup (c->input));

      g_test_message ("bad case %u (%s)", i, ag_pii_kind_to_string (c->kind));
      canonical = ag_pii_normalize (c->kind, c->input, &error);
      g_assert_error (error, AG_PII_ERROR, (gint) c->code);
      g_assert_null (canonical);

      /* The message names the kind, never the value. */
      g_assert_true (g_str_has_prefix (error->message, ag_pii_kind_to_string (c->kind)));
      if (strlen (stripped) >= 4)
        g_assert_null (strstr (error->message, stripped));
    }
}

/* Every kind refuses input over AG_PII_MAX_INPUT bytes and invalid UTF-8 without looking
 * further. */
static void
test_hostile_sizes_and_bytes (void)
{
  g_autofree char *huge_digits = g_strnfill (10 * 1024, '1');
  g_autofree char *huge_text = g_strnfill (10 * 1024, 'a');
  g_autofree char *limit_text = g_strnfill (AG_PII_MAX_INPUT, 'a');
  static const char *const invalid_utf8[] = {
    "529.982.247-25\xff",  "\xc3(", "Jo\xe3o", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf",
    "ana@example.com\x80",
  };

  for (AgPiiKind kind = 0; kind < AG_PII_N_KINDS; kind++)
    {
      g_autoptr (GError) error1 = NULL;
      g_autoptr (GError) error2 = NULL;
      g_autoptr (GError) error3 = NULL;
      g_autofree char *r1 = ag_pii_normalize (kind, huge_digits, &error1);
      g_autofree char *r2 = ag_pii_normalize (kind, huge_text, &error2);
      g_autofree char *r3 = ag_pii_normalize (kind, limit_text, &error3);

      g_assert_error (error1, AG_PII_ERROR, AG_PII_ERROR_TOO_LONG);
      g_assert_error (error2, AG_PII_ERROR, AG_PII_ERROR_TOO_LONG);
      g_assert_null (r1);
      g_assert_null (r2);
      /* AG_PII_MAX_INPUT bytes are read, and still refused by every kind's own limit. */
      g_assert_null (r3);
      g_assert_nonnull (error3);
      g_assert_true (error3->domain == AG_PII_ERROR);

      for (guint i = 0; i < G_N_ELEMENTS (invalid_utf8); i++)
        {
          g_autoptr (GError) error = NULL;
          g_autofree char *r = ag_pii_normalize (kind, invalid_utf8[i], &error);

          g_assert_error (error, AG_PII_ERROR, AG_PII_ERROR_INVALID_CHARACTER);
          g_assert_null (r);
        }
    }
}

static void
test_text_limits (void)
{
  GString *name = g_string_new (NULL);
  GString *address = g_string_new (NULL);
  GString *notes = g_string_new (NULL);
  g_autofree char *r = NULL;
  g_autoptr (GError) error = NULL;

  /* Limits count characters, not bytes: 200 × "ã" is 400 bytes. */
  for (guint i = 0; i < 200; i++)
    g_string_append (name, "ã");
  r = normalize_ok (AG_PII_KIND_NAME, name->str);
  g_assert_cmpuint (g_utf8_strlen (r, -1), ==, 200);
  g_clear_pointer (&r, g_free);
  g_string_append (name, "a");
  r = ag_pii_normalize (AG_PII_KIND_NAME, name->str, &error);
  g_assert_error (error, AG_PII_ERROR, AG_PII_ERROR_TOO_LONG);
  g_assert_null (r);
  g_clear_error (&error);

  /* Collapsing white space happens before counting. */
  for (guint i = 0; i < 250; i++)
    g_string_append (address, "é   ");
  r = normalize_ok (AG_PII_KIND_ADDRESS, address->str);
  g_assert_cmpuint (g_utf8_strlen (r, -1), ==, 499);
  g_clear_pointer (&r, g_free);
  g_string_append (address, "éé");
  r = ag_pii_normalize (AG_PII_KIND_ADDRESS, address->str, &error);
  g_assert_error (error, AG_PII_ERROR, AG_PII_ERROR_TOO_LONG);
  g_assert_null (r);
  g_clear_error (&error);

  for (guint i = 0; i < 400; i++)
    g_string_append (notes, "abcdefghi\n");
  r = normalize_ok (AG_PII_KIND_NOTES, notes->str);
  g_assert_cmpuint (g_utf8_strlen (r, -1), ==, 3999);
  g_clear_pointer (&r, g_free);
  g_string_append (notes, "ab");
  r = ag_pii_normalize (AG_PII_KIND_NOTES, notes->str, &error);
  g_assert_error (error, AG_PII_ERROR, AG_PII_ERROR_TOO_LONG);
  g_assert_null (r);
  g_clear_error (&error);

  /* 255 bytes is one too many for an e-mail address. */
  g_string_truncate (name, 0);
  g_string_append (name, "ana@");
  while (name->len < 251)
    g_string_append (name, "abcdefghi.");
  g_string_truncate (name, 251);
  g_string_append (name, ".br");
  g_assert_cmpuint (name->len, ==, 254);
  r = normalize_ok (AG_PII_KIND_EMAIL, name->str);
  g_clear_pointer (&r, g_free);
  g_string_insert_c (name, 0, 'x');
  r = ag_pii_normalize (AG_PII_KIND_EMAIL, name->str, &error);
  g_assert_error (error, AG_PII_ERROR, AG_PII_ERROR_TOO_LONG);
  g_assert_null (r);

  g_string_free (name, TRUE);
  g_string_free (address, TRUE);
  g_string_free (notes, TRUE);
}

static void
test_birth_date_today (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) tomorrow = g_date_time_add_days (now, 1);
  g_autofree char *today_str = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *tomorrow_str = g_date_time_format (tomorrow, "%d/%m/%Y");
  g_autofree char *r = normalize_ok (AG_PII_KIND_BIRTH_DATE, today_str);
  g_autoptr (GError) error = NULL;
  g_autofree char *r2 = ag_pii_normalize (AG_PII_KIND_BIRTH_DATE, tomorrow_str, &error);

  g_assert_cmpstr (r, ==, today_str);
  g_assert_error (error, AG_PII_ERROR, AG_PII_ERROR_INVALID_DATE);
  g_assert_null (r2);
}

/* Every real area code is accepted, every gap is refused. */
static void
test_phone_area_codes (void)
{
  static const guint ddds[] = {
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38, 41, 42,
    43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68, 69, 71, 73, 74,
    75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95, 96, 97, 98, 99,
  };
  guint n_valid = 0;

  for (guint ddd = 0; ddd < 100; ddd++)
    {
      g_autofree char *input = g_strdup_printf ("(%02u) 91234-5678", ddd);
      g_autoptr (GError) error = NULL;
      g_autofree char *r = ag_pii_normalize (AG_PII_KIND_PHONE, input, &error);
      gboolean expected = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (ddds); i++)
        expected |= ddds[i] == ddd;

      if (expected)
        {
          g_autofree char *want = g_strdup_printf ("+55%02u912345678", ddd);

          g_assert_no_error (error);
          g_assert_cmpstr (r, ==, want);
          n_valid++;
        }
      else
        {
          g_assert_null (r);
          g_assert_nonnull (error);
        }
    }
  g_assert_cmpuint (n_valid, ==, 67);
}

/* A mask depends only on what it shows: different values with the same visible parts look
 * the same, so nothing about the hidden part leaks through, not even its length. */
static void
test_mask_shows_only_what_it_shows (void)
{
  static const struct
  {
    AgPiiKind kind;
    const char *a, *b;
  } pairs[] = {
    { AG_PII_KIND_CPF, "52998224725", "10098224700" },
    { AG_PII_KIND_CPF, "10098224700", "98798224719" },
    { AG_PII_KIND_CNPJ, "11222333000181", "12345678000195" },
    { AG_PII_KIND_RG, "123456789",
      "9789"
      "12789" },
    { AG_PII_KIND_RG, "1234578X", "12345678X" },
    { AG_PII_KIND_BIRTH_DATE, "1985-03-12", "1985-11-30" },
    { AG_PII_KIND_PHONE, "+5511987654321", "+5599912344321" },
    { AG_PII_KIND_PHONE, "+552123456789", "+551153216789" },
    { AG_PII_KIND_PHONE, "+442079460000", "+12025550000" },
    { AG_PII_KIND_EMAIL, "joao@example.com", "jo.silva.sauro@example.com" },
    { AG_PII_KIND_EMAIL, "a@example.com", "b@example.com" },
    { AG_PII_KIND_ADDRESS, "Rua A, 1 - Centro, Recife - PE", "Avenida Brasil, 2000, Recife - PE" },
    { AG_PII_KIND_ADDRESS, "Rua A, 1", "Avenida Paulista, 1578, apto 12" },
    { AG_PII_KIND_CARD_NUMBER, "4111111111111111", "5555555555531111" },
    { AG_PII_KIND_CARD_NUMBER, "4000000000061111", "2223000000011111" },
    { AG_PII_KIND_CARD_NUMBER, "378282246310005", "4000000000070005" },
    { AG_PII_KIND_BANK_ACCOUNT, "0001 12345-6", "12345-6" },
    { AG_PII_KIND_PIX_KEY, "52998224725", "10098224700" },
    { AG_PII_KIND_PIX_KEY, "123e4567-e89b-42d3-a456-426614174000",
      "00000000-0000-4000-8000-000000004000" },
    { AG_PII_KIND_NOTES, "x", "Uma observação bem mais longa,\ncom duas linhas." },
  };

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    {
      g_autofree char *a = normalize_ok (pairs[i].kind, pairs[i].a);
      g_autofree char *b = normalize_ok (pairs[i].kind, pairs[i].b);
      g_autofree char *mask_a = ag_pii_mask (pairs[i].kind, a);
      g_autofree char *mask_b = ag_pii_mask (pairs[i].kind, b);

      g_test_message ("pair %u (%s)", i, ag_pii_kind_to_string (pairs[i].kind));
      g_assert_cmpstr (a, ==, pairs[i].a);
      g_assert_cmpstr (b, ==, pairs[i].b);
      g_assert_cmpstr (mask_a, ==, mask_b);
    }
}

/* Masks and formats never fail, and what is not canonical is masked whole. */
static void
test_mask_not_canonical (void)
{
  static const struct
  {
    AgPiiKind kind;
    const char *value;
  } cases[] = {
    { AG_PII_KIND_CPF, "529.982.247-25" },
    { AG_PII_KIND_CPF, "" },
    { AG_PII_KIND_CNPJ, "11.222.333/0001-81" },
    { AG_PII_KIND_RG, "12" },
    { AG_PII_KIND_BIRTH_DATE, "12/03/1985" },
    { AG_PII_KIND_PHONE, "11987654321" },
    { AG_PII_KIND_EMAIL, "nobody" },
    { AG_PII_KIND_CARD_NUMBER, "4111 1111 1111 1111" },
    { AG_PII_KIND_BANK_ACCOUNT, "12" },
    { AG_PII_KIND_PIX_KEY, "anything" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *mask = ag_pii_mask (cases[i].kind, cases[i].value);
      g_autofree char *formatted = ag_pii_format (cases[i].kind, cases[i].value);

      g_assert_cmpstr (mask, ==, "***");
      g_assert_nonnull (formatted);
    }
}

static void
test_validators (void)
{
  g_assert_true (ag_pii_cpf_is_valid ("52998224725"));
  g_assert_false (ag_pii_cpf_is_valid ("52998224726"));
  g_assert_false (ag_pii_cpf_is_valid ("11111111111"));
  g_assert_false (ag_pii_cpf_is_valid ("529.982.247-25"));
  g_assert_false (ag_pii_cpf_is_valid ("5299822472"));
  g_assert_false (ag_pii_cpf_is_valid (""));

  g_assert_true (ag_pii_cnpj_is_valid ("11222333000181"));
  g_assert_true (ag_pii_cnpj_is_valid ("12ABC34501DE35"));
  g_assert_false (ag_pii_cnpj_is_valid ("12abc34501de35"));
  g_assert_false (ag_pii_cnpj_is_valid ("11222333000182"));
  g_assert_false (ag_pii_cnpj_is_valid ("00000000000000"));
  g_assert_false (ag_pii_cnpj_is_valid ("1122233300018"));

  g_assert_true (ag_pii_luhn_is_valid ("4111111111111111"));
  g_assert_true (ag_pii_luhn_is_valid ("378282246310005"));
  g_assert_true (ag_pii_luhn_is_valid ("0"));
  g_assert_false (ag_pii_luhn_is_valid ("4111111111111112"));
  g_assert_false (ag_pii_luhn_is_valid ("4111 1111 1111 1111"));
  g_assert_false (ag_pii_luhn_is_valid (""));
}

static void
test_kinds (void)
{
  static const char *const names[] = {
    "name",  "cpf",     "cnpj",        "rg",           "birth_date", "phone",
    "email", "address", "card_number", "bank_account", "pix_key",    "notes",
  };
  static const char *const labels[] = {
    "Name",   "CPF",     "CNPJ",        "RG",           "Birth date", "Phone",
    "E-mail", "Address", "Card number", "Bank account", "PIX key",    "Notes",
  };
  AgPiiKind kind;

  G_STATIC_ASSERT (G_N_ELEMENTS (names) == AG_PII_N_KINDS);

  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    {
      g_assert_cmpstr (ag_pii_kind_to_string (i), ==, names[i]);
      g_assert_true (ag_pii_kind_from_string (names[i], &kind));
      g_assert_cmpint (kind, ==, i);
      g_assert_cmpstr (ag_pii_kind_get_label (i), ==, labels[i]);
      g_assert_cmpint (ag_pii_kind_is_searchable (i), ==,
                       i == AG_PII_KIND_CPF || i == AG_PII_KIND_CNPJ || i == AG_PII_KIND_PHONE
                         || i == AG_PII_KIND_EMAIL);
    }

  g_assert_false (ag_pii_kind_from_string ("CPF", &kind));
  g_assert_false (ag_pii_kind_from_string ("", &kind));
  g_assert_false (ag_pii_kind_from_string ("card", NULL));
  g_assert_true (ag_pii_kind_from_string ("pix_key", NULL));
}

/* The labels read in Brazilian Portuguese, from the catalogue the build compiles. */
static void
test_labels_pt_br (void)
{
  static const char *const labels[] = {
    "Nome",     "CPF",    "CNPJ",           "RG",        "Data de nascimento", "Telefone", "E-mail",
    "Endereço", "Cartão", "Conta bancária", "Chave PIX", "Observações",
  };
  const char *build_root = g_getenv ("AG_BUILD_ROOT");
  g_autofree char *localedir = NULL;
  g_autofree char *mo = NULL;

  if (build_root == NULL)
    {
      g_test_skip ("AG_BUILD_ROOT is not set");
      return;
    }
  localedir = g_build_filename (build_root, "po", NULL);
  mo = g_build_filename (localedir, "pt_BR", "LC_MESSAGES", GETTEXT_PACKAGE ".mo", NULL);
  g_assert_true (g_file_test (mo, G_FILE_TEST_EXISTS));

  g_setenv ("LANGUAGE", "pt_BR", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  for (guint i = 0; i < AG_PII_N_KINDS; i++)
    g_assert_cmpstr (ag_pii_kind_get_label (i), ==, labels[i]);

  g_unsetenv ("LANGUAGE");
  textdomain ("messages");
}

#define BIT(kind) (1u << (kind))

/* What makes a search an access: the query is a valid identifier of some kind. */
static void
test_identifier_kinds (void)
{
  const struct
  {
    const char *query;
    guint kinds;
  } cases[] = {
    { "Maria da Silva", 0 },
    { "mar sil", 0 },
    { "4F3BB8-0000001", 0 },
    /* A customer id of digits and a dash is not read as a bank account. */
    { "123456-0000007", 0 },
    { "12345", 0 },
    { "529.982.247-25", BIT (AG_PII_KIND_CPF) | BIT (AG_PII_KIND_PIX_KEY) },
    { " 52998224725 ", BIT (AG_PII_KIND_CPF) | BIT (AG_PII_KIND_PIX_KEY) },
    /* Wrong check digits: no CPF, so no CPF search, and nothing else either. */
    { "529.982.247-26", 0 },
    /* Its slash could also part an agency from an account. */
    { "12.345.678/0001-95",
      BIT (AG_PII_KIND_CNPJ) | BIT (AG_PII_KIND_BANK_ACCOUNT) | BIT (AG_PII_KIND_PIX_KEY) },
    { "(11) 98765-4321", BIT (AG_PII_KIND_PHONE) },
    { "ana.souza@example.com", BIT (AG_PII_KIND_EMAIL) | BIT (AG_PII_KIND_PIX_KEY) },
    { "4111 1111 1111 1111", BIT (AG_PII_KIND_CARD_NUMBER) | BIT (AG_PII_KIND_BANK_ACCOUNT) },
    { "0001 12345-6", BIT (AG_PII_KIND_BANK_ACCOUNT) },
    { "1234/123456-X", BIT (AG_PII_KIND_BANK_ACCOUNT) },
    { "123e4567-e89b-12d3-a456-426614174000", BIT (AG_PII_KIND_PIX_KEY) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint kinds = ag_pii_identifier_kinds (cases[i].query);

      if (kinds != cases[i].kinds)
        g_error ("identifier kinds #%" G_GSIZE_FORMAT ": expected %#x, got %#x", i, cases[i].kinds,
                 kinds);
    }
  g_assert_false (ag_pii_kind_is_identifier (AG_PII_KIND_NAME));
  g_assert_false (ag_pii_kind_is_identifier (AG_PII_KIND_ADDRESS));
  g_assert_true (ag_pii_kind_is_identifier (AG_PII_KIND_PIX_KEY));
}

/* The check digits that AgSynth makes and the validators check are one piece of code:
 * known examples (the Receita's and the Luhn algorithm's textbook numbers). */
static void
test_check_digits (void)
{
  g_assert_cmpint (ag_pii_cpf_check_digit ("529982247", 9), ==, '2');
  g_assert_cmpint (ag_pii_cpf_check_digit ("5299822472", 10), ==, '5');
  g_assert_cmpint (ag_pii_cnpj_check_digit ("112223330001", 12), ==, '8');
  g_assert_cmpint (ag_pii_cnpj_check_digit ("1122233300018", 13), ==, '1');
  /* The alphanumeric form of July 2026: letters count as their ASCII code minus 48. */
  g_assert_cmpint (ag_pii_cnpj_check_digit ("12ABC34501DE", 12), ==, '3');
  g_assert_cmpint (ag_pii_cnpj_check_digit ("12ABC34501DE3", 13), ==, '5');
  g_assert_cmpint (ag_pii_luhn_check_digit ("7992739871", 10), ==, '3');
  g_assert_true (ag_pii_luhn_is_valid ("79927398713"));
  g_assert_false (ag_pii_luhn_is_valid ("79927398710"));
  g_assert_true (ag_pii_cpf_is_valid ("52998224725"));
  g_assert_true (ag_pii_cnpj_is_valid ("11222333000181"));
  g_assert_true (ag_pii_cnpj_is_valid ("12ABC34501DE35"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/pii/kinds", test_kinds);
  g_test_add_func ("/pii/labels-pt-br", test_labels_pt_br);
  g_test_add_func ("/pii/validators", test_validators);
  g_test_add_func ("/pii/good", test_good);
  g_test_add_func ("/pii/bad", test_bad);
  g_test_add_func ("/pii/hostile-sizes-and-bytes", test_hostile_sizes_and_bytes);
  g_test_add_func ("/pii/text-limits", test_text_limits);
  g_test_add_func ("/pii/birth-date-today", test_birth_date_today);
  g_test_add_func ("/pii/phone-area-codes", test_phone_area_codes);
  g_test_add_func ("/pii/mask-shows-only-what-it-shows", test_mask_shows_only_what_it_shows);
  g_test_add_func ("/pii/mask-not-canonical", test_mask_not_canonical);
  g_test_add_func ("/pii/identifier-kinds", test_identifier_kinds);
  g_test_add_func ("/pii/check-digits", test_check_digits);

  return g_test_run ();
}
