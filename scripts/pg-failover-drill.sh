#!/usr/bin/env bash
# PostgreSQL failover drill: measures the recovery point (RPO) and the recovery time (RTO)
# of shijian on a primary with a streaming-replication standby when the primary's site is
# lost. The procedure and the figures are in docs/DURABILITY.md §5.
#
#   scripts/pg-failover-drill.sh [async] [sync]      (default: both, async first)
#
# Each mode, each round:
#   1. a primary (127.0.0.1:56001: wal_level=replica, fsync and synchronous_commit on) and a
#      standby made with `pg_basebackup -R` through a replication slot (127.0.0.1:56002).
#      The standby reaches the primary through a link that delays each direction by
#      LINK_DELAY_MS (a small proxy on 127.0.0.1:26005; 0 = a direct connection), standing
#      for the network to another site. `sync`: the primary then sets
#      synchronous_standby_names = 'FIRST 1 (drill_standby)', so a commit returns only once
#      the standby has flushed it (SYNC_COMMIT=on); `async`: commits do not wait for it.
#   2. `shijian migrate`, a system administrator and an integration account (`user add`),
#      a signed audit checkpoint, `shijian serve` on the primary (127.0.0.1:26003), and
#      WRITERS loops writing through the API: writer 1 creates users (POST /api/v1/users,
#      which hashes a password), the others issue API tokens (POST /api/v1/users/{id}/tokens,
#      cheap). Each request carries a unique X-Request-Id (and an Idempotency-Key), which
#      its audit record keeps; every answer is logged with the time it arrived.
#   3. after a random LOAD_MIN..LOAD_MAX seconds, T0: kill -9 of the primary's postmaster,
#      all its processes and the link, at once (the site is gone, with what was in flight).
#      Then `pg_ctl promote` of the standby, a new `shijian serve` on it (127.0.0.1:26004)
#      that the writers switch to (the DNS name or virtual IP moves), and a probe that signs
#      in and creates a user.
#   4. RTO = T0 → the probe's 201. RPO = the writes the old primary answered 2xx whose audit
#      record is missing on the promoted standby: how many, and when the oldest of them was
#      sent and answered, before T0 (it committed in between; an answer may arrive after T0,
#      as shijian outlives its database). Also: every user has its `user.create` audit
#      record and event (nothing half there), and `shijian audit verify --checkpoint` passes
#      on the promoted database.
# A Markdown table of the results is printed at the end. Everything runs on 127.0.0.1 under
# DRILL_DIR (/tmp/sj-drill); on exit every process the drill started is stopped and
# DRILL_DIR removed.
#
# Environment: SHIJIAN (the binary; default target/release/shijian from
# `cargo build --release -p shijian`), ROUNDS (per mode, default 1), WRITERS (default 4),
# LOAD_MIN / LOAD_MAX (seconds of load before the kill, default 5 / 15), LINK_DELAY_MS
# (one way, default 0), SYNC_COMMIT (sync mode: on, remote_apply or remote_write; default on),
# DRILL_SEED (repeats the kill moments), KEEP=1 (keep DRILL_DIR).
# Runs as root, like scripts/pg.sh: PostgreSQL runs as the `postgres` user; Debian's
# postgresql-15 is installed if missing. Needs curl, jq and python3 (for the link).
set -euo pipefail
export LC_ALL=C.UTF-8   # a '.' in $EPOCHREALTIME and in awk's numbers

repo=$(cd "$(dirname "$0")/.." && pwd)
SHIJIAN=${SHIJIAN:-$repo/target/release/shijian}
PGBIN=/usr/lib/postgresql/15/bin
DRILL_DIR=${DRILL_DIR:-/tmp/sj-drill}
PRIMARY_PORT=56001
STANDBY_PORT=56002
# The listeners that start while the load runs use ports below Linux's ephemeral range
# (32768–60999), which the load's own connections may hold as their local port.
HTTP_OLD=26003   # shijian on the primary
HTTP_NEW=26004   # shijian on the promoted standby
LINK_PORT=26005  # the delaying link from the standby to the primary
ROUNDS=${ROUNDS:-1}
WRITERS=${WRITERS:-4}
LOAD_MIN=${LOAD_MIN:-5}
LOAD_MAX=${LOAD_MAX:-15}
LINK_DELAY_MS=${LINK_DELAY_MS:-0}
SYNC_COMMIT=${SYNC_COMMIT:-on}   # sync mode: on (standby flushed), remote_apply or remote_write
DRILL_SEED=${DRILL_SEED:-$(( $(date +%s) % 32768 ))}
ADMIN=drill.admin     # system_admin: creates users and issues integration tokens
FEED=drill.feed       # the integration account the tokens are issued to
PASSWORD=Drill-Test-2026
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(async sync)

