import type { Attributes } from '@opentelemetry/api';
import type { AnyValue } from '../logger/anyValue.js';
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
  type Resource,
} from '@opentelemetry/resources';
import { reportOnce } from '../internal/reportOnce.js';
import type { ResolvedRedactionOptions } from '../processors/redaction/RedactionOptions.js';
import { Redactor } from '../processors/redaction/Redactor.js';

/**
 * The Resource of every signal: the SDK default (`telemetry.sdk.*`,
 * `service.name=unknown_service:node`), then what the detectors find (host,
 * OS, `process.*` including `process.runtime.*`, a `service.instance.id`, and
 * `OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME` through the env detector),
 * then the attributes given in options, which win. `fromEnv: false` (a
 * configuration file is in use) leaves the env detector out.
 *
 * Unless `redaction` is `false`, the detected attributes are redacted once,
 * here, with the same rules as records: the process detector copies the
 * command line (`process.command_args`), where a secret passed as an argument
 * would otherwise reach every exported record, span and metric.
 */
export function buildResource(
  attributes: Attributes,
  redaction: ResolvedRedactionOptions | false,
  { fromEnv = true }: { readonly fromEnv?: boolean } = {},
): Resource {
  const detected = detectResources({
    detectors: [
      hostDetector,
      osDetector,
      processDetector,
      serviceInstanceIdDetector,
      ...(fromEnv ? [envDetector] : []),
    ],
  });
  const resource = defaultResource().merge(detected).merge(resourceFromAttributes(attributes));
  return redaction === false ? resource : redactResource(resource, new Redactor(redaction));
}

/**
 * The resource with its synchronous attributes redacted. Detectors' async
 * attributes (the host id) are kept as they come: they are identifiers the
 * detectors produce, not user input.
 */
function redactResource(resource: Resource, redactor: Redactor): Resource {
  let changed = false;
  const redacted: Attributes = {};
  try {
    // getRawAttributes, not `attributes`: reading the latter before the
    // detectors' async attributes settle makes the SDK log a diag error.
    for (const [key, value] of resource.getRawAttributes()) {
      if (value === undefined || value instanceof Promise) continue;
      redactor.begin();
      const out = redactor.isSecretKey(key)
        ? redactor.redactSecretValue(value)
        : redactor.redact(value as AnyValue).value;
      // Only changed keys: the raw list holds every merged layer, and
      // re-setting the others could let a default win over an option.
      if (out !== value) {
        changed = true;
        redacted[key] = out;
      }
    }
  } catch (error) {
    reportOnce(
      'resource-redaction',
      'could not redact the Resource; it is used as detected',
      error,
    );
    return resource;
  }
  return changed ? resource.merge(resourceFromAttributes(redacted)) : resource;
}
