const known = new Map<string, boolean>();

/** Whether `zone` is an IANA time zone this runtime knows (`Europe/Berlin`, `UTC`). */
function isTimeZone(zone: string): boolean {
  let valid = known.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    known.set(zone, valid);
  }
  return valid;
}

/**
 * The zone when it is a known IANA time zone, else `fallback`: an account's `timezone` comes from
 * the CRM as it is, and a bad one must not stop a send window or a date from working.
 */
export function timeZoneOr(zone: unknown, fallback = "UTC"): string {
  return typeof zone === "string" && zone !== "" && isTimeZone(zone) ? zone : fallback;
}
