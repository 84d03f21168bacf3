/** The last `limit` event ids seen, for idempotency that survives continue-as-new (carry `ids`). */
export class SeenIds {
  private readonly order: string[];
  private readonly set: Set<string>;

  constructor(
    carried: readonly string[],
    private readonly limit: number,
  ) {
    this.order = [...carried];
    this.set = new Set(this.order);
  }

  /** Records the id; false when it was seen before. */
  add(id: string): boolean {
    if (this.set.has(id)) return false;
    this.set.add(id);
    this.order.push(id);
    if (this.order.length > this.limit) this.set.delete(this.order.shift() ?? "");
    return true;
  }

  /** The ids to carry into the next run. */
  get ids(): readonly string[] {
    return this.order;
  }
}
