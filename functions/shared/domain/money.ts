/** An amount in integer minor units (cents), always with its ISO 4217 currency. */
export interface Money {
  amount: number;
  currency: string;
}

/** Adds amounts of one currency; refuses to mix currencies. */
export function sumMoney(currency: string, amounts: readonly Money[]): Money {
  let total = 0;
  for (const money of amounts) {
    if (money.currency !== currency) throw new Error(`Cannot add ${money.currency} to ${currency}`);
    total += money.amount;
  }
  if (!Number.isSafeInteger(total)) throw new Error('Amount overflow');
  return { amount: total, currency };
}

/** Formats minor units for people, e.g. 1299 USD -> "$12.99". */
export function formatMoney(money: Money, locale = 'en-US'): string {
  const { format, digits } = currencyFormat(locale, money.currency);
  return format.format(money.amount / 10 ** digits);
}

// Building an Intl.NumberFormat costs far more than using one (it was 1.7 s of Generate Receipt's
// CPU in a 1,000-order profile), so each locale and currency gets one per execution environment.
const formats = new Map<string, { format: Intl.NumberFormat; digits: number }>();
function currencyFormat(locale: string, currency: string): { format: Intl.NumberFormat; digits: number } {
  const key = `${locale}|${currency}`;
  let entry = formats.get(key);
  if (!entry) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    entry = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    formats.set(key, entry);
  }
  return entry;
}
