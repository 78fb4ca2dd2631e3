export { type Check, parseHeaderLines, parseSuite, resolveChecks, urlChecks } from './checks';
export { type Evaluation, evaluate, type Outcome, type VersionSource } from './evaluate';
export { jsonPath, parseStatusSet, type StatusSet } from './expect';
export {
  type FlyGate,
  type GateOptions,
  type GateReport,
  type GateResult,
  type ProbeRecord,
  type RoundRecord,
  runHealthGate,
  type Verdict,
} from './gate';
export { type HttpOptions, type HttpRequest, type HttpResponse, httpRequest } from './http';
export { type GateMachine, judgeMachines, type MachineVerdict } from './machines';
export { describeRound, writeReport } from './report';
export { addGateSummary } from './summary';
