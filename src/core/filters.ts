/**
 * Docker's filters, one type for both front ends: the CLI's `--filter key=value` list and
 * the Engine API's `filters` JSON, in its current form (`{"label":{"a=b":true}}`) and the
 * legacy one (`{"label":["a=b"]}`). Keys are case-insensitive as in docker; each operation
 * names the keys it accepts (`Invalid filter 'x'` otherwise) and matches with the helpers
 * here: exact values, labels (`label=k`, `label=k=v`, `label!=`), `until` cut-offs.
 */
import { invalidArgument } from './errors.js';
import { parseTimeOrDuration } from './time.js';

export class Filters {
  private readonly map = new Map<string, string[]>();

  /** From `key=value` strings, as typed after `--filter`. */
  static fromArgs(specs: readonly string[] = []): Filters {
    const f = new Filters();
    for (const spec of specs) {
      const i = spec.indexOf('=');
      if (i <= 0) throw invalidArgument('bad format of filter (expected name=value)');
      f.add(spec.slice(0, i), spec.slice(i + 1));
    }
    return f;
  }

  /** From the API's JSON (either form); an empty or missing value is no filter. */
  static fromJSON(json: string | undefined): Filters {
    const f = new Filters();
    if (!json) return f;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (err) {
      throw invalidArgument(`invalid filter: ${(err as Error).message}`, { cause: err });
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('invalid filter: expected an object');
    for (const [key, values] of Object.entries(value as Record<string, unknown>)) {
      if (Array.isArray(values)) for (const v of values) f.add(key, String(v));
      else if (values && typeof values === 'object') {
        for (const [v, on] of Object.entries(values as Record<string, unknown>)) if (on) f.add(key, v);
      } else throw invalidArgument(`invalid filter: values of '${key}' must be a list or a map`);
    }
    return f;
  }

  add(key: string, value: string): this {
    const k = key.toLowerCase();
    this.map.set(k, [...(this.map.get(k) ?? []), value]);
    return this;
  }

  keys(): string[] {
    return [...this.map.keys()];
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  get(key: string): string[] {
    return this.map.get(key) ?? [];
  }

  /** The current JSON form, as the API sends it. */
  toJSON(): Record<string, Record<string, boolean>> {
    return Object.fromEntries([...this.map].map(([k, vs]) => [k, Object.fromEntries(vs.map((v) => [v, true]))]));
  }

  /** Refuse keys the operation does not know, with docker's message. */
  checkKeys(allowed: readonly string[]): void {
    for (const key of this.map.keys()) if (!allowed.includes(key)) throw invalidArgument(`Invalid filter '${key}'`);
  }

  /** No values for `key`, or `value` is one of them. */
  matchExact(key: string, value: string): boolean {
    const vs = this.get(key);
    return vs.length === 0 || vs.includes(value);
  }

  /** `label=k`, `label=k=v` (all must match) and `label!=...` (none may). */
  matchLabels(labels: Record<string, string> | null | undefined, key = 'label'): boolean {
    const l = labels ?? {};
    const test = (spec: string) => {
      const i = spec.indexOf('=');
      return i < 0 ? spec in l : l[spec.slice(0, i)] === spec.slice(i + 1);
    };
    return this.get(key).every(test) && !this.get(`${key}!`).some(test);
  }

  /** Epoch ms of the (first) `until` value, or undefined when there is none. */
  until(now = Date.now()): number | undefined {
    const v = this.get('until')[0];
    return v ? parseTimeOrDuration(v, now) : undefined;
  }
}
