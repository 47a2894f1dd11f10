import { spawn } from 'node:child_process';

/** How a child process ended and what it printed. */
export interface ProcessRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `cmd args` with `NO_COLOR=1` and `env` over the test's environment (a
 * variable set to `undefined` in `env` is removed), collecting its output;
 * rejects (after SIGKILL) when it runs past `timeoutMs`. The caller's `OTEL_*`
 * variables are not passed on (a developer's shell must not change what a
 * test's child does); `env` sets the ones a test needs.
 */
export function runProcess(
  cmd: string,
  args: string[],
  {
    cwd,
    env = {},
    timeoutMs,
  }: { cwd: string; env?: Record<string, string | undefined>; timeoutMs: number },
): Promise<ProcessRun> {
  const childEnv: NodeJS.ProcessEnv = { NO_COLOR: '1' };
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('OTEL_') && key !== 'NO_COLOR') childEnv[key] = value;
  }
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[key];
    else childEnv[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
