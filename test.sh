#!/usr/bin/env bash
# Runs the whole Chorus test suite: unit/HTTP tests on SQLite and PostgreSQL, CLI tests, and browser tests.
# Does its own set-up on a fresh Debian machine:
#   - PostgreSQL: uses CHORUS_TEST_PG (an Npgsql connection string to a server where it may create databases) if set;
#     otherwise starts a private PostgreSQL 15 cluster on loopback, installing it with apt-get first when run as root.
#   - Chromium for the browser tests: /usr/bin/chromium, installed with apt-get when run as root.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

as_root() { [ "$(id -u)" = 0 ]; }
apt_updated=""
apt_install() {
  as_root || { echo "test.sh: $* missing and not root; install it or run as root" >&2; exit 1; }
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

pg_dir=""
cleanup() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
    if as_root; then su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D $pg_dir/data -m immediate stop" >/dev/null 2>&1 || true
    else "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$pg_dir"
  fi
}
trap cleanup EXIT

if [ -z "${CHORUS_TEST_PG:-}" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$pg_bin" ]; then
    echo "test.sh: installing PostgreSQL 15"
    apt_install postgresql-15
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  pg_dir=$(mktemp -d /tmp/chorus-test-pg.XXXXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 55432)
  # fsync off: test databases are thrown away; durability is not what these tests measure.
  start="$pg_bin/initdb -D $pg_dir/data -U postgres --auth=trust >/dev/null && $pg_bin/pg_ctl -D $pg_dir/data -l $pg_dir/log -w -o \"-p $port -c listen_addresses=127.0.0.1 -k $pg_dir -c fsync=off -c max_connections=300\" start >/dev/null"
  if as_root; then chown postgres "$pg_dir"; su postgres -s /bin/sh -c "$start"; else sh -c "$start"; fi
  export CHORUS_TEST_PG="Host=127.0.0.1;Port=$port;Username=postgres;Pooling=true;Maximum Pool Size=40"
  echo "test.sh: PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
fi

if [ -d tests/Chorus.BrowserTests ] && [ -z "${CHORUS_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
  echo "test.sh: installing Chromium for the browser tests"
  apt_install chromium
fi
# Reaction emoji in the browser tests' screenshots need a colour emoji font (optional: tests pass without it).
if as_root && [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then apt_install fonts-noto-color-emoji || true; fi

dotnet build Chorus.slnx -c Release -warnaserror -nologo -v q
log=$(mktemp)
status=0
dotnet test Chorus.slnx -c Release --no-build --nologo 2>&1 | tee "$log" || status=$?
passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: $passed passed, $failed failed"
exit $status
