import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  formatRunEnd,
  formatTimeline,
  imageLabel,
  markdownToHtml,
  type RunRecord,
  type StepRecord,
  storyOf,
  writeReport,
} from '../src/index';

describe('markdownToHtml', () => {
  it('renders the summary syntax the toolkit writes', () => {
    const html = markdownToHtml(
      [
        '## Deployed `shop`',
        '',
        '| | |',
        '| --- | --- |',
        '| version | **v7** |',
        '| note | a \\| b<br>c |',
        '',
        '- [run](https://example.test/run)',
        '<details><summary>Log</summary>',
        '',
        '```',
        '<b>raw</b>',
        '```',
        '',
        '</details>',
      ].join('\n'),
    );
    expect(html).toContain('<h2>Deployed <code>shop</code></h2>');
    expect(html).toContain('<tr><td>version</td><td><strong>v7</strong></td></tr>');
    expect(html).toContain('<td>a | b<br>c</td>');
    expect(html).toContain('<li><a href="https://example.test/run">run</a></li>');
    expect(html).toContain('<details><summary>Log</summary>');
    expect(html).toContain('<pre><code>&#60;b&#62;raw&#60;/b&#62;</code></pre>');
  });

  it('hides HTML comments, as GitHub does', () => {
    expect(markdownToHtml('<!-- marker app=shop -->\n### Preview')).toBe('<h3>Preview</h3>');
  });

  it('escapes HTML that is not part of the syntax', () => {
    expect(markdownToHtml('<script>alert(1)</script> [x](javascript:alert(1))')).toBe(
      '<p>&#60;script&#62;alert(1)&#60;/script&#62; [x](javascript:alert(1))</p>',
    );
  });
});

const run: RunRecord = {
  workflow: 'deploy.yml',
  name: 'deploy',
  eventName: 'workflow_dispatch',
  result: 'failure',
  inputs: { app: 'shop' },
  outputs: { 'rolled-back': 'true' },
  startedAt: 0,
  durationMs: 4200,
  notes: [],
  jobs: [
    {
      id: 'deploy',
      name: 'deploy',
      result: 'failure',
      outputs: {},
      startedAt: 0,
      durationMs: 4100,
      notes: [],
      steps: [
        {
          job: 'deploy',
          id: 'health',
          name: 'Health gate',
          kind: 'action',
          uses: '$/health-gate',
          outcome: 'failure',
          conclusion: 'failure',
          outputs: { healthy: 'false' },
          startedAt: 0,
          durationMs: 1500,
          log: 'probing <http://x>',
          summary: '## Health gate failed\n',
          annotations: [{ level: 'error', message: 'unhealthy' }],
          notes: [],
          leaks: [],
        },
      ],
    },
  ],
};

describe('reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearsal-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a timeline with job, step, result and duration', () => {
    expect(formatTimeline(run)).toBe(
      [
        'deploy (workflow_dispatch): failure in 4.2s',
        '  JOB     STEP         RESULT   TIME',
        '  deploy  Health gate  failure  1.5s',
        '  output rolled-back = true',
      ].join('\n'),
    );
  });

  it('ends a run on the terminal with its story and the outputs it set, not its steps again', () => {
    const end = formatRunEnd({ ...run, outputs: { 'rolled-back': 'true', empty: '' } });
    expect(end).toBe(
      [
        'deploy (workflow_dispatch): failure in 4.2s — failed',
        '  shop failed at “Health gate”: unhealthy',
        '  output rolled-back = true',
      ].join('\n'),
    );
  });

  it('writes each step summary into one folder and one HTML page of the run, each step once', () => {
    const files = writeReport(
      dir,
      'bad-release',
      [{ label: 'deploy', run }],
      [{ name: 'deploy: rolled back', ok: true }],
    );
    expect(files.summaries).toEqual([join(dir, 'summaries', 'deploy-01-deploy-health-gate.md')]);
    expect(readFileSync(files.summaries[0], 'utf8')).toBe('## Health gate failed\n');
    const html = readFileSync(files.html, 'utf8');
    expect(html.match(/<details class="step"/g)).toHaveLength(1);
    expect(html).toContain('<p class="headline">shop failed at “Health gate”: unhealthy</p>');
    expect(html).toContain('<strong>Failed step:</strong> <a href="#run1-1">deploy / Health gate</a>');
    expect(html).toMatch(
      /<details class="step" id="run1-1" open>.*Health gate.*class="bar failure" style="left:0\.00%;width:35\.71%"/s,
    );
    expect(html).toContain('<h2>Health gate failed</h2>');
    expect(html).toContain('probing &#60;http://x&#62;');
    expect(html).toContain('error: unhealthy');
    expect(html).toContain('✓ all 1 checks passed');
    expect(html).toContain('<li class="success">✓ rolled back</li>');
  });

  it('gives runs whose labels start alike files of their own', () => {
    const label = (reason: string) => `workflow_dispatch refs/heads/main (reason=${reason})`;
    const files = writeReport(join(dir, 'alike'), 'alike', [
      { label: label('Weekly release'), run },
      { label: label('Red tests'), run },
    ]);
    expect(files.summaries.map((f) => f.slice(join(dir, 'alike', 'summaries').length + 1))).toEqual([
      'workflow-dispatch-refs-heads-main-reason-01-deploy-health-gate.md',
      'workflow-dispatch-refs-heads-main-reason-run2-01-deploy-health-gate.md',
    ]);
  });

  it('keeps the files outputs pointed to in RUNNER_TEMP, and says so of those already gone', () => {
    const step = run.jobs[0].steps[0];
    const withFiles: RunRecord = {
      ...run,
      jobs: [
        {
          ...run.jobs[0],
          steps: [
            {
              ...step,
              outputs: { 'report-file': '/gone/job-1/report.json', 'plan-file': '/gone/job-1/plan.md' },
              files: { 'report-file': '{"verdict":"unhealthy"}' },
            },
          ],
        },
      ],
    };
    const files = writeReport(join(dir, 'kept'), 'kept', [{ label: 'deploy', run: withFiles }]);
    expect(files.kept).toEqual([join(dir, 'kept', 'files', 'deploy-01-deploy-health-gate-report-file.json')]);
    expect(readFileSync(files.kept[0], 'utf8')).toBe('{"verdict":"unhealthy"}');
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain('<a href="files/deploy-01-deploy-health-gate-report-file.json">');
    expect(html).toContain('/gone/job-1/plan.md (in RUNNER_TEMP, removed when the job ended)');
  });
});

