#!/usr/bin/env bash
# Builds wharf's native addon (native/wharf_native.c: chroot(2), mknod(2)) with node-gyp,
# offline: Debian's node headers are in /usr/include/node (nodedir /usr), and npm ships
# node-gyp (npm puts it on PATH for `npm run`; else npm's own copy is used).
set -euo pipefail
cd "$(dirname "$0")/../native"
out=build/Release/wharf_native.node
[ -f "$out" ] && [ "$out" -nt wharf_native.c ] && [ "$out" -nt binding.gyp ] && exit 0
gyp=(node-gyp)
command -v node-gyp >/dev/null || gyp=(node "$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js")
nodedir=()
[ -f /usr/include/node/node_api.h ] && nodedir=(--nodedir=/usr)
"${gyp[@]}" rebuild "${nodedir[@]}" --loglevel=error >/dev/null
