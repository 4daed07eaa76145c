#!/usr/bin/env bash
# The pure unit tests: every src/**/*.test.ts except those tagged `// test:host` (they need
# root, network namespaces or a dockerd; scripts/test.sh runs them with everything else).
# No set-up, no root, no dockerd: seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src -name '*.test.ts' | sort | xargs grep -L '^// test:host')
exec node --import tsx --test --test-concurrency="${WHARF_TEST_CONCURRENCY:-2}" "${files[@]}"
