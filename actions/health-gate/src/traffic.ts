import { APP_NAME } from '@deploy-actions/fly/names';
import { input, log, type Outputs, type ParsedInputs, Summary, UserError } from '@deploy-actions/toolkit';
import { DEFAULT_THRESHOLDS, parseCustomChecks, type Thresholds } from '@deploy-actions/traffic';

type TrafficOutputs = Pick<Outputs<'traffic-verdict'>, 'set'>;

const DECIMAL = /^\d+(\.\d+)?$/;

/** The traffic analysis inputs (mirrored in health-gate/action.yml, its own block). */
export const trafficInputs = {
  analysis: input.enum(['none', 'traffic'] as const, { default: 'none' }),
  'traffic-min-requests': input.integer({ default: String(DEFAULT_THRESHOLDS.minRequests), min: 1 }),
  'traffic-significance': input.string({
    default: String(DEFAULT_THRESHOLDS.significance),
    pattern: /^0?\.\d*[1-9]\d*$/,
    expected: 'a probability between 0 and 1, such as 0.001',
  }),
  'traffic-error-floor': input.string({
    default: String(DEFAULT_THRESHOLDS.errorFloor),
    pattern: /^(100|\d{1,2})(\.\d+)?$/,
    expected: 'a percentage from 0 to 100',
  }),
  'traffic-max-error-ratio': input.string({
    default: String(DEFAULT_THRESHOLDS.maxErrorRatio),
    pattern: DECIMAL,
    expected: 'a ratio such as 1.5',
  }),
  'traffic-max-latency-ratio': input.string({
    default: String(DEFAULT_THRESHOLDS.maxLatencyRatio),
    pattern: DECIMAL,
    expected: 'a ratio such as 1.3',
  }),
  'traffic-latency-floor-ms': input.integer({ default: String(DEFAULT_THRESHOLDS.latencyFloorMs), min: 0 }),
  'traffic-timeout': input.duration({ default: '5m', minMs: 1_000, maxMs: 6 * 3_600_000 }),
  'traffic-interval': input.duration({ default: '15s', minMs: 10, maxMs: 600_000 }),
  'traffic-inconclusive': input.enum(['warn', 'fail'] as const, { default: 'warn' }),
  'traffic-queries': input.string(),
  'fly-org': input.string({ pattern: /^[a-z0-9][a-z0-9-]*$/, expected: 'a Fly organization slug' }),
  'prometheus-url': input.url(),
};

type Parsed = ParsedInputs<typeof trafficInputs> & {
  'fly-app'?: string;
  'fly-release-version'?: string;
  'fly-api-token'?: string;
  'flyctl-version'?: string;
};

function thresholdsOf(i: Parsed): Thresholds {
  return {
    minRequests: i['traffic-min-requests'],
    significance: Number(i['traffic-significance']),
    errorFloor: Number(i['traffic-error-floor']),
    maxErrorRatio: Number(i['traffic-max-error-ratio']),
    maxLatencyRatio: Number(i['traffic-max-latency-ratio']),
    latencyFloorMs: i['traffic-latency-floor-ms'],
  };
}

/** Checks what the analysis needs before anything runs; the custom checks are parsed here too. */
export function checkTrafficInputs(i: Parsed) {
  if (i.analysis !== 'traffic') return undefined;
  for (const name of ['fly-app', 'fly-release-version'] as const) {
    if (!i[name])
      throw new UserError(`Input 'analysis: traffic' needs '${name}': whose machines, and which release is new?`);
  }
  if (!APP_NAME.test(i['fly-app']!)) throw new UserError("Input 'fly-app' is not a Fly app name");
  return { thresholds: thresholdsOf(i), custom: parseCustomChecks(i['traffic-queries'] ?? '') };
}

/**
 * Runs the traffic analysis once the health gate passed: the new release's machines against the
 * previous release's (or the app before the deploy), from Fly's Prometheus. Sets
 * `traffic-verdict`, writes its summary, and throws when it fails (or is inconclusive under
 * `traffic-inconclusive: fail`).
 */
export async function runTrafficStep(
  i: Parsed,
  checked: NonNullable<ReturnType<typeof checkTrafficInputs>>,
  out: TrafficOutputs,
) {
  const { addTrafficSummary, runTrafficGate } = await import('@deploy-actions/traffic');
  const { flyTraffic } = await import('@deploy-actions/traffic/fly');
  const release = i['fly-release-version']!.replace(/^v/, '');
  const fly = await flyTraffic({
    app: i['fly-app']!,
    org: i['fly-org'],
    prometheusUrl: i['prometheus-url'],
    token: i['fly-api-token'],
    flyctlVersion: i['flyctl-version'],
  });
  log.info(`Traffic analysis: v${release} of ${i['fly-app']} against its baseline, from ${fly.prometheusUrl}`);
  const result = await runTrafficGate({
    prom: fly.prom,
    app: i['fly-app']!,
    release,
    listMachines: fly.listMachines,
    thresholds: checked.thresholds,
    custom: checked.custom,
    timeoutMs: i['traffic-timeout'],
    intervalMs: i['traffic-interval'],
    inconclusive: i['traffic-inconclusive'],
    onLook: (look) => log.info(`Traffic look: ${look.verdict}: ${look.reasons.join('; ')}`),
  });
  out.set('traffic-verdict', result.verdict);
  addTrafficSummary(new Summary(), result, i['traffic-inconclusive']).write();
  if (!result.passed)
    throw new UserError(
      `Traffic analysis ${result.verdict === 'fail' ? 'failed' : 'was inconclusive'}: ${result.reason}`,
    );
  if (result.verdict === 'inconclusive')
    log.warning(`Traffic analysis inconclusive, passed by policy: ${result.reason}`);
  else log.info(`Traffic analysis passed: ${result.reason}`);
}
