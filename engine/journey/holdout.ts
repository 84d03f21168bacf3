import { stableFraction } from "./stable-hash.js";

/** True when the account is in the playbook's holdout: stable for a (playbook, account) pair. */
export function isHeldOut(playbookId: string, accountId: string, share: number): boolean {
  if (share <= 0) return false;
  return stableFraction(playbookId, accountId) < share;
}
