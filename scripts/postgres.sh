#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the registry's metadata tests and benchmarks: initdb in DIR,
# listening on 127.0.0.1 only (no unix socket outside DIR), trust auth for local connections.
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user.
#   scripts/postgres.sh up DIR     start; writes DIR/env (WHARF_TEST_PG_URL) and prints it
#   scripts/postgres.sh down DIR   stop it and remove DIR
#   scripts/postgres.sh stop|start|restart DIR   stop and start it again on the same port (fault tests)
set -euo pipefail
cmd=${1:?usage: postgres.sh up|down|stop|start|restart DIR}
dir=${2:?usage: postgres.sh up|down|stop|start|restart DIR}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
as_owner() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if [ "$cmd" = down ]; then
  [ -d "$dir/data" ] && as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
  exit 0
fi
case "$cmd" in
  stop|restart) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null ;;&
  start|restart) as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null ;;&
  stop|start|restart) exit 0 ;;
esac
[ "$cmd" = up ] || { echo "usage: postgres.sh up|down|restart DIR" >&2; exit 2; }
[ -x "$bin/initdb" ] || { echo "postgres.sh: PostgreSQL is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
port=
for _ in $(seq 100); do
  p=$((20000 + RANDOM % 30000))
  ss -Hltn "sport = :$p" | grep -q . || { port=$p; break; }
done
mkdir -p "$dir"
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  # The server runs as postgres: it must be able to pass through a private temp dir above DIR.
  parent=$(dirname "$dir")
  runuser -u postgres -- test -x "$parent" || chmod o+x "$parent"
fi
as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 300
synchronous_commit = off  # a commit returns before its WAL flush (a crash may lose the last ms, never corrupt)
shared_buffers = 128MB
CONF
as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w start >/dev/null
echo "WHARF_TEST_PG_URL=postgres://postgres@127.0.0.1:$port/postgres" >"$dir/env"
cat "$dir/env"
