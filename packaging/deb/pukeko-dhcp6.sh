#!/bin/sh
# /usr/sbin/pukeko-dhcp6: runs the server installed in /usr/lib/pukeko.
# The packaged server keeps its files in Pukeko's own directories: Kea's variables, where not set,
# point there, so the bare names in /etc/pukeko/pukeko-dhcp6.conf resolve to them whether the
# server runs under systemd or by hand. Set a variable (e.g. KEA_DHCP_DATA_DIR=/var/lib/kea) to
# use Kea's files instead.
: "${KEA_DHCP_DATA_DIR:=/var/lib/pukeko}"
: "${KEA_LOG_FILE_DIR:=/var/log/pukeko}"
: "${KEA_CONTROL_SOCKET_DIR:=/run/pukeko}"
: "${KEA_PIDFILE_DIR:=/run/pukeko}"
export KEA_DHCP_DATA_DIR KEA_LOG_FILE_DIR KEA_CONTROL_SOCKET_DIR KEA_PIDFILE_DIR
exec /usr/lib/pukeko/pukeko-dhcp6 "$@"