die() { echo "drill: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
now() { echo "$EPOCHREALTIME"; }                                      # s, to the µs
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }  # b − a, in s
as_postgres() { runuser -u postgres -- "$@"; }
psql_at() { "$PGBIN/psql" -X -q -At -h 127.0.0.1 -p "$1" -U postgres -d postgres -c "$2"; }
put() { echo "$2" >"$1.tmp"; mv "$1.tmp" "$1"; }   # atomic: the writers read these files

# ---- preconditions ------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (PostgreSQL runs as the postgres user via runuser)"
for m in "${modes[@]}"; do
  case "$m" in async | sync) ;; *) die "unknown mode $m (async or sync)" ;; esac
done
[ -x "$SHIJIAN" ] || die "no shijian binary at $SHIJIAN: cargo build --release -p shijian, or set SHIJIAN"
for c in curl jq python3; do command -v $c >/dev/null || die "needs $c"; done
if [ ! -x "$PGBIN/pg_ctl" ]; then
  log "installing PostgreSQL 15 (Debian postgresql-15)…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql-15 >&2
fi
for p in $PRIMARY_PORT $STANDBY_PORT $HTTP_OLD $HTTP_NEW $LINK_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use"; fi
done
[ ! -e "$DRILL_DIR" ] || die "$DRILL_DIR exists (another drill running?); remove it first"
RANDOM=$DRILL_SEED

# ---- cleanup: every process the drill started, then DRILL_DIR ----------------------------
pids=()   # shijian servers, writers, the lag sampler, the link
cleanup() {
  set +e
  touch "$DRILL_DIR/stop" 2>/dev/null
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null; done
  for d in "$DRILL_DIR"/*/primary "$DRILL_DIR"/*/standby; do
    [ -f "$d/postmaster.pid" ] && as_postgres "$PGBIN/pg_ctl" -D "$d" -m immediate -w stop >/dev/null 2>&1
  done
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $DRILL_DIR" >&2; else rm -rf "$DRILL_DIR"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$DRILL_DIR/sockets"
chmod 755 "$DRILL_DIR"
chown postgres:postgres "$DRILL_DIR/sockets"   # Unix sockets outside the data directories

# Every shijian process: sign-in without a second factor and no per-address request limit,
# so the drill measures the database, not the login policy or the limiter.
CONFIG=$DRILL_DIR/shijian.toml
printf '[session]\ntotp_roles = []\n\n[rate_limits]\nrequests_per_address_per_minute = 0\n' >"$CONFIG"
# PostgreSQL deployments need an explicit data key file (format: crates/crypto keyfile.rs).
KEYS=$DRILL_DIR/keys.conf
( umask 077
  printf 'index = %s\ndata.k1 = %s\ncurrent = k1\n' \
    "$(head -c 32 /dev/urandom | base64)" "$(head -c 32 /dev/urandom | base64)" >"$KEYS" )
export SHIJIAN_CONFIG=$CONFIG SHIJIAN_KEYS_FILE=$KEYS SHIJIAN_DATA_DIR=$DRILL_DIR/no-sqlite

# The link: a TCP proxy delaying each direction by LINK_DELAY_MS, order preserved. Killing
# it loses what it holds, as a cut line loses what is on it.
cat >"$DRILL_DIR/link.py" <<'PY'
import asyncio, sys
listen_port, target_port, delay = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]) / 1000

