// Every workflow the worker runs: one entity workflow per account, running all of its plays.
export { account } from "./account.js";
