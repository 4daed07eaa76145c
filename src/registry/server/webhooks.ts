/**
 * Webhook notifications in the distribution registry's envelope format. Events are queued per
 * endpoint and sent by a background worker with a timeout and exponential backoff, so a slow or
 * dead endpoint can never hold up a push. Every delivery attempt is recorded and listable.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EndpointConfig } from './config.js';
import type { RequestContext } from './http.js';

export const EVENTS_MEDIA_TYPE = 'application/vnd.docker.distribution.events.v1+json';
const MAX_QUEUE = 10_000;
const MAX_LOG = 1_000;

export interface EventTarget {
  mediaType: string;
  digest: string;
  size: number;
  length: number;
  repository: string;
  url: string;
  tag?: string;
}

export interface RegistryEvent {
  id: string;
  timestamp: string;
  action: 'push' | 'pull' | 'delete' | 'mount';
  target: EventTarget;
  request: { id: string; addr: string; host: string; method: string; useragent: string };
  actor: { name?: string };
  source: { addr: string; instanceID: string };
}

export interface Delivery {
  endpoint: string;
  eventId: string;
  action: string;
  attempt: number;
  status?: number;
  error?: string;
  ok: boolean;
  at: string;
  durationMs: number;
}

class EndpointQueue {
  private readonly queue: RegistryEvent[] = [];
  private running = false;
  dropped = 0;

  constructor(
    private readonly endpoint: EndpointConfig,
    private readonly record: (d: Delivery) => void,
    private readonly isClosed: () => boolean,
  ) {}

  push(event: RegistryEvent): void {
    if (this.endpoint.ignoredActions?.includes(event.action)) return;
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(event);
    if (!this.running) void this.drain();
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length && !this.isClosed()) {
        const event = this.queue.shift()!;
        await this.deliver(event);
      }
    } finally {
      this.running = false;
    }
  }

  private async deliver(event: RegistryEvent): Promise<void> {
    const retries = this.endpoint.retries ?? 3;
    let delay = this.endpoint.backoff ?? 500;
    for (let attempt = 1; attempt <= retries + 1 && !this.isClosed(); attempt++) {
      const started = Date.now();
      const entry: Delivery = { endpoint: this.endpoint.name, eventId: event.id, action: event.action, attempt, ok: false, at: new Date().toISOString(), durationMs: 0 };
      try {
        const res = await fetch(this.endpoint.url, {
          method: 'POST',
          headers: { 'Content-Type': EVENTS_MEDIA_TYPE, ...this.endpoint.headers },
          body: JSON.stringify({ events: [event] }),
          signal: AbortSignal.timeout(this.endpoint.timeout ?? 5000),
        });
        await res.arrayBuffer().catch(() => undefined);
        entry.status = res.status;
        entry.ok = res.status >= 200 && res.status < 300;
      } catch (err) {
        entry.error = (err as Error).message;
      }
      entry.durationMs = Date.now() - started;
      this.record(entry);
      if (entry.ok) return;
      if (attempt <= retries) {
        await new Promise((r) => setTimeout(r, delay).unref());
        delay *= 2;
      }
    }
  }
}

export class Notifier {
  private readonly queues: EndpointQueue[];
  private readonly log: Delivery[] = [];
  private closed = false;
  private readonly instanceID = randomUUID();

  constructor(endpoints: EndpointConfig[], private readonly sourceAddr: string) {
    this.queues = endpoints.map((e) => new EndpointQueue(e, (d) => this.recordDelivery(d), () => this.closed));
  }

  private recordDelivery(d: Delivery): void {
    this.log.push(d);
    if (this.log.length > MAX_LOG) this.log.shift();
  }

  get enabled(): boolean {
    return this.queues.length > 0;
  }

  emit(ctx: RequestContext, action: RegistryEvent['action'], target: EventTarget): void {
    if (!this.enabled) return;
    const event: RegistryEvent = {
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      action,
      target,
      request: {
        id: ctx.id,
        addr: `${ctx.req.socket.remoteAddress ?? ''}:${ctx.req.socket.remotePort ?? ''}`,
        host: ctx.url.host,
        method: ctx.req.method ?? '',
        useragent: String(ctx.req.headers['user-agent'] ?? ''),
      },
      actor: ctx.actor ? { name: ctx.actor } : {},
      source: { addr: `${hostname()}:${this.sourceAddr.split(':').pop()}`, instanceID: this.instanceID },
    };
    for (const q of this.queues) q.push(event);
  }

  deliveries(): Delivery[] {
    return [...this.log];
  }

  pending(): number {
    return this.queues.reduce((n, q) => n + q.pending, 0);
  }

  close(): void {
    this.closed = true;
  }
}
