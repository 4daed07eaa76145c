// Expected strings were checked against docker 20.10 (`docker image inspect --format ...` on an
// imported busybox image with CMD ["sh","-c","echo"] and LABEL a=b) unless a comment says otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NIL_MAP, NIL_SLICE, formatG, goPrint, isTrue } from './goprint.js';

test('scalars print raw; missing and nil print <no value> as a whole action', () => {
  assert.equal(goPrint('sh'), 'sh');
  assert.equal(goPrint(true), 'true');
  assert.equal(goPrint(1982256), '1982256'); // {{.Size}}
  assert.equal(goPrint(undefined), '<no value>'); // {{index .Config.Labels "zz"}}
  assert.equal(goPrint(null), '<no value>');
});

test('collections print as Go fmt %v prints them', () => {
  assert.equal(goPrint(['sh', '-c', 'echo']), '[sh -c echo]'); // {{.Config.Cmd}}
  assert.equal(goPrint({ a: 'b' }), 'map[a:b]'); // {{.Config.Labels}}
  assert.equal(goPrint(NIL_SLICE), '[]'); // {{.Config.Entrypoint}} (null in JSON)
  assert.equal(goPrint([]), '[]'); // {{.RepoDigests}}
  assert.equal(goPrint(NIL_MAP), 'map[]'); // {{.Config.Volumes}} (null in JSON)
  // Go fmt: sorted keys, nested, nil elements as <nil> (Go fmt documentation).
  assert.equal(goPrint({ z: 1, a: [null, { c: 'd' }] }), 'map[a:[<nil> map[c:d]] z:1]');
});

test('typed nils serialise as JSON null and are false/empty', () => {
  assert.equal(JSON.stringify({ Entrypoint: NIL_SLICE, Volumes: NIL_MAP }), '{"Entrypoint":null,"Volumes":null}');
  assert.equal(isTrue(NIL_SLICE), false);
  assert.equal(isTrue({}), false);
  assert.equal(isTrue({ a: 1 }), true);
  assert.equal(isTrue(0), false);
});

test('floats print as Go float64 %v (shortest %g)', () => {
  // docker 20.10: {{printf "%v" 1e6}} -> 1e+06, {{0.000001}} -> 1e-06,
  // {{printf "%v %v" 1.5e300 123456789.5}} -> 1.5e+300 1.234567895e+08, {{printf "%v" 1.5}} -> 1.5
  assert.equal(formatG(1e6, -1), '1e+06');
  assert.equal(formatG(0.000001, -1), '1e-06');
  assert.equal(formatG(1.5e300, -1), '1.5e+300');
  assert.equal(formatG(123456789.5, -1), '1.234567895e+08');
  assert.equal(goPrint(1.5), '1.5');
  assert.equal(goPrint(0.25), '0.25');
});
