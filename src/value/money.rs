//! Money: integer minor units of an active ISO 4217 currency, and the arithmetic of benefits.

use std::fmt;

use crate::language::diagnostic::did_you_mean;
use crate::value::number::{Decimal, pow10, write_fixed};

/// Active ISO 4217 codes with their minor-unit digits (docs/language.md, "Words, text, numbers, dates and money").
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2),
    ("AFN", 2),
    ("ALL", 2),
    ("AMD", 2),
    ("AOA", 2),
    ("ARS", 2),
    ("AUD", 2),
    ("AWG", 2),
    ("AZN", 2),
    ("BAM", 2),
    ("BBD", 2),
    ("BDT", 2),
    ("BHD", 3),
    ("BIF", 0),
    ("BMD", 2),
    ("BND", 2),
    ("BOB", 2),
    ("BOV", 2),
    ("BRL", 2),
    ("BSD", 2),
    ("BTN", 2),
    ("BWP", 2),
    ("BYN", 2),
    ("BZD", 2),
    ("CAD", 2),
    ("CDF", 2),
    ("CHE", 2),
    ("CHF", 2),
    ("CHW", 2),
    ("CLF", 4),
    ("CLP", 0),
    ("CNY", 2),
    ("COP", 2),
    ("COU", 2),
    ("CRC", 2),
    ("CUP", 2),
    ("CVE", 2),
    ("CZK", 2),
    ("DJF", 0),
    ("DKK", 2),
    ("DOP", 2),
    ("DZD", 2),
    ("EGP", 2),
    ("ERN", 2),
    ("ETB", 2),
    ("EUR", 2),
    ("FJD", 2),
    ("FKP", 2),
    ("GBP", 2),
    ("GEL", 2),
    ("GHS", 2),
    ("GIP", 2),
    ("GMD", 2),
    ("GNF", 0),
    ("GTQ", 2),
    ("GYD", 2),
    ("HKD", 2),
    ("HNL", 2),
    ("HTG", 2),
    ("HUF", 2),
    ("IDR", 2),
    ("ILS", 2),
    ("INR", 2),
    ("IQD", 3),
    ("IRR", 2),
    ("ISK", 0),
    ("JMD", 2),
    ("JOD", 3),
    ("JPY", 0),
    ("KES", 2),
    ("KGS", 2),
    ("KHR", 2),
    ("KMF", 0),
    ("KPW", 2),
    ("KRW", 0),
    ("KWD", 3),
    ("KYD", 2),
    ("KZT", 2),
    ("LAK", 2),
    ("LBP", 2),
    ("LKR", 2),
    ("LRD", 2),
    ("LSL", 2),
    ("LYD", 3),
    ("MAD", 2),
    ("MDL", 2),
    ("MGA", 2),
    ("MKD", 2),
    ("MMK", 2),
    ("MNT", 2),
    ("MOP", 2),
    ("MRU", 2),
    ("MUR", 2),
    ("MVR", 2),
    ("MWK", 2),
    ("MXN", 2),
    ("MXV", 2),
    ("MYR", 2),
    ("MZN", 2),
    ("NAD", 2),
    ("NGN", 2),
    ("NIO", 2),
    ("NOK", 2),
    ("NPR", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PAB", 2),
    ("PEN", 2),
    ("PGK", 2),
    ("PHP", 2),
    ("PKR", 2),
    ("PLN", 2),
    ("PYG", 0),
    ("QAR", 2),
    ("RON", 2),
    ("RSD", 2),
    ("RUB", 2),
    ("RWF", 0),
    ("SAR", 2),
    ("SBD", 2),
    ("SCR", 2),
    ("SDG", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("SHP", 2),
    ("SLE", 2),
    ("SOS", 2),
    ("SRD", 2),
    ("SSP", 2),
    ("STN", 2),
    ("SVC", 2),
    ("SYP", 2),
    ("SZL", 2),
    ("THB", 2),
    ("TJS", 2),
    ("TMT", 2),
    ("TND", 3),
    ("TOP", 2),
    ("TRY", 2),
    ("TTD", 2),
    ("TWD", 2),
    ("TZS", 2),
    ("UAH", 2),
    ("UGX", 0),
    ("USD", 2),
    ("USN", 2),
    ("UYI", 0),
    ("UYU", 2),
    ("UYW", 4),
    ("UZS", 2),
    ("VED", 2),
    ("VES", 2),
    ("VND", 0),
    ("VUV", 0),
    ("WST", 2),
    ("XAD", 2),
    ("XAF", 0),
    ("XCD", 2),
    ("XCG", 2),
    ("XOF", 0),
    ("XPF", 0),
    ("YER", 2),
    ("ZAR", 2),
    ("ZMW", 2),
    ("ZWG", 2),
];

/// Amounts stay within ±10^18 minor units, so that every benefit computes exactly in i128.
const MAX_MINOR: i128 = 1_000_000_000_000_000_000;
/// Percentages keep at most this many decimal places, for the same reason.
pub const MAX_PERCENT_SCALE: u32 = 18;

/// An active ISO 4217 currency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency(u16);

impl Currency {
    /// The currency with this code (`USD`), if it is one.
    pub fn from_code(code: &str) -> Option<Currency> {
        CURRENCIES
            .binary_search_by(|(c, _)| c.cmp(&code))
            .ok()
            .map(|i| Currency(i as u16))
    }

    /// Why `code` is not a currency, with a likely intended one.
    pub fn unknown_message(code: &str) -> String {
        match did_you_mean(code, CURRENCIES.iter().map(|(c, _)| *c)) {
            Some(close) => format!("`{code}` is not a currency code (did you mean `{close}`?)"),
            None => format!("`{code}` is not an active ISO 4217 currency code like USD or EUR"),
        }
    }

    /// The three-letter code.
    pub fn code(self) -> &'static str {
        CURRENCIES[self.0 as usize].0
    }

    /// Digits after the point in this currency (USD 2, JPY 0, KWD 3).
    pub fn digits(self) -> u32 {
        CURRENCIES[self.0 as usize].1 as u32
    }
}

