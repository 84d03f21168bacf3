/**
 * FNV-1a over the text, then murmur3's final mix so that ids differing in one character (account-1,
 * account-2) land far apart: a stable 32-bit hash that needs no crypto (it runs in workflow code too).
 */
function stableHash(text: string): number {
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

/** True when the account is in the playbook's holdout: stable for a (playbook, account) pair. */
export function isHeldOut(playbookId: string, accountId: string, share: number): boolean {
  if (share <= 0) return false;
  return stableHash(`${playbookId}\u0000${accountId}`) / 0x1_0000_0000 < share;
}
