/** A flyctl failure: printed as `Error: <message>` plus optional lines, then exit `code`. */
export class FlyFail extends Error {
  readonly code: number;
  readonly extra: string[];
  constructor(message: string, options?: { code?: number; extra?: string[] }) {
    super(message);
    this.code = options?.code ?? 1;
    this.extra = options?.extra ?? [];
  }
}

/** Raised inside a command when the flyctl process went away (killed or interrupted). */
export class Interrupted extends Error {}

/** What a command sees of the flyctl process that invoked it. */
export interface Invocation {
  args: string[];
  env: Record<string, string>;
  cwd: string;
  stdin?: string;
}

/** Where a command writes; the flyctl process prints it as it arrives. */
export class Io {
  aborted = false;
  private readonly abortWaiters = new Set<() => void>();
  constructor(private readonly write: (event: Record<string, unknown>) => void) {}

  out(text: string): void {
    this.write({ o: text.endsWith('\n') ? text : `${text}\n` });
  }
  err(text: string): void {
    this.write({ e: text.endsWith('\n') ? text : `${text}\n` });
  }
  /** Raw stdout without an added newline (JSON documents). */
  raw(text: string): void {
    this.write({ o: text });
  }

  abort(): void {
    this.aborted = true;
    for (const wake of this.abortWaiters) wake();
  }

  /** Waits, unless the flyctl process goes away first (then throws Interrupted). */
  async sleep(ms: number): Promise<void> {
    if (this.aborted) throw new Interrupted();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.abortWaiters.delete(done);
        resolve();
      }
      this.abortWaiters.add(done);
    });
    if (this.aborted) throw new Interrupted();
  }
}
