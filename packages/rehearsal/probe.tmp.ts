import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatJob, formatStep, formatTimeline, rehearse } from './src/index';

const fixtures = '/work/main/packages/rehearsal/test/fixtures';
const run = await rehearse({
  workflow: join(fixtures, 'workflows', 'pipeline.yml'),
  eventName: 'push',
  inputs: { app: 'demo' },
  secrets: { API_TOKEN: 'api-token-value-1234' },
  environments: { production: { secrets: { ENV_ONLY: 'environment-secret-5678' } } },
  workspace: mkdtempSync(join(tmpdir(), 'rehearsal-ws-')),
  repoRoot: join(fixtures, 'actions'),
  node: 'current',
  onStep: (s) => console.log(formatStep(s)),
  onJob: (j) => console.log(formatJob(j)),
});
console.log(formatTimeline(run));
for (const s of run.jobs[0].steps) console.log(s.name, s.annotations, s.log);
