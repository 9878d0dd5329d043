import { describe, expect, it } from 'vitest';
import { artifact, type Artifact } from '../../src/artifacts/artifact.js';
import { toYaml } from '../../src/generators/serializers/yaml.js';
import { amtoolValidator } from '../../src/validate/validators/amtool.js';
import { writeArtifacts } from '../helpers/phaseHarness.js';

const CONFIG = {
  route: {
    receiver: 'ticket',
    group_by: ['alertname'],
    routes: [
      { receiver: 'hook', matchers: ['retraining_trigger="true"'], continue: true },
      { receiver: 'page', matchers: ['severity="critical"'] },
    ],
  },
  receivers: [{ name: 'ticket' }, { name: 'page' }, { name: 'hook', webhook_configs: [{ url: 'http://trigger.monitoring.svc:8080/alerts' }] }],
};

const config = (content: unknown, path = 'monitoring/alertmanager/alertmanager.yml') => artifact('test', path, 'alertmanager', typeof content === 'string' ? content : toYaml(content));
const routes = (tests: unknown[], configFile = 'alertmanager.yml') => artifact('test', 'monitoring/alertmanager/route-tests.yaml', 'alertmanager-routes-test', toYaml({ config: configFile, tests }));

async function check(files: Artifact[]) {
  const root = writeArtifacts(files);
  return amtoolValidator.validate({ artifacts: files, root, bundle: files });
}

describe('amtool validator', () => {
  it('is available where prometheus-alertmanager is installed', async () => {
    expect(await amtoolValidator.available()).toMatchObject({ ok: true });
  });

  it('passes a good configuration and routing cases that reach their receivers (in tree order)', async () => {
    const verdicts = await check([
      config(CONFIG),
      routes([
        { labels: { severity: 'critical' }, receivers: ['page'] },
        { labels: { severity: 'critical', retraining_trigger: 'true' }, receivers: ['hook', 'page'] },
        { labels: { severity: 'warning' }, receivers: ['ticket'] },
      ]),
    ]);
    expect(verdicts.map((v) => v.verdict)).toEqual(['pass', 'pass']);
    expect(verdicts[1]!.message).toContain('3 routing case(s)');
  });

  it('fails a configuration with an unknown key', async () => {
    const [v] = await check([config({ ...CONFIG, route: { ...CONFIG.route, group_wiat: '10s' } })]);
    expect(v).toMatchObject({ verdict: 'fail' });
    expect(v!.message).toMatch(/group_wiat/);
  });

  it('fails a configuration routing to an undefined receiver', async () => {
    const [v] = await check([config({ ...CONFIG, route: { ...CONFIG.route, receiver: 'nobody' } })]);
    expect(v).toMatchObject({ verdict: 'fail' });
    expect(v!.message).toMatch(/nobody/);
  });

  it('fails a routing case expecting the wrong receiver, naming the first mismatch', async () => {
    const verdicts = await check([
      config(CONFIG),
      routes([
        { labels: { severity: 'critical' }, receivers: ['page'] },
        { name: 'warning pages', labels: { severity: 'warning' }, receivers: ['page'] },
        { labels: { severity: 'info' }, receivers: ['page'] },
      ]),
    ]);
    expect(verdicts[1]).toMatchObject({ verdict: 'fail' });
    expect(verdicts[1]!.message).toMatch(/^case 2 \(warning pages\): \{severity=warning\} expected \[page\]/);
  });

  it('fails a routing case that misses the continue receiver, and a malformed test file', async () => {
    const [, missing] = await check([config(CONFIG), routes([{ labels: { severity: 'critical', retraining_trigger: 'true' }, receivers: ['page'] }])]);
    expect(missing).toMatchObject({ verdict: 'fail' });
    const [bad] = await check([artifact('test', 'monitoring/alertmanager/route-tests.yaml', 'alertmanager-routes-test', toYaml({ tests: [] }))]);
    expect(bad).toMatchObject({ verdict: 'fail', message: expect.stringContaining('not a routing-test file') });
  });
});
