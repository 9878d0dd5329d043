import { createHash, timingSafeEqual } from 'node:crypto';

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

function hostnameOf(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1).toLowerCase();
  return hostHeader.split(':')[0]!.toLowerCase();
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

  /** Why the Origin header is refused, or undefined when it is absent (not a browser) or one of ours. */
  originProblem(origin: string | undefined): string | undefined {
    if (origin === undefined) return undefined;
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost && this.allowed.has(hostnameOf(originHost))) return undefined;
    return `Forbidden: Origin "${origin}" is not allowed.`;
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
