// What Grafana would send for the provisioned dashboards (grafana/dashboards/*.json) with the
// provisioned datasources (grafana/provisioning/datasources/*.yaml), for the joined e2e test
// that runs every panel query against the real backends (no Grafana here).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** A panel query with the dashboard and panel it belongs to. */
export interface PanelTarget {
  dashboard: string;
  panel: string;
  refId: string;
  datasource: { type: string; uid: string };
  /** The target as the dashboard JSON holds it (expr for Prometheus, query/metrics for Elasticsearch). */
  target: Record<string, unknown>;
}

export interface Dashboard {
  file: string;
  title: string;
  time: { from: string; to: string };
  variables: Array<{
    name: string;
    type: string;
    query: unknown;
    datasource?: { type: string; uid: string };
    allValue?: string;
  }>;
  targets: PanelTarget[];
}

export interface Datasource {
  uid: string;
  type: string;
  jsonData: Record<string, unknown>;
}

interface PanelJson {
  title?: string;
  type?: string;
  datasource?: { type: string; uid: string };
  targets?: Array<Record<string, unknown>>;
  panels?: PanelJson[];
}

function panelsOf(panels: PanelJson[]): PanelJson[] {
  // Rows (collapsed or not) hold their panels in `panels`.
  return panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

/** Every dashboard in `dir` with its template variables and every panel's targets. */
export function loadDashboards(dir: string): Dashboard[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as {
        title: string;
        time: { from: string; to: string };
        templating?: { list?: Dashboard['variables'] };
        panels?: PanelJson[];
      };
      const targets = panelsOf(json.panels ?? []).flatMap((panel) =>
        (panel.targets ?? []).map((target) => ({
          dashboard: file,
          panel: panel.title ?? '(untitled)',
          refId: (target.refId as string | undefined) ?? '',
          datasource: (target.datasource ?? panel.datasource) as PanelTarget['datasource'],
          target,
        })),
      );
      return {
        file,
        title: json.title,
        time: json.time,
        variables: json.templating?.list ?? [],
        targets,
      };
    });
}

/** The provisioned datasources, by uid. */
export function loadDatasources(dir: string): Map<string, Datasource> {
  const out = new Map<string, Datasource>();
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const doc = parse(readFileSync(path.join(dir, file), 'utf8')) as {
      datasources?: Array<{ uid: string; type: string; jsonData?: Record<string, unknown> }>;
    };
    for (const ds of doc.datasources ?? []) {
      out.set(ds.uid, { uid: ds.uid, type: ds.type, jsonData: ds.jsonData ?? {} });
    }
  }
  return out;
}

/** `30m`, `5s`, `1h`, `2d` in ms. */
export function durationMs(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`not a Grafana duration: ${text}`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2]!]!;
  return Number(m[1]) * unit;
}

/** The ms span of a dashboard time range `now-30m` … `now`. */
export function rangeMs(time: { from: string; to: string }): number {
  const from = /^now-(\w+)$/.exec(time.from);
  if (!from || time.to !== 'now') throw new Error(`unsupported time range ${JSON.stringify(time)}`);
  return durationMs(from[1]!);
}

/**
 * Grafana's `$__interval` and `$__rate_interval` (seconds) for a Prometheus panel: the range
 * divided by the panel's data points (its width, ~1000 px here), not below the datasource's
 * `timeInterval` (its scrape interval); `$__rate_interval` = max(`$__interval` + scrape
 * interval, 4 × scrape interval) (Grafana docs, "Prometheus template variables").
 */
export function promIntervals(
  range: number,
  scrapeIntervalMs: number,
  maxDataPoints = 1000,
): { interval: number; rateInterval: number } {
  const interval = Math.max(Math.ceil(range / maxDataPoints / 1000), scrapeIntervalMs / 1000);
  const scrape = scrapeIntervalMs / 1000;
  return { interval, rateInterval: Math.max(interval + scrape, 4 * scrape) };
}

/**
 * `text` with Grafana's variables replaced: `$name`, `${name}` and `${name:format}` from `vars`,
 * the built-in ones from `builtins`. Throws on a variable it does not know (a panel would show
 * an error or no data).
 */
export function substitute(
  text: string,
  vars: Record<string, string>,
  builtins: Record<string, string>,
): string {
  const all = { ...builtins, ...vars };
  return text.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (match, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = all[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${match} in ${text}`);
    return value;
  });
}

/**
 * A multi-value variable's value in a Prometheus regex matcher: `allValue` for "All", one value
 * as is, several as `(a|b)` — Grafana's default formatting for `=~`.
 */
export function promVariableValue(values: string[] | 'all', allValue: string): string {
  if (values === 'all') return allValue;
  const escaped = values.map((v) => v.replace(/[\\^$.|?*+()[\]{}]/g, '\\\\$&'));
  return escaped.length === 1 ? escaped[0]! : `(${escaped.join('|')})`;
}

/**
 * The body of the search Grafana's Elasticsearch datasource sends for a logs query (target
 * `metrics: [{type: 'logs'}]`): the time filter on the datasource's `timeField`, the target's
 * Lucene query (`*` when empty), newest first, `limit` hits (the logs panel's default 500),
 * and the log volume histogram.
 */
export function esLogsQuery(
  query: string,
  timeField: string,
  from: number,
  to: number,
  limit = 500,
): Record<string, unknown> {
  return {
    size: limit,
    query: {
      bool: {
        filter: [
          { range: { [timeField]: { gte: from, lte: to, format: 'epoch_millis' } } },
          { query_string: { analyze_wildcard: true, query: query.trim() === '' ? '*' : query } },
        ],
      },
    },
    sort: [
      { [timeField]: { order: 'desc', unmapped_type: 'boolean' } },
      { _doc: { order: 'desc' } },
    ],
    aggs: {
      volume: {
        date_histogram: {
          field: timeField,
          fixed_interval: '10s',
          min_doc_count: 0,
          extended_bounds: { min: from, max: to },
          format: 'epoch_millis',
        },
      },
    },
  };
}

/** The value at a dotted path of a flattened-or-nested `_source` (how Grafana reads fields). */
export function sourceField(source: Record<string, unknown>, field: string): unknown {
  if (field in source) return source[field];
  const parts = field.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const head = parts.slice(0, i).join('.');
    const inner = source[head];
    if (inner && typeof inner === 'object') {
      return sourceField(inner as Record<string, unknown>, parts.slice(i).join('.'));
    }
  }
  return undefined;
}
