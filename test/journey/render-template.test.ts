// Personalised actions: Liquid in titles, bodies, template variables and payload strings, rendered
// by the journey core for each account from its fields, the event that fired the play, the offer,
// the experiment variant and the clock in the account's time zone; missing values render empty and
// are recorded; rendering reaches no prototype, no file and no host time zone, and is bounded.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { renderTemplate } from "../../engine/journey/render-template.js";
import { MAX_EVENT_DATA } from "../../engine/journey/play-event.js";
import { formatDate } from "../../engine/template/format-date.js";
import { parseTemplate } from "../../engine/template/parse-template.js";
import { templateEngine } from "../../engine/template/template-engine.js";
import { compileText, CoreHarness, sampleAccount, START } from "./core-harness.js";

const ID = "personal";
const plan = compileText(`playbook: ${ID}
name: Personalised actions
motion: upsell
discounts: { max: 20% }
triggers:
  capacity: { on: usage.updated, when: "usage.seat_utilization >= 0.8" }
journey:
  detect:
    - wait: { trigger: capacity }
  orchestrate:
    - experiment: { name: prompt, variants: { control: 50%, roi: 50% } }
    - crm.task:
        owner: csm
        title: "{{ name }} ({{ plan.tier }}, {{ account.plan.seats }} seats) at {{ event.data.usage.seat_utilization | times: 100 }}%"
        body: "{{ event.type }} {{ event.at | date: '%b %-d %H:%M %Z' }}, {{ experiments.prompt }}, {{ contacts.first.department }}"
    - email.send:
        template: capacity
        variables: { company: "{{ name }}", tier: "{{ plan.teir }}", sent: "{{ now | date: '%Y-%m-%d %H:%M %Z' }}" }
        payload: { blocks: [{ text: "Hi {{ name }}" }, 3, true], nested: { tier: "{{ plan.tier | upcase }}" } }
  commit:
    - offer.propose: { sku: seats, quantity: +20%, discount: 10%, title: "{{ offer.quantity }} {{ offer.sku }} at {{ offer.discount }} off" }
    - email.send: { template: offer-follow-up, body: "{{ offer.sku }}: {{ offer.discount_fraction }} of {{ offer.quantity }}" }
`);

/** An account (in New York) whose seat utilization fired the play; its deliveries and decisions. */
function fired(accountId: string, changes: Record<string, unknown> = {}, data: Record<string, unknown> = {}) {
  const h = new CoreHarness({ plans: [plan], account: sampleAccount(accountId, changes) });
  h.event("usage.updated", { usage: { seat_utilization: 0.92 }, ...data });
  const data_ = (step: string) => h.deliveries().find((d) => d.step === step)?.action.data ?? {};
  return { h, data: data_ };
}

