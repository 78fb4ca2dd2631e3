/**
 * `${{ }}` evaluation with GitHub's own expression engine (@actions/expressions) over the template
 * tokens @actions/workflow-parser produces. Plain JSON values go in and come out; the engine's data
 * classes stay inside this file.
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { isBasicExpression, isBoolean, isMapping, isNumber, isSequence, isString } from '@actions/workflow-parser';
import type { TemplateToken } from '@actions/workflow-parser/templates/tokens/index';
import { RehearsalError } from './errors';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Job or step status as seen by `success()`, `failure()` and `cancelled()`. */
export interface Status {
  success: boolean;
  failure: boolean;
  cancelled: boolean;
}

export interface Scope {
  /** Named contexts: github, inputs, secrets, vars, env, needs, steps, job, runner, jobs ... */
  contexts: Record<string, Json>;
  /** Only `if:` conditions may call the status functions. */
  status?: Status;
  /** Where the expression came from, for error messages (e.g. "jobs.deploy.steps[2].with.app"). */
  where?: string;
}

function toData(value: Json | undefined): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  return new data.Dictionary(...Object.entries(value).map(([key, v]) => ({ key, value: toData(v) })));
}

function fromData(value: data.ExpressionData): Json {
  return JSON.parse(JSON.stringify(value, data.replacer)) ?? null;
}

function statusFunctions(scope: Scope): FunctionDefinition[] {
  const flag = (name: string, get: (s: Status) => boolean): FunctionDefinition => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => {
      if (!scope.status) throw new RehearsalError(`${name}() may only be used in an if: condition (${scope.where})`);
      return new data.BooleanData(get(scope.status));
    },
  });
  const unsupported = (name: string, minArgs: number, maxArgs: number): FunctionDefinition => ({
    name,
    minArgs,
    maxArgs,
    call: () => {
      throw new RehearsalError(`${name}() is not supported by the rehearsal (${scope.where})`);
    },
  });
  return [
    flag('success', (s) => s.success),
    flag('failure', (s) => s.failure),
    flag('cancelled', (s) => s.cancelled),
    flag('always', () => true),
    unsupported('hashFiles', 1, 255),
  ];
}

/** Evaluates one expression (without the `${{ }}` markers). */
export function evaluateExpression(expression: string, scope: Scope): Json {
  const functions = statusFunctions(scope);
  try {
    const { tokens } = new Lexer(expression).lex();
    const tree = new Parser(tokens, Object.keys(scope.contexts), functions).parse();
    const evaluator = new Evaluator(
      tree,
      toData(scope.contexts) as data.Dictionary,
      new Map(functions.map((f) => [f.name.toLowerCase(), f])),
    );
    return fromData(evaluator.evaluate());
  } catch (err) {
    if (err instanceof RehearsalError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new RehearsalError(`cannot evaluate \${{ ${expression} }} at ${scope.where ?? 'unknown place'}: ${message}`);
  }
}

/** Evaluates an `if:` condition the way the runner does: the result's truthiness. */
export function evaluateCondition(expression: string, scope: Scope): boolean {
  return truthy(toData(evaluateExpression(expression, scope)));
}

/** Evaluates a whole template token (scalar, expression, mapping or sequence) to JSON. */
export function evaluateToken(token: TemplateToken, scope: Scope): Json {
  if (isBasicExpression(token)) return evaluateExpression(token.expression, scope);
  if (isString(token)) return token.value;
  if (isBoolean(token) || isNumber(token)) return token.value;
  if (isSequence(token))
    return [...token].map((item, i) => evaluateToken(item, { ...scope, where: `${scope.where}[${i}]` }));
  if (isMapping(token)) {
    const out: Record<string, Json> = {};
    for (const pair of token) {
      const key = asString(evaluateToken(pair.key, scope), scope.where);
      out[key] = evaluateToken(pair.value, { ...scope, where: `${scope.where}.${key}` });
    }
    return out;
  }
  if (token.templateTokenType === 7) return null;
  throw new RehearsalError(`unsupported template construct at ${scope.where} (${token.typeName()})`);
}

/** The string the runner would pass on: booleans and numbers printed, null as ''. */
export function asString(value: Json, where?: string): string {
  if (value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new RehearsalError(`expected a string at ${where ?? 'unknown place'}, got ${JSON.stringify(value)}`);
}

/** Evaluates a mapping token (env:, with:, outputs:) to name -> string. */
export function evaluateStringMap(token: TemplateToken | undefined, scope: Scope): Record<string, string> {
  if (!token) return {};
  const value = evaluateToken(token, scope);
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new RehearsalError(`expected a mapping at ${scope.where}, got ${JSON.stringify(value)}`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) out[k] = asString(v, `${scope.where}.${k}`);
  return out;
}
