import * as commands from './commands';
import { logLines } from './log-lines';
import { redact } from './secrets';

/**
 * The job log, with every registered secret replaced by `***` before it is written.
 * The runner masks too; redacting here also protects values the runner has no mask for.
 * Plain lines go through the log boundary (`logLines`): a message may carry outside text,
 * and none of its lines may become a workflow command. Annotation, debug and group texts
 * are the data of our own command, escaped so that they cannot end it.
 */
export const log = {
  info: (message: string) => commands.info(logLines(redact(message))),
  debug: (message: string) => commands.debug(redact(message)),
  notice: (message: string, props?: commands.AnnotationProperties) =>
    commands.annotate('notice', redact(message), props),
  warning: (message: string, props?: commands.AnnotationProperties) =>
    commands.annotate('warning', redact(message), props),
  error: (message: string, props?: commands.AnnotationProperties) => commands.annotate('error', redact(message), props),
  group: async <T>(title: string, fn: () => Promise<T>): Promise<T> => commands.group(redact(title), fn),
};
