-- SPDX-License-Identifier: GPL-3.0-or-later
-- verify_ledger(): auditors only; it recomputes every chain and checkpoint and names the
-- first bad entry, and a cut-off tail. The tampering is a superuser's, past the triggers.
BEGIN;
SELECT plan(15);

SET SESSION AUTHORIZATION alice;
DO $$ BEGIN PERFORM agent_guard.log_event('login', 's1', 'live') FROM generate_series(1, 5); END $$;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION bob;
DO $$ BEGIN PERFORM agent_guard.log_event('login', 'sb', 'live') FROM generate_series(1, 2); END $$;
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION alice;
SELECT throws_ok('SELECT * FROM agent_guard.verify_ledger()', '42501', NULL,
                 'an agent cannot run the verification');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION sam;
SELECT throws_ok('SELECT * FROM agent_guard.verify_ledger()', '42501', NULL,
                 'nor can a supervisor');
RESET SESSION AUTHORIZATION;

CREATE FUNCTION pg_temp.verify() RETURNS text LANGUAGE sql AS $$
  SELECT CASE WHEN v.ok THEN 'ok ' || v.entries
              ELSE concat_ws(' ', v.problem, v.bad_agent, v.bad_seq) END
  FROM agent_guard.verify_ledger() v
$$;
GRANT EXECUTE ON FUNCTION pg_temp.verify() TO audrey;
CREATE FUNCTION pg_temp.id_of(a text, s bigint) RETURNS bigint LANGUAGE sql AS
  $$ SELECT id FROM agent_guard.ledger WHERE agent = a AND seq = s $$;

SET SESSION AUTHORIZATION audrey;
SELECT is(pg_temp.verify(), 'ok 7', 'an intact ledger verifies');
RESET SESSION AUTHORIZATION;

SET session_replication_role = replica;

SAVEPOINT t;
UPDATE agent_guard.ledger SET cause = 'edited' WHERE agent = 'alice' AND seq = 3;
SELECT is(pg_temp.verify(), 'entry alice 3', 'a member changed beside its entry is named');
SELECT is((SELECT bad_id FROM agent_guard.verify_ledger()), pg_temp.id_of('alice', 3),
          'with the first bad row''s id');
ROLLBACK TO t;

SAVEPOINT t;
UPDATE agent_guard.ledger
  SET cause = 'edited',
      entry = agent_guard.ledger_encode(seq, time, mode, event, field, agent, host, session,
                                        record, reason, ticket, policy_version, 'edited')
  WHERE agent = 'alice' AND seq = 2;
UPDATE agent_guard.ledger SET hash = agent_guard_crypto.digest(prev_hash || entry, 'sha256')
  WHERE agent = 'alice' AND seq = 2;
SELECT is(pg_temp.verify(), 'mac alice 2', 'an entry rewritten with its hash fails its MAC');
ROLLBACK TO t;

SAVEPOINT t;
UPDATE agent_guard.ledger SET seq = seq + 10 WHERE agent = 'bob' AND seq = 2;
SELECT is(pg_temp.verify(), 'seq bob 12', 'a renumbered entry is named');
ROLLBACK TO t;

SAVEPOINT t;
DELETE FROM agent_guard.ledger WHERE agent = 'alice' AND seq = 3;
SELECT is(pg_temp.verify(), 'seq alice 4', 'an entry cut out of the middle is found');
ROLLBACK TO t;

SAVEPOINT t;
DELETE FROM agent_guard.ledger WHERE agent = 'alice' AND seq >= 4;
SELECT is(pg_temp.verify(), 'cut-tail alice 5', 'a cut-off tail is found from the chain head');
ROLLBACK TO t;

-- A checkpoint, then the tail cut with the head rewritten to match.
SET session_replication_role = origin;
SET SESSION AUTHORIZATION audrey;
SELECT ok(agent_guard.ledger_checkpoint() > 0, 'an auditor makes a checkpoint');
SELECT is(pg_temp.verify(), 'ok 7', 'the ledger with its checkpoint verifies');
RESET SESSION AUTHORIZATION;
SET session_replication_role = replica;

SAVEPOINT t;
DELETE FROM agent_guard.ledger WHERE agent = 'alice' AND seq >= 4;
UPDATE agent_guard.chain_head h SET seq = 3, hash = l.hash
  FROM agent_guard.ledger l WHERE h.agent = 'alice' AND l.agent = 'alice' AND l.seq = 3;
SELECT is(pg_temp.verify(), 'cut-tail alice 5',
          'a tail cut with its chain head rewritten is found from the checkpoint');
ROLLBACK TO t;

SAVEPOINT t;
UPDATE agent_guard.ledger_checkpoint_head SET seq = 4 WHERE agent = 'alice';
SELECT is(pg_temp.verify(), 'checkpoint', 'an edited checkpoint fails its hash');
ROLLBACK TO t;

SET session_replication_role = origin;

-- Checkpoints come by themselves too: one every 100 entries.
SET SESSION AUTHORIZATION bob;
DO $$ BEGIN PERFORM agent_guard.log_event('unlock', 'sb', 'live') FROM generate_series(1, 100); END $$;
RESET SESSION AUTHORIZATION;
SELECT ok((SELECT count(*) FROM agent_guard.ledger_checkpoint) >= 2,
          'every 100 entries a checkpoint is made');
SET SESSION AUTHORIZATION audrey;
SELECT is(pg_temp.verify(), 'ok 107', 'and the whole verifies');
RESET SESSION AUTHORIZATION;

SELECT * FROM finish();
ROLLBACK;
