/**
 * Access control shared by basic and token auth: scopes as Docker writes them
 * (`repository:team/app:pull,push`, `registry:catalog:*`) and rules that grant actions per
 * account and repository pattern. `${account}` in a pattern names the caller's own namespace.
 */
export interface ResourceAccess {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

export interface AccessRule {
  /** `*` for any authenticated account, `anonymous` for callers without credentials. */
  account: string;
  type?: 'repository' | 'registry';
  /** Glob on the resource name: `*` matches any run of characters. */
  name: string;
  actions: string[];
}

/** Without configured rules every authenticated account may do everything. */
export const DEFAULT_RULES: AccessRule[] = [
  { account: '*', type: 'repository', name: '*', actions: ['*'] },
  { account: '*', type: 'registry', name: '*', actions: ['*'] },
];

export function parseScopes(scopes: string[]): ResourceAccess[] {
  const out: ResourceAccess[] = [];
  for (const scope of scopes) {
    for (const part of scope.split(' ')) {
      const first = part.indexOf(':');
      const last = part.lastIndexOf(':');
      if (first < 0 || last === first) continue;
      const type = part.slice(0, first);
      if (type !== 'repository' && type !== 'registry') continue;
      const name = part.slice(first + 1, last);
      const actions = part.slice(last + 1).split(',').filter(Boolean);
      out.push({ type, name, actions });
    }
  }
  return out;
}

export function formatScope(access: ResourceAccess): string {
  return `${access.type}:${access.name}:${access.actions.join(',')}`;
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(value);
}

/** Actions `account` (undefined = anonymous) holds on a resource. */
export function grantedActions(rules: AccessRule[], account: string | undefined, type: string, name: string): Set<string> {
  const out = new Set<string>();
  for (const rule of rules) {
    const who = rule.account === 'anonymous' || (account !== undefined && (rule.account === '*' || rule.account === account));
    if (!who || (rule.type ?? 'repository') !== type) continue;
    const pattern = account ? rule.name.replaceAll('${account}', account) : rule.name;
    if (rule.name.includes('${account}') && !account) continue;
    if (!globMatch(pattern, name)) continue;
    for (const a of rule.actions) {
      if (a === '*') ['pull', 'push', 'delete', '*'].forEach((x) => out.add(x));
      else out.add(a);
    }
  }
  return out;
}

/** The subset of `requested` that the rules grant (what a token will carry). */
export function grantAccess(rules: AccessRule[], account: string | undefined, requested: ResourceAccess[]): ResourceAccess[] {
  return requested.map((r) => {
    const held = grantedActions(rules, account, r.type, r.name);
    return { ...r, actions: r.actions.filter((a) => held.has(a)) };
  });
}

/** True when `held` covers every action of every needed resource. */
export function covers(held: ResourceAccess[], needed: ResourceAccess[]): boolean {
  return needed.every((n) =>
    n.actions.every((a) => held.some((h) => h.type === n.type && h.name === n.name && (h.actions.includes(a) || h.actions.includes('*')))),
  );
}
