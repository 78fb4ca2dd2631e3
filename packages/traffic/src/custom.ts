import { UserError } from '@deploy-actions/toolkit';

/**
 * The team's own checks: one MetricsQL query per line with a bound, e.g.
 * `sum(increase(checkout_failed_total{instance=~"{instance}"}[{window}])) <= 5`.
 * Placeholders: `{instance}` (the new release's machine IDs as a regex alternation), `{release}`
 * (its version), `{app}`, `{window}` (the analysis window, `120s`).
 */

export type BoundOp = '<' | '<=' | '>' | '>=';

export interface CustomCheck {
  query: string;
  op: BoundOp;
  bound: number;
}

const LINE = /^(.*\S)\s*(<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)\s*$/i;

/** Parses the `traffic-queries` input; every malformed line is named at once. */
export function parseCustomChecks(text: string, input = 'traffic-queries'): CustomCheck[] {
  const checks: CustomCheck[] = [];
  const bad: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = LINE.exec(line);
    if (!m) bad.push(`line ${index + 1}`);
    else checks.push({ query: m[1], op: m[2] as BoundOp, bound: Number(m[3]) });
  });
  if (bad.length > 0) {
    throw new UserError(
      `Input '${input}': ${bad.join(', ')} should be a MetricsQL query followed by a bound such as '<= 5' or '> 0.99'`,
    );
  }
  return checks;
}

export function fillPlaceholders(
  query: string,
  values: { instance: string; release: string; app: string; window: string },
): string {
  return query
    .replaceAll('{instance}', values.instance)
    .replaceAll('{release}', values.release)
    .replaceAll('{app}', values.app)
    .replaceAll('{window}', values.window);
}

export function holds(value: number, op: BoundOp, bound: number): boolean {
  if (op === '<') return value < bound;
  if (op === '<=') return value <= bound;
  if (op === '>') return value > bound;
  return value >= bound;
}
