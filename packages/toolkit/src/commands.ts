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

/** `::command key=value,...::message` and a line end, escaped as the runner unescapes it. */
function formatCommand(
  command: string,
  properties: Record<string, string | number | undefined>,
  message: string,
): string {
  const props = Object.entries(properties)
    .filter(([, value]) => value !== undefined && value !== '')
    .map(([key, value]) => `${key}=${escapeProperty(String(value))}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}${EOL}`;
}

/** Writes one workflow command. */
export function issueCommand(
  command: string,
  properties: Record<string, string | number | undefined>,
  message: string,
) {
  process.stdout.write(formatCommand(command, properties, message));
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

/** `name<<delimiter` / value / `delimiter`, as a runner file (GITHUB_OUTPUT, GITHUB_ENV) holds it. */
function fileCommand(name: string, value: string): string {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  if (name.includes(delimiter) || value.includes(delimiter))
    throw new Error(`${name}: the value holds its own delimiter`);
  return `${name}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`;
}

/**
 * Sets outputs, all with one write: appended to the GITHUB_OUTPUT file, or as `set-output`
 * commands where there is none (a local run).
 */
export function setOutputs(outputs: readonly (readonly [name: string, value: string])[]): void {
  if (outputs.length === 0) return;
  const file = process.env.GITHUB_OUTPUT;
  if (file) appendFileSync(file, outputs.map(([name, value]) => fileCommand(name, value)).join(''), 'utf8');
  else process.stdout.write(outputs.map(([name, value]) => formatCommand('set-output', { name }, value)).join(''));
}

/** Sets a variable for this process and for every later step of the job. */
export function exportVariable(name: string, value: string): void {
  process.env[name] = value;
  const file = process.env.GITHUB_ENV;
  if (file) appendFileSync(file, fileCommand(name, value), 'utf8');
  else issueCommand('set-env', { name }, value);
}

/** Registers values the runner masks in the log from now on, with one write. */
export function addMasks(values: readonly string[]): void {
  if (values.length > 0) process.stdout.write(values.map((value) => formatCommand('add-mask', {}, value)).join(''));
}

/** Plain log lines, with one write. Only `log.info` calls it, after the log boundary. */
export function info(lines: readonly string[]): void {
  process.stdout.write(`${lines.join(EOL)}${EOL}`);
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
