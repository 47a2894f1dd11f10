import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { afterEach, beforeEach } from 'vitest';
import { resetReportOnce } from '../../src/internal/reportOnce.js';
import { recordDiagErrors } from '../helpers/diag.js';

/** What {@link useExporterTestEnv} gives a file exporter's test file. */
export interface ExporterTestEnv {
  /** A fresh temporary directory for the test, removed after it. */
  readonly tmp: string;
  /** The arguments of every `diag.error` call made during the test. */
  readonly diagErrors: unknown[][];
}

/**
 * Sets up the hooks the file exporters' tests share: before each test a fresh
 * temporary directory (named `prefix` + random), report-once state reset and a
 * diag logger recording errors (other levels ignored); after each test diag
 * disabled and the directory removed.
 */
export function useExporterTestEnv(prefix: string): ExporterTestEnv {
  let tmp: string | undefined;
  let diagErrors: unknown[][] = [];

  beforeEach(() => {
    tmp = mkdtempSync(join(tmpdir(), prefix));
    resetReportOnce();
    diagErrors = recordDiagErrors().mock.calls;
  });

  afterEach(() => {
    diag.disable();
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    tmp = undefined;
  });

  return {
    get tmp() {
      if (tmp === undefined) throw new Error('the temporary directory is made in beforeEach');
      return tmp;
    },
    get diagErrors() {
      return diagErrors;
    },
  };
}

/** Calls `exporter.export(items, callback)` and resolves with the result it reports. */
export function exportAsync<T>(
  exporter: { export(items: T, resultCallback: (result: ExportResult) => void): void },
  items: NoInfer<T>,
): Promise<ExportResult> {
  return new Promise<ExportResult>((resolve) => exporter.export(items, resolve));
}
