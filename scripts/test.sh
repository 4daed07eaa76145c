#!/usr/bin/env bash
# Sets everything up, then runs every test: unit tests beside the code (src/**/*.test.ts),
# end-to-end tests of bin/wharf and interop tests against real peers (test/**/*.test.ts).
# Interop tests that talk to "the" dockerd use DOCKER_HOST; when none is given, a private
# dockerd (own data root and socket in a temp dir, its own bridge, no iptables) runs for the
# duration of the tests, so a fresh machine runs them instead of skipping them. Not
# `--bridge none`: dockerd then deletes the host's docker0, breaking a Docker running here.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Tests and benchmarks are TypeScript too: type-check them with the sources.
npx tsc -p tsconfig.check.json
# The import boundaries (front ends through the engine, nothing upward): .dependency-cruiser.cjs.
npm run --silent lint

if [ -z "${DOCKER_HOST:-}" ] && command -v dockerd >/dev/null && [ "$(id -u)" = 0 ]; then
  dockerd_dir=$(mktemp -d /tmp/wharf-test-dockerd.XXXXXX)
  dockerd_bridge="wdk$$"
  for _ in $(seq 50); do # a 10.252.X.0/24 that no address or route of the host covers
    net="10.252.$((RANDOM % 254 + 1))"
    ip -4 -o addr | grep -q "inet $net\." || ip -4 route show table all | grep -q "$net\." || break
  done
  ip link add name "$dockerd_bridge" type bridge
  ip addr add "$net.1/24" dev "$dockerd_bridge"
  ip link set "$dockerd_bridge" up
  dockerd --data-root "$dockerd_dir/root" --exec-root "$dockerd_dir/exec" -H "unix://$dockerd_dir/docker.sock" \
    --pidfile "$dockerd_dir/pid" --bridge "$dockerd_bridge" --iptables=false --ip-masq=false >"$dockerd_dir/log" 2>&1 &
  dockerd_pid=$!
  stop_dockerd() {
    kill "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
    umount -R "$dockerd_dir/root" 2>/dev/null || true
    rm -rf "$dockerd_dir"
    ip link del "$dockerd_bridge" 2>/dev/null || true
  }
  trap stop_dockerd EXIT
  export DOCKER_HOST="unix://$dockerd_dir/docker.sock"
  for _ in $(seq 100); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  docker version >/dev/null 2>&1 || { echo "warning: the private dockerd did not start; docker interop tests will skip" >&2; tail -5 "$dockerd_dir/log" >&2; }
fi
if [ -n "${DOCKER_HOST:-}" ]; then export WHARF_TEST_DOCKER_HOST="${WHARF_TEST_DOCKER_HOST:-$DOCKER_HOST}"; fi

# One Ceph (RGW on 127.0.0.1) and one PostgreSQL for the whole run, for the registry's S3 +
# PostgreSQL tests; their addresses go to the tests in WHARF_TEST_S3_* and WHARF_TEST_PG_URL.
services_dir=$(mktemp -d /tmp/wharf-test-services.XXXXXX)
stop_services() {
  bash scripts/ceph.sh down "$services_dir/ceph" >/dev/null 2>&1 || true
  bash scripts/postgres.sh down "$services_dir/pg" >/dev/null 2>&1 || true
  rm -rf "$services_dir"
}
trap 'stop_services; if declare -F stop_dockerd >/dev/null; then stop_dockerd; fi' EXIT
if [ -z "${WHARF_TEST_S3_ENDPOINT:-}" ]; then
  if bash scripts/ceph.sh up "$services_dir/ceph" >"$services_dir/ceph.out" 2>&1; then
    set -a; . "$services_dir/ceph/env"; set +a
  else
    echo "warning: Ceph did not start; S3 registry tests will skip" >&2; tail -3 "$services_dir/ceph.out" >&2
  fi
fi
if [ -z "${WHARF_TEST_PG_URL:-}" ]; then
  if bash scripts/postgres.sh up "$services_dir/pg" >"$services_dir/pg.out" 2>&1; then
    set -a; . "$services_dir/pg/env"; set +a
  else
    echo "warning: PostgreSQL did not start; PostgreSQL registry tests will skip" >&2; tail -3 "$services_dir/pg.out" >&2
  fi
fi

mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
status=0
node --import tsx --test --test-timeout=600000 --test-concurrency="${WHARF_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}" || status=$?
# The registry-server suite once more, on S3 + PostgreSQL instead of a directory.
if [ -n "${WHARF_TEST_S3_ENDPOINT:-}" ] && [ -n "${WHARF_TEST_PG_URL:-}" ]; then
  mapfile -t scale_files < <(find test/registry-server -name '*.test.ts' -not -name 'scale*.test.ts' | sort)
  WHARF_TEST_REGISTRY_BACKEND=s3 node --import tsx --test --test-timeout=600000 --test-concurrency="${WHARF_TEST_CONCURRENCY:-2}" --test-reporter=spec "${scale_files[@]}" || status=$?
else
  echo "skipped: the registry-server tests on S3 + PostgreSQL (no Ceph or PostgreSQL)"
fi
exit "$status"
