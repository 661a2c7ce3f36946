#!/usr/bin/env bash
# API fuzzing: Schemathesis generates requests from the OpenAPI document that a demo server
# serves at /api/openapi.json and checks every answer: no 5xx, a status code and a
# Content-Type the operation documents, a body that matches the documented schema.
# See docs/FUZZING.md.
#
#   scripts/fuzz-api.sh [--bin PATH] [--seed N] [--max-examples N] [--runs "RUN ..."]
#                       [--checks LIST] [--report-dir DIR] [-- extra `st run` arguments]
#
# Each run gets its own server (`shijian --data-dir TMP serve --demo --listen 127.0.0.1:0`
# on a fresh temporary directory), so nothing one run does to the accounts reaches another
# run. The runs (default: officer system_admin security_admin auth):
#   ROLE          every operation except /api/v1/auth/*, with the bearer token of the demo
#                 account jingmen.ROLE (officer: mostly the deny paths of administration;
#                 system_admin and security_admin: the allow paths). The token is got once
#                 (with the demo TOTP code where the role needs one). A hook sends any
#                 change the fuzzer aims at that very account (disable, role, password,
#                 second factor, tokens: each could end the run's own session) to an id
#                 no one has. Rate limits are off on every server.
#   auth          only /api/v1/auth/*: login, logout, password, me, the TOTP enrolment; each
#                 request gets a token from a fresh login of jingmen.officer (a logout or a
#                 password change ends only that one), and the server runs with
#                 SHIJIAN_MAX_FAILED_LOGINS=1000000 so fuzzed logins lock no one out.
#
# Exit status: 0 no failure; 1 Schemathesis found failures or errors; 2 usage, or the
# server did not start or let the demo account in; 3 prerequisites missing (python3 with
# venv, or PyPI for the first install): tests/fuzz.rs skips on 3 unless
# SHIJIAN_TEST_STRICT=1.
#
# Environment (the options win): SHIJIAN_FUZZ_BIN, SHIJIAN_FUZZ_SEED,
# SHIJIAN_FUZZ_MAX_EXAMPLES, SHIJIAN_FUZZ_RUNS, SHIJIAN_FUZZ_CHECKS, SHIJIAN_FUZZ_VENV,
# SHIJIAN_FUZZ_REPORT_DIR, SHIJIAN_FUZZ_CONFIG (a shijian.toml for the servers).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

SCHEMATHESIS_VERSION=4.32.5
DEMO_PASSWORD='Demo@2026jm'
DEMO_TOTP_SECRET='JBSWY3DPEHPK3PXP'
ROLES='system_admin audit_admin security_admin leader officer enterprise integration'

bin=${SHIJIAN_FUZZ_BIN:-$root/target/debug/shijian}
seed=${SHIJIAN_FUZZ_SEED:-20260501}
max_examples=${SHIJIAN_FUZZ_MAX_EXAMPLES:-25}
runs=${SHIJIAN_FUZZ_RUNS:-officer system_admin security_admin auth}
checks=${SHIJIAN_FUZZ_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance}
venv=${SHIJIAN_FUZZ_VENV:-$root/target/fuzz-venv}
report_dir=${SHIJIAN_FUZZ_REPORT_DIR:-$root/target/fuzz-report}
extra=()

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --max-examples) max_examples=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --checks) checks=$2; shift 2 ;;
    --report-dir) report_dir=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "fuzz-api: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$seed$max_examples" in *[!0-9]*) echo "fuzz-api: --seed and --max-examples take numbers" >&2; exit 2 ;; esac
for r in $runs; do
  case " auth $ROLES " in *" $r "*) ;; *) echo "fuzz-api: unknown run $r (auth or one of: $ROLES)" >&2; exit 2 ;; esac
done

# --- prerequisites: python3 with venv, Schemathesis from PyPI in its own virtual env ---
if ! command -v python3 >/dev/null 2>&1; then
  echo "fuzz-api: python3 not found (prerequisite missing)" >&2
  exit 3
