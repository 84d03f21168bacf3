#!/usr/bin/env node
// Writes the sample base with a year of dated CRM history that `playloop report` reads:
//   playbooks/samples/year-accounts.csv   40 accounts as the CRM exports them today (crm-mapping.yaml)
//   playbooks/samples/year-history.ndjson  what happened to them from December 2025 to November 2026:
//                                          ARR at the start, expansions and downsells, deals won and
//                                          lost (sku, amount, reason), churn
// Deterministic (a seeded generator): running it again writes the same files.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const OUT = join(dirname(fileURLToPath(import.meta.url)), "..", "playbooks", "samples");
const START = Date.UTC(2025, 11, 1); // 2025-12-01: the base is who pays on this day
const DAY = 86_400_000;

/** mulberry32: a small seeded generator, so the sample is the same on every machine. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(20261201);
const pick = (items) => items[Math.floor(rand() * items.length)];
const between = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const date = (ms) => new Date(ms).toISOString().slice(0, 10);
const time = (ms) => new Date(ms).toISOString().replace(".000Z", "Z");

const NAMES = [
  "Adatum",
  "Alpine Ski House",
  "Bellows College",
  "Best For You Organics",
  "Blue Yonder Airlines",
  "City Power & Light",
  "Coho Vineyard",
  "Consolidated Messenger",
  "Datum Corporation",
  "Fourth Coffee",
  "Graphic Design Institute",
  "Humongous Insurance",
  "Lamna Healthcare",
  "Liberty Delightful Sinful Bakery",
  "Litware",
  "Lucerne Publishing",
  "Margie's Travel",
  "Munson's Pickles",
  "Nod Publishers",
  "Northwind Health",
  "Proseware",
  "Relecloud",
  "School of Fine Art",
  "Southridge Video",
  "Tailwind Traders",
  "Trey Research",
  "VanArsdel",
  "Wingtip Toys",
  "Woodgrove Bank",
  "World Wide Importers",
  "Contoso Pharmaceuticals",
  "Fabrikam Residences",
  "First Up Consultants",
  "Hexa Logistics",
  "Iridium Labs",
  "Jade Analytics",
  "Kestrel Foods",
  "Lumen Freight",
  "Meridian Clinics",
  "Nimbus Retail",
];
const ZONES = [
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Europe/London",
  "Europe/Berlin",
  "Asia/Singapore",
];
const TIERS = [
  { tier: "starter", price: 60 },
  { tier: "growth", price: 80 },
  { tier: "enterprise", price: 75 },
];
const LOST = ["budget", "timing", "competitor", "no decision"];

const accounts = [];
const events = [];
let seq = 0;
const event = (account, at, type, data) =>
  events.push({ account, id: `hist-${account}-${String(++seq).padStart(4, "0")}`, type, at: time(at), data });

NAMES.forEach((name, index) => {
  const id = `yr-${String(index + 1).padStart(3, "0")}`;
  const { tier, price } = index % 7 === 0 ? TIERS[2] : pick(TIERS.slice(0, 2));
  let seats = tier === "enterprise" ? between(120, 300) : tier === "growth" ? between(30, 90) : between(10, 30);
  // Six accounts signed during the year: not in the base on 2025-12-01.
  const newThisYear = index >= 34;
  const onboarded = newThisYear ? START + between(40, 300) * DAY : START - between(200, 900) * DAY;
  let arr = seats * price * 12;
  event(id, newThisYear ? onboarded : START - between(1, 20) * DAY, "account.updated", { arr });
  // What the year brings: expansion for most, a downsell for some, churn for four.
  const fate = newThisYear
    ? "steady"
    : index % 9 === 4
      ? "churn"
      : index % 6 === 5
        ? "contract"
        : rand() < 0.6
          ? "expand"
          : "steady";
  const month = () => Math.max(onboarded, START) + between(15, 330) * DAY;
  if (fate === "expand") {
    const at = month();
    const sku = pick(["seats", "seats", "analytics", "automation"]);
    const amount = sku === "seats" ? between(5, 25) * price * 12 : sku === "analytics" ? 12000 : 8000;
    if (sku === "seats") seats += amount / (price * 12);
    event(id, at, "deal.closed", { outcome: "won", amount, sku });
    arr += amount;
    event(id, at + DAY, "account.updated", { arr });
  }
  if (fate === "contract") {
    const at = month();
    const cut = between(4, 12) * price * 12;
    seats -= cut / (price * 12);
    arr -= cut;
    event(id, at, "account.updated", { arr });
  }
  if (rand() < 0.3) {
    const at = month();
    event(id, at, "deal.closed", {
      outcome: "lost",
      amount: 0,
      sku: pick(["analytics", "automation", "seats"]),
      reason: pick(LOST),
    });
  }
  if (fate === "churn") {
    const at = START + between(60, 320) * DAY;
    event(id, at, "account.churned", { reason: pick(["budget", "moved to a competitor", "company acquired"]) });
    arr = 0;
  }
  const utilization = fate === "churn" ? 0 : Math.round((0.45 + rand() * 0.55) * 100) / 100;
  accounts.push({
    "Account ID": id,
    "Account Name": name,
    "ARR (USD)": arr,
    Plan: tier,
    "Licensed Seats": seats,
    "Seat Price": price,
    "Active Users": Math.round(seats * utilization),
    "Seat Utilization": utilization,
    Health: fate === "churn" ? between(10, 30) : between(35, 95),
    Onboarded: date(onboarded),
    "Contract End": date(START + between(380, 700) * DAY),
    "Time Zone": pick(ZONES),
    "Marketing Opt-In": rand() < 0.85 ? "yes" : "no",
    "Open Escalations": rand() < 0.15 ? 1 : 0,
    Products: fate === "expand" && rand() < 0.5 ? "core;analytics" : "core",
  });
});

const header = Object.keys(accounts[0]);
const csv = [header.join(","), ...accounts.map((row) => header.map((h) => row[h]).join(","))].join("\n");
writeFileSync(join(OUT, "year-accounts.csv"), `${csv}\n`);
events.sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
writeFileSync(join(OUT, "year-history.ndjson"), events.map((e) => JSON.stringify(e)).join("\n") + "\n");
process.stdout.write(`${accounts.length} accounts, ${events.length} events\n`);
