import { expect, it } from 'vitest';
import { looksLikeId, OTHER_ROUTE, RouteNamer } from '../../src/tracing/route.js';

it('names routes from templates first, then by replacing identifier segments', () => {
  const namer = new RouteNamer({ routes: ['/users/:id/orders', '/static/*'] });
  expect(namer.route('/users/alice/orders?page=2')).toBe('/users/:id/orders');
  expect(namer.route('/static/css/site.css')).toBe('/static/*');
  expect(namer.route('/items/12345')).toBe('/items/{id}');
  expect(namer.route('/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301/lines')).toBe('/orders/{id}/lines');
  expect(namer.route('/blobs/deadbeefcafe1234')).toBe('/blobs/{id}');
  expect(namer.route('/api/v2/health')).toBe('/api/v2/health');
  expect(namer.route('http://example.com/items/7#top')).toBe('/items/{id}');
  expect(looksLikeId('v2')).toBe(false);
  expect(looksLikeId('session-8f3a9c21')).toBe(true);
});

it('caps distinct routes: past maxRoutes new ones are _OTHER, known ones keep their name', () => {
  const namer = new RouteNamer({ maxRoutes: 2 });
  expect(namer.route('/a')).toBe('/a');
  expect(namer.route('/b')).toBe('/b');
  expect(namer.route('/c')).toBe(OTHER_ROUTE);
  expect(namer.route('/a?x=1')).toBe('/a');
});

it('rejects templates that are not paths and a bad maxRoutes', () => {
  expect(() => new RouteNamer({ routes: ['users/:id'] })).toThrow(
    expect.objectContaining({ code: 'EBPF_INPUT' }),
  );
  expect(() => new RouteNamer({ maxRoutes: 0 })).toThrow(expect.objectContaining({ code: 'EBPF_INPUT' }));
});
