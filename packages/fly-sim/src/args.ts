import { FlyFail } from './io';

export type FlagKind = 'string' | 'bool' | 'array';
export interface FlagSpec {
  kind: FlagKind;
  aliases?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  strings: Record<string, string>;
  bools: Record<string, boolean>;
  arrays: Record<string, string[]>;
}

/** Flags every flyctl command takes. */
const GLOBAL: Record<string, FlagSpec> = {
  'access-token': { kind: 'string', aliases: ['t'] },
  verbose: { kind: 'bool' },
  debug: { kind: 'bool' },
};

/**
 * Parses argv the way cobra/pflag does for the flags a command declares:
 * `--name value`, `--name=value`, `-x value`, bools as `--flag` or `--flag=false`.
 * An unknown flag fails like flyctl: `unknown flag: --x`.
 */
export function parseArgs(args: readonly string[], specs: Readonly<Record<string, FlagSpec>>): ParsedArgs {
  const all = { ...GLOBAL, ...specs };
  const byName = new Map<string, [string, FlagSpec]>();
  for (const [name, spec] of Object.entries(all)) {
    byName.set(`--${name}`, [name, spec]);
    for (const alias of spec.aliases ?? []) byName.set(alias.length === 1 ? `-${alias}` : `--${alias}`, [name, spec]);
  }
  const out: ParsedArgs = { positionals: [], strings: {}, bools: {}, arrays: {} };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      out.positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = eq === -1 ? arg : arg.slice(0, eq);
    const found = byName.get(key);
    if (!found) {
      throw new FlyFail(
        key.startsWith('--') ? `unknown flag: ${key}` : `unknown shorthand flag: '${key.slice(1)}' in ${arg}`,
      );
    }
    const [name, spec] = found;
    if (spec.kind === 'bool') {
      const raw = eq === -1 ? 'true' : arg.slice(eq + 1);
      if (!['true', 'false', '1', '0', 't', 'f'].includes(raw.toLowerCase())) {
        throw new FlyFail(
          `invalid argument "${raw}" for "${key}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`,
        );
      }
      out.bools[name] = ['true', '1', 't'].includes(raw.toLowerCase());
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (i + 1 < args.length) value = args[++i];
    else throw new FlyFail(`flag needs an argument: ${key}`);
    if (spec.kind === 'array') {
      out.arrays[name] = [...(out.arrays[name] ?? []), value];
    } else out.strings[name] = value;
  }
  return out;
}
