import { verifyAuditChain } from '../audit/verifyAuditChain.js';
import type { AuditProblem } from '../audit/verifyAuditChain.js';
import { EXIT_NO_MATCH, EXIT_OK, InputError, errorCode } from './errors.js';

/** Options of `otel-logkit verify`. */
export interface VerifyOptions {
  /** Accept a chain whose oldest records were rotated out. */
  allowMissingStart?: boolean;
  /** Print the outcome as one JSON object. */
  json?: boolean;
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
 * Throws an {@link InputError} (exit 2) for a missing or unreadable directory.
 */
export async function runVerify(dir: string, options: VerifyOptions = {}): Promise<number> {
  let result;
  try {
    result = await verifyAuditChain(dir, { allowMissingStart: options.allowMissingStart === true });
  } catch (error) {
    const code = errorCode(error);
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
