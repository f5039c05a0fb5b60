import type { ResponseAction } from './types.js';

/**
 * The action and its target in words; also the key cooldowns are kept by (one target, one cooldown).
 *
 * @example
 * describeAction({ type: 'scale', target: { kind: 'Deployment', namespace: 'shop', name: 'checkout' }, min: 2, max: 10 });
 * // 'scale Deployment shop/checkout by +1 within [2, 10]'
 */
export function describeAction(action: ResponseAction): string {
  switch (action.type) {
    case 'webhook':
      return `webhook ${action.url}`;
    case 'scale': {
      const step = action.step ?? 1;
      const t = action.target;
      return `scale ${t.kind} ${t.namespace}/${t.name} by ${step >= 0 ? '+' : ''}${step} within [${action.min}, ${action.max}]`;
    }
    case 'restart':
      return `restart ${action.target.kind} ${action.target.namespace}/${action.target.name}`;
    case 'exec':
      return `exec ${[action.command, ...(action.args ?? [])].join(' ')}`;
  }
}

/** The cooldown key of an action: its type and target (scale and restart of one workload cool down apart). */
export function targetKey(action: ResponseAction): string {
  switch (action.type) {
    case 'webhook':
      return `webhook ${action.url}`;
    case 'scale':
    case 'restart':
      return `${action.type} ${action.target.kind}/${action.target.namespace}/${action.target.name}`;
    case 'exec':
      return `exec ${action.command}`;
  }
}
