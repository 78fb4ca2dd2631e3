import * as commands from './commands';
import { redact } from './secrets';

/**
 * The job log, with every registered secret replaced by `***` before it is written.
 * The runner masks too; redacting here also protects values the runner has no mask for.
 */
export const log = {
  info: (message: string) => commands.info(redact(message)),
  debug: (message: string) => commands.debug(redact(message)),
  notice: (message: string, props?: commands.AnnotationProperties) =>
    commands.annotate('notice', redact(message), props),
  warning: (message: string, props?: commands.AnnotationProperties) =>
    commands.annotate('warning', redact(message), props),
  error: (message: string, props?: commands.AnnotationProperties) => commands.annotate('error', redact(message), props),
  group: async <T>(title: string, fn: () => Promise<T>): Promise<T> => commands.group(redact(title), fn),
};
