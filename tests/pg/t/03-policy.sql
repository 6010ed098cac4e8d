-- SPDX-License-Identifier: GPL-3.0-or-later
-- The policy: agents cannot change it nor the bounds; a supervisor changes it within the
-- limits and the admin bounds only, each change a new version, ledgered.
BEGIN;
SELECT plan(22);

SELECT is((SELECT settings->'max-reveals-per-hour' FROM agent_guard.current_policy()), '30'::jsonb,
          'version 1 holds the built-in defaults');
SELECT is((SELECT count(*) FROM jsonb_object_keys((agent_guard.current_policy()).settings)), 14::bigint,
          'all 14 keys of the embedded mode''s policy');

SET SESSION AUTHORIZATION alice;
SELECT throws_ok($$SELECT agent_guard.set_policy('{"max-reveals-per-hour": 1000}')$$, '42501', NULL,
                 'an agent cannot change the policy');
SELECT throws_ok($$INSERT INTO agent_guard.policy (settings) VALUES ('{}')$$, '42501', NULL,
                 'nor insert a version');
SELECT throws_ok($$UPDATE agent_guard.policy SET settings = '{}'$$, '42501', NULL,
                 'nor edit one');
SELECT throws_ok('SELECT * FROM agent_guard.policy_bound', '42501', NULL,
                 'nor read the bounds');
SELECT throws_ok($$INSERT INTO agent_guard.policy_bound VALUES ('max-reveals-per-hour', '1000')$$,
                 '42501', NULL, 'nor set one');
SELECT lives_ok('SELECT * FROM agent_guard.current_policy()', 'an agent reads the policy in force');
RESET SESSION AUTHORIZATION;

-- The admin's bound (as the owner: pg init's role).
SET ROLE agent_guard_owner;
INSERT INTO agent_guard.policy_bound VALUES ('max-reveals-per-hour', '20'), ('idle-lock', '600'),
  ('masked-kinds', '["cpf", "card_number"]'), ('require-reason', 'true'),
  ('clipboard', '"allow-with-clear:30"'), ('ledger-retention-days', '365');
RESET ROLE;
SELECT is((SELECT settings->'max-reveals-per-hour' FROM agent_guard.current_policy()), '20'::jsonb,
          'a bound tighter than the policy in force tightens it at once');

SET SESSION AUTHORIZATION sam;
SELECT throws_ok($$INSERT INTO agent_guard.policy (settings) VALUES ('{}')$$, '42501', NULL,
                 'a supervisor inserts no version directly');
SELECT throws_ok($$UPDATE agent_guard.policy_bound SET value = '1000'$$, '42501', NULL,
                 'nor changes a bound');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"max-reveals-per-hour": 25}')$$, '42501',
                 'max-reveals-per-hour: 25 is beyond the admin bound 20',
                 'a supervisor cannot go beyond a bound');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"require-reason": false}')$$, '42501', NULL,
                 'nor turn off what a bound keeps on');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"masked-kinds": ["cpf"]}')$$, '42501', NULL,
                 'nor unmask a kind a bound keeps masked');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"clipboard": "allow-with-clear:60"}')$$, '42501', NULL,
                 'nor let the clipboard keep a value longer than the bound');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"ledger-retention-days": 100}')$$, '42501', NULL,
                 'nor keep the ledger shorter than the bound');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"idle-lock": 20}')$$, '23514',
                 'idle-lock: 20 is outside 30–900', 'nor go outside a key''s limits');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"idle-lokc": 300}')$$, '23514',
                 'idle-lokc: unknown key', 'nor set an unknown key');
SELECT throws_ok($$SELECT agent_guard.set_policy('{"reason-codes": ["Bad Code"]}')$$, '23514', NULL,
                 'nor a reason code outside [a-z0-9-]');
SELECT ok(agent_guard.set_policy('{"max-reveals-per-hour": 15, "clipboard": "allow-with-clear:10"}') > 2,
          'within the bounds, a supervisor changes the policy');
RESET SESSION AUTHORIZATION;
SELECT results_eq(
  $$SELECT settings->'max-reveals-per-hour', settings->'clipboard', created_by
    FROM agent_guard.policy ORDER BY version DESC LIMIT 1$$,
  $$VALUES ('15'::jsonb, '"allow-with-clear:10"'::jsonb, 'sam'::text)$$,
  'as a new version, attributed to the supervisor');
SELECT results_eq(
  $$SELECT agent, event, policy_version FROM agent_guard.ledger ORDER BY id DESC LIMIT 1$$,
  $$SELECT 'sam'::text, 'policy-changed'::text, max(version)::text FROM agent_guard.policy$$,
  'and ledgered policy-changed with its version');

SELECT * FROM finish();
ROLLBACK;
