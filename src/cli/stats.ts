import { ATTR_DURATION_MS, ATTR_SUCCESS } from '../attributes.js';
import { EXIT_NO_MATCH, EXIT_OK } from './errors.js';
import type { FilterFlags } from './filters.js';
import { RecordFilter, buildFilterSpec } from './filters.js';
import { colors, escapeControl, formatCount, useColors } from './format.js';
import type { LogRecordView } from './otlp.js';
import { categoryOf, compareNanos, levelOf, nanosToIso, toText } from './otlp.js';
import { Output, warn } from './output.js';
import { Progress } from './progress.js';
import { ScanContext } from './ScanContext.js';
import { scanUnordered } from './readFileRecords.js';
import { resolveInputs, totalBytes } from './resolveInputs.js';

/** The flags of `otel-logkit stats`. */
export interface StatsOptions extends FilterFlags {
  json?: boolean;
  color?: boolean;
  /** Length of the "most used" and "top" lists. */
  top?: number;
}

// Semantic-convention attributes (https://opentelemetry.io/docs/specs/semconv/gen-ai/).
const PROVIDER = 'gen_ai.provider.name';
const PROVIDER_OLD = 'gen_ai.system'; // its name before semconv 1.37
const REQUEST_MODEL = 'gen_ai.request.model';
const RESPONSE_MODEL = 'gen_ai.response.model';
const INPUT_TOKENS = 'gen_ai.usage.input_tokens';
const OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
const TOOL_NAME = 'gen_ai.tool.name';
const EXCEPTION_TYPE = 'exception.type';
const SUCCESS = ATTR_SUCCESS;
const DURATION = ATTR_DURATION_MS;
const ERROR_SEVERITY = 17;

interface Outcomes {
  count: number;
  /** Records with a `success` attribute. */
  withOutcome: number;
  succeeded: number;
}

interface Durations {
  durationCount: number;
  durationSum: number;
}

interface TokenCounts {
  count: number;
  /** Calls reporting input or output tokens. */
  withUsage: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The statistics `otel-logkit stats` reports, accumulated one record at a
 * time (memory grows only with the number of distinct levels, categories,
 * services, providers, models, tools and exception types).
 *
 * Definitions:
 * - a user interaction is a record of category `user`;
 * - an LLM call is a record carrying `gen_ai.provider.name` (or the older
 *   `gen_ai.system`), `gen_ai.usage.input_tokens` or
 *   `gen_ai.usage.output_tokens`, and no `gen_ai.tool.name`; its provider is
 *   `gen_ai.provider.name` / `gen_ai.system`, its model
 *   `gen_ai.request.model`, else `gen_ai.response.model`;
 * - a tool execution is a record carrying `gen_ai.tool.name`;
 * - success rates count the records carrying a boolean `success` attribute,
 *   average durations those carrying a numeric `duration_ms`, average tokens
 *   per call the calls reporting usage;
 * - errors are records at ERROR (17) or above; the top errors group the
 *   records carrying `exception.type`, at any level.
 */
export class StatsCollector {
  records = 0;
  firstNs = '0';
  lastNs = '0';
  readonly byLevel = new Map<string, { severity: number; count: number }>();
  readonly byCategory = new Map<string, number>();
  readonly byService = new Map<string, number>();
  readonly user: Outcomes & Durations = {
    count: 0,
    withOutcome: 0,
    succeeded: 0,
    durationCount: 0,
    durationSum: 0,
  };
  readonly llm: TokenCounts & Durations = {
    count: 0,
    withUsage: 0,
    inputTokens: 0,
    outputTokens: 0,
    durationCount: 0,
    durationSum: 0,
  };
  readonly llmByProvider = new Map<string, TokenCounts>();
  readonly llmByModel = new Map<string, TokenCounts>();
  readonly tools: Outcomes = { count: 0, withOutcome: 0, succeeded: 0 };
  readonly byTool = new Map<string, Outcomes>();
  errors = 0;
  readonly byExceptionType = new Map<string, number>();

