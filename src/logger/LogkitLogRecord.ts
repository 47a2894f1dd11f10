import type { AnyValue, Attributes, HrTime, SeverityNumber, SpanContext } from '@opentelemetry/api';
import { diag } from '@opentelemetry/api';
import { AddAttributeDecision, maybeAddAttribute } from '@opentelemetry/core';
import type { LogRecordLimits, ReadWriteLogRecord } from '@opentelemetry/sdk-logs';
import type { Resource } from '@opentelemetry/resources';
import type { InstrumentationScope } from '@opentelemetry/core';

/**
 * The LogRecord of an otel-logkit level method (`logger.info(...)`), handed to
 * the LoggerProvider's LogRecordProcessor by {@link DirectEmitter} instead of
 * the SDK's `Logger.emit`: the same fields and the same behaviour as sdk-logs'
 * own record (`LogRecordImpl`, 3.1.1): `setAttribute` validates and limits
 * with `maybeAddAttribute` and the provider's LogRecordLimits, every setter is
 * ignored with a diag warning once the record is emitted (a LogRecordProcessor
 * may change a record only during `onEmit`), and `droppedAttributesCount`
 * reads `_droppedAttributesCount`, which the `limit` step adds to as it does
 * on the SDK's record. What it saves is the work the SDK does for any caller
 * and this one does not need: see DirectEmitter.
 *
 * @internal
 */
export class LogkitLogRecord implements ReadWriteLogRecord {
  readonly resource: Resource;
  readonly instrumentationScope: InstrumentationScope;
  attributes: Attributes;
  private _hrTime: HrTime;
  private _hrTimeObserved: HrTime;
  private _spanContext: SpanContext | undefined;
  private _severityText: string | undefined;
  private _severityNumber: SeverityNumber | undefined;
  private _body: AnyValue;
  private _eventName: string | undefined = undefined;
  /** As sdk-logs names them: the `limit` step and the attribute adoption read them. */
  _attributesCount: number;
  _droppedAttributesCount = 0;
  private _isReadonly = false;
  private readonly _logRecordLimits: Required<LogRecordLimits>;

  /**
   * @param attributes - a fresh map owned by this record alone, its values
   *   valid AnyValues (toAnyValue's output), with `count` keys, none empty.
   */
  constructor(
    resource: Resource,
    scope: InstrumentationScope,
    limits: Required<LogRecordLimits>,
    time: HrTime,
    observed: HrTime,
    spanContext: SpanContext | undefined,
    severityNumber: SeverityNumber,
    severityText: string,
    body: AnyValue,
    attributes: Attributes,
    count: number,
  ) {
    this.resource = resource;
    this.instrumentationScope = scope;
    this._logRecordLimits = limits;
    this._hrTime = time;
    this._hrTimeObserved = observed;
    this._spanContext = spanContext;
    this._severityNumber = severityNumber;
    this._severityText = severityText;
    this._body = body;
    this.attributes = attributes;
    this._attributesCount = count;
  }

  get hrTime(): HrTime {
    return this._hrTime;
  }
  set hrTime(value: HrTime) {
    if (this.isReadonly()) return;
    this._hrTime = value;
  }
  get hrTimeObserved(): HrTime {
    return this._hrTimeObserved;
  }
  set hrTimeObserved(value: HrTime) {
    if (this.isReadonly()) return;
    this._hrTimeObserved = value;
  }
  get spanContext(): SpanContext | undefined {
    return this._spanContext;
  }
  set spanContext(value: SpanContext | undefined) {
    if (this.isReadonly()) return;
    this._spanContext = value;
  }
  get severityText(): string | undefined {
    return this._severityText;
  }
  set severityText(value: string | undefined) {
    if (this.isReadonly()) return;
    this._severityText = value;
  }
  get severityNumber(): SeverityNumber | undefined {
    return this._severityNumber;
  }
  set severityNumber(value: SeverityNumber | undefined) {
    if (this.isReadonly()) return;
    this._severityNumber = value;
  }
  get body(): AnyValue {
    return this._body;
  }
  set body(value: AnyValue) {
    if (this.isReadonly()) return;
    this._body = value;
  }
  get eventName(): string | undefined {
    return this._eventName;
  }
  set eventName(value: string | undefined) {
    if (this.isReadonly()) return;
    this._eventName = value;
  }
  get droppedAttributesCount(): number {
    return this._droppedAttributesCount;
  }

  setAttribute(key: string, value?: AnyValue): this {
    if (this.isReadonly()) return this;
    const decision = maybeAddAttribute({
      key,
      value,
      attributes: this.attributes,
      limits: this._logRecordLimits,
      currentAttributesCount: this._attributesCount,
    });
    if (decision === AddAttributeDecision.DROP_LIMIT_REACHED) {
      this._droppedAttributesCount++;
      if (this._droppedAttributesCount === 1) diag.warn('Dropping extra attributes.');
    } else if (decision === AddAttributeDecision.ADD_NEW) {
      this._attributesCount++;
    }
    return this;
  }

  setAttributes(attributes: Attributes): this {
    for (const [key, value] of Object.entries(attributes)) this.setAttribute(key, value);
    return this;
  }

  setBody(body: AnyValue): this {
    this.body = body;
    return this;
  }

  setEventName(eventName: string): this {
    this.eventName = eventName;
    return this;
  }

  setSeverityNumber(severityNumber: SeverityNumber): this {
    this.severityNumber = severityNumber;
    return this;
  }

  setSeverityText(severityText: string): this {
    this.severityText = severityText;
    return this;
  }

  /** After `onEmit` returns: processors holding the record may only read it. */
  _makeReadonly(): void {
    this._isReadonly = true;
  }

  private isReadonly(): boolean {
    if (this._isReadonly) diag.warn('Can not execute the operation on emitted log record');
    return this._isReadonly;
  }
}
