// Every workflow the worker runs: one entity workflow per account, running all of its plays, and
// the deployments record of the task queue.
export { account } from "./account.js";
export { deployments } from "./deployments.js";
