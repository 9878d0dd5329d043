/**
 * .gitlab-ci.yml checked offline. GitLab has no offline linter (CI Lint is an API of a GitLab instance), so this is
 * a strict zod schema of the keywords of GitLab's CI/CD YAML reference (https://docs.gitlab.com/ci/yaml/, and
 * GitLab's own editor schema app/assets/javascripts/editor/schema/ci.json), unknown keys rejected in jobs and in
 * their objects, plus the checks GitLab makes when it creates a pipeline: `extends` resolved (and merged as
 * GitLab does: hashes deep-merged, everything else replaced), each job's stage declared, `needs` /
 * `dependencies` naming existing jobs of the same or an earlier stage, `timeout` parsing as a duration,
 * `!reference` tags resolving, and at least one visible job.
 */
import { isSeq, parseDocument } from 'yaml';
import { z } from 'zod';
import { dottedPath } from '../crds/core.js';
import { firstLines } from '../exec.js';
import type { Validator, Verdict } from '../types.js';

const str = z.string();
const nonEmpty = z.string().min(1);
const strOrList = z.union([str, z.array(str)]);
/** script / before_script / after_script: a string or a list of strings (nested lists come from !reference). */
const script = z.union([nonEmpty, z.array(z.union([str, z.array(str)])).min(1)]);
const optionalScript = z.union([str, z.array(z.union([str, z.array(str)]))]);
const variableValue = z.union([z.string(), z.number(), z.boolean()]);
const jobVariables = z.record(str, z.union([variableValue, z.strictObject({ value: str.optional(), expand: z.boolean().optional() })]));
const globalVariables = z.record(
  str,
  z.union([variableValue, z.strictObject({ value: str.optional(), options: z.array(str).min(1).optional(), description: str.optional(), expand: z.boolean().optional() })]),
);
const pullPolicy = z.union([z.enum(['always', 'never', 'if-not-present']), z.array(z.enum(['always', 'never', 'if-not-present'])).min(1)]);
const image = z.union([
  nonEmpty,
  z.strictObject({
    name: nonEmpty,
    entrypoint: z.array(str).min(1).optional(),
    docker: z.strictObject({ platform: nonEmpty.optional(), user: nonEmpty.optional() }).optional(),
    kubernetes: z.strictObject({ user: z.union([nonEmpty, z.number().int()]).optional() }).optional(),
    pull_policy: pullPolicy.optional(),
  }),
]);
const services = z.array(
  z.union([
    nonEmpty,
    z.strictObject({
      name: nonEmpty,
      entrypoint: z.array(str).min(1).optional(),
      command: script.optional(),
      alias: nonEmpty.optional(),
      variables: jobVariables.optional(),
      pull_policy: pullPolicy.optional(),
      docker: z.strictObject({ platform: nonEmpty.optional(), user: nonEmpty.optional() }).optional(),
      kubernetes: z.strictObject({ user: z.union([nonEmpty, z.number().int()]).optional() }).optional(),
    }),
  ]),
);
const when = z.enum(['on_success', 'on_failure', 'always', 'never', 'manual', 'delayed']);
const allowFailure = z.union([z.boolean(), z.strictObject({ exit_codes: z.union([z.number().int(), z.array(z.number().int()).min(1)]) })]);
const changes = z.union([z.array(str), z.strictObject({ paths: z.array(str), compare_to: str.optional() })]);
const exists = z.union([z.array(str), z.strictObject({ paths: z.array(str), project: str.optional(), ref: str.optional() })]);
const needsItem = z.union([
  str,
  z.strictObject({ job: nonEmpty, artifacts: z.boolean().optional(), optional: z.boolean().optional(), parallel: z.strictObject({ matrix: z.array(z.record(str, z.unknown())) }).optional() }),
  z.strictObject({ pipeline: str, job: nonEmpty, artifacts: z.boolean().optional(), parallel: z.strictObject({ matrix: z.array(z.record(str, z.unknown())) }).optional() }),
  z.strictObject({ project: str, job: nonEmpty, ref: str, artifacts: z.boolean().optional(), parallel: z.strictObject({ matrix: z.array(z.record(str, z.unknown())) }).optional() }),
]);
const rule = z.strictObject({
  if: str.optional(),
  changes: changes.optional(),
  exists: exists.optional(),
  variables: z.record(str, variableValue).optional(),
  when: when.optional(),
  start_in: nonEmpty.optional(),
  allow_failure: allowFailure.optional(),
  needs: z.array(z.union([str, z.strictObject({ job: nonEmpty, artifacts: z.boolean().optional(), optional: z.boolean().optional() })])).optional(),
  interruptible: z.boolean().optional(),
});
const cacheItem = z.strictObject({
  key: z.union([str.regex(/^[^/]*[^./][^/]*$/, 'a cache key cannot contain "/" or be "." / ".."'), z.strictObject({ files: z.array(str).min(1).max(2).optional(), files_commits: z.array(str).min(1).max(2).optional(), prefix: str.optional() })]).optional(),
  paths: z.array(str).optional(),
  policy: str.regex(/^(pull-push|pull|push|\$\w{1,255})$/, 'pull-push, pull, push or a $VARIABLE').optional(),
  unprotect: z.boolean().optional(),
  untracked: z.boolean().optional(),
  when: z.enum(['on_success', 'on_failure', 'always']).optional(),
  fallback_keys: z.array(str).max(5).optional(),
});
const cache = z.union([cacheItem, z.array(cacheItem)]);
const fileList = z.union([str, z.array(str)]);
const artifacts = z.strictObject({
  paths: z.array(str).min(1).optional(),
  exclude: z.array(str).min(1).optional(),
  expose_as: str.optional(),
  name: str.optional(),
  untracked: z.boolean().optional(),
  when: z.enum(['on_success', 'on_failure', 'always']).optional(),
  access: z.enum(['none', 'developer', 'all']).optional(),
  expire_in: str.optional(),
  reports: z
    .strictObject({
      accessibility: str.optional(),
      annotations: str.optional(),
      junit: fileList.optional(),
      browser_performance: str.optional(),
      coverage_report: z.strictObject({ coverage_format: z.enum(['cobertura', 'jacoco']), path: nonEmpty }).optional(),
      codequality: fileList.optional(),
      dotenv: fileList.optional(),
      lsif: fileList.optional(),
      sast: fileList.optional(),
      dependency_scanning: fileList.optional(),
      container_scanning: fileList.optional(),
      dast: fileList.optional(),
      license_scanning: fileList.optional(),
      requirements: fileList.optional(),
      secret_detection: fileList.optional(),
      metrics: fileList.optional(),
      terraform: fileList.optional(),
      cyclonedx: fileList.optional(),
      load_performance: fileList.optional(),
      repository_xray: fileList.optional(),
    })
    .optional(),
});
const retryWhen = z.enum([
  'always',
  'unknown_failure',
  'script_failure',
  'api_failure',
  'stuck_or_timeout_failure',
  'runner_system_failure',
  'runner_unsupported',
  'stale_schedule',
  'job_execution_timeout',
  'archived_failure',
  'unmet_prerequisites',
  'scheduler_failure',
  'data_integrity_failure',
  'runner_provisioning_timeout',
]);
const retryMax = z.number().int().min(0).max(2);
const retry = z.union([retryMax, z.strictObject({ max: retryMax.optional(), when: z.union([retryWhen, z.array(retryWhen)]).optional(), exit_codes: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional() })]);
const environment = z.union([
  str,
  z.strictObject({
    name: nonEmpty,
    url: str.regex(/^(https?:\/\/.+|\$[A-Za-z_]+)/, 'an http(s) URL or a $VARIABLE').optional(),
    on_stop: str.optional(),
    action: z.enum(['start', 'prepare', 'stop', 'verify', 'access']).optional(),
    auto_stop_in: str.optional(),
    kubernetes: z.strictObject({ agent: str.optional(), namespace: nonEmpty.optional(), flux_resource_path: str.optional(), dashboard: z.strictObject({ namespace: nonEmpty.optional(), flux_resource_path: str.optional() }).optional() }).optional(),
    deployment_tier: z.enum(['production', 'staging', 'testing', 'development', 'other']).optional(),
  }),
]);
const idTokens = z.record(str, z.strictObject({ aud: z.union([str, z.array(str).min(1)]) }));
const secrets = z.record(
  str,
  z.strictObject({
    vault: z.union([str, z.strictObject({ engine: z.strictObject({ name: str, path: str }), path: str, field: str })]).optional(),
    gcp_secret_manager: z.strictObject({ name: str, version: z.union([str, z.number().int()]).optional() }).optional(),
    azure_key_vault: z.strictObject({ name: str, version: str.optional() }).optional(),
    aws_secrets_manager: z.union([str, z.strictObject({ secret_id: str, version_id: str.optional(), version_stage: str.optional(), region: str.optional(), role_arn: str.optional(), role_session_name: str.optional(), field: str.optional() })]).optional(),
    file: z.boolean().optional(),
    token: str.optional(),
  }),
);
const filterRefs = z.array(str);
const filter = z.union([filterRefs, z.strictObject({ refs: filterRefs.optional(), kubernetes: z.literal('active').optional(), variables: z.array(str).optional(), changes: z.array(str).optional() })]);
const includeItem = z.union([
  str,
  z.strictObject({ local: str, inputs: z.record(str, z.unknown()).optional(), rules: z.array(z.unknown()).optional() }),
  z.strictObject({ project: str, file: strOrList, ref: str.optional(), inputs: z.record(str, z.unknown()).optional(), rules: z.array(z.unknown()).optional() }),
  z.strictObject({ remote: str, integrity: str.optional(), inputs: z.record(str, z.unknown()).optional(), rules: z.array(z.unknown()).optional() }),
  z.strictObject({ template: str, inputs: z.record(str, z.unknown()).optional(), rules: z.array(z.unknown()).optional() }),
  z.strictObject({ component: str, inputs: z.record(str, z.unknown()).optional(), rules: z.array(z.unknown()).optional() }),
]);
const trigger = z.union([
  str,
  z.strictObject({ project: str, branch: str.optional(), strategy: z.enum(['depend', 'mirror']).optional(), inputs: z.record(str, z.unknown()).optional(), forward: z.strictObject({ yaml_variables: z.boolean().optional(), pipeline_variables: z.boolean().optional() }).optional() }),
  z.strictObject({ include: z.union([str, z.array(z.record(str, z.unknown())).max(3)]), strategy: z.enum(['depend', 'mirror']).optional(), forward: z.strictObject({ yaml_variables: z.boolean().optional(), pipeline_variables: z.boolean().optional() }).optional() }),
]);

