/**
 * The name of a rotated backup, `<file>.N.gz` (N = 1 is the newest), defined
 * once: the rotating file writer names them, the audit chain and the CLI
 * (which imports no SDK) read them back.
 */

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
