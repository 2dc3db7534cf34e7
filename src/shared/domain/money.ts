/** Money is integer cents inside; two decimals only at the edge. */
export type Cents = number;

export const toCents = (amount: number): Cents => Math.round(amount * 100);

export const fromCents = (cents: Cents): number => cents / 100;

/** True when the amount has at most two decimals (1.1 and 1.10 yes, 1.001 no), without floating-point traps. */
export const hasAtMostTwoDecimals = (amount: number): boolean =>
  Number.isFinite(amount) && Math.abs(amount * 100 - Math.round(amount * 100)) < 1e-6;
