#!/usr/bin/env bash
# Builds pukeko-dhcp6 and shows a real DHCPv6 exchange: two network namespaces joined by a veth
# pair, the server (with examples/kea-dhcp6.conf) in one, ISC dhclient -6 in the other. Prints
# the lease the client got and the row the server wrote to its Kea memfile CSV, then cleans up.
# Needs root (network namespaces). Installs isc-dhcp-client with apt if it is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (it creates network namespaces)"; exit 2; }

echo "== building pukeko-dhcp6"
dotnet publish src/Pukeko.Daemon -c Release -r linux-x64 --self-contained false -o "$ROOT/out" -nologo -v quiet
BIN="$ROOT/out/pukeko-dhcp6"
"$BIN" -V

if ! command -v dhclient >/dev/null 2>&1; then
  echo "== installing isc-dhcp-client (for the demo client)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends isc-dhcp-client iproute2 >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends isc-dhcp-client iproute2 >/dev/null; }
fi

SRV=pukeko-demo-srv; CLI=pukeko-demo-cli
WORK=$(mktemp -d /tmp/pukeko-demo.XXXXXX)
SERVER_PID=; CLIENT_PID=
cleanup() {
  [ -n "$CLIENT_PID" ] && kill "$CLIENT_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  ip netns delete "$SRV" 2>/dev/null || true
  ip netns delete "$CLI" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "== network: namespaces $SRV (pks0) <-> $CLI (pkc0)"
ip netns add "$SRV"; ip netns add "$CLI"
for ns in "$SRV" "$CLI"; do
  ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip -n "$ns" link set lo up
done
ip link add pkdemo0 netns "$SRV" type veth peer name pkdemo1 netns "$CLI"
ip -n "$SRV" link set pkdemo0 name pks0; ip -n "$CLI" link set pkdemo1 name pkc0
# the veth ends were created with the host's defaults: no duplicate address detection, so the
# link-local addresses are usable at once
ip netns exec "$SRV" sysctl -q -w net.ipv6.conf.pks0.accept_dad=0
ip netns exec "$CLI" sysctl -q -w net.ipv6.conf.pkc0.accept_dad=0
ip -n "$SRV" link set pks0 up; ip -n "$CLI" link set pkc0 up
for _ in $(seq 50); do ip -n "$CLI" -6 addr show dev pkc0 scope link | grep -q 'fe80.*scope link $\|fe80' && ! ip -n "$CLI" -6 addr show dev pkc0 | grep -q tentative && break; sleep 0.1; done

echo "== starting pukeko-dhcp6 -c examples/kea-dhcp6.conf"
KEA_DHCP_DATA_DIR="$WORK" KEA_PIDFILE_DIR="$WORK" KEA_LOG_FILE_DIR="$WORK" \
  ip netns exec "$SRV" "$BIN" -c "$ROOT/examples/kea-dhcp6.conf" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do grep -q "started" "$WORK/server.log" && break; sleep 0.2; done
grep -q "started" "$WORK/server.log" || { cat "$WORK/server.log"; echo "server did not start"; exit 1; }

echo "== dhclient -6 in $CLI"
ip netns exec "$CLI" timeout 60 dhclient -6 -1 -v -lf "$WORK/dhclient6.leases" -pf "$WORK/dhclient6.pid" -sf /bin/true pkc0 2>&1 | sed 's/^/   dhclient: /' \
  || { echo "dhclient got no lease"; sed 's/^/   /' "$WORK/server.log"; exit 1; }
CLIENT_PID=$(cat "$WORK/dhclient6.pid" 2>/dev/null || true)

echo "== lease the client got ($WORK/dhclient6.leases)"
sed -n '/lease6/,$p' "$WORK/dhclient6.leases" | sed 's/^/   /'
echo "== lease file the server wrote ($WORK/kea-leases6.csv)"
sed 's/^/   /' "$WORK/kea-leases6.csv"
echo "== server log"
sed 's/^/   /' "$WORK/server.log"
