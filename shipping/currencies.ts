/**
 * ISO 4217 currencies we accept, with their minor-unit digits (how many decimals the currency has).
 * Funds, precious metals and codes without a minor unit (XAU, XDR, XXX …) are left out: nothing is
 * sold in them. Amounts everywhere are integers in the currency's minor unit (cents for EUR, yen for JPY).
 */
const BY_DIGITS: Record<number, string> = {
  0: 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF',
  2:
    'AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD ' +
    'CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP ' +
    'GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD ' +
    'MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP ' +
    'PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT ' +
    'TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG',
  3: 'BHD IQD JOD KWD LYD OMR TND',
  4: 'CLF UYW',
};

export const CURRENCY_DIGITS: ReadonlyMap<string, number> = new Map(
  Object.entries(BY_DIGITS).flatMap(([digits, codes]) =>
    codes.split(' ').map((code) => [code, Number(digits)] as const),
  ),
);

export function isCurrency(code: string): boolean {
  return CURRENCY_DIGITS.has(code);
}

/** Minor-unit digits of a known currency; throws for an unknown code (validate first). */
export function minorDigits(currency: string): number {
  const digits = CURRENCY_DIGITS.get(currency);
  if (digits === undefined) throw new RangeError(`unknown currency ${currency}`);
  return digits;
}

/**
 * A decimal amount as written (`"12.5"`, or a JSON number such as Meta's `item_price`) → integer
 * minor units, exactly: the digits are moved, never multiplied as floats. Undefined when the amount
 * has more decimals than the currency allows, is negative, or is not a plain decimal.
 */
export function decimalToMinor(amount: string | number, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const text = typeof amount === 'number' ? String(amount) : amount.trim();
  const match = /^(\d{1,15})(?:\.(\d+))?$/.exec(text);
  if (!match) return undefined;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) return undefined;
  const minor = Number(match[1]! + fraction.padEnd(digits, '0'));
  return Number.isSafeInteger(minor) ? minor : undefined;
}
