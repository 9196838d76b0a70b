#!/usr/bin/env bash
# Makes sure Postgres and Redis answer: uses DATABASE_URL / REDIS_URL when set, otherwise the
# machine's own servers, starting them if stopped and installing them with apt if missing.
# Sourced by run-local.sh and test.sh.

log() { printf '\033[1m[quayside]\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    log "need root for: $*"; return 1; fi
}

apt_install() {
  log "installing $* with apt"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() { # wait_for <seconds> <command...>
  local n=$1; shift
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  return 1
}

ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    log "using DATABASE_URL"
    return 0
  fi
  command -v pg_isready >/dev/null || apt_install postgresql postgresql-client
  if pg_isready -h 127.0.0.1 -p 5432 -q; then return 0; fi
  log "starting Postgres"
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for 30 pg_isready -h 127.0.0.1 -p 5432 -q || { log "Postgres did not start"; return 1; }
  # Local development trusts loopback connections as the postgres user (as CI machines do).
  if ! psql -h 127.0.0.1 -U postgres -c 'select 1' >/dev/null 2>&1; then
    local hba; hba=$(as_root runuser -u postgres -- psql -tAc 'show hba_file' 2>/dev/null || true)
    if [ -n "$hba" ]; then
      log "allowing trust auth for postgres on 127.0.0.1 (development only)"
      as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    fi
  fi
}

ensure_redis() {
  if [ -n "${REDIS_URL:-}" ]; then
    log "using REDIS_URL"
    return 0
  fi
  command -v redis-server >/dev/null || apt_install redis-server
  if redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then return 0; fi
  log "starting Redis"
  mkdir -p /tmp/quayside-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/quayside-redis --logfile /tmp/quayside-redis/redis.log
  wait_for 20 redis-cli -h 127.0.0.1 -p 6379 ping || { log "Redis did not start"; return 1; }
}

ensure_services() {
  ensure_postgres
  ensure_redis
}
