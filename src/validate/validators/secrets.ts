import { ARTIFACT_KIND_NAMES, type ArtifactKind } from '../../artifacts/artifact.js';
import type { Validator, Verdict } from '../types.js';

/**
 * No secret value in any generated file. Secrets reach workloads through External Secrets (values live in the
 * cloud's secrets manager or Vault) and CI through the platform's secret store, so a bundle never needs one:
 * anything that looks like a credential is a generator bug. Three kinds of evidence:
 *
 * - well-known token formats (AWS access key ids, PEM private keys, GitHub / GitLab / Slack / Google / Stripe
 *   tokens, JWTs);
 * - credentials inline: `user:password@` in a URL, or a password / secret / token / api key assignment (YAML,
 *   HCL, env files, Python, JSON, shell) whose value is a literal rather than a reference or a placeholder;
 * - high-entropy literals: base64 / hex runs of at least 20 characters whose Shannon entropy is above what our
 *   real bundles ever contain (calibrated in test/bundle/noSecrets.test.ts), minus what is random-looking by
 *   design (sha256 digests, commit SHAs pinning actions, UUIDs such as the nil client-id placeholders).
 *
 * Findings never echo the value: only its first characters.
 */

export interface SecretFinding {
  line: number;
  rule: string;
  /** The start of the match, the rest elided. */
  excerpt: string;
}

interface TokenRule {
  rule: string;
  pattern: RegExp;
}