async def pipe(reader, writer):
    loop, queue = asyncio.get_running_loop(), asyncio.Queue()
    async def deliver():
        while True:
            at, data = await queue.get()
            if not data:
                break
            await asyncio.sleep(max(0.0, at - loop.time()))
            writer.write(data)
            await writer.drain()
    task = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((loop.time() + delay, data))
            if not data:
                break
        await task
    finally:
        task.cancel()
        writer.close()

async def connection(c_reader, c_writer):
    try:
        s_reader, s_writer = await asyncio.open_connection("127.0.0.1", target_port)
    except OSError:
        c_writer.close()
        return
    await asyncio.gather(pipe(c_reader, s_writer), pipe(s_reader, c_writer), return_exceptions=True)

async def main():
    server = await asyncio.start_server(connection, "127.0.0.1", listen_port)
    async with server:
        await server.serve_forever()

asyncio.run(main())
PY

# ---- PostgreSQL -------------------------------------------------------------------------
pg_start() {  # DIR PORT [-c settings…]
  local dir=$1 port=$2
  shift 2
  as_postgres "$PGBIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $DRILL_DIR/sockets -c listen_addresses=127.0.0.1 $*" start >/dev/null \
    || { tail -n 5 "$dir/server.log" >&2; die "PostgreSQL did not start on port $port"; }
}

# The primary: durable settings (the defaults, stated) and what streaming replication needs.
make_primary() {  # DIR
  local dir=$1
  mkdir -m 700 "$dir"
  chown postgres:postgres "$dir"
  # trust on 127.0.0.1, also for replication connections: the drill only.
  as_postgres "$PGBIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  pg_start "$dir" $PRIMARY_PORT -c wal_level=replica -c max_wal_senders=5 \
    -c max_replication_slots=5 -c fsync=on -c full_page_writes=on -c synchronous_commit=on
}

# The standby: a base backup through a new slot; -R writes standby.signal, primary_conninfo
# and primary_slot_name. Its primary_conninfo is then pointed at the link and names it
# drill_standby (the name synchronous_standby_names uses).
make_standby() {  # DIR
  local dir=$1 via=$PRIMARY_PORT t
  mkdir -m 700 "$dir"
  chown postgres:postgres "$dir"
  as_postgres "$PGBIN/pg_basebackup" -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D "$dir" \
    -R -C -S drill_slot -X stream --checkpoint=fast
  if [ "$LINK_DELAY_MS" != 0 ]; then
    python3 "$DRILL_DIR/link.py" $LINK_PORT $PRIMARY_PORT "$LINK_DELAY_MS" &
    link_pid=$!
    disown "$link_pid"   # killed on purpose: no job report
    pids+=("$link_pid")
    via=$LINK_PORT
  fi
  echo "primary_conninfo = 'host=127.0.0.1 port=$via user=postgres application_name=drill_standby'" \
    | as_postgres tee -a "$dir/postgresql.auto.conf" >/dev/null
  pg_start "$dir" $STANDBY_PORT -c hot_standby=on
  for t in $(seq 300); do
    [ "$(psql_at $PRIMARY_PORT "SELECT state FROM pg_stat_replication WHERE application_name = 'drill_standby'")" = streaming ] && return 0
    sleep 0.1
  done
  die "the standby did not start streaming"
}

make_synchronous() {
  local t
  psql_at $PRIMARY_PORT "ALTER SYSTEM SET synchronous_commit = '$SYNC_COMMIT'" >/dev/null
  psql_at $PRIMARY_PORT "ALTER SYSTEM SET synchronous_standby_names = 'FIRST 1 (drill_standby)'" >/dev/null
  psql_at $PRIMARY_PORT "SELECT pg_reload_conf()" >/dev/null
  for t in $(seq 100); do
    [ "$(psql_at $PRIMARY_PORT "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'drill_standby'")" = sync ] && return 0
    sleep 0.1
  done
  die "the standby did not become synchronous"
}

