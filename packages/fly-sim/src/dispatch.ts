import { deploy } from './commands/deploy';
import { appsCreate, appsDestroy, appsList, imageShow, logs, machinesList, releases, status } from './commands/inspect';
import { ipsAllocateV6, ipsList } from './commands/ips';
import { machineStart } from './commands/machine';
import { type ExecDirective, type ProxyDirective, proxy, sshConsole } from './commands/remote';
import { secretsDeploy, secretsImport, secretsList, secretsSet, secretsUnset } from './commands/secrets';
import { type Ctx, SIM_FLYCTL_VERSION } from './context';
import { FlyFail } from './io';
import { POSTGRES_COMMANDS } from './postgres';

export type Outcome = number | ProxyDirective | ExecDirective;
type Handler = (ctx: Ctx, args: string[]) => Promise<Outcome>;

/** Command words (with flyctl's aliases) to handlers. */
const COMMANDS: Record<string, Handler> = {
  'apps create': appsCreate,
  'apps destroy': appsDestroy,
  'apps delete': appsDestroy,
  'apps remove': appsDestroy,
  'apps rm': appsDestroy,
  'apps list': appsList,
  'apps ls': appsList,
  'apps releases': releases,
  status,
  deploy,
  releases,
  'machines list': machinesList,
  'machines ls': machinesList,
  'machine list': machinesList,
  'machine ls': machinesList,
  'm list': machinesList,
  'm ls': machinesList,
  'machine start': machineStart,
  'machines start': machineStart,
  'm start': machineStart,
  'secrets list': secretsList,
  'secrets ls': secretsList,
  'secrets set': secretsSet,
  'secrets unset': secretsUnset,
  'secrets import': secretsImport,
  'secrets deploy': secretsDeploy,
  'ips list': ipsList,
  'ips ls': ipsList,
  'ips allocate-v6': ipsAllocateV6,
  proxy,
  'ssh console': sshConsole,
  'image show': imageShow,
  logs,
  ...POSTGRES_COMMANDS,
  version: async (ctx) => {
    ctx.io.out(versionLine(ctx.version));
    return 0;
  },
};

/** `flyctl version` (superfly/flyctl@v0.4.87 internal/buildinfo/buildinfo.go:71-78). */
export function versionLine(version: string): string {
  return `flyctl v${version} linux/amd64 Commit: ad0172fa BuildDate: 2026-08-21T00:00:00Z`;
}

/** Finds the handler for argv: two command words when they name one, else one. */
export function route(args: readonly string[]): { name: string; handler: Handler; rest: string[] } {
  const words = args.filter((a) => !a.startsWith('-'));
  const two = words.slice(0, 2).join(' ');
  const pick = (name: string, count: number) => {
    const rest = [...args];
    // Remove the command words wherever they are (flags may come first).
    for (let removed = 0, i = 0; removed < count && i < rest.length; ) {
      if (!rest[i].startsWith('-') && rest[i] === name.split(' ')[removed]) {
        rest.splice(i, 1);
        removed++;
      } else i++;
    }
    return { name, handler: COMMANDS[name], rest };
  };
  if (COMMANDS[two]) return pick(two, 2);
  if (words[0] && COMMANDS[words[0]]) return pick(words[0], 1);
  throw new FlyFail(`unknown command "${words.slice(0, 2).join(' ') || ''}" for "flyctl"`);
}

export { SIM_FLYCTL_VERSION };
