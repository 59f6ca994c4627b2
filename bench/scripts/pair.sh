#!/bin/bash
# Two builds of the server, measured in the same minutes of the machine: each runs on its own copy of a kept SQLite
# data directory (run --keep DIR), on ports 5901 (A) and 5902 (B), and wrk sends alternating bursts to one, then the
# other. Single back-to-back runs cannot tell a 15% change on this machine, whose speed moves by a third within
# minutes; interleaved bursts can. Prints every burst (label, req/s, p99, server CPU µs per request) and the medians.
#
#   bench/scripts/pair.sh A_DIR B_DIR DATA_DIR TOKENS_FILE post|home [ROUNDS] [SECONDS]
#
# A_DIR, B_DIR: directories holding a built Chorus.Server.dll (e.g. copies of src/Chorus.Server/bin/Release/net10.0).
# DATA_DIR: a kept data directory (holding chorus.db); it is copied, never written. Or postgres:NAME, a kept PostgreSQL
#   database (run --keep): each server gets a copy (CREATE DATABASE … TEMPLATE NAME, dropped at the end) on the server
#   that PAIR_PG names (an Npgsql connection string of a user that may create databases, e.g.
#   "Host=127.0.0.1;Port=5433;Username=postgres"; psql is given the same host, port and user).
# TOKENS_FILE: bearer tokens of people in that database, one per line (write scope for post, read for home).
# B_DATA / B_TOKENS: give B another data source and its tokens (same build on both databases: A_DIR = B_DIR,
#   DATA_DIR a kept SQLite directory, B_DATA=postgres:NAME).
# Needs wrk and python3. PAIR_WARMUP: seconds of load on each server before the bursts (default 20). Set A_ENV / B_ENV for extra environment (e.g. B_ENV=DOTNET_GCGen0MaxBudget=40000000).
set -euo pipefail
[ $# -ge 5 ] || { sed -n 2,13p "$0"; exit 2; }
A=$1; B=$2; DATA_A=$3; TOKENS_A=$(realpath "$4"); MODE=$5; ROUNDS=${6:-6}; SECS=${7:-8}
DATA_B=${B_DATA:-$DATA_A}; TOKENS_B=$(realpath "${B_TOKENS:-$4}")
WORK=$(mktemp -d); PA=; PB=; COPIES=()
case "$DATA_A $DATA_B" in *postgres:*)
  : "${PAIR_PG:?PAIR_PG must hold an admin connection string for a postgres: data source}"
  pg_part() { echo "$PAIR_PG" | tr ';' '\n' | awk -F= -v k="$1" 'tolower($1)==k {print $2}'; }
  PSQL=(psql -X -q -h "$(pg_part host)" -p "$(pg_part port)" -U "$(pg_part username)" -d postgres) ;;
esac
cleanup() {
  kill $PA $PB 2>/dev/null || true; sleep 1; rm -rf "$WORK"
  for c in "${COPIES[@]}"; do "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $c WITH (FORCE)" || true; done
}
trap cleanup EXIT
case $MODE in
  post) PATH_=/api/v1/posts; BODY='"{\"text\":\"Update " .. counter .. ": the quarterly plan review moved to Thursday; notes, the draft budget and the open questions are in the shared folder. Please add comments before the meeting so we can decide quickly.\"}"'; METHOD=POST ;;
  home) PATH_='/api/v1/timelines/home?limit=20'; BODY=nil; METHOD=GET ;;
  *) echo "mode must be post or home" >&2; exit 2 ;;
esac
for side in a b; do
[ $side = a ] && TOKENS=$TOKENS_A || TOKENS=$TOKENS_B
cat > "$WORK/load_$side.lua" <<LUA
tokens = {}
for line in io.lines("$TOKENS") do if #line > 0 then tokens[#tokens + 1] = line end end
counter = 0
request = function()
  counter = counter + 1
  local h = { ["Authorization"] = "Bearer " .. tokens[(counter % #tokens) + 1], ["Content-Type"] = "application/json" }
  return wrk.format("$METHOD", "$PATH_", h, $BODY)
end
LUA
done
start() { # label dir port extra-env data
  mkdir -p "$WORK/$1"
  local db=()
  case $5 in postgres:*)
    local copy=${5#postgres:}_pair_$(echo "$1" | tr AB ab)
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $copy WITH (FORCE)" -c "CREATE DATABASE $copy TEMPLATE ${5#postgres:}"
    COPIES+=("$copy")
    db=(Chorus__Database__Provider=Postgres "ConnectionStrings__Chorus=$PAIR_PG;Database=$copy") ;;
  *) cp -a "$5/." "$WORK/$1/" ;; esac
  (cd "$2" && env ${4:-} "${db[@]}" Chorus__DataDirectory="$WORK/$1" Chorus__Demo__Seed=false Chorus__Security__PostsPerMinute=100000000 \
     ASPNETCORE_URLS=http://127.0.0.1:$3 nohup dotnet Chorus.Server.dll > "$WORK/$1.log" 2>&1 &)
  for _ in $(seq 1 240); do curl -sf -o /dev/null localhost:$3/readyz && return; sleep 0.5; done
  echo "server $1 did not become ready; see $WORK/$1.log" >&2; cat "$WORK/$1.log" >&2; exit 1
}
pid_of() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
start A "$A" 5901 "${A_ENV:-}" "$DATA_A"; PA=$(pid_of 5901)
start B "$B" 5902 "${B_ENV:-}" "$DATA_B"; PB=$(pid_of 5902); HZ=$(getconf CLK_TCK)
for side in a b; do port=$([ $side = a ] && echo 5901 || echo 5902)
  wrk -t1 -c64 -d${PAIR_WARMUP:-20}s -s "$WORK/load_$side.lua" http://127.0.0.1:$port >/dev/null; done   # warm-up (JIT tiering; PAIR_WARMUP seconds)
burst() { # label port pid
  local t0 t1 out n
  t0=$(awk '{print $14+$15}' /proc/$3/stat)
  out=$(wrk -t1 -c64 -d${SECS}s --latency -s "$WORK/load_$(echo "$1" | tr AB ab).lua" http://127.0.0.1:$2)
  t1=$(awk '{print $14+$15}' /proc/$3/stat)
  n=$(echo "$out" | awk '/requests in/ {print $1}')
  echo "$1 $(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | awk '$1=="99%" {print $2}') $(python3 -c "print(round(($t1-$t0)/$HZ/$n*1e6,1))")"
}
for _ in $(seq 1 "$ROUNDS"); do burst A 5901 "$PA"; burst B 5902 "$PB"; done | tee "$WORK/bursts"
python3 - "$WORK/bursts" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
ms = lambda v: float(v[:-2]) if v.endswith('ms') else float(v[:-1]) * 1000 if v.endswith('s') else float(v)
for k in 'AB':
    r = [x for x in rows if x[0] == k]
    print(f"{k}: median {st.median(float(x[1]) for x in r):,.0f} req/s, p99 {st.median(ms(x[2]) for x in r):.1f} ms, "
          f"{st.median(float(x[3]) for x in r):.0f} µs server CPU per request ({len(r)} bursts)")
PY
