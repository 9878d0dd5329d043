import { createHash } from 'node:crypto';
import type {
  DataSourceRef,
  Dashboard as GrafanaDashboard,
  FieldColorModeId,
  FieldConfigSource,
  GraphFieldConfig,
  GraphThresholdsStyleMode,
  GridPos,
  LegendDisplayMode,
  LegendPlacement,
  Panel as GrafanaPanel,
  ReduceDataOptions,
  SortOrder,
  ThresholdsConfig,
  ThresholdsMode,
  TooltipDisplayMode,
  VariableModel,
  VizLegendOptions,
  VizOrientation,
  VizTooltipOptions,
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
} from '@grafana/schema';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { toJson } from '../../generators/serializers/json.js';
import { componentLabels } from '../mlops_engineer/naming.js';
import { dashboards, type Dashboard, type Panel, type Thresholds } from './dashboards.js';
import type { MonitoringPlan } from './plan.js';
import { duration } from './promql.js';

/**
 * Grafana dashboards (prometheus and custom stacks) rendered from the dashboard list of dashboards.ts, built as
 * typed objects of @grafana/schema's `Dashboard` (the model Grafana itself publishes) and serialised with toJson.
 * data/schemas/grafana-dashboard.schema.json (scripts/grafana-schema.mjs) is the same type as a JSON schema: the
 * `grafana-schema` validator checks every generated file against it.
 */

/** `schemaVersion` of @grafana/schema 13.2's defaultDashboard (a test checks it against the installed package). */
export const GRAFANA_SCHEMA_VERSION = 42;

/** Name of the data source template variable every panel and query refers to. */
export const DATASOURCE_VARIABLE = 'datasource';

/** The Grafana Helm chart's dashboard sidecar: ConfigMaps with this label are loaded, this annotation names the folder. */
export const SIDECAR_LABEL = { grafana_dashboard: '1' } as const;
export const SIDECAR_FOLDER_ANNOTATION = 'grafana_folder';

export const DASHBOARD_DIR = 'monitoring/grafana/dashboards';

export interface GrafanaDashboardFile {
  path: string;
  json: string;
  uid: string;
  title: string;
}

/**
 * A value of one of @grafana/schema's TypeScript enums from its literal. The package is a dev dependency (types
 * only, nothing of it loads at runtime), so enum members cannot be referenced; the template-literal type still
 * checks that the literal is one of the enum's values.
 */
function enumValue<E extends string>(value: `${E}`): E {
  return value as unknown as E;
}

const DS: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** Grafana's own annotation source (alerts and manual annotations): a fixed uid, not a variable. */
const GRAFANA_ANNOTATIONS: DataSourceRef = { type: 'grafana', uid: '-- Grafana --' };

/** A dashboard uid: `<pipeline>-<key>`, at most 40 characters of [a-zA-Z0-9-_] (long names keep a hash of the full name). */
export function dashboardUid(pipeline: string, key: string): string {
  const plain = `${pipeline}-${key}`.replace(/[^a-zA-Z0-9_-]/g, '-');
  if (plain.length <= 40) return plain;
  const hash = createHash('sha256').update(pipeline).digest('hex').slice(0, 6);
  const head = pipeline.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, Math.max(1, 40 - key.length - hash.length - 2));
  return `${head}-${hash}-${key}`.slice(0, 40);
}

function thresholdsConfig(t: Thresholds): ThresholdsConfig {
  return {
    mode: enumValue<ThresholdsMode>('absolute'),
    // null stands for -Infinity in Grafana's JSON.
    steps: [{ color: t.base, value: null }, ...t.steps.map((s) => ({ color: s.color, value: s.value }))],
  };
}

