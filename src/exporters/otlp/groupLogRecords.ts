import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** The instrumentation scope of a record, as sdk-logs gives it. */
export type ScopeOf = ReadableLogRecord['instrumentationScope'];
/** The resource of a record. */
export type ResourceOf = ReadableLogRecord['resource'];

/** The records of one scope within one resource, in batch order. */
export interface ScopeGroup {
  readonly scope: ScopeOf;
  readonly records: readonly ReadableLogRecord[];
}

/** One resource's scope groups, in first-seen order. */
export interface ResourceGroup {
  readonly resource: ResourceOf;
  readonly scopes: readonly ScopeGroup[];
}

/**
 * Groups a batch resource → scope → records by object identity, in first-seen
 * order, as the SDK's serializers do (so both produce the same request). A
 * batch with one resource and one scope, the usual case, is returned without
 * copying the record array.
 *
 * @internal
 */
export function groupLogRecords(records: readonly ReadableLogRecord[]): ResourceGroup[] {
  if (records.length === 0) return [];
  const resource = records[0]!.resource;
  const scope = records[0]!.instrumentationScope;
  let uniform = true;
  for (let i = 1; i < records.length; i++) {
    const r = records[i]!;
    if (r.resource !== resource || r.instrumentationScope !== scope) {
      uniform = false;
      break;
    }
  }
  if (uniform) return [{ resource, scopes: [{ scope, records }] }];

  const byResource = new Map<ResourceOf, Map<ScopeOf, ReadableLogRecord[]>>();
  for (const r of records) {
    let byScope = byResource.get(r.resource);
    if (byScope === undefined) {
      byScope = new Map();
      byResource.set(r.resource, byScope);
    }
    let list = byScope.get(r.instrumentationScope);
    if (list === undefined) {
      list = [];
      byScope.set(r.instrumentationScope, list);
    }
    list.push(r);
  }
  const groups: ResourceGroup[] = [];
  for (const [res, byScope] of byResource) {
    const scopes: ScopeGroup[] = [];
    for (const [sc, list] of byScope) scopes.push({ scope: sc, records: list });
    groups.push({ resource: res, scopes });
  }
  return groups;
}
