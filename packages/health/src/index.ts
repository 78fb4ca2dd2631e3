export { type Check, maskCredentialHeader, parseHeaderLines, parseSuite, resolveChecks, urlChecks } from './checks';
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
export {
  type HttpOptions,
  type HttpRequest,
  type HttpResponse,
  httpRequest,
  MAX_BODY_BYTES,
  MAX_REDIRECTS,
} from './http';
export { type GateMachine, judgeMachines, type MachineVerdict, servingMachines } from './machines';
export { describeRound, writeReport } from './report';
export { addGateSummary, latencyChart } from './summary';
