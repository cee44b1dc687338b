#!/usr/bin/env bash
# Kea 2.2 (kea-dhcp6, multi-threading off and on) against pukeko-dhcp6 (multi-threading on and
# off) under ISC perfdhcp (or, for EXCHANGE=rapid, bench/Pukeko.RapidCommitClient): same machine,
# same pair of network namespaces, same config (one /64 subnet, one large pool, memfile with persist
# on, logging at WARN), full 4-way SARR exchanges at increasing rates. Every point runs REPEATS
# times on a freshly started server with an empty lease file; the median run (by completed
# exchanges) is reported. ISC's criterion for "max rate" is the highest offered rate with < 2.5 %
# of exchanges not completed (digest §9).
#
#   bench/perfdhcp-compare.sh                      # publishes Pukeko (Release) first
#   PUKEKO=/tmp/x/pukeko-dhcp6 RATES=1000,2000 REPEATS=1 bench/perfdhcp-compare.sh
#
# Environment: PUKEKO (published pukeko-dhcp6; default: dotnet publish to $WORK/pukeko),
# KEA (default /usr/sbin/kea-dhcp6), RATES (default 1000,2000,4000,8000), PERIOD (s, default 10),
# REPEATS (default 3), WARMUP (s of perfdhcp at 1000/s before each measured run, not counted;
# default 0 = measure a cold server, which is what costs Pukeko its JIT warm-up), SERVERS (default "kea-st kea-mt
# kea-mt-t4 pukeko-mt pukeko-st"; also base-mt/base-st, the same with PUKEKO_BASE, a second pukeko-dhcp6 for an A/B of
# two builds in one run; an MT variant runs 2 threads, or N with a "-tN" suffix, and packet-queue-size 150 x threads,
# ISC's advice for memfile, or N with a "-qN" suffix, e.g. "kea-mt-t4 base-mt pukeko-mt-q64"), WORK (scratch dir),
# RESULTS (markdown table output, default $WORK/results.md), BACKEND (memfile, the default, or postgresql: every
# server then keeps its leases in a throwaway PostgreSQL 15 started here as user postgres on a Unix socket in WORK,
# a fresh database per run cloned from one made by Debian's `kea-admin db-init pgsql`, i.e. Kea 2.2's schema;
# needs postgresql-15; PGPORT, default 54329), EXCHANGE (what each perfdhcp client does: "na", the default, 4-way SARR
# for one IA_NA; "na-pd", 4-way for an IA_NA and an IA_PD (perfdhcp -e address-and-prefix; the subnet gets a PD pool);
# "rapid", 2-way Solicit-Reply with Rapid Commit (the subnet allows it), where a Reply with a lease is the completed
# exchange: run by our own client, pukeko-rapid-client, with the same rate, period and wait, because perfdhcp 2.2 stops
# at the first Reply of -i -c; its Solicits are the table's Solicits and Requests, its completed Replies the Replies,
# its Advertises (a server that did not commit) the Advertises, its unanswered Solicits the SA drops; "renew", 4-way
# SARR at RATE plus Renews of the leases just acquired at RENEW_RATE/s, default RATE/2
# (perfdhcp -f), reported in extra columns), CACHE_THRESHOLD (lease caching, written into every server's config so
# that all renew alike: Kea 2.2 has no default, i.e. no caching, while Pukeko and Kea 3.x default to 0.25; default
# 0.25; Kea 2.2 accepts only values between 0 and 1, so caching cannot be switched off explicitly for it), PREFILL
# (memfile only: every server starts on a lease file of PREFILL valid IA_NA leases of other clients, in the subnet but
# outside the pool perfdhcp's clients get addresses from, so the run works against a populated store; each server
# gets the file in its own schema, 17 columns for Kea 2.2 and 18 for Pukeko, so neither converts it at start),
# STARTUP_WAIT (s a server may take to bind UDP 547, default 20, or 180 with PREFILL), RAPID_CLIENT (EXCHANGE=rapid:
# a published pukeko-rapid-client; default: dotnet publish bench/Pukeko.RapidCommitClient to $WORK/rapid-client).
# SMAPS=1 keeps each server's /proc/PID/smaps at the end of its run (smaps.txt in the run's directory), to see what
# its resident memory is made of.
# Server CPU is user + system time from /proc/PID/stat over the measured run, peak RSS is VmHWM; the report
# ends with one line comparing the best Pukeko variant with the best Kea variant at their sustained rates.
# Needs root (namespaces), kea-dhcp6-server and kea-admin (perfdhcp; not for EXCHANGE=rapid) installed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KEA=${KEA:-/usr/sbin/kea-dhcp6}
PERFDHCP=${PERFDHCP:-/usr/sbin/perfdhcp}
RATES=${RATES:-1000,2000,4000,8000}
PERIOD=${PERIOD:-10}
REPEATS=${REPEATS:-3}
SERVERS=${SERVERS:-kea-st kea-mt kea-mt-t4 pukeko-mt pukeko-st}
WORK=${WORK:-$(mktemp -d /tmp/perfdhcp-compare.XXXXXX)}
RESULTS=${RESULTS:-$WORK/results.md}
WARMUP=${WARMUP:-0}
MAX_DROP_PCT=2.5
BACKEND=${BACKEND:-memfile}
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-54329}
EXCHANGE=${EXCHANGE:-na}
PREFILL=${PREFILL:-0}
STARTUP_WAIT=${STARTUP_WAIT:-$([ "$PREFILL" -gt 0 ] && echo 180 || echo 20)}
case "$EXCHANGE" in
  na) PERF_ARGS=() ;;
  na-pd) PERF_ARGS=(-e address-and-prefix) ;;
  rapid)
    # Not perfdhcp: for rapid commit it needs -i -c, and perfdhcp 2.2 then stops at the first Reply (it matches every
    # Reply against its Request-Reply statistics, which -i never creates: "Packets exchange not specified",
    # TestControl::processReceivedPacket6 in Kea 2.2's source). pukeko-rapid-client runs instead (load_client).
    PERF_ARGS=() ;;
  renew) PERF_ARGS=() ;;
  *) echo "unknown EXCHANGE $EXCHANGE (na, na-pd, rapid, renew)" >&2; exit 2 ;;
