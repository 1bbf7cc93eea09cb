// Kubernetes resource quantities ("500m", "1Gi", "1e3"): parsing, exact comparison, and the
// integer millicore / byte conversions the scheduler and node agent account in.

/** The format check Kubernetes applies first; its message is the one users know. */
const formatRe = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const formatMessage = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Decimal exponent of each decimal SI suffix. */
const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** Power of 1024 of each binary suffix. */
const binarySuffixes: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

// Why a cap: an exponent like "1e-999999999" would make the exact BigInt arithmetic below
// allocate absurd numbers; nothing real needs more than a double's range.
const maxExponent = 308;

/** A quantity held exactly: mantissa × 10^exp10 (binary suffixes are folded into the mantissa). */
interface Exact {
  mant: bigint;
  exp10: number;
}

function parseExact(input: string | number): Exact {
  // Numbers go through their shortest decimal form, so 0.1 is exactly "0.1" and not
  // 0.1000000000000000055…; String() may produce "1e-7" or "1e+21", both valid here.
  const s = typeof input === "number" ? String(input) : input;
  if (typeof s !== "string") throw new Error(`invalid quantity ${JSON.stringify(s)}: must be a string or a number`);
  if (!formatRe.test(s)) throw new Error(`invalid quantity ${JSON.stringify(s)}: ${formatMessage}`);
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(s);
  const intPart = m?.[2] ?? "";
  const fracPart = m?.[3] ?? "";
  const suffix = m?.[4] ?? "";
  if (!m || intPart.length + fracPart.length === 0 || /[.]/.test(suffix)) {
    throw new Error(`invalid quantity ${JSON.stringify(s)}: unable to parse numeric part of quantity`);
  }
  let exp10: number;
  let binary = 0;
  if (suffix in decimalSuffixes) {
    exp10 = decimalSuffixes[suffix];
  } else if (suffix in binarySuffixes) {
    exp10 = 0;
    binary = binarySuffixes[suffix];
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    exp10 = Number(suffix.slice(1));
    if (Math.abs(exp10) > maxExponent) throw new Error(`invalid quantity ${JSON.stringify(s)}: exponent out of range`);
  } else {
    throw new Error(`invalid quantity ${JSON.stringify(s)}: unable to parse quantity's suffix`);
  }
  let mant = BigInt(intPart + fracPart) * 1024n ** BigInt(binary);
  if (m[1] === "-") mant = -mant;
  return { mant, exp10: exp10 - fracPart.length };
}

function toNumber(q: Exact): number {
  return Number(`${q.mant}e${q.exp10}`);
}

/** ceil(q × 10^scale) as an exact integer. */
function ceilScaled(q: Exact, scale: number): bigint {
  const e = q.exp10 + scale;
  if (e >= 0) return q.mant * 10n ** BigInt(e);
  const abs = q.mant < 0n ? -q.mant : q.mant;
  // Why: when the divisor has more digits than the mantissa, |q| < 1 and the answer is
  // 0 or 1; this also avoids building 10^e for tiny values.
  if (-e > abs.toString().length) return q.mant > 0n ? 1n : 0n;
  const div = 10n ** BigInt(-e);
  const quot = q.mant / div; // truncates toward zero
  return q.mant > 0n && quot * div !== q.mant ? quot + 1n : quot;
}

function checkedNumber(q: Exact, s: string | number): number {
  const n = toNumber(q);
  if (!Number.isFinite(n)) throw new Error(`invalid quantity ${JSON.stringify(s)}: value too large`);
  return n;
}

/** Parses a Kubernetes quantity into a number of base units ("500m" → 0.5, "1Gi" → 1073741824). */
export function parseQuantity(s: string | number): number {
  return checkedNumber(parseExact(s), s);
}

/** Whether s is a string or finite number in Kubernetes quantity syntax. */
export function isValidQuantity(s: unknown): boolean {
  if (typeof s !== "string" && typeof s !== "number") return false;
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}

/** Compares two quantities exactly: -1, 0 or 1 (so "1" equals "1000m" and "1Ki" equals "1024"). */
export function compareQuantities(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = parseExact(a);
  const y = parseExact(b);
  const e = Math.min(x.exp10, y.exp10);
  const xm = x.mant * 10n ** BigInt(x.exp10 - e);
  const ym = y.mant * 10n ** BigInt(y.exp10 - e);
  return xm < ym ? -1 : xm > ym ? 1 : 0;
}

/** A CPU quantity in millicores, rounded up like Kubernetes' MilliValue ("0.1" → 100, "1n" → 1). */
export function cpuToMilli(q: string | number): number {
  const x = parseExact(q);
  checkedNumber(x, q);
  return Number(ceilScaled(x, 3));
}

/** A memory (or storage) quantity in bytes, rounded up to an integer ("1.5Ki" → 1536). */
export function memoryToBytes(q: string | number): number {
  const x = parseExact(q);
  checkedNumber(x, q);
  return Number(ceilScaled(x, 0));
}

/** Formats millicores as Kubernetes prints CPU: "2" when whole, else "1500m". */
export function formatCpuMilli(m: number): string {
  const milli = Math.ceil(m);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Formats bytes with the largest exact binary suffix ("1Gi", "1536Ki"), else as an integer. */
export function formatBytes(b: number): string {
  const bytes = Math.ceil(b);
  if (bytes !== 0 && Number.isFinite(bytes)) {
    const suffixes = Object.entries(binarySuffixes).sort((p, q) => q[1] - p[1]);
    for (const [suffix, power] of suffixes) {
      const unit = 1024 ** power;
      if (bytes % unit === 0) return `${bytes / unit}${suffix}`;
    }
  }
  return String(bytes);
}