# The site is lost: one kill -9 for the postmaster, every process of the instance and the
# link. (A lone dead postmaster would leave its WAL sender and backends running for a
# while.) SIGSTOP first, so that no backend is forked between listing and killing; the
# list comes from /proc without starting a process, so the instance dies within
# microseconds of the STOP. Sets t0, the moment of the kill.
kill_site() {  # PRIMARY_DIR
  local pm children=()
  read -r pm <"$1/postmaster.pid"
  kill -STOP "$pm"
  read -r -a children <"/proc/$pm/task/$pm/children" || true
  kill -9 "$pm" "${children[@]}" ${link_pid:-}
  t0=$(now)
  rm -f "$1/postmaster.pid"   # no later pg_ctl may signal a reused pid
}

# ---- shijian ----------------------------------------------------------------------------
serve() {  # DATABASE_URL PORT LOG → $serve_pid
  "$SHIJIAN" --database "$1" serve --listen "127.0.0.1:$2" >"$3" 2>&1 &
  serve_pid=$!
  disown "$serve_pid"
  pids+=("$serve_pid")
}

wait_ready() {  # BASE LOG: waits for 200 from /readyz of the server just started
  local deadline=$(( SECONDS + 60 ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1/readyz")" = 200 ]; do
    if ! kill -0 "$serve_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      tail -n 5 "$2" >&2
      return 1
    fi
    sleep 0.05
  done
}

login() {  # BASE → the token
  curl -sf --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"username\":\"$ADMIN\",\"password\":\"$PASSWORD\"}" "$1/api/v1/auth/login" | jq -er .token
}

# One write; prints "HTTP_CODE SECONDS" (000: no answer). NAME is the request id.
write() {  # BASE TOKEN KIND NAME
  local path body
  if [ "$3" = user ]; then
    path=/api/v1/users
    body="{\"username\":\"$4\",\"display_name\":\"演练$4\",\"role\":\"officer\",\"jurisdiction\":\"420881\",\"password\":\"$PASSWORD\"}"
  else
    path=/api/v1/users/$(<"$DRILL_DIR/feed_id")/tokens
    body='{"days":1}'
  fi
  curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 5 \
    -H "Authorization: Bearer $2" -H "X-Request-Id: $4" -H "Idempotency-Key: $4" \
    -H 'Content-Type: application/json' -d "$body" "$1$path" || true
}

# A writer: writes PREFIX-0, PREFIX-1, … to the server named in RUN/target ("TAG BASE")
# until a stop file exists; logs "ANSWER_TIME CODE TAG NAME LATENCY" per request.
writer() {  # RUN KIND PREFIX
  local run=$1 kind=$2 prefix=$3 i=0 tag base name out
  while [ ! -e "$run/stop" ] && [ ! -e "$DRILL_DIR/stop" ]; do
    read -r tag base <"$run/target"
    name=$prefix-$i
    out=$(write "$base" "$(<"$run/token")" "$kind" "$name")
    echo "$(now) ${out% *} $tag $name ${out#* }" >>"$run/writes.$prefix"
    case "$out" in 2*) ;; *) sleep 0.1 ;; esac   # the server is down: do not spin
    i=$(( i + 1 ))
  done
}

# Every 0.2 s: "BYTES_NOT_YET_FLUSHED_BY_THE_STANDBY FLUSH_LAG_MS".
lag_sampler() {  # RUN
  while [ ! -e "$1/stop" ] && [ ! -e "$DRILL_DIR/stop" ]; do
    psql_at $PRIMARY_PORT "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn), coalesce(extract(epoch FROM flush_lag) * 1000, 0) FROM pg_stat_replication WHERE application_name = 'drill_standby'" \
      2>/dev/null | tr '|' ' ' >>"$1/lag" || true
    sleep 0.2
  done
}