describe('the story of a run', () => {
  const action = (
    id: string,
    uses: string,
    outputs: Record<string, string>,
    outcome: StepRecord['outcome'] = 'success',
  ) =>
    ({
      ...run.jobs[0].steps[0],
      id,
      name: id,
      uses,
      outputs,
      outcome,
      conclusion: outcome,
      annotations: [],
    }) as StepRecord;

  it('names the version by its image tag', () => {
    expect(imageLabel('registry.fly.io/shop:v1.2.3@sha256:0a1b')).toBe('v1.2.3');
    expect(imageLabel('localhost:5000/shop')).toBeUndefined();
  });

  it('tells a rollback: what failed where and why, what was restored, and whether it was verified', () => {
    const health = {
      ...action('health', '$/health-gate', {}, 'failure'),
      annotations: [{ level: 'error' as const, message: 'machine 9b stopped\nmore' }],
    };
    const rolledBack: RunRecord = {
      ...run,
      place: {
        serverUrl: 'https://github.com',
        repository: 'acme/shop',
        sha: 'b'.repeat(40),
        ref: 'refs/heads/main',
        runId: '7',
      },
      jobs: [
        {
          ...run.jobs[0],
          steps: [
            action('deploy', '$/fly-deploy', {
              'app-name': 'shop',
              'release-version': '2',
              'image-ref': 'registry.fly.io/shop:v2',
            }),
            health,
            action('rollback', '$/auto-rollback', {
              'rolled-back': 'true',
              verified: 'true',
              'to-image': 'registry.fly.io/shop:v1',
              'new-release-version': '3',
            }),
          ],
        },
      ],
    };
    const story = storyOf(rolledBack, 'a'.repeat(40));
    expect(story).toMatchObject({
      verdict: 'rolled back',
      tone: 'warning',
      headline:
        'shop v2 (release 2) failed at “health”: machine 9b stopped. Auto-rollback restored v1 (release 3) and verified it.',
    });
    expect(story.links.map((l) => l.href)).toEqual([
      `https://github.com/acme/shop/commit/${'b'.repeat(40)}`,
      `https://github.com/acme/shop/compare/${'a'.repeat(40)}...${'b'.repeat(40)}`,
      'https://fly.io/apps/shop',
      'https://github.com/acme/shop/actions/runs/7',
    ]);
  });

  it('tells a closed window as skipped, with the gate’s message', () => {
    const closed: RunRecord = {
      ...run,
      result: 'success',
      inputs: { app: 'shop', 'image-label': 'v3' },
      outputs: { result: 'skipped' },
      jobs: [
        {
          ...run.jobs[0],
          steps: [action('window', '$/business-hours-gate', { allowed: 'false', message: 'Closed on Saturday' })],
        },
      ],
    };
    expect(storyOf(closed)).toMatchObject({
      verdict: 'skipped',
      headline: 'shop v3 was not deployed: Closed on Saturday',
    });
  });
});
