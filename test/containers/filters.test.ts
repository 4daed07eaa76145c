/**
 * `ps --filter` with docker's keys beyond the basics: publish/expose (ports and ranges),
 * volume (name, destination, bind source), network, before/since, is-task, and docker's
 * errors for bad values. Expected results were taken from dockerd 20.10 with the same containers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Fixture, freePort } from './helpers/fixture.js';

describe('containers: ps filters', () => {
  const fx = new Fixture();
  let port = 0;
  before(async () => {
    const img = fx.busybox();
    port = await freePort();
    fx.ok(['run', '-d', '--name', 'f1', '-p', `127.0.0.1:${port}:80`, '--expose', '90', '-v', 'fv:/data', img, 'sleep', '300']);
    fx.ok(['run', '-d', '--name', 'f2', '--network', 'none', img, 'sleep', '300']);
    fx.ok(['create', '--name', 'f3', '-v', `${fx.dir}:/hostdir`, img, 'true']);
  });
  after(() => fx.cleanup());

  const names = (filter: string) => fx.ok(['ps', '-a', '--filter', filter, '--format', '{{.Names}}']).trim().split('\n').filter(Boolean).sort().join(' ');

  test('ports, volumes, networks, creation order and is-task select what docker selects', () => {
    const cases: [string, string][] = [
      [`publish=${port}`, 'f1'],
      ['publish=80', ''],
      [`publish=${port}/udp`, ''],
      [`publish=${port - 1}-${port + 1}`, 'f1'],
      ['expose=80', 'f1'],
      ['expose=90/tcp', 'f1'],
      ['expose=80-95', 'f1'],
      [`expose=${port}`, ''],
      ['volume=fv', 'f1'],
      ['volume=/data', 'f1'],
      ['volume=/hostdir', 'f3'],
      [`volume=${fx.dir}`, 'f3'],
      ['volume=nosuch', ''],
      ['network=bridge', 'f1 f3'],
      ['network=none', 'f2'],
      ['network=host', ''],
      ['network=default', ''],
      ['before=f2', 'f1'],
      ['since=f1', 'f2 f3'],
      ['is-task=true', ''],
      ['is-task=false', 'f1 f2 f3'],
    ];
    for (const [filter, expected] of cases) assert.equal(names(filter), expected, filter);
  });

  test("bad filters fail with docker's messages", () => {
    const cases: [string, string][] = [
      ['before=nosuch', 'no such container nosuch'],
      ['publish=abc', 'error while looking up for publish abc: strconv.ParseUint: parsing "abc": invalid syntax'],
      ['expose=70000', 'error while looking up for expose 70000: strconv.ParseUint: parsing "70000": value out of range'],
      ['foo=bar', "Invalid filter 'foo'"],
    ];
    for (const [filter, message] of cases) {
      const r = fx.wharf(['ps', '-a', '--filter', filter]);
      assert.deepEqual([r.code, r.stderr], [1, `Error response from daemon: ${message}\n`], filter);
    }
  });

  test("{{json .}} rows as docker marshals them (sorted keys, <>& escaped, sizes computed); {{.Label}} as a method", () => {
    const row = fx.ok(['ps', '--filter', 'name=f1', '--format', '{{json .}}']).trim();
    assert.match(row, /^\{"Command":"\\"sleep 300\\"","CreatedAt":"[^"]+","ID":"[0-9a-f]{12}","Image":"[^"]+","Labels":"","LocalVolumes":"1","Mounts":"fv","Names":"f1","Networks":"bridge","Platform":null,"Ports":"90\/tcp, 127\.0\.0\.1:\d+-\\u003e80\/tcp","RunningFor":"[^"]+","Size":"0B \(virtual [\d.]+MB\)","State":"running","Status":"Up [^"]+"\}$/);
    assert.equal(fx.ok(['ps', '-a', '--filter', 'name=f3', '--format', '{{.Label "nope"}}|{{.Names}}']), '|f3\n');
    const vol = JSON.parse(fx.ok(['volume', 'ls', '--format', '{{json .}}']).trim().split('\n').find((l) => l.includes('"fv"'))!);
    assert.deepEqual(Object.keys(vol), ['Availability', 'Driver', 'Group', 'Labels', 'Links', 'Mountpoint', 'Name', 'Scope', 'Size', 'Status']);
  });
});

