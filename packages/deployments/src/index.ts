export {
  type CreateDeploymentOptions,
  createDeployment,
  createDeploymentStatus,
  DESCRIPTION_LIMIT,
  type DeploymentInfo,
  type DeploymentState,
  type DeploymentStatusInfo,
  type FindLastKnownGoodOptions,
  findLastKnownGood,
  findRunDeployment,
  getDeployment,
  isProductionEnvironment,
  isTransientEnvironment,
  type LastKnownGood,
  latestDeploymentStatus,
  listDeployments,
  type StatusOptions,
  truncateDescription,
} from './deployments';
export { GitHubApiError, GitHubClient, type GitHubClientOptions } from './github';
export {
  type DeploymentRecord,
  type DeploymentRecordDraft,
  deploymentRecordSchema,
  parseDeploymentRecord,
  RECORD_SCHEMA,
  toPayload,
} from './record';