esac
declare -A BEST

for tool in "$KEA" $([ "$EXCHANGE" = rapid ] || echo "$PERFDHCP"); do
  [ -x "$tool" ] || { echo "missing $tool (apt-get install kea-dhcp6-server kea-admin)" >&2; exit 2; }
done
mkdir -p "$WORK"
. "$ROOT/bench/lib/pukeko-build.sh"
[ "$EXCHANGE" = rapid ] && . "$ROOT/bench/lib/rapid-client-build.sh"

# ------------------------------------------------------------------ lab: two namespaces, one veth
. "$ROOT/bench/lib/netns-lab.sh"
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -f "$WORK/pg/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m immediate -w stop > /dev/null 2>&1 || true
  lab_down
}
trap cleanup EXIT
trap "exit 130" INT TERM   # so a killed run still cleans up (bash runs the EXIT trap on exit, not on a fatal signal)
lab_up

# ------------------------------------------------------------------ PostgreSQL (BACKEND=postgresql)
pg() { psql -X -q -v ON_ERROR_STOP=1 -h "$WORK/pg" -p "$PGPORT" -U postgres "$@"; }
if [ "$BACKEND" = postgresql ]; then
  for tool in "$PGBIN/initdb" "$PGBIN/pg_ctl" /usr/bin/psql /usr/sbin/kea-admin; do
    [ -x "$tool" ] || { echo "missing $tool (apt-get install postgresql-15 kea-admin)" >&2; exit 2; }
  done
  # initdb refuses root; the socket and data live in WORK, which postgres must be able to enter.
  chmod 755 "$WORK"; mkdir -p "$WORK/pg"; chown postgres:postgres "$WORK/pg"
  runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth=trust -E UTF8 --no-locale > "$WORK/pg/initdb.log"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/pg.log" -w -t 60 \
    -o "-k $WORK/pg -p $PGPORT -c listen_addresses='' -c max_connections=200" start > /dev/null
  pg -c "CREATE USER kea WITH PASSWORD 'kea'" -c "CREATE DATABASE keatemplate OWNER kea"
  kea-admin db-init pgsql -h "$WORK/pg" -P "$PGPORT" -u kea -p kea -n keatemplate > "$WORK/pg/db-init.log" 2>&1 \
    || { echo "kea-admin db-init failed: $(cat "$WORK/pg/db-init.log")" >&2; exit 1; }
