#!/bin/sh
# Runs a command inside a fresh, private user + network + mount namespace (rootless).
# Inside, only a loopback interface exists: nothing the command sends can reach a real
# network. Lab helpers build bridges and device namespaces in here; all of it vanishes
# when the command exits. See ../shared/TESTBED.md.
set -eu
if [ "${CAMSWEEP_PRIVATE_NETNS:-}" = "1" ]; then
  exec "$@"
fi
exec unshare --user --map-root-user --net --mount --propagation private -- sh -eu -c '
  mount -t tmpfs camsweep-run /run
  # A sysfs of this namespace: without it /sys/class/net still lists the host'"'"'s interfaces.
  mount -t sysfs camsweep-sys /sys
  mkdir -p /run/netns
  ip link set lo up
  export CAMSWEEP_PRIVATE_NETNS=1
  exec "$@"
' camsweep-netns "$@"
