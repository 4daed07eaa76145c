// Expected strings were checked against docker 20.10 (`docker image inspect -f F` on an image
// imported without ports or health check, `docker inspect -f F` on a container created from it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTemplate } from './format/template.js';
import { withTypedNils } from './output.js';

const image = { Id: 'sha256:1', Config: { Cmd: ['sh'], Env: null, Labels: null }, ContainerConfig: { Cmd: null } };
const container = { Id: '1', State: { Status: 'created' }, Config: { Cmd: ['true'], Env: null } };

function render(format: string, data: unknown): string {
  try {
    return compileTemplate(format, undefined, { missingKey: 'error' }).execute(withTypedNils(data));
  } catch (err) {
    return `error: ${(err as Error).message.replace(/^.*: /, '')}`;
  }
}

test("the config structs' omitempty fields read as docker's typed zero values", () => {
  const cases: [string, string, string][] = [
    // format, image, container
    ['{{.Config.ExposedPorts}}', 'map[]', 'map[]'],
    ['{{json .Config.ExposedPorts}}', 'null', 'null'],
    ['{{len .Config.ExposedPorts}}', '0', '0'],
    ['{{.Config.Healthcheck}}', '<nil>', '<nil>'],
    ['{{if .Config.Healthcheck}}y{{else}}n{{end}}', 'n', 'n'],
    ['{{.Config.Healthcheck.Test}}', 'error: map has no entry for key "Healthcheck"', 'error: map has no entry for key "Healthcheck"'],
    ['{{.Config.Shell}}', '[]', '[]'],
    ['{{.Config.Env}}', '[]', '[]'],
    ['{{.Config.StopSignal}}|', '|', '|'],
    ['{{.Config.StopTimeout}}', 'error: map has no entry for key "StopTimeout"', '<nil>'],
    ['{{.Config.MacAddress}}|', 'error: map has no entry for key "MacAddress"', '|'],
    ['{{.ContainerConfig.ExposedPorts}}', 'map[]', 'error: map has no entry for key "ContainerConfig"'],
    ['{{.Config.Foo}}', 'error: map has no entry for key "Foo"', 'error: map has no entry for key "Foo"'],
    ['{{.SizeRw}}', 'error: map has no entry for key "SizeRw"', '<nil>'],
  ];
  for (const [format, forImage, forContainer] of cases) {
    assert.equal(render(format, image), forImage, `image ${format}`);
    assert.equal(render(format, container), forContainer, `container ${format}`);
  }
});

test('the zero values stay out of JSON, as omitempty leaves them out', () => {
  assert.equal(render('{{json .Config}}', image), '{"Cmd":["sh"],"Env":null,"Labels":null}');
  assert.equal(JSON.stringify(withTypedNils(container)), JSON.stringify(container));
  assert.equal(render('{{range $k, $v := .Config}}{{$k}} {{end}}', image), 'Cmd Env Labels ');
});