fi

# The lease store of one run: a memfile in the run's directory, or a fresh database with Kea's schema.
lease_database() { # $1 dir
  if [ "$BACKEND" = postgresql ]; then
    pg -c "DROP DATABASE IF EXISTS keabench" -c "CREATE DATABASE keabench TEMPLATE keatemplate OWNER kea"
    echo "{ \"type\": \"postgresql\", \"name\": \"keabench\", \"host\": \"$WORK/pg\", \"port\": $PGPORT, \"user\": \"kea\", \"password\": \"kea\" }"
  else
    echo "{ \"type\": \"memfile\", \"name\": \"$1/kea-leases6.csv\", \"persist\": true, \"lfc-interval\": 3600 }"
  fi
}

# Leases the server stored in the run: rows appended to the lease file, or rows in lease6.
lease_rows() { # $1 dir
  if [ "$BACKEND" = postgresql ]; then
    pg -d keabench -At -c "SELECT count(*) FROM lease6"
  else
    cat "$1"/kea-leases6.csv* 2>/dev/null | grep -vc '^address,' || true
  fi
}

# ------------------------------------------------------------------ a populated store (PREFILL)
# Client i of the file: DUID-LLT 00:01:00:01:5e:00:00:00 + MAC 02:00:<i as 4 bytes>, IAID i+1, the address
# 2001:db8:1:0:2:: + i (the subnet, not the pool), expiring 30-66 min from now (none expires during a run).
if [ "$PREFILL" -gt 0 ]; then
  [ "$BACKEND" = memfile ] || { echo "PREFILL needs BACKEND=memfile" >&2; exit 2; }
  awk -v n="$PREFILL" -v now="$(date +%s)" 'BEGIN {
    print "address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,fqdn_fwd,fqdn_rev,hostname,hwaddr,state,user_context,hwtype,hwaddr_source,pool_id"
    for (i = 0; i < n; i++) {
      mac = sprintf("02:00:%02x:%02x:%02x:%02x", int(i / 16777216) % 256, int(i / 65536) % 256, int(i / 256) % 256, i % 256)
      printf "2001:db8:1:0:2::%x:%x,00:01:00:01:5e:00:00:00:%s,4000,%d,1,3000,0,%d,128,0,0,,%s,0,,1,4,0\n", int(i / 65536), i % 65536, mac, now + 1800 + (i * 7919) % 2200, i + 1, mac
    }
  }' > "$WORK/prefill-18.csv"
  cut -d, -f1-17 "$WORK/prefill-18.csv" > "$WORK/prefill-17.csv"
  echo "prefill: $PREFILL leases, $(du -m "$WORK/prefill-18.csv" | cut -f1) MB" >&2
fi

