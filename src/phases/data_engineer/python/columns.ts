import type { FeatureType } from '../../../spec/schema.js';
import type { ResolvedSpec } from '../../../spec/resolve.js';
import { specFeatures, type DataPlan, type SourcePlan } from '../derive.js';

// The typed columns of one source, the same rules the JSON Schema of data/schemas/<source>.schema.json states:
// entity key, event time, the source's features and (for the label source) the label. The pydantic models and
// the expectation suites are derived from these, so the three contracts cannot disagree.

export type ColumnKind = 'key' | 'timestamp' | FeatureType | 'label';

export interface Column {
  name: string;
  kind: ColumnKind;
  /** For the label: the JSON type of its values (integer, number, string). */
  labelType?: 'integer' | 'number' | 'string';
  nullable: boolean;
  min?: number;
  max?: number;
  /** Allowed values (categorical categories or the label's enum); undefined when any value of the type goes. */
  allowed?: (string | number)[];
  protected: boolean;
}

export function sourceColumns(spec: ResolvedSpec, plan: DataPlan, s: SourcePlan): Column[] {
  const columns: Column[] = [
    { name: spec.data.entity_key, kind: 'key', nullable: false, protected: false },
    { name: spec.data.event_timestamp, kind: 'timestamp', nullable: false, protected: false },
  ];
  for (const f of specFeatures(spec).filter((x) => x.source === s.name)) {
    const numeric = f.type === 'numeric' || f.type === 'integer';
    const cats = f.type === 'categorical' && f.categories && f.categories.length > 0 ? [...f.categories] : undefined;
    columns.push({ name: f.name, kind: f.type, nullable: f.nullable, min: numeric ? f.min : undefined, max: numeric ? f.max : undefined, allowed: cats, protected: f.protected });
  }
  if (plan.label.source === s.name) {
    const labelType = plan.label.json_type === 'integer' || plan.label.json_type === 'string' ? plan.label.json_type : 'number';
    // Labels arrive late (label_delay_hours), so a record without one is valid.
    columns.push({ name: plan.label.column, kind: 'label', labelType, nullable: true, min: plan.label.minimum, allowed: plan.label.enum, protected: false });
  }
  return columns;
}

/** The two columns identifying one record (the merge keys of the ingestion config). */
export function mergeKeys(spec: ResolvedSpec): string[] {
  return [spec.data.entity_key, spec.data.event_timestamp];
}

/** Rows one validation run of the source is expected to see (a batch run, or a micro-batch for continuous sources). */
export function expectedRowsPerRun(s: SourcePlan, microBatchMinutes: number): number {
  return s.rows_per_run ?? Math.ceil((s.rows_per_day * microBatchMinutes) / 1440);
}

/** The volume bounds of a run before a 28-day baseline exists: 0.5x to 2x the expected rows. */
export function initialVolumeBounds(perRun: number): { min: number; max: number } {
  return { min: Math.floor(perRun * 0.5), max: Math.ceil(perRun * 2) };
}
