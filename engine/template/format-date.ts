// strftime for templates, computed from Intl in an explicit time zone. liquidjs's own `date`
// filter shifts dates by the host's UTC offset, so its output would depend on the worker's TZ;
// this one depends only on the instant, the format and the zone, as replay needs.

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const SHORT_WEEKDAYS = WEEKDAYS.map((day) => day.slice(0, 3));

/** An instant as a wall clock reads it in one zone. */
interface WallClock {
  readonly year: number;
  /** 1-12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  /** 0 (Sunday) to 6. */
  readonly weekday: number;
  /** Minutes east of UTC. */
  readonly offset: number;
  /** The zone's short name at that instant (`EST`, `GMT+1`, `UTC`). */
  readonly zoneName: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(at: number, timeZone: string): WallClock {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
      timeZoneName: "short",
    });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? "";
  const [year, month, day, hour, minute, second] = (["year", "month", "day", "hour", "minute", "second"] as const).map(
    (type) => Number(part(type)),
  ) as [number, number, number, number, number, number];
  const millisecond = ((at % 1000) + 1000) % 1000;
  const local = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  return {
    year,
    month,
    day,
    hour,
    minute,
    second,
    millisecond,
    weekday: Math.max(0, SHORT_WEEKDAYS.indexOf(part("weekday"))),
    offset: Math.round((local - at) / 60_000),
    zoneName: part("timeZoneName"),
  };
}

/** A number padded to `width` with `pad`, unless the directive's flag says otherwise. */
function padded(value: number, width: number, pad: "0" | " ", flag: string): string {
  if (flag === "-") return String(value);
  const fill = flag === "_" ? " " : flag === "0" ? "0" : pad;
  return String(value).padStart(width, fill);
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const hours = String(Math.floor(abs / 60)).padStart(2, "0");
  const rest = String(abs % 60).padStart(2, "0");
  return `${sign}${hours}${colon ? ":" : ""}${rest}`;
}

function directive(clock: WallClock, at: number, letter: string, flag: string): string | undefined {
  const hour12 = clock.hour % 12 === 0 ? 12 : clock.hour % 12;
  const dayOfYear = (Date.UTC(clock.year, clock.month - 1, clock.day) - Date.UTC(clock.year, 0, 1)) / 86_400_000 + 1;
  const month = MONTHS[clock.month - 1] ?? "";
  const weekday = WEEKDAYS[clock.weekday] ?? "";
  switch (letter) {
    case "a":
      return weekday.slice(0, 3);
    case "A":
      return weekday;
    case "b":
    case "h":
      return month.slice(0, 3);
    case "B":
      return month;
    case "d":
      return padded(clock.day, 2, "0", flag);
    case "e":
      return padded(clock.day, 2, " ", flag);
    case "F":
      return `${clock.year}-${padded(clock.month, 2, "0", "")}-${padded(clock.day, 2, "0", "")}`;
    case "H":
      return padded(clock.hour, 2, "0", flag);
    case "I":
      return padded(hour12, 2, "0", flag);
    case "j":
      return padded(dayOfYear, 3, "0", flag);
    case "k":
      return padded(clock.hour, 2, " ", flag);
    case "l":
      return padded(hour12, 2, " ", flag);
    case "L":
      return padded(clock.millisecond, 3, "0", flag);
    case "m":
      return padded(clock.month, 2, "0", flag);
    case "M":
      return padded(clock.minute, 2, "0", flag);
    case "p":
      return clock.hour < 12 ? "AM" : "PM";
    case "P":
      return clock.hour < 12 ? "am" : "pm";
    case "R":
      return `${padded(clock.hour, 2, "0", "")}:${padded(clock.minute, 2, "0", "")}`;
    case "s":
      return String(Math.floor(at / 1000));
    case "S":
      return padded(clock.second, 2, "0", flag);
    case "T":
      return `${padded(clock.hour, 2, "0", "")}:${padded(clock.minute, 2, "0", "")}:${padded(clock.second, 2, "0", "")}`;
    case "u":
      return String(clock.weekday === 0 ? 7 : clock.weekday);
    case "w":
      return String(clock.weekday);
    case "y":
      return padded(clock.year % 100, 2, "0", flag);
    case "Y":
      return String(clock.year);
    case "z":
      return offsetText(clock.offset, false);
    case ":z":
      return offsetText(clock.offset, true);
    case "Z":
      return clock.zoneName;
    case "%":
      return "%";
    default:
      return undefined;
  }
}

/**
 * Formats an instant (epoch ms) with strftime directives (`%Y-%m-%d`, `%B %-d, %Y`, `%H:%M %Z`,
 * flags `-` `_` `0` `^`) as a wall clock in `timeZone` reads it, in English. An unknown directive
 * is left as written.
 */
export function formatDate(at: number, format: string, timeZone: string): string {
  const clock = wallClock(at, timeZone);
  return format.replace(/%([-_0^]?)(:z|[a-zA-Z%])/g, (written, flag: string, letter: string) => {
    const text = directive(clock, at, letter, flag);
    if (text === undefined) return written;
    return flag === "^" ? text.toUpperCase() : text;
  });
}
