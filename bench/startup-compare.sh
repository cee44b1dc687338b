#!/usr/bin/env bash
# Start-up with a large memfile lease file, Kea 2.2 (kea-dhcp6) against pukeko-dhcp6 in the same run: generates a
# Kea lease6 CSV of LEASES valid, unexpired leases (IA_NA in the configured /64 pool, plus PD_LEASES delegated /56
# prefixes held by the first clients), starts each server on a copy of it (one config for both: memfile, persist
# true, lfc-interval 0, loggers at WARN) and sends a Solicit every 50 ms, as the file's last IA_NA client, from
# the moment the server is exec'd until the first Advertise. Reports the seconds from exec to that Advertise, the
# server's CPU seconds until then, its RSS at that moment and its peak RSS (VmHWM), and whether the Advertise
# offered the client's own leased address (i.e. the lease was loaded). Runs are interleaved (run, then server),
# REPEATS times; the median run per server (by seconds) is reported with the 1-minute load average of each run.
#
#   bench/startup-compare.sh                            # publishes Pukeko (Release) first; 1 000 000 leases
#   PUKEKO=/tmp/x/pukeko-dhcp6 LEASES=100000 REPEATS=1 bench/startup-compare.sh
#
# Environment: PUKEKO (published pukeko-dhcp6; default: dotnet publish to $WORK/pukeko), PUKEKO_BASE (a second
# build, server name "base", for an A/B in one run), KEA (default /usr/sbin/kea-dhcp6), LEASES (default 1000000),
# PD_LEASES (default LEASES/50), REPEATS (default 3), SERVERS (default "kea pukeko"; also "base"), DEADLINE (s per
# start-up, default 300), WORK (scratch dir), RESULTS (markdown output, default $WORK/results.md).
# Each server reads the file in its own schema (Kea 2.2: 17 columns; Pukeko: Kea 2.4's 18 with pool_id), so
# neither spends its start-up converting the file. Needs root (namespaces), kea-dhcp6-server, python3.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEA=${KEA:-/usr/sbin/kea-dhcp6}
LEASES=${LEASES:-1000000}
PD_LEASES=${PD_LEASES:-$((LEASES / 50))}
REPEATS=${REPEATS:-3}
SERVERS=${SERVERS:-kea pukeko}
DEADLINE=${DEADLINE:-300}
WORK=${WORK:-$(mktemp -d /tmp/startup-compare.XXXXXX)}
RESULTS=${RESULTS:-$WORK/results.md}
PROBE=$ROOT/bench/lib/dhcp6-probe.py

[ -x "$KEA" ] || { echo "missing $KEA (apt-get install kea-dhcp6-server)" >&2; exit 2; }
command -v python3 > /dev/null || { echo "missing python3" >&2; exit 2; }
[ "$PD_LEASES" -le 65536 ] || { echo "PD_LEASES is at most 65536 (the /40 PD pool in /56 prefixes)" >&2; exit 2; }
mkdir -p "$WORK"
. "$ROOT/bench/lib/pukeko-build.sh"

. "$ROOT/bench/lib/netns-lab.sh"
SERVER_PID=
PROBE_PID=
cleanup() {
  [ -n "$PROBE_PID" ] && kill "$PROBE_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -9 "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  lab_down
}
trap cleanup EXIT
trap "exit 130" INT TERM   # so a killed run still cleans up (bash runs the EXIT trap on exit, not on a fatal signal)
lab_up

# ------------------------------------------------------------------ the lease file
# Client i (0-based) has DUID-LLT 00:01:00:01:5e:00:00:00 + MAC 02:00:<i as 4 bytes>, IAID i+1, hardware address
# that MAC (from the DUID), IA_NA 2001:db8:1::1:0 + i; clients below PD_LEASES also hold 2001:db8:1XX:YY00::/56.
# Expiry times are spread over [now+1800, now+4000) s, so no lease expires during a run.
NOW=$(date +%s)
generate() { # $1 output file (18 columns)
  awk -v n="$LEASES" -v npd="$PD_LEASES" -v now="$NOW" 'BEGIN {
    print "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id"
    for (i = 0; i < n; i++) {
      mac = sprintf("02:00:%02x:%02x:%02x:%02x", int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256)
      expire = now + 1800 + (i * 7919) % 2200
      printf "2001:db8:1::%x:%x,00:01:00:01:5e:00:00:00:%s,4000,%d,1,3000,0,%d,128,0,0,,%s,0,,1,4,0\n", 1 + int(i / 65536), i % 65536, mac, expire, i + 1, mac
      if (i < npd)
        printf "2001:db8:1%02x:%02x00::,00:01:00:01:5e:00:00:00:%s,4000,%d,1,3000,2,%d,56,0,0,,%s,0,,1,4,0\n", int(i / 256), i % 256, mac, expire, i + 1, mac
    }
  }' > "$1"
}
LEASE18=$WORK/leases6-18.csv; LEASE17=$WORK/leases6-17.csv
echo "generating $LEASES IA_NA + $PD_LEASES IA_PD leases" >&2
generate "$LEASE18"
cut -d, -f1-17 "$LEASE18" > "$LEASE17"
last=$((LEASES - 1))
PROBE_DUID=$(printf '00:01:00:01:5e:00:00:00:02:00:%02x:%02x:%02x:%02x' $((last >> 24 & 255)) $((last >> 16 & 255)) $((last >> 8 & 255)) $((last & 255)))
PROBE_IAID=$LEASES
PROBE_ADDRESS=$(printf '2001:db8:1::%x:%x' $((1 + last / 65536)) $((last % 65536)))
echo "lease file: $(wc -l < "$LEASE18") lines, $(du -m "$LEASE18" | cut -f1) MB; probe client $PROBE_DUID IAID $PROBE_IAID holds $PROBE_ADDRESS" >&2

