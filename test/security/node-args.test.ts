/**
 * Nothing a user passes for a container reaches node itself (issue 11): Node 20 reads
 * `--env-file` even after the script name, so bin/wharf ends node's option parsing with
 * `node -- SCRIPT`. An env file or flags naming NODE_OPTIONS / --require / --import /
 * --env-file / NODE_PATH must reach the container only; a preload script that would leave a
 * marker on the host proves whether node ran it.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxFixture } from '../containers/helpers/fixture.js';

describe('security: container flags never reach node', () => {
  const fx = busyboxFixture();

  test('env files, -e, --require/--import/--env-file as args: the preload never runs', () => {
    const marker = join(fx.dir, 'node-ran-it');
    const evil = join(fx.dir, 'evil.cjs');
    writeFileSync(evil, `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
    const envFile = join(fx.dir, 'env');
    writeFileSync(envFile, `NODE_OPTIONS=--require ${evil}\nNODE_PATH=${fx.dir}\n`);
    const nodeEnvFile = join(fx.dir, 'node.env');
    writeFileSync(nodeEnvFile, `NODE_OPTIONS=--require ${evil}\n`);
    const runs: string[][] = [
      ['run', '--rm', '--network', 'none', '--env-file', envFile, fx.img, 'sh', '-c', 'echo "$NODE_OPTIONS"'],
      ['run', '--rm', '--network', 'none', `--env-file=${nodeEnvFile}`, fx.img, 'true'],
      ['run', '--rm', '--network', 'none', '-e', `NODE_OPTIONS=--require ${evil}`, fx.img, 'true'],
      ['run', '--rm', '--network', 'none', fx.img, 'echo', '--require', evil, '--import', evil, `--env-file=${nodeEnvFile}`],
      ['version', `--env-file=${nodeEnvFile}`],
      [`--env-file=${nodeEnvFile}`, 'version'],
    ];
    const outputs = runs.map((args) => {
      const r = fx.wharf(args);
      assert.equal(existsSync(marker), false, `node ran the preload for: wharf ${args.join(' ')}`);
      return r;
    });
    assert.equal(outputs[0]!.code, 0, outputs[0]!.stderr);
    assert.equal(outputs[0]!.stdout, `--require ${evil}\n`, 'the variable reached the container');
    assert.equal(outputs[3]!.stdout, `--require ${evil} --import ${evil} --env-file=${nodeEnvFile}\n`);
    rmSync(marker, { force: true });
    assert.match(readFileSync(new URL('../../bin/wharf', import.meta.url), 'utf8'), /exec node -- "\$0" "\$@"/);
  });
});
