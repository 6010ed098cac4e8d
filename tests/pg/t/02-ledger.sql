-- SPDX-License-Identifier: GPL-3.0-or-later
-- The ledger: insert-only for every role, attributed by session_user, each agent seeing
-- its own entries; reveal() ledgers before it returns, a denial leaves its row, the
-- quotas hold, trainees stay in training mode.
BEGIN;
SELECT plan(43);

SET SESSION AUTHORIZATION bob;
SELECT is((SELECT status FROM agent_guard.reveal('c-0002', 'cnpj', 'billing-dispute', 'T-77', 'sb', 'live')),
          'ok', 'bob reveals a CNPJ');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION alice;
SELECT is((SELECT value FROM agent_guard.reveal('c-0001', 'phone', 'identity-check', 'CALL-1', 's1', 'live')),
          '+5511987654321', 'alice reveals a phone number');
SELECT results_eq(
  'SELECT agent, seq, event, record, field, reason, ticket, session, mode, cause
   FROM agent_guard.ledger ORDER BY id DESC LIMIT 1',
  $$VALUES ('alice'::text, 1::bigint, 'reveal'::text, 'c-0001'::text, 'phone'::text,
            'identity-check'::text, 'CALL-1'::text, 's1'::text, 'live'::text, NULL::text)$$,
  'the reveal entry is in the ledger as soon as reveal() returns, attributed to alice');
SELECT is((SELECT count(*) FROM agent_guard.ledger WHERE agent <> 'alice'), 0::bigint,
          'alice sees no other agent''s entries');
SELECT is((SELECT count(*) FROM agent_guard.ledger), 1::bigint, 'only her own one');

SELECT throws_ok('INSERT INTO agent_guard.ledger (agent, seq, time, mode, event, entry, prev_hash, hash, mac)
                  VALUES (''bob'', 9, now(), ''live'', ''reveal'', '''', '''', '''', '''')',
                 '42501', NULL, 'an agent cannot insert into the ledger');
SELECT throws_ok('UPDATE agent_guard.ledger SET cause = ''x''', '42501', NULL,
                 'an agent cannot UPDATE the ledger');
SELECT throws_ok('DELETE FROM agent_guard.ledger', '42501', NULL,
                 'an agent cannot DELETE from the ledger');
SELECT throws_ok('TRUNCATE agent_guard.ledger', '42501', NULL,
                 'an agent cannot TRUNCATE the ledger');
SELECT throws_ok('SELECT * FROM agent_guard.chain_head', '42501', NULL,
                 'nor read the chain heads');
SELECT throws_ok('SELECT * FROM agent_guard.ledger_checkpoint', '42501', NULL,
                 'nor the checkpoints');
SELECT throws_ok('SET ROLE bob', '42501', NULL, 'nor act as another agent');
SELECT throws_ok('SELECT agent_guard.log_event(''reveal'', ''s1'', ''live'')', '42501', NULL,
                 'a client cannot ledger an access itself');
SELECT is(agent_guard.log_event('lock', 's1', 'live', NULL, NULL, 'idle'), 2::bigint,
          'it ledgers its own session''s events');
SELECT is((SELECT agent FROM agent_guard.ledger WHERE event = 'lock'), 'alice',
          'attributed to session_user');
SELECT throws_ok($$SELECT agent_guard.log_event('remask', 's1', 'live', '529.982.247-25', 'cpf', 'expired')$$,
                 '22023', NULL, 'a client-ledgered record must be a customer id');
SELECT throws_ok($$SELECT agent_guard.log_event('lock', 's1', 'live', NULL, NULL, 'call from Maria (11) 98765-4321!')$$,
                 '22023', NULL, 'and a cause only the characters of a cause');

-- Denials: a status, no value, and their row.
SELECT results_eq(
  $$SELECT status, value FROM agent_guard.reveal('c-0001', 'cpf', 'because', NULL, 's1', 'live')$$,
  $$VALUES ('unknown-reason'::text, NULL::text)$$, 'an unknown reason is a denial, not an error');
SELECT results_eq(
  $$SELECT event, cause, reason FROM agent_guard.ledger ORDER BY id DESC LIMIT 1$$,
  $$VALUES ('reveal-denied'::text, 'unknown-reason'::text, NULL::text)$$,
  'it leaves a reveal-denied row (without the free text)');
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', '529.982.247-25', 's1', 'live')),
          'invalid-ticket', 'a CPF typed as the ticket is refused');
SELECT ok((SELECT ticket IS NULL AND cause = 'invalid-ticket' FROM agent_guard.ledger ORDER BY id DESC LIMIT 1),
          'and never written to the ledger');
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'rg', 'identity-check', NULL, 's1', 'live')),
          'not-found', 'a field the customer lacks is not-found');