/** The keywords of a job (after `extends` is merged). */
export const gitlabJobSchema = z.strictObject({
  stage: nonEmpty.optional(),
  image: image.optional(),
  services: services.optional(),
  script: script.optional(),
  before_script: optionalScript.optional(),
  after_script: optionalScript.optional(),
  hooks: z.strictObject({ pre_get_sources_script: optionalScript.optional() }).optional(),
  run: z.array(z.unknown()).optional(),
  needs: z.array(needsItem).optional(),
  dependencies: z.array(str).optional(),
  rules: z.array(rule).optional(),
  only: filter.optional(),
  except: filter.optional(),
  environment: environment.optional(),
  when: when.optional(),
  start_in: nonEmpty.optional(),
  manual_confirmation: str.optional(),
  artifacts: artifacts.optional(),
  cache: cache.optional(),
  tags: z.array(nonEmpty).min(1).optional(),
  timeout: nonEmpty.optional(),
  resource_group: str.optional(),
  interruptible: z.boolean().optional(),
  retry: retry.optional(),
  extends: strOrList.optional(),
  parallel: z.union([z.number().int().min(1).max(200), z.strictObject({ matrix: z.array(z.record(str, z.union([str, z.number(), z.array(str)]))).max(200) })]).optional(),
  trigger: trigger.optional(),
  inherit: z.strictObject({ default: z.union([z.boolean(), z.array(z.enum(['after_script', 'artifacts', 'before_script', 'cache', 'image', 'interruptible', 'retry', 'services', 'tags', 'timeout']))]).optional(), variables: z.union([z.boolean(), z.array(str)]).optional() }).optional(),
  id_tokens: idTokens.optional(),
  identity: z.literal('google_cloud').optional(),
  secrets: secrets.optional(),
  coverage: str.regex(/^\/.+\/$/, 'a regular expression between slashes').optional(),
  allow_failure: allowFailure.optional(),
  variables: jobVariables.optional(),
  release: z.strictObject({ tag_name: nonEmpty, tag_message: str.optional(), description: nonEmpty, name: str.optional(), ref: str.optional(), milestones: z.array(str).optional(), released_at: str.optional(), assets: z.strictObject({ links: z.array(z.strictObject({ name: nonEmpty, url: nonEmpty, filepath: str.optional(), link_type: z.enum(['runbook', 'package', 'image', 'other']).optional() })).min(1) }).optional() }).optional(),
  pages: z.union([z.boolean(), z.strictObject({ path_prefix: str.optional(), expire_in: str.optional(), publish: str.optional() })]).optional(),
  publish: str.optional(),
  inputs: z.record(str, z.unknown()).optional(),
  dast_configuration: z.strictObject({ site_profile: str.optional(), scanner_profile: str.optional() }).optional(),
});

