import type { ResponseAction } from './types.js';

/** Values of the placeholders an action may use. */
export interface Placeholders {
  readonly service: string;
  readonly series: string;
  readonly incident: string;
}

const fill = (text: string, p: Placeholders) =>
  text.replace(/\{(service|series|incident)\}/g, (_, name: keyof Placeholders) => p[name]);

/**
 * The action with `{service}`, `{series}` and `{incident}` replaced in its text fields (URL, header values,
 * target namespace and name, command and arguments). Service names become valid Kubernetes names as they are
 * when they already are; nothing else is rewritten.
 *
 * @example
 * fillPlaceholders({ type: 'restart', target: { kind: 'Deployment', namespace: 'shop', name: '{service}' } },
 *   { service: 'checkout', series: 'checkout/latency', incident: 'inc-3' }).target.name; // 'checkout'
 */
export function fillPlaceholders<A extends ResponseAction>(action: A, p: Placeholders): A {
  switch (action.type) {
    case 'webhook':
      return {
        ...action,
        url: fill(action.url, p),
        headers: action.headers
          ? Object.fromEntries(Object.entries(action.headers).map(([k, v]) => [k, fill(v, p)]))
          : undefined,
      };
    case 'scale':
    case 'restart':
      return {
        ...action,
        target: {
          ...action.target,
          namespace: fill(action.target.namespace, p),
          name: fill(action.target.name, p),
        },
      };
    case 'exec':
      return { ...action, command: fill(action.command, p), args: action.args?.map((a) => fill(a, p)) };
  }
  return action;
}
