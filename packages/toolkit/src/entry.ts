import * as core from './commands';
import { errorMessage, isUserError } from './errors';
import { log } from './log';
import { processesEnded } from './process';
import { containsSecret, redact, secretSourcesIn } from './secrets';

/** Registered values this long or longer never reach an output; shorter ones are not credentials. */
const OUTPUT_GUARD_MIN_LENGTH = 8;

/** The outputs an action declares; unset ones are written empty when the step ends. */
export class Outputs<Name extends string> {
  private readonly values = new Map<Name, string>();
  constructor(readonly names: readonly Name[]) {}

  /**
   * Sets an output. An output is visible to every later step and job, so a registered secret
   * of credential length in it is replaced by `***`, with a warning naming where that secret
   * came from (checked again when the outputs are written, for secrets registered later). It
   * never throws: by the time outputs are set the work is done, and the outputs a workflow
   * relies on afterwards (a release version, a verdict) must all be written.
   */
  set(name: Name, value: string | number | boolean | undefined | null): void {
    this.values.set(name, this.guarded(name, value === undefined || value === null ? '' : String(value)));
  }

  private guarded(name: Name, text: string): string {
    if (!containsSecret(text, OUTPUT_GUARD_MIN_LENGTH)) return text;
    const where = secretSourcesIn(text, OUTPUT_GUARD_MIN_LENGTH).map(
      (source) => source ?? 'a value registered as secret',
    );
    const redacted = redact(text);
    log.warning(
      `Output '${name}' holds the value of ${where.join(' and ')}; it is written with that part as *** (${redacted}). ` +
        'Use a value for the secret that is not part of app names, URLs or image references.',
      { title: 'A secret collides with an output' },
    );
    return redacted;
  }

  get(name: Name): string {
    return this.values.get(name) ?? '';
  }

  /** Writes every declared output, empty when it does not apply. */
  flush(): void {
    for (const [name, text] of this.values) this.values.set(name, this.guarded(name, text));
    core.setOutputs(this.names.map((name) => [name, this.values.get(name) ?? ''] as const));
  }
}

/**
 * Ends the process once the processes it started have ended and stdout has taken everything
 * written to it (a pipe can be asynchronous; the actions write nothing to stderr). The step is
 * over: waiting for Node's own end instead costs its teardown of the heap and handles (1-3 ms
 * measured on pg-migrate's no-op), or as long as a handle a library left open stays open (a
 * keep-alive socket, a forgotten timer). The exit code is `process.exitCode` (1 after setFailed).
 */
async function exitWhenWritten(): Promise<void> {
  await processesEnded();
  await new Promise((done) => process.stdout.write('', done));
  process.exit();
}

/**
 * The one entry point of every action. User errors end the step with their message
 * only; anything else is a bug and adds its stack under `::debug::`. Declared outputs
 * are always written, also when the step fails. Then the process ends (exitWhenWritten).
 */
export async function runStep<Name extends string>(
  outputNames: readonly Name[],
  main: (outputs: Outputs<Name>) => Promise<void>,
): Promise<void> {
  const outputs = new Outputs(outputNames);
  try {
    await main(outputs);
  } catch (error) {
    if (isUserError(error)) {
      const hint = error.hint ? `\n${error.hint}` : '';
      core.setFailed(redact(`${error.message}${hint}`));
    } else {
      if (error instanceof Error && error.stack) core.debug(redact(error.stack));
      core.setFailed(redact(`Unexpected error (a bug in deploy-actions, please report it): ${errorMessage(error)}`));
    }
  } finally {
    outputs.flush();
  }
  await exitWhenWritten();
}
