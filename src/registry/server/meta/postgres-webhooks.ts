/**
 * The webhook outbox in PostgreSQL: events wait in `webhook_events` until a replica claims
 * them (`FOR UPDATE SKIP LOCKED`, then a lease by moving `next_attempt_at` ahead, so two
 * replicas never send one event at the same moment), and every attempt lands in
 * `webhook_deliveries`, the log `/admin/webhooks/deliveries` shows from any replica.
 */
import type { Delivery, Outbox, RegistryEvent } from '../webhooks.js';
import type { PostgresMetadata } from './postgres.js';

export class PostgresOutbox implements Outbox {
  constructor(private readonly pg: PostgresMetadata) {}

  async enqueue(endpoint: string, event: RegistryEvent): Promise<void> {
    await this.pg.query('INSERT INTO webhook_events (endpoint, event) VALUES ($1, $2)', [endpoint, JSON.stringify(event)]);
  }

  async claim(limit: number, leaseMs: number): Promise<{ id: string; endpoint: string; event: RegistryEvent; attempts: number }[]> {
    const r = await this.pg.query<{ id: string; endpoint: string; event: RegistryEvent; attempts: number }>(
      `UPDATE webhook_events SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       WHERE id IN (SELECT id FROM webhook_events WHERE next_attempt_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING id, endpoint, event, attempts`,
      [limit, leaseMs]);
    return r.rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  async done(id: string): Promise<void> {
    await this.pg.query('DELETE FROM webhook_events WHERE id = $1', [id]);
  }

  async retry(id: string, delayMs: number): Promise<void> {
    await this.pg.query('UPDATE webhook_events SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2::double precision / 1000) WHERE id = $1', [id, delayMs]);
  }

  async record(d: Delivery): Promise<void> {
    await this.pg.query(
      'INSERT INTO webhook_deliveries (endpoint, event_id, action, attempt, status, error, ok, at, duration_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [d.endpoint, d.eventId, d.action, d.attempt, d.status ?? null, d.error ?? null, d.ok, d.at, d.durationMs]);
  }

  async pending(): Promise<number> {
    return Number((await this.pg.query<{ n: string }>('SELECT count(*) AS n FROM webhook_events')).rows[0]!.n);
  }

  async deliveries(limit: number): Promise<Delivery[]> {
    const r = await this.pg.query<{ endpoint: string; event_id: string; action: string; attempt: number; status: number | null; error: string | null; ok: boolean; at: Date; duration_ms: number }>(
      'SELECT endpoint, event_id, action, attempt, status, error, ok, at, duration_ms FROM (SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT $1) d ORDER BY id', [limit]);
    return r.rows.map((x) => ({
      endpoint: x.endpoint, eventId: x.event_id, action: x.action, attempt: x.attempt, ok: x.ok, at: x.at.toISOString(), durationMs: x.duration_ms,
      ...(x.status !== null ? { status: x.status } : {}), ...(x.error !== null ? { error: x.error } : {}),
    }));
  }
}
