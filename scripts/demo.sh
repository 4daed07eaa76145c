#!/usr/bin/env bash
# The main job, end to end on an embedded default: build a busybox base image, import it,
# tag, inspect, look at history, save, delete, load it back and check the ID survived.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WHARF_ROOT="${WHARF_ROOT:-$(mktemp -d /tmp/wharf-demo-XXXX)}"
work=$(mktemp -d /tmp/wharf-demo-work-XXXX)
trap 'rm -rf "$work"' EXIT
w() { echo "\$ wharf $*"; bin/wharf "$@"; }

node --import tsx -e "import('./test/helpers/busybox.ts').then(m => m.makeBusyboxRootfsTar('$work')).then(p => console.log('base rootfs: ' + p))"
w import -c 'CMD ["sh"]' -m "busybox base" "$work/busybox.tar" busybox:demo
w tag busybox:demo localhost:5000/busybox:1.0
w images
w history busybox:demo
w image inspect --format '{{.Id}} layers={{json .RootFS.Layers}} cmd={{.Config.Cmd}}' busybox:demo
id=$(bin/wharf image inspect --format '{{.Id}}' busybox:demo)
w save -o "$work/busybox.tar.out" busybox:demo localhost:5000/busybox:1.0
w rmi busybox:demo localhost:5000/busybox:1.0
w load -i "$work/busybox.tar.out"
after=$(bin/wharf image inspect --format '{{.Id}}' busybox:demo)
[ "$id" = "$after" ] && echo "image ID survived save | load: $after"
w image analyze busybox:demo
w system df
w system check
echo "demo data root: $WHARF_ROOT"
