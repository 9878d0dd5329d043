import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engines/index.js';
import { createLogger } from '../../src/server/logger.js';
import { pipelineDetail } from '../../src/tools/get_pipeline.js';
import { tempDir } from '../helpers/tmp.js';

function twoProcessesOnOneFile() {
  const dir = tempDir();
  const open = () => createApp({ dbPath: join(dir, 'shared.db'), exportRoot: join(dir, 'exports'), engines: DEFAULT_ENGINE_SETTINGS }, createLogger('silent'));
  return [open(), open()] as const;
}

describe("get_pipeline's cached body", () => {
  it('is reused while nothing changes, and recomputed after any change, including one made through another connection', async () => {
    const [reader, writer] = twoProcessesOnOneFile();
    const { view } = writer.service.create({ requirements: 'Forecast daily demand per store' }, 'test');
    const id = view.pipeline.id;

    const first = pipelineDetail(reader, id);
    expect(pipelineDetail(reader, id)).toBe(first);

    writer.service.update(id, { slo: { p99_latency_ms: 250 } }, 'other-process');
    const afterUpdate = pipelineDetail(reader, id).detail;
    expect(afterUpdate.revision).toBe(2);
    expect(afterUpdate.spec.slo.p99_latency_ms).toBe(250);

    await writer.service.runPipeline(id, { actor: 'other-process', phases: ['data_engineer'] });
    expect(pipelineDetail(reader, id).detail.phases.find((p) => p.phase === 'data_engineer')!.status).toBe('succeeded');

    writer.team.review(id, 'data_engineer', 'approved', 'web:Ann');
    expect(pipelineDetail(reader, id).detail.phases.find((p) => p.phase === 'data_engineer')!.review?.reviewer).toBe('web:Ann');
    reader.store.close();
    writer.store.close();
  });

  it('is kept per pipeline: a change to one pipeline leaves the other correct', () => {
    const [app] = twoProcessesOnOneFile();
    const a = app.service.create({ requirements: 'Rank search results' }, 'test').view.pipeline.id;
    const b = app.service.create({ requirements: 'Detect anomalies in sensor data' }, 'test').view.pipeline.id;
    expect(pipelineDetail(app, a).detail.name).not.toBe(pipelineDetail(app, b).detail.name);
    app.service.update(b, { slo: { availability_pct: 99.5 } }, 'test');
    expect(pipelineDetail(app, a).detail.revision).toBe(1);
    expect(pipelineDetail(app, b).detail.revision).toBe(2);
    app.store.close();
  });
});
