import type { Logger } from 'pino';
import type { EventRow, Store } from '../../store/store.js';

export type EventListener = (events: readonly EventRow[]) => void;

const BATCH = 1000;

/**
 * Follows the event log of the database file, whoever writes it: this server, a `mlops-mcp stdio` process
 * of Claude Desktop, or another `serve`. SQLite has no cross-process notification, so the feed polls for ids
 * above the last one seen; on the primary key that is an index probe, cheap at 10 polls a second. Writers
 * hold the write lock from the event's id to the commit, so ids become visible in order and the feed never
 * skips one. `poke()` polls at once after a local write, so this server's own changes go out without the wait.
 */
export class EventFeed {
  private lastId: number;
  private timer: NodeJS.Timeout | undefined;
  private pokeScheduled = false;
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly intervalMs = 100,
  ) {
    this.lastId = store.lastEventId();
  }

  /** The id of the newest event delivered to listeners. */
  get position(): number {
    return this.lastId;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  poke(): void {
    if (this.pokeScheduled) return;
    this.pokeScheduled = true;
    setImmediate(() => {
      this.pokeScheduled = false;
      this.poll();
    });
  }

  /** Delivers every event committed since the last poll, in id order. */
  poll(): void {
    try {
      for (;;) {
        const events = this.store.eventsSince(this.lastId, undefined, BATCH);
        if (events.length === 0) return;
        this.lastId = events.at(-1)!.id;
        for (const listener of this.listeners) {
          try {
            listener(events);
          } catch (error) {
            this.logger.error({ err: error }, 'event listener failed');
          }
        }
        if (events.length < BATCH) return;
      }
    } catch (error) {
      // A busy or briefly locked file is retried on the next tick; the position is unchanged.
      this.logger.warn({ err: error }, 'event feed poll failed');
    }
  }
}
