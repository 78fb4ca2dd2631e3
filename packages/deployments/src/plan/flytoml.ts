/**
 * The fly.toml settings a reviewer must see change: services and their ports, health checks, the
 * deploy strategy, machine size, processes and mounts (fly.toml reference:
 * https://fly.io/docs/reference/configuration/). Read line by line as `section.key = value`;
 * repeated tables (`[[services]]`) are numbered in order.
 */
const MATTERS = /^(services|http_service|checks|deploy|vm|processes|mounts|statics)(\.|$|\[)/;

function settings(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const seen = new Map<string, number>();
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const array = /^\[\[\s*([^\]]+?)\s*\]\]$/.exec(line);
    const table = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (array) {
      const n = seen.get(array[1]) ?? 0;
      seen.set(array[1], n + 1);
      section = `${array[1]}[${n}]`;
      continue;
    }
    if (table) {
      section = table[1];
      continue;
    }
    const kv = /^([A-Za-z0-9_."-]+)\s*=\s*(.+)$/.exec(line);
    if (!kv) continue;
    const key = section ? `${section}.${kv[1]}` : kv[1];
    if (MATTERS.test(key)) out.set(key, kv[2].trim());
  }
  return out;
}

export interface SettingChange {
  key: string;
  before?: string;
  after?: string;
}

/** Settings that matter, added, removed or changed between two fly.toml texts, sorted by key. */
export function flyTomlChanges(base: string, head: string): SettingChange[] {
  const a = settings(base);
  const b = settings(head);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.filter((k) => a.get(k) !== b.get(k)).map((key) => ({ key, before: a.get(key), after: b.get(key) }));
}

/** Secret names added and removed: names only, never values. */
export function secretNameChanges(base: readonly string[], head: readonly string[]) {
  const before = new Set(base);
  const after = new Set(head);
  return {
    added: [...after].filter((n) => !before.has(n)).sort(),
    removed: [...before].filter((n) => !after.has(n)).sort(),
  };
}
