/** The shapes the REST API returns (src/server/web/api.ts), as the UI reads them. */
export type PhaseStatus = 'not_run' | 'running' | 'succeeded' | 'failed' | 'stale';
export type ReviewVerdict = 'approved' | 'changes_requested';

export interface PhaseInfo {
  id: string;
  agent: string;
  stage: number;
  stageTitle: string;
  title: string;
  upstream: string[];
}

export interface Meta {
  version: string;
  auth_required: boolean;
  comment_max_chars: number;
  display_name_max: number;
  phases: PhaseInfo[];
  options: Record<string, { values: string[]; description: string }>;
}

export interface PipelineSummary {
  id: string;
  name: string;
  revision: number;
  options: Record<string, string>;
  phases: { phase: string; status: PhaseStatus; review: ReviewVerdict | null }[];
  created_at: string;
  updated_at: string;
  updated_by: string;
}

export interface Review {
  id: number;
  phase: string;
  run_id: string;
  verdict: ReviewVerdict;
  reviewer: string;
  comment: string | null;
  created_at: string;
}

export interface PhaseState {
  phase: string;
  agent: string;
  status: PhaseStatus;
  run_id: string | null;
  spec_revision: number | null;
  stale_reason: string | null;
  error: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  review: { verdict: ReviewVerdict; reviewer: string; comment: string | null; created_at: string } | null;
  engine: string | null;
  model: string | null;
  usage: { input_tokens: number; output_tokens: number; cost_usd: number | null } | null;
  engine_note: string | null;
}

/** A spec change an LLM engine proposed in a phase run; applied only when someone asks. */
export interface Suggestion {
  id: string;
  phase: string;
  run_id: string;
  title: string;
  rationale: string;
  patch: Record<string, unknown>;
  changes: string[];
  status: 'open' | 'applied' | 'dismissed' | 'superseded';
}

export interface Pipeline {
  pipeline_id: string;
  name: string;
  revision: number;
  updated_at: string;
  updated_by: string;
  spec: Record<string, unknown> & { options: Record<string, string>; requirements: string };
  phases: PhaseState[];
  reviews: Record<string, { latest: Review | null; reviews: Review[] }>;
  revisions: { revision: number; actor: string; created_at: string; changed_paths: string[] }[];
  suggestions: Suggestion[];
  next_step: string;
  last_event_id: number;
}

export interface FileEntry {
  path: string;
  kind: string;
  phase: string;
  bytes: number;
  verdict: 'pass' | 'fail' | 'unchecked' | null;
}

export interface FileContent {
  path: string;
  kind: string;
  phase: string;
  content: string;
  verdict: { verdict: string; current: boolean; results: { validator: string; verdict: string; message: string }[]; validated_at: string } | null;
}

export interface Comment {
  id: number;
  phase: string | null;
  artifact_path: string | null;
  line: number | null;
  author: string;
  body: string;
  created_at: string;
}

export interface RunSummary {
  id: string;
  phase: string;
  status: string;
  spec_revision: number;
  started_at: string;
}

export interface DiffResult {
  from: string;
  to: string;
  files: { path: string; change: 'added' | 'removed' | 'modified' | 'unchanged'; patch: string }[];
  summary: Record<string, number>;
}

export interface Criterion {
  id: string;
  group: string;
  criterion: string;
  target: string;
  status: 'met' | 'not_met' | 'no_evidence';
  evidence: string;
  phase: string | null;
}
