import { defineSearchAttributeKey, SearchAttributeType } from "@temporalio/common";

/** The custom search attributes operators filter journeys by in the Temporal UI. */
export const SEARCH_ATTRIBUTES = {
  PlaybookId: defineSearchAttributeKey("PlaybookId", SearchAttributeType.KEYWORD),
  AccountId: defineSearchAttributeKey("AccountId", SearchAttributeType.KEYWORD),
  Stage: defineSearchAttributeKey("Stage", SearchAttributeType.KEYWORD),
  Motion: defineSearchAttributeKey("Motion", SearchAttributeType.KEYWORD),
  Outcome: defineSearchAttributeKey("Outcome", SearchAttributeType.KEYWORD),
  Holdout: defineSearchAttributeKey("Holdout", SearchAttributeType.BOOL),
  LastSuppression: defineSearchAttributeKey("LastSuppression", SearchAttributeType.KEYWORD),
} as const;

/** `name=Type` pairs, as `temporal server start-dev --search-attribute` takes them. */
export const SEARCH_ATTRIBUTE_FLAGS = Object.values(SEARCH_ATTRIBUTES).map(
  (key) => `${key.name}=${key.type === SearchAttributeType.BOOL ? "Bool" : "Keyword"}`,
);
