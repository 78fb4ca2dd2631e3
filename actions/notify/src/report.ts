import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the report JSON where later steps (an artifact upload) find it; returns the path. */
export function writeReport(json: string): string {
  const file = join(process.env.RUNNER_TEMP ?? process.cwd(), 'deploy-report.json');
  writeFileSync(file, json);
  return file;
}
