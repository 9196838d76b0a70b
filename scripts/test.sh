#!/usr/bin/env bash
# Runs every test: unit tests of each crate and the end-to-end tests that start the real
# api and worker binaries against real Postgres and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
ensure_services

PG="${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432}"
# Each test makes its own database (qs_t_*); drop the ones earlier runs left behind.
if command -v psql >/dev/null; then
  psql "$PG/postgres" -tAc "select datname from pg_database where datname like 'qs\_t\_%'" 2>/dev/null |
    while read -r db; do [ -n "$db" ] && psql "$PG/postgres" -qc "drop database if exists \"$db\"" >/dev/null 2>&1 || true; done
fi

log "building"
cargo build --workspace --bins
log "testing"
cargo test --workspace "$@"
