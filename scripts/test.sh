#!/usr/bin/env bash
# The whole test suite: unit and property tests, the HTTP API suite on SQLite AND on a
# real PostgreSQL 15 (started here on a private port and data directory, stopped at the
# end), the CLI tests and the headless-Chromium UI test. Works on a fresh Debian machine:
# it installs what is missing (PostgreSQL, Chromium and its driver, cargo-nextest).
#
#   scripts/test.sh [extra nextest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need_apt=()
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || need_apt+=(postgresql-15)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
# Decision documents are checked through pdftotext.
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
# The API fuzzing run (scripts/fuzz-api.sh) makes a virtual environment.
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  echo "== installing openapi-spec-validator from PyPI"
  python3 -m pip install -q openapi-spec-validator || pip3 install -q --break-system-packages openapi-spec-validator
fi
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "== installing cargo-nextest from crates.io"
  cargo install --locked cargo-nextest
fi

pgdir="$root/target/test-pg"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$root/scripts/pg.sh" stop "$pgdir" 2>/dev/null || true
rm -rf "$pgdir"
echo "== starting PostgreSQL 15 on 127.0.0.1:$port ($pgdir)"
export SHIJIAN_TEST_PG_URL=$("$root/scripts/pg.sh" start "$pgdir" "$port")
trap '"$root/scripts/pg.sh" stop "$pgdir"' EXIT

# Strict: a missing PostgreSQL, chromedriver or OpenAPI validator fails the tests
# instead of skipping them.
export SHIJIAN_TEST_STRICT=1
export SHIJIAN_CHROMEDRIVER=${SHIJIAN_CHROMEDRIVER:-$(command -v chromedriver)}

echo "== tests (SQLite and PostgreSQL, CLI, browser)"
cargo nextest run --workspace --no-fail-fast "$@"