# ------------------------------------------------------------------ one config for both servers
config() { # $1 dir
  cat <<CONF
{
  "Dhcp6": {
    "data-directory": "$1",
    "interfaces-config": { "interfaces": [ "$SIF" ] },
    "lease-database": { "type": "memfile", "name": "$1/kea-leases6.csv", "persist": true, "lfc-interval": 0 },
    "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "$SIF",
                   "pools": [ { "pool": "2001:db8:1::/64" } ],
                   "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 56 } ] } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "$1/server.log" } ], "severity": "WARN" } ]
  }
}
CONF
}

CLK_TCK=$(getconf CLK_TCK)
status_mb() { awk -v key="$2:" '$1 == key { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }

RAW=$WORK/raw.tsv
printf 'server\trun\tseconds\tcpu_s\tsolicits\tother_address\trss_mb\tpeak_rss_mb\tload1\n' > "$RAW"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs" >&2
for run in $(seq "$REPEATS"); do
  for server in $SERVERS; do
    case "$server" in
      kea) exe=$KEA; file=$LEASE17 ;;
      pukeko) exe=$PUKEKO; file=$LEASE18 ;;
      base) exe=${PUKEKO_BASE:?base needs PUKEKO_BASE}; file=$LEASE18 ;;
      *) echo "unknown server $server" >&2; exit 2 ;;
    esac
    dir=$WORK/$server-$run; rm -rf "$dir"; mkdir -p "$dir"
    cp "$file" "$dir/kea-leases6.csv"
    config "$dir" > "$dir/kea-dhcp6.conf"
    sync
    # The probe is already sending when the server starts, so the first Advertise is seen within 50 ms.
    ip netns exec "$CNS" python3 "$PROBE" "$CIF" "$PROBE_DUID" "$PROBE_IAID" --deadline "$DEADLINE" \
      --ready-file "$dir/probe.ready" > "$dir/probe.txt" 2>&1 &
    PROBE_PID=$!
    for _ in $(seq 300); do [ -e "$dir/probe.ready" ] && break; sleep 0.1; done
    [ -e "$dir/probe.ready" ] || { echo "probe did not start: $(cat "$dir/probe.txt")" >&2; exit 1; }
    t0=$(date +%s.%N)
    KEA_DHCP_DATA_DIR=$dir KEA_LOG_FILE_DIR=$dir KEA_PIDFILE_DIR=$dir KEA_LOCKFILE_DIR=$dir KEA_CONTROL_SOCKET_DIR=$dir \
      ip netns exec "$SNS" "$exe" -c "$dir/kea-dhcp6.conf" > "$dir/stdout.txt" 2>&1 &
    SERVER_PID=$!
    wait "$PROBE_PID" || true
    PROBE_PID=
    read -r at solicits offered < "$dir/probe.txt" || true
    rss=$(status_mb "$SERVER_PID" VmRSS); hwm=$(status_mb "$SERVER_PID" VmHWM)
    cpu=$(awk -v hz="$CLK_TCK" '{ printf "%.1f", ($14 + $15) / hz }' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)
    load=$(cut -d' ' -f1 /proc/loadavg)
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
    if [ "$at" = timeout ] || [ -z "$at" ]; then
      seconds=timeout; echo "$server run $run: no Advertise within $DEADLINE s; $(tail -3 "$dir/stdout.txt")" >&2
    else
      seconds=$(awk -v a="$at" -v b="$t0" 'BEGIN { printf "%.2f", a - b }')
    fi
    other=$([ "${offered:-}" = "$PROBE_ADDRESS" ] && echo no || echo "${offered:-none}")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$run" "$seconds" "$cpu" "${solicits:-0}" "$other" "$rss" "$hwm" "$load" | tee -a "$RAW" >&2
    rm -f "$dir"/kea-leases6.csv*
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

{
  echo "$LEASES IA_NA + $PD_LEASES IA_PD leases; median of $REPEATS runs by seconds"
  echo
  echo "| server | s to first Advertise | CPU s until then | RSS MB then | peak RSS MB | offered another address | runs (s) | load (1 min) |"
  echo "|---|---|---|---|---|---|---|---|"
  for server in $SERVERS; do
    awk -F'\t' -v s="$server" 'NR > 1 && $1 == s' "$RAW" | sort -t$'\t' -k3,3g | awk -F'\t' '
      { row[NR] = $0; all = all (NR > 1 ? ", " : "") $3; loads = loads (NR > 1 ? ", " : "") $9 }
      END { if (!NR) exit; split(row[int((NR + 1) / 2)], r, "\t")
            printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", r[1], r[3], r[4], r[7], r[8], r[6], all, loads }'
  done
} | tee "$RESULTS"
echo "raw runs: $RAW; per-run files under $WORK" >&2
