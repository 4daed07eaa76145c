/**
 * The OCI distribution-spec conformance suite, built from its source with Debian's Go 1.23, run
 * against `wharf registry serve` in the 1.1 and dev profiles (scripts/oci-conformance.sh). It needs
 * a checkout of github.com/opencontainers/distribution-spec (WHARF_OCI_CONFORMANCE_SRC): this
 * machine cannot fetch one, so without it the test skips and says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const src = process.env.WHARF_OCI_CONFORMANCE_SRC;
const skip = !src
  ? 'WHARF_OCI_CONFORMANCE_SRC (a distribution-spec checkout) is not set'
  : !existsSync('/usr/lib/go-1.23/bin/go')
    ? 'Go 1.23 is not installed (WHARF_OCI_CONFORMANCE=1 scripts/setup.sh)'
    : undefined;

test('OCI distribution-spec conformance: every test of the 1.1 and dev profiles passes', { skip, timeout: 600_000 }, () => {
  const script = resolve(import.meta.dirname, '../../scripts/oci-conformance.sh');
  const r = spawnSync('bash', [script, src!], { encoding: 'utf8', timeout: 580_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.equal((r.stdout.match(/^OCI Conformance Result: Pass$/gm) ?? []).length, 2, r.stdout);
});
