#!/usr/bin/env bash
# Installs what wharf needs on a fresh Debian 12 machine (idempotent), then builds it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: a C toolchain for the native addon (node-gyp), the runtime (runc) and `run --init`'s init (tini), base-image material (busybox-static), fast
# (de)compressors, networking tools, and the real peers interop tests run against; for the registry's
# scale-out tests, a one-host Ceph (monitor, OSD, RADOS Gateway), PostgreSQL and nginx.
packages=(gcc make python3 busybox-static runc tini pigz zstd xz-utils bzip2 tar iproute2 nftables iptables tmux attr
          docker.io docker-registry skopeo podman apache2-utils curl openssl chromium
          ceph-mon ceph-osd radosgw ceph-base postgresql nginx uuid-runtime)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages (${missing[*]}); run as root or install them" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
fi

# Optional (WHARF_OCI_CONFORMANCE=1): Go 1.23 from bookworm-backports and the Debian -dev packages the
# OCI distribution-spec conformance suite builds from offline (scripts/oci-conformance.sh).
if [ "${WHARF_OCI_CONFORMANCE:-}" = 1 ] && [ ! -x /usr/lib/go-1.23/bin/go ]; then
  [ "$(id -u)" -eq 0 ] || { echo "setup: the conformance toolchain needs root" >&2; exit 1; }
  if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      > /etc/apt/sources.list.d/bookworm-backports.sources
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports --no-install-recommends golang-1.23-go \
    golang-github-goccy-go-yaml-dev golang-github-opencontainers-go-digest-dev golang-github-opencontainers-image-spec-dev >/dev/null
fi

# npm packages (better-sqlite3 builds from source when its prebuilt download is refused).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
