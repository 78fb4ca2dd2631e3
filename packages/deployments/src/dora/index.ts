export { type Band, failureRateBand, frequencyBand, leadTimeBand, restoreBand } from './bands';
export {
  doraFigures,
  type EnvironmentFigures,
  environmentFigures,
  type HistoryDeployment,
  type Period,
  type WeekFigures,
} from './compute';
export { type ReadHistoryOptions, readHistory } from './history';
export { doraJson, doraSummary } from './render';
export { type DoraReport, type DoraReportOptions, doraReport } from './report';
