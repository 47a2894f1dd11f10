import type { Context } from '@opentelemetry/api';
import type { LogRecordProcessor, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import { getContextAttributes } from '../logger/withContext.js';

/**
 * Copies the attributes of {@link withContext} from the emit Context onto each
 * record, without overwriting attributes the call itself gave. It runs first in
 * the provider, so it also sees records from plain Logs API loggers, and it
 * counts records so the exit hooks know whether a flush is needed.
 */
export class ContextAttributesProcessor implements LogRecordProcessor {
  /** Records seen since the last {@link takeDirty}. */
  private dirty = false;

  onEmit(logRecord: ReadWriteLogRecord, context?: Context): void {
    this.dirty = true;
    if (!context) return;
    const attributes = getContextAttributes(context);
    if (!attributes) return;
    for (const key in attributes) {
      if (!(key in logRecord.attributes)) logRecord.setAttribute(key, attributes[key]);
    }
  }

  /** True when a record was emitted since the previous call. */
  takeDirty(): boolean {
    const was = this.dirty;
    this.dirty = false;
    return was;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
