/**
 * Webhook notifications in the distribution registry's envelope format. Events are queued per
 * endpoint and sent by a background worker with a timeout and exponential backoff, so a slow or
 * dead endpoint can never hold up a push. Every delivery attempt is recorded and listable.
 * With an `Outbox` (PostgreSQL), the queue and the delivery log are shared by all replicas:
 * every replica polls the outbox and claims due events, so an event is delivered (at least
 * once) even if the replica that saw the push dies.
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
      const entry = await attemptDelivery(this.endpoint, event, attempt);
      this.record(entry);
      if (entry.ok) return;
      if (attempt <= retries) {
        await new Promise((r) => setTimeout(r, delay).unref());
        delay *= 2;
      }
    }
  }
}

/** One POST of an event to an endpoint, as a delivery log entry. */
export async function attemptDelivery(endpoint: EndpointConfig, event: RegistryEvent, attempt: number): Promise<Delivery> {
  const started = Date.now();
  const entry: Delivery = { endpoint: endpoint.name, eventId: event.id, action: event.action, attempt, ok: false, at: new Date().toISOString(), durationMs: 0 };
  try {
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': EVENTS_MEDIA_TYPE, ...endpoint.headers },
      body: JSON.stringify({ events: [event] }),
      signal: AbortSignal.timeout(endpoint.timeout ?? 5000),
    });
    await res.arrayBuffer().catch(() => undefined);
    entry.status = res.status;
    entry.ok = res.status >= 200 && res.status < 300;
  } catch (err) {
    entry.error = (err as Error).message;
  }
  entry.durationMs = Date.now() - started;
  return entry;
}

/** A queue of events and a delivery log shared by replicas (meta/postgres-webhooks.ts). */
export interface Outbox {
  enqueue(endpoint: string, event: RegistryEvent): Promise<void>;
  /** Due events, leased to this caller for `leaseMs`. */
  claim(limit: number, leaseMs: number): Promise<{ id: string; endpoint: string; event: RegistryEvent; attempts: number }[]>;
  done(id: string): Promise<void>;
  retry(id: string, delayMs: number): Promise<void>;
  record(d: Delivery): Promise<void>;
  pending(): Promise<number>;
  deliveries(limit: number): Promise<Delivery[]>;
}

const POLL_MS = 500;

export class Notifier {
  private readonly queues: EndpointQueue[];
  private readonly log: Delivery[] = [];
  private closed = false;
  private readonly instanceID = randomUUID();

  private poller: NodeJS.Timeout | undefined;
  private polling = false;

  constructor(
    private readonly endpoints: EndpointConfig[],
    private readonly sourceAddr: string,
    private readonly outbox?: Outbox,
  ) {
    this.queues = outbox ? [] : endpoints.map((e) => new EndpointQueue(e, (d) => this.recordDelivery(d), () => this.closed));
    if (outbox && endpoints.length) {
      this.poller = setInterval(() => void this.poll(), POLL_MS);
      this.poller.unref();
    }
  }

  /** Deliver due outbox events: one attempt each, then done, retried later with backoff, or dropped. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed || !this.outbox) return;
    this.polling = true;
    try {
      // Endpoints apart, so a dead one never delays the others; in order within one.
      const byEndpoint = new Map<string, Awaited<ReturnType<Outbox['claim']>>>();
      for (const item of await this.outbox.claim(20, 60_000)) byEndpoint.set(item.endpoint, [...(byEndpoint.get(item.endpoint) ?? []), item]);
      await Promise.all([...byEndpoint].map(async ([name, items]) => {
        const endpoint = this.endpoints.find((e) => e.name === name);
        for (const item of items) {
          if (!endpoint) {
            await this.outbox!.done(item.id);
            continue;
          }
          const entry = await attemptDelivery(endpoint, item.event, item.attempts + 1);
          await this.outbox!.record(entry);
          if (entry.ok || item.attempts + 1 > (endpoint.retries ?? 3)) await this.outbox!.done(item.id);
          else await this.outbox!.retry(item.id, (endpoint.backoff ?? 500) * 2 ** item.attempts);
        }
      }));
    } catch {
      // the database is away: the events wait in the outbox for the next poll
    } finally {
      this.polling = false;
    }
  }

  private recordDelivery(d: Delivery): void {
    this.log.push(d);
    if (this.log.length > MAX_LOG) this.log.shift();
  }

  get enabled(): boolean {
    return this.endpoints.length > 0;
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
    if (this.outbox) {
      for (const e of this.endpoints) {
        if (e.ignoredActions?.includes(action)) continue;
        this.outbox.enqueue(e.name, event).catch(() => {}); // a push never waits for or fails on its webhook
      }
    }
  }

  async deliveries(): Promise<Delivery[]> {
    return this.outbox ? this.outbox.deliveries(MAX_LOG) : [...this.log];
  }

  async pending(): Promise<number> {
    if (this.outbox) return this.enabled ? this.outbox.pending().catch(() => -1) : 0;
    return this.queues.reduce((n, q) => n + q.pending, 0);
  }

  close(): void {
    this.closed = true;
    if (this.poller) clearInterval(this.poller);
  }
}
