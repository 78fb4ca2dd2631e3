/**
 * The shape the code keeps so a maintainer can change it: thin action mains, no import loops, and
 * every package declaring what it imports. Measured from the
 * sources themselves with TypeScript's parser, so the figures are the ones a reader would count.
 */
import { existsSync, globSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/actions';

const MAX_MAIN_LINES = 100;

const sourceFiles = (pattern: string) => globSync(pattern, { cwd: ROOT }).sort();
const parse = (file: string) =>
  ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);

/** The module specifiers a file imports or re-exports (type-only ones included: they are edges too). */
function importsOf(file: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) found.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(parse(file));
  return found;
}

/** A relative specifier resolved to the .ts file it names, or undefined for anything else. */
function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(ROOT, dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts'), base]) {
    if (candidate.endsWith('.ts') && existsSync(candidate)) return relative(ROOT, candidate);
  }
  return undefined;
}

/** The package an import names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

describe('thin action mains', () => {
  it(`keeps every action's src/main.ts within ${MAX_MAIN_LINES} lines`, () => {
    const long = sourceFiles('actions/*/src/main.ts')
      .map((file) => [file, readFileSync(join(ROOT, file), 'utf8').trimEnd().split('\n').length] as const)
      .filter(([, lines]) => lines > MAX_MAIN_LINES)
      .map(([file, lines]) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});

describe('the import graph', () => {
  it('has no import loops between source files', () => {
    const files = [...sourceFiles('packages/*/src/**/*.ts'), ...sourceFiles('actions/*/src/**/*.ts')];
    const edges = new Map(
      files.map((file) => [
        file,
        importsOf(file)
          .map((specifier) => resolveRelative(file, specifier))
          .filter((target): target is string => target !== undefined),
      ]),
    );
    const loops: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const walk = (file: string, path: string[]) => {
      state.set(file, 'open');
      for (const next of edges.get(file) ?? []) {
        if (state.get(next) === 'open') loops.push([...path.slice(path.indexOf(next)), file, next].join(' → '));
        else if (!state.has(next)) walk(next, [...path, file]);
      }
      state.set(file, 'done');
    };
    for (const file of files) if (!state.has(file)) walk(file, []);
    expect(loops).toEqual([]);
  });

  it('has every package and action declare the packages its sources import', () => {
    const missing: string[] = [];
    const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const rootDeclared = new Set(Object.keys({ ...root.dependencies, ...root.devDependencies }));
    for (const manifest of [...sourceFiles('packages/*/package.json'), ...sourceFiles('actions/*/package.json')]) {
      const folder = dirname(manifest);
      const pkg = JSON.parse(readFileSync(join(ROOT, manifest), 'utf8'));
      const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.devDependencies }));
      for (const file of sourceFiles(`${folder}/src/**/*.ts`)) {
        for (const specifier of importsOf(file)) {
          if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier))
            continue;
          const name = packageName(specifier);
          if (name === pkg.name || declared.has(name)) continue;
          // Type-only packages (@types/*) come from the root; a runtime import must be declared here.
          if (rootDeclared.has(`@types/${name}`) && !rootDeclared.has(name)) continue;
          missing.push(`${file} imports ${name}, not declared in ${manifest}`);
        }
      }
    }
    expect([...new Set(missing)]).toEqual([]);
  });
});
