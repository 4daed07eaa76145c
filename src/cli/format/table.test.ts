// Expected outputs are literal `docker images` output from docker 20.10 (client and server),
// recorded on this machine with the rows shown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFormat, renderRows, tabwrite } from './template.js';

const headers = { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', Digest: 'DIGEST' };
const rows = [
  { Repository: 'tpl', Tag: 'a-much-longer-tag-name', ID: 'd1087662651b', CreatedSince: '7 minutes ago', Size: '1.98MB' },
  { Repository: 'tpl', Tag: 'test', ID: 'd1087662651b', CreatedSince: '7 minutes ago', Size: '1.98MB' },
];

test('tabwrite gives docker images default output byte for byte', () => {
  const data = [
    ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
    ['wharf-archive-test', 'bb', '562a5de09ff2', '11 seconds ago', '1.98MB'],
    ['127.0.0.1:5099/rs/busybox', '1', 'b30cacc368cf', '24 seconds ago', '1.98MB'],
    ['ctrprobe', 'bb', 'e4c452f36729', '5 minutes ago', '1.98MB'],
    ['tpl', 'a-much-longer-tag-name', 'd1087662651b', '7 minutes ago', '1.98MB'],
    ['localhost:5000/some/long/repository-name', 'v1', 'd1087662651b', '7 minutes ago', '1.98MB'],
  ];
  assert.equal(
    tabwrite(data),
    'REPOSITORY                                 TAG                      IMAGE ID       CREATED          SIZE\n' +
      'wharf-archive-test                         bb                       562a5de09ff2   11 seconds ago   1.98MB\n' +
      '127.0.0.1:5099/rs/busybox                  1                        b30cacc368cf   24 seconds ago   1.98MB\n' +
      'ctrprobe                                   bb                       e4c452f36729   5 minutes ago    1.98MB\n' +
      'tpl                                        a-much-longer-tag-name   d1087662651b   7 minutes ago    1.98MB\n' +
      'localhost:5000/some/long/repository-name   v1                       d1087662651b   7 minutes ago    1.98MB\n',
  );
  // The default table format renders the same bytes.
  const fmt = 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}';
  assert.equal(
    renderRows(fmt, rows, headers),
    'REPOSITORY   TAG                      IMAGE ID       CREATED         SIZE\n' +
      'tpl          a-much-longer-tag-name   d1087662651b   7 minutes ago   1.98MB\n' +
      'tpl          test                     d1087662651b   7 minutes ago   1.98MB\n',
  );
  assert.equal(renderRows('table', rows.slice(1), headers, { defaultTableFormat: fmt }),
    'REPOSITORY   TAG       IMAGE ID       CREATED         SIZE\ntpl          test      d1087662651b   7 minutes ago   1.98MB\n');
});

test('table headers come from the placeholders, through docker header functions', () => {
  assert.equal(renderRows('table {{.ID}}\\t{{.Tag}}', rows.slice(1), headers), 'IMAGE ID       TAG\nd1087662651b   test\n');
  assert.equal(renderRows('table {{.Repository}}:{{.Tag}}\\t{{.ID}}', rows, headers),
    'REPOSITORY:TAG               IMAGE ID\ntpl:a-much-longer-tag-name   d1087662651b\ntpl:test                     d1087662651b\n');
  assert.equal(renderRows('table {{lower .Repository}}\\t{{pad .Tag 1 1}}|', rows, headers),
    'REPOSITORY    TAG |\ntpl           a-much-longer-tag-name |\ntpl           test |\n');
});

test('raw formats: no header, \\t and \\n typed by the user become tab and newline, no alignment', () => {
  assert.equal(renderRows('{{.ID}}\\t{{.Tag}}\\n', rows.slice(1), headers), 'd1087662651b\ttest\n\n');
  assert.equal(renderRows('{{.Repository}}\\t{{.Tag}}', rows, headers), 'tpl\ta-much-longer-tag-name\ntpl\ttest\n');
  // Leading spaces: not a table; the trimmed text prints "table" literally.
  assert.equal(renderRows('  table {{.ID}}\\t{{printf "%s-x" .Tag}}  ', rows.slice(1), headers), 'table d1087662651b\ttest-x\n');
  assert.deepEqual(parseFormat('table {{.ID}}'), { table: true, template: '{{.ID}}' });
});

test('{{json .}} of a row: sorted keys, HTML escaped (docker images --format "{{json .}}")', () => {
  const row = { Repository: 'tpl', Digest: '<none>', ID: 'd1087662651b' };
  assert.equal(renderRows('{{json .}}', [row], headers), '{"Digest":"\\u003cnone\\u003e","ID":"d1087662651b","Repository":"tpl"}\n');
});

test('1,000 rows render, one line each after the header', () => {
  const many = Array.from({ length: 1000 }, (_, i) => ({ ...rows[0]!, Repository: `repo${i}` }));
  const fmt = 'table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.CreatedSince}}\\t{{.Size}}';
  const out = renderRows(fmt, many, headers);
  const lines = out.split('\n');
  assert.equal(lines.length, 1002);
  assert.match(lines[1000]!, /^repo999\s/);
});
