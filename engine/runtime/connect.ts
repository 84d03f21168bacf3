import { readFileSync } from "node:fs";
import { Client, Connection } from "@temporalio/client";
import { NativeConnection } from "@temporalio/worker";
import type { RuntimeConfig } from "./config.js";

function tlsOptions(config: RuntimeConfig) {
  if (config.tls === undefined) return undefined;
  const { certPath, keyPath, serverName } = config.tls;
  return {
    serverNameOverride: serverName,
    clientCertPair:
      certPath !== undefined && keyPath !== undefined
        ? { crt: readFileSync(certPath), key: readFileSync(keyPath) }
        : undefined,
  };
}

/** A client connection to the configured Temporal (a local dev server, a cluster or Temporal Cloud). */
export async function connectClient(config: RuntimeConfig): Promise<Client & { readonly connection: Connection }> {
  const connection = await Connection.connect({
    address: config.temporalAddress,
    tls: tlsOptions(config),
    apiKey: config.apiKey,
  });
  return Object.assign(new Client({ connection, namespace: config.namespace }), { connection });
}

/** A worker connection to the configured Temporal. */
export async function connectWorker(config: RuntimeConfig): Promise<NativeConnection> {
  return NativeConnection.connect({ address: config.temporalAddress, tls: tlsOptions(config), apiKey: config.apiKey });
}
