#!/bin/sh
# Runs a command in a network namespace of its own (as root): loopback, plus a veth pair whose
# both ends stay inside, so WebRTC stacks that ignore loopback (libdatachannel, Chromium without
# a routable interface) find a host address, and no packet can leave the machine.
#   sudo tests/isolated-net.sh npx vitest run -c vitest.e2e.config.ts tests/e2e/direct-peers.e2e.ts
set -e
if [ -z "$EDGEPOOL_ISOLATED" ]; then
  exec unshare -n env EDGEPOOL_ISOLATED=1 "$0" "$@"
fi
ip link set lo up
ip link add veth0 type veth peer name veth1
ip addr add 10.200.0.1/24 dev veth0
ip addr add 10.200.0.2/24 dev veth1
ip link set veth0 up
ip link set veth1 up
ip route add default via 10.200.0.2 dev veth0
exec "$@"
