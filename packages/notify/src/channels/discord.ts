import { renderDiscord } from '../render/discord';
import { chatChannel } from './chat';

export const discord = chatChannel('discord', 'Discord', renderDiscord);
