/**
 * The one place where pricing divides. Everything else in `lib/pricing` adds, subtracts and multiplies
 * integers; every division by a rate goes through here.
 *
 * Rounding rule: **round half up, once per amount** (a line, the shipping charge, the duty total). All
 * amounts are non-negative, so half up is also "half away from zero", the commercial rounding that EU
 * member states, HMRC, the Swiss FTA, the Japanese NTA and US states accept. Banker's rounding (half-even)
 * is not used: no tax authority we invoice in asks for it, and it surprises finance teams reconciling
 * a single order. Totals are never rounded again: a reported total is the exact sum of its rounded parts.
 *
 * Why there is no precision loss: the arithmetic is done in `bigint`, which is exact at any size. Inputs
 * are checked to be safe integers (at most 2^53 - 1, far above the 1e13 minor-unit price cap, so
 * 1e13 × 100,000 m% = 1e18 never leaves exact arithmetic), and each result is at most its input
 * (a rate of at most 100%), so converting it back to `number` is exact too. No float ever holds money.
 */

/**
 * Rates are integers in thousandths of a percent ("milli-percent", m%): 100,000 m% = 100%. Basis points
 * (hundredths of a percent) cannot hold US state rates such as Minnesota's 6.875% or New Jersey's 6.625%
 * exactly; one more decimal digit holds every rate in our tables as an integer.
 */
export const RATE_SCALE = 100_000;

const SCALE = BigInt(RATE_SCALE);

function assertMinorUnits(amount: number, what: string): bigint {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`${what} must be a non-negative safe integer of minor units, got ${amount}`);
  }
  return BigInt(amount);
}

function assertRate(rate: number): bigint {
  if (!Number.isInteger(rate) || rate < 0 || rate > RATE_SCALE) {
    throw new RangeError(`a rate must be an integer number of milli-percent in [0, 100000], got ${rate}`);
  }
  return BigInt(rate);
}

/** `numerator / denominator` rounded half up; both non-negative, denominator positive. */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

function toSafeNumber(value: bigint): number {
  // Cannot fail for checked inputs (the result never exceeds the input); kept so a future caller that
  // widens the rate range fails loudly instead of losing a cent.
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${value} exceeds the safe integer range`);
  return Number(value);
}

/**
 * The tax contained in a tax-inclusive amount: `round(gross × rate / (100000 + rate))`, half up.
 *
 * @param gross - amount in minor units that already includes the tax
 * @param rate - tax rate in milli-percent (20000 = 20%)
 * @returns the tax content in minor units; `gross - result` is the net amount
 */
export function taxContentOf(gross: number, rate: number): number {
  const g = assertMinorUnits(gross, 'gross');
  const r = assertRate(rate);
  if (r === 0n) return 0;
  return toSafeNumber(divideHalfUp(g * r, SCALE + r));
}

/**
 * A rate applied to an amount: `round(amount × rate / 100000)`, half up. Used for tax added on top of a
 * net amount (US sales tax, import VAT) and for ad-valorem duty.
 *
 * @param amount - base amount in minor units
 * @param rate - rate in milli-percent (7250 = 7.25%)
 */
export function applyRate(amount: number, rate: number): number {
  const a = assertMinorUnits(amount, 'amount');
  const r = assertRate(rate);
  return toSafeNumber(divideHalfUp(a * r, SCALE));
}

/**
 * Sums minor-unit amounts and fails instead of silently losing precision past 2^53 - 1. Cart caps keep
 * real carts around 1e15 at most, so this only trips on a programming error.
 */
export function sumMinorUnits(amounts: readonly number[]): number {
  let total = 0;
  for (const amount of amounts) {
    assertMinorUnits(amount, 'amount');
    total += amount;
    if (!Number.isSafeInteger(total)) throw new RangeError('sum exceeds the safe integer range');
  }
  return total;
}

/**
 * Multiplies a unit price by a quantity exactly, failing past the safe integer range.
 */
export function multiplyMinorUnits(unitPrice: number, quantity: number): number {
  assertMinorUnits(unitPrice, 'unit price');
  if (!Number.isSafeInteger(quantity) || quantity < 0) throw new RangeError(`bad quantity ${quantity}`);
  const product = unitPrice * quantity;
  if (!Number.isSafeInteger(product)) throw new RangeError('line total exceeds the safe integer range');
  return product;
}

/** Formats a milli-percent rate for labels: 19000 → "19%", 8100 → "8.1%", 6875 → "6.875%". */
export function formatRate(rate: number): string {
  const whole = Math.trunc(rate / 1000);
  const fraction = String(rate % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}%` : `${whole}%`;
}
