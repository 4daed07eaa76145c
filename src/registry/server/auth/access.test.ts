import { test } from 'node:test';
import assert from 'node:assert/strict';
import { covers, grantAccess, grantedActions, parseScopes, type AccessRule } from './access.js';

const rules: AccessRule[] = [
  { account: 'anonymous', name: 'public/*', actions: ['pull'] },
  { account: '*', name: '${account}/*', actions: ['*'] },
  { account: 'ci', name: 'team/*', actions: ['pull', 'push'] },
  { account: 'ci', type: 'registry', name: 'catalog', actions: ['*'] },
];

test('scopes parse as Docker writes them', () => {
  assert.deepEqual(parseScopes(['repository:a/b:pull,push', 'registry:catalog:* repository:host:5000/x:pull']), [
    { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
    { type: 'repository', name: 'host:5000/x', actions: ['pull'] },
  ]);
});

test('rules grant per account and pattern, with the caller namespace', () => {
  assert.deepEqual([...grantedActions(rules, undefined, 'repository', 'public/x')], ['pull']);
  assert.equal(grantedActions(rules, undefined, 'repository', 'team/x').size, 0);
  assert.ok(grantedActions(rules, 'dana', 'repository', 'dana/app').has('delete'));
  assert.ok(!grantedActions(rules, 'dana', 'repository', 'erin/app').has('pull'));
  const granted = grantAccess(rules, 'ci', parseScopes(['repository:team/x:pull,push,delete']));
  assert.deepEqual(granted[0]!.actions, ['pull', 'push']);
  assert.ok(covers(granted, [{ type: 'repository', name: 'team/x', actions: ['push'] }]));
  assert.ok(!covers(granted, [{ type: 'repository', name: 'team/x', actions: ['delete'] }]));
});