describe("an action's templates rendered by the core", () => {
  it("read nested account fields, the event that fired the trigger, the variant and dates in the account's zone", () => {
    const { h, data } = fired("acme-1");
    const variant = h.play(ID).experiments?.prompt;
    expect(["control", "roi"]).toContain(variant);
    // START is 10:00 UTC on Monday 5 January 2026: 05:00 in New York.
    expect(data("orchestrate.2")).toMatchObject({
      title: "Acme Corp (growth, 50 seats) at 92%",
      body: `usage.updated Jan 5 05:00 EST, ${variant}, sales`,
    });
    expect(h.play(ID).event).toEqual({
      type: "usage.updated",
      at: new Date(START).toISOString(),
      data: { usage: { seat_utilization: 0.92 } },
    });
  });

  it("render template variables and every string in the payload, leaving other values as they are", () => {
    const { data } = fired("acme-2");
    expect(data("orchestrate.3")).toMatchObject({
      template: "capacity",
      variables: { company: "Acme Corp", tier: "", sent: "2026-01-05 05:00 EST" },
      payload: { blocks: [{ text: "Hi Acme Corp" }, 3, true], nested: { tier: "GROWTH" } },
    });
  });

  it("read the offer: the step's own, and on later steps the play's latest one", () => {
    const { data } = fired("acme-3");
    expect(data("commit.1").title).toBe("+20% seats at 10% off");
    expect(data("commit.2").body).toBe("seats: 0.1 of +20%");
  });

  it("render a missing value empty and record it as a decision on the play", () => {
    const { h } = fired("acme-4");
    expect(h.decisions(ID)).toContain("rendered: variables.tier: plan.teir is missing, rendered empty");
    expect(h.play(ID).decisions.find((d) => d.kind === "rendered")).toMatchObject({ step: "orchestrate.3" });
  });

  it("keep the event's type and time but not data too large to carry in the account's state", () => {
    const { h, data } = fired("acme-5", {}, { blob: "x".repeat(MAX_EVENT_DATA) });
    expect(h.play(ID).event).toEqual({ type: "usage.updated", at: new Date(START).toISOString() });
    expect(data("orchestrate.2").title).toBe("Acme Corp (growth, 50 seats) at 0%"); // Liquid: nil times 100 is 0
    expect(h.decisions(ID)).toContain("rendered: title: event.data.usage.seat_utilization is missing, rendered empty");
  });

  it("give the same text for the same inputs, whatever the host's time zone", () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = "Asia/Tokyo";
      const tokyo = fired("acme-6").h.deliveries();
      process.env.TZ = "America/Los_Angeles";
      const la = fired("acme-6").h.deliveries();
      expect(la).toEqual(tokyo);
      expect(la.length).toBeGreaterThanOrEqual(4);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe("renderTemplate", () => {
  const account = { id: "acme", name: "Acme Corp", timezone: "Asia/Kolkata", renewal_date: "2027-09-01" };
  const scope = { ...account, account, now: "2026-07-01T20:30:00.000Z" };

  it("formats dates in the account's zone, a zone given, or UTC when the account's is not a zone", () => {
    const render = (text: string, s: Record<string, unknown> = scope) => renderTemplate(text, s).text;
    expect(render("{{ now | date: '%Y-%m-%d %H:%M %z' }}")).toBe("2026-07-02 02:00 +0530");
    expect(render("{{ now | date: '%-I:%M %p %Z', 'America/New_York' }}")).toBe("4:30 PM EDT");
    expect(render("{{ 'now' | date: '%F %T' }}")).toBe("2026-07-02 02:00:00");
    expect(render("{{ now | date_to_xmlschema }}")).toBe("2026-07-02T02:00:00+05:30");
    // A date with no time is that day everywhere.
    expect(render("{{ renewal_date | date: '%A %B %-d, %Y' }}")).toBe("Wednesday September 1, 2027");
    const nowhere = { ...account, timezone: "Mars/Olympus" };
    expect(render("{{ now | date: '%H:%M %Z' }}", { ...scope, account: nowhere })).toBe("20:30 UTC");
    expect(render("{{ 'not a date' | date: '%Y' }}")).toBe("not a date");
  });

  it("agrees with Intl on every instant and zone", () => {
    const zones = [
      "UTC",
      "America/New_York",
      "Europe/Berlin",
      "Asia/Kolkata",
      "Australia/Lord_Howe",
      "Pacific/Chatham",
    ];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse("1990-01-01"), max: Date.parse("2090-01-01") }),
        fc.constantFrom(...zones),
        (at, zone) => {
          const intl = new Intl.DateTimeFormat("sv-SE", {
            timeZone: zone,
            year: "numeric",
            month: "2-digit",
            day: "2-digit",
            hour: "2-digit",
            minute: "2-digit",
            second: "2-digit",
            hourCycle: "h23",
          }).format(new Date(at));
          expect(formatDate(at, "%Y-%m-%d %H:%M:%S", zone)).toBe(intl);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("reaches no prototype: such paths render empty and are recorded as missing", () => {
    for (const text of [
      "{{ constructor }}",
      "{{ name.__proto__ }}",
      "{{ account.constructor.name }}",
      "{{ name.constructor.name }}",
      "{{ account['__proto__'] }}",
      "{{ account.toString }}",
      "{{ contacts | map: 'constructor' | join }}",
    ]) {
      const rendered = renderTemplate(text, { ...scope, contacts: [{ role: "champion" }] });
      expect(rendered.text, text).toBe("");
    }
    expect(renderTemplate("{{ account.constructor.name }}", scope).missing).toEqual(["account.constructor.name"]);
    renderTemplate("{% assign __proto__ = account %}{% increment polluted %}{{ __proto__.name }}", scope);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(scope)).toEqual(["id", "name", "timezone", "renewal_date", "account", "now"]);
  });

  it("cannot read files: include, render and layout are refused when parsed and render nothing", () => {
    for (const tag of ["include", "render", "layout"]) {
      const text = `{% ${tag} '/etc/passwd' %}`;
      expect(parseTemplate(text).problem).toMatchObject({ code: "E_TEMPLATE_UNSUPPORTED", index: 0 });
      expect(renderTemplate(text, scope)).toMatchObject({ text: "" });
    }
    const fs = templateEngine().options.fs;
    expect(fs.existsSync("/etc/passwd")).toBe(false);
    expect(() => fs.readFileSync("/etc/passwd")).toThrow(/cannot read files/);
  });

  it("stops a hostile template within its budget, deterministically, instead of holding the core", () => {
    const hostile = [
      "{% for a in (1..1000) %}{% for b in (1..1000) %}{% for c in (1..1000) %}x{% endfor %}{% endfor %}{% endfor %}",
      "{% for a in list %}{% for b in list %}{% for c in list %}{% for d in list %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..60) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s }}",
      "{% capture s %}{% for i in (1..99) %}0123456789{% endfor %}{% endcapture %}{% for i in (1..9999) %}{{ s }}{% endfor %}",
    ];
    const list = Array.from({ length: 100 }, (_, i) => i);
    for (const text of hostile) {
      const started = performance.now();
      const first = renderTemplate(text, { ...scope, list });
      expect(performance.now() - started, text).toBeLessThan(2000);
      expect(first).toMatchObject({ text: "", error: expect.stringMatching(/limit exceeded/) });
      expect(renderTemplate(text, { ...scope, list })).toEqual(first);
    }
    expect(parseTemplate("{{ name }}".repeat(3000)).problem).toMatchObject({ code: "E_TEMPLATE_SYNTAX" });
  });

  it("refuses filters that would make two renders differ", () => {
    expect(parseTemplate("{{ contacts | sample }}").problem).toMatchObject({ code: "E_TEMPLATE_UNSUPPORTED" });
  });

  it("leaves plain text alone and gives the same text for the same inputs", () => {
    expect(renderTemplate("Capacity review: 50% {not liquid}", scope)).toEqual({
      text: "Capacity review: 50% {not liquid}",
      missing: [],
    });
    const text = "{% for c in contacts %}{{ forloop.index }}. {{ c.role | capitalize }}{% endfor %} {{ name | size }}";
    const first = renderTemplate(text, { ...scope, contacts: [{ role: "champion" }, { role: "buyer" }] });
    expect(first).toEqual({ text: "1. Champion2. Buyer 9", missing: [] });
    expect(renderTemplate(text, { ...scope, contacts: [{ role: "champion" }, { role: "buyer" }] })).toEqual(first);
  });
});
