#!/usr/bin/env bash
# Starts the whole system locally: Postgres and Redis (started or installed if needed),
# migrations, the fake ShipStation, the api and a worker, plus a demo account ready to use.
# Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh
ensure_services

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/quayside}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export BIND_ADDR="${BIND_ADDR:-127.0.0.1:8080}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-http://localhost:${BIND_ADDR##*:}}"
export METRICS_ADDR="${METRICS_ADDR:-127.0.0.1:9091}"
export RUST_LOG="${RUST_LOG:-info,sqlx=warn}"
FAKE_BIND="${FAKE_SHIPSTATION_BIND:-127.0.0.1:8090}"
API="http://${BIND_ADDR}"
FAKE="http://${FAKE_BIND}"

log "building (debug)"
cargo build --workspace --bins
mkdir -p .local/logs
BIN=target/debug

log "applying migrations"
$BIN/api migrate >.local/logs/migrate.log 2>&1 || { cat .local/logs/migrate.log; exit 1; }

pids=()
cleanup() { log "stopping"; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$BIN/fake-shipstation --bind "$FAKE_BIND" --demo-key demo-key --demo-secret demo-secret >.local/logs/fake-shipstation.log 2>&1 &
pids+=($!)
$BIN/api >.local/logs/api.log 2>&1 &
pids+=($!)
$BIN/worker >.local/logs/worker.log 2>&1 &
pids+=($!)

wait_for 60 curl -fsS "$API/readyz" || { log "api did not start; see .local/logs/api.log"; tail -20 .local/logs/api.log; exit 1; }
wait_for 30 curl -fsS "http://${METRICS_ADDR}/healthz" || { log "worker did not start; see .local/logs/worker.log"; tail -20 .local/logs/worker.log; exit 1; }

# The demo account (the same script seeds `docker compose up`).
SEED=$(scripts/demo-seed.sh "$API" "$FAKE") || { log "demo seeding failed"; exit 1; }
val() { echo "$SEED" | sed -n "s/^$1=//p"; }
EMAIL=$(val DEMO_EMAIL); PASSWORD=$(val DEMO_PASSWORD); CONN=$(val DEMO_CONNECTION)
QB_USER=$(val DEMO_QBWC_USERNAME); QB_PASS=$(val DEMO_QBWC_PASSWORD)

cat <<MSG

  Quayside is running.

    API               $API   (health: $API/readyz, metrics: $API/metrics)
    Web Connector     $API/qbwc
    Fake ShipStation  $FAKE   (key demo-key / secret demo-secret)
    Logs              .local/logs/

  Log in:   curl -X POST $API/api/v1/auth/login -H 'content-type: application/json' \\
              -d '{"email":"$EMAIL","password":"$PASSWORD"}'
  Connection id:  $CONN

  Play a Web Connector run against a sample QuickBooks company (sales flow to the fake ShipStation):
    $BIN/qbwc-sim --url $API/qbwc --username $QB_USER --password $QB_PASS --invoices 25 --state-file .local/company.json
  Then:  curl -H "authorization: Bearer <access_token>" $API/api/v1/connections/$CONN/orders

  Ctrl-C stops everything.
MSG
wait
