#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The pgTAP privilege tests (tests/pg/t/*.sql) with pg_prove, against pg-fixture.sh's server.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
psql -XAtq -v ON_ERROR_STOP=1 -f "$here/setup.sql" >/dev/null
exec pg_prove --ext .sql "$here"/t/*.sql
