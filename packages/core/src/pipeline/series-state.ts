import type { AlertTracker } from '../alerting/alert-policy.js';
import type { Detector } from '../detector/detector.js';
import type { SeriesLike } from '../series/series.js';
import { SeriesRing } from './series-ring.js';

/**
 * What the Pipeline keeps per series: its history ring, its detector and the refit schedule. The state *is* its ring
 * (a subclass, not a field): one object per series instead of two, so a point reads one object fewer — at 100 000
 * series every object a point touches is a likely cache miss.
 */
export class SeriesState extends SeriesRing {
  detector: Detector<SeriesLike> | null = null;
  fitting = false;
  lastT = Number.NEGATIVE_INFINITY;
  /** `ring.total` when the running fit took its training data: points after it are replayed into the new model. */
  fitMark = 0;
  sinceFit = 0;
  warmup: number;
  /** `ring.total` when the detector was quarantined, or −1. */
  quarantinedAt = -1;
  readonly metric: string;
  /**
   * The alert tracker, made at the series' first score at or above the policy's threshold: until then it would only
   * see quiet points, which change nothing in it (most series never alert, and do not carry one).
   */
  tracker: AlertTracker | null = null;
  /** Pipeline tick of the last point (LRU order) and wall time of it (idle eviction). */
  seen: number;
  wall: number;

  constructor(history: number, warmup: number, metric: string, seen: number, wall: number) {
    super(history);
    this.warmup = warmup;
    this.metric = metric;
    this.seen = seen;
    this.wall = wall;
  }

  /** The history (this object itself: see the class). */
  get ring(): SeriesRing {
    return this;
  }
}
