import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Small tmpfs mounts for the disk-error tests: a full disk (ENOSPC) and a
 * read-only one (EROFS), which file permissions cannot give a root user.
 * Needs root and a kernel that lets this process mount (a container with
 * CAP_SYS_ADMIN); suites skip without it, except under CI=true.
 */
function mount(args: string[]): void {
  const result = spawnSync('mount', args, { encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`mount ${args.join(' ')}: ${result.error?.message ?? result.stderr.trim()}`);
  }
}

/** Mounts a tmpfs of `sizeKb` KiB on `dir` (an existing directory). */
export function mountTmpfs(dir: string, sizeKb: number): void {
  mount(['-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir]);
}

/** Makes the tmpfs on `dir` read-only or writable again. */
export function remountTmpfs(dir: string, mode: 'ro' | 'rw'): void {
  mount(['-o', `remount,${mode}`, dir]);
}

/** Unmounts `dir` (lazily, so an open file cannot keep it mounted); never throws. */
export function unmountTmpfs(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

/** Whether this process can mount a tmpfs (tried once, on a scratch directory). */
export const CAN_MOUNT: boolean = (() => {
  if (process.platform !== 'linux') return false;
  const dir = mkdtempSync(join(tmpdir(), 'logkit-tmpfs-probe-'));
  try {
    mountTmpfs(dir, 64);
    unmountTmpfs(dir);
    return true;
  } catch {
    return false;
  } finally {
    try {
      rmdirSync(dir);
    } catch {
      // still mounted: left for the OS
    }
  }
})();
