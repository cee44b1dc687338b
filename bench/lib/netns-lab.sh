# Sourced by the bench scripts: a pair of network namespaces joined by one veth, the server side with
# 2001:db8:1::1/64 on $SIF, the client side with only its link-local address on $CIF (DAD off on both, so
# addresses are usable at once). The names carry the caller's PID, so two benches can run side by side.
#   lab_up            creates SNS/CNS and the link; sets SNS, CNS, SIF, CIF
#   lab_down          kills whatever still runs in the two namespaces and deletes them (safe to call twice)
SNS=pkb-s$$; CNS=pkb-c$$; SIF=pbs0; CIF=pbc0

lab_up() {
  ip netns add "$SNS"; ip netns add "$CNS"
  local ns
  for ns in "$SNS" "$CNS"; do
    ip netns exec "$ns" sysctl -q -w net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip -n "$ns" link set lo up
  done
  ip link add "pbv$$a" netns "$SNS" type veth peer name "pbv$$b" netns "$CNS"
  ip -n "$SNS" link set "pbv$$a" name "$SIF"; ip -n "$CNS" link set "pbv$$b" name "$CIF"
  ip netns exec "$SNS" sysctl -q -w "net.ipv6.conf.$SIF.accept_dad=0"
  ip netns exec "$CNS" sysctl -q -w "net.ipv6.conf.$CIF.accept_dad=0"
  ip -n "$SNS" link set "$SIF" up; ip -n "$CNS" link set "$CIF" up
  ip -n "$SNS" addr add 2001:db8:1::1/64 dev "$SIF" nodad
  for _ in $(seq 50); do ip -n "$CNS" -6 addr show dev "$CIF" scope link | grep -q fe80 && break; sleep 0.1; done
}

lab_down() {
  local ns pid
  for ns in "$SNS" "$CNS"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
  done
}