/** The global keywords. */
export const gitlabGlobalSchema = z.strictObject({
  stages: z.array(nonEmpty).min(1).optional(),
  variables: globalVariables.optional(),
  default: z
    .strictObject({
      after_script: optionalScript.optional(),
      artifacts: artifacts.optional(),
      before_script: optionalScript.optional(),
      hooks: z.strictObject({ pre_get_sources_script: optionalScript.optional() }).optional(),
      cache: cache.optional(),
      image: image.optional(),
      interruptible: z.boolean().optional(),
      id_tokens: idTokens.optional(),
      identity: z.literal('google_cloud').optional(),
      retry: retry.optional(),
      services: services.optional(),
      tags: z.array(nonEmpty).min(1).optional(),
      timeout: nonEmpty.optional(),
    })
    .optional(),
  workflow: z
    .strictObject({
      name: z.string().min(1).max(255).optional(),
      auto_cancel: z.strictObject({ on_job_failure: z.enum(['none', 'all']).optional(), on_new_commit: z.enum(['conservative', 'interruptible', 'none']).optional() }).optional(),
      rules: z.array(z.strictObject({ if: str.optional(), changes: changes.optional(), exists: exists.optional(), variables: z.record(str, variableValue).optional(), when: z.enum(['always', 'never']).optional(), auto_cancel: z.strictObject({ on_job_failure: z.enum(['none', 'all']).optional(), on_new_commit: z.enum(['conservative', 'interruptible', 'none']).optional() }).optional() })).optional(),
    })
    .optional(),
  include: z.union([includeItem, z.array(includeItem)]).optional(),
  image: image.optional(),
  services: services.optional(),
  cache: cache.optional(),
  before_script: optionalScript.optional(),
  after_script: optionalScript.optional(),
  spec: z.strictObject({ inputs: z.record(str, z.unknown()).optional() }).optional(),
});

