import { gunzipSync, unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { httpClient } from '../../helpers/mcp.js';
import { apiRequest, webServer, type WebServer } from '../../helpers/web.js';

let server: WebServer;
afterEach(async () => {
  await server?.close();
});

async function createPipeline(s: WebServer, user = 'Ann', extra: Record<string, unknown> = {}): Promise<string> {
  const res = await apiRequest(s, 'POST', '/api/pipelines', { user, body: { requirements: 'Detect fraudulent card payments in real time from our Postgres ledger', ...extra } });
  expect(res.status, res.body.toString()).toBe(201);
  return res.json<{ pipeline_id: string }>().pipeline_id;
}

/** The names of the entries of a tar archive (512-byte headers; names are NUL-terminated in the first 100 bytes). */
function tarNames(tar: Uint8Array): string[] {
  const names: string[] = [];
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = Buffer.from(tar.subarray(offset, offset + 512));
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    if (!name) break;
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('utf8').trim() || '0', 8);
    names.push(prefix ? `${prefix}/${name}` : name);
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}

describe('REST API for the web UI', () => {
  it('creates, lists, edits and runs a pipeline, recording the browser user as the actor', async () => {
    server = await webServer();
    const id = await createPipeline(server, 'Ann Müller', { spec: { options: { serving_platform: 'seldon' } } });

    const list = await apiRequest(server, 'GET', '/api/pipelines');
    const row = list.json<{ pipelines: { id: string; options: Record<string, string>; updated_by: string; phases: { status: string }[] }[] }>().pipelines[0]!;
    expect(row).toMatchObject({ id, updated_by: 'web:Ann Müller', options: { serving_platform: 'seldon' } });
    expect(row.phases.map((p) => p.status)).toEqual(Array(7).fill('not_run'));

    const edit = await apiRequest(server, 'PATCH', `/api/pipelines/${id}/spec`, { user: 'Bo', body: { patch: { slo: { p99_latency_ms: 80 } }, expected_revision: 1 } });
    expect(edit.json()).toMatchObject({ revision: 2, changed: ['slo.p99_latency_ms'] });
    const stale = await apiRequest(server, 'PATCH', `/api/pipelines/${id}/spec`, { user: 'Cy', body: { patch: { slo: { p99_latency_ms: 90 } }, expected_revision: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json().error).toMatch(/revision 2, not 1/);

    const run = await apiRequest(server, 'POST', `/api/pipelines/${id}/run`, { user: 'Bo', body: { phases: ['data_scientist'] } });
    expect(run.json()).toEqual({ ran: ['data_engineer', 'data_scientist'], skipped: [] });
    const view = (await apiRequest(server, 'GET', `/api/pipelines/${id}`)).json<{ revision: number; updated_by: string; phases: { phase: string; status: string }[] }>();
    expect(view.revision).toBe(2);
    expect(view.updated_by).toBe('web:Bo');
    expect(view.phases.slice(0, 3).map((p) => p.status)).toEqual(['succeeded', 'succeeded', 'not_run']);

    const doc = await apiRequest(server, 'GET', `/api/pipelines/${id}/phases/data_engineer/document`);
    expect(doc.json<{ document: string }>().document).toMatch(/^# Data flow design/);
  });

  it('serves each file, its download, and the bundle as .zip and .tar.gz', async () => {
    server = await webServer();
    const id = await createPipeline(server);
    await apiRequest(server, 'POST', `/api/pipelines/${id}/run`, { user: 'Ann', body: {} });
    const { files } = (await apiRequest(server, 'GET', `/api/pipelines/${id}/files`)).json<{ files: { path: string; verdict: string | null }[] }>();
    expect(files.length).toBeGreaterThan(100);
    expect(files.every((f) => f.verdict === null)).toBe(true);

    const path = files.find((f) => f.path.endsWith('.py'))!.path;
    const file = (await apiRequest(server, 'GET', `/api/pipelines/${id}/file?path=${encodeURIComponent(path)}`)).json<{ content: string; kind: string }>();
    expect(file.kind).toBe('python');
    const raw = await apiRequest(server, 'GET', `/api/pipelines/${id}/file?path=${encodeURIComponent(path)}&download=1`);
    expect(raw.headers['content-disposition']).toMatch(/^attachment; filename=/);
    expect(raw.body.toString('utf8')).toBe(file.content);

    const zip = await apiRequest(server, 'GET', `/api/pipelines/${id}/bundle.zip`);
    expect(zip.headers['content-type']).toBe('application/zip');
    const entries = Object.keys(unzipSync(new Uint8Array(zip.body)));
    expect(entries).toHaveLength(files.length);
    const { name } = (await apiRequest(server, 'GET', `/api/pipelines/${id}`)).json<{ name: string }>();
    expect(entries).toContain(`${name}/${path}`);
    expect(entries).toContain(`${name}/manifest.json`);
    const tgz = await apiRequest(server, 'GET', `/api/pipelines/${id}/bundle.tar.gz`);
    expect(tgz.headers['content-type']).toBe('application/gzip');
    expect(tarNames(gunzipSync(new Uint8Array(tgz.body))).filter((n) => !n.endsWith('/')).sort()).toEqual([...entries].sort());
    // Same bundle, same bytes.
    expect((await apiRequest(server, 'GET', `/api/pipelines/${id}/bundle.zip`, { user: 'Bo' })).body.equals(zip.body)).toBe(true);
    // A download is recorded with who took it, and only then: a cross-site <img src> cannot send a name.
    const downloads = server.app.store.eventsSince(0, id).filter((e) => e.type === 'bundle.downloaded');
    expect(downloads.map((e) => [e.actor, (e.payload as { format: string }).format])).toEqual([['web:Bo', 'zip']]);
  });

  it('records comments and reviews, shows them to MCP clients, and keeps file verdicts per content', async () => {
    server = await webServer();
    const id = await createPipeline(server);
    await apiRequest(server, 'POST', `/api/pipelines/${id}/run`, { user: 'Ann', body: {} });
    const { files } = (await apiRequest(server, 'GET', `/api/pipelines/${id}/files`)).json<{ files: { path: string; kind: string }[] }>();
    const manifest = files.find((f) => f.kind === 'kubernetes' && f.path.includes('/base/'))!.path;

    const comment = await apiRequest(server, 'POST', `/api/pipelines/${id}/comments`, { user: 'Bo', body: { artifact_path: manifest, line: 2, body: 'Why <b>two</b> replicas?' } });
    expect(comment.status).toBe(201);
    expect(comment.json()).toMatchObject({ artifact_path: manifest, line: 2, author: 'web:Bo', phase: 'kubernetes_architect' });
    const phaseComment = await apiRequest(server, 'POST', `/api/pipelines/${id}/comments`, { user: 'Bo', body: { phase: 'ml_engineer', body: 'Looks good' } });
    expect(phaseComment.status).toBe(201);

    const review = await apiRequest(server, 'POST', `/api/pipelines/${id}/phases/mlops_engineer/review`, { user: 'Cy', body: { verdict: 'changes_requested', comment: 'Canary first' } });
    expect(review.status).toBe(201);
    await apiRequest(server, 'POST', `/api/pipelines/${id}/phases/data_engineer/review`, { user: 'Cy', body: { verdict: 'approved' } });

    // MCP clients see the same reviews: in get_pipeline and in the reviews resource.
    const client = await httpClient(`${server.base}/mcp`);
    const got = (await client.callTool({ name: 'get_pipeline', arguments: { pipeline_id: id } })).structuredContent as { phases: { phase: string; review: unknown }[] };
    expect(got.phases.find((p) => p.phase === 'mlops_engineer')!.review).toMatchObject({ verdict: 'changes_requested', reviewer: 'web:Cy', comment: 'Canary first' });
    expect(got.phases.find((p) => p.phase === 'data_engineer')!.review).toMatchObject({ verdict: 'approved', reviewer: 'web:Cy' });
    expect(got.phases.find((p) => p.phase === 'ml_engineer')!.review).toBeNull();
    const resource = await client.readResource({ uri: `mlops://pipelines/${id}/reviews` });
    const body = JSON.parse(String((resource.contents[0] as { text: string }).text));
    expect(body.comments.map((c: { body: string }) => c.body)).toEqual(['Why <b>two</b> replicas?', 'Looks good']);
    expect(body.phases.mlops_engineer.latest.verdict).toBe('changes_requested');

    // A re-run produces a new run: its review starts empty.
    await client.callTool({ name: 'run_pipeline', arguments: { pipeline_id: id, phases: ['data_engineer'], force: true } });
    const after = (await client.callTool({ name: 'get_pipeline', arguments: { pipeline_id: id } })).structuredContent as { phases: { phase: string; review: unknown }[] };
    expect(after.phases.find((p) => p.phase === 'data_engineer')!.review).toBeNull();
    await client.close();

    const validated = await apiRequest(server, 'POST', `/api/pipelines/${id}/validate`, { user: 'Ann', body: { paths: [manifest] } });
    expect(validated.json()).toMatchObject({ summary: { files: 1, passed: 1 } });
    const listed = (await apiRequest(server, 'GET', `/api/pipelines/${id}/files`)).json<{ files: { path: string; verdict: string | null }[] }>().files;
    expect(listed.filter((f) => f.verdict !== null)).toEqual([expect.objectContaining({ path: manifest, verdict: 'pass' })]);

    const events = (await apiRequest(server, 'GET', `/api/pipelines/${id}/events`)).json<{ events: { type: string; actor: string }[] }>().events;
    expect(events.filter((e) => !e.type.startsWith('phase.') || e.type === 'phase.reviewed').map((e) => `${e.type} ${e.actor}`)).toEqual([
      'pipeline.created web:Ann',
      'comment.added web:Bo',
      'comment.added web:Bo',
      'phase.reviewed web:Cy',
      'phase.reviewed web:Cy',
      'bundle.validated web:Ann',
    ]);
    const tail = (await apiRequest(server, 'GET', `/api/pipelines/${id}/events?tail=2`)).json<{ events: { id: number }[] }>().events;
    expect(tail.map((e) => e.id)).toEqual(server.app.store.eventsSince(0, id).slice(-2).map((e) => e.id));
  });

  it('compares two spec revisions and two runs of a phase', async () => {
    server = await webServer();
    const id = await createPipeline(server);
    await apiRequest(server, 'POST', `/api/pipelines/${id}/run`, { user: 'Ann', body: { phases: ['data_engineer'] } });
    await apiRequest(server, 'PATCH', `/api/pipelines/${id}/spec`, { user: 'Ann', body: { patch: { data: { versioning: 'lakefs' } } } });
    await apiRequest(server, 'POST', `/api/pipelines/${id}/run`, { user: 'Ann', body: { phases: ['data_engineer'] } });

    const spec = (await apiRequest(server, 'GET', `/api/pipelines/${id}/diff?what=spec&from=1&to=2`)).json<{ files: { path: string; change: string; patch: string }[] }>();
    expect(spec.files).toHaveLength(1);
    expect(spec.files[0]!.patch).toMatch(/^-\s+versioning: dvc$/m);
    expect(spec.files[0]!.patch).toMatch(/^\+\s+versioning: lakefs$/m);

    const runs = (await apiRequest(server, 'GET', `/api/pipelines/${id}/runs`)).json<{ runs: { id: string; phase: string }[] }>().runs.filter((r) => r.phase === 'data_engineer');
    const diff = (await apiRequest(server, 'GET', `/api/pipelines/${id}/diff?what=run&from=${runs[0]!.id}&to=${runs[1]!.id}`)).json<{ files: { path: string; change: string }[]; summary: { modified: number; added: number; removed: number } }>();
    expect(diff.files[0]).toMatchObject({ path: 'data_engineer.md (document)', change: 'modified' });
    expect(diff.summary.modified + diff.summary.added + diff.summary.removed).toBeGreaterThan(1);
    expect(diff.files.some((f) => f.path.includes('lakefs') && f.change === 'added')).toBe(true);
  });

  it('answers bad input with a status and a message that says what to fix', async () => {
    server = await webServer();
    const id = await createPipeline(server);
    const cases: [string, string, Parameters<typeof apiRequest>[3], number, RegExp][] = [
      ['GET', '/api/pipelines/pl_nope', {}, 404, /No pipeline with id "pl_nope"/],
      ['GET', `/api/pipelines/${id}/phases/nope/document`, {}, 404, /Unknown phase "nope"/],
      ['GET', `/api/pipelines/${id}/phases/ml_engineer/document`, {}, 409, /has not produced a document/],
      ['POST', '/api/pipelines', { body: { requirements: 'x' } }, 400, /display name/],
      ['POST', '/api/pipelines', { user: 'A\nB', body: { requirements: 'x' } }, 400, /control characters/],
      ['POST', '/api/pipelines', { user: 'A', body: { requirements: '' } }, 400, /requirements/],
      ['POST', '/api/pipelines', { user: 'A', body: { requirements: 'x', extra: 1 } }, 400, /unknown field "extra"/],
      ['POST', '/api/pipelines', { user: 'A', body: '{not json' }, 400, /not valid JSON/],
      ['POST', '/api/pipelines', { user: 'A', body: 'requirements=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415, /Content-Type: application\/json/],
      ['POST', `/api/pipelines/${id}/comments`, { user: 'A', body: { body: 'x'.repeat(4001) } }, 400, /at most 4000 characters/],
      ['POST', `/api/pipelines/${id}/comments`, { user: 'A', body: { body: 'hi', artifact_path: 'no/such/file' } }, 404, /No file no\/such\/file/],
      ['POST', `/api/pipelines/${id}/comments`, { user: 'A', body: { body: 'hi', line: 3 } }, 400, /needs the file/],
      ['POST', `/api/pipelines/${id}/phases/data_engineer/review`, { user: 'A', body: { verdict: 'approved' } }, 409, /no finished run to review/],
      ['POST', `/api/pipelines/${id}/phases/data_engineer/review`, { user: 'A', body: { verdict: 'lgtm' } }, 400, /allowed: "approved", "changes_requested"/],
      ['PATCH', `/api/pipelines/${id}/spec`, { user: 'A', body: { patch: { options: { serving_platform: 'k8s' } } } }, 400, /serving_platform: invalid value "k8s"/],
      ['POST', `/api/pipelines/${id}/comments`, { user: 'A', body: { body: 'x'.repeat(2_000_000) } }, 413, /too large/],
      ['GET', `/api/pipelines/${id}/diff?what=spec&from=1&to=9`, {}, 404, /no spec revision 9/],
      ['GET', `/api/pipelines/${id}/bundle.zip`, {}, 409, /no files yet/],
      ['GET', `/api/pipelines/${id}/bundle.rar`, {}, 404, /bundle.zip or bundle.tar.gz/],
      ['GET', '/api/nothing-here', {}, 404, /No API route GET \/api\/nothing-here/],
    ];
    for (const [method, path, options, status, message] of cases) {
      const res = await apiRequest(server, method, path, options);
      expect({ method, path, status: res.status }).toEqual({ method, path, status });
      expect(res.json<{ error: string }>().error).toMatch(message);
    }
    // Nothing above changed the pipeline.
    expect((await apiRequest(server, 'GET', `/api/pipelines/${id}/events`)).json<{ events: unknown[] }>().events).toHaveLength(1);
  });

  it('needs the token when the server has one, and refuses foreign origins and hosts', async () => {
    server = await webServer({ token: 's3cret-token' });
    const meta = await apiRequest(server, 'GET', '/api/meta');
    expect(meta.json()).toMatchObject({ auth_required: true });
    expect((await apiRequest(server, 'GET', '/api/pipelines')).status).toBe(401);
    expect((await apiRequest(server, 'GET', '/api/pipelines', { token: 'wrong' })).status).toBe(401);
    expect((await apiRequest(server, 'GET', '/api/pipelines', { token: 's3cret-token' })).status).toBe(200);
    const created = await apiRequest(server, 'POST', '/api/pipelines', { token: 's3cret-token', user: 'Ann', body: { requirements: 'Churn model' } });
    expect(created.status).toBe(201);

    const foreignOrigin = await apiRequest(server, 'GET', '/api/pipelines', { token: 's3cret-token', headers: { origin: 'https://evil.example' } });
    expect(foreignOrigin.status).toBe(403);
    const foreignHost = await apiRequest(server, 'GET', '/api/pipelines', { token: 's3cret-token', headers: { host: `evil.example:${server.port}` } });
    expect(foreignHost.status).toBe(403);
    const sameOrigin = await apiRequest(server, 'GET', '/api/pipelines', { token: 's3cret-token', headers: { origin: server.base } });
    expect(sameOrigin.status).toBe(200);
    // Same machine, another port: another origin.
    const otherPort = await apiRequest(server, 'GET', '/api/pipelines', { token: 's3cret-token', headers: { origin: `http://localhost:${server.port + 1}` } });
    expect(otherPort.status).toBe(403);
    const notWeb = await apiRequest(server, 'GET', '/api/pipelines', { token: 's3cret-token', headers: { origin: `file://localhost:${server.port}` } });
    expect(notWeb.status).toBe(403);
  });

  it('serves the UI with a strict Content-Security-Policy and no third-party origin', async () => {
    server = await webServer();
    const page = await apiRequest(server, 'GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const html = page.body.toString('utf8');
    expect(html).toContain('<script type="module" src="app.js"></script>');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await apiRequest(server, 'GET', '/app.js');
    expect(script.status).toBe(200);
    expect(script.body.toString('utf8')).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)\./);
  });
});
