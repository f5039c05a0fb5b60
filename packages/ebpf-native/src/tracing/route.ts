/**
 * `http.route` for requests seen on the wire, where no framework names the route: the path is matched
 * against the templates the user gave (`/users/:id`, `/static/*`), else segments that look like
 * identifiers are replaced by `{id}`; past `maxRoutes` distinct routes every new one becomes `_OTHER`, so
 * metric cardinality stays bounded whatever clients send.
 */
import { requireInput } from '../errors.js';

/** Options of {@link RouteNamer}. */
export interface RouteOptions {
  /** Route templates, first match wins: `:name` matches one segment, a trailing `*` the rest. */
  routes?: readonly string[];
  /** Distinct routes kept before new ones are reported as `_OTHER`; default 500. */
  maxRoutes?: number;
}

/** The route reported once `maxRoutes` distinct routes have been seen. */
export const OTHER_ROUTE = '_OTHER';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{12,}$/i;

/** Whether a path segment is an identifier rather than a name: numbers, UUIDs, long hex, digit-heavy tokens. */
export function looksLikeId(segment: string): boolean {
  if (/^\d+$/.test(segment) || UUID.test(segment) || HEX.test(segment)) return true;
  const digits = segment.replace(/\D/g, '').length;
  return segment.length >= 8 && digits >= 3 && digits / segment.length >= 0.25;
}

function compile(template: string): RegExp {
  const parts = template.split('/').map((segment, i, all) => {
    if (segment === '*' && i === all.length - 1) return '.*';
    if (segment.startsWith(':') && segment.length > 1) return '[^/]+';
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}/?$`);
}

/** Turns request targets into bounded-cardinality route names. */
export class RouteNamer {
  readonly #templates: Array<{ template: string; pattern: RegExp }>;
  readonly #maxRoutes: number;
  readonly #seen = new Set<string>();

  /** @throws {VigilEbpfError} `EBPF_INPUT` for a template not starting with `/` or a bad `maxRoutes`. */
  constructor(options: RouteOptions = {}) {
    const routes = options.routes ?? [];
    for (const r of routes) {
      requireInput(
        typeof r === 'string' && r.startsWith('/'),
        'routes',
        `must be paths starting with '/', got ${JSON.stringify(r)}`,
        "pass templates such as '/users/:id' or '/static/*'.",
      );
    }
    const maxRoutes = options.maxRoutes ?? 500;
    requireInput(
      Number.isInteger(maxRoutes) && maxRoutes >= 1,
      'maxRoutes',
      'must be a positive integer',
      'pass e.g. 500.',
    );
    this.#templates = routes.map((template) => ({ template, pattern: compile(template) }));
    this.#maxRoutes = maxRoutes;
  }

  /** The path of a request target: without query or fragment, and `/` for `*` or absolute-form targets' empty path. */
  static path(target: string): string {
    let path = target;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path))
      path = path.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') || '/';
    const cut = path.search(/[?#]/);
    return cut >= 0 ? path.slice(0, cut) || '/' : path;
  }

  /** The route of a request target. */
  route(target: string): string {
    const path = RouteNamer.path(target);
    const matched = this.#templates.find((t) => t.pattern.test(path));
    const route = matched
      ? matched.template
      : path
          .split('/')
          .map((s) => (looksLikeId(s) ? '{id}' : s))
          .join('/');
    if (this.#seen.has(route)) return route;
    if (this.#seen.size >= this.#maxRoutes) return OTHER_ROUTE;
    this.#seen.add(route);
    return route;
  }
}
