import proto from "@temporalio/proto";
import { SearchAttributeType } from "@temporalio/common";
import type { Connection } from "@temporalio/client";
import { SEARCH_ATTRIBUTES } from "../messages/search-attributes.js";

const { IndexedValueType } = proto.temporal.api.enums.v1;

/**
 * Registers playloop's search attributes in a namespace; attributes already there are kept. On
 * Temporal Cloud, where the operator API is closed, create them in the Cloud UI or with tcld.
 */
export async function registerSearchAttributes(
  connection: Pick<Connection, "operatorService">,
  namespace: string,
): Promise<void> {
  // The time-skipping test server can add search attributes but not list them.
  const existing = await connection.operatorService.listSearchAttributes({ namespace }).catch(() => undefined);
  const known = new Set(Object.keys(existing?.customAttributes ?? {}));
  const missing = Object.values(SEARCH_ATTRIBUTES).filter((key) => !known.has(key.name));
  if (missing.length === 0) return;
  const searchAttributes = Object.fromEntries(
    missing.map((key) => [
      key.name,
      key.type === SearchAttributeType.KEYWORD_LIST
        ? IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST
        : key.type === SearchAttributeType.INT
          ? IndexedValueType.INDEXED_VALUE_TYPE_INT
          : IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
    ]),
  );
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
}
