import type { Scenario } from '../scenario';
import { autostop } from './autostop';
import { badRelease } from './bad-release';
import { closedHours } from './closed-hours';
import { happy } from './happy';
import { preview } from './preview';
import { badTraffic, slowRelease } from './traffic';
import { worker } from './worker';

/** Every scenario, in the order `all` runs them. */
export const SCENARIOS: Scenario[] = [
  happy,
  badRelease,
  closedHours,
  autostop,
  preview,
  worker,
  badTraffic,
  slowRelease,
];
