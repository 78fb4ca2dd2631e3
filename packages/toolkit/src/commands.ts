/**
 * The runner's protocol, written directly: workflow commands on stdout and the
 * GITHUB_OUTPUT / GITHUB_ENV files. It is all an action needs on every run, and it
 * spares each step the start-up of @actions/core 3 (about 60 ms: its HTTP and OIDC
 * clients load eagerly), which stays for the code paths that need it (tool-cache).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';

/** os.EOL without loading `node:os` at start-up. */
const EOL = process.platform === 'win32' ? '\r\n' : '\n';

/** Where an annotation points, as @actions/core names it. */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  startLine?: number;
  endLine?: number;
  startColumn?: number;
  endColumn?: number;
}

function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** Writes `::command key=value,...::message`, escaped as the runner unescapes it. */
export function issueCommand(
  command: string,
  properties: Record<string, string | number | undefined>,
  message: string,
) {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  process.stdout.write(`::${command}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`);
}

export function annotationProperties(props: AnnotationProperties = {}): Record<string, string | number | undefined> {
  return {
    title: props.title,
    file: props.file,
    line: props.startLine,
    endLine: props.endLine,
    col: props.startColumn,
    endColumn: props.endColumn,
  };
}

/** Appends `name<<delimiter` / value / `delimiter` to a runner file, or returns false when there is none. */
function appendFileCommand(variable: 'GITHUB_OUTPUT' | 'GITHUB_ENV', name: string, value: string): boolean {
  const file = process.env[variable];
  if (!file) return false;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`${name}: the value holds its own delimiter`);
  appendFileSync(file, `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`, 'utf8');
  return true;
}

export function setOutput(name: string, value: string): void {
  if (!appendFileCommand('GITHUB_OUTPUT', name, value)) issueCommand('set-output', { name }, value);
}

/** Sets a variable for this process and for every later step of the job. */
export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  if (!appendFileCommand('GITHUB_ENV', name, value)) issueCommand('set-env', { name }, value);
}

/** Registers a value the runner masks in the log from now on. */
export function addMask(value: string): void {
  issueCommand('add-mask', {}, value);
}

export function info(message: string): void {
  process.stdout.write(`${message}${EOL}`);
}

export function debug(message: string): void {
  issueCommand('debug', {}, message);
}

export function annotate(level: 'error' | 'warning' | 'notice', message: string, props?: AnnotationProperties): void {
  issueCommand(level, annotationProperties(props), message);
}

/** Fails the step: an error annotation and exit code 1 once the process ends. */
export function setFailed(message: string): void {
  process.exitCode = 1;
  annotate('error', message);
}

export async function group<T>(title: string, fn: () => Promise<T>): Promise<T> {
  issueCommand('group', {}, title);
  try {
    return await fn();
  } finally {
    issueCommand('endgroup', {}, '');
  }
}
