/**
 * One timer per interval for every probe that snapshots on that interval: each timer wake-up of an idle agent
 * costs ~0.15–0.2 ms of CPU before any work (Node's event loop and V8 entered with cold caches; measured here: four
 * 1 s timers that do nothing cost 0.6 ms/s, one 0.2 ms/s), so probes with the same interval share one.
 */

interface Ticker {
  timer: NodeJS.Timeout;
  callbacks: Set<() => void>;
}

const tickers = new Map<number, Ticker>();

/**
 * Calls `callback` every `intervalMs` from a timer shared with every other callback of the same interval (the
 * timer does not keep the process alive). Returns the function that stops it. A callback that throws does not
 * stop the others; its error is thrown again outside the timer, as an uncaught exception, as a timer's would be.
 */
export function onEveryInterval(intervalMs: number, callback: () => void): () => void {
  let ticker = tickers.get(intervalMs);
  if (!ticker) {
    const callbacks = new Set<() => void>();
    const timer = setInterval(() => {
      for (const call of callbacks) {
        try {
          call();
        } catch (e) {
          process.nextTick(() => {
            throw e;
          });
        }
      }
    }, intervalMs);
    timer.unref();
    ticker = { timer, callbacks };
    tickers.set(intervalMs, ticker);
  }
  const mine = ticker;
  mine.callbacks.add(callback);
  return () => {
    mine.callbacks.delete(callback);
    if (mine.callbacks.size === 0 && tickers.get(intervalMs) === mine) {
      clearInterval(mine.timer);
      tickers.delete(intervalMs);
    }
  };
}

/** How many shared timers run now (for tests). */
export function activeTickers(): number {
  return tickers.size;
}
