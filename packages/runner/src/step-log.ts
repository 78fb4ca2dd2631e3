/**
 * What the job log makes of a step's output, line by line, as the Actions runner does it
 * (actions/runner main, 2025): commands consumed or refused, `stop-commands` pausing every
 * command until its token, `add-mask` masking from its line on, annotations collected.
 */
import { type Annotation, commandProperty, parseCommandLine, REGISTERED_COMMANDS, toAnnotation } from './commands';

/**
 * The forms the runner masks for each value it is given (src/Runner.Common/HostContext.cs:103-112,
 * src/Sdk/DTLogging/Logging/ValueEncoders.cs): base64 (also from the 2nd and 3rd byte on),
 * JSON-escaped, URI-escaped, XML-escaped, with `"` escaped, with `'` doubled, and without its
 * surrounding double quotes.
 */
function encodedForms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const shifted = (n: number) => (bytes.length > n ? bytes.subarray(n) : bytes).toString('base64');
  const trimmedQuotes = value.length > 8 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : '';
  return [
    value,
    bytes.toString('base64'),
    shifted(1),
    shifted(2),
    value.replace(/"/g, '\\"'),
    value.replace(/'/g, "''"),
    JSON.stringify(value).slice(1, -1),
    // Uri.EscapeDataString leaves only RFC 3986's unreserved characters.
    encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    value
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;'),
    trimmedQuotes,
  ].filter((form) => form !== '');
}

/** A step's log as the runner writes it. Feed it every stdout and stderr line in order. */
export class StepLog {
  /** The log lines, masked with the masks known when each was written. */
  readonly lines: string[] = [];
  readonly annotations: Annotation[] = [];
  /** `::debug::` messages: the log shows them only with step debugging on. */
  readonly debug: string[] = [];
  /** Values given to `::add-mask::` (and a long stop token), as registered. */
  readonly masks: string[] = [];
  /** `::set-output` and `::save-state` values, which the runner still honours. */
  readonly legacyOutputs: Record<string, string> = {};
  readonly legacyState: Record<string, string> = {};
  /** Every line the runner processed as a command, unmasked (what tests assert on). */
  readonly commands: { command: string; message: string; line: string }[] = [];
  private readonly maskForms: string[] = [];
  private registered = [...REGISTERED_COMMANDS];
  private stopToken: string | undefined;
  private echo = false;

  /** Handles one line, as OutputManager.OnDataReceived does (src/Runner.Worker/Handlers/OutputManager.cs:77-99). */
  feed(line: string): void {
    if (line !== '' && (line.includes('##[') || line.includes('::')) && this.tryCommand(line)) return;
    // The runner defuses its own step markers in user output (OutputManager.cs:93-99).
    this.output(line.replace(/##\[start-action/g, '##[\\start-action').replace(/##\[end-action/g, '##[\\end-action'));
  }

  /** Feeds every line of a stream (`\n`, `\r\n` and `\r` end a line, as StreamReader.ReadLine has it). */
  feedText(text: string): void {
    if (text === '') return;
    const lines = text.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    for (const line of lines) this.feed(line);
  }

  /** The log as one text. */
  text(): string {
    return this.lines.join('\n');
  }

  /** Masks `text` with every mask registered so far, as the runner's SecretMasker does. */
  mask(text: string): string {
    let out = text;
    for (const form of this.maskForms) if (out.includes(form)) out = out.split(form).join('***');
    return out;
  }

  private output(line: string): void {
    this.lines.push(this.mask(line));
  }

  private addMask(value: string): void {
    if (value === '' || this.masks.includes(value)) return;
    this.masks.push(value);
    for (const form of encodedForms(value)) if (!this.maskForms.includes(form)) this.maskForms.push(form);
    // Longest first, so that a whole value goes before any part of it.
    this.maskForms.sort((a, b) => b.length - a.length);
  }

  /** ActionCommandManager.TryProcessCommand (src/Runner.Worker/ActionCommandManager.cs:61-154). */
  private tryCommand(line: string): boolean {
    const cmd = parseCommandLine(line, this.registered);
    if (!cmd) return false;
    const name = cmd.command.toLowerCase();
    if (this.stopToken !== undefined) {
      // Paused: only the token resumes; any other command stays plain output.
      if (name !== this.stopToken.toLowerCase()) return false;
      this.output(line);
      this.registered = this.registered.filter((c) => c !== this.stopToken);
      this.stopToken = undefined;
      this.commands.push({ command: cmd.command, message: cmd.message, line });
      return true;
    }
    this.commands.push({ command: cmd.command, message: cmd.message, line });
    if (name === 'stop-commands') {
      // ValidateStopToken (ActionCommandManager.cs:156-188): an empty, known or `pause-logging` token fails the command.
      const token = cmd.message;
      if (
        token === '' ||
        this.registered.some((c) => c.toLowerCase() === token.toLowerCase()) ||
        /^pause-logging$/i.test(token)
      ) {
        this.refuse(line, 'Invalid stop-commands token');
        return true;
      }
      this.stopToken = token;
      this.registered.push(token);
      if (token.length > 6) this.addMask(token);
      this.output(line);
      return true;
    }
    // Echo is off unless `::echo::on` (the extensions' OmitEcho: add-mask, debug and annotations never echo).
    if (this.echo && !['add-mask', 'debug', 'error', 'warning', 'notice'].includes(name)) this.output(line);
    this.process(name, cmd, line);
    return true;
  }

  private process(name: string, cmd: NonNullable<ReturnType<typeof parseCommandLine>>, line: string): void {
    switch (name) {
      case 'add-mask': {
        // AddMaskCommandExtension (ActionCommandManager.cs:420-451): the value, then each trimmed line.
        if (cmd.message.trim() === '') {
          this.annotations.push({
            level: 'warning',
            message: "Can't add secret mask for empty string in ##[add-mask] command.",
          });
          return;
        }
        this.addMask(cmd.message);
        for (const part of cmd.message.split(/[\r\n]/)) if (part.trim() !== '') this.addMask(part.trim());
        return;
      }
      case 'debug':
        this.debug.push(this.mask(cmd.message));
        return;
      case 'error':
      case 'warning':
      case 'notice': {
        const annotation = toAnnotation(cmd);
        if (!annotation) return;
        const masked = { ...annotation, message: this.mask(annotation.message) };
        if (masked.title !== undefined) masked.title = this.mask(masked.title);
        this.annotations.push(masked);
        // An issue is written to the log as `##[level]message`.
        this.output(`##[${name}]${annotation.message}`);
        return;
      }
      case 'group':
      case 'endgroup':
        // GroupingCommandExtension writes `##[group]title` / `##[endgroup]`.
        this.output(`##[${name}]${cmd.message}`);
        return;
      case 'echo':
        if (/^on$/i.test(cmd.message.trim())) this.echo = true;
        else if (/^off$/i.test(cmd.message.trim())) this.echo = false;
        return;
      case 'set-output':
        this.legacyOutputs[commandProperty(cmd, 'name') ?? ''] = cmd.message;
        return;
      case 'save-state':
        this.legacyState[commandProperty(cmd, 'name') ?? ''] = cmd.message;
        return;
      case 'set-env':
      case 'add-path':
        // Disabled unless ACTIONS_ALLOW_UNSECURE_COMMANDS is true (ActionCommandManager.cs:243-260).
        this.refuse(line, `The \`${name}\` command is disabled.`);
        return;
      default:
        // add-matcher / remove-matcher: problem matchers are not modelled.
        return;
    }
  }

  private refuse(line: string, why: string): void {
    this.annotations.push({ level: 'error', message: this.mask(`Unable to process command '${line}' successfully.`) });
    this.annotations.push({ level: 'error', message: why });
  }
}
