import { splitImageRef } from './render';

/** A number an image label gives after a word (`err8` in `v2-err8`), or undefined. */
function numberAfter(label: string, word: string): number | undefined {
  const m = new RegExp(`(^|[-_.])${word}(\\d+)($|[-_.])`).exec(label);
  return m ? Number(m[2]) : undefined;
}

/** What an image label asks the simulated app to do (see the README's knobs): `crash` crash-loops from the start; `exit1`, `oom`, `crashloop` end the process a little after it starts (during the deploy), their `-after` forms once the deploy is over; `err<N>` fails N% of requests other than `/health` with 500, `lag<N>` adds N ms to them, `jitter<N>` adds 0 to N ms at random. */
export function behaviour(imageRef: string) {
  const label = splitImageRef(imageRef).tag;
  const after = /-after\b/.test(label);
  const crash = /(^|[^a-z])(exit1|oom|crashloop)(-after)?($|[^a-z])/.exec(label)?.[2] as
    | 'exit1'
    | 'oom'
    | 'crashloop'
    | undefined;
  return {
    crash: /(^|-)crash($|-)/.test(label),
    later: crash ? { kind: crash, after } : undefined,
    unhealthy: label.includes('unhealthy'),
    slow: label.includes('slow'),
    errorPct: numberAfter(label, 'err') ?? 0,
    lagMs: numberAfter(label, 'lag') ?? 0,
    jitterMs: numberAfter(label, 'jitter') ?? 0,
  };
}
