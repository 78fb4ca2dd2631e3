/**
 * The shape docs/architecture.md promises: no import loops between source files, and every
 * action's main only parses inputs, calls its engine and sets outputs (under 100 lines).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

function sources(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const FILES = ['packages', 'actions'].flatMap((base) =>
  readdirSync(join(ROOT, base)).flatMap((name) => sources(join(ROOT, base, name, 'src'))),
);

/** Where a workspace package's specifier points: its package.json `exports`, else `src/<sub>.ts`. */
function resolvePackage(specifier: string): string | undefined {
  const m = /^@deploy-actions\/([^/]+)(\/.*)?$/.exec(specifier);
  if (!m) return undefined;
  const dir = join(ROOT, 'packages', m[1]);
  if (!existsSync(join(dir, 'package.json'))) return undefined;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const key = `.${m[2] ?? ''}`;
  let target = manifest.exports?.[key];
  if (target && typeof target === 'object') target = target.import ?? target.default ?? target.types;
  return resolve(dir, target ?? (m[2] ? `src${m[2]}.ts` : 'src/index.ts'));
}

function resolveImport(from: string, specifier: string): string | undefined {
  const base = specifier.startsWith('.') ? resolve(dirname(from), specifier) : resolvePackage(specifier);
  if (!base) return undefined;
  return [base, `${base}.ts`, join(base, 'index.ts'), base.replace(/\.js$/, '.ts')].find(
    (c) => existsSync(c) && statSync(c).isFile(),
  );
}

/** Value imports (static and dynamic) of each file; `import type` erases at build and cannot loop. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of FILES) {
    const text = readFileSync(file, 'utf8');
    const specifiers = [
      ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]),
      ...[...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]),
    ];
    graph.set(
      file,
      specifiers.map((s) => resolveImport(file, s)).filter((f): f is string => f !== undefined && FILES.includes(f)),
    );
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
function loops(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string | undefined;
    do {
      w = stack.pop();
      if (w === undefined) break;
      onStack.delete(w);
      component.push(relative(ROOT, w));
    } while (w !== v);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe('the import graph', () => {
  it('reads the source of every package and action', () => {
    expect(FILES.length).toBeGreaterThan(150);
  });

  it('has no import loops between source files', () => {
    expect(loops(importGraph())).toEqual([]);
  });

  it('finds a loop when there is one', () => {
    const [a, b] = FILES;
    expect(
      loops(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toHaveLength(1);
  });
});

describe('action mains', () => {
  const mains = readdirSync(join(ROOT, 'actions')).map((name) => join(ROOT, 'actions', name, 'src', 'main.ts'));

  it.each(mains.map((m) => [relative(ROOT, m), m]))('%s stays under 100 lines', (_name, main) => {
    expect(readFileSync(main, 'utf8').trimEnd().split('\n').length).toBeLessThan(100);
  });
});

/** Every function (declaration, method, arrow, expression) in the packages' sources, with its first line and length. */
function functionLengths(): { at: string; name: string; lines: number }[] {
  const found: { at: string; name: string; lines: number }[] = [];
  for (const file of FILES.filter((f) => relative(ROOT, f).startsWith('packages/'))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isFunctionDeclaration(node) ||
        ts.isMethodDeclaration(node) ||
        ts.isArrowFunction(node) ||
        ts.isFunctionExpression(node)
      ) {
        const first = source.getLineAndCharacterOfPosition(node.getStart()).line;
        const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        const name = 'name' in node && node.name ? (node.name as ts.Node).getText(source) : '(anonymous)';
        found.push({ at: `${relative(ROOT, file)}:${first + 1}`, name, lines: last - first + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('package functions', () => {
  const lengths = functionLengths();

  it('reads every function of the packages', () => {
    expect(lengths.length).toBeGreaterThan(500);
  });

  it('no function over 120 lines in packages/*/src', () => {
    const long = lengths.filter((f) => f.lines > 120).map((f) => `${f.at} ${f.name} ${f.lines} lines`);
    expect(long).toEqual([]);
  });
});
