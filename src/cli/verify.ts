import { readFile } from 'node:fs/promises';
import { ERR_AUDIT_KEY_REQUIRED, verifyAuditChain } from '../audit/verifyAuditChain.js';
import type { AuditProblem } from '../audit/verifyAuditChain.js';
import { EXIT_NO_MATCH, EXIT_OK, InputError, UsageError, errorCode } from './errors.js';

/** Options of `otel-logkit verify`. */
export interface VerifyOptions {
  /** Accept a chain whose oldest records were rotated out. */
  allowMissingStart?: boolean;
  /** Print the outcome as one JSON object. */
  json?: boolean;
  /** A file holding the audit key; default: `OTEL_LOGKIT_AUDIT_KEY`. */
  keyFile?: string;
}

/** The audit key from `--key-file` (one trailing newline dropped) or `OTEL_LOGKIT_AUDIT_KEY`. */
async function readKey(
  options: VerifyOptions,
  env: NodeJS.ProcessEnv,
): Promise<Uint8Array | undefined> {
  if (options.keyFile !== undefined) {
    let bytes: Buffer;
    try {
      bytes = await readFile(options.keyFile);
    } catch (error) {
      throw new InputError(
        `cannot read the key file ${options.keyFile}: ${(error as Error).message}`,
      );
    }
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0a) end--;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    if (end === 0) throw new UsageError(`the key file ${options.keyFile} is empty`);
    return new Uint8Array(bytes.subarray(0, end));
  }
  const fromEnv = env.OTEL_LOGKIT_AUDIT_KEY;
  return fromEnv ? new Uint8Array(Buffer.from(fromEnv, 'utf8')) : undefined;
}

function describe(problem: AuditProblem): string {
  const where = [
    problem.seq !== undefined ? `seq ${problem.seq}` : undefined,
    problem.uid !== undefined ? `uid ${problem.uid}` : undefined,
    problem.file !== undefined
      ? `${problem.file}${problem.line !== undefined ? `:${problem.line}` : ''}`
      : undefined,
  ].filter((part) => part !== undefined);
  return `${problem.kind}${where.length > 0 ? ` (${where.join(', ')})` : ''}: ${problem.detail}`;
}

/**
 * `otel-logkit verify <dir>`: checks the audit hash chain of a directory.
 * Prints `OK: <n> records, chain intact (head seq <s> <hash>)` and returns 0,
 * or `FAILED: <kind> (…): <detail>` for the first problem and returns 1.
 * Throws an {@link InputError} (exit 2) for a missing or unreadable directory
 * or key file, a {@link UsageError} (exit 2) for a keyed chain without a key.
 */
export async function runVerify(
  dir: string,
  options: VerifyOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const key = await readKey(options, env);
  let result;
  try {
    result = await verifyAuditChain(dir, {
      allowMissingStart: options.allowMissingStart === true,
      key,
    });
  } catch (error) {
    const code = errorCode(error);
    if (code === ERR_AUDIT_KEY_REQUIRED) {
      throw new UsageError(
        `${(error as Error).message}: pass --key-file, or set OTEL_LOGKIT_AUDIT_KEY`,
      );
    }
    if (code === 'ENOENT') throw new InputError(`no such directory: ${dir}`);
    if (code === 'ENOTDIR') throw new InputError(`not a directory: ${dir}`);
    throw new InputError(`cannot read ${dir}: ${(error as Error).message}`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (result.ok) {
    const head = result.head ? ` (head seq ${result.head.seq} ${result.head.hash})` : '';
    process.stdout.write(`OK: ${result.records} records, chain intact${head}\n`);
  } else if (result.firstProblem) {
    process.stdout.write(`FAILED: ${describe(result.firstProblem)}\n`);
  }
  return result.ok ? EXIT_OK : EXIT_NO_MATCH;
}
