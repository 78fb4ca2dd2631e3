/**
 * The workflow-command protocol on stdout (`::name key=value,key=value::message`)
 * and the file commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE), parsed the way
 * the Actions runner parses them.
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

const COMMAND = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/;

function unescapeData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

function unescapeProperty(value: string): string {
  return unescapeData(value).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

/** Parses one stdout line as a workflow command, or returns undefined for plain output. */
export function parseCommandLine(line: string): WorkflowCommand | undefined {
  const match = COMMAND.exec(line);
  if (!match) return undefined;
  const properties: Record<string, string> = {};
  for (const pair of (match[2] ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  return { command: match[1], properties, message: unescapeData(match[3]) };
}

export function toAnnotation(cmd: WorkflowCommand): Annotation | undefined {
  if (cmd.command !== 'error' && cmd.command !== 'warning' && cmd.command !== 'notice') return undefined;
  const num = (key: string) => (cmd.properties[key] === undefined ? undefined : Number(cmd.properties[key]));
  const annotation: Annotation = { level: cmd.command, message: cmd.message };
  if (cmd.properties.title !== undefined) annotation.title = cmd.properties.title;
  if (cmd.properties.file !== undefined) annotation.file = cmd.properties.file;
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
