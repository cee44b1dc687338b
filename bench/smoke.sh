#!/usr/bin/env bash
# Smoke mode of the benchmarks, for the test command: runs each bench script once, briefly and at a low rate,
# so that a change that breaks a script (a config key, a perfdhcp flag, a report column, the namespaces) is
# caught in CI. It checks that each script ran to its report and that every server answered; it judges no
# speed (the test machine is too noisy for that, and the real runs are long). One line per check:
#   BENCH name result=pass|fail [why]
#
#   PUKEKO=out/pukeko-dhcp6 bench/smoke.sh [directory for the logs and reports]
#
# Needs what the scripts need: root, kea-dhcp6-server, kea-admin, postgresql-15, python3, the .NET SDK (the rapid
# check publishes bench/Pukeko.RapidCommitClient; RAPID_CLIENT may name a published one instead).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${PUKEKO:?PUKEKO must name a published pukeko-dhcp6}"
# Scratch under /tmp, not under the checkout: the throwaway PostgreSQL runs as user postgres, which must be able
# to enter every parent of its socket directory.
SCRATCH=$(mktemp -d /tmp/bench-smoke.XXXXXX); chmod 755 "$SCRATCH"
LOGS=${1:-}
finish() {
  if [ -n "$LOGS" ]; then
    mkdir -p "$LOGS"; cp "$SCRATCH"/*.log "$LOGS"/ 2>/dev/null
    for f in "$SCRATCH"/*/results.md "$SCRATCH"/*/raw.tsv; do [ -f "$f" ] && cp "$f" "$LOGS/$(basename "$(dirname "$f")")-$(basename "$f")"; done
    rm -rf "$SCRATCH"
  else
    echo "bench smoke: scratch and logs in $SCRATCH" >&2
  fi
}
trap finish EXIT

report() { # $1 name, $2 empty when passed, else why
  if [ -z "$2" ]; then echo "BENCH $1 result=pass"; else echo "BENCH $1 result=fail $2"; fi
}

# Column 7 of raw.tsv is Replies received (with EXCHANGE=rapid, Replies that committed a lease); column 13 the lease
# rows the server stored.
perfdhcp_check() { # $1 name, $2 backend, $3 rate, $4 exchange (default na)
  local work=$SCRATCH/$1 why="" server
  if ! PUKEKO=$PUKEKO SERVERS="kea-mt pukeko-mt" RATES=$3 PERIOD=3 REPEATS=1 BACKEND=$2 PGPORT=54339 WORK=$work \
      EXCHANGE=${4:-na} RAPID_CLIENT=${RAPID_CLIENT:-} \
      timeout 600 bash "$ROOT/bench/perfdhcp-compare.sh" > "$SCRATCH/$1.log" 2>&1; then
    why="script failed: $(tail -n 3 "$SCRATCH/$1.log" | tr '\n' ' ')"
  elif ! grep -q '^ratio Pukeko/Kea sustained leases/s = ' "$work/results.md"; then
    why="no ratio line in $work/results.md"
  else
    for server in kea-mt pukeko-mt; do
      awk -F'\t' -v s="$server" 'NR > 1 && $1 == s && $7 > 0 && $13 > 0 { ok = 1 } END { exit !ok }' "$work/raw.tsv" \
        || why="$why$server completed no exchange or stored no lease; "
    done
  fi
  report "$1" "$why"
}

startup_check() {
  local work=$SCRATCH/startup why="" server
  if ! PUKEKO=$PUKEKO LEASES=2000 REPEATS=1 DEADLINE=120 WORK=$work \
      timeout 600 bash "$ROOT/bench/startup-compare.sh" > "$SCRATCH/startup.log" 2>&1; then
    why="script failed: $(tail -n 3 "$SCRATCH/startup.log" | tr '\n' ' ')"
  else
    # Column 3 is the seconds to the first Advertise, column 6 whether it offered another address than the leased one.
    for server in kea pukeko; do
      awk -F'\t' -v s="$server" 'NR > 1 && $1 == s && $3 != "timeout" && $6 == "no" { ok = 1 } END { exit !ok }' "$work/raw.tsv" \
        || why="$why$server did not offer the loaded lease; "
    done
  fi
  report startup "$why"
}

perfdhcp_check perfdhcp-memfile memfile 200
perfdhcp_check perfdhcp-postgresql postgresql 100
# 2-way rapid commit, by bench/Pukeko.RapidCommitClient (published by the script unless RAPID_CLIENT names one).
perfdhcp_check perfdhcp-rapid memfile 200 rapid
startup_check
