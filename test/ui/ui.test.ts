import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, screenshotDir } from '../helpers/browser.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engines/index.js';
import { fakeAnthropic } from '../helpers/fakeAnthropic.js';
import { stdioClient } from '../helpers/mcp.js';
import { goodAnswer } from '../helpers/modelAnswers.js';
import { tempDir } from '../helpers/tmp.js';
import { webServer, type WebServer } from '../helpers/web.js';

// CI installs Debian's chromium; elsewhere the suite says plainly why it did not run.
const run = chromiumAvailable() || process.env.CI ? describe : describe.skip;

let browser: Browser;
beforeAll(async () => {
  if (chromiumAvailable() || process.env.CI) browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

async function openAs(server: WebServer, name: string, path = '/', token?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // An injected script or handler would be blocked by the CSP, which reports it on the console: that counts too.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) errors.push(m.text());
  });
  (page as Page & { errors?: string[] }).errors = errors;
  await page.goto(`${server.base}${path}`);
  await page.fill('#display-name', name);
  if (token !== undefined) await page.fill('#token', token);
  await page.click('dialog.identity button[type=submit]');
  return page;
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: true });
const phaseCard = (page: Page, phase: string) => page.locator(`article.phase[data-phase=${phase}]`);

run('team web UI in headless Chromium', () => {
  it('designs a pipeline together: create, run, live changes from another process, comment, approve, diff, download', async () => {
    const dir = tempDir();
    const server = await webServer({ dir });
    try {
      const ann = await openAs(server, 'Ann');
      await ann.waitForSelector('form.create');
      // User text that would run as script if any view treated it as HTML.
      await ann.fill('#requirements', 'Detect fraudulent card payments in real time from our Postgres ledger <script>window.__xss=1</script><img src=x onerror="window.__xss=2">');
      await ann.selectOption('#opt-serving_platform', 'seldon');
      await ann.click('form.create button[type=submit]');
      await ann.waitForURL(/#\/p\/pl_/);
      const pipelineId = /#\/p\/([^/]+)/.exec(ann.url())![1]!;

      // Before any run the Files tab says why it is empty, and the page stays usable.
      await ann.click('.tabs a[data-tab=files]');
      await ann.locator('.tab-content .banner', { hasText: 'no files yet' }).waitFor();
      await ann.click('.tabs a[data-tab=phases]');

      // Run every phase, with progress in the header while it runs.
      await ann.evaluate(() => {
        const seen: number[] = ((window as unknown as { __progress: number[] }).__progress = []);
        new MutationObserver(() => {
          const bar = document.querySelector<HTMLProgressElement>('[data-role=progress]');
          if (bar) seen.push(bar.value);
        }).observe(document.body, { subtree: true, childList: true });
      });
      await ann.click('[data-action=run-all]');
      for (const phase of ['data_engineer', 'observability_engineer']) await phaseCard(ann, phase).and(ann.locator('[data-status=succeeded]')).waitFor({ timeout: 60_000 });
      await ann.waitForSelector('[data-role=progress]', { state: 'detached' });
      expect(await ann.locator('article.phase[data-status=succeeded]').count()).toBe(7);
      const progress = await ann.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
      expect(progress[0]).toBe(0);
      expect(Math.max(...progress)).toBeGreaterThan(0);

      // A teammate opens the same pipeline: both see each other. Their name carries markup, shown as text.
      const bo = await openAs(server, 'Bo <img src=x onerror=alert(1)>', `/#/p/${pipelineId}`);
      await bo.waitForSelector('article.phase[data-phase=data_engineer][data-status=succeeded]');
      await ann.locator('[data-role=presence] .viewer', { hasText: 'Bo' }).waitFor();
      await bo.locator('[data-role=presence] .viewer', { hasText: 'Ann' }).waitFor();
      await shot(ann, 'pipeline');

      // The rendered document shows the requirements as text; the UI draws no image, so any <img> is injected.
      await ann.locator('[data-role=document] h1').waitFor();
      expect(await ann.locator('[data-role=document]').innerText()).toContain('<script>window.__xss=1</script>');
      expect(await ann.locator('[data-role=presence]').innerText()).toContain('Bo <img src=x onerror=alert(1)>');
      for (const page of [ann, bo]) expect(await page.locator('img, main script, iframe, object').count()).toBe(0);

      // Claude Desktop (a separate `mlops-mcp stdio` process on the same database file) changes the spec:
      // every open browser follows without a reload.
      const claude = await stdioClient(server.dbPath, join(dir, 'stdio-exports'));
      try {
        const changed = await claude.client.callTool({ name: 'update_pipeline', arguments: { pipeline_id: pipelineId, patch: { slo: { p99_latency_ms: 80 } } } });
        expect(changed.isError).toBeFalsy();
      } finally {
        await claude.close();
      }
      for (const page of [ann, bo]) {
        await page.locator('.pipeline-header', { hasText: 'revision 2' }).waitFor({ timeout: 2000 });
        await page.locator('article.phase[data-status=stale]').first().waitFor({ timeout: 2000 });
      }
      expect(await bo.locator('.pipeline-header').innerText()).toContain('mcp:e2e-stdio');

      // Comment on a phase and approve it: the other browser sees both live, the MCP side sees the review.
      await ann.fill('[data-role=comments] textarea', 'Keep the CDC lag alert tight <img src=x onerror=alert(2)>');
      await ann.click('[data-role=comments] button[type=submit]');
      await bo.locator('[data-role=comments] .comment', { hasText: 'Keep the CDC lag alert tight' }).waitFor();
      await phaseCard(ann, 'data_engineer').locator('[data-action=approve]').click();
      await phaseCard(bo, 'data_engineer').locator('[data-role=review]', { hasText: 'approved by Ann' }).waitFor();
      await phaseCard(bo, 'mlops_engineer').locator('[data-action=request-changes]').click();
      await phaseCard(bo, 'mlops_engineer').locator('textarea[name=review-comment]').fill('Canary at 5 % first <img src=x onerror=alert(3)>');
      await phaseCard(bo, 'mlops_engineer').locator('form.changes button[type=submit]').click();
      await phaseCard(ann, 'mlops_engineer').locator('[data-role=review]', { hasText: 'changes requested by Bo' }).waitFor();
      expect(await phaseCard(ann, 'mlops_engineer').locator('[data-role=review]').innerText()).toContain('Canary at 5 % first <img');
      for (const page of [ann, bo]) expect(await page.locator('img').count()).toBe(0);
      expect(server.app.team.reviews(pipelineId).data_engineer.latest).toMatchObject({ verdict: 'approved', reviewer: 'web:Ann' });

      // Re-run what went stale, then compare the spec revisions and the two runs of a phase.
      await ann.click('[data-action=run-all]');
      await ann.locator('article.phase[data-status=stale]').first().waitFor({ state: 'detached', timeout: 60_000 });
      await ann.click('.tabs a[data-tab=diff]');
      await ann.click('form[data-role=diff-spec] button[type=submit]');
      const specDiff = ann.locator('[data-role=diff-result]');
      await specDiff.waitFor();
      expect(await specDiff.innerText()).toMatch(/-\s+p99_latency_ms: \d+\s+\+\s+p99_latency_ms: 80/);
      await ann.selectOption('#diff-phase', 'mlops_engineer');
      await ann.click('form[data-role=diff-runs] button[type=submit]');
      await ann.locator('[data-role=diff-result]', { hasText: 'mlops_engineer.md (document)' }).waitFor();
      await shot(ann, 'diff');

      // Files: open one, comment on a line, validate it, download it and the whole bundle.
      const path = server.app.service.artifacts(pipelineId).find((a) => a.kind === 'kubernetes' && a.path.includes('/base/'))!.path;
      await ann.goto(`${server.base}/#/p/${pipelineId}/files/${encodeURIComponent(path)}`);
      await ann.locator('table.source tr[data-line="1"]').waitFor();
      expect(await ann.locator('table.source td.code .hljs-attr').count()).toBeGreaterThan(0);
      await ann.locator('tr[data-line="3"] [data-action=comment-line]').click();
      await ann.fill('tr.line-comment-form textarea', 'Is this the right namespace?');
      await ann.click('tr.line-comment-form button[type=submit]');
      await ann.locator('tr.line-comment[data-comment-line="3"]', { hasText: 'Is this the right namespace?' }).waitFor();
      await ann.click('[data-action=validate-file]');
      await ann.locator('[data-role=verdict].pass').waitFor({ timeout: 30_000 });
      await ann.locator(`li[data-file="${path}"] [data-verdict=pass]`).waitFor();
      await shot(ann, 'files');

      const [fileDownload] = await Promise.all([ann.waitForEvent('download'), ann.click('[data-action=download-file]')]);
      expect(readFileSync(await fileDownload.path(), 'utf8')).toBe(server.app.service.artifacts(pipelineId).find((a) => a.path === path)!.content);
      const [zipDownload] = await Promise.all([ann.waitForEvent('download'), ann.click('[data-action=download-zip]')]);
      const entries = Object.keys(unzipSync(new Uint8Array(readFileSync(await zipDownload.path()))));
      expect(entries.some((e) => e.endsWith('/manifest.json'))).toBe(true);
      expect(entries.length).toBe(server.app.service.bundle(pipelineId).files.length);

      // The spec form: messages come from the schema; a valid edit saves a new revision.
      await ann.click('.tabs a[data-tab=spec]');
      await ann.fill('input[name="slo.availability_pct"]', '50');
      await ann.locator('[data-error-for="slo.availability_pct"]', { hasText: /90/ }).waitFor();
      expect(await ann.locator('.spec-form button[type=submit]').isDisabled()).toBe(true);
      await shot(ann, 'spec');
      await ann.fill('input[name="slo.availability_pct"]', '99.95');
      await ann.selectOption('select[name="options.monitoring_stack"]', 'datadog');
      await ann.click('.spec-form button[type=submit]');
      await ann.locator('.pipeline-header', { hasText: 'revision 3' }).waitFor();
      expect(server.app.store.getRevision(pipelineId)!.spec).toMatchObject({ slo: { availability_pct: 99.95 }, options: { monitoring_stack: 'datadog' } });

      // A teammate saves first: Ann's form, still showing revision 3, is refused instead of reverting their change.
      await ann.fill('input[name="slo.availability_pct"]', '99.5');
      server.app.service.update(pipelineId, { scale: { peak_rps: 900 } }, 'web:Bo');
      await ann.click('.spec-form button[type=submit]');
      await ann.locator('.flash .banner.error', { hasText: 'revision 4, not 3' }).waitFor();
      expect(server.app.store.getRevision(pipelineId)!.spec).toMatchObject({ slo: { availability_pct: 99.95 }, scale: { peak_rps: 900 } });

      await ann.click('.tabs a[data-tab=scorecard]');
      await ann.locator('[data-role=score]').waitFor();
      await shot(ann, 'scorecard');

      // A dropped connection catches up from the event log: every event once, in order.
      await bo.click('.tabs a[data-tab=activity]');
      await bo.evaluate(() => (window as unknown as { __mlopsLive: { drop(): void } }).__mlopsLive.drop());
      await bo.locator('.live-state[data-state=live]').waitFor();
      const expected = server.app.store.eventsSince(0, pipelineId).map((e) => e.id);
      await bo.locator(`ol.activity li[data-event="${expected.at(-1)}"]`).waitFor();
      const shown = (await bo.locator('ol.activity li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-event'))))).reverse();
      expect(shown).toEqual(expected);
      await shot(bo, 'activity');

      // Quick navigation: every page but the last is disposed, its live connection closed.
      await ann.evaluate((id) => {
        for (let i = 0; i < 6; i++) location.hash = i % 2 ? '#/' : `#/p/${id}/scorecard`;
      }, pipelineId);
      await ann.waitForTimeout(1500);
      const health = await (await fetch(`${server.base}/healthz`)).json();
      expect(health.websockets).toBe(2);
      await ann.goto(`${server.base}/#/`);
      await ann.locator(`tr[data-pipeline="${pipelineId}"]`).waitFor();
      await shot(ann, 'pipelines');
      expect((ann as Page & { errors?: string[] }).errors).toEqual([]);
      expect((bo as Page & { errors?: string[] }).errors).toEqual([]);
    } finally {
      await server.close();
    }
  }, 180_000);

  it("shows a model's review, its cost, and applies a proposed spec change with one click", async () => {
    const fake = await fakeAnthropic();
    const server = await webServer({ engines: { ...DEFAULT_ENGINE_SETTINGS, model: 'claude-haiku-4-5', anthropic: { apiKey: 'k', baseURL: fake.url, maxRetries: 0 } } });
    try {
      const { view } = server.app.service.create({ requirements: 'Predict churn for subscribers, p99 under 200 ms' }, 'test');
      const id = view.pipeline.id;
      fake.script({ kind: 'message', text: goodAnswer(view.spec), usage: { input_tokens: 1200, output_tokens: 300 } });
      await server.app.service.runPhase(id, 'data_engineer', { actor: 'test', engine: 'anthropic', session: { channel: 'web' } });
      const page = await openAs(server, 'Ann', `/#/p/${id}/phases/data_engineer`);
      await expect(phaseCard(page, 'data_engineer').locator('[data-role=engine]').textContent()).resolves.toBe('anthropic · claude-haiku-4-5 · $0.0027');
      await page.locator('[data-role=document] h2', { hasText: 'Model review' }).waitFor();
      const suggestion = page.locator('[data-role=suggestions] .suggestion');
      await expect(suggestion.locator('strong').textContent()).resolves.toBe('Tighten the latency objective');
      await shot(page, 'model-review');
      await suggestion.locator('[data-action=apply-suggestion]').click();
      await page.locator('.flash .banner', { hasText: 'spec revision 2 changed slo.p99_latency_ms' }).waitFor();
      await page.locator('[data-role=suggestions]').waitFor({ state: 'detached' });
      expect(server.app.service.view(id).spec.slo.p99_latency_ms).toBe(view.spec.slo.p99_latency_ms - 10);
      expect(server.app.service.suggestions(id)).toEqual([expect.objectContaining({ status: 'applied', resolved_by: 'web:Ann' })]);
      expect((page as Page & { errors?: string[] }).errors).toEqual([]);
    } finally {
      await server.close();
      await fake.close();
    }
  });

  it('asks for the token when the server has one, and asks again when it is wrong', async () => {
    const server = await webServer({ token: 'team-token' });
    try {
      const page = await openAs(server, 'Ann', '/', 'wrong');
      await page.locator('dialog.identity [role=alert]', { hasText: 'refused the token' }).waitFor();
      await page.fill('#token', 'team-token');
      await page.click('dialog.identity button[type=submit]');
      await page.waitForSelector('form.create');
      await page.locator('.live-state[data-state=live]').waitFor();
    } finally {
      await server.close();
    }
  });
});
