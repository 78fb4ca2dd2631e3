import { describe, expect, it } from 'vitest';
import { formatDuration, InputError, input, parseDuration, parseInputs, toGoDuration } from '../src/index';

const env = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`INPUT_${k.toUpperCase()}`, v]));

describe('parseInputs', () => {
  const specs = {
    app: input.string({ required: true, notFlag: true }),
    'wait-timeout': input.duration({ default: '5m' }),
    ha: input.boolean({ default: 'false' }),
    retries: input.integer({ default: '2', min: 0, max: 10 }),
    strategy: input.enum(['rolling', 'canary'] as const),
    regions: input.list({ item: /^[a-z]{3}$/ }),
    env: input.nameValues(),
    token: input.string({ secret: true }),
  };

  it('parses every kind and applies defaults', () => {
    const parsed = parseInputs(
      specs,
      env({ app: 'shop', strategy: 'canary', regions: 'iad, ord\nams', env: 'A=1\n# note\nB = two words', ha: 'True' }),
    );
    expect(parsed).toEqual({
      app: 'shop',
      'wait-timeout': 300_000,
      ha: true,
      retries: 2,
      strategy: 'canary',
      regions: ['iad', 'ord', 'ams'],
      env: { A: '1', B: 'two words' },
      token: undefined,
    });
  });

  it('names every bad input, what it got and what it expected, and hides secrets', () => {
    let error: unknown;
    try {
      parseInputs(specs, env({ app: '--build-arg', ha: 'yes', retries: '11', strategy: 'blue', token: 'x' }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect((error as InputError).inputs).toEqual(['app', 'ha', 'retries', 'strategy']);
    expect(message).toContain(`Invalid input 'app': got "--build-arg"; expected text not starting with "-"`);
    expect(message).toContain(`Invalid input 'ha': got "yes"; expected \`true\` or \`false\``);
    expect(message).toContain(`Invalid input 'retries': got "11"; expected a whole number from 0 to 10`);
    expect(message).toContain('one of `rolling`, `canary`');
  });

  it('leaves an expression default to the runner', () => {
    const token = { 'github-token': input.string({ runnerDefault: '${{ github.token }}', secret: true }) };
    expect(parseInputs(token, {})).toEqual({ 'github-token': undefined });
    expect(parseInputs(token, { 'INPUT_GITHUB-TOKEN': 'ghs_x' })).toEqual({ 'github-token': 'ghs_x' });
  });

  it('reports a missing required input by name', () => {
    expect(() => parseInputs(specs, {})).toThrow('Input required and not supplied: app');
  });

  it('never shows the value of a secret input', () => {
    const secretSpecs = { url: input.url({ secret: true, protocols: ['postgres:'] }) };
    expect(() => parseInputs(secretSpecs, env({ url: 'mysql://u:hunter2@db' }))).toThrow(
      "Invalid input 'url': got a value (hidden: secret); expected a URL starting with postgres://",
    );
  });

  it('points at the bad line of a NAME=VALUE map', () => {
    expect(() => parseInputs({ env: input.nameValues() }, env({ env: 'A=1\n1BAD=2' }))).toThrow(
      /line 2 is not NAME=VALUE/,
    );
  });
});

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['300', 300_000],
    ['250ms', 250],
    ['0', 0],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '5 minutes', '1.5h', 'm', '-5s', '5m1h'])('refuses %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('formatDuration and toGoDuration', () => {
  it.each([
    [850, '850ms'],
    [12_345, '12.3s'],
    [245_000, '4m05s'],
    [3_720_000, '1h02m'],
  ])('%d ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));

  it('gives flyctl whole seconds, rounded up, which parseDuration reads back', () => {
    expect(toGoDuration(300_000)).toBe('300s');
    expect(toGoDuration(90_500)).toBe('91s');
    expect(parseDuration(toGoDuration(90_500))).toBe(91_000);
  });
});