/// An exact amount of one currency, in its minor units: never a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Money {
    /// Amount in minor units (cents for USD, yen for JPY, fils for KWD).
    pub minor: i128,
    /// The currency.
    pub currency: Currency,
}

/// Why a text is not an amount of money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// The code is not an active ISO 4217 currency.
    UnknownCurrency(String),
    /// More decimal places than the currency has (`5.001 USD`).
    TooPrecise {
        /// The currency's code.
        currency: &'static str,
        /// Its decimal places.
        digits: u32,
    },
    /// Beyond 10^18 minor units.
    TooLarge,
    /// Not an amount, a space and a code.
    Malformed,
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            MoneyError::UnknownCurrency(code) => f.write_str(&Currency::unknown_message(code)),
            MoneyError::TooPrecise { currency, digits } => match digits {
                0 => write!(
                    f,
                    "{currency} amounts are whole numbers, without decimal places"
                ),
                1 => write!(f, "{currency} amounts have at most 1 decimal place"),
                n => write!(f, "{currency} amounts have at most {n} decimal places"),
            },
            MoneyError::TooLarge => f.write_str(
                "the amount is too large: money is exact up to 10^18 of the currency's smallest unit (cents of USD, yen of JPY)",
            ),
            MoneyError::Malformed => f.write_str(
                "money is written as an amount, a space and a currency code, like \"130.00 USD\"",
            ),
        }
    }
}

/// So that callers can `?` it into their own errors and keep it as a source.
impl std::error::Error for MoneyError {}

impl Money {
    /// The amount in this currency; refused when it has more decimal places than the currency or is too large.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money, MoneyError> {
        let digits = currency.digits();
        if amount.scale() > digits {
            return Err(MoneyError::TooPrecise {
                currency: currency.code(),
                digits,
            });
        }
        let minor = amount
            .mantissa()
            .checked_mul(pow10(digits - amount.scale()))
            .filter(|m| m.abs() <= MAX_MINOR)
            .ok_or(MoneyError::TooLarge)?;
        Ok(Money { minor, currency })
    }

    /// Reads `"130.00 USD"`: an amount, white space, a currency code.
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let mut parts = text.split_whitespace();
        let (Some(amount), Some(code), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(MoneyError::Malformed);
        };
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(MoneyError::Malformed);
        }
        if !amount
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        {
            return Err(MoneyError::Malformed);
        }
        let amount = Decimal::parse(amount).map_err(|_| MoneyError::Malformed)?;
        let currency = Currency::from_code(code)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_string()))?;
        Money::new(amount, currency)
    }

    /// `price M`: the fixed price, never above the running price.
    pub fn fixed_price(self, price: Money) -> Money {
        Money {
            minor: price.minor.min(self.minor),
            ..self
        }
    }

    /// A fee added to the amount (in the same currency).
    pub fn plus(self, fee: Money) -> Money {
        Money {
            minor: self.minor + fee.minor,
            ..self
        }
    }

    /// `M off`: never below zero.
    pub fn minus(self, off: Money) -> Money {
        Money {
            minor: (self.minor - off.minor).max(0),
            ..self
        }
    }

    /// `N% off [up to cap]`: the discount is N% of the amount rounded half away from zero to
    /// the minor unit, at most `cap`; the result is never below zero.
    pub fn percent_off(self, percent: Decimal, cap: Option<Money>) -> Money {
        let mut discount = self.percent_of(percent);
        if let Some(cap) = cap {
            discount = discount.min(cap.minor);
        }
        Money {
            minor: (self.minor - discount).max(0),
            ..self
        }
    }

    /// N% of the amount, in minor units, rounded half away from zero.
    pub fn percent_of(self, percent: Decimal) -> i128 {
        // |minor| <= 10^18 and |percent mantissa| <= 100 * 10^18, so the product fits.
        let numerator = self.minor * percent.mantissa();
        let denominator = 100 * pow10(percent.scale());
        let (q, r) = (numerator / denominator, numerator % denominator);
        if 2 * r.abs() >= denominator {
            q + numerator.signum()
        } else {
            q
        }
    }
}

