import { reportOnce } from './reportOnce.js';

/**
 * Waits for every piece of flush or shutdown work, whether it fulfils or
 * rejects; a rejection is reported once per `key` through diag (never
 * rethrown: a flush or shutdown never rejects into the application).
 */
export async function settleAll(
  work: ReadonlyArray<Promise<unknown> | undefined>,
  key: string,
): Promise<void> {
  const results = await Promise.allSettled(work.map((w) => w ?? Promise.resolve()));
  for (const result of results) {
    if (result.status === 'rejected') reportOnce(key, 'a flush or shutdown failed', result.reason);
  }
}
