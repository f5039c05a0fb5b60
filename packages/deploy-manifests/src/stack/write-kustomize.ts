import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ManifestError } from '../errors.js';
import { kustomizeTree } from './kustomize.js';
import type { Bundle } from './stack.js';

/** File mode of a generated file holding a Secret (the Pixie deploy key, the collector's headers): owner only. */
export const SECRET_FILE_MODE = 0o600;
/** File mode of every other generated file. */
export const FILE_MODE = 0o644;

// What is at `path`, without following a link there: 'missing', 'dir', 'file' or 'link' (anything else: 'other').
function kind(path: string): 'missing' | 'dir' | 'file' | 'link' | 'other' {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return 'link';
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (e) {
    // ENOTDIR: a folder on the way is a file; ensureDir finds it and says so.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw ioError(path, e);
  }
}

function ioError(path: string, e: unknown): ManifestError {
  return new ManifestError('INVALID_OPTION', `cannot write ${path}: ${(e as Error).message}.`, {
    field: '--out',
    fix: 'choose a directory you can write to',
    cause: e,
  });
}

function unsafe(path: string, what: string, fix: string): ManifestError {
  return new ManifestError('UNSAFE_PATH', `${path} ${what}; nothing was written there.`, {
    field: '--out',
    fix,
  });
}

// Creates `dir` (and missing parents below `root`), refusing a link or a file where a directory must be.
function ensureDir(dir: string): void {
  const k = kind(dir);
  if (k === 'dir') return;
  if (k === 'link')
    throw unsafe(
      dir,
      'is a symbolic link, which is never followed',
      'remove the link or choose another --out',
    );
  if (k !== 'missing')
    throw unsafe(dir, 'is a file, not a directory', 'give --out a directory (new or existing)');
  ensureDir(dirname(dir));
  try {
    mkdirSync(dir);
  } catch (e) {
    throw ioError(dir, e);
  }
}

/**
 * Writes {@link kustomizeFiles}' tree under `dir` and returns the paths written. Files holding a Secret get mode
 * 0600 and all others 0644 (also when they already existed with another mode). No symbolic link is followed:
 * `dir`, a folder inside it or a file that is a link is refused, as is a file where a folder must be. A folder
 * above `dir` is the caller's own path and is used as it is.
 *
 * @throws {ManifestError} `UNSAFE_PATH` for a link or a file in the way (nothing is written through it);
 *   `INVALID_OPTION` (field `--out`) when the file system refuses a write.
 * @example
 * writeKustomize(stack({ otlpEndpoint: 'https://otlp.example.com:4317' }), './deploy') // ['namespace.yaml', ...]
 */
export function writeKustomize(bundle: Bundle, dir: string): string[] {
  const { files, secrets } = kustomizeTree(bundle);
  // Refuse before writing anything when the root itself is unusable.
  const root = kind(dir);
  if (root === 'link')
    throw unsafe(
      dir,
      'is a symbolic link, which is never followed',
      'remove the link or choose another --out',
    );
  if (root !== 'dir' && root !== 'missing')
    throw unsafe(dir, 'is a file, not a directory', 'give --out a directory (new or existing)');
  const written: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    const target = join(dir, path);
    for (let d = dirname(path); d !== '.'; d = dirname(d)) {
      if (kind(join(dir, d)) === 'link')
        throw unsafe(join(dir, d), 'is a symbolic link, which is never followed', 'remove the link');
    }
    ensureDir(dirname(target));
    const mode = secrets.has(path) ? SECRET_FILE_MODE : FILE_MODE;
    let fd: number;
    try {
      // O_NOFOLLOW: a link planted at the file's path makes open fail (ELOOP) instead of writing through it.
      fd = openSync(
        target,
        constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
        mode,
      );
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP')
        throw unsafe(target, 'is a symbolic link, which is never followed', 'remove the link');
      if (code === 'EISDIR') throw unsafe(target, 'is a directory where a file must be', 'remove it');
      throw ioError(target, e);
    }
    try {
      // The mode given to open applies only to a new file (and is masked by the umask): set it either way.
      fchmodSync(fd, mode);
      writeSync(fd, text);
    } catch (e) {
      throw ioError(target, e);
    } finally {
      closeSync(fd);
    }
    written.push(path);
  }
  return written;
}
