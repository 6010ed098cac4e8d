-- SPDX-License-Identifier: GPL-3.0-or-later
-- No way to a sealed value but reveal(): not the table, a view, a function of one's own, a
-- search_path trick; PUBLIC holds nothing. (COPY: tests/pg/test-psql-tricks.sh.)
BEGIN;
SELECT plan(27);

-- What the catalog says.
SELECT ok(NOT has_column_privilege('alice', 'agent_guard.customer_field', 'sealed', 'SELECT'),
          'an agent has no SELECT on the sealed value column');
SELECT ok(has_column_privilege('alice', 'agent_guard.customer_field', 'masked', 'SELECT'),
          'an agent reads the masked column');
SELECT ok(NOT has_table_privilege('alice', 'agent_guard.secret_key', 'SELECT'),
          'an agent cannot read the key table');
SELECT ok(NOT has_table_privilege('sam', 'agent_guard.secret_key', 'SELECT')
          AND NOT has_table_privilege('audrey', 'agent_guard.secret_key', 'SELECT')
          AND NOT has_column_privilege('sam', 'agent_guard.customer_field', 'sealed', 'SELECT')
          AND NOT has_column_privilege('tina', 'agent_guard.customer_field', 'sealed', 'SELECT'),
          'neither supervisors, trainees nor auditors read values or keys');
SELECT is((SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a
           WHERE c.relnamespace = 'agent_guard'::regnamespace AND a.grantee = 0), 0::bigint,
          'PUBLIC holds no privilege on a table of the schema');
SELECT is((SELECT count(*) FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid,
           aclexplode(att.attacl) a
           WHERE c.relnamespace = 'agent_guard'::regnamespace AND a.grantee = 0), 0::bigint,
          'PUBLIC holds no privilege on a column');
SELECT is((SELECT count(*) FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
           WHERE p.pronamespace IN ('agent_guard'::regnamespace, 'agent_guard_crypto'::regnamespace)
             AND a.grantee = 0), 0::bigint,
          'PUBLIC may execute no function of the schema or of pgcrypto');
SELECT is((SELECT count(*) FROM pg_namespace n, aclexplode(n.nspacl) a
           WHERE n.nspname IN ('agent_guard', 'agent_guard_crypto') AND a.grantee = 0), 0::bigint,
          'PUBLIC may not use the schemas');
SELECT is((SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'agent_guard'::regnamespace
             AND p.prosecdef
             AND NOT coalesce(p.proconfig, '{}') @> ARRAY['search_path=pg_catalog, agent_guard, pg_temp']),
          0::bigint, 'every SECURITY DEFINER function pins its search_path');
SELECT ok((SELECT prosecdef FROM pg_proc WHERE oid = 'agent_guard.reveal'::regproc),
          'reveal() is SECURITY DEFINER');
SELECT is((SELECT count(*) FROM pg_class c
           WHERE c.relnamespace IN ('agent_guard'::regnamespace, 'agent_guard_crypto'::regnamespace)
             AND c.relowner <> 'agent_guard_owner'::regrole), 0::bigint,
          'the owner owns every table, view and sequence');
SELECT is((SELECT rolcanlogin FROM pg_roles WHERE rolname = 'agent_guard_owner'), false,
          'the owner cannot log in');

-- A view and a function of the agent's own, made for it by someone who could.
CREATE VIEW public.alice_view AS SELECT customer, sealed FROM agent_guard.customer_field;
ALTER VIEW public.alice_view OWNER TO alice;
CREATE FUNCTION public.alice_fn() RETURNS SETOF bytea LANGUAGE sql SECURITY DEFINER
  AS 'SELECT sealed FROM agent_guard.customer_field';
ALTER FUNCTION public.alice_fn() OWNER TO alice;
-- A schema of the agent's own, first on its search_path, shadowing what reveal() calls.
CREATE SCHEMA evil AUTHORIZATION alice;
CREATE FUNCTION evil.lock_chain() RETURNS void LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION 'hijacked'; END $$;
CREATE FUNCTION evil.current_policy(OUT version bigint, OUT settings jsonb) LANGUAGE sql
  AS $$ SELECT 1::bigint, '{"max-reveals-per-hour": 1000, "masked-kinds": ["cpf"], "require-reason": false, "reason-codes": ["x"]}'::jsonb $$;
CREATE TABLE evil.customer_field (customer bigint, kind text, masked text, sealed bytea);
CREATE FUNCTION evil.clock_timestamp() RETURNS timestamptz LANGUAGE sql
  AS $$ SELECT '2000-01-01'::timestamptz $$;
ALTER FUNCTION evil.lock_chain() OWNER TO alice;
ALTER FUNCTION evil.current_policy() OWNER TO alice;
ALTER TABLE evil.customer_field OWNER TO alice;
ALTER FUNCTION evil.clock_timestamp() OWNER TO alice;

SET SESSION AUTHORIZATION alice;

SELECT throws_ok('SELECT sealed FROM agent_guard.customer_field', '42501', NULL,
                 'an agent cannot SELECT the value column');
SELECT throws_ok('SELECT * FROM agent_guard.customer_field', '42501', NULL,
                 'nor SELECT * of the table');
SELECT throws_ok('SELECT count(*) FROM agent_guard.customer_field WHERE sealed IS NOT NULL',
                 '42501', NULL, 'nor filter on it');
SELECT lives_ok('SELECT customer, kind, masked FROM agent_guard.customer_field',
                'but reads the masks');
SELECT throws_ok('SELECT sealed FROM public.alice_view', '42501', NULL,
                 'nor through a view of its own');
SELECT throws_ok('SELECT public.alice_fn()', '42501', NULL,
                 'nor through a SECURITY DEFINER function of its own');
SELECT throws_ok('CREATE TEMP VIEW v AS SELECT 1', '42501', NULL,
                 'an agent cannot make temporary objects');
SELECT throws_ok('CREATE FUNCTION agent_guard.f() RETURNS int LANGUAGE sql AS ''SELECT 1''',
                 '42501', NULL, 'nor objects in the schema');
SELECT throws_ok('SELECT agent_guard.unseal_text(''c-0001'', ''cpf'', ''\x00''::bytea)',
                 '42501', NULL, 'nor call the unsealing function');
SELECT throws_ok('SELECT agent_guard_crypto.pgp_sym_decrypt(''\x00''::bytea, ''k'')',
                 '42501', NULL, 'nor pgcrypto');
SELECT throws_ok('SELECT * FROM agent_guard.put_customer(''c-9'', ''X'', ''{}'')',
                 '42501', NULL, 'nor add customers');

SET search_path = evil, agent_guard, public;
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'cpf', NULL, NULL, 's1', 'live')),
          'reason-required', 'a search_path of its own changes nothing reveal() does');
SELECT is((SELECT count(*) FROM agent_guard.ledger WHERE cause = 'reason-required'
             AND time > '2001-01-01'), 1::bigint, 'and its entry is written as always');
SELECT is((SELECT value FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', NULL, 's1', 'live')),
          '52998224725', 'reveal() hands out the value it ledgers');
SET search_path = public;

RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION mallory;
SELECT throws_ok('SELECT * FROM agent_guard.reveal(''c-0001'', ''cpf'', ''identity-check'', NULL, ''s1'', ''live'')',
                 '42501', NULL, 'a role in no group cannot reveal');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
