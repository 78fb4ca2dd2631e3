/** Injected faults: the next matching requests answer with a chosen status instead of the real one. */
import type { Fault } from './api';
import type { Reply } from './http';

export interface PendingFault {
  fault: Fault;
  times: number;
  method?: string;
  path?: RegExp;
}

export class Faults {
  #pending: PendingFault[] = [];

  add(fault: Fault, match?: { times?: number; method?: string; path?: RegExp }): void {
    this.#pending.push({ fault, times: match?.times ?? 1, method: match?.method, path: match?.path });
  }

  /** The first fault still due for a request, if any. */
  match(method: string, path: string): PendingFault | undefined {
    return this.#pending.find(
      (f) => f.times > 0 && (!f.method || f.method === method) && (!f.path || f.path.test(path)),
    );
  }

  /** Uses one answer of a fault and returns it. */
  spend(pending: PendingFault): Reply {
    pending.times--;
    this.#pending = this.#pending.filter((f) => f.times > 0);
    const { fault } = pending;
    return [fault.status, fault.body ?? { message: 'Injected fault' }, fault.headers ?? {}];
  }

  clear(): void {
    this.#pending = [];
  }
}
