#!/usr/bin/env bash
# A one-host Ceph cluster for the registry's S3 tests and benchmarks: one monitor, one OSD on a
# sparse file-backed BlueStore, and a RADOS Gateway on 127.0.0.1, with config, keyrings and state
# all in DIR (every command gets `-c DIR/ceph.conf`; /etc/ceph is never read or written). No
# ceph-mgr: S3 needs none. Starts in a few seconds.
#   scripts/ceph.sh up DIR     start; writes DIR/env (WHARF_TEST_S3_* lines) and prints it
#   scripts/ceph.sh down DIR   stop the daemons and remove DIR
set -euo pipefail
cmd=${1:?usage: ceph.sh up|down DIR}
dir=${2:?usage: ceph.sh up|down DIR}

free_port() { # a loopback TCP port nobody listens on
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 30000))
    ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
  return 1
}

down() {
  for f in "$dir"/run/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for f in "$dir"/run/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    for _ in $(seq 50); do [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

if [ "$cmd" = down ]; then down; exit 0; fi
[ "$cmd" = up ] || { echo "usage: ceph.sh up|down DIR" >&2; exit 2; }
for b in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool; do
  command -v "$b" >/dev/null || { echo "ceph.sh: $b is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
done

mkdir -p "$dir"/{mon,osd,run,log,rgw}
conf="$dir/ceph.conf"
mon_port=$(free_port)
rgw_port=$(free_port)
fsid=$(uuidgen)
cat >"$conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
# auth none cannot give the "secure" connection mode radosgw asks for by default
ms client mode = crc
ms service mode = crc
ms cluster mode = crc
ms mon client mode = crc
ms mon service mode = crc
ms mon cluster mode = crc
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket = $dir/run/\$name.asok
log file = $dir/log/\$name.log
keyring = $dir/keyring
mon data = $dir/mon
osd data = $dir/osd
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 8589934592
bluestore cache size = 134217728
osd memory target = 536870912
bluestore fsck on mount = false
osd op num shards = 1
osd op num threads per shard = 2
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port tcp_nodelay=1
rgw data = $dir/rgw
rgw thread pool size = 64
rgw dns name = 127.0.0.1
EOF

ceph-authtool --create-keyring "$dir/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --addv a "[v2:127.0.0.1:$mon_port]" --fsid "$fsid" "$dir/monmap" >/dev/null
ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" --keyring "$dir/keyring" >/dev/null 2>&1
ceph-mon -c "$conf" -i a 2>>"$dir/log/start.log"
osd_uuid=$(uuidgen)
id=$(ceph -c "$conf" --connect-timeout 20 osd new "$osd_uuid")
ceph-osd -c "$conf" -i "$id" --mkfs --osd-uuid "$osd_uuid" >"$dir/log/osd-mkfs.log" 2>&1
ceph-osd -c "$conf" -i "$id" 2>>"$dir/log/start.log"
radosgw -c "$conf" -n client.rgw 2>>"$dir/log/start.log"
for _ in $(seq 200); do
  curl -sf -o /dev/null "http://127.0.0.1:$rgw_port/" && break
  sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$rgw_port/" || { echo "ceph.sh: radosgw did not answer on 127.0.0.1:$rgw_port (logs in $dir/log)" >&2; exit 1; }
# S3 clients send the region as the bucket's LocationConstraint: the zonegroup must be named that way.
region=us-east-1
access=wharf$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
secret=$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')
radosgw-admin -c "$conf" user create --uid=wharf --display-name=wharf --access-key="$access" --secret-key="$secret" >/dev/null
cat >"$dir/env" <<EOF
WHARF_TEST_S3_ENDPOINT=http://127.0.0.1:$rgw_port
WHARF_TEST_S3_REGION=$region
WHARF_TEST_S3_ACCESS_KEY=$access
WHARF_TEST_S3_SECRET_KEY=$secret
WHARF_TEST_CEPH_CONF=$conf
EOF
cat "$dir/env"