/** Top-level keys that are not jobs (the keys of gitlabGlobalSchema). */
export const GITLAB_GLOBAL_KEYWORDS: ReadonlySet<string> = new Set(Object.keys(gitlabGlobalSchema.shape));
/** Stages a pipeline has when `stages` is not set; .pre and .post exist in every pipeline. */
export const GITLAB_DEFAULT_STAGES = ['build', 'test', 'deploy'] as const;

const UNITS: Readonly<Record<string, number>> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, wk: 604800, wks: 604800, week: 604800, weeks: 604800,
  mo: 2592000, mos: 2592000, month: 2592000, months: 2592000,
  y: 31557600, yr: 31557600, yrs: 31557600, year: 31557600, years: 31557600,
};

/**
 * Seconds of a GitLab duration (`timeout`, `start_in`, `expire_in`): "1h 30m", "3 hours 30 minutes", "90 minutes",
 * "1h30m", "2 days and 4h", a bare number of seconds. undefined when it does not parse.
 */
export function parseGitlabDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const re = /(\d+(?:\.\d+)?)\s*([a-z]+)/g;
  let total = 0;
  let consumed = '';
  for (const m of t.matchAll(re)) {
    const unit = UNITS[m[2]!];
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    consumed += m[0];
  }
  const rest = t.replace(re, '').replace(/\band\b|[\s,]/g, '');
  return consumed && rest === '' ? total : undefined;
}

type Json = unknown;
const isRecord = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

