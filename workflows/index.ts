// Every workflow the worker runs: one journey per account and playbook, one coordinator per account.
export { journey } from "./journey.js";
export { account } from "./account.js";
