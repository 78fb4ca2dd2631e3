/**
 * Every package and action declares the packages its sources import (import loops and thin mains
 * are checked in architecture.test.ts). Imports are read with TypeScript's parser.
 */
import { globSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../scripts/actions';

const sourceFiles = (pattern: string) => globSync(pattern, { cwd: ROOT }).sort();
const parse = (file: string) =>
  ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);

/** The module specifiers a file imports or re-exports (type-only ones included). */
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

/** The package an import names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];

describe('package manifests', () => {
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