# ------------------------------------------------------------------ one config for every server
PD_POOLS=
[ "$EXCHANGE" = na-pd ] && PD_POOLS=', "pd-pools": [ { "prefix": "2001:db8:100::", "prefix-len": 40, "delegated-len": 64 } ]'
config() { # $1 dir, $2 multi-threading object, $3 lease-database object
  cat <<EOF
{
  "Dhcp6": {
    "data-directory": "$1",
    "interfaces-config": { "interfaces": [ "$SIF" ] },
    "lease-database": $3,
    "renew-timer": 1000, "rebind-timer": 2000, "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "cache-threshold": ${CACHE_THRESHOLD:-0.25},
    "multi-threading": $2,
    "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "$SIF", "rapid-commit": $([ "$EXCHANGE" = rapid ] && echo true || echo false),
                   "pools": [ { "pool": "2001:db8:1:0:1::/80" } ]$PD_POOLS } ],
    "loggers": [ { "name": "kea-dhcp6", "output_options": [ { "output": "$1/server.log" } ], "severity": "WARN" } ]
  }
}
EOF
}

start_server() { # $1 variant, $2 dir
  local dir=$2 mt exe queue= threads=2 variant=$1
  # Suffixes of multi-threaded variants: "-qN" sets packet-queue-size N, "-tN" N threads (in either order).
  while [[ $variant =~ ^(.*)-([qt])([0-9]+)$ ]]; do
    if [ "${BASH_REMATCH[2]}" = q ]; then queue=${BASH_REMATCH[3]}; else threads=${BASH_REMATCH[3]}; fi
    variant=${BASH_REMATCH[1]}
  done
  queue=${queue:-$((150 * threads))}
  local mtq="{ \"enable-multi-threading\": true, \"thread-pool-size\": $threads, \"packet-queue-size\": $queue }"
  case "$variant" in
    kea-st)    exe=$KEA;    mt='{ "enable-multi-threading": false }' ;;
    kea-mt)    exe=$KEA;    mt=$mtq ;;
    pukeko-mt) exe=$PUKEKO; mt=$mtq ;;
    pukeko-st) exe=$PUKEKO; mt='{ "enable-multi-threading": false }' ;;
    base-mt)   exe=${PUKEKO_BASE:?base-mt needs PUKEKO_BASE}; mt=$mtq ;;
    base-st)   exe=${PUKEKO_BASE:?base-st needs PUKEKO_BASE}; mt='{ "enable-multi-threading": false }' ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
  config "$dir" "$mt" "$(lease_database "$dir")" > "$dir/kea-dhcp6.conf"
  if [ "$PREFILL" -gt 0 ]; then
    if [ "$exe" = "$KEA" ]; then cp "$WORK/prefill-17.csv" "$dir/kea-leases6.csv"; else cp "$WORK/prefill-18.csv" "$dir/kea-leases6.csv"; fi
  fi
  KEA_DHCP_DATA_DIR=$dir KEA_LOG_FILE_DIR=$dir KEA_PIDFILE_DIR=$dir KEA_LOCKFILE_DIR=$dir KEA_CONTROL_SOCKET_DIR=$dir \
    ip netns exec "$SNS" "$exe" -c "$dir/kea-dhcp6.conf" > "$dir/stdout.txt" 2>&1 &
  SERVER_PID=$!
  # Ready when something listens on UDP 547 in the server namespace (both bind it last).
  for _ in $(seq $((STARTUP_WAIT * 10))); do
    ip netns exec "$SNS" ss -Hlun 'sport = :547' | grep -q . && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "$1 exited: $(cat "$dir/stdout.txt")" >&2; exit 1; }
    sleep 0.1
  done
  sleep 1
}

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}

CLK_TCK=$(getconf CLK_TCK)
udp_rcvbuf_errors() { ip netns exec "$1" awk '$1 == "Udp6RcvbufErrors" { print $2 }' /proc/net/snmp6; }   # $1 namespace
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }   # utime + stime
peak_rss_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

field() { # $1 report, $2 section, $3 label
  awk -v sec="***Statistics for: $2***" -v lab="$3: " '
    index($0, sec) == 1 { on = 1; next }
    /^\*\*\*Statistics for:/ { on = 0 }
    on && index($0, lab) == 1 { print substr($0, length(lab) + 1); exit }' "$1"
}

