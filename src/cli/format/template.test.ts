// Expected strings were checked against docker 20.10: `docker image inspect --format F tpl:test`
// on an image imported with -c 'CMD ["sh","-c","echo"]' -c 'LABEL a=b' (inspect uses
// missingkey=error), and `docker images --format F` for row formats, unless a comment says otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWharfError } from '../../core/errors.js';
import { NIL_MAP, NIL_SLICE, TemplateError, compileTemplate } from './template.js';

const image = {
  Os: 'linux',
  Size: 1982256,
  RepoDigests: [],
  Config: { Env: NIL_SLICE, Cmd: ['sh', '-c', 'echo'], Volumes: NIL_MAP, Entrypoint: NIL_SLICE, Labels: { a: 'b' } },
  RootFS: { Type: 'layers', Layers: ['sha256:172ebda48219b498c00d0b498cf3ab3dc1011d0d672736143ce3b8b9c1923601'] },
};
const inspect = (f: string) => compileTemplate(f, undefined, { missingKey: 'error' }).execute(image);
const failure = (f: string, data: unknown = image) => {
  try {
    compileTemplate(f, undefined, { missingKey: 'error' }).execute(data);
  } catch (e) {
    assert.ok(isWharfError(e, 'INVALID_ARGUMENT'));
    return (e as Error).message;
  }
  assert.fail(`no error for ${f}`);
};

test('field paths and Go printing', () => {
  assert.equal(inspect('{{.Config.Cmd}}'), '[sh -c echo]');
  assert.equal(inspect('{{.Config.Labels}}|{{.Config.Entrypoint}}|{{.RepoDigests}}|{{.Config.Volumes}}|{{.Size}}'), 'map[a:b]|[]|[]|map[]|1982256');
  assert.equal(inspect('{{json .RootFS}}'), '{"Type":"layers","Layers":["sha256:172ebda48219b498c00d0b498cf3ab3dc1011d0d672736143ce3b8b9c1923601"]}');
  assert.equal(inspect('{{.Config.Labels.a}} {{.Config.Env}} {{range .Config.Env}}x{{else}}empty{{end}}'), 'b [] empty');
  assert.equal(inspect('{{json .Config.Env}} {{len .Config.Env}}'), 'null 0');
  assert.equal(inspect('{{index .Config.Labels "zz"}}|{{index .Config "Foo"}}'), '<no value>|<no value>');
});

test('missing keys: <no value> by default (Go), an error in inspect mode (docker inspect)', () => {
  // Go's default missingkey (text/template documentation): a missing map key prints <no value>.
  assert.equal(compileTemplate('{{.Config.Foo}}|{{.Foo.Bar}}').execute(image), '<no value>|<no value>');
  assert.equal(failure('{{.Config.Foo}}'), 'template parsing error: template: :1:9: executing "" at <.Config.Foo>: map has no entry for key "Foo"');
  assert.equal(failure('{{.Foo.Bar}}'), 'template parsing error: template: :1:6: executing "" at <.Foo.Bar>: map has no entry for key "Foo"');
  assert.equal(failure('a{{.Config.Foo}}b'), 'template parsing error: template: :1:10: executing "" at <.Config.Foo>: map has no entry for key "Foo"');
  assert.equal(failure('{{.Size.Foo}}'), 'template parsing error: template: :1:7: executing "" at <.Size.Foo>: can\'t evaluate field Foo in type interface {}');
  assert.equal(failure('x\n {{.Config.Cmd.Foo}}'), 'template parsing error: template: :2:10: executing "" at <.Config.Cmd.Foo>: can\'t evaluate field Foo in type interface {}');
});

test('control structures, variables, pipelines', () => {
  assert.equal(inspect('{{range $i, $e := .Config.Cmd}}{{$i}}={{$e}},{{end}}'), '0=sh,1=-c,2=echo,');
  assert.equal(inspect('{{with .Config.Labels}}{{.a}}{{end}}'), 'b');
  assert.equal(inspect('{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}|{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}}|{{if eq .Os "linux" "x"}}yes{{else if .Os}}no{{end}}'), '2|a=b|yes');
  assert.equal(inspect('{{range .RootFS.Layers}}{{.}}{{end}}|{{range $i, $l := .RootFS.Layers}}{{$i}}{{break}}{{end}}'), 'sha256:172ebda48219b498c00d0b498cf3ab3dc1011d0d672736143ce3b8b9c1923601|0');
  assert.equal(inspect('{{.Config.Cmd | json}}|{{.Config.Cmd | len | printf "%03d"}}|{{(index .Config.Cmd 0)}}|{{ .RootFS.Type | upper }}'), '["sh","-c","echo"]|003|sh|LAYERS');
  assert.equal(inspect('{{and 1 0 2}}|{{or 0 "" "z"}}|{{not 0}}|{{len "héllo"}}|{{index "abc" 1}}|{{slice "abcdef" 1 3}}|{{print nil}}'), '0|z|true|6|98|bc|<nil>');
  assert.equal(inspect('{{- "a" -}}  {{/* c */}} {{- "b"}}'), 'ab');
  // Go: maps range in sorted key order (text/template documentation).
  assert.equal(compileTemplate('{{range $k, $v := .}}{{$k}}{{$v}} {{end}}').execute({ b: 2, a: 1 }), 'a1 b2 ');
});

