-- SPDX-License-Identifier: GPL-3.0-or-later
-- The people of the pg tests and their synthetic customers (never real data). Run by the
-- cluster's superuser once the schema is applied.
CREATE EXTENSION IF NOT EXISTS pgtap;

CREATE ROLE alice LOGIN IN ROLE agent_guard_agent;
CREATE ROLE bob LOGIN IN ROLE agent_guard_agent;
CREATE ROLE sam LOGIN IN ROLE agent_guard_supervisor;
CREATE ROLE tina LOGIN IN ROLE agent_guard_trainee;
CREATE ROLE audrey LOGIN IN ROLE agent_guard_auditor;
CREATE ROLE mallory LOGIN; -- in no group at all

-- The synthetic CPF 529.982.247-25 and CNPJ 11.222.333/0001-81 are the usual test numbers.
SELECT agent_guard.put_customer('c-0001', 'Maria Aparecida Souza', '{
  "cpf": {"value": "52998224725", "masked": "***.982.247-**"},
  "phone": {"value": "+5511987654321", "masked": "(11) *****-4321"},
  "email": {"value": "maria.souza@example.com", "masked": "m***@example.com"},
  "card_number": {"value": "4111111111111111", "masked": "**** **** **** 1111"},
  "name": {"value": "Maria Aparecida Souza", "masked": "Maria Aparecida Souza"}
}');
SELECT agent_guard.put_customer('c-0002', 'Joao Pedro Lima', '{
  "cnpj": {"value": "11222333000181", "masked": "**.222.333/****-**"},
  "phone": {"value": "+5521912345678", "masked": "(21) *****-5678"}
}');
SELECT agent_guard.put_customer('c-0003', 'Ana Lima', '{
  "phone": {"value": "+5511987654321", "masked": "(11) *****-4321"}
}');
