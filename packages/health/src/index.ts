export { type Check, parseHeaderLines, parseSuite, resolveChecks, urlChecks } from './checks';
export { maskUrlCredentials } from './credentials';
export { type Evaluation, evaluate, type Outcome, type VersionSource } from './evaluate';
export { jsonPath, parseStatusSet, type StatusSet } from './expect';
export { type GateOptions, type GateResult, runHealthGate } from './gate';
export {
  type GateReport,
  type Phase,
  type ProbeRecord,
  type RoundRecord,
  type Verdict,
  writeReport,
} from './gate-report';
export { type HttpOptions, type HttpRequest, type HttpResponse, httpRequest } from './http';
export { type FlyGate, type GateMachine, judgeMachines, type MachineVerdict } from './machines';
export { describeRound } from './progress';
export { addGateSummary } from './summary';
