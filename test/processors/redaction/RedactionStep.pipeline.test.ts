import { DiagLogLevel } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { recordDiag } from '../../helpers/diag.js';
import { useCaptureLogs } from '../../helpers/useCaptureLogs.js';

const logs = useCaptureLogs({ serviceName: 'pipeline-test' });
const { register, records } = logs;

describe('redaction', () => {
  it('should be on by default: secret keys, tokens in strings, a count attribute', async () => {
    register();
    const jwt =
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIiwiaWF0IjoxNzAwMDAwMDAwfQ.c2lnbmF0dXJlLWJ5dGVzLWhlcmU';
    logs.handle!.getLogger('secrets').info(`login with ${jwt}`, {
      password: 'hunter2',
      headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwxyz012345' },
      'gen_ai.usage.input_tokens': 12,
    });
    const [record] = await records();
    const exported = JSON.stringify({ body: record!.body, attributes: record!.attributes });
    expect(exported).not.toContain('hunter2');
    expect(exported).not.toContain(jwt);
    expect(exported).not.toContain('abcdefghijklmnopqrstuvwxyz012345');
    expect(record!.attributes.password).toBe('[REDACTED]');
    expect(record!.attributes['gen_ai.usage.input_tokens']).toBe(12);
    expect(record!.attributes['logkit.redaction.count']).toBe(3);
  });

  it('should be off with redaction: false', async () => {
    register({ redaction: false });
    logs.handle!.getLogger('secrets').info('plain', { password: 'hunter2' });
    expect((await records())[0]!.attributes.password).toBe('hunter2');
  });

  it('should mask and hash as configured, and require a hash key', async () => {
    register({ redaction: { keyMode: 'mask', keys: ['pin'] } });
    // 12 characters or more keep their last 4 (MASK_KEEP_MIN).
    logs.handle!.getLogger('m').info('m', { pin: '123456789012' });
    expect((await records())[0]!.attributes.pin).toBe('****9012');
    await logs.handle!.shutdown();
    expect(() => register({ redaction: { mode: 'hash' } })).toThrow(/redaction/);
  });

  it('should fail closed: a record redaction cannot walk is dropped and counted', async () => {
    const { messages } = recordDiag(DiagLogLevel.WARN);
    register({
      steps: [
        'enrich',
        (record) => {
          // A value no log call produces (calls convert values first), set
          // by a user step to prove the redact step drops what it cannot read.
          Object.defineProperty(record.attributes, 'evil', {
            enumerable: true,
            get() {
              throw new Error('unreadable');
            },
          });
          return record;
        },
        'redact',
      ],
    });
    logs.handle!.getLogger('closed').info('never exported', { password: 'hunter2' });
    expect(await records()).toHaveLength(0);
    expect(logs.handle!.stats().dropped['redaction-failed']).toBe(1);
    expect(messages.join('\n')).toMatch(/redact/);
  });
});
