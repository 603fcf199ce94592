/**
 * Repairs a bar whose open or close lies outside its high–low range, as
 * market data vendors publish them (Alpaca's trade-condition rules exclude
 * some trades from the high and low but not from the open, often on the
 * 09:30 bar): the high becomes max(o, h, c) and the low min(o, l, c). The bar
 * is changed in place; returns true when it was repaired. Non-finite fields
 * are left for validation to reject.
 */
export function repairOhlc(bar: { o: number; h: number; l: number; c: number }): boolean {
  const { o, h, l, c } = bar;
  const hi = Math.max(o, h, c);
  const lo = Math.min(o, l, c);
  if (hi === h && lo === l) return false;
  if (!Number.isFinite(hi) || !Number.isFinite(lo)) return false;
  bar.h = hi;
  bar.l = lo;
  return true;
}
