/**
 * The inputs of a scan: the path arguments resolved to rotation chains of log
 * files (directories listed, gzip told by its magic bytes, backups ordered).
 */
import { open, readdir, realpath, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { InputError, errorCode } from './errors.js';
import { DEFAULT_LOG_DIR, parseBackupName } from '../logFiles.js';

/** One file to read. */
export interface InputFile {
  /** The path as given or as found in a directory (relative paths stay relative). */
  readonly path: string;
  /** Size in bytes on disk (compressed size for gzip files) when it was found. */
  readonly size: number;
  /** Gzip-compressed (by its magic bytes). */
  readonly gzip: boolean;
  /** Inside a directory argument, as opposed to named on the command line. */
  readonly inDirectory: boolean;
}

/**
 * Files in time order: the rotated backups of one file, oldest first
 * (`app.jsonl.5.gz` … `app.jsonl.1.gz`), then the current file. A lone file is
 * a chain of one.
 */
export type FileChain = InputFile[];

/** What the path arguments resolved to. */
export interface ResolvedInputs {
  chains: FileChain[];
  /** The directory arguments (follow mode looks in them for new files). */
  directories: string[];
}

/**
 * Names of log files inside a directory: `*.jsonl`, `*.json`, `*.ndjson`, each
 * optionally gzip-compressed or rotated (`app.jsonl.1.gz`, the Collector's
 * `logs-2025-01-01T00-00-00.000.json.gz`). `metrics.jsonl` (our metric
 * exporter's file) is not a log file.
 */
export const LOG_FILE_PATTERN = /\.(?:jsonl|json|ndjson)(?:\.\d+)?(?:\.gz)?$/;
const NOT_LOGS = /^metrics\.jsonl(?:\.\d+)?(?:\.gz)?$/;

/** Whether a directory entry's name is one of a log file. */
export function isLogFileName(name: string): boolean {
  return LOG_FILE_PATTERN.test(name) && !NOT_LOGS.test(name);
}

/** The default input: `OTEL_LOGKIT_LOG_DIR`, else `./logs`, as the embedded exporter uses. */
export function defaultLogDir(): string {
  const dir = process.env.OTEL_LOGKIT_LOG_DIR;
  return dir !== undefined && dir !== '' ? dir : DEFAULT_LOG_DIR;
}

/**
 * Resolves the path arguments (default: {@link defaultLogDir}) to chains of
 * files. A directory contributes its log files (not recursively), grouped into
 * rotation chains; a file is read whatever its name. Throws an
 * {@link InputError} for a path that does not exist or cannot be read.
 */
export async function resolveInputs(paths: string[]): Promise<ResolvedInputs> {
  const args = paths.length > 0 ? paths : [defaultLogDir()];
  const chains = new Map<string, InputFile[]>();
  const directories: string[] = [];
  const seen = new Set<string>();
  for (const arg of args) {
    let info;
    try {
      info = await stat(arg);
    } catch (error) {
      throw inputError(arg, error, paths.length === 0);
    }
    if (info.isDirectory()) {
      directories.push(arg);
      let names: string[];
      try {
        names = await readdir(arg);
      } catch (error) {
        throw inputError(arg, error, false);
      }
      for (const name of names.filter(isLogFileName).sort()) {
        const file = path.join(arg, name);
        const found = await describeFile(file, true, seen);
        if (found) addToChain(chains, found);
      }
    } else {
      const found = await describeFile(arg, false, seen);
      if (found) addToChain(chains, found);
    }
  }
  return { chains: [...chains.values()].map(orderChain), directories };
}

/**
 * The {@link InputError} for a path that cannot be read: `no such file or
 * directory` (or, for the default directory, how to name one), else the system's message.
 */
export function inputError(arg: string, error: unknown, isDefault: boolean): InputError {
  const code = errorCode(error);
  if (code === 'ENOENT') {
    return new InputError(
      isDefault
        ? `no log directory ${arg} (pass files or directories, or set OTEL_LOGKIT_LOG_DIR)`
        : `no such file or directory: ${arg}`,
    );
  }
  return new InputError(`cannot read ${arg}: ${(error as Error).message}`);
}

async function describeFile(
  file: string,
  inDirectory: boolean,
  seen: Set<string>,
): Promise<InputFile | undefined> {
  let handle: FileHandle | undefined;
  try {
    const real = await realpath(file);
    if (seen.has(real)) return undefined;
    seen.add(real);
    handle = await open(file, 'r');
    const info = await handle.stat();
    if (!info.isFile()) {
      if (inDirectory) return undefined;
      throw new InputError(`not a regular file: ${file}`);
    }
    const magic = Buffer.alloc(2);
    const { bytesRead } = await handle.read(magic, 0, 2, 0);
    const gzip = bytesRead === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
    return { path: file, size: info.size, gzip, inDirectory };
  } catch (error) {
    if (error instanceof InputError) throw error;
    // A file rotated away between readdir and open is simply gone.
    if (inDirectory && errorCode(error) === 'ENOENT') return undefined;
    throw inputError(file, error, false);
  } finally {
    await handle?.close();
  }
}

function chainKey(file: string): string {
  return parseBackupName(file)?.base ?? file;
}

function addToChain(chains: Map<string, InputFile[]>, file: InputFile): void {
  const key = chainKey(file.path);
  const chain = chains.get(key);
  if (chain) chain.push(file);
  else chains.set(key, [file]);
}

// Oldest first: the highest backup number, …, `.1.gz`, then the current file.
function orderChain(chain: InputFile[]): InputFile[] {
  const rank = (file: InputFile): number => parseBackupName(file.path)?.n ?? 0;
  return chain.sort((a, b) => rank(b) - rank(a));
}

/** Sum of the sizes of the chains' files. */
export function totalBytes(chains: FileChain[]): number {
  let total = 0;
  for (const chain of chains) for (const file of chain) total += file.size;
  return total;
}
