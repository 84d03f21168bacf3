// What preview and queue both read before they evaluate anything: the time (`--at`), the playbooks
// folder and the export's field mapping, or what is wrong with them.
import { resolve } from "node:path";
import { loadPlaybooks, PlaybookLoadError, type LoadedPlaybooks } from "../runtime/load-plans.js";
import { loadMapping, MappingError, type FieldMapping } from "../runtime/ingest/field-mapping.js";
import { defaultPlaybooksDir } from "../runtime/project-root.js";

export interface CommandInputs {
  readonly now: number;
  readonly loaded: LoadedPlaybooks;
  readonly mapping?: FieldMapping;
}

/** The inputs, or a message for the user (bad `--at`, playbooks that do not validate, a bad mapping). */
export function loadCommandInputs(options: {
  readonly at?: string;
  readonly playbooks?: string;
  readonly mapping?: string;
}): CommandInputs | string {
  const now = options.at === undefined ? Date.now() : Date.parse(options.at);
  if (!Number.isFinite(now)) return `--at ${options.at}: not a date (write 2027-01-15 or 2027-01-15T09:00:00Z)`;
  try {
    const loaded = loadPlaybooks(resolve(options.playbooks ?? process.env.PLAYLOOP_PLAYBOOKS ?? defaultPlaybooksDir()));
    const mapping = options.mapping === undefined ? undefined : loadMapping(options.mapping);
    return { now, loaded, ...(mapping === undefined ? {} : { mapping }) };
  } catch (error) {
    if (error instanceof PlaybookLoadError || error instanceof MappingError) return error.message;
    throw error;
  }
}
