import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelArtifactUri, modelFetch } from '../../../src/phases/mlops_engineer/cloud.js';
import { defaultSpec } from '../../helpers/specs.js';
import { withOptions } from './objects.js';

describe('the model-fetch init container leaves the prefix contents at the top of the model folder', () => {
  it('azure: download-batch keeps the blob path, so the files are moved up (as s3 sync and gcloud rsync leave them)', () => {
    const spec = withOptions(defaultSpec(), { cloud_provider: 'azure' });
    const target = mkdtempSync(join(tmpdir(), 'models-'));
    const fetch = modelFetch(spec, 'fraud', target);
    const prefix = /\.dfs\.core\.windows\.net\/(.+)$/.exec(modelArtifactUri(spec, 'fraud'))![1]!;
    // A stand-in az CLI: login succeeds, download-batch writes the blob under <destination>/<blob name>.
    const bin = mkdtempSync(join(tmpdir(), 'az-'));
    writeFileSync(
      join(bin, 'az'),
      ['#!/bin/sh', 'case "$2" in', `  blob) while [ $# -gt 0 ]; do [ "$1" = --destination ] && d="$2"; shift; done; mkdir -p "$d/${prefix}" && echo pickle > "$d/${prefix}/model.pkl" ;;`, 'esac', 'exit 0', ''].join('\n'),
    );
    chmodSync(join(bin, 'az'), 0o755);
    const script = fetch.command[2]!.replaceAll('/tmp/fetch/', `${join(bin, 'fetch')}/`).replaceAll('/tmp/fetch ', `${join(bin, 'fetch')} `);
    const r = spawnSync('/bin/sh', ['-c', script], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AZURE_FEDERATED_TOKEN_FILE: '/dev/null' }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(target, 'model.pkl'))).toBe(true);
    expect(readFileSync(join(target, 'model.pkl'), 'utf8')).toBe('pickle\n');
  });

  it('aws and gcp sync the prefix into the folder itself', () => {
    expect(modelFetch(withOptions(defaultSpec(), { cloud_provider: 'aws' }), 'fraud', '/mnt/models').command).toEqual(['aws', 's3', 'sync', '--only-show-errors', `${modelArtifactUri(defaultSpec(), 'fraud')}/`, '/mnt/models']);
    expect(modelFetch(withOptions(defaultSpec(), { cloud_provider: 'gcp' }), 'fraud', '/mnt/models').command.slice(0, 4)).toEqual(['gcloud', 'storage', 'rsync', '--recursive']);
  });
});
