/** FNV-1a over the text: a stable 32-bit hash that needs no crypto (it runs in workflow code too). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** True when the account is in the playbook's holdout: stable for a (playbook, account) pair. */
export function isHeldOut(playbookId: string, accountId: string, share: number): boolean {
  if (share <= 0) return false;
  return fnv1a(`${playbookId}\u0000${accountId}`) / 0x1_0000_0000 < share;
}
