import { session } from './session.js';

export interface LiveEvent {
  id: number;
  pipeline_id: string | null;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
  created_at: string;
}

export interface Viewer {
  id: string;
  name: string;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

interface Handlers {
  onEvents(events: LiveEvent[]): void;
  onPresence?(viewers: Viewer[], count: number): void;
  onState?(state: LiveState): void;
  onError?(message: string): void;
  /** The server will not replay this many missed events: read the state again from the given id. */
  onReset(lastEventId: number): void;
}

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * One subscription to the server's event stream (a pipeline, or "*" for all). It remembers the id of the last
 * event it handed on; after a dropped connection it resubscribes from that id, so the page gets every event
 * exactly once, in order, however long it was offline.
 */
export class LiveFeed {
  private socket: WebSocket | undefined;
  private retryMs = 250;
  private closed = false;
  private timer: number | undefined;

  constructor(
    private readonly pipelineId: string,
    private lastEventId: number,
    private readonly handlers: Handlers,
  ) {
    this.connect();
  }

  get position(): number {
    return this.lastEventId;
  }

  /** Tells the server the (possibly changed) display name. */
  hello(): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify({ type: 'hello', name: session.name || 'anonymous' }));
  }

  /** Drops the connection as a network failure would (used by the reconnect test hook). */
  drop(): void {
    this.socket?.close();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
  }

  private connect(): void {
    this.handlers.onState?.(this.socket ? 'reconnecting' : 'connecting');
    const protocols = ['mlops-mcp.v1', ...(session.token ? [`bearer.${base64url(session.token)}`] : [])];
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`, protocols);
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.retryMs = 250;
      this.hello();
      socket.send(JSON.stringify({ type: 'subscribe', pipeline_id: this.pipelineId, after: this.lastEventId }));
    });
    socket.addEventListener('message', (message) => this.received(String(message.data)));
    socket.addEventListener('close', () => {
      if (this.closed) return;
      this.handlers.onState?.('reconnecting');
      this.timer = window.setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 5000);
    });
  }

  private received(text: string): void {
    const message = JSON.parse(text) as { type: string; events?: LiveEvent[]; viewers?: Viewer[]; count?: number; message?: string };
    switch (message.type) {
      case 'events': {
        // The server never repeats an event on one connection; the id check also covers a replay after reconnecting.
        const fresh = (message.events ?? []).filter((e) => e.id > this.lastEventId);
        if (fresh.length === 0) return;
        this.lastEventId = fresh.at(-1)!.id;
        this.handlers.onEvents(fresh);
        return;
      }
      case 'ready':
        this.handlers.onState?.('live');
        return;
      case 'reset':
        this.lastEventId = Number((message as { last_event_id?: number }).last_event_id ?? this.lastEventId);
        this.handlers.onState?.('live');
        this.handlers.onReset(this.lastEventId);
        return;
      case 'presence':
        this.handlers.onPresence?.(message.viewers ?? [], message.count ?? 0);
        return;
      case 'error':
        this.handlers.onError?.(message.message ?? 'error');
        return;
    }
  }
}
