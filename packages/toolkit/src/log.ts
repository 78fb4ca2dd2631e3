import * as core from '@actions/core';
import { redact } from './secrets';

/**
 * The job log, with every registered secret replaced by `***` before it is written.
 * The runner masks too; redacting here also protects values the runner has no mask for.
 */
export const log = {
  info: (message: string) => core.info(redact(message)),
  debug: (message: string) => core.debug(redact(message)),
  notice: (message: string, props?: core.AnnotationProperties) => core.notice(redact(message), props),
  warning: (message: string, props?: core.AnnotationProperties) => core.warning(redact(message), props),
  error: (message: string, props?: core.AnnotationProperties) => core.error(redact(message), props),
  group: async <T>(title: string, fn: () => Promise<T>): Promise<T> => core.group(redact(title), fn),
};
