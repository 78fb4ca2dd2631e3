import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTimeline, markdownToHtml, type RunRecord, writeReport } from '../src/index';

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

  it('writes each step summary into one folder and one HTML page of the run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearsal-report-'));
    const files = writeReport(dir, 'bad-release', [{ label: 'deploy', run }], [{ name: 'rolled back', ok: true }]);
    expect(files.summaries).toEqual([join(dir, 'summaries', 'deploy-01-deploy-health-gate.md')]);
    expect(readFileSync(files.summaries[0], 'utf8')).toBe('## Health gate failed\n');
    const html = readFileSync(files.html, 'utf8');
    expect(html).toContain(
      '<tr><td>deploy</td><td>Health gate</td><td class="failure">✗ failure</td><td>1.5s</td></tr>',
    );
    expect(html).toContain('<h2>Health gate failed</h2>');
    expect(html).toContain('probing &#60;http://x&#62;');
    expect(html).toContain('error: unhealthy');
    expect(html).toContain('✓ rolled back');
  });
});