/// `130.00 USD`, `500 JPY`, `1.250 KWD`: always the currency's digits.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write_fixed(f, self.minor, self.currency.digits())?;
        write!(f, " {}", self.currency.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn pct(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn table_is_sorted_for_lookup() {
        assert!(CURRENCIES.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn prints_the_currency_digits() {
        assert_eq!(m("130 USD").to_string(), "130.00 USD");
        assert_eq!(m("500 JPY").to_string(), "500 JPY");
        assert_eq!(m("1.25 KWD").to_string(), "1.250 KWD");
        assert_eq!(m("0.0001 CLF").to_string(), "0.0001 CLF");
        assert_eq!(m("-5 USD").to_string(), "-5.00 USD");
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert_eq!(
            Money::parse("0.001 USD"),
            Err(MoneyError::TooPrecise {
                currency: "USD",
                digits: 2
            })
        );
        assert_eq!(
            Money::parse("1.5 JPY"),
            Err(MoneyError::TooPrecise {
                currency: "JPY",
                digits: 0
            })
        );
        assert_eq!(
            Money::parse("5 USE"),
            Err(MoneyError::UnknownCurrency("USE".into()))
        );
        assert_eq!(
            Money::parse("5 XAU"),
            Err(MoneyError::UnknownCurrency("XAU".into()))
        );
        assert_eq!(Money::parse("5"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse("USD 5"), Err(MoneyError::Malformed));
        assert_eq!(Money::parse("5 usd"), Err(MoneyError::Malformed));
    }

    #[test]
    fn percent_discounts_round_half_away_from_zero() {
        assert_eq!(
            m("10.05 USD").percent_off(pct("50"), None).to_string(),
            "5.02 USD"
        );
        assert_eq!(
            m("1001 JPY").percent_off(pct("50"), None).to_string(),
            "500 JPY"
        );
        assert_eq!(
            m("10.125 KWD").percent_off(pct("50"), None).to_string(),
            "5.062 KWD"
        );
        assert_eq!(
            m("19.99 USD").percent_off(pct("12.5"), None).to_string(),
            "17.49 USD"
        );
        assert_eq!(
            m("0.01 USD").percent_off(pct("50"), None).to_string(),
            "0.00 USD"
        );
        assert_eq!(
            m("99.99 USD").percent_off(pct("100"), None).to_string(),
            "0.00 USD"
        );
        assert_eq!(
            m("99.99 USD").percent_off(pct("0"), None).to_string(),
            "99.99 USD"
        );
    }

    #[test]
    fn caps_limit_the_discount() {
        let price = m("400.00 USD");
        assert_eq!(
            price.percent_off(pct("20"), Some(m("50 USD"))).to_string(),
            "350.00 USD"
        );
        assert_eq!(
            price.percent_off(pct("20"), Some(m("80 USD"))).to_string(),
            "320.00 USD"
        );
        assert_eq!(
            price.percent_off(pct("20"), Some(m("100 USD"))).to_string(),
            "320.00 USD"
        );
    }

    #[test]
    fn benefits_never_go_below_zero_or_raise_the_price() {
        assert_eq!(m("5.00 USD").minus(m("10 USD")).to_string(), "0.00 USD");
        assert_eq!(
            m("5.00 USD").fixed_price(m("10 USD")).to_string(),
            "5.00 USD"
        );
        assert_eq!(
            m("50.00 USD").fixed_price(m("10 USD")).to_string(),
            "10.00 USD"
        );
    }
}
