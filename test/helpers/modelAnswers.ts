import type { ResolvedSpec } from '../../src/spec/resolve.js';

/** A reply a well-behaved model could give: a narrative, one spec change and one recommendation. */
export function goodAnswer(spec: Pick<ResolvedSpec, 'slo'>, phase = 'data_engineer'): string {
  return JSON.stringify({
    narrative: `# Review of ${phase}\n\nThe p99 objective of ${spec.slo.p99_latency_ms} ms leaves little room for feature lookups.\n\n## Risks\n\n- <b>late</b> data\n\n\`\`\`python\nif a < b:\n    pass\n\`\`\``,
    spec_changes: [
      {
        title: 'Tighten the latency objective',
        rationale: 'Feature lookups take 20 ms; a tighter objective keeps headroom for retries.',
        patch: { slo: { p99_latency_ms: spec.slo.p99_latency_ms - 10 } },
      },
    ],
    design_decisions: [{ topic: 'Backfills', decision: 'Run backfills off-peak', rationale: 'the ledger is busiest at noon' }],
  });
}

export const MALFORMED = 'Sure! Here is my review: the pipeline looks great.';
