/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#define G_LOG_DOMAIN "ag-enums"

#include "config.h"

#include "ag-enums.h"

/* The class of @type, kept for the life of the process (enum classes are never freed). */
static GEnumClass *
get_class (GType type)
{
  GEnumClass *klass = g_type_class_peek (type);

  return klass != NULL ? klass : g_type_class_ref (type);
}

/**
 * ag_enum_to_nick:
 * @type: an enum type
 * @value: one of its values
 *
 * Returns: (nullable): the nick of @value, or %NULL (with a critical) when @type has no
 *   such value
 */
const char *
ag_enum_to_nick (GType type, int value)
{
  GEnumValue *enum_value;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), NULL);

  enum_value = g_enum_get_value (get_class (type), value);
  g_return_val_if_fail (enum_value != NULL, NULL);
  return enum_value->value_nick;
}

/**
 * ag_enum_lookup_nick:
 * @type: an enum type
 * @value: any number
 *
 * Returns: (nullable): the nick of @value, or %NULL, quietly, when @type has no such
 *   value: for numbers read from a file
 */
const char *
ag_enum_lookup_nick (GType type, int value)
{
  GEnumValue *enum_value;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), NULL);

  enum_value = g_enum_get_value (get_class (type), value);
  return enum_value != NULL ? enum_value->value_nick : NULL;
}

/**
 * ag_enum_from_nick:
 * @type: an enum type
 * @nick: (nullable): a string that may be the nick of one of its values
 * @out_value: (out) (optional): the value
 *
 * Returns: whether @nick is the nick of a value of @type
 */
gboolean
ag_enum_from_nick (GType type, const char *nick, int *out_value)
{
  GEnumValue *enum_value;

  g_return_val_if_fail (G_TYPE_IS_ENUM (type), FALSE);

  if (nick == NULL)
    return FALSE;
  enum_value = g_enum_get_value_by_nick (get_class (type), nick);
  if (enum_value == NULL)
    return FALSE;
  if (out_value != NULL)
    *out_value = enum_value->value;
  return TRUE;
}