const TOKEN_RULES: TokenRule[] = [
  { rule: 'aws-access-key-id', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g },
  { rule: 'private-key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  { rule: 'github-token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b/g },
  { rule: 'gitlab-token', pattern: /\bgl(?:pat|dt|rt|ptt|oas|cbt|imt|ft|soat|agent)-[A-Za-z0-9_-]{20,}/g },
  { rule: 'slack-token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { rule: 'slack-webhook', pattern: /hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{16,}/g },
  { rule: 'google-api-key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { rule: 'stripe-key', pattern: /\b[rs]k_live_[0-9A-Za-z]{20,}\b/g },
  { rule: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g },
];

/** Key names whose value is the secret itself (compared lower-case without separators, as a suffix). */
const SENSITIVE_KEY = /(?:password|passwd|passphrase|pwd|secret|secretkey|secretaccesskey|clientsecret|token|apikey|privatekey)$/;

/**
 * Values that are not a literal secret: empty, references ($VAR, ${…}, $(…), {{ … }}, <…>, %s), env-var names
 * (UPPER_SNAKE: a key of a Secret, a variable to read), file paths, booleans / numbers / null, and the usual
 * placeholder words.
 */
export function isPlaceholderValue(value: string): boolean {
  const v = value.trim();
  if (v === '' || v === '|' || v === '>' || v === '{' || v === '[' || v === '(') return true;
  if (/^(?:\$|\{\{|<|%\(|%s|@|\*{3,}|x{3,}$|\.{3})/i.test(v)) return true;
  if (/\$\{|\$\(|\{\{|\$[A-Z_][A-Z0-9_]*/.test(v)) return true;
  if (/^[A-Z][A-Z0-9_]*$/.test(v)) return true;
  // Booleans, null, and permission levels (GitHub Actions `id-token: write`).
  if (/^(?:true|false|yes|no|on|off|null|none|nil|~|required|optional|read|write|read-all|write-all)$/i.test(v)) return true;
  if (/^-?\d+(?:\.\d+)?[a-z]*$/i.test(v)) return true;
  if (/^(?:\/|\.\/|~\/|file:)/.test(v)) return true;
  if (/(?:changeme|change-me|change_me|replace|redacted|placeholder|example|dummy|your[-_ ]|not[-_ ]?set|fake|secret-value)/i.test(v)) return true;
  return false;
}

/** Kinds whose unquoted assignment values are expressions (references), not strings. */
const EXPRESSION_KINDS: ReadonlySet<ArtifactKind> = new Set(['python', 'terraform', 'json', 'grafana-dashboard']);

/** `key: value`, `key = value`, `KEY=value`, `"key": "value"`, `key="value"` anywhere on a line. */
const ASSIGNMENT = /(["']?)([A-Za-z_][A-Za-z0-9_.-]*)\1\s*(?::=|[:=])\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;#}\])(`]+)?/g;

function unquote(v: string): { text: string; quoted: boolean } {
  if (v.length >= 2 && ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'")))) return { text: v.slice(1, -1), quoted: true };
  return { text: v, quoted: false };
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (s.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * Entropy thresholds (bits per character) above which a run of ≥ MIN_RUN characters is a likely secret. A random
 * string of n characters cannot exceed log2(n) bits per character, and a random base64 one stays close to it up to
 * ~40 characters, then approaches 6; so the base64 threshold grows with the length: min(BASE64_CAP, log2(n) −
 * BASE64_MARGIN), which ≥ 96 % of random 20–40-character base64 tokens pass (100 % from 64). Hex keys (at most 4
 * bits) use a flat threshold. Calibrated on every bundle of test/bundle/noSecrets.test.ts, whose most
 * random-looking run stays below (the test asserts the margin).
 */
export const MIN_RUN = 20;
export const BASE64_CAP = 4.5;
export const BASE64_MARGIN = 0.75;
export const HEX_THRESHOLD = 3.5;
/** Identifiers are words: CamelCase / snake / kebab segments of this mean length and more are names, not keys (random base64 averages < 2). */
export const WORD_SEGMENT_LENGTH = 3.5;

export function base64Threshold(length: number): number {
  return Math.min(BASE64_CAP, Math.log2(length) - BASE64_MARGIN);
}

const RUN = /[A-Za-z0-9+/=_-]{20,}/g;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What precedes a digest or commit SHA: image digests, `uses: owner/action@<sha>`, integrity hashes. */
const DIGEST_CONTEXT = /(?:@|sha(?:1|224|256|384|512)[:=-]|digest[:=]\s*["']?|commit[:=]\s*["']?|ref[:=]\s*["']?)$/i;

/** Mean length of the word segments of a run (CamelCase humps, digit groups, separator-delimited parts). */
export function meanSegmentLength(run: string): number {
  const segments = run.match(/[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+/g) ?? [];
  return segments.length === 0 ? 0 : run.replace(/[^A-Za-z0-9]/g, '').length / segments.length;
}

/** A run that may be base64 key material: mixes upper, lower and digits (random tokens do; names and prose rarely) and is not made of words. */
export function base64Candidate(run: string): boolean {
  if (run.length < MIN_RUN || !/[A-Z]/.test(run) || !/[a-z]/.test(run) || !/[0-9]/.test(run)) return false;
  // Structured names: three or more short parts joined by - or _ (Standard_NC24ads_A100_v4, model-v2-2024-q1).
  const parts = run.split(/[-_]/);
  if (parts.length >= 3 && parts.every((p) => p.length <= 10)) return false;
  return meanSegmentLength(run) < WORD_SEGMENT_LENGTH;
}

/** The entropy evidence of one run (null when it is not random-looking enough or allowlisted). */
export function highEntropy(match: string, before: string): { rule: string; entropy: number } | null {
  const run = match.replace(/=+$/, '');
  if (run.length < MIN_RUN || UUID.test(run)) return null;
  if (/^[0-9a-f]+$/i.test(run)) {
    if (!/[0-9]/.test(run) || !/[a-f]/i.test(run)) return null;
    // Digests and commit SHAs are random by design; a 40/64-hex run anywhere is a SHA-1/SHA-256.
    if (DIGEST_CONTEXT.test(before) || run.length === 40 || run.length === 64) return null;
    const h = shannonEntropy(run);
    return run.length >= 32 && h >= HEX_THRESHOLD ? { rule: 'high-entropy-hex', entropy: h } : null;
  }
  if (!base64Candidate(run)) return null;
  const h = shannonEntropy(run);
  return h >= base64Threshold(run.length) ? { rule: 'high-entropy-base64', entropy: h } : null;
}

function excerpt(s: string): string {
  return s.length <= 6 ? `${s.slice(0, 2)}…` : `${s.slice(0, 4)}…`;
}

/** Every finding of one file. `kind` says whether unquoted assignment values are literals (YAML, env) or expressions (Python, HCL). */
export function scanForSecrets(content: string, kind: ArtifactKind = 'text'): SecretFinding[] {
  const findings: SecretFinding[] = [];
  const lines = content.split('\n');
  lines.forEach((line, i) => {
    const at = i + 1;
    const seen = new Set<string>();
    const add = (rule: string, match: string) => {
      const key = `${rule}:${match}`;
      if (seen.has(key)) return;
      seen.add(key);
      findings.push({ line: at, rule, excerpt: excerpt(match) });
    };
    for (const { rule, pattern } of TOKEN_RULES) for (const m of line.matchAll(pattern)) add(rule, m[0]);
    for (const m of line.matchAll(/\b[a-z][a-z0-9+.-]*:\/\/([^\s:@/'"`]+):([^\s@/'"`]+)@/gi)) {
      if (!isPlaceholderValue(m[2]!)) add('credentials-in-url', m[0]);
    }
    for (const m of line.matchAll(ASSIGNMENT)) {
      const key = m[2]!.toLowerCase().replace(/[^a-z0-9]/g, '');
      if (!SENSITIVE_KEY.test(key) || m[3] === undefined) continue;
      const { text, quoted } = unquote(m[3]);
      if (!quoted && EXPRESSION_KINDS.has(kind)) continue;
      if (isPlaceholderValue(text)) continue;
      // Secret *names* (references to a Kubernetes Secret or a backend entry) are lower-case DNS-like names.
      if (/secret$/.test(key) && /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/.test(text) && /[-.]/.test(text)) continue;
      add('secret-assignment', `${m[2]}=${text}`);
    }
    for (const m of line.matchAll(RUN)) {
      const e = highEntropy(m[0], line.slice(0, m.index));
      if (e) add(e.rule, m[0]);
    }
  });
  return findings;
}

/**
 * A policy check, not a format validator: it runs on every kind, its failures fail a file, but its passes do not
 * make a file of an otherwise unchecked kind count as validated (the registry reads `policy`).
 */
export const noSecretsValidator: Validator & { policy: boolean } = {
  name: 'no-secrets',
  policy: true,
  description: 'No secret value in any file: well-known token formats (AWS keys, PEM private keys, GitHub/GitLab/Slack/Google tokens, JWTs), credentials in URLs, literal password/secret/token assignments, and high-entropy base64/hex literals',
  kinds: ARTIFACT_KIND_NAMES,
  async available() {
    return { ok: true, version: `built in (entropy ≥ min(${BASE64_CAP}, log2(n) − ${BASE64_MARGIN}) bits/char base64, ≥ ${HEX_THRESHOLD} hex, runs ≥ ${MIN_RUN})` };
  },
  async validate({ artifacts }) {
    return artifacts.map((a): Verdict => {
      const findings = scanForSecrets(a.content, a.kind);
      return findings.length === 0
        ? { path: a.path, validator: this.name, verdict: 'pass', message: 'no key-like strings or high-entropy literals' }
        : {
            path: a.path,
            validator: this.name,
            verdict: 'fail',
            message: findings
              .slice(0, 8)
              .map((f) => `line ${f.line}: ${f.rule} (${f.excerpt})`)
              .join('\n') + (findings.length > 8 ? `\n… (${findings.length - 8} more)` : ''),
          };
    });
  },
};
