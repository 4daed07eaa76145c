#!/usr/bin/env bash
# Sets everything up, then runs every test: unit tests beside the code (src/**/*.test.ts),
# end-to-end tests of bin/wharf and interop tests against real peers (test/**/*.test.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Tests and benchmarks are TypeScript too: type-check them with the sources.
npx tsc -p tsconfig.check.json
mapfile -t files < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' | sort)
exec node --import tsx --test --test-concurrency="${WHARF_TEST_CONCURRENCY:-2}" --test-reporter=spec "${files[@]}"
