#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL 15 for the test run: its own data directory and
# port, owned by the `postgres` system user (initdb refuses root). Installs Debian's
# postgresql-15 first if it is missing.
#
#   scripts/pg.sh start DIR PORT   → prints the admin URL
#   scripts/pg.sh stop DIR
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?data directory}
PGBIN=/usr/lib/postgresql/15/bin

as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  port=${3:?port}
  if [ ! -x "$PGBIN/pg_ctl" ]; then
    echo "installing PostgreSQL 15 (Debian postgresql-15)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql-15 >&2
  fi
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_postgres "$PGBIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  as_postgres "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400 -c shared_buffers=128MB" start >/dev/null
  echo "postgres://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  if [ -f "$dir/postmaster.pid" ]; then
    as_postgres "$PGBIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
  fi
  ;;
*)
  echo "usage: $0 start DIR PORT | stop DIR" >&2
  exit 2
  ;;
esac
