/** The test setup that keeps `npm test` quiet shows a failed test's output as a job log would. */
import { describe, expect, it } from 'vitest';
import { asLog } from './setup/capture-output';

describe('a failed test’s output', () => {
  it('has every masked value replaced, in every line, and no mask command', () => {
    const printed = [
      '::add-mask::s3cret-value',
      'token s3cret-value used',
      '::add-mask::czNjcmV0',
      'b64 czNjcmV0',
    ].join('\n');
    expect(asLog(printed)).toBe('token *** used\nb64 ***');
  });

  it('shows annotations and groups as lines, and leaves out debug and state commands', () => {
    const printed = [
      '::debug::internal detail',
      '::warning title=notify%3A slack failed::slack: HTTP 500',
      '  ::error file=a.ts,line=3::broken%0Asecond line',
      '::group::Deploying',
      '::set-output name=x::1',
      '::endgroup::',
      '##[debug]old syntax',
      'plain',
    ].join('\n');
    expect(asLog(printed)).toBe(
      ['Warning: slack: HTTP 500', 'Error: broken\nsecond line', '> Deploying', 'plain'].join('\n'),
    );
  });
});
