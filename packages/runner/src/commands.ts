/**
 * The workflow-command protocol on stdout and stderr (`::name key=value,key=value::message`
 * and the legacy `##[name key=value;key=value]message`) and the file commands
 * (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE), parsed the way the Actions runner parses them.
 * References are to actions/runner (main, 2025).
 */

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  message: string;
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
}

/**
 * The commands the runner registers: `stop-commands` and every command extension except the
 * plugin-internal one (src/Runner.Worker/ActionCommandManager.cs:34-45). A line naming any other
 * command is plain output. Names are compared ignoring case (ActionCommandManager.cs:25).
 */
export const REGISTERED_COMMANDS: readonly string[] = [
  'stop-commands',
  'set-env',
  'set-output',
  'save-state',
  'add-mask',
  'add-path',
  'add-matcher',
  'remove-matcher',
  'debug',
  'warning',
  'error',
  'notice',
  'group',
  'endgroup',
  'echo',
];

/** .NET's Char.IsWhiteSpace, which String.TrimStart() removes (ActionCommand.cs:62). */
const DOTNET_WHITESPACE = /^[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
/**
 * StartsWith and IndexOf in ActionCommand.cs are culture-sensitive (ICU), which skips
 * characters the collation ignores. Control and format characters stand for those here, so the
 * harness errs towards seeing a command where the runner might.
 */
const IGNORABLE = '[\\p{Cc}\\p{Cf}\\p{Default_Ignorable_Code_Point}]*';
const STARTS_WITH_KEY = new RegExp(`^${IGNORABLE}::`, 'u');
const LEGACY_PREFIX = new RegExp(`#${IGNORABLE}#${IGNORABLE}\\[`, 'u');

/** Replacements applied in order, as ActionCommand.cs:9-32 and its Unescape* methods do. */
const DATA_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
];
const PROPERTY_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
];
const LEGACY_ESCAPES: [string, string][] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
  ['%25', '%'],
];

function unescapeWith(text: string, mappings: [string, string][]): string {
  let out = text;
  for (const [escaped, token] of mappings) out = out.split(escaped).join(token);
  return out;
}

function isRegistered(name: string, registered: readonly string[]): boolean {
  const lower = name.toLowerCase();
  return registered.some((command) => command.toLowerCase() === lower);
}

/** `key=value` pairs split on `separator`; a pair with an empty side is dropped (ActionCommand.cs:100-108). */
function readProperties(text: string, separator: string, mappings: [string, string][]): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const pair of text.split(separator)) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) continue;
    properties[pair.slice(0, eq)] = unescapeWith(pair.slice(eq + 1), mappings);
  }
  return properties;
}

/** TryParseV2 (ActionCommand.cs:51-119): `::` after leading white space, the name up to a space. */
function parseV2(line: string, registered: readonly string[]): WorkflowCommand | undefined {
  const message = line.replace(DOTNET_WHITESPACE, '');
  if (!STARTS_WITH_KEY.test(message)) return undefined;
  const end = message.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = message.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!isRegistered(command, registered)) return undefined;
  const properties = space > 0 ? readProperties(info.slice(space + 1).trim(), ',', PROPERTY_ESCAPES) : {};
  return { command, properties, message: unescapeWith(message.slice(end + 2), DATA_ESCAPES) };
}

/** TryParse (ActionCommand.cs:121-189): `##[` anywhere in the line, the name up to a space or `]`. */
function parseLegacy(line: string, registered: readonly string[]): WorkflowCommand | undefined {
  const prefix = LEGACY_PREFIX.exec(line);
  if (!prefix) return undefined;
  const close = line.indexOf(']', prefix.index);
  if (close < 0) return undefined;
  // The runner takes the name from three characters after the match's start.
  const start = prefix.index + 3;
  const info = start <= close ? line.slice(start, close) : '';
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (command === '' || !isRegistered(command, registered)) return undefined;
  const properties = space > 0 ? readProperties(info.slice(space + 1), ';', LEGACY_ESCAPES) : {};
  return { command, properties, message: unescapeWith(line.slice(close + 1), LEGACY_ESCAPES) };
}

/**
 * Parses one output line as a workflow command, or returns undefined for plain output. Both
 * forms are tried, the `::` form first (ActionCommandManager.cs:70). `registered` is what the
 * runner knows at that moment: the defaults, plus a `stop-commands` token while it is active.
 */
export function parseCommandLine(
  line: string,
  registered: readonly string[] = REGISTERED_COMMANDS,
): WorkflowCommand | undefined {
  if (line === '') return undefined;
  return parseV2(line, registered) ?? parseLegacy(line, registered);
}

/** A property by name, ignoring case, as the runner's dictionary does (ActionCommand.cs:34). */
export function commandProperty(cmd: WorkflowCommand, name: string): string | undefined {
  const key = Object.keys(cmd.properties).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : cmd.properties[key];
}

export function toAnnotation(cmd: WorkflowCommand): Annotation | undefined {
  const level = cmd.command.toLowerCase();
  if (level !== 'error' && level !== 'warning' && level !== 'notice') return undefined;
  const text = (key: string) => commandProperty(cmd, key);
  const num = (key: string) => (text(key) === undefined ? undefined : Number(text(key)));
  const annotation: Annotation = { level, message: cmd.message };
  if (text('title') !== undefined) annotation.title = text('title');
  if (text('file') !== undefined) annotation.file = text('file');
  if (num('line') !== undefined) annotation.line = num('line');
  if (num('endLine') !== undefined) annotation.endLine = num('endLine');
  if (num('col') !== undefined) annotation.col = num('col');
  return annotation;
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file: `name=value` lines and
 * `name<<DELIMITER` heredocs. A heredoc without its closing delimiter is an error,
 * as it is for the runner.
 */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    const eq = line.indexOf('=');
    if (heredoc && (eq === -1 || line.indexOf('<<') < eq)) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        value.push(lines[i]);
      }
      if (!closed) throw new Error(`Matching delimiter not found '${delimiter}' for '${name}'`);
      result[name] = value.join('\n');
    } else if (eq > 0) {
      result[line.slice(0, eq)] = line.slice(eq + 1);
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return result;
}
