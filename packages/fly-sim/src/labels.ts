import { splitImageRef } from './render';

/** What an image label asks the simulated app to do (see the README's knobs): `crash` crash-loops from the start; `exit1`, `oom`, `crashloop` end the process a little after it starts (during the deploy), their `-after` forms once the deploy is over. */
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
  };
}
