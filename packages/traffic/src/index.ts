export {
  type BaselineKind,
  type CustomResult,
  type Look,
  lookOnce,
  planWindows,
  type TrafficMachine,
} from './analysis';
export { type CustomCheck, parseCustomChecks } from './custom';
export { type InconclusivePolicy, runTrafficGate, type TrafficGateOptions, type TrafficGateResult } from './gate';
export { compareSides, DEFAULT_THRESHOLDS, type SideStats, type Thresholds } from './judge';
export {
  authorizationFor,
  type PromClient,
  PromQueryError,
  parseQueryAnswer,
  promClient,
  type QueryResult,
} from './prom';
export { histogramQuantile, parseLe } from './quantile';
export { quoteLabel, selector, sideQueries } from './queries';
export { errorRateTest, fisherGreater, normalCdf, twoProportionZ } from './stats';
export { addTrafficSummary } from './summary';