test('docker functions', () => {
  assert.equal(
    inspect(`{{title "hello wORLD foo-bar o'neil"}}|{{split "a:b:c" ":"}}|{{join (split "a:b" ":") "-"}}|{{pad "x" 2 3}}|{{pad "" 2 3}}|{{truncate "abcdef" 3}}|{{truncate "ab" 3}}|{{lower "AbC"}}`),
    "Hello WORLD Foo-Bar O'Neil|[a b c]|a-b|  x   ||abc|ab|abc",
  );
  assert.equal(inspect('{{json "<a&b>"}}|{{json .Config.Labels}}|{{json 1.5}}|{{json (split "a:b" ":")}}'), '"<a&b>"|{"a":"b"}|1.5|["a","b"]');
  assert.equal(compileTemplate('{{shout .}}', { shout: (s: string) => s + '!' }).execute('hi'), 'hi!');
});

test('parse errors in Go wording', () => {
  assert.equal(failure('{{.ID'), 'template parsing error: template: :1: unclosed action');
  assert.equal(failure('{{foo .ID}}'), 'template parsing error: template: :1: function "foo" not defined');
  assert.equal(failure('{{if}}'), 'template parsing error: template: :1: missing value for if');
  assert.equal(failure('{{end}}'), 'template parsing error: template: :1: unexpected {{end}}');
  assert.equal(failure('{{ /* x */ }}'), 'template parsing error: template: :1: unexpected "/" in command');
});

test('execution errors in Go wording', () => {
  const e = (f: string) => failure(f).replace('template parsing error: template: ', '');
  assert.equal(e('{{upper 3}}'), ':1:8: executing "" at <3>: expected string; found 3');
  assert.equal(e('{{upper "a" "b"}}'), ':1:2: executing "" at <upper>: wrong number of args for upper: want 1 got 2');
  assert.equal(e('{{.Config.Cmd 3}}'), ':1:9: executing "" at <.Config.Cmd>: Cmd is not a method but has arguments');
  assert.equal(e('{{3 4}}'), ':1:2: executing "" at <3>: can\'t give argument to non-function 3');
  assert.equal(e('{{nil}}'), ':1:2: executing "" at <nil>: nil is not a command');
  assert.equal(e('{{eq "a" 1}}'), ':1:2: executing "" at <eq "a" 1>: error calling eq: incompatible types for comparison');
  assert.equal(e('{{lt true false}}'), ':1:2: executing "" at <lt true false>: error calling lt: invalid type for comparison');
  assert.equal(e('{{index .Config.Cmd 77777777777777}}'), ':1:2: executing "" at <index .Config.Cmd 77777777777777>: error calling index: index out of range: 77777777777777');
  // docker images --format '{{range .ID}}{{end}}'
  assert.equal(failure('{{range .ID}}{{end}}', { ID: 'd1087662651b' }), 'template parsing error: template: :1:8: executing "" at <.ID>: range can\'t iterate over d1087662651b');
  assert.throws(() => compileTemplate('ab{{.X.Y}}').execute({ X: null }), (err: unknown) => {
    assert.ok(err instanceof TemplateError);
    assert.equal(err.partial, 'ab'); // Go keeps the output written before the failing action
    assert.match(err.message, /at <\.X\.Y>: nil pointer evaluating interface \{\}\.Y$/);
    return true;
  });
});

test('compile once, execute 1,000 rows with the same result as fresh compiles', () => {
  const t = compileTemplate('{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}');
  const rows = Array.from({ length: 1000 }, (_, i) => ({ Repository: `r${i}`, Tag: 'latest', ID: 'd1087662651b', CreatedSince: '2 days ago', Size: '1.98MB' }));
  for (const r of rows) assert.equal(t.execute(r), `${r.Repository}\tlatest\td1087662651b\t2 days ago\t1.98MB`);
});
