// Child process for the two-process test: opens the same database file and writes revisions and events.
import { Store } from '../../src/store/store.js';
import { resolveSpec } from '../../src/spec/resolve.js';

const [dbPath, pipelineId, countText, actor] = process.argv.slice(2);
const store = new Store(dbPath!);
const base = store.getRevision(pipelineId!)!.spec;
for (let i = 0; i < Number(countText); i++) {
  const spec = resolveSpec({ ...base, scale: { ...base.scale, peak_rps: 1000 + i } });
  store.addRevision({ pipelineId: pipelineId!, spec, patch: { i }, changedPaths: ['scale.peak_rps'], actor: actor!, stale: { phases: [], reason: '' } });
  store.appendEvent(pipelineId!, 'test.tick', actor!, { i });
}
store.close();
