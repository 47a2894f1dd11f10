import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const USAGE = `Usage: otel-logkit [--version] [--help]

OpenTelemetry-native logging for Node.js. The log viewer and analyser
(view, stats) arrive in a later release.

Options:
  -v, --version  print the version
  -h, --help     print this help`;

function version(): string {
  // dist/cli/main.js → package.json two levels up; the same from src/cli.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { version: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`otel-logkit: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed.values.version) {
    console.log(version());
    return 0;
  }
  if (parsed.values.help || parsed.positionals.length === 0) {
    console.log(USAGE);
    return 0;
  }
  console.error(`otel-logkit: unknown command ${parsed.positionals[0]}\n\n${USAGE}`);
  return 2;
}

process.exitCode = main(process.argv.slice(2));
