import { createHash, timingSafeEqual } from 'node:crypto';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1).toLowerCase();
  return hostHeader.split(':')[0]!.toLowerCase();
}

/** The port of a Host header, '' when it names none (the scheme's default port, as URL.port gives it). */
function portOf(hostHeader: string): string {
  const afterHost = hostHeader.startsWith('[') ? hostHeader.slice(hostHeader.indexOf(']') + 1) : hostHeader.slice(hostHeader.indexOf(':') < 0 ? hostHeader.length : hostHeader.indexOf(':'));
  const port = afterHost.startsWith(':') ? afterHost.slice(1) : '';
  return port === '80' || port === '443' ? '' : port;
}

function sameSecret(given: string, expected: string): boolean {
  // Comparing fixed-length digests keeps the comparison constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Who may talk to the HTTP server, applied alike to /mcp, /api and the /ws upgrade: the Host header must name
 * this server (DNS-rebinding protection), an Origin header must be one of its own (no cross-origin use from
 * a web page), and with a token configured every request must carry it.
 */
export class AccessPolicy {
  private readonly allowed: Set<string>;

  constructor(
    bindHost: string,
    allowedHosts: readonly string[] = [],
    private readonly token?: string,
  ) {
    this.allowed = new Set([...LOOPBACK_NAMES, bindHost.toLowerCase(), ...allowedHosts.map((h) => h.toLowerCase())]);
  }

  get requiresToken(): boolean {
    return Boolean(this.token);
  }

  /** Why the Host header is refused, or undefined when it is fine. */
  hostProblem(host: string | undefined): string | undefined {
    if (host && this.allowed.has(hostnameOf(host))) return undefined;
    return `Forbidden: Host "${host ?? ''}" is not allowed (DNS-rebinding protection). Use --allowed-host to accept it.`;
  }

  /**
   * Why the Origin header is refused, or undefined when it is absent (not a browser) or one of ours. "Ours" is
   * an allowed host name on the port the request came to: another server on the same machine (a dev server on
   * localhost:3000) is another origin, and the browser would let its pages open our WebSocket.
   */
  originProblem(origin: string | undefined, hostHeader: string | undefined): string | undefined {
    if (origin === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    const refused = `Forbidden: Origin "${origin}" is not allowed.`;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !this.allowed.has(hostnameOf(url.host))) return refused;
    return url.port === portOf(hostHeader ?? '') ? undefined : refused;
  }

  tokenValid(given: string | undefined): boolean {
    if (!this.token) return true;
    return Boolean(given) && sameSecret(given!, this.token);
  }
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}
