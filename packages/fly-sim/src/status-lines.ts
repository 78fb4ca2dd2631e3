import type { Io } from './io';

/**
 * flyctl's non-interactive status logger (superfly/flyctl@v0.4.87 internal/statuslogger):
 * each line is printed on stdout as `<glyph> [i/n] <text>` (noninteractive.go:34-45): the
 * glyph of the line's status (` ` none, `>` running, `✔` success, `✖` failure:
 * shared.go:15-19) when the logger shows status characters, the index `[i/n]` (zero-padded
 * to the width of n: shared.go:40-47) only when there is more than one line (create.go:12).
 */
export type Status = 'none' | 'running' | 'success' | 'failure';

const GLYPH: Record<Status, string> = { none: ' ', running: '>', success: '✔', failure: '✖' };

export class StatusLogger {
  private readonly status: Status[];
  constructor(
    private readonly io: Io,
    private readonly total: number,
    private readonly showStatus = true,
  ) {
    this.status = Array.from({ length: total }, () => 'none' as Status);
  }

  /** `LogStatus`: sets the line's status, then prints (noninteractive.go:57-60). */
  logStatus(index: number, status: Status, text: string): void {
    this.status[index] = status;
    this.log(index, text);
  }

  /** `Log`: prints with the line's current status (noninteractive.go:34-45). */
  log(index: number, text: string): void {
    let buf = '';
    if (this.showStatus) buf += `${GLYPH[this.status[index]]} `;
    if (this.total > 1) {
      const width = String(this.total).length;
      buf += `[${String(index + 1).padStart(width, '0')}/${this.total}] `;
    }
    // Fprintln: a text ending in "\n" (the health-check line does) leaves an empty line.
    this.io.raw(`${buf}${text}\n`);
  }

  /** `setStatus`: no output on a non-interactive logger (noninteractive.go:71-73). */
  setStatus(index: number, status: Status): void {
    this.status[index] = status;
  }
}
