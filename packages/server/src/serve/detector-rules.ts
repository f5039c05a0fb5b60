import { type Detector, type DetectorSpec, type SeriesLike, VigilInputError } from '@vigil/core';
import { createDetector, detectorKinds } from '@vigil/detectors';
import type { VigilConfig } from '../config/schema.js';
import { matchGlob } from './match-glob.js';

/**
 * The Pipeline's `createDetector` for a configuration: the first `pipeline.detectors` rule whose `match` fits the
 * series key chooses the kind and options, else `pipeline.defaultDetector` (the recommended `ensemble`). Every rule
 * is tried once here, so a wrong kind or option fails at start with its field, not at the first fit.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming `pipeline.detectors[i].kind` / `.options` and the fix.
 * @example
 * const pipeline = new Pipeline({ createDetector: detectorFactory(config) });
 */
export function detectorFactory(config: VigilConfig): (seriesKey: string) => Detector<SeriesLike> {
  const spec = detectorSpec(config);
  return (key) => {
    const { kind, options } = spec(key);
    return createDetector(kind, options) as Detector<SeriesLike>;
  };
}

/**
 * The Pipeline's `detectors.spec` for a configuration: the kind and options of each series' detector (first
 * matching `pipeline.detectors` rule, else `pipeline.defaultDetector`), built and fitted in the worker pool. Every
 * rule is tried once here, so a wrong kind or option fails at start with its field.
 *
 * @throws {VigilInputError} `INVALID_OPTION` naming `pipeline.detectors[i].kind` / `.options` and the fix.
 * @example
 * const pipeline = new Pipeline({ detectors: { module: '@vigil/detectors', spec: detectorSpec(config) } });
 */
export function detectorSpec(config: VigilConfig): (seriesKey: string) => DetectorSpec {
  const rules = config.pipeline.detectors.map((r, i) => ({
    ...r,
    field: `pipeline.detectors[${i}]`,
    test: matchGlob(r.match),
  }));
  const fallback = { ...config.pipeline.defaultDetector, field: 'pipeline.defaultDetector' };
  for (const r of [...rules, fallback]) {
    if (!detectorKinds().includes(r.kind)) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${r.field}.kind: unknown detector '${r.kind}'; use one of ${detectorKinds().join(', ')}.`,
        `${r.field}.kind`,
      );
    }
    try {
      createDetector(r.kind, r.options);
    } catch (e) {
      throw new VigilInputError(
        'INVALID_OPTION',
        `${r.field}.options: ${(e as Error).message}`,
        `${r.field}.options`,
      );
    }
  }
  return (key) => {
    const rule = rules.find((r) => r.test(key)) ?? fallback;
    return { kind: rule.kind, options: rule.options };
  };
}