function fieldConfig(panel: Panel): FieldConfigSource {
  const custom: GraphFieldConfig | undefined =
    panel.kind === 'timeseries'
      ? {
          lineWidth: 1,
          fillOpacity: 10,
          spanNulls: false,
          thresholdsStyle: { mode: enumValue<GraphThresholdsStyleMode>(panel.thresholds ? 'dashed' : 'off') },
        }
      : undefined;
  return {
    defaults: {
      unit: panel.unit,
      ...(panel.min !== undefined ? { min: panel.min } : {}),
      ...(panel.max !== undefined ? { max: panel.max } : {}),
      color: { mode: enumValue<FieldColorModeId>(panel.kind === 'timeseries' ? 'palette-classic' : 'thresholds') },
      thresholds: thresholdsConfig(panel.thresholds ?? { base: 'green', steps: [] }),
      ...(custom ? { custom: { ...custom } } : {}),
    },
    overrides: (panel.seriesThresholds ?? []).map((s) => ({
      matcher: { id: 'byName', options: s.series },
      properties: [{ id: 'thresholds', value: thresholdsConfig(s.thresholds) }],
    })),
  };
}

const REDUCE_LAST: ReduceDataOptions = { calcs: ['lastNotNull'], fields: '', values: false };

interface TimeSeriesOptions {
  legend: VizLegendOptions;
  tooltip: VizTooltipOptions;
}

interface StatOptions {
  reduceOptions: ReduceDataOptions;
  orientation: VizOrientation;
  colorMode: BigValueColorMode;
  graphMode: BigValueGraphMode;
  textMode: BigValueTextMode;
}

interface BarGaugeOptions {
  reduceOptions: ReduceDataOptions;
  orientation: VizOrientation;
  displayMode: BarGaugeDisplayMode;
  showUnfilled: boolean;
}

function panelOptions(panel: Panel): TimeSeriesOptions | StatOptions | BarGaugeOptions {
  switch (panel.kind) {
    case 'timeseries':
      return {
        legend: { displayMode: enumValue<LegendDisplayMode>('table'), placement: enumValue<LegendPlacement>('bottom'), showLegend: true, calcs: ['lastNotNull', 'max'] },
        tooltip: { mode: enumValue<TooltipDisplayMode>('multi'), sort: enumValue<SortOrder>('desc') },
      };
    case 'stat':
      return {
        reduceOptions: REDUCE_LAST,
        orientation: enumValue<VizOrientation>('auto'),
        colorMode: enumValue<BigValueColorMode>('value'),
        graphMode: enumValue<BigValueGraphMode>('area'),
        textMode: enumValue<BigValueTextMode>('auto'),
      };
    case 'bargauge':
      return {
        reduceOptions: REDUCE_LAST,
        orientation: enumValue<VizOrientation>('horizontal'),
        displayMode: enumValue<BarGaugeDisplayMode>('gradient'),
        showUnfilled: true,
      };
  }
}

/**
 * Left-to-right flow on the 24-column grid: a panel that does not fit starts a new row below the tallest panel of
 * the row, and the last panel of a row widens to the right edge so no row leaves a gap.
 */
export function layout(panels: readonly Pick<Panel, 'width' | 'height'>[]): GridPos[] {
  const rows: GridPos[][] = [];
  let row: GridPos[] = [];
  let x = 0;
  let y = 0;
  const close = () => {
    const last = row.at(-1);
    if (last) last.w = 24 - last.x;
    y += Math.max(0, ...row.map((g) => g.h));
    rows.push(row);
    row = [];
    x = 0;
  };
  for (const p of panels) {
    const w = Math.min(24, Math.max(1, Math.round(p.width)));
    if (x + w > 24) close();
    row.push({ x, y, w, h: Math.max(1, Math.round(p.height)) });
    x += w;
  }
  close();
  return rows.flat();
}

function grafanaPanel(panel: Panel, id: number, gridPos: GridPos): GrafanaPanel {
  const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  return {
    id,
    type: panel.kind,
    title: panel.title,
    description: panel.description,
    datasource: DS,
    gridPos,
    targets: panel.queries.map((q, i) => ({
      refId: refIds[i] ?? `Q${i}`,
      datasource: DS,
      expr: q.expr,
      legendFormat: q.legend,
      range: panel.kind !== 'bargauge',
      instant: panel.kind === 'bargauge',
    })),
    fieldConfig: fieldConfig(panel),
    options: { ...panelOptions(panel) },
  };
}

