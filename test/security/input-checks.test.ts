/**
 * Values a user types that used to pass unchecked (issue 11), refused as docker 20.10 refuses
 * them (messages checked on the reference dockerd): `--memory` beyond int64, `--pids-limit`
 * that is not a number, `--format` naming a field a list row lacks or ranging over a row.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxFixture } from '../containers/helpers/fixture.js';

describe('security: flag values are checked before they reach the runtime', () => {
  const fx = busyboxFixture();

  test('--memory overflow and --pids-limit abc', () => {
    let r = fx.wharf(['create', '-m', '99999999999999999999', fx.img]);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /Minimum memory limit allowed is 6MB\n/);
    r = fx.wharf(['create', '-m', '9999999999999g', fx.img]);
    assert.match(r.stderr, /Minimum memory limit allowed is 6MB\n/);
    r = fx.wharf(['create', '--pids-limit', 'abc', fx.img]);
    assert.equal(r.code, 125);
    assert.match(r.stderr, /^invalid argument "abc" for "--pids-limit" flag: strconv.ParseInt: parsing "abc": invalid syntax\nSee 'wharf (run|create) --help'\.\n$/);
    assert.equal(fx.ok(['ps', '-aq']), '', 'nothing was created');
  });

  test('--format: unknown field and range over a row fail', () => {
    fx.ok(['create', '--name', 'fmt1', fx.img]);
    try {
      let r = fx.wharf(['images', '--format', '{{.Nope}}']);
      assert.deepEqual([r.code, r.stdout], [1, '']);
      assert.equal(r.stderr, 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.imageContext\n');
      r = fx.wharf(['ps', '-a', '--format', '{{.Nope}}']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /can't evaluate field Nope in type \*formatter.ContainerContext\n$/);
      r = fx.wharf(['images', '--format', '{{range .}}x{{end}}']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^template parsing error: template: :1:8: executing "" at <\.>: range can't iterate over /);
      // what rows have still works, maps inside rows are still maps
      assert.match(fx.ok(['ps', '-a', '--format', '{{.Names}} {{.Labels}}']), /^fmt1 \n$/);
    } finally {
      fx.ok(['rm', 'fmt1']);
    }
  });
});
