export { GitHubApiError, GitHubClient, type GitHubClientOptions } from './client';