fi
st="$venv/bin/st"
if ! { [ -x "$st" ] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('schemathesis') != '$SCHEMATHESIS_VERSION')" 2>/dev/null; }; then
  echo "== creating $venv with schemathesis==$SCHEMATHESIS_VERSION (PyPI)"
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    echo "fuzz-api: python3 -m venv failed (install python3-venv; prerequisite missing)" >&2
    rm -rf "$venv"
    exit 3
  fi
  if ! "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"; then
    echo "fuzz-api: pip could not install schemathesis==$SCHEMATHESIS_VERSION (no PyPI? prerequisite missing)" >&2
    rm -rf "$venv"
    exit 3
  fi
fi
py="$venv/bin/python"

if [ ! -x "$bin" ]; then
  if [ "$bin" = "$root/target/debug/shijian" ]; then
    echo "== $bin missing: cargo build -p shijian"
    cargo build -p shijian
  else
    echo "fuzz-api: binary $bin not found" >&2
    exit 2
  fi
fi

mkdir -p "$report_dir"
for r in $runs; do rm -rf "${report_dir:?}/$r" "$report_dir/$r".log "$report_dir/$r"-server.*; done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/shijian-fuzz.XXXXXX")
server_pid=""
stop_server() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
cleanup() { stop_server; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# Python helpers (login with the demo second factor) and the Schemathesis hooks.
cat >"$tmp/shijian_fuzz.py" <<'PY'
"""Helpers for scripts/fuzz-api.sh (generated; see docs/FUZZING.md)."""
import base64, hashlib, hmac, json, struct, sys, time, urllib.error, urllib.request


def totp(secret: str, at: float) -> str:
    """RFC 6238: SHA-1, 6 digits, 30-second steps (what the demo accounts use)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    off = mac[-1] & 15
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def _post(base: str, body: dict):
    req = urllib.request.Request(base + "/api/v1/auth/login", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        raw = e.read().decode(errors="replace")
        try:
            return e.code, json.loads(raw)
        except ValueError:
            return e.code, {"detail": raw}


def login(base: str, username: str, password: str, totp_secret: str) -> dict:
    """Signs in; adds the TOTP code where the account asks for one. A code is accepted once,
    so a refusal with a code waits for the next 30-second step and tries again."""
    status, body = _post(base, {"username": username, "password": password})
    if status == 401 and body.get("code") == "otp_required" and totp_secret:
        for attempt in range(3):
            if attempt:
                time.sleep(30.5 - time.time() % 30)
            status, body = _post(base, {"username": username, "password": password,
                                        "otp": totp(totp_secret, time.time())})
            if status == 200:
                break
    if status != 200:
        raise SystemExit(f"fuzz-api: login as {username} failed: {status} {body}")
    return body


if __name__ == "__main__":
    # shijian_fuzz.py BASE USER PASSWORD TOTP_SECRET -> "TOKEN USER_ID", checking the token.
    base, user, password, secret = sys.argv[1:5]
    body = login(base, user, password, secret)
    stage = body.get("stage", "full")
    if stage != "full":
        raise SystemExit(f"fuzz-api: login as {user} gave a session in stage {stage!r}, not "
                         "'full': the run would test nothing but that stage")
    me = urllib.request.Request(base + "/api/v1/auth/me",
                                headers={"Authorization": "Bearer " + body["token"]})
    with urllib.request.urlopen(me, timeout=60) as r:
        assert json.load(r)["username"] == user
    print(body["token"], body["user"]["id"])
PY

cat >"$tmp/hooks.py" <<'PY'
"""Schemathesis hooks for scripts/fuzz-api.sh (generated; see docs/FUZZING.md)."""
import os
import re
import sys

import schemathesis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from shijian_fuzz import login  # noqa: E402

BASE = os.environ["SHIJIAN_FUZZ_BASE"]
SELF_ID = os.environ.get("SHIJIAN_FUZZ_SELF_ID", "")
FRESH_USER = os.environ.get("SHIJIAN_FUZZ_FRESH_TOKEN_USER", "")
PASSWORD = os.environ.get("SHIJIAN_FUZZ_PASSWORD", "")
TOTP_SECRET = os.environ.get("SHIJIAN_FUZZ_TOTP_SECRET", "")
# An id no account has. Where the fuzzer picked the fuzzing account's own id for a change
# to an account (disable, role, password, second factor...), which would end the session
# the run depends on, the request goes to this id instead.
GUARD_ID = 9000000000000000000


def is_self(value) -> bool:
    # Axum parses the segment as i64: "+01" is 1 too.
    m = re.fullmatch(r"\+?0*([0-9]+)", str(value))
    return bool(SELF_ID) and m is not None and int(m.group(1)) == int(SELF_ID)


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.method.upper() == "GET" or not case.operation.path.startswith("/api/v1/users/{id}"):
        return
    params = case.path_parameters or {}
    if "id" in params and is_self(params["id"]):
        params["id"] = GUARD_ID


def _homogeneous_tuples(node):
    """Schemathesis 4.32.5 rewrites an OpenAPI 3.1 tuple (`prefixItems` + `items: false`)
    into the Draft-4 form `items: [...]` and then rejects its own result as an invalid
    schema ("Schema Error"), so those operations go untested. Where every position has the
    same schema, the equivalent `items: S, minItems: n, maxItems: n` avoids that."""
    if isinstance(node, dict):
        prefix = node.get("prefixItems")
        if (isinstance(prefix, list) and prefix and node.get("items") is False
                and all(p == prefix[0] for p in prefix)):
            del node["prefixItems"]
            node["items"] = prefix[0]
            node["minItems"] = node["maxItems"] = len(prefix)
        for value in node.values():
            _homogeneous_tuples(value)
    elif isinstance(node, list):
        for value in node:
            _homogeneous_tuples(value)


@schemathesis.hook
def before_load_schema(context, raw_schema):
    _homogeneous_tuples(raw_schema)


if FRESH_USER:

    @schemathesis.auth(refresh_interval=None).apply_to(path_regex=r"^/api/v1/auth/(?!login$)")
    class FreshToken:
        """A new session for every request: a logout or a password change ends only it."""

        def get(self, case, context):
            return login(BASE, FRESH_USER, PASSWORD, TOTP_SECRET)["token"]

        def set(self, case, data, context):
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"
PY

# Prints "TOKEN USER_ID" for a demo account, checking that the token works.
login() {
  "$py" "$tmp/shijian_fuzz.py" "$1" "$2" "$DEMO_PASSWORD" "$DEMO_TOTP_SECRET"
}

# Starts a demo server on a fresh data directory; sets server_pid and base.
start_server() {
  local name=$1; shift
  local data="$tmp/data-$name" out="$report_dir/$name-server.out" err="$report_dir/$name-server.err"
  local cfg=()
  [ -n "${SHIJIAN_FUZZ_CONFIG:-}" ] && cfg=(--config "$SHIJIAN_FUZZ_CONFIG")
  # No SHIJIAN_* setting of the caller's reaches the server (a database URL, a clock...).
  # A small demo city (500 entities) is quick to generate. Rate limits are off: the fuzzer
  # sends far more than 1200 requests a minute from one address, and a run of 429s tests
  # nothing. Other settings are the defaults.
  local clean=() v
  for v in $(compgen -e); do case "$v" in SHIJIAN_*) clean+=(-u "$v") ;; esac; done
  env "${clean[@]}" RUST_LOG=warn SHIJIAN_REQUESTS_PER_ADDRESS_PER_MINUTE=0 \
    SHIJIAN_LOGIN_PER_ADDRESS_PER_MINUTE=0 SHIJIAN_LOGIN_PER_ACCOUNT_PER_MINUTE=0 \
    SHIJIAN_DEMO_ENTITIES=500 "$@" \
    "$bin" --data-dir "$data" "${cfg[@]}" serve --demo --listen 127.0.0.1:0 >"$out" 2>"$err" &
  server_pid=$!
  base=""
  for _ in $(seq 1 600); do
    base=$(sed -n 's/^shijian listening on \(http:\/\/[^ ]*\)$/\1/p' "$out" | head -n 1)
    [ -n "$base" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  if [ -z "$base" ]; then
    echo "fuzz-api: the server did not start; its stderr:" >&2
    cat "$err" >&2
    exit 2
  fi
  echo "== [$name] server $base (pid $server_pid, data $data)"
}

declare -A status
overall=0
started=$(date +%s)
for run in $runs; do
  hook_env=()
  server_env=()
  st_args=()
  if [ "$run" = auth ]; then
    user="jingmen.officer"
    server_env=(SHIJIAN_MAX_FAILED_LOGINS=1000000)
    st_args=(--include-path-regex '^/api/v1/auth/')
  else
    user="jingmen.$run"
    st_args=(--exclude-path-regex '^/api/v1/auth/')
  fi
  start_server "$run" "${server_env[@]}"
  read -r token self_id < <(login "$base" "$user") || { echo "fuzz-api: [$run] no token for $user" >&2; exit 2; }
  if [ "$run" = auth ]; then
    hook_env=(SHIJIAN_FUZZ_FRESH_TOKEN_USER="$user")
  else
    hook_env=(SHIJIAN_FUZZ_SELF_ID="$self_id")
    st_args+=(-H "Authorization: Bearer $token")
  fi
  work="$report_dir/$run"
  mkdir -p "$work"
  echo "== [$run] schemathesis $SCHEMATHESIS_VERSION as $user (id $self_id): seed $seed, max $max_examples examples per operation, checks $checks"
  t0=$(date +%s)
  set +e
  # cwd = $work: Schemathesis keeps its failure cache in ./.schemathesis, which must not
  # leak from one run into the next (it would replay old failures first).
  (cd "$work" && env SCHEMATHESIS_HOOKS="$tmp/hooks.py" SHIJIAN_FUZZ_BASE="$base" \
      SHIJIAN_FUZZ_PASSWORD="$DEMO_PASSWORD" SHIJIAN_FUZZ_TOTP_SECRET="$DEMO_TOTP_SECRET" "${hook_env[@]}" \
      "$st" run "$base/api/openapi.json" "${st_args[@]}" \
      --checks "$checks" --max-examples "$max_examples" --seed "$seed" \
      --continue-on-failure --generation-database none --workers 1 --no-color --output-sanitize false \
      --report junit,json --report-dir "$work" "${extra[@]}") 2>&1 | tee "$report_dir/$run.log"
  rc=${PIPESTATUS[0]}
  set -e
  # Did the fuzzing account survive? (Its token must still work after the run.)
  if [ "$run" != auth ]; then
    code=$(SHIJIAN_FUZZ_BASE="$base" "$py" - "$token" <<'PY'
import os, sys, urllib.request, urllib.error
req = urllib.request.Request(os.environ["SHIJIAN_FUZZ_BASE"] + "/api/v1/auth/me",
    headers={"Authorization": "Bearer " + sys.argv[1]})
try:
    print(urllib.request.urlopen(req, timeout=30).status)
except urllib.error.HTTPError as e:
    print(e.code)
PY
)
    if [ "$code" != 200 ]; then
      echo "fuzz-api: [$run] the token of $user no longer works after the run (GET /api/v1/auth/me: $code)" >&2
      rc=1
    fi
  fi
  stop_server
  status[$run]="$rc $(( $(date +%s) - t0 ))"
  [ "$rc" -eq 0 ] || overall=1
done

echo
echo "== fuzz-api summary (schemathesis $SCHEMATHESIS_VERSION, seed $seed, max examples $max_examples; $(( $(date +%s) - started )) s; reports in $report_dir)"
for run in $runs; do
  read -r rc secs <<<"${status[$run]}"
  last=$(grep -E '^=+ .* in [0-9.]+s =+$' "$report_dir/$run.log" | tail -n 1 | sed 's/^=* //; s/ =*$//')
  if [ "$rc" -eq 0 ]; then verdict=ok; else verdict="FAILED (exit $rc)"; fi
  echo "   $run: $verdict, ${secs}s: ${last:-no summary line}"
done
"$py" - "$report_dir" $runs <<'PY'
# Groups the failures of all runs by (check, status) and writes one reproducing curl per
# (operation, check, status) to findings.txt.
import re, sys
from collections import defaultdict
report_dir, runs = sys.argv[1], sys.argv[2:]
groups = defaultdict(lambda: defaultdict(set))   # (check, status) -> op -> runs
repro = {}                                         # (op, check, status) -> (run, body, curl)
errors = []
for run in runs:
    try:
        lines = open(f"{report_dir}/{run}.log", encoding="utf-8").read().splitlines()
    except OSError:
        continue
    section = op = None
    checks, status, body = [], None, ""
    for i, line in enumerate(lines):
        m = re.fullmatch(r"=+ ([A-Z]+) =+", line)
        if m:
            section = m.group(1)
            continue
        m = re.fullmatch(r"_{3,} (.+?) _{3,}", line)
        if m:
            op, checks, status = m.group(1), [], None
            if section == "ERRORS":
                errors.append(f"{run}: {op}: {lines[i + 1] if i + 1 < len(lines) else ''}")
            continue
        if section != "FAILURES":
            continue
        if re.match(r"\d+\. Test Case ID:", line):
            checks, status, body = [], None, ""
        elif line.startswith("- "):
            checks.append(line[2:].strip())
        elif re.match(r"\[\d{3}\] ", line):
            status = line[1:4]
        elif status and not body and line.strip().startswith("`"):
            body = line.strip().strip("`")
        elif line.startswith("    curl "):
            for check in checks:
                key = (op, check, status or "---")
                groups[(check, status or "---")][op].add(run)
                repro.setdefault(key, (run, body, line.strip()))
            checks = []
if errors:
    print("   errors (operations Schemathesis could not test):")
    for e in errors:
        print("      " + e)
if groups:
    print("   distinct failures, by check and status (runs in brackets when not all):")
    for (check, status), ops in sorted(groups.items()):
        parts = []
        for op in sorted(ops, key=lambda o: (o.split(" ", 1)[-1], o)):
            rs = ops[op]
            parts.append(op if len(rs) == len(runs) else f"{op} [{' '.join(sorted(rs))}]")
        print(f"      {check} -> {status} ({len(ops)}):")
        for part in parts:
            print(f"         {part}")
    with open(f"{report_dir}/findings.txt", "w", encoding="utf-8") as f:
        f.write("# One reproducing request per (operation, check, status). Start a demo server\n"
                "# (shijian --data-dir $(mktemp -d) serve --demo --listen 127.0.0.1:8181), then\n"
                "#   BASE=http://127.0.0.1:8181\n"
                "#   TOKEN=$(curl -s -H 'Content-Type: application/json' -d '{\"username\":\"jingmen.officer\",\"password\":\"Demo@2026jm\"}' $BASE/api/v1/auth/login | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"token\"])')\n"
                "# (the account of the run it was seen in: jingmen.RUN; auth: jingmen.officer;\n"
                "# system_admin, security_admin, audit_admin and leader also need \"otp\": the TOTP\n"
                "# code of the demo secret, e.g. oathtool --totp -b JBSWY3DPEHPK3PXP).\n\n")
        for (op, check, status), (run, body, curl) in sorted(repro.items()):
            curl = re.sub(r"-H 'Authorization: Bearer [0-9a-f]+'", '-H "Authorization: Bearer $TOKEN"', curl)
            curl = re.sub(r"'http://127\.0\.0\.1:\d+", "\"$BASE\"'", curl)
            curl = re.sub(r"(?<![\"'])http://127\.0\.0\.1:\d+", '"$BASE"', curl)
            f.write(f"{op}\n  {check} -> {status}   (first seen in run {run})\n  {body}\n  {curl}\n\n")
    print(f"   one reproducing curl for each: {report_dir}/findings.txt (the server of the run is gone; start one with --demo and use a fresh token)")
PY
exit "$overall"
