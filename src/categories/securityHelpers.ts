import { ATTR_CLIENT_ADDRESS } from '@opentelemetry/semantic-conventions';
import { guard, text, type CategoryEmit } from './helperSupport.js';
import { ATTRS, EVENTS } from './names.js';
import { ATTR_USER_ID } from './semconv.js';
import {
  SecurityMonitor,
  type SecurityAlert,
  type SecurityMonitorOptions,
} from './SecurityMonitor.js';

/** A security-relevant event: an access decision, a login, a permission change. */
export interface SecurityEvent {
  /** What happened, e.g. `login`, `access`, `permission_change`. */
  readonly type: string;
  readonly resource?: string;
  readonly action?: string;
  /** Whether it was allowed; denied events are recorded at WARN. */
  readonly allowed: boolean;
  readonly reason?: string;
  /** `user.id`. */
  readonly user?: string;
  /** `client.address`. */
  readonly address?: string;
}

export interface SecurityHelpers {
  event(event: SecurityEvent): void;
  /** Raises one `security.alert` record when a brute-force or rate-abuse threshold is reached. */
  readonly monitor: SecurityMonitor;
}

/**
 * The `security` category: `logkit.security.event` records, and the monitor
 * raising `logkit.security.alert` records.
 */
export function createSecurityHelpers(
  emit: CategoryEmit,
  options: SecurityMonitorOptions | undefined,
): SecurityHelpers {
  const onAlert = (alert: SecurityAlert) =>
    guard('security', () => {
      const attributes: Record<string, unknown> = {
        [ATTRS.alertType]: alert.type,
        [ATTRS.alertCount]: alert.count,
        [ATTRS.alertWindowMs]: alert.windowMillis,
      };
      if (alert.user !== undefined) attributes[ATTR_USER_ID] = alert.user;
      if (alert.address !== undefined) attributes[ATTR_CLIENT_ADDRESS] = alert.address;
      const who = alert.type === 'brute_force' ? `user ${alert.user}` : `address ${alert.address}`;
      const what = alert.type === 'brute_force' ? 'failed logins' : 'rate-limit violations';
      emit(
        EVENTS.securityAlert,
        'error',
        `${alert.type}: ${alert.count} ${what} for ${who} within ${alert.windowMillis} ms`,
        attributes,
      );
    });
  const monitor = new SecurityMonitor(onAlert, options);
  const security: SecurityHelpers = {
    event: (e) =>
      guard('security', () => {
        const attributes: Record<string, unknown> = {
          [ATTRS.securityType]: e.type,
          [ATTRS.securityAllowed]: e.allowed === true,
        };
        if (e.resource !== undefined) attributes[ATTRS.securityResource] = e.resource;
        if (e.action !== undefined) attributes[ATTRS.securityAction] = e.action;
        if (e.reason !== undefined) attributes[ATTRS.securityReason] = e.reason;
        if (e.user !== undefined) attributes[ATTR_USER_ID] = e.user;
        if (e.address !== undefined) attributes[ATTR_CLIENT_ADDRESS] = e.address;
        const target = [e.action, e.resource]
          .filter((s) => s !== undefined)
          .map(text)
          .join(' ');
        emit(
          EVENTS.securityEvent,
          e.allowed === true ? 'info' : 'warn',
          `${text(e.type)}${target ? ` ${target}` : ''} ${e.allowed === true ? 'allowed' : 'denied'}`,
          attributes,
        );
      }),
    monitor,
  };
  return security;
}
