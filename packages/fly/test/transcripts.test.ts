import { describe, expect, it } from 'vitest';
import { machinesTouched, parseReleaseLine } from '../src/deploy';
import { classifyFailure, flyErrorMessage } from '../src/errors';
import { concrete, loadTranscripts } from './transcripts/load';

const corpus = [...loadTranscripts().values()];
const fill = (text: string) => concrete({ ...corpus[0], stdout: text, stderr: '' }).stdout;

describe('the client reads real flyctl output (transcripts/)', () => {
  it('has a corpus', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(12);
  });

  for (const t of corpus) {
    describe(`${t.name}: ${t.title}`, () => {
      const { stdout, stderr } = concrete(t);
      it(`machines touched: ${t.touched}`, () => {
        expect(machinesTouched(`${stdout}\n${stderr}`)).toBe(t.touched);
      });
      it(`release line: ${t.release ?? 'none'}`, () => {
        expect(parseReleaseLine(stdout)?.version).toBe(t.release);
      });
      if (t.exit !== 0) {
        it(`flyctl's own error, classified ${t.kind}`, () => {
          const message = flyErrorMessage(stderr, stdout);
          expect(message.split('\n')[0]).toBe(fill(t.error));
          expect(classifyFailure(message, t.exit)).toBe(t.kind);
        });
      }
    });
  }
});
