#!/bin/sh
# /usr/bin/pukeko-ctl: runs pukeko-ctl installed in /usr/lib/pukeko, looking for the packaged
# server's control socket (/run/pukeko/kea6-ctrl-socket) unless told otherwise.
: "${KEA_CONTROL_SOCKET_DIR:=/run/pukeko}"
export KEA_CONTROL_SOCKET_DIR
exec /usr/lib/pukeko/pukeko-ctl "$@"
