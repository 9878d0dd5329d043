import { parse } from 'yaml';

/**
 * What the generated CI definition itself enforces about commit-to-production time: the chain of jobs that
 * leads from a commit to the job deploying production, each bounded by its own time limit (GitHub
 * `timeout-minutes`, GitLab `timeout`). The scorecard cites this path, so the < 1 hour criterion rests on limits
 * the CI platform enforces, not only on a table in a document.
 */
export interface CiEvidence {
  platform: 'github-actions' | 'gitlab-ci';
  /** The file holding the production deployment job. */
  file: string;
  /** Jobs on the longest chain to production, in order, with their enforced limits in minutes (null: no limit). */
  path: { job: string; timeout_minutes: number | null }[];
  /** Sum of the limits on the path (Infinity when a job on it has none). */
  total_minutes: number;
  /** Whether production waits for a person (GitHub environment / GitLab `when: manual`). */
  approval: boolean;
}

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

interface JobNode {
  needs: string[];
  timeout: number | null;
  production: boolean;
  manual: boolean;
}

/** Longest chain (by summed limits) of `needs` ending at `target`. */
function longestChain(jobs: Map<string, JobNode>, target: string): { job: string; timeout_minutes: number | null }[] {
  const memo = new Map<string, { job: string; timeout_minutes: number | null }[]>();
  const weight = (p: { timeout_minutes: number | null }[]) => p.reduce((s, x) => s + (x.timeout_minutes ?? Number.POSITIVE_INFINITY), 0);
  const visit = (id: string, seen: Set<string>): { job: string; timeout_minutes: number | null }[] => {
    const cached = memo.get(id);
    if (cached) return cached;
    const node = jobs.get(id);
    if (!node || seen.has(id)) return [];
    let best: { job: string; timeout_minutes: number | null }[] = [];
    for (const n of node.needs) {
      const p = visit(n, new Set([...seen, id]));
      if (weight(p) > weight(best) || (weight(p) === weight(best) && p.length > best.length)) best = p;
    }
    const result = [...best, { job: id, timeout_minutes: node.timeout }];
    memo.set(id, result);
    return result;
  };
  return visit(target, new Set());
}

function evidenceFrom(platform: CiEvidence['platform'], file: string, jobs: Map<string, JobNode>): CiEvidence | null {
  const prod = [...jobs.entries()].filter(([, j]) => j.production);
  if (prod.length === 0) return null;
  let best: CiEvidence | null = null;
  for (const [id] of prod) {
    const path = longestChain(jobs, id);
    const total = path.reduce((s, x) => s + (x.timeout_minutes ?? Number.POSITIVE_INFINITY), 0);
    const approval = path.some((p) => jobs.get(p.job)!.manual);
    if (!best || total > best.total_minutes) best = { platform, file, path, total_minutes: total, approval };
  }
  return best;
}

const PRODUCTION = /^prod(uction)?$/i;

function githubJobs(doc: Rec): Map<string, JobNode> {
  const jobs = new Map<string, JobNode>();
  for (const [id, raw] of Object.entries(rec(doc.jobs))) {
    const j = rec(raw);
    const env = typeof j.environment === 'string' ? j.environment : rec(j.environment).name;
    const production = typeof env === 'string' && PRODUCTION.test(env);
    const timeout = typeof j['timeout-minutes'] === 'number' ? j['timeout-minutes'] : null;
    // A job in an environment with required reviewers waits for approval; GitHub has no other manual gate.
    jobs.set(id, { needs: list(j.needs).map(String), timeout, production, manual: production });
  }
  return jobs;
}

/** GitLab durations: "30 minutes", "1h 30m", "45m", "2 hours". */
export function gitlabMinutes(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  let total = 0;
  let matched = false;
  for (const m of value.matchAll(/(\d+(?:\.\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?)\b/gi)) {
    matched = true;
    const n = Number(m[1]);
    const unit = m[2]!.toLowerCase();
    total += unit.startsWith('h') ? n * 60 : unit.startsWith('s') ? n / 60 : n;
  }
  return matched ? total : null;
}

const GITLAB_RESERVED = new Set(['stages', 'variables', 'default', 'workflow', 'include', 'image', 'services', 'cache', 'before_script', 'after_script', 'pages']);

function gitlabJobs(doc: Rec): Map<string, JobNode> {
  const stages = list(doc.stages).map(String);
  const defaultTimeout = gitlabMinutes(rec(doc.default).timeout);
  const raw = Object.entries(doc).filter(([k, v]) => !GITLAB_RESERVED.has(k) && !k.startsWith('.') && v && typeof v === 'object' && !Array.isArray(v));
  const stageOf = (j: Rec) => String(j.stage ?? 'test');
  const jobs = new Map<string, JobNode>();
  for (const [id, value] of raw) {
    const j = rec(value);
    const env = typeof j.environment === 'string' ? j.environment : rec(j.environment).name;
    const production = typeof env === 'string' && PRODUCTION.test(env);
    // Without `needs`, a job waits for every job of the earlier stages.
    const needs =
      j.needs !== undefined
        ? list(j.needs).map((n) => (typeof n === 'string' ? n : String(rec(n).job)))
        : raw.filter(([, o]) => stages.indexOf(stageOf(rec(o))) < stages.indexOf(stageOf(j))).map(([other]) => other);
    const manual = j.when === 'manual' || list(j.rules).some((r) => rec(r).when === 'manual');
    jobs.set(id, { needs, timeout: gitlabMinutes(j.timeout) ?? defaultTimeout, production, manual });
  }
  return jobs;
}

/** The commit-to-production path of the CI files in a bundle, or null when none deploys production. */
export function ciEvidence(files: readonly { path: string; content: string }[]): CiEvidence | null {
  let best: CiEvidence | null = null;
  for (const f of files) {
    let ev: CiEvidence | null = null;
    try {
      if (f.path.startsWith('.github/workflows/')) ev = evidenceFrom('github-actions', f.path, githubJobs(rec(parse(f.content))));
      else if (f.path === '.gitlab-ci.yml') ev = evidenceFrom('gitlab-ci', f.path, gitlabJobs(rec(parse(f.content))));
    } catch {
      ev = null;
    }
    if (ev && (!best || ev.total_minutes > best.total_minutes)) best = ev;
  }
  return best;
}
