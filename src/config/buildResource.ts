import type { Attributes } from '@opentelemetry/api';
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

/**
 * The Resource of every signal: the SDK default (`telemetry.sdk.*`,
 * `service.name=unknown_service:node`), then what the detectors find (host,
 * OS, `process.*` including `process.runtime.*`, a `service.instance.id`, and
 * `OTEL_RESOURCE_ATTRIBUTES` / `OTEL_SERVICE_NAME` through the env detector),
 * then the attributes given in options, which win.
 */
export function buildResource(attributes: Attributes): Resource {
  const detected = detectResources({
    detectors: [hostDetector, osDetector, processDetector, serviceInstanceIdDetector, envDetector],
  });
  return defaultResource().merge(detected).merge(resourceFromAttributes(attributes));
}