# The load of one run in the client namespace: perfdhcp, or for EXCHANGE=rapid our client with the same rate, period
# and wait (its -W is in ms, perfdhcp's in µs). Its report goes to stdout.
load_client() { # $1 rate, $2 period, $3 wait in µs, then perfdhcp's extra arguments
  local rate=$1 period=$2 wait=$3; shift 3
  if [ "$EXCHANGE" = rapid ]; then
    ip netns exec "$CNS" "$RAPID_CLIENT" -l "$CIF" -r "$rate" -p "$period" -W $((wait / 1000))
  else
    ip netns exec "$CNS" "$PERFDHCP" -6 -l "$CIF" -r "$rate" -R 10000000 -p "$period" -W "$wait" "$@"
  fi
}

# ------------------------------------------------------------------ measure
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); warm-up ${WARMUP} s; $(nproc) CPUs; leases in $BACKEND; exchange $EXCHANGE" >&2
RAW=$WORK/raw.tsv
printf 'server\trate\trun\tsolicits\tadvertises\trequests\treplies\tsa_drops\trr_drops\tnot_completed_pct\treplies_per_s\tload1\tcsv_rows\tcpu_pct\tcpu_us_per_lease\trss_mb\trenews\trenew_replies\tsa_avg_ms\tsa_max_ms\trr_avg_ms\trr_max_ms\n' > "$RAW"
IFS=, read -ra rate_list <<< "$RATES"
# Interleaved (run, then rate, then server): on a shared machine the background load drifts,
# and this way every server sees the same drift instead of one server getting a quiet period.
for run in $(seq "$REPEATS"); do
  for rate in "${rate_list[@]}"; do
    for server in $SERVERS; do
      dir=$WORK/$server-$rate-$run; rm -rf "$dir"; mkdir -p "$dir"
      start_server "$server" "$dir"
      if [ "$WARMUP" -gt 0 ]; then
        load_client 1000 "$WARMUP" 500000 > "$dir/warmup.txt" 2>&1 || true
      fi
      # -R: far more clients than exchanges, so every exchange is a new client (a new lease
      # written); -W 1 s (in µs) collects late replies so the end of the run is not counted lost.
      args=("${PERF_ARGS[@]}")
      [ "$EXCHANGE" = renew ] && args+=(-f "${RENEW_RATE:-$((rate / 2))}")
      out=$dir/perfdhcp.txt; [ "$EXCHANGE" = rapid ] && out=$dir/rapid-client.txt
      e0=$(udp_rcvbuf_errors "$SNS"); c0=$(cpu_ticks "$SERVER_PID"); t0=$(date +%s.%N)
      load_client "$rate" "$PERIOD" 1000000 ${args[@]+"${args[@]}"} > "$out" 2>&1 || true
      c1=$(cpu_ticks "$SERVER_PID"); t1=$(date +%s.%N); rss=$(peak_rss_kb "$SERVER_PID"); e1=$(udp_rcvbuf_errors "$SNS")
      [ -n "${SMAPS:-}" ] && { cat "/proc/$SERVER_PID/smaps" > "$dir/smaps.txt" 2>/dev/null || true; }
      load=$(cut -d' ' -f1 /proc/loadavg)
      stop_server
      sol=$(field "$out" SOLICIT-ADVERTISE "sent packets"); adv=$(field "$out" SOLICIT-ADVERTISE "received packets")
      req=$(field "$out" REQUEST-REPLY "sent packets"); rep=$(field "$out" REQUEST-REPLY "received packets")
      sad=$(field "$out" SOLICIT-ADVERTISE "drops"); rrd=$(field "$out" REQUEST-REPLY "drops")
      sa_avg=$(field "$out" SOLICIT-ADVERTISE "avg delay"); sa_max=$(field "$out" SOLICIT-ADVERTISE "max delay")
      rr_avg=$(field "$out" REQUEST-REPLY "avg delay"); rr_max=$(field "$out" REQUEST-REPLY "max delay")
      if [ "$EXCHANGE" = rapid ]; then
        # 2-way: the client's SOLICIT-REPLY section; "received packets" are only Replies that committed a lease.
        sol=$(field "$out" SOLICIT-REPLY "sent packets"); req=$sol; rep=$(field "$out" SOLICIT-REPLY "received packets")
        adv=$(field "$out" SOLICIT-REPLY "advertises"); sad=$(field "$out" SOLICIT-REPLY "drops"); rrd=0
        sa_avg=$(field "$out" SOLICIT-REPLY "avg delay"); sa_max=$(field "$out" SOLICIT-REPLY "max delay"); rr_avg=-; rr_max=-
        # A client behind its schedule offered less than the rate: say so next to the run's row.
        # Full receive buffers tell where packets were lost: the server's socket (Solicits) or the client's (Replies).
        echo "$server $rate: client behind schedule at end $(field "$out" SOLICIT-REPLY "behind schedule at end"), not sent $(field "$out" SOLICIT-REPLY "not sent"), Advertises $adv, Replies without lease $(field "$out" SOLICIT-REPLY "replies without lease"), UDP receive buffer drops: server side $((e1 - e0)), client side $(field "$out" SOLICIT-REPLY "client UDP receive buffer errors")" >&2
      fi
      ren=$(field "$out" RENEW-REPLY "sent packets"); renr=$(field "$out" RENEW-REPLY "received packets")
      # Against what was offered (rate x period), not against what perfdhcp sent: a perfdhcp that falls behind its
      # schedule sends fewer Solicits, and its own loss figure then hides that. (Its "Rate:" line would be the other
      # measure, but it divides by the run plus the -W wait, so it never reaches the offered rate.)
      pct=$(awk -v o="$((rate * PERIOD))" -v r="${rep:-0}" 'BEGIN { p = 100 * (o - r) / o; printf "%.2f", p < 0 ? 0 : p }')
      rps=$(awk -v r="${rep:-0}" -v p="$PERIOD" 'BEGIN { printf "%.0f", r / p }')
      cpu=$(awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$t1" -v hz="$CLK_TCK" 'BEGIN { printf "%.0f", 100 * (b - a) / hz / (t1 - t0) }')
      # per lease written: each completed exchange, Renews included (a renewal rewrites its lease)
      cpul=$(awk -v a="$c0" -v b="$c1" -v r="$(( ${rep:-0} + ${renr:-0} ))" -v hz="$CLK_TCK" 'BEGIN { printf "%.1f", r ? 1e6 * (b - a) / hz / r : 0 }')
      rssmb=$(awk -v k="${rss:-0}" 'BEGIN { printf "%.0f", k / 1024 }')
      # leases the server stored (memfile: rows appended, persist on): should be about one per Reply
      rows=$(( $(lease_rows "$dir") - PREFILL ))
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$rate" "$run" "${sol:-0}" "${adv:-0}" "${req:-0}" "${rep:-0}" "${sad:-0}" "${rrd:-0}" "$pct" "$rps" "$load" "$rows" "$cpu" "$cpul" "$rssmb" "${ren:-0}" "${renr:-0}" \
        "${sa_avg%% ms}" "${sa_max%% ms}" "${rr_avg%% ms}" "${rr_max%% ms}" | tee -a "$RAW" >&2
      rm -f "$dir"/kea-leases6.csv*   # up to ~80k rows per run; the report keeps what matters
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# ------------------------------------------------------------------ report: median of the runs
{
  echo "Exchange: $EXCHANGE; leases in $BACKEND$([ "$PREFILL" -gt 0 ] && echo ", $PREFILL leases of other clients loaded at start"); ${PERIOD} s per run"
  echo
  echo "| server | offered rate (exchanges/s) | Solicits sent | Replies received | SA drops | RR drops | not completed (of offered) | completed/s | S→A ms avg / max | R→R ms avg / max | lease rows written | server CPU | CPU µs/lease | peak RSS MB | runs' not-completed % | load (1 min) | Renews sent | Renew Replies |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  awk -F'\t' 'NR > 1 { key = $1 "\t" $2; n[key]++; row[key, n[key]] = $0; order[key] = order[key] ? order[key] : ++k; keys[k] = key }
    END {
      for (i = 1; i <= k; i++) {
        key = keys[i]; m = n[key]
        # sort this point'"'"'s runs by replies received, take the middle one
        for (a = 1; a <= m; a++) for (b = a + 1; b <= m; b++) {
          split(row[key, a], x, "\t"); split(row[key, b], y, "\t")
          if (y[7] + 0 < x[7] + 0) { t = row[key, a]; row[key, a] = row[key, b]; row[key, b] = t }
        }
        split(row[key, int((m + 1) / 2)], r, "\t")
        all = ""; loads = ""
        for (a = 1; a <= m; a++) { split(row[key, a], z, "\t"); all = all (a > 1 ? ", " : "") z[10]; loads = loads (a > 1 ? ", " : "") z[12] }
        printf "| %s | %s | %s | %s | %s | %s | %s %% | %s | %s / %s | %s / %s | %s | %s %% | %s | %s | %s | %s | %s | %s |\n", r[1], r[2], r[4], r[7], r[8], r[9], r[10], r[11], r[19], r[20], r[21], r[22], r[13], r[14], r[15], r[16], all, loads, r[17], r[18]
      }
    }' "$RAW"
  echo
  # The median of an even number of runs is the worse of the middle two: a rate is sustained only if most runs show it.
  echo "Max offered rate with < ${MAX_DROP_PCT} % of exchanges not completed (median run; of an even number, the worse middle one):"
  echo
  for server in $SERVERS; do
    best=$(awk -F'\t' -v s="$server" -v lim="$MAX_DROP_PCT" 'NR > 1 && $1 == s { key = $2; v[key] = v[key] " " $10; c[key]++ }
      END { for (r in v) { m = split(substr(v[r], 2), a, " "); for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
            if (a[int(m / 2) + 1] + 0 < lim + 0 && r + 0 > best) best = r + 0 } print best + 0 }' "$RAW")
    echo "- $server: ${best:-0} $([ "$EXCHANGE" = rapid ] && echo "Solicit-Reply" || echo SARR)/s"
    BEST[$server]=${best:-0}
  done
  # The median run at each server's sustained rate: completed leases/s, CPU per lease, peak RSS; then the best
  # Pukeko variant against the best Kea variant (by completed leases/s).
  for server in $SERVERS; do
    awk -F'\t' -v s="$server" -v r="${BEST[$server]}" 'NR > 1 && $1 == s && $2 == r { print $11 "\t" $15 "\t" $16 }' "$RAW" \
      | sort -n | awk -v s="$server" '{ l[NR] = $0 } END { if (NR) print s "\t" l[int((NR + 1) / 2)] }'
  done > "$WORK/sustained.tsv"
  awk -F'\t' '
    # The best variant: most leases/s, and of equals the one spending the least CPU per lease.
    $1 ~ /^pukeko/ && ($2 + 0 > p + 0 || ($2 + 0 == p + 0 && $3 + 0 < pc + 0)) { p = $2; pc = $3; pr = $4 }
    $1 ~ /^kea/ && ($2 + 0 > k + 0 || ($2 + 0 == k + 0 && $3 + 0 < kc + 0)) { k = $2; kc = $3; kr = $4 }
    END {
      printf "\nsustained: Pukeko %d leases/s (%.1f CPU us/lease, %d MB), Kea %d leases/s (%.1f CPU us/lease, %d MB)\n", p, pc, pr, k, kc, kr
      printf "ratio Pukeko/Kea sustained leases/s = %.2f, CPU per lease = %.2f, RSS = %.2f\n", k ? p / k : 0, kc ? pc / kc : 0, kr ? pr / kr : 0
    }' "$WORK/sustained.tsv"
} | tee "$RESULTS"
echo "raw runs: $RAW; per-run files under $WORK" >&2