# ---- one round --------------------------------------------------------------------------
results=()
round() {  # MODE N
  local mode=$1 n=$2 run=$DRILL_DIR/$1-$2 tag=${1:0:1}$2
  local primary=$run/primary standby=$run/standby
  local url_p=postgres://postgres@127.0.0.1:$PRIMARY_PORT/postgres
  local url_s=postgres://postgres@127.0.0.1:$STANDBY_PORT/postgres
  local base_old=http://127.0.0.1:$HTTP_OLD base_new=http://127.0.0.1:$HTTP_NEW
  link_pid=
  mkdir -p "$run"
  log "== $mode, round $n: primary, standby (link delay ${LINK_DELAY_MS} ms each way)"
  make_primary "$primary"
  make_standby "$standby"
  [ "$mode" = sync ] && make_synchronous

  log "schema, accounts, audit checkpoint, shijian serve on the primary"
  "$SHIJIAN" --database "$url_p" migrate >"$run/migrate.log" 2>&1
  echo "$PASSWORD" | "$SHIJIAN" --database "$url_p" user add $ADMIN --role system_admin \
    --jurisdiction 420800 --password-stdin >"$run/accounts.log" 2>&1
  echo "$PASSWORD" | "$SHIJIAN" --database "$url_p" user add $FEED --role integration \
    --jurisdiction 420800 --password-stdin >>"$run/accounts.log" 2>&1
  psql_at $PRIMARY_PORT "SELECT id FROM app_user WHERE username = '$FEED'" >"$DRILL_DIR/feed_id"
  "$SHIJIAN" audit keygen --out "$run/checkpoint.pem" >"$run/keygen.log" 2>&1
  local public_key
  public_key=$(grep -o '[0-9a-f]\{64\}' "$run/keygen.log" | head -1)
  "$SHIJIAN" --database "$url_p" audit checkpoint --key "$run/checkpoint.pem" \
    --out "$run/checkpoints.jsonl" >"$run/checkpoint.log" 2>&1
  serve "$url_p" $HTTP_OLD "$run/serve-primary.log"
  local old_pid=$serve_pid token
  wait_ready $base_old "$run/serve-primary.log" || die "shijian did not become ready on the primary"
  token=$(login $base_old)
  put "$run/token" "$token"
  put "$run/target" "old $base_old"

  # ---- the load, then T0 at a random moment ----
  local w kind delay_ms t_load t0 workers=()
  delay_ms=$(( LOAD_MIN * 1000 + RANDOM % ((LOAD_MAX - LOAD_MIN) * 1000 + 1) ))
  log "load: $WRITERS writers; the site is lost after $(( delay_ms / 1000 )).$(printf %03d $(( delay_ms % 1000 ))) s"
  t_load=$(now)
  lag_sampler "$run" &
  workers+=($!)
  for w in $(seq "$WRITERS"); do
    if [ "$w" = 1 ]; then kind=user; else kind=token; fi
    writer "$run" $kind "${tag}w$w" &
    workers+=($!)
  done
  pids+=("${workers[@]}")
  sleep "$(( delay_ms / 1000 )).$(printf %03d $(( delay_ms % 1000 )))"
  kill_site "$primary"

  # ---- the promotion runbook: promote, start shijian on it, move the clients ----
  log "T0: primary lost; promoting the standby"
  as_postgres "$PGBIN/pg_ctl" -D "$standby" -w -t 60 promote >/dev/null
  local t_promoted t_ready t_write code deadline=$(( SECONDS + 60 ))
  t_promoted=$(now)
  serve "$url_s" $HTTP_NEW "$run/serve-standby.log"
  wait_ready $base_new "$run/serve-standby.log" || die "shijian did not become ready on the promoted standby"
  t_ready=$(now)
  put "$run/target" "new $base_new"
  kill -9 "$old_pid" 2>/dev/null || true   # its requests wait on a dead database: end them
  while :; do   # the probe: sign in and create a user, until it succeeds
    token=$(login $base_new || true)
    if [ -n "$token" ]; then
      code=$(write $base_new "$token" user "${tag}probe")
      [ "${code%% *}" = 201 ] && break
    fi
    [ $SECONDS -lt $deadline ] || die "no successful write on the promoted standby within 60 s"
    sleep 0.1
  done
  t_write=$(now)
  sleep 3   # the writers carry on against the new primary for a moment
  touch "$run/stop"
  wait "${workers[@]}" 2>/dev/null || true

  # ---- the measurements ----
  cat "$run"/writes.* | sort -n >"$run/writes"
  psql_at $STANDBY_PORT "SELECT request_id FROM audit_log" | sort -u >"$run/present"
  local acked lost lost_age unk_in unk_all after after_lost
  read -r acked lost lost_age unk_in unk_all after after_lost < <(awk -v t0="$t0" '
    FNR == NR { present[$1] = 1; next }
    $3 == "old" && $2 ~ /^2/ {
      acked++
      if (!($4 in present)) { lost++; sent = $1 - $5; if (first == "" || sent < first) { first = sent; answered = $1 } }
    }
    $3 == "old" && $2 !~ /^2/ { unk++; if ($4 in present) unk_in++ }
    $3 == "new" && $2 ~ /^2/ { after++; if (!($4 in present)) after_lost++ }
    END { printf "%d %d %s %d %d %d %d\n", acked, lost,
            (lost ? sprintf("%.3f…%.3f", t0 - first, t0 - answered) : "-"),
            unk_in, unk, after, after_lost }' "$run/present" "$run/writes")
  local rate p50 lag_bytes lag_ms half verify=fails
  rate=$(awk -v a="$t_load" -v b="$t0" -v n="$acked" 'BEGIN { printf "%.0f", n / (b - a) }')
  p50=$(awk '$3 == "old" && $2 ~ /^2/ { print $5 * 1000 }' "$run/writes" | sort -n \
        | awk '{ v[NR] = $1 } END { if (NR) printf "%.0f", v[int((NR + 1) / 2)]; else print "-" }')
  lag_bytes=$(awk 'BEGIN { m = 0 } $1 > m { m = $1 } END { print m }' "$run/lag")
  lag_ms=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { printf "%.0f", m }' "$run/lag")
  # Nothing half there: every user has its user.create audit record and event, and back.
  half=$(psql_at $STANDBY_PORT "SELECT
      (SELECT count(*) FROM app_user u WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = 'user.create' AND a.object_id = u.id::text))
    + (SELECT count(*) FROM app_user u WHERE NOT EXISTS (SELECT 1 FROM event e WHERE e.event_type = 'user.create' AND e.object_id = u.id::text))
    + (SELECT count(*) FROM event e WHERE e.event_type = 'user.create' AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.id::text = e.object_id))")
  if "$SHIJIAN" --database "$url_s" audit verify --checkpoint "$run/checkpoints.jsonl" \
       --public-key "$public_key" >"$run/verify.log" 2>&1; then verify=passes; fi
  echo "t_load=$t_load t0=$t0 t_promoted=$t_promoted t_ready=$t_ready t_write=$t_write" >"$run/times"
  log "$mode $n: acknowledged $acked, lost $lost, RTO $(secs "$t0" "$t_write") s, audit verify $verify"
  local label=$mode
  [ "$mode" = async ] || label="sync ($SYNC_COMMIT)"
  results+=("$label|$LINK_DELAY_MS|$(secs "$t_load" "$t0")|$acked|$rate|$p50|$lag_bytes|$lag_ms|**$lost**|$lost_age|$unk_in of $unk_all|$(secs "$t0" "$t_promoted")|$(secs "$t_promoted" "$t_ready")|**$(secs "$t0" "$t_write")**|$after, $after_lost lost|$half|$verify")

  # ---- end of the round ----
  kill "$serve_pid" 2>/dev/null || true
  while kill -0 "$serve_pid" 2>/dev/null; do sleep 0.1; done
  as_postgres "$PGBIN/pg_ctl" -D "$standby" -m fast -w stop >/dev/null
  pids=()
}

log "shijian failover drill: ${modes[*]}, $ROUNDS round(s) each, $WRITERS writers, link ${LINK_DELAY_MS} ms, seed $DRILL_SEED"
for mode in "${modes[@]}"; do
  for n in $(seq "$ROUNDS"); do round "$mode" "$n"; done
done

# ---- the table --------------------------------------------------------------------------
echo
echo "shijian PostgreSQL failover drill, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, seed $DRILL_SEED, $WRITERS writers, $("$SHIJIAN" --version)"
echo
echo "| mode | link ms | load s | acked | writes/s | p50 ms | max lag B | max flush lag ms | lost | oldest lost: sent…answered, s before T0 | not acked, present | promote s | shijian ready s | RTO s | acked after T0 | half-written | audit verify |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for r in "${results[@]}"; do echo "| ${r//|/ | } |"; done
