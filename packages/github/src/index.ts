export {
  type ChecksResult,
  type CheckVerdict,
  type CommitChecksOptions,
  commitChecks,
  type WaitForChecksOptions,
  waitForChecks,
} from './checks';
export { GitHubApiError, GitHubClient, type GitHubClientOptions, sameLogin } from './client';
