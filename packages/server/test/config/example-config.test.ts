import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { detectorFactory } from '../../src/serve/detector-rules.js';

describe('vigil.example.yaml', () => {
  it('parses and builds its detectors', () => {
    const config = loadConfig(
      join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vigil.example.yaml'),
    );
    expect(config.maintenance.map((c) => c.type)).toEqual(['exhaustion', 'leak']);
    const make = detectorFactory(config);
    expect(make('web/queue.depth').kind).toBe('mad');
    expect(make('web/cpu').kind).toBe('ensemble');
  });
});
