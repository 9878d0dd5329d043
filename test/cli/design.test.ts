import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, requireBuild } from '../helpers/mcp.js';
import { tempDir } from '../helpers/tmp.js';

function cli(args: string[], env: Record<string, string> = {}) {
  requireBuild();
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('mlops-mcp design', () => {
  it('runs every phase offline from a YAML spec and option flags, and writes the bundle with a validation report', () => {
    const dir = tempDir();
    const specFile = join(dir, 'spec.yaml');
    writeFileSync(
      specFile,
      ['name: churn-nightly', 'problem:', '  type: binary_classification', '  target: churned', 'options:', '  deployment_mode: batch', 'team:', '  oncall: opsgenie', ''].join('\n'),
    );
    const out = join(dir, 'bundle');
    const r = cli(['design', 'Predict subscriber churn from our Snowflake warehouse', '--spec', specFile, '--cloud-provider', 'azure', '--out', out, '--db', join(dir, 'd.db')]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/Pipeline churn-nightly \(pl_[0-9a-f]+\) designed: 7 phases/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { options: Record<string, string>; spec: { problem: { target: string } }; files: unknown[] };
    expect(manifest.options).toMatchObject({ deployment_mode: 'batch', cloud_provider: 'azure' });
    expect(manifest.spec.problem.target).toBe('churned');
    const report = JSON.parse(readFileSync(join(out, 'validation-report.json'), 'utf8')) as { summary: { failed: number; files: number } };
    expect(report.summary.failed).toBe(0);
    expect(report.summary.files).toBe(manifest.files.length + 1);
    expect(existsSync(join(out, 'docs/phases/07-observability-engineer.md'))).toBe(true);
  });

  it('explains a bad option value and exits 2', () => {
    const dir = tempDir();
    const r = cli(['design', 'Predict churn', '--serving-platform', 'kubeflow', '--out', join(dir, 'o'), '--db', join(dir, 'd.db')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('spec.options.serving_platform: invalid value "kubeflow"; allowed: "kserve", "seldon", "torchserve", "triton"');
  });

  it('refuses to overwrite a non-empty folder without --force', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const r = cli(['design', 'Predict churn', '--out', dir, '--db', join(dir, 'd.db')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not empty; pass --force/);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('never replaces a folder that is not an earlier bundle, even with --force', () => {
    const dir = tempDir();
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'main.go'), 'package main');
    const r = cli(['design', 'Predict churn', '--out', project, '--force', '--db', join(dir, 'd.db')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/is not an earlier bundle/);
    expect(readFileSync(join(project, 'main.go'), 'utf8')).toBe('package main');
  });

  it('prints usage for unknown flags', () => {
    const r = cli(['design', 'x', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown option '--bogus'[\s\S]*Usage:/);
  });
});
