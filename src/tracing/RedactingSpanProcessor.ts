import type { Attributes, Link, SpanStatus } from '@opentelemetry/api';
import type { Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace';
import { setOwn } from '../internal/objects.js';
import { reportOnce } from '../internal/reportOnce.js';
import { UNREDACTABLE } from '../processors/redaction/outputRedaction.js';
import { ATTR_LOGKIT_REDACTION_COUNT } from '../processors/redaction/RedactionStep.js';
import type { ResolvedRedactionOptions } from '../processors/redaction/RedactionOptions.js';
import { Redactor } from '../processors/redaction/Redactor.js';

/** A span's fields as this processor writes them, before the SDK ends it. */
interface WritableSpan {
  name: string;
  attributes: Attributes;
  events: TimedEvent[];
  links: Link[];
  status: SpanStatus;
}

/**
 * Redacts every span of the TracerProvider otel-logkit registers, with the
 * rules of the `redaction` option (the same as the log pipeline's `redact`
 * step): the span name, the values of its attributes (under a secret key
 * whole, else what the value patterns find), each event's name and
 * attributes (`exception.message`, `exception.stacktrace` of
 * `recordException`), each link's attributes and the status message. So the
 * spans of your own code and of other instrumentations (`db.query.text`,
 * `url.full`, an exception's message) are scrubbed as the logs are, at every
 * exporter of the provider.
 *
 * It works in `onEnding` (sdk-trace 3.x: every processor's `onEnding` runs
 * before any `onEnd`, while the span can still be written), in place, and
 * counts in the span's `logkit.redaction.count` attribute. A clean span is
 * not written to. It fails closed: a value the redactor gives up on (too
 * large or deep) is replaced by `[REDACTED: value could not be redacted]`.
 * Not covered: the InstrumentationScope of a span (a tracer's name and
 * version) and the Resource (redacted once at setup).
 */
export class RedactingSpanProcessor implements SpanProcessor {
  private readonly redactor: Redactor;

  /** @throws nothing: `options` are validated by `resolveRedactionOptions`. */
  constructor(options: ResolvedRedactionOptions) {
    this.redactor = new Redactor(options);
  }

  onStart(): void {}

  /**
   * Never throws: the SDK calls it from the application's `span.end()`
   * without a guard, and a throw there would also leave the span unexported.
   * A failure outside the per-value guards (a span whose maps cannot be
   * read) empties what could hold a secret instead ({@link scrub}).
   */
  onEnding(span: Span): void {
    try {
      this.redactSpan(span);
    } catch (error) {
      reportOnce('span-redaction', 'a span could not be redacted; its values were removed', error);
      scrub(span);
    }
  }

  private redactSpan(span: Span): void {
    const target = span as unknown as WritableSpan;
    const redactor = this.redactor;
    redactor.begin();
    let failed = 0;
    const text = (value: string): string => {
      try {
        return redactor.redactString(value);
      } catch (error) {
        failed++;
        reportOnce('span-redaction', 'a span value could not be redacted; it was replaced', error);
        return UNREDACTABLE;
      }
    };

    if (typeof target.name === 'string') {
      const name = text(target.name);
      if (name !== target.name) target.name = name;
    }
    const attributes = this.redactedAttributes(target.attributes, () => failed++);
    if (attributes !== undefined && attributes !== target.attributes) {
      target.attributes = attributes;
    }
    const events = target.events;
    if (Array.isArray(events)) {
      for (let i = 0; i < events.length; i++) {
        const event = events[i]!;
        const name = typeof event.name === 'string' ? text(event.name) : event.name;
        const eventAttributes = this.redactedAttributes(event.attributes, () => failed++);
        if (name !== event.name || eventAttributes !== event.attributes) {
          events[i] = { ...event, name, attributes: eventAttributes };
        }
      }
    }
    const links = target.links;
    if (Array.isArray(links)) {
      for (let i = 0; i < links.length; i++) {
        const link = links[i]!;
        const linkAttributes = this.redactedAttributes(link.attributes, () => failed++);
        if (linkAttributes !== link.attributes) links[i] = { ...link, attributes: linkAttributes };
      }
    }
    const status = target.status;
    if (status !== undefined && typeof status.message === 'string') {
      const message = text(status.message);
      if (message !== status.message) target.status = { ...status, message };
    }
    const count = redactor.count + failed;
    if (count > 0) {
      const previous = target.attributes[ATTR_LOGKIT_REDACTION_COUNT];
      span.setAttribute(
        ATTR_LOGKIT_REDACTION_COUNT,
        typeof previous === 'number' ? previous + count : count,
      );
    }
  }

  /**
   * `attributes` with their values redacted: the same object when clean,
   * else a copy (an event's or a link's map may be shared with the caller).
   */
  private redactedAttributes(
    attributes: Attributes | undefined,
    onFailure: () => void,
  ): Attributes | undefined {
    if (attributes === undefined || attributes === null) return attributes;
    let out: Attributes | undefined;
    for (const key of Object.keys(attributes)) {
      if (key === ATTR_LOGKIT_REDACTION_COUNT) continue;
      const value = attributes[key];
      let next: unknown;
      try {
        next = this.redactor.redactAttribute(key, value);
      } catch (error) {
        onFailure();
        reportOnce('span-redaction', 'a span value could not be redacted; it was replaced', error);
        next = UNREDACTABLE;
      }
      if (next !== value) {
        out ??= { ...attributes };
        setOwn(out, key, next);
      }
    }
    return out ?? attributes;
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * Fail closed when a span cannot be redacted: its name and status message
 * become the placeholder and its attributes, events and links' attributes
 * are emptied, each step on its own so one that fails leaves the others.
 */
function scrub(target: WritableSpan): void {
  const steps: (() => void)[] = [
    () => (target.name = UNREDACTABLE),
    () => (target.attributes = { [ATTR_LOGKIT_REDACTION_COUNT]: 1 }),
    () => (target.events = []),
    () => (target.links = target.links.map((link) => ({ ...link, attributes: {} }))),
    () => {
      if (typeof target.status.message === 'string') {
        target.status = { ...target.status, message: UNREDACTABLE };
      }
    },
  ];
  for (const step of steps) {
    try {
      step();
    } catch {
      // What cannot be written cannot be scrubbed either.
    }
  }
}
