/**
 * Prometheus metrics in the text exposition format (version 0.0.4), kept in memory per
 * replica: requests by route, method and status; bytes in and out; upload durations; GC runs;
 * and whether the object store and database answered the last health check.
 */
const BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

type Labels = Record<string, string>;
const key = (labels: Labels) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

class Family {
  readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  add(labels: Labels, n = 1): void {
    const k = key(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + n);
  }

  set(labels: Labels, n: number): void {
    this.values.set(key(labels), n);
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [k, v] of this.values) out.push(`${this.name}${k ? `{${k}}` : ''} ${v}`);
    return out;
  }
}

class Histogram {
  private readonly counts = BUCKETS.map(() => 0);
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  observe(v: number): void {
    BUCKETS.forEach((b, i) => {
      if (v <= b) this.counts[i]!++;
    });
    this.sum += v;
    this.count++;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    BUCKETS.forEach((b, i) => out.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    out.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return out;
  }
}

export class Metrics {
  readonly requests = new Family('wharf_registry_http_requests_total', 'HTTP requests by route, method and status.', 'counter');
  readonly bytesIn = new Family('wharf_registry_http_request_bytes_total', 'Request body bytes received, by route.', 'counter');
  readonly bytesOut = new Family('wharf_registry_http_response_bytes_total', 'Response body bytes sent, by route.', 'counter');
  readonly uploadSeconds = new Histogram('wharf_registry_upload_duration_seconds', 'Time from an upload session start to its blob commit.');
  readonly uploadBytes = new Family('wharf_registry_uploaded_bytes_total', 'Bytes of committed blob uploads.', 'counter');
  readonly gcRuns = new Family('wharf_registry_gc_runs_total', 'GC runs by outcome (done, skipped: another replica held the lock, failed).', 'counter');
  readonly gcDeleted = new Family('wharf_registry_gc_deleted_total', 'Objects GC deleted, by kind.', 'counter');
  readonly gcFreed = new Family('wharf_registry_gc_freed_bytes_total', 'Bytes GC freed.', 'counter');
  readonly backendUp = new Family('wharf_registry_backend_up', 'Whether the backend answered the last health check (1) or not (0).', 'gauge');

  render(): string {
    return [
      ...this.requests.render(),
      ...this.bytesIn.render(),
      ...this.bytesOut.render(),
      ...this.uploadSeconds.render(),
      ...this.uploadBytes.render(),
      ...this.gcRuns.render(),
      ...this.gcDeleted.render(),
      ...this.gcFreed.render(),
      ...this.backendUp.render(),
    ].join('\n') + '\n';
  }
}

/** A route's label: its pattern with the captures named, e.g. `/v2/{name}/manifests/{reference}`. */
export function routeLabel(pattern: RegExp, keys: string[]): string {
  let i = 0;
  return pattern.source
    .replace(/^\^|\$$/g, '')
    .replace(/\((?!\?)(?:[^()\\]|\\.)*\)/g, () => `{${keys[i++] ?? 'param'}}`)
    .replace(/\(\?:([^)]*)\)/g, '$1')
    .replace(/\\\//g, '/')
    .replace(/\/\?$/, '/')
    .replace(/\?/g, '');
}
