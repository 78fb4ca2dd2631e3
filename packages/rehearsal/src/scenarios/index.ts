import type { Scenario } from '../scenario';
import { autostop } from './autostop';
import { badRelease } from './bad-release';
import { closedHours } from './closed-hours';
import { happy } from './happy';
import { preview } from './preview';

/** Every scenario, in the order `all` runs them. */
export const SCENARIOS: Scenario[] = [happy, badRelease, closedHours, preview];

/**
 * Written, not yet run by `all` or `npm test`: `autostop` needs the health gate to pass a stopped
 * machine of the new release that was stopped on purpose (autostop: exit 0 with requested_stop, a
 * standby, or stopped before the deploy); today's gate calls any stopped machine of the release fatal.
 */
export const PENDING_SCENARIOS: Scenario[] = [autostop];
