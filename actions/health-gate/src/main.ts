import {
  addGateSummary,
  describeRound,
  type FlyGate,
  maskUrlCredentials,
  parseHeaderLines,
  resolveChecks,
  runHealthGate,
  writeReport,
} from '@deploy-actions/health';
import {
  InputError,
  inputEnvName,
  log,
  parseInputs,
  registerSecret,
  runStep,
  Summary,
  splitList,
  UserError,
} from '@deploy-actions/toolkit';
import { checkKind } from './check-kind';
import { inputs, outputs } from './contract';
import { checkTrafficInputs, runTrafficStep } from './traffic';

await runStep(outputs, async (out) => {
  // Credentials inside URLs are masked before anything can quote them (an invalid input is quoted).
  const raw = (name: string) => process.env[inputEnvName(name)] ?? '';
  maskUrlCredentials(...splitList(raw('url')), raw('base-url'));
  const i = parseInputs(inputs);
  if (!i['fly-app'] && (i['fly-release-version'] || i['per-machine'])) {
    const name = i['fly-release-version'] ? 'fly-release-version' : 'per-machine';
    throw new InputError([{ input: name, message: `Input '${name}' needs 'fly-app': the machines of which app?` }]);
  }
  const traffic = checkTrafficInputs(i);
  // Each value on its own, before a suite can quote it; `${NAME}` in the suite reads them.
  for (const value of Object.values(i.secrets ?? {})) registerSecret(value, "input 'secrets'");
  const kind = checkKind(i.check, { http: (i.url ?? []).length > 0 || !!i['checks-file'], fly: !!i['fly-app'] });
  const headers = i.headers ? parseHeaderLines(i.headers) : {};
  const checks = await resolveChecks({
    allowNone: kind === 'machines',
    env: { ...process.env, ...i.secrets },
    urls: i.url ?? [],
    method: i.method,
    headers,
    expectedStatus: i['expected-status'],
    version: i['expected-version'] !== undefined,
    checksFile: i['checks-file'],
    baseUrl: i['base-url'],
  });
  let fly: FlyGate | undefined;
  if (i['fly-app']) {
    // flyctl is only needed (and loaded) for the machine checks.
    const { flyMachineGate } = await import('@deploy-actions/health/fly');
    fly = await flyMachineGate({
      app: i['fly-app'],
      releaseVersion: i['fly-release-version']?.replace(/^v/, ''),
      perMachine: i['per-machine'],
      token: i['fly-api-token'],
      flyctlVersion: i['flyctl-version'],
    });
  }

  const result = await runHealthGate({
    checks,
    expectedVersion: i['expected-version'],
    versionSource: { field: i['version-field'], header: i['version-header'] },
    timeoutMs: i.timeout,
    requestTimeoutMs: i['request-timeout'],
    intervalMs: i.interval,
    maxIntervalMs: Math.max(i.interval, i['max-interval']),
    successThreshold: i['success-threshold'],
    failureThreshold: i['failure-threshold'],
    soakMs: i.soak,
    maxErrorRate: Number(i['max-error-rate']),
    maxP95Ms: i['max-p95-ms'],
    followRedirects: i['follow-redirects'],
    insecure: i.insecure,
    fly,
    onRound: (round, { probes }) => log.info(describeRound(round, probes)),
  });

  const { report } = result;
  out.set('healthy', result.healthy);
  out.set('attempts', report.attempts);
  out.set('elapsed-ms', report.elapsedMs);
  out.set('observed-version', report.observedVersion);
  out.set('last-status', report.lastStatus);
  out.set('error-rate', report.errorRate);
  out.set('p95-ms', report.p95Ms);
  out.set('report-file', writeReport(report));
  addGateSummary(new Summary(), report).write();
  if (!result.healthy) throw new UserError(`Health gate ${result.verdict}: ${result.reason}`);
  log.info(`Health gate passed: ${result.reason}`);
  if (traffic) await runTrafficStep(i, traffic, out);
});