  add(record: LogRecordView): void {
    this.records++;
    const time = record.timeNs;
    if (time !== '0') {
      if (this.firstNs === '0' || compareNanos(time, this.firstNs) < 0) this.firstNs = time;
      if (compareNanos(time, this.lastNs) > 0) this.lastNs = time;
    }
    const level = levelOf(record);
    const levelEntry = this.byLevel.get(level);
    if (levelEntry) levelEntry.count++;
    else this.byLevel.set(level, { severity: record.severity, count: 1 });
    const category = categoryOf(record);
    increment(this.byCategory, category ?? '(none)');
    increment(this.byService, record.resource.service ?? '(unknown)');

    const attributes = record.attributes;
    if (category === 'user') {
      countOutcome(this.user, attributes[SUCCESS]);
      addDuration(this.user, attributes[DURATION]);
    }
    const toolName = attributes[TOOL_NAME];
    if (toolName !== undefined) {
      const name = toText(toolName);
      countOutcome(this.tools, attributes[SUCCESS]);
      let tool = this.byTool.get(name);
      if (!tool) {
        tool = { count: 0, withOutcome: 0, succeeded: 0 };
        this.byTool.set(name, tool);
      }
      countOutcome(tool, attributes[SUCCESS]);
    } else {
      const provider = attributes[PROVIDER] ?? attributes[PROVIDER_OLD];
      const input = toNumber(attributes[INPUT_TOKENS]);
      const output = toNumber(attributes[OUTPUT_TOKENS]);
      if (provider !== undefined || input !== undefined || output !== undefined) {
        const model = attributes[REQUEST_MODEL] ?? attributes[RESPONSE_MODEL];
        addTokens(this.llm, input, output);
        addDuration(this.llm, attributes[DURATION]);
        addTokens(
          entry(this.llmByProvider, provider === undefined ? '(unknown)' : toText(provider)),
          input,
          output,
        );
        addTokens(
          entry(this.llmByModel, model === undefined ? '(unknown)' : toText(model)),
          input,
          output,
        );
      }
    }
    if (record.severity >= ERROR_SEVERITY) this.errors++;
    const exceptionType = attributes[EXCEPTION_TYPE];
    if (exceptionType !== undefined) increment(this.byExceptionType, toText(exceptionType));
  }

