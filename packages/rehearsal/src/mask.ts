/**
 * The run's mask list, as the runner keeps it: every secret passed in, plus every value a step
 * registers with `::add-mask::`. Everything the rehearsal prints or writes goes through `mask`.
 */
export class Masker {
  private values: string[] = [];

  constructor(initial: Iterable<string> = []) {
    for (const value of initial) this.add(value);
  }

  add(value: string | undefined): void {
    if (!value || value.trim() === '') return;
    const parts = [value, ...value.split(/\r?\n/).filter((line) => line.trim().length >= 4)];
    const fresh = parts.filter((p) => !this.values.includes(p));
    if (fresh.length === 0) return;
    this.values = [...this.values, ...fresh].sort((a, b) => b.length - a.length);
  }

  mask(text: string): string {
    let out = text;
    for (const value of this.values) if (out.includes(value)) out = out.split(value).join('***');
    return out;
  }

  /** True when `text` holds a masked value (e.g. a job output the runner would drop). */
  reveals(text: string): boolean {
    return this.values.some((value) => text.includes(value));
  }
}
