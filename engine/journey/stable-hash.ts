// A stable hash for assignments that must never move: holdouts and experiment variants.

/**
 * FNV-1a over the text, then murmur3's final mix so that ids differing in one character (account-1,
 * account-2) land far apart: a stable 32-bit hash that needs no crypto (it runs in workflow code too).
 */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** A stable fraction in [0, 1) for the parts joined: the same parts, the same fraction, everywhere. */
export function stableFraction(...parts: readonly string[]): number {
  return stableHash(parts.join("\u0000")) / 0x1_0000_0000;
}
