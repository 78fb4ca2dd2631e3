import { renderTeams } from '../render/teams';
import { chatChannel } from './chat';

/** Teams Workflows answer 202 before the flow runs: accepted, not proven delivered. */
export const teams = chatChannel('teams', 'Teams', renderTeams, (status) =>
  status === 202
    ? 'accepted (HTTP 202): the Teams workflow runs later, so delivery to the channel is not confirmed'
    : `posted (HTTP ${status})`,
);
