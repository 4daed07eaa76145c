#!/usr/bin/env bash
# Runs the OCI distribution-spec conformance suite (its conformance/ directory, from a checkout
# of github.com/opencontainers/distribution-spec given as $1 or WHARF_OCI_CONFORMANCE_SRC) against
# `wharf registry serve` on 127.0.0.1, in the 1.1 profile and in the dev profile (tag parameters,
# sha512). It builds offline with Debian's Go 1.23 (bookworm-backports) and the suite's module
# dependencies from Debian's -dev packages (GOPATH mode: go.mod, which asks for Go 1.24, is not
# read). Two Go 1.24 library calls the suite makes (crypto/rand.Text, strings.SplitSeq) are
# rewritten in a temporary copy to their Go 1.23 equivalents; the checkout is never modified.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-${WHARF_OCI_CONFORMANCE_SRC:-}}
go=/usr/lib/go-1.23/bin/go
[ -n "$src" ] && [ -d "$src/conformance" ] || { echo "oci-conformance: give a distribution-spec checkout (\$1 or WHARF_OCI_CONFORMANCE_SRC)" >&2; exit 2; }
[ -x "$go" ] || { echo "oci-conformance: $go missing (apt-get install -t bookworm-backports golang-1.23-go)" >&2; exit 2; }
for d in goccy/go-yaml opencontainers/go-digest opencontainers/image-spec; do
  [ -d "/usr/share/gocode/src/github.com/$d" ] || { echo "oci-conformance: /usr/share/gocode/src/github.com/$d missing (Debian's golang-github-${d//\//-}-dev)" >&2; exit 2; }
done

work=$(mktemp -d /tmp/wharf-oci-conformance.XXXXXX)
reg_pid=
cleanup() {
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

pkg="$work/gopath/src/github.com/opencontainers/distribution-spec"
mkdir -p "$pkg"
cp -r "$src/conformance" "$src/specs-go" "$pkg/"
(
  cd "$pkg/conformance"
  sed -i 's/rand\.Text()/wharfRandText()/g' ./*.go
  sed -i 's/for \([a-z]*\) := range strings\.SplitSeq(/for _, \1 := range strings.Split(/' ./*.go
  cat > wharf_go123.go <<'EOF'
package main

import (
	"crypto/rand"
	"encoding/base32"
)

// wharfRandText is what Go 1.24's crypto/rand.Text returns: 26 random base32 characters.
func wharfRandText() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}
EOF
  GOPATH="$work/gopath:/usr/share/gocode" GO111MODULE=off GOFLAGS= GOTOOLCHAIN=local GOCACHE="$work/gocache" \
    "$go" test -c -o "$work/conformance.test" .
)

port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
bin/wharf registry serve --addr "127.0.0.1:$port" --root "$work/root" --quiet 2>"$work/registry.log" &
reg_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done

status=0
run_profile() { # NAME, then VAR=VALUE settings
  local name=$1
  shift
  mkdir -p "$work/results-$name"
  echo "== OCI conformance, profile $name"
  if ! (cd "$work" && env OCI_REGISTRY="127.0.0.1:$port" OCI_TLS=disabled OCI_RESULTS_DIR="$work/results-$name" \
      OCI_REPO1="conformance-$name/repo1" OCI_REPO2="conformance-$name/repo2" "$@" "$work/conformance.test" >"$work/out-$name" 2>&1); then
    status=1
  fi
  sed -n '/^OCI Conformance Result/,$p' "$work/out-$name"
  grep -q '^OCI Conformance Result: Pass' "$work/out-$name" || status=1
}
run_profile v1.1 OCI_VERSION=1.1
run_profile dev OCI_VERSION=dev OCI_API_MANIFESTS_TAG_PARAM=true
[ "$status" -eq 0 ] || { echo "oci-conformance: FAILED (results kept in ${WHARF_OCI_RESULTS:=/tmp/wharf-oci-results})" >&2; rm -rf "$WHARF_OCI_RESULTS"; cp -r "$work" "$WHARF_OCI_RESULTS"; }
exit "$status"
