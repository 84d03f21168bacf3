import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApplicationFailure } from "@temporalio/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookSink } from "../../engine/runtime/action-sinks.js";
import { signWebhook, verifySignature, webhookKey } from "../../engine/runtime/webhook-signature.js";
import { SAMPLE_ACTION as event } from "../helpers.js";

describe("Standard Webhooks signatures", () => {
  it("match the spec's test vector", () => {
    const key = webhookKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    const signature = signWebhook(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}');
    expect(signature).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    expect(
      verifySignature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}', `v1,bogus ${signature}`),
    ).toBe(true);
    expect(verifySignature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265331, '{"test": 2432232314}', signature)).toBe(
      false,
    );
  });

  it("refuse a secret that is too short", () => {
    expect(() => webhookKey("whsec_c2hvcnQ=")).toThrow(/decodes to 5 bytes/);
  });
});

describe("webhook sink", () => {
  let server: Server;
  let url: string;
  const statuses: number[] = [];
  const seen: { headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen.push({ headers: req.headers, body });
        res.writeHead(statuses.shift() ?? 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const secret = `whsec_${Buffer.from("0123456789abcdef01234567").toString("base64")}`;

  it("POSTs the CloudEvent signed with webhook-id, webhook-timestamp and webhook-signature", async () => {
    await webhookSink(url, secret).deliver(event);
    const request = seen.at(-1);
    expect(request?.headers["webhook-id"]).toBe(event.id);
    expect(request?.headers["content-type"]).toBe("application/cloudevents+json");
    const ok = verifySignature(
      webhookKey(secret),
      event.id,
      Number(request?.headers["webhook-timestamp"]),
      request?.body ?? "",
      String(request?.headers["webhook-signature"]),
    );
    expect(ok).toBe(true);
    expect(JSON.parse(request?.body ?? "{}")).toEqual(event);
  });

  it("throws a retryable error on 5xx and 429, and a non-retryable failure on other 4xx", async () => {
    statuses.push(503);
    await expect(webhookSink(url, secret).deliver(event)).rejects.not.toBeInstanceOf(ApplicationFailure);
    statuses.push(429);
    await expect(webhookSink(url, secret).deliver(event)).rejects.toThrow(/429/);
    statuses.push(400);
    const failure = await webhookSink(url, secret)
      .deliver(event)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((failure as ApplicationFailure).type).toBe("DeliveryRejected");
  });

  it("throws a retryable error when the receiver cannot be reached", async () => {
    await expect(webhookSink("http://127.0.0.1:1/hooks", secret).deliver(event)).rejects.toThrow();
  });
});

describe("NDJSON action log", () => {
  it("holds each action once when several worker processes deliver the same actions at once", async () => {
    const { mkdtempSync, readFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { spawn } = await import("node:child_process");
    const file = join(mkdtempSync(join(tmpdir(), "playloop-ndjson-")), "actions.ndjson");
    const sinkModule = new URL("../../dist/engine/runtime/action-sinks.js", import.meta.url).href;
    // Each process delivers the same 150 ids, in its own order, as retried activities would.
    const script = `
      const { ndjsonSink } = await import(${JSON.stringify(sinkModule)});
      const sink = ndjsonSink(process.argv[1]);
      const seed = Number(process.argv[2]);
      const ids = Array.from({ length: 150 }, (_, i) => (i * (seed + 7)) % 150);
      await Promise.all(ids.map((i) => sink.deliver({ id: "a" + i, type: "t", data: {} })));
    `;
    const runs = [1, 2, 3, 4].map(
      (seed) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, ["--input-type=module", "-e", script, file, String(seed)], {
            stdio: "inherit",
          });
          child.once("exit", resolve);
        }),
    );
    expect(await Promise.all(runs)).toEqual([0, 0, 0, 0]);
    const ids = readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toHaveLength(150);
    expect(new Set(ids).size).toBe(150);
  }, 60_000);

  it("does not join a new line to a partial line a crash left", async () => {
    const { mkdtempSync, readFileSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { ndjsonSink } = await import("../../engine/runtime/action-sinks.js");
    const file = join(mkdtempSync(join(tmpdir(), "playloop-ndjson-")), "actions.ndjson");
    writeFileSync(file, `${JSON.stringify(event)}\n{"id":"half`);
    const sink = ndjsonSink(file);
    await sink.deliver(event);
    await sink.deliver({ ...event, id: "next" });
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines).toEqual([JSON.stringify(event), '{"id":"half', JSON.stringify({ ...event, id: "next" }), ""]);
  });
});
