import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTranscripts, normalise } from '../../fly/test/transcripts/load';
import { type FlySim, startFlySim } from '../src/index';
import { RUN_ENV, TRANSCRIPT_RUNS } from './transcript-runs';

// The corpus is real flyctl output written down from flyctl's source; fly-sim must print
// exactly that (ids and times aside), so the stand-in and the client can never drift apart.
const corpus = loadTranscripts();
let sim: FlySim;

beforeAll(async () => {
  sim = await startFlySim({ tokens: [RUN_ENV.FLY_API_TOKEN] });
});
afterAll(async () => {
  await sim?.stop();
});

describe('fly-sim prints what flyctl v0.4.87 prints', () => {
  it('has a run for every transcript, and a transcript for every run', () => {
    expect([...corpus.keys()].sort()).toEqual(Object.keys(TRANSCRIPT_RUNS).sort());
  });

  for (const [name, transcript] of corpus) {
    it(`${name}: ${transcript.title}`, async () => {
      await sim.reset();
      const run = await TRANSCRIPT_RUNS[name](sim);
      const got = normalise(run.stdout, run.stderr);
      expect(got.stdout).toBe(transcript.stdout);
      expect(got.stderr).toBe(transcript.stderr);
      expect(run.code).toBe(transcript.exit);
    });
  }
});
