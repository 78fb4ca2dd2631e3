/**
 * Evaluates a workflow's `${{ }}` / `if:` expressions with GitHub's own expression engine
 * (@actions/expressions), so tests can check what a condition decides for given contexts.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';

export type JobStatus = 'success' | 'failure' | 'cancelled';

const CONTEXTS = ['github', 'inputs', 'secrets', 'vars', 'env', 'needs', 'steps', 'job', 'runner', 'matrix'];

function statusFunctions(status: JobStatus): Map<string, FunctionDefinition> {
  const fn = (name: string, value: boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value) },
  ];
  return new Map([
    fn('success', status === 'success'),
    fn('failure', status === 'failure'),
    fn('cancelled', status === 'cancelled'),
    fn('always', true),
  ]);
}

/**
 * Evaluates `text` (an `if:` condition, or a string holding `${{ }}` parts) against plain JS
 * contexts. A condition without a status function gets GitHub's implicit `success() && (...)`.
 */
export function evaluate(
  text: string,
  contexts: Record<string, unknown>,
  options: { status?: JobStatus; condition?: boolean } = {},
): unknown {
  const functions = statusFunctions(options.status ?? 'success');
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  const run = (expr: string) => {
    const lexed = new Lexer(expr).lex();
    const parsed = new Parser(lexed.tokens, CONTEXTS, [...functions.values()]).parse();
    return new Evaluator(parsed, context, functions).evaluate();
  };
  if (options.condition) {
    const inner = text.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, '$1');
    const implicit = /\b(success|failure|cancelled|always)\(\)/.test(inner) ? inner : `success() && (${inner})`;
    return truthy(run(implicit));
  }
  if (!text.includes('${{')) return text;
  const parts = text.split(/(\$\{\{[\s\S]*?\}\})/);
  if (parts.length === 3 && parts[0] === '' && parts[2] === '') {
    return run(parts[1].slice(3, -2)).coerceString();
  }
  return parts.map((p) => (p.startsWith('${{') ? run(p.slice(3, -2)).coerceString() : p)).join('');
}
