// The parts of jStat (https://github.com/jstat/jstat) the lift tests use; it ships no types.
declare module "jstat" {
  interface Distribution {
    cdf(x: number, ...parameters: number[]): number;
    inv(p: number, ...parameters: number[]): number;
  }
  export const jStat: { readonly normal: Distribution; readonly studentt: Distribution };
}