class ReferenceTag {
  constructor(readonly path: readonly unknown[]) {}
}

/** GitLab's extends merge: hashes deep-merged, anything else (lists included) replaced by the child's value. */
function deepMerge(base: Record<string, Json>, over: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isRecord(out[k]) && isRecord(v) ? deepMerge(out[k] as Record<string, Json>, v) : v;
  return out;
}

function list(v: Json): string[] {
  return typeof v === 'string' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** Every problem of one .gitlab-ci.yml. */
export function gitlabCiProblems(content: string): string[] {
  const problems: string[] = [];
  const doc = parseDocument(content, {
    merge: true,
    customTags: [{ tag: '!reference', collection: 'seq', resolve: (seq) => new ReferenceTag(isSeq(seq) ? seq.toJSON() : []) }],
  });
  if (doc.errors.length > 0) return doc.errors.map((e) => `YAML: ${e.message.split('\n')[0]}`);
  const raw = doc.toJS() as Json;
  if (!isRecord(raw)) return ['the file is not a mapping of keywords and jobs'];

  // !reference [key, key…]: replaced by the value it points to, as GitLab does before anything else.
  const resolve = (v: Json, where: string, depth = 0): Json => {
    if (v instanceof ReferenceTag) {
      let target: Json = raw;
      for (const k of v.path) target = isRecord(target) && typeof k === 'string' ? target[k] : undefined;
      if (target === undefined || depth > 10) {
        problems.push(`${where}: !reference [${v.path.join(', ')}] does not resolve`);
        return '';
      }
      return resolve(target, where, depth + 1);
    }
    if (Array.isArray(v)) return v.map((x) => resolve(x, where, depth));
    if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x, where ? `${where}.${k}` : k, depth)]));
    return v;
  };
  const config = resolve(raw, '') as Record<string, Json>;

  const globals: Record<string, Json> = {};
  const entries = new Map<string, Record<string, Json>>();
  for (const [key, value] of Object.entries(config)) {
    if (GITLAB_GLOBAL_KEYWORDS.has(key)) globals[key] = value;
    else if (key.startsWith('.')) {
      if (isRecord(value)) entries.set(key, value);
    } else if (!isRecord(value)) problems.push(`${key}: a job must be a mapping of keywords (got ${value === null ? 'null' : typeof value})`);
    else entries.set(key, value);
  }
  const g = gitlabGlobalSchema.safeParse(globals);
  if (!g.success) for (const issue of g.error.issues) problems.push(`${dottedPath(issue.path)}: ${issueMessage(issue)}`);

  // extends, resolved recursively (GitLab allows 11 levels).
  const merged = new Map<string, Record<string, Json>>();
  const resolveExtends = (name: string, chain: string[]): Record<string, Json> => {
    const done = merged.get(name);
    if (done) return done;
    const job = entries.get(name)!;
    let base: Record<string, Json> = {};
    for (const parent of list(job.extends)) {
      if (chain.includes(parent)) {
        problems.push(`${name}: extends loop ${[...chain, parent].join(' → ')}`);
        continue;
      }
      if (!entries.has(parent)) {
        problems.push(`${name}: extends "${parent}", which is not defined in this file`);
        continue;
      }
      if (chain.length > 10) {
        problems.push(`${name}: extends nests more than 11 levels`);
        continue;
      }
      base = deepMerge(base, resolveExtends(parent, [...chain, parent]));
    }
    const { extends: _extends, ...own } = job;
    const result = deepMerge(base, own);
    merged.set(name, result);
    return result;
  };

  const jobs = new Map<string, Record<string, Json>>();
  for (const name of entries.keys()) {
    const job = resolveExtends(name, [name]);
    if (!name.startsWith('.')) jobs.set(name, job);
  }
  if (jobs.size === 0) problems.push('no visible job: a pipeline needs at least one job whose name does not start with "."');

  const declared = Array.isArray(globals.stages) ? (globals.stages as Json[]).filter((s): s is string => typeof s === 'string') : [...GITLAB_DEFAULT_STAGES];
  const stages = ['.pre', ...declared, '.post'];
  const stageOf = (job: Record<string, Json>) => (typeof job.stage === 'string' ? job.stage : 'test');
  const defaultTimeout = isRecord(globals.default) ? globals.default.timeout : undefined;
  if (typeof defaultTimeout === 'string' && parseGitlabDuration(defaultTimeout) === undefined) problems.push(`default.timeout: "${defaultTimeout}" is not a duration (e.g. "1h 30m", "45 minutes")`);

  for (const [name, job] of jobs) {
    const parsed = gitlabJobSchema.safeParse(job);
    if (!parsed.success) for (const issue of parsed.error.issues) problems.push(`${name}: ${issue.path.length > 0 ? `${dottedPath(issue.path)}: ` : ''}${issueMessage(issue)}`);
    if (job.script === undefined && job.trigger === undefined && job.run === undefined) problems.push(`${name}: a job needs a script (or trigger, or run)`);
    const stage = stageOf(job);
    if (!stages.includes(stage)) problems.push(`${name}: stage "${stage}" is not in stages (${declared.join(', ')})${job.stage === undefined ? ' (a job without stage is in "test")' : ''}`);
    const myIndex = stages.indexOf(stage);
    // Stage order is only judged between declared stages (an undeclared one is reported above).
    const laterStage = (other: string) => myIndex >= 0 && stages.indexOf(stageOf(jobs.get(other)!)) > myIndex;
    if (Array.isArray(job.needs)) {
      for (const n of job.needs) {
        const target = typeof n === 'string' ? n : isRecord(n) && typeof n.job === 'string' && n.pipeline === undefined && n.project === undefined ? n.job : undefined;
        if (target === undefined) continue;
        if (!jobs.has(target)) {
          if (!(isRecord(n) && n.optional === true)) problems.push(`${name}: needs "${target}", which is not a job of this pipeline`);
        } else if (target === name) problems.push(`${name}: needs itself`);
        else if (laterStage(target)) problems.push(`${name}: needs "${target}", which is in a later stage (${stageOf(jobs.get(target)!)})`);
      }
    }
    for (const d of list(job.dependencies)) {
      if (!jobs.has(d)) problems.push(`${name}: dependencies names "${d}", which is not a job of this pipeline`);
      else if (laterStage(d) || d === name) problems.push(`${name}: dependencies names "${d}", which does not run before it`);
    }
    for (const key of ['timeout', 'start_in'] as const) {
      const v = job[key];
      if (typeof v === 'string' && parseGitlabDuration(v) === undefined) problems.push(`${name}: ${key} "${v}" is not a duration (e.g. "1h 30m", "45 minutes")`);
    }
    if (job.when === 'delayed' && job.start_in === undefined) problems.push(`${name}: when: delayed needs start_in`);
    if (isRecord(job.environment) && typeof job.environment.on_stop === 'string' && !jobs.has(job.environment.on_stop)) problems.push(`${name}: environment.on_stop names "${job.environment.on_stop}", which is not a job of this pipeline`);
  }
  return problems;
}

