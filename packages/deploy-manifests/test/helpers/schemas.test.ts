import { describe, expect, it } from 'vitest';
import { SCHEMA_DIR, schemaErrors } from './schemas.js';

// Guards the guard: the schema checks used everywhere must reject what the API server or OBI would reject.
describe('upstream schema helpers', () => {
  it('finds the shared schemas', () => {
    expect(SCHEMA_DIR).toMatch(/shared[/\\]schemas$/);
  });

  it('rejects an unknown field, a wrong enum and a missing required field in a TracingPolicy', () => {
    const base = { apiVersion: 'cilium.io/v1alpha1', kind: 'TracingPolicy', metadata: { name: 'x' } };
    expect(schemaErrors('TracingPolicy', { ...base, spec: { kprobes: [{ call: 'tcp_connect' }] } })).toEqual(
      [],
    );
    expect(
      schemaErrors('TracingPolicy', { ...base, spec: { kprobes: [{ call: 'x', bogus: 1 }] } }),
    ).toHaveLength(1);
    expect(
      schemaErrors('TracingPolicy', {
        ...base,
        spec: { kprobes: [{ call: 'x', args: [{ index: 0, type: 'notatype' }] }] },
      }).join(),
    ).toContain('allowedValues');
    expect(schemaErrors('TracingPolicy', { ...base, spec: { kprobes: [{}] } }).join()).toContain('call');
  });

  it('rejects a typo in an OBI config key and a bad protocol', () => {
    expect(schemaErrors('obi-config', { otel_traces_export: { endpoint: 'http://c:4318' } })).toEqual([]);
    expect(schemaErrors('obi-config', { otel_trace_export: {} })).toHaveLength(1);
    expect(schemaErrors('obi-config', { otel_traces_export: { protocol: 'thrift' } })).toHaveLength(1);
  });

  it('rejects a Vizier with an unknown dataAccess', () => {
    const v = { apiVersion: 'px.dev/v1alpha1', kind: 'Vizier', metadata: { name: 'v' } };
    expect(schemaErrors('Vizier', { ...v, spec: { dataAccess: 'Full' } })).toEqual([]);
    expect(schemaErrors('Vizier', { ...v, spec: { dataAccess: 'Everything' } })).toHaveLength(1);
  });
});
