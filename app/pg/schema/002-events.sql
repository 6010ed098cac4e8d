-- SPDX-License-Identifier: GPL-3.0-or-later
-- SPDX-FileCopyrightText: 2026 The Agent Guard authors
--
-- Agent Guard's PostgreSQL schema, version 2: the ledger events the embedded mode gained
-- after version 1 (AgLedgerEvent in app/ag-ledger-entry.h, whose position in events() is
-- the event byte of the canonical encoding): copy (15), alert (16), alert-ack (17),
-- console-denied (18), training-certified (19). A client ledgers its own `copy` of a
-- revealed value through log_event(); search_name() matches word prefixes without regard
-- to accents, as the embedded store does. Applied over version 1, in one transaction.

DO $$
BEGIN
  IF (SELECT max(version) FROM agent_guard.schema_version) <> 1 THEN
    RAISE EXCEPTION 'agent_guard schema version 2 applies over version 1 only';
  END IF;
END
$$;

SET LOCAL ROLE agent_guard_owner;
SET LOCAL search_path = pg_catalog, agent_guard, pg_temp;

-- Only ever appended to: an event's position is its byte in every entry already written.
CREATE OR REPLACE FUNCTION agent_guard.events() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT ARRAY['login', 'login-failed', 'unlock', 'lock', 'reveal', 'reveal-denied', 'remask',
               'policy-changed', 'import', 'export', 'prune', 'policy-refused', 'search',
               'search-denied', 'copy', 'alert', 'alert-ack', 'console-denied',
               'training-certified']
$$;

-- Version 1's log_event(), which also takes `copy`.
CREATE OR REPLACE FUNCTION agent_guard.log_event(p_event text, p_session text, p_mode text,
                                                 p_record text DEFAULT NULL,
                                                 p_field text DEFAULT NULL,
                                                 p_cause text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, agent_guard, pg_temp
AS $$
DECLARE
  r agent_guard.ledger;
BEGIN
  IF p_event NOT IN ('login', 'login-failed', 'unlock', 'lock', 'remask', 'policy-refused',
                     'copy') THEN
    RAISE EXCEPTION 'the database ledgers % itself', p_event USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_cause !~ '^[A-Za-z0-9 =_.,:/-]{0,255}$' OR coalesce(p_session, '') !~ '^[A-Za-z0-9._:-]{1,128}$' THEN
    RAISE EXCEPTION 'a session id or cause with characters a ledger entry cannot hold'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- A record is a customer's id, never text the client made up (it could be a value).
  IF p_record IS NOT NULL
     AND NOT EXISTS (SELECT FROM agent_guard.customer c WHERE c.id = p_record) THEN
    RAISE EXCEPTION 'no customer has that id' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  r := agent_guard.append(p_event, p_mode, p_session, p_record, p_field, NULL, NULL,
                          (agent_guard.current_policy()).version::text, p_cause);
  RETURN r.seq;
END
$$;

-- Name search as the embedded store's: every word of @p_query begins a word of the display
-- name, in any case and with or without accents.
CREATE OR REPLACE FUNCTION agent_guard.search_name(p_query text, p_limit integer DEFAULT 50)
RETURNS TABLE (record_id text, display_name text)
LANGUAGE sql STABLE
SET search_path = pg_catalog, agent_guard, pg_temp
AS $$
  SELECT c.id, c.display_name FROM agent_guard.customer c
  WHERE NOT EXISTS (
    SELECT FROM regexp_split_to_table(translate(lower(p_query), 'áàâãäåéèêëíìîïóòôõöúùûüçñý', 'aaaaaaeeeeiiiiooooouuuucny'), '\s+') w
    WHERE w <> '' AND NOT EXISTS (
      SELECT FROM regexp_split_to_table(translate(lower(c.display_name), 'áàâãäåéèêëíìîïóòôõöúùûüçñý', 'aaaaaaeeeeiiiiooooouuuucny'), '[^[:alnum:]]+') n
      WHERE left(n, length(w)) = w))
  ORDER BY c.display_name, c.id
  LIMIT greatest(1, least(coalesce(p_limit, 50), 200))
$$;

RESET ROLE;
INSERT INTO agent_guard.schema_version (version) VALUES (2);
