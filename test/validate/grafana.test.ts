import { beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../../src/artifacts/artifact.js';
import { grafanaDashboards } from '../../src/phases/observability_engineer/grafana.js';
import { buildPlan } from '../../src/phases/observability_engineer/plan.js';
import { checkGrafanaDashboard, grafanaValidator } from '../../src/validate/validators/grafana.js';
import { upstreamFor } from '../helpers/phaseHarness.js';
import { defaultSpec } from '../helpers/specs.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- samples are edited freely

/** A generated dashboard (the serving one of the default spec) as the good sample; broken samples are edits of it. */
let good: string;
beforeAll(() => {
  const spec = defaultSpec();
  good = grafanaDashboards(buildPlan(spec, upstreamFor(spec, 'observability_engineer')))[0]!.json;
});

function broken(edit: (d: Json) => void): string {
  const d = JSON.parse(good) as Json;
  edit(d);
  return JSON.stringify(d, null, 2);
}

const file = (path: string, content: string): Artifact => ({ path, kind: 'grafana-dashboard', phase: 'test', content });

describe('grafana-schema validator', () => {
  it('is available: the committed schema loads and names the @grafana/schema version it came from', async () => {
    const a = await grafanaValidator.available();
    expect(a).toEqual({ ok: true, version: expect.stringMatching(/^@grafana\/schema \d+\.\d+\.\d+$/) });
  });

  it('passes a generated dashboard', async () => {
    expect(checkGrafanaDashboard(good)).toEqual([]);
    const [v] = await grafanaValidator.validate({ artifacts: [file('d.json', good)], bundle: [], root: '/nonexistent' });
    expect(v).toMatchObject({ path: 'd.json', validator: 'grafana-schema', verdict: 'pass' });
  });

  it.each([
    ['a field of the wrong type', (d: Json) => void (d.schemaVersion = '42'), /schema \/schemaVersion: must be number/],
    ['a misspelt panel property', (d: Json) => void (d.panels[0].gridPoss = d.panels[0].gridPos), /unknown property "gridPoss"/],
    ['a threshold step of the wrong type', (d: Json) => void (d.panels[0].fieldConfig.defaults.thresholds.steps[0].value = 'low'), /thresholds\/steps\/0\/value/],
    ['a bad enum value', (d: Json) => void (d.graphTooltip = 7), /\/graphTooltip: must be equal to one of the allowed values/],
    ['a missing required field', (d: Json) => void delete d.schemaVersion, /must have required property 'schemaVersion'/],
    ['overlapping panels', (d: Json) => void (d.panels[1].gridPos = { ...d.panels[0].gridPos, x: d.panels[0].gridPos.x + 1 }), /panels 1 and 2 overlap/],
    ['a panel outside the 24 columns', (d: Json) => void (d.panels[0].gridPos.w = 30), /outside the 24-column grid/],
    ['duplicate panel ids', (d: Json) => void (d.panels[2].id = d.panels[0].id), /panel id 1 is used more than once/],
    ['an unknown data source variable', (d: Json) => void (d.panels[0].targets[0].datasource = { type: 'prometheus', uid: '${prom}' }), /data source variable \$prom is not defined in templating/],
    ['a data source variable of another type', (d: Json) => void (d.templating.list[0].type = 'custom'), /\$datasource is a custom variable, not a datasource one/],
    ['a panel data source without a uid', (d: Json) => void (d.panels[0].datasource = { type: 'prometheus' }), /data source without a uid/],
    ['an empty query', (d: Json) => void (d.panels[0].targets[0].expr = '  '), /query A: empty or missing expr/],
    ['an invalid uid', (d: Json) => void (d.uid = 'has spaces and is much longer than forty characters'), /uid .* must be 1-40 characters/],
  ])('fails %s', async (_name, edit, message) => {
    const text = broken(edit);
    expect(checkGrafanaDashboard(text).join('\n')).toMatch(message);
    const [v] = await grafanaValidator.validate({ artifacts: [file('d.json', text)], bundle: [], root: '/nonexistent' });
    expect(v!.verdict).toBe('fail');
  });

  it('fails text that is not JSON', () => {
    expect(checkGrafanaDashboard('{"title": ')).toEqual([expect.stringMatching(/^not JSON/)]);
  });

  it('accepts a fixed data source uid and $name references, and checks the panels of collapsed rows', () => {
    const ok = broken((d) => {
      d.panels[0].datasource = { type: 'prometheus', uid: 'prometheus-main' };
      d.panels[1].targets[0].datasource = { type: 'prometheus', uid: '$datasource' };
    });
    expect(checkGrafanaDashboard(ok)).toEqual([]);
    const rows = broken((d) => {
      const [a, b] = d.panels;
      d.panels = [{ type: 'row', id: 100, title: 'row', collapsed: true, gridPos: { x: 0, y: 0, w: 24, h: 1 }, panels: [a, { ...b, gridPos: a.gridPos }] }];
    });
    expect(checkGrafanaDashboard(rows).join('\n')).toMatch(/row 100: panels 1 and 2 overlap/);
  });
});