function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown keyword${issue.keys.length === 1 ? '' : 's'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union') {
    // The form that came closest (fewest issues) says best what is wrong.
    const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0]?.[0];
    return closest ? `invalid value (${closest.path.length > 0 ? `${dottedPath(closest.path)}: ` : ''}${issueMessage(closest)})` : 'invalid value';
  }
  return issue.message;
}

export const gitlabCiValidator: Validator = {
  name: 'gitlab-ci',
  description:
    "A strict schema of .gitlab-ci.yml keywords from GitLab's CI/CD YAML reference (unknown keys rejected in jobs, default, workflow and their objects), with extends merged and !reference resolved as GitLab does, plus pipeline checks: each job's stage is declared, needs / dependencies name existing jobs of the same or an earlier stage, extends names exist, environment objects have a name, timeouts parse as durations, at least one visible job",
  kinds: ['gitlab-ci'],
  async available() {
    return { ok: true };
  },
  async validate({ artifacts }) {
    return artifacts.map((a): Verdict => {
      const problems = gitlabCiProblems(a.content);
      return problems.length === 0
        ? { path: a.path, validator: this.name, verdict: 'pass', message: 'keywords, stages, needs and extends check out' }
        : { path: a.path, validator: this.name, verdict: 'fail', message: firstLines(problems.join('\n'), 12) };
    });
  },
};
