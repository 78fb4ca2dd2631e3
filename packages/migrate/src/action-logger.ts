import { log } from '@deploy-actions/toolkit';
import type { MigrateLogger } from './types';

/** The engine's messages in an action's log; a warning about a file becomes an annotation on it. */
export const actionLogger: MigrateLogger = {
  info: (message) => log.info(message),
  warning: (message, at) => log.warning(message, at && { file: at.file, startLine: at.line }),
};
