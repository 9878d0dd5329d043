import { mkdirSync } from 'node:fs';
import { relative } from 'node:path';
import { z } from 'zod';
import { writeBundleArchive, writeBundleDirectory } from '../bundle/export.js';
import { resolveUnderRoot } from '../bundle/paths.js';
import { sha256 } from '../artifacts/artifact.js';
import { defineTool } from './tool.js';
import { pipelineId } from './shared.js';

const MAX_EMBEDDED_ARCHIVE = 5 * 1024 * 1024;

export const ExportBundleInput = z.strictObject({
  pipeline_id: pipelineId,
  directory: z.string().min(1).max(1024).optional().describe('Relative path under the export root; the pipeline name when absent (".tar.gz" is added for archives)'),
  format: z.enum(['directory', 'tar.gz']).default('directory'),
  overwrite: z.boolean().default(false).describe('Replace an existing export at that path'),
});

export const ExportBundleOutput = z.object({
  pipeline_id: z.string(),
  format: z.enum(['directory', 'tar.gz']),
  path: z.string().describe('Absolute path of the written folder or archive'),
  relative_path: z.string().describe('Path relative to the export root'),
  files: z.number(),
  bytes: z.number(),
  manifest_sha256: z.string(),
  stale_phases: z.array(z.string()).describe('Phases whose files in the bundle are stale'),
});

export const exportBundle = defineTool({
  name: 'export_bundle',
  title: 'Export the bundle',
  description:
    'Writes the pipeline\'s current files plus manifest.json (spec, options, every file with kind, phase and sha256) to a folder under the server\'s export root, or as a .tar.gz (also returned inline when small). Paths outside the export root are refused.',
  input: ExportBundleInput,
  output: ExportBundleOutput,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  async handler(args, { app, actor }) {
    const { view, files } = app.service.bundle(args.pipeline_id);
    const manifest = files.find((f) => f.path === 'manifest.json')!;
    mkdirSync(app.config.exportRoot, { recursive: true });
    const stale = view.phases.filter((s) => s.status === 'stale').map((s) => s.phase);
    let rel = args.directory ?? view.spec.name;
    if (args.format === 'tar.gz' && !rel.endsWith('.tar.gz')) rel = `${rel}.tar.gz`;
    const target = resolveUnderRoot(app.config.exportRoot, rel, 'directory');
    const relative_path = relative(app.config.exportRoot, target) || rel;
    let bytes: number;
    let archive: Buffer | undefined;
    if (args.format === 'directory') {
      ({ bytes } = await writeBundleDirectory(target, files, args.overwrite));
    } else {
      ({ bytes, archive } = await writeBundleArchive(target, view.spec.name, files, args.overwrite));
    }
    app.store.appendEvent(args.pipeline_id, 'bundle.exported', actor, { format: args.format, relative_path, files: files.length });
    const structured = {
      pipeline_id: args.pipeline_id,
      format: args.format,
      path: target,
      relative_path,
      files: files.length,
      bytes,
      manifest_sha256: sha256(manifest.content),
      stale_phases: stale,
    };
    const text = [
      `Wrote ${files.length} files (${bytes.toLocaleString('en-US')} bytes) to ${target}.`,
      stale.length ? `Warning: ${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} stale; re-run with run_pipeline for a current bundle.` : '',
    ]
      .filter(Boolean)
      .join('\n');
    const content =
      archive && archive.length <= MAX_EMBEDDED_ARCHIVE
        ? [{ type: 'resource' as const, resource: { uri: `mlops://pipelines/${args.pipeline_id}/bundle.tar.gz`, mimeType: 'application/gzip', blob: archive.toString('base64') } }]
        : undefined;
    return { structured, text, content };
  },
});