const TIME_FROM: Record<string, (p: MonitoringPlan) => string> = {
  serving: () => 'now-6h',
  'model-quality': (p) => `now-${Math.max(7, Math.ceil((p.quality.labelDelayHours + p.quality.windowHours) / 24) * 2)}d`,
  drift: (p) => `now-${Math.max(24, 2 * p.drift.windowHours)}h`,
  'data-quality': () => 'now-24h',
  cost: () => 'now/M',
};

/** The typed Grafana dashboard of one entry of the dashboard list. */
export function grafanaDashboard(p: MonitoringPlan, board: Dashboard, all: readonly Dashboard[] = [board]): GrafanaDashboard {
  const positions = layout(board.panels);
  const stack = p.spec.options.monitoring_stack;
  const datasource: VariableModel = {
    name: DATASOURCE_VARIABLE,
    label: 'Prometheus',
    description: stack === 'custom' ? 'Prometheus that the OpenTelemetry Collector feeds (Prometheus exposition)' : 'Prometheus scraping the pipeline',
    type: 'datasource',
    query: 'prometheus',
    hide: 0,
    refresh: 1,
    regex: '',
    skipUrlSync: false,
  };
  return {
    uid: dashboardUid(p.pipeline, board.key),
    title: board.title,
    description: board.description,
    tags: ['mlops-mcp', p.pipeline, board.key, stack],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    schemaVersion: GRAFANA_SCHEMA_VERSION,
    version: 1,
    refresh: duration(Math.max(30, p.timing.scrapeSeconds)),
    time: { from: (TIME_FROM[board.key] ?? (() => 'now-7d'))(p), to: 'now' },
    timepicker: {},
    templating: { list: [datasource] },
    annotations: {
      list: [{ builtIn: 1, datasource: GRAFANA_ANNOTATIONS, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }],
    },
    links:
      all.length > 1
        ? [{ title: `${p.pipeline} dashboards`, type: 'dashboards', tags: ['mlops-mcp', p.pipeline], asDropdown: true, includeVars: true, keepTime: true, icon: 'external link', targetBlank: false, tooltip: '' }]
        : [],
    panels: board.panels.map((panel, i) => grafanaPanel(panel, i + 1, positions[i]!)),
  };
}

/** One JSON file per dashboard at monitoring/grafana/dashboards/<key>.json (kind grafana-dashboard). */
export function grafanaDashboards(p: MonitoringPlan, boards: Dashboard[] = dashboards(p)): GrafanaDashboardFile[] {
  return boards.map((board) => {
    const dashboard = grafanaDashboard(p, board, boards);
    return { path: `${DASHBOARD_DIR}/${board.key}.json`, json: toJson(dashboard), uid: dashboard.uid!, title: board.title };
  });
}

/**
 * The dashboards as ConfigMaps for the Grafana Helm chart's sidecar (`sidecar.dashboards.enabled`, label
 * `grafana_dashboard`; `sidecar.dashboards.folderAnnotation: grafana_folder` with
 * `provider.foldersFromFilesStructure: true` files them in a folder named after the pipeline). One ConfigMap
 * per dashboard, as the chart recommends.
 */
export function grafanaDashboardConfigMaps(p: MonitoringPlan, files: readonly GrafanaDashboardFile[]): IConfigMap[] {
  return files.map((f) => {
    const file = f.path.slice(f.path.lastIndexOf('/') + 1);
    const key = file.replace(/\.json$/, '');
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `${p.pipeline}-dashboard-${key}`,
        namespace: p.namespaces.monitoring,
        labels: { ...componentLabels(p.spec, 'dashboards', `${p.pipeline}-dashboards`), ...SIDECAR_LABEL },
        annotations: { [SIDECAR_FOLDER_ANNOTATION]: p.pipeline },
      },
      data: { [file]: f.json },
    };
  });
}