SELECT is((SELECT status FROM agent_guard.reveal('c-9999', 'cpf', 'identity-check', NULL, 's1', 'live')),
          'not-found', 'so is a customer that does not exist');
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'name', 'identity-check', NULL, 's1', 'live')),
          'not-masked', 'a kind the policy does not mask has nothing to reveal');
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', NULL, 's1', 'training')),
          'mode', 'training mode on a live store is refused');
SELECT is((SELECT count(*) FROM agent_guard.ledger WHERE event = 'reveal-denied'), 6::bigint,
          'every denial left its row');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION tina;
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', NULL, 'st', 'live')),
          'mode', 'a trainee cannot reveal in live mode');
RESET SESSION AUTHORIZATION;

-- The quota, counted in the ledger.
SET SESSION AUTHORIZATION sam;
SELECT lives_ok($$SELECT agent_guard.set_policy('{"max-reveals-per-hour": 3, "max-identifier-searches-per-hour": 3}')$$,
                'the supervisor sets quotas of 3');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION alice;
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'email', 'identity-check', NULL, 's1', 'live')),
          'ok', 'second reveal of the hour');
SELECT is((SELECT status FROM agent_guard.reveal('c-0001', 'card_number', 'fraud-check', NULL, 's1', 'live')),
          'ok', 'third reveal of the hour');
SELECT results_eq(
  $$SELECT status, value FROM agent_guard.reveal('c-0001', 'cpf', 'identity-check', NULL, 's1', 'live')$$,
  $$VALUES ('quota'::text, NULL::text)$$, 'the fourth is refused for the quota');
SELECT is((SELECT cause FROM agent_guard.ledger ORDER BY id DESC LIMIT 1), 'quota',
          'and ledgered reveal-denied quota');

-- Searches by identifier: an access, ledgered and counted per customer found.
SELECT results_eq(
  $$SELECT status, record_id FROM agent_guard.search_identifier('phone', '+5511987654321', 's1', 'live')$$,
  $$VALUES ('ok'::text, 'c-0001'::text), ('ok', 'c-0003')$$,
  'a search by phone finds both customers through the blind index');
SELECT results_eq(
  $$SELECT event, record, field, cause FROM agent_guard.ledger WHERE event = 'search' ORDER BY id$$,
  $$VALUES ('search'::text, 'c-0001'::text, 'phone'::text, 'kinds=phone found=2'::text),
           ('search', 'c-0003', 'phone', 'kinds=phone found=2')$$,
  'one search entry per customer found, never the query');
SELECT results_eq(
  $$SELECT status, record_id FROM agent_guard.search_identifier('cpf', '11144477735', 's1', 'live')$$,
  $$VALUES ('ok'::text, NULL::text)$$, 'a search that finds nobody');
SELECT results_eq(
  $$SELECT status, record_id FROM agent_guard.search_identifier('cpf', '52998224725', 's1', 'live')$$,
  $$VALUES ('quota'::text, NULL::text)$$, 'counts too: the fourth is refused');
SELECT is((SELECT event || ' ' || cause FROM agent_guard.ledger ORDER BY id DESC LIMIT 1),
          'search-denied quota', 'and ledgered search-denied');
SELECT throws_ok($$SELECT * FROM agent_guard.search_identifier('name', 'Maria', 's1', 'live')$$,
                 '22023', NULL, 'names are not searched through the blind index');
SELECT results_eq($$SELECT record_id FROM agent_guard.search_name('maria souza')$$,
                  $$VALUES ('c-0001'::text)$$, 'but by name');
RESET SESSION AUTHORIZATION;

-- The owner itself cannot change entries (the trigger, not only the privileges).
SET ROLE agent_guard_owner;
SELECT throws_ok('UPDATE agent_guard.ledger SET cause = ''x''', '42501', NULL,
                 'the owner cannot UPDATE the ledger');
SELECT throws_ok('DELETE FROM agent_guard.ledger', '42501', NULL,
                 'the owner cannot DELETE from the ledger');
SELECT throws_ok('TRUNCATE agent_guard.ledger', '42501', NULL,
                 'the owner cannot TRUNCATE the ledger');
RESET ROLE;

-- A ledger that cannot take the row gives no value.
ALTER TABLE agent_guard.ledger ADD CONSTRAINT no_more CHECK (event <> 'reveal') NOT VALID;
SET SESSION AUTHORIZATION bob;
SELECT throws_ok($$SELECT value FROM agent_guard.reveal('c-0002', 'phone', 'billing-dispute', NULL, 'sb', 'live')$$,
                 '23514', NULL, 'a failed ledger write is an error, with no value');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
