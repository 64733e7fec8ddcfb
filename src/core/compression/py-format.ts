/**
 * Python's `f"{x:.Nf}"`: round half to even on the exact binary value. JavaScript's `toFixed`
 * rounds exact ties up (1.25 -> "1.3" where Python gives "1.2"), so the reference's `ratio` and
 * `rate` strings need this to match.
 */
export function formatPyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : x < 0 ? '-inf' : 'nan';
  // toFixed(100) is the exact decimal expansion for every double >= 2^-47, far below our values.
  const exact = Math.abs(x).toFixed(100);
  const [intPart = '0', frac = ''] = exact.split('.');
  const kept = frac.slice(0, digits);
  const rest = frac.slice(digits);
  let roundUp: boolean;
  if (/^0*$/.test(rest)) roundUp = false;
  else if (/^50*$/.test(rest)) {
    const lastDigit = Number((digits > 0 ? kept : intPart).slice(-1));
    roundUp = lastDigit % 2 === 1;
  } else roundUp = rest[0]! >= '5';
  let scaled = BigInt(intPart + kept);
  if (roundUp) scaled += 1n;
  let text = scaled.toString().padStart(digits + 1, '0');
  if (digits > 0) text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  const negative = x < 0 || Object.is(x, -0);
  return negative ? `-${text}` : text;
}
