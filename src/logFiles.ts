/**
 * The embedded default's log files, defined once: where they go, their size
 * and backup defaults, and the name of a rotated backup, `<file>.N.gz` (N = 1
 * is the newest). The rotating file writer and the options use them; the
 * audit chain and the CLI (which imports no SDK) read the files back.
 */

/** The log directory when no `logDir` / `OTEL_LOGKIT_LOG_DIR` is given (relative to the working directory). */
export const DEFAULT_LOG_DIR = 'logs';

/** Size of a log file before it rotates, in bytes: 10 MiB. */
export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

/** Rotated gzip backups kept per file. */
export const DEFAULT_MAX_BACKUPS = 5;

/** The path of `file`'s backup number `n` (1 is the newest). */
export function backupPath(file: string, n: number): string {
  return `${file}.${n}.gz`;
}

const BACKUP_NAME = /^(.*)\.(\d+)\.gz$/;

/** `{ base, n }` of a backup's name or path, or undefined when it is not one. */
export function parseBackupName(name: string): { base: string; n: number } | undefined {
  const match = BACKUP_NAME.exec(name);
  return match ? { base: match[1]!, n: Number(match[2]) } : undefined;
}
