/**
 * Compares what an action's code declares (its zod input schema and output list in
 * actions/<name>/src/contract.ts) with its public action.yml.
 */
import type { InputSpecs } from '@deploy-actions/toolkit';
import type { ActionYml } from './actions';

export interface CodeContract {
  inputs: InputSpecs;
  outputs: readonly string[];
}

/** Every difference between action.yml and the code's contract, as readable lines; empty when equal. */
export function contractMismatches(yml: ActionYml, code: CodeContract): string[] {
  const problems: string[] = [];
  const declared = yml.inputs ?? {};
  for (const name of Object.keys(code.inputs)) {
    if (!(name in declared)) problems.push(`input '${name}' is read by the code but not declared in action.yml`);
  }
  for (const [name, spec] of Object.entries(declared)) {
    const read = code.inputs[name];
    if (!read) {
      problems.push(`input '${name}' is declared in action.yml but the code never reads it`);
      continue;
    }
    if (Boolean(spec.required) !== read.required) {
      problems.push(
        `input '${name}': action.yml says required=${Boolean(spec.required)}, the code says ${read.required}`,
      );
    }
    const ymlDefault = spec.default === undefined || spec.default === null ? undefined : String(spec.default);
    const codeDefault = read.default ?? read.runnerDefault;
    if (ymlDefault !== codeDefault && !(ymlDefault === '' && codeDefault === undefined)) {
      problems.push(
        `input '${name}': action.yml default ${JSON.stringify(ymlDefault)}, the code's ${JSON.stringify(codeDefault)}`,
      );
    }
  }
  const outputs = Object.keys(yml.outputs ?? {});
  for (const name of code.outputs) {
    if (!outputs.includes(name)) problems.push(`output '${name}' is set by the code but not declared in action.yml`);
  }
  for (const name of outputs) {
    if (!code.outputs.includes(name))
      problems.push(`output '${name}' is declared in action.yml but the code never sets it`);
  }
  return problems;
}
