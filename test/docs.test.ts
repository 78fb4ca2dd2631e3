/**
 * The repository stands alone and says one thing one way: no reference to documents outside it,
 * links that resolve, one owner placeholder, every reusable-workflow input, secret and output
 * described (the catalog shows them), and an actionlint configuration that silences only what it says.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../scripts/actions';
import { readWorkflowYml, WORKFLOWS } from '../scripts/catalog';

/** Tracked text files (git's view, so generated and ignored files are left out). */
function tracked(...patterns: string[]): string[] {
  return execFileSync('git', ['ls-files', '--', ...patterns], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f !== '' && existsSync(join(ROOT, f)));
}

const TEXT = /\.(md|ts|yml|yaml|json|mjs|js|sh|toml)$|^\.ci\/run$/;
const sources = () => tracked('.').filter((f) => TEXT.test(f) && !f.startsWith('dist/') && f !== 'package-lock.json');

describe('the repository stands alone', () => {
  it('refers to no design notes, reference files or folders outside it', () => {
    const outside = new RegExp(['DESIGN\\.md', 'reference/[a-z-]+\\.md', '\\.\\./shared'].join('|'));
    const found = sources()
      .filter((f) => f !== 'test/docs.test.ts')
      .flatMap((f) =>
        readFileSync(join(ROOT, f), 'utf8')
          .split('\n')
          .map((line, i) => [f, i + 1, line] as const)
          .filter(([, , line]) => outside.test(line))
          .map(([file, n, line]) => `${file}:${n}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });

  it('has relative links in its Markdown that resolve to files', () => {
    const broken: string[] = [];
    for (const file of tracked('*.md', 'docs/*.md', '*/README.md', 'packages/*/README.md')) {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s#]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(target)) continue;
        if (!existsSync(resolve(dirname(join(ROOT, file)), target))) broken.push(`${file} -> ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('has a docs/ index that lists every page in it', () => {
    const index = readFileSync(join(ROOT, 'docs', 'README.md'), 'utf8');
    const pages = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pages.filter((page) => !index.includes(`(${page})`))).toEqual([]);
  });
});

describe('one owner placeholder', () => {
  // Tests build their own workflows with other owners on purpose.
  const read = () => sources().filter((f) => !f.startsWith('test/') && !/\/test\//.test(f));

  it('names this repository as <owner>/deploy-actions everywhere users read or copy it', () => {
    const others = read().flatMap((f) =>
      [...readFileSync(join(ROOT, f), 'utf8').matchAll(/([\w<>.-]+)\/deploy-actions\//g)]
        .map((m) => m[1])
        .filter((owner) => owner !== '<owner>' && owner !== '@deploy-actions' && owner !== 'packages')
        .map((owner) => `${f}: ${owner}/deploy-actions/`),
    );
    expect(others).toEqual([]);
    expect(read().filter((f) => readFileSync(join(ROOT, f), 'utf8').includes('your-org'))).toEqual([]);
  });
});

describe('the reusable workflows in the catalog', () => {
  it.each(WORKFLOWS.map((w) => w.file))('%s describes every input, secret and output', (file) => {
    const call = readWorkflowYml(file).on.workflow_call;
    const undescribed = [
      ...Object.entries(call.inputs ?? {}).map(([name, spec]) => ['input', name, spec.description] as const),
      ...Object.entries(call.secrets ?? {}).map(([name, spec]) => ['secret', name, spec.description] as const),
      ...Object.entries(call.outputs ?? {}).map(([name, spec]) => ['output', name, spec.description] as const),
    ]
      .filter(([, , description]) => !description?.trim())
      .map(([kind, name]) => `${kind} ${name}`);
    expect(undescribed).toEqual([]);
  });
});

describe('.github/actionlint.yaml', () => {
  const config = parse(readFileSync(join(ROOT, '.github', 'actionlint.yaml'), 'utf8')) as {
    paths: Record<string, { ignore: string[] }>;
  };
  const [[glob, { ignore }]] = Object.entries(config.paths);
  const files = /\{([^}]+)\}/
    .exec(glob)![1]
    .split(',')
    .map((name) => glob.replace(/\{[^}]+\}/, name));
  // The message actionlint 1.7.x writes for a `uses:` without `@ref` (rule_action.go, invalidActionFormat).
  const report = (spec: string) =>
    `specifying action "${spec}" in invalid format because ref is missing. available formats are "{owner}/{repo}@{ref}" or "{owner}/{repo}/{path}@{ref}"`;
  const ignored = (message: string) => ignore.some((pattern) => new RegExp(pattern).test(message));

  it('names files that exist, and only those that use $/', () => {
    expect(files.filter((f) => !existsSync(join(ROOT, f)))).toEqual([]);
    const users = tracked('.github/workflows/*.yml').filter((f) =>
      /uses: \$\//.test(readFileSync(join(ROOT, f), 'utf8')),
    );
    expect(files.sort()).toEqual(users.sort());
  });

  it('ignores its report of every $/ step, and nothing else', () => {
    const specs = files.flatMap((f) =>
      [...readFileSync(join(ROOT, f), 'utf8').matchAll(/uses: (\$\/[a-z0-9-]+)/g)].map((m) => m[1]),
    );
    expect(specs.length).toBeGreaterThan(5);
    expect(specs.filter((spec) => !ignored(report(spec)))).toEqual([]);
    expect(ignored(report('actions/checkout'))).toBe(false);
    expect(ignored(report('$/x@main'))).toBe(false);
    expect(ignored('specifying action "$/fly-deploy" in invalid format because owner is missing.')).toBe(false);
  });
});
