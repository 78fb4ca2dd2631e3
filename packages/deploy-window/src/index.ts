export {
  decideGate,
  formatInstant,
  formatLocal,
  type GateOptions,
  type GateReason,
  type GateResult,
  gateOutputs,
  type OverrideRequest,
  openDeployWindow,
  parseNow,
} from './gate';
export { HOLIDAY_TYPES, type Holiday, type HolidayCalendar, type HolidayType, loadHolidayCalendar } from './holidays';
export {
  describeDays,
  describeWindow,
  type Freeze,
  formatClock,
  parseClock,
  parseDays,
  parseFreezes,
  parseWindowPolicy,
  type WindowInputs,
  type WindowPolicy,
} from './policy';
export { gateSummary } from './report';
export { DeployWindow, type Verdict, type WindowReason } from './window';
