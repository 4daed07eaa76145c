import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics, routeLabel } from './metrics.js';

test('route labels name the captures', () => {
  assert.equal(routeLabel(/^\/v2\/(.+)\/manifests\/([^/]+)$/, ['name', 'reference']), '/v2/{name}/manifests/{reference}');
  assert.equal(routeLabel(new RegExp('^/v2/(.+)/blobs/uploads/?$'), ['name']), '/v2/{name}/blobs/uploads/');
  assert.equal(routeLabel(/^\/(?:healthz|debug\/health)$/, []), '/healthz|debug/health');
});

test('the exposition format: HELP, TYPE, escaped labels, histogram buckets', () => {
  const m = new Metrics();
  m.requests.add({ route: '/v2/', method: 'GET', status: '200' });
  m.requests.add({ route: '/v2/', method: 'GET', status: '200' });
  m.requests.add({ route: 'a"b\\c', method: 'GET', status: '404' });
  m.uploadSeconds.observe(0.3);
  const text = m.render();
  assert.match(text, /# TYPE wharf_registry_http_requests_total counter/);
  assert.match(text, /wharf_registry_http_requests_total\{route="\/v2\/",method="GET",status="200"\} 2/);
  assert.match(text, /route="a\\"b\\\\c"/);
  assert.match(text, /wharf_registry_upload_duration_seconds_bucket\{le="0.25"\} 0/);
  assert.match(text, /wharf_registry_upload_duration_seconds_bucket\{le="0.5"\} 1/);
  assert.match(text, /wharf_registry_upload_duration_seconds_count 1/);
});
