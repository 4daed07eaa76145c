/**
 * `image inspect`, `inspect [--type image]` and `history`: the JSON shape and template
 * output docker 20.10 gives for an imported image, docker's missing-image errors, and
 * history's columns and flags. (Key order against a live dockerd: interop.test.ts.)
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { removeDir, tempDir, wharf, wharfOk } from '../helpers/wharf.js';
import { addChildImage, busybox, importBusybox, sha256File, tableCells } from '../helpers/images.js';

const DOCKER_KEYS = ['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created', 'Container', 'ContainerConfig', 'DockerVersion', 'Author', 'Config', 'Architecture', 'Os', 'Size', 'VirtualSize', 'GraphDriver', 'RootFS', 'Metadata'];
const CONFIG_KEYS = ['Hostname', 'Domainname', 'User', 'AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce', 'Env', 'Cmd', 'Image', 'Volumes', 'WorkingDir', 'Entrypoint', 'OnBuild', 'Labels'];

describe('inspect', () => {
  let root: string;
  let id: string;
  before(async () => {
    root = tempDir();
    id = await importBusybox(root, 'ins/bb', ['-c', 'CMD ["sh"]', '-c', 'LABEL a=b']);
    await importBusybox(root, 'ins/plain');
  });
  after(() => removeDir(root));

  test('image inspect: docker key order, Config keys, values of an imported image', () => {
    const out = wharfOk(root, ['image', 'inspect', 'ins/plain']);
    assert.ok(out.startsWith('[\n    {\n        "Id": "sha256:'), 'indented like docker (4 spaces)');
    const [img] = JSON.parse(out) as Record<string, any>[];
    assert.deepEqual(Object.keys(img!), DOCKER_KEYS);
    assert.deepEqual(Object.keys(img!.Config), CONFIG_KEYS);
    assert.deepEqual(Object.keys(img!.ContainerConfig), CONFIG_KEYS);
    assert.equal(img!.Config.Cmd, null);
    assert.deepEqual(img!.RepoTags, ['ins/plain:latest']);
    assert.deepEqual(img!.RepoDigests, []);
    assert.equal(img!.Parent, '');
    assert.equal(img!.Size, 1984241);
    assert.equal(img!.GraphDriver.Name, 'overlay2');
    assert.deepEqual(Object.keys(img!.Metadata), ['LastTagTime']);
  });

  test('--format: json of RootFS.Layers, Go printing of Cmd and Labels, typed nils', async () => {
    assert.equal(wharfOk(root, ['inspect', '--format', '{{json .RootFS.Layers}}', 'ins/bb']), `["${sha256File(await busybox())}"]\n`);
    assert.equal(wharfOk(root, ['inspect', '--format', '{{.Config.Cmd}}', 'ins/bb']), '[sh]\n');
    assert.equal(wharfOk(root, ['image', 'inspect', '--format', '{{.Config.Labels}}', 'ins/bb']), 'map[a:b]\n');
    // docker: a nil Cmd prints [] and nil Labels map[]
    assert.equal(wharfOk(root, ['inspect', '--format', '{{.Config.Cmd}} {{.Config.Labels}} {{json .Config.Cmd}}', 'ins/plain']), '[] map[] null\n');
    assert.equal(wharfOk(root, ['inspect', '--type', 'image', '--format', '{{.Id}}', 'ins/bb']), `${id}\n`);
  });

  test('missing image: [] on stdout, docker wording per command, exit 1', () => {
    const cases: [string[], string][] = [
      [['image', 'inspect', 'x'], 'Error: No such image: x\n'],
      [['inspect', 'x'], 'Error: No such object: x\n'],
      [['inspect', '--type', 'image', 'x'], 'Error: No such image: x\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = wharf(root, args);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '[]\n');
      assert.equal(r.stderr, stderr);
    }
    const mixed = wharf(root, ['image', 'inspect', '--format', '{{.Id}}', 'ins/bb', 'x']);
    assert.equal(mixed.code, 1);
    assert.equal(mixed.stdout, `${id}\n`);
  });
});

describe('history', () => {
  let root: string;
  let id: string;
  let child: string;
  before(async () => {
    root = tempDir();
    id = await importBusybox(root, 'hist/bb');
    child = await addChildImage(root, 'hist/bb', { tag: 'hist/child' });
  });
  after(() => removeDir(root));

  test('default columns and one row per history entry, newest first, IDs from the parent chain', () => {
    const lines = wharfOk(root, ['history', 'hist/child']).trimEnd().split('\n');
    assert.deepEqual(tableCells(lines[0]!), ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT']);
    assert.match(lines[0]!, /^IMAGE {10}CREATED {3,}CREATED BY {3,}SIZE {6}COMMENT$/);
    assert.equal(lines.length, 3);
    const rows = wharfOk(root, ['history', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}', 'hist/child']);
    assert.equal(rows, `${child.slice(7, 19)}|/bin/sh -c #(nop)  LABEL child|0B|\n${id.slice(7, 19)}||1.98MB|Imported from -\n`);
  });

  test('--no-trunc, -q, -H=false, --format', () => {
    assert.equal(wharfOk(root, ['history', '-q', 'hist/bb']), `${id.slice(7, 19)}\n`);
    assert.match(wharfOk(root, ['history', '--no-trunc', 'hist/bb']).split('\n')[1]!, new RegExp(`^${id} `));
    const raw = wharfOk(root, ['history', '-H=false', 'hist/bb']).trimEnd().split('\n');
    assert.deepEqual(tableCells(raw[0]!), ['IMAGE', 'CREATED AT', 'CREATED BY', 'SIZE', 'COMMENT']);
    assert.match(raw[1]!, /^[0-9a-f]{12} {3}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {16,}1984241 {3}Imported from -$/);
    assert.equal(wharfOk(root, ['image', 'history', '--format', '{{.ID}}|{{.Size}}|{{.Comment}}', 'hist/bb']), `${id.slice(7, 19)}|1.98MB|Imported from -\n`);
    assert.match(wharfOk(root, ['history', '--format', '{{.CreatedAt}}', 'hist/bb']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  });

  test('a long CREATED BY is cut to 45 runes with an ellipsis unless --no-trunc', () => {
    const by = wharfOk(root, ['history', '--format', '{{.CreatedBy}}', 'hist/child']).split('\n')[0]!;
    assert.equal(by, '/bin/sh -c #(nop)  LABEL child');
    const r = wharf(root, ['history', 'no/such']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error response from daemon: No such image: no/such:latest\n');
  });
});
