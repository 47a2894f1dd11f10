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
