import { saveBlob } from './dom.js';
import { session } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the server refuses the token: the app asks for it again. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

function headers(json: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  if (json) out['Content-Type'] = 'application/json';
  if (session.token) out.Authorization = `Bearer ${session.token}`;
  // Header values are ISO-8859-1: the name travels percent-encoded, whatever its characters.
  if (session.name) out['X-Mlops-User'] = encodeURIComponent(session.name);
  return out;
}

async function request(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`/api${path}`, { method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body) });
  if (response.status === 401) onUnauthorized();
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      message = ((await response.json()) as { error?: string }).error ?? message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

export const api = {
  async get<T>(path: string): Promise<T> {
    return (await request('GET', path)).json() as Promise<T>;
  },
  async send<T>(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<T> {
    return (await request(method, path, body)).json() as Promise<T>;
  },
  async download(path: string, filename: string): Promise<void> {
    saveBlob(await (await request('GET', path)).blob(), filename);
  },
};
