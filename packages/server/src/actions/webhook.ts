import type { ActionExecutor, ResponseDecision, WebhookAction } from '@vigil/core';

/** Options of {@link webhookExecutor}. */
export interface WebhookExecutorOptions {
  /** The fetch to use. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * POSTs the decision as JSON (`{ decision }`, content type `application/json`) to the action's URL with its
 * headers; a response outside 2xx, a network error or the timeout (default 10 s) fails the action.
 *
 * @example
 * new ResponseEngine({ policies, executors: [webhookExecutor()], dryRun: false });
 */
export function webhookExecutor(options: WebhookExecutorOptions = {}): ActionExecutor<WebhookAction> {
  const doFetch = options.fetch ?? fetch;
  return {
    type: 'webhook',
    plan: async (action) => `would POST the decision to ${action.url}`,
    execute: async (action: WebhookAction, decision: ResponseDecision) => {
      const res = await doFetch(action.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...action.headers },
        body: JSON.stringify({ decision }),
        signal: AbortSignal.timeout(action.timeoutMs ?? 10_000),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new Error(`POST ${action.url} answered ${res.status} ${res.statusText}`);
      return `POST ${action.url} answered ${res.status}`;
    },
  };
}
