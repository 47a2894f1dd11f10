import { DiagLogLevel } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { type LogRecordExporter, type LogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { LoggingConfigError } from '../../src/index.js';
import { recordDiag } from '../helpers/diag.js';
import { useCaptureLogs } from '../helpers/useCaptureLogs.js';

const logs = useCaptureLogs({ serviceName: 'pipeline-test' });
const { register, records } = logs;

describe('the pipeline', () => {
  describe('steps', () => {
    it('should run user function steps in order, dropping on null and counting it as filtered', async () => {
      const seen: string[] = [];
      register({
        steps: [
          'enrich',
          (record) => {
            seen.push(`first:${record.body as string}`);
            record.setAttribute('stepped', 1);
            return record;
          },
          (record) => (record.body === 'drop me' ? null : record),
          'route',
        ],
      });
      const log = logs.handle!.getLogger('steps');
      log.info('keep me');
      log.info('drop me');
      const out = await records();
      expect(out.map((r) => r.body)).toEqual(['keep me']);
      expect(out[0]!.attributes.stepped).toBe(1);
      expect(seen).toEqual(['first:keep me', 'first:drop me']);
      expect(logs.handle!.stats()).toMatchObject({ received: 2, dropped: { filtered: 1 } });
    });

    it('should take a LogRecordProcessor as a step and flush and shut it down', async () => {
      let flushed = 0;
      let shut = 0;
      const processor: LogRecordProcessor = {
        onEmit: (record) => void record.setAttribute('from.processor', true),
        forceFlush: () => (flushed++, Promise.resolve()),
        shutdown: () => (shut++, Promise.resolve()),
      };
      register({ steps: ['enrich', processor] });
      logs.handle!.getLogger('p').info('x');
      expect((await records())[0]!.attributes['from.processor']).toBe(true);
      expect(flushed).toBeGreaterThan(0);
      await logs.handle!.shutdown();
      await logs.handle!.shutdown();
      expect(shut).toBe(1);
    });

    it('should pass a record on unchanged when a step throws, and report it once through diag', async () => {
      const { messages } = recordDiag(DiagLogLevel.WARN);
      register({
        steps: [
          () => {
            throw new Error('step exploded');
          },
        ],
      });
      const log = logs.handle!.getLogger('throws');
      log.info('one');
      log.info('two');
      expect((await records()).map((r) => r.body)).toEqual(['one', 'two']);
      expect(messages.filter((m) => m.includes('step exploded'))).toHaveLength(1);
    });

    it('should reject unknown or misplaced steps at setup', () => {
      expect(() => register({ steps: ['enrich', 'compress' as never] })).toThrow(
        /steps\[1\]: "compress"/,
      );
      expect(() => register({ steps: ['route', 'enrich'] })).toThrow(/steps\[0\]: "route"/);
      expect(() => register({ steps: [42 as never] })).toThrow(LoggingConfigError);
    });
  });

  describe('stats', () => {
    it('should count every record an exporter fails on as export-failed', async () => {
      const failing: LogRecordExporter = {
        export: (_logs, done) =>
          done({ code: ExportResultCode.FAILED, error: new Error('backend down') }),
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      };
      // Memory-only delivery: a failed batch has nowhere to wait.
      register({ logRecordProcessors: [], destinations: { failing }, delivery: { spool: false } });
      const log = logs.handle!.getLogger('stats');
      for (let i = 0; i < 5; i++) log.info(`r${i}`);
      await logs.handle!.forceFlush();
      const { received, dropped, stepFailures } = logs.handle!.stats();
      expect({ received, dropped, stepFailures }).toEqual({
        received: 5,
        dropped: {
          sampled: 0,
          'rate-limited': 0,
          filtered: 0,
          'redaction-failed': 0,
          'queue-full': 0,
          'export-failed': 5,
          'spool-full': 0,
          'spool-damaged': 0,
        },
        stepFailures: 0,
      });
    });

    it('should count records refused by a full memory budget as queue-full with the spool off', async () => {
      // An exporter that never answers: the first batch stays in flight and
      // the one-record memory budget fills up.
      let handed = 0;
      const pending: Array<() => void> = [];
      const stuck: LogRecordExporter = {
        export: (logs, done) => {
          handed += logs.length;
          pending.push(() => done({ code: ExportResultCode.SUCCESS }));
        },
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
      };
      register({
        logRecordProcessors: [],
        destinations: { stuck },
        delivery: { spool: false, memoryBudget: 1 },
        batch: {
          maxQueueSize: 1,
          maxExportBatchSize: 1,
          scheduledDelayMillis: 60_000,
          exportTimeoutMillis: 2000,
        },
      });
      const log = logs.handle!.getLogger('stats');
      for (let i = 0; i < 10; i++) log.info(`r${i}`);
      expect(logs.handle!.stats().dropped['queue-full']).toBeGreaterThanOrEqual(8);
      const interval = setInterval(() => pending.splice(0).forEach((release) => release()), 5);
      try {
        await logs.handle!.shutdown();
      } finally {
        clearInterval(interval);
      }
      // Every record either reached the exporter or was counted as queue-full.
      expect(logs.handle!.stats().dropped['queue-full'] + handed).toBe(10);
    });
  });
});
