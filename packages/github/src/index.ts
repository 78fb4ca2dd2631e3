export { GitHubApiError, GitHubClient, type GitHubClientOptions, sameLogin } from './client';
