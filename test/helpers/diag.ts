import { DiagLogLevel, diag } from '@opentelemetry/api';
import { vi } from 'vitest';
import type { Mock } from 'vitest';

/** What {@link recordDiagErrors} returns: a mock called with each `diag.error`'s arguments. */
export type DiagErrorMock = Mock<(message: string, ...args: unknown[]) => void>;

/**
 * Installs a diag logger whose `error` calls go to the returned mock; the other
 * levels are dropped. Undo with `diag.disable()` (in afterEach).
 */
export function recordDiagErrors(): DiagErrorMock {
  const error: DiagErrorMock = vi.fn<(message: string, ...args: unknown[]) => void>();
  const ignore = (): void => {};
  diag.setLogger(
    { error, warn: ignore, info: ignore, debug: ignore, verbose: ignore },
    DiagLogLevel.ALL,
  );
  return error;
}

/** The diag levels, as the DiagLogger's methods are named. */
export type DiagLevelName = 'error' | 'warn' | 'info' | 'debug' | 'verbose';

/** One diag call: its level and its message followed by its arguments (`String()`ed), space-separated. */
export interface DiagEntry {
  readonly level: DiagLevelName;
  readonly message: string;
}

/** What {@link recordDiag} returns; its arrays fill as diag is called. */
export interface DiagRecording {
  /** Every call at or above the level, in order. */
  readonly entries: DiagEntry[];
  /** The message of every call at or above the level, in order. */
  readonly messages: string[];
  /** The messages of the calls at `level`. */
  at(level: DiagLevelName): string[];
  /** Forgets what was recorded so far. */
  clear(): void;
}

/**
 * Installs a diag logger recording every call at `level` or above (default
 * ALL). The override warning `diag.setLogger` writes when it replaces a
 * logger is suppressed. Undo with `diag.disable()` (in afterEach).
 */
export function recordDiag(level: DiagLogLevel = DiagLogLevel.ALL): DiagRecording {
  const entries: DiagEntry[] = [];
  const messages: string[] = [];
  const push =
    (name: DiagLevelName) =>
    (message: string, ...args: unknown[]): void => {
      const line = [message, ...args.map(String)].join(' ');
      entries.push({ level: name, message: line });
      messages.push(line);
    };
  diag.setLogger(
    {
      error: push('error'),
      warn: push('warn'),
      info: push('info'),
      debug: push('debug'),
      verbose: push('verbose'),
    },
    { logLevel: level, suppressOverrideMessage: true },
  );
  return {
    entries,
    messages,
    at: (name) => entries.filter((e) => e.level === name).map((e) => e.message),
    clear: () => {
      entries.length = 0;
      messages.length = 0;
    },
  };
}
