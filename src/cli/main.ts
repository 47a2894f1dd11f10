import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_OK, EXIT_USAGE, InputError, UsageError } from './errors.js';
import { handleClosedPipes, warn } from './output.js';
import { runStats } from './stats.js';
import type { StatsOptions } from './stats.js';
import { runVerify } from './verify.js';
import type { VerifyOptions } from './verify.js';
import { runStreamView } from './stream.js';
import { runView } from './view.js';
import type { ViewOptions } from './view.js';

function version(): string {
  // dist/cli/main.js → package.json two levels up; the same from src/cli.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function count(flag: string, min: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min) {
      throw new InvalidArgumentError(`${flag} takes a whole number${min > 0 ? ` ≥ ${min}` : ''}.`);
    }
    return Number(value);
  };
}

const PATHS_HELP =
  'log files or directories (default: $OTEL_LOGKIT_LOG_DIR, else ./logs); a directory ' +
  'contributes its *.jsonl / *.json / *.ndjson files and their rotated backups (.N.gz)';

/** The filters `view` and `stats` share. */
function addFilterOptions(command: Command): Command {
  return command
    .option(
      '-c, --category <names>',
      'only these categories (logkit.category), comma-separated or repeated',
      collect,
    )
    .option(
      '-l, --level <level>',
      'minimum severity: a level name (trace, debug, info, notice, warn, error, fatal, …) or a SeverityNumber 1-24',
    )
    .option(
      '--since <time>',
      'records at or after: 30m, 2h, 1d (ago), an epoch number or a timestamp',
    )
    .option('--until <time>', 'records before: same forms as --since')
    .option('-k, --keyword <text>', 'substring of the message or of an attribute value')
    .option('-g, --grep <regexp>', 'regular expression over the message and attribute values')
    .option('-i, --ignore-case', 'make --keyword and --grep case-insensitive')
    .option('-t, --trace-id <hex>', 'records of this trace (the full id or its beginning)')
    .option(
      '-a, --attr <key=value>',
      'attribute equals value (a record attribute, else a resource attribute); repeatable',
      collect,
    )
    .option(
      '-s, --service <names>',
      'only these services (service.name), comma-separated or repeated',
      collect,
    )
    .addOption(new Option('--color', 'colour the output even when it is not a terminal'))
    .addOption(new Option('--no-color', 'no colours (NO_COLOR=1 does the same)'));
}

const AFTER_HELP = `
Exit codes: 0 records matched (or files listed), 1 nothing matched or no log
file found, 2 a usage error (unknown flag, bad value) or a path that does not
exist. Malformed lines (truncated writes, garbage) are skipped, counted and
reported on stderr; they never fail the command.

Input: OTLP/JSON lines, one ExportLogsServiceRequest per line, as written by
otel-logkit's file exporter and by the OpenTelemetry Collector's file exporter;
gzip-compressed files are read as such.

Examples:
  otel-logkit view --level warn --since 2h
  otel-logkit view logs --category llm --json | jq .attributes
  otel-logkit view --trace-id 4bf92f35 --follow
  otel-logkit stats /var/log/otel --since 1d --json
`;

const SHORT_USAGE =
  "Usage: otel-logkit view|stats [options] [paths...] | verify <dir>; 'otel-logkit <command> --help' for more.";

function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('otel-logkit')
    .description(
      'OpenTelemetry-native logging for Node.js: view, follow and analyse OTLP JSON log files.',
    )
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'print this help')
    .exitOverride()
    .showHelpAfterError(SHORT_USAGE)
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
      outputError: (text, write) => write(text.replace(/^error: /, 'otel-logkit: ')),
    })
    .addHelpText('after', AFTER_HELP);

  const view = program
    .command('view')
    .summary('print log records, filtered, in time order across files')
    .description(
      'Print the records of OTLP JSON log files, in time order across files and their rotated backups.',
    )
    .argument('[paths...]', PATHS_HELP);
  addFilterOptions(view)
    .option(
      '--json',
      'print flat NDJSON records (time, level, category, message, trace_id, span_id, attributes, resource, …)',
    )
    .option('-n, --tail <n>', 'only the last N matching records', count('--tail', 0))
    .option(
      '-f, --follow',
      'keep printing records as they are written, across rotation (starts with the last 10, or --tail N)',
    )
    .option('--list', 'list the log files with size, record count and time range instead')
    .option(
      '--stream <name>',
      'the records of event stream <name>, per process in sequence order, then its gaps (records lost upstream) on stderr; exit 3 when there are gaps',
    )
    .addHelpText('after', AFTER_HELP)
    .action(async (paths: string[], options: ViewOptions & { stream?: string }) => {
      setExitCode(
        await (options.stream === undefined
          ? runView(paths, options)
          : runStreamView(options.stream, paths, options)),
      );
    });

  const stats = program
    .command('stats')
    .summary(
      'statistics: levels, categories, services, user interactions, LLM calls, tools, errors',
    )
    .description(
      'Statistics of the matching records: totals by level, category and service; user interactions; ' +
        'LLM calls (tokens, durations, by provider and model); tool executions; top errors by exception.type.',
    )
    .argument('[paths...]', PATHS_HELP);
  addFilterOptions(stats)
    .option('--json', 'print the report as one JSON object')
    .option(
      '--top <n>',
      'length of the most-used tools and top errors lists (default 10)',
      count('--top', 1),
    )
    .addHelpText('after', AFTER_HELP)
    .action(async (paths: string[], options: StatsOptions) => {
      setExitCode(await runStats(paths, options));
    });

  program
    .command('verify')
    .summary('verify the tamper-evident hash chain of an audit directory')
    .description(
      'Verify the audit hash chain of a directory (e.g. logs/audit): every record hash, seq and ' +
        'prev_hash link across the category files and their rotated backups. Prints OK with the ' +
        'record count (exit 0) or the first modified, removed, inserted or reordered record (exit 1); ' +
        'exit 2 for a missing directory, or a keyed chain without its key. A chain written with ' +
        'audit.key verifies only with that key: --key-file, or OTEL_LOGKIT_AUDIT_KEY.',
    )
    .argument('<dir>', 'the audit directory')
    .option('--allow-missing-start', 'accept a chain whose oldest records were rotated out')
    .option(
      '--key-file <path>',
      'the audit key, as the file holds it (one trailing newline ignored); default OTEL_LOGKIT_AUDIT_KEY',
    )
    .option('--json', 'print the outcome as one JSON object')
    .action(async (dir: string, options: VerifyOptions) => {
      setExitCode(await runVerify(dir, options));
    });

  return program;
}

async function main(argv: string[]): Promise<number> {
  handleClosedPipes();
  let exitCode = EXIT_OK;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    process.stdout.write(program.helpInformation());
    return EXIT_OK;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every parse error is a usage error.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      warn(`${error.message}\nTry 'otel-logkit ${argv[0] ?? ''} --help'.`);
      return EXIT_USAGE;
    }
    if (error instanceof InputError) {
      warn(error.message);
      return EXIT_USAGE;
    }
    warn(
      `unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return EXIT_USAGE;
  }
  return exitCode;
}

process.exitCode = await main(process.argv.slice(2));
