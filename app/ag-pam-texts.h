/* SPDX-License-Identifier: GPL-3.0-or-later
 * SPDX-FileCopyrightText: 2026 The Agent Guard authors
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What a PAM prompt asks for, when it is one Agent Guard knows. */
typedef enum
{
  AG_PAM_PROMPT_OTHER,
  AG_PAM_PROMPT_PASSWORD,
  AG_PAM_PROMPT_ONE_TIME_CODE,
} AgPamPromptKind;

AgPamPromptKind
ag_pam_prompt_kind (const char *text);
char *
ag_pam_prompt_title (const char *text);
const char *
ag_pam_prompt_hint (const char *text);
char *
ag_pam_message_text (const char *text);

G_END_DECLS