  /** The report as a plain object (the `--json` output). */
  toJSON(top: number, malformedLines: number): StatsReport {
    const tokens = (t: TokenCounts): TokenReport => ({
      count: t.count,
      input_tokens: t.inputTokens,
      output_tokens: t.outputTokens,
    });
    return {
      records: this.records,
      first: nanosToIso(this.firstNs) || null,
      last: nanosToIso(this.lastNs) || null,
      malformed_lines: malformedLines,
      by_level: Object.fromEntries(
        [...this.byLevel]
          .sort((a, b) => a[1].severity - b[1].severity || a[0].localeCompare(b[0]))
          .map(([name, { count }]) => [name, count]),
      ),
      by_category: sortedCounts(this.byCategory),
      by_service: sortedCounts(this.byService),
      user_interactions: {
        count: this.user.count,
        with_outcome: this.user.withOutcome,
        succeeded: this.user.succeeded,
        success_rate: ratio(this.user.succeeded, this.user.withOutcome),
        avg_duration_ms: ratio(this.user.durationSum, this.user.durationCount),
      },
      llm_calls: {
        count: this.llm.count,
        with_usage: this.llm.withUsage,
        input_tokens: this.llm.inputTokens,
        output_tokens: this.llm.outputTokens,
        avg_input_tokens: ratio(this.llm.inputTokens, this.llm.withUsage),
        avg_output_tokens: ratio(this.llm.outputTokens, this.llm.withUsage),
        avg_tokens_per_call: ratio(
          this.llm.inputTokens + this.llm.outputTokens,
          this.llm.withUsage,
        ),
        avg_duration_ms: ratio(this.llm.durationSum, this.llm.durationCount),
        by_provider: Object.fromEntries(
          sortedBy(this.llmByProvider, (t) => t.count).map(([k, t]) => [k, tokens(t)]),
        ),
        by_model: Object.fromEntries(
          sortedBy(this.llmByModel, (t) => t.count).map(([k, t]) => [k, tokens(t)]),
        ),
      },
      tool_executions: {
        count: this.tools.count,
        with_outcome: this.tools.withOutcome,
        succeeded: this.tools.succeeded,
        success_rate: ratio(this.tools.succeeded, this.tools.withOutcome),
        top_tools: sortedBy(this.byTool, (t) => t.count)
          .slice(0, top)
          .map(([name, t]) => ({
            name,
            count: t.count,
            success_rate: ratio(t.succeeded, t.withOutcome),
          })),
      },
      errors: {
        count: this.errors,
        top_exception_types: sortedBy(this.byExceptionType, (n) => n)
          .slice(0, top)
          .map(([type, count]) => ({ type, count })),
      },
    };
  }
}

interface TokenReport {
  count: number;
  input_tokens: number;
  output_tokens: number;
}

/** The shape of `otel-logkit stats --json`. */
export interface StatsReport {
  records: number;
  first: string | null;
  last: string | null;
  malformed_lines: number;
  by_level: Record<string, number>;
  by_category: Record<string, number>;
  by_service: Record<string, number>;
  user_interactions: {
    count: number;
    with_outcome: number;
    succeeded: number;
    success_rate: number | null;
    avg_duration_ms: number | null;
  };
  llm_calls: {
    count: number;
    with_usage: number;
    input_tokens: number;
    output_tokens: number;
    avg_input_tokens: number | null;
    avg_output_tokens: number | null;
    avg_tokens_per_call: number | null;
    avg_duration_ms: number | null;
    by_provider: Record<string, TokenReport>;
    by_model: Record<string, TokenReport>;
  };
  tool_executions: {
    count: number;
    with_outcome: number;
    succeeded: number;
    success_rate: number | null;
    top_tools: Array<{ name: string; count: number; success_rate: number | null }>;
  };
  errors: { count: number; top_exception_types: Array<{ type: string; count: number }> };
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function entry(map: Map<string, TokenCounts>, key: string): TokenCounts {
  let value = map.get(key);
  if (!value) {
    value = { count: 0, withUsage: 0, inputTokens: 0, outputTokens: 0 };
    map.set(key, value);
  }
  return value;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

function countOutcome(outcomes: Outcomes, success: unknown): void {
  outcomes.count++;
  const value = toBoolean(success);
  if (value === undefined) return;
  outcomes.withOutcome++;
  if (value) outcomes.succeeded++;
}

function addDuration(durations: Durations, value: unknown): void {
  const ms = toNumber(value);
  if (ms === undefined) return;
  durations.durationCount++;
  durations.durationSum += ms;
}

function addTokens(
  tokens: TokenCounts,
  input: number | undefined,
  output: number | undefined,
): void {
  tokens.count++;
  if (input === undefined && output === undefined) return;
  tokens.withUsage++;
  tokens.inputTokens += input ?? 0;
  tokens.outputTokens += output ?? 0;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function sortedBy<T>(map: Map<string, T>, count: (value: T) => number): Array<[string, T]> {
  return [...map].sort((a, b) => count(b[1]) - count(a[1]) || a[0].localeCompare(b[0]));
}

function sortedCounts(map: Map<string, number>): Record<string, number> {
  return Object.fromEntries(sortedBy(map, (n) => n));
}

/**
 * `otel-logkit stats [paths...]`: reads every matching record (in any order:
 * the figures do not depend on it) and prints the report, or with `--json` one
 * JSON object. Resolves to 0, or 1 when no record matched (the report, all
 * zeros, is printed all the same).
 */
export async function runStats(paths: string[], options: StatsOptions): Promise<number> {
  const filter = new RecordFilter(buildFilterSpec(options));
  const inputs = await resolveInputs(paths);
  const files = inputs.chains.reduce((count, chain) => count + chain.length, 0);
  const context = new ScanContext(filter);
  const collector = new StatsCollector();
  const progress = new Progress(totalBytes(inputs.chains), () => ({
    bytes: context.bytesRead,
    matched: context.matched,
  })).start();
  try {
    for await (const batch of scanUnordered(inputs.chains, context)) {
      for (const record of batch) collector.add(record);
    }
  } finally {
    progress.stop();
  }
  const top = options.top ?? 10;
  const report = collector.toJSON(top, context.malformed);
  const out = new Output();
  if (options.json) await out.write(`${JSON.stringify(report)}\n`);
  else await out.write(renderReport(report, useColors(options.color, process.stdout)));
  await out.flush();
  const malformed = context.malformedReport();
  if (malformed) warn(malformed);
  if (files === 0) warn(`no log files in ${inputs.directories.join(', ')}`);
  return collector.records > 0 ? EXIT_OK : EXIT_NO_MATCH;
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

function average(value: number | null, unit = ''): string {
  return value === null ? 'n/a' : `${value.toFixed(1)}${unit}`;
}

/** The human-readable report. */
export function renderReport(report: StatsReport, colorsEnabled: boolean): string {
  const c = colors(colorsEnabled);
  const lines: string[] = [];
  const heading = (text: string): void => {
    lines.push('', c.bold(text));
  };
  const rows = (entries: Array<[string, string]>): void => {
    const width = Math.max(0, ...entries.map(([key]) => escapeControl(key).length));
    for (const [key, value] of entries)
      lines.push(`  ${escapeControl(key).padEnd(width)}  ${value}`);
  };
  const counted = (counts: Record<string, number>): void => {
    const entries = Object.entries(counts);
    const width = Math.max(0, ...entries.map(([, n]) => formatCount(n).length));
    rows(
      entries.map(([key, n]) => [
        key,
        `${formatCount(n).padStart(width)}  ${percent(report.records === 0 ? null : n / report.records).padStart(6)}`,
      ]),
    );
  };

  const range = report.first && report.last ? `  ${c.dim(`${report.first} → ${report.last}`)}` : '';
  lines.push(`${c.bold('Records')}  ${formatCount(report.records)}${range}`);
  if (report.malformed_lines > 0) {
    lines.push(`${c.bold('Malformed lines')}  ${formatCount(report.malformed_lines)}`);
  }
  if (report.records > 0) {
    heading('By level');
    counted(report.by_level);
    heading('By category');
    counted(report.by_category);
    heading('By service');
    counted(report.by_service);
  }

  const user = report.user_interactions;
  heading(`User interactions  ${formatCount(user.count)}`);
  rows([
    [
      'success rate',
      `${percent(user.success_rate)} (${formatCount(user.succeeded)} of ${formatCount(user.with_outcome)} with an outcome)`,
    ],
    ['average duration', average(user.avg_duration_ms, ' ms')],
  ]);

  const llm = report.llm_calls;
  heading(`LLM calls  ${formatCount(llm.count)}`);
  rows([
    ['input tokens', `${formatCount(llm.input_tokens)} (average ${average(llm.avg_input_tokens)})`],
    [
      'output tokens',
      `${formatCount(llm.output_tokens)} (average ${average(llm.avg_output_tokens)})`,
    ],
    [
      'tokens per call',
      `${average(llm.avg_tokens_per_call)} on average (${formatCount(llm.with_usage)} calls reporting usage)`,
    ],
    ['average duration', average(llm.avg_duration_ms, ' ms')],
  ]);
  const tokenRows = (title: string, groups: Record<string, TokenReport>): void => {
    const entries = Object.entries(groups);
    if (entries.length === 0) return;
    lines.push(`  ${c.dim(title)}`);
    const width = Math.max(...entries.map(([key]) => escapeControl(key).length));
    for (const [key, t] of entries) {
      lines.push(
        `    ${escapeControl(key).padEnd(width)}  ${formatCount(t.count)} call${t.count === 1 ? '' : 's'}, ` +
          `${formatCount(t.input_tokens)} in, ${formatCount(t.output_tokens)} out`,
      );
    }
  };
  tokenRows('by provider', llm.by_provider);
  tokenRows('by model', llm.by_model);

  const tools = report.tool_executions;
  heading(`Tool executions  ${formatCount(tools.count)}`);
  rows([
    [
      'success rate',
      `${percent(tools.success_rate)} (${formatCount(tools.succeeded)} of ${formatCount(tools.with_outcome)} with an outcome)`,
    ],
  ]);
  if (tools.top_tools.length > 0) {
    lines.push(`  ${c.dim('most used')}`);
    const width = Math.max(...tools.top_tools.map((t) => escapeControl(t.name).length));
    for (const tool of tools.top_tools) {
      lines.push(
        `    ${escapeControl(tool.name).padEnd(width)}  ${formatCount(tool.count)}, success ${percent(tool.success_rate)}`,
      );
    }
  }

  const errors = report.errors;
  heading(`Errors  ${formatCount(errors.count)} at ERROR or above`);
  if (errors.top_exception_types.length > 0) {
    lines.push(`  ${c.dim('top exception types')}`);
    const width = Math.max(...errors.top_exception_types.map((e) => escapeControl(e.type).length));
    for (const error of errors.top_exception_types) {
      lines.push(`    ${escapeControl(error.type).padEnd(width)}  ${formatCount(error.count)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
