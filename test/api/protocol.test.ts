/**
 * Per-endpoint protocol checks: the reference conversation (reference.ts) against
 * `wharf serve`, step by step against dockerd 20.10's recorded answers
 * (fixtures/dockerd.json): status codes, the headers clients read, error messages, and the
 * keys of every JSON object (wharf may add keys, never lack Docker's).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { converse, type Step } from './reference.js';
import { serve, type Served } from './helpers.js';

const reference = JSON.parse(readFileSync(new URL('./fixtures/dockerd.json', import.meta.url), 'utf8')) as Step[];
let s: Served;
let steps: Step[];

before(async () => {
  s = await serve();
  steps = await converse(s.sock, s.image);
});
after(async () => s?.stop());

/** Where wharf answers as later dockerd versions do, on purpose: step name -> the status it gives. */
const DELIBERATE: Record<string, number> = {
  // dockerd 20.10 answers a malformed body with 500; later versions (and wharf) with 400.
  'bad JSON body': 400,
};

for (const [i, ref] of reference.entries()) {
  test(`${ref.name}: as dockerd answers`, () => {
    const got = steps[i]!;
    assert.equal(got.name, ref.name);
    assert.equal(got.status, DELIBERATE[ref.name] ?? ref.status, `status of ${ref.name}: ${JSON.stringify(got)}`);
    for (const [k, v] of Object.entries(ref.headers)) assert.equal(got.headers[k], v, `header ${k} of ${ref.name}`);
    if (ref.body !== undefined) assert.equal(got.body, ref.body);
    if (ref.keys) {
      const missing = ref.keys.filter((k) => !got.keys?.includes(k));
      assert.deepEqual(missing, [], `${ref.name} lacks dockerd's keys`);
    }
  });
}
