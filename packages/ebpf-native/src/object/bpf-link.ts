/** An attached program; detaching is idempotent and also happens when its object closes. */
import type { NativeLink } from '../native/native-types.js';

/**
 * A program attached to a hook. `close()` detaches it; closing its {@link BpfObject} detaches every link.
 * A link whose handle is garbage-collected stays attached until its object closes.
 */
export class BpfLink {
  readonly #native: NativeLink;
  /** Human-readable target, e.g. `tracepoint sched:sched_process_exec`. */
  readonly target: string;

  /** @internal */
  constructor(link: NativeLink, target: string) {
    this.#native = link;
    this.target = target;
  }

  /** Whether the program is still attached. */
  get attached(): boolean {
    return this.#native.isAttached();
  }

  /** Detaches the program; calling it again does nothing. */
  close(): void {
    this.#native.destroy();
  }
}
