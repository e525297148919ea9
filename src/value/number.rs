//! Exact decimal numbers: what `number` fields and literals hold. Never binary floating point.

use std::cmp::Ordering;
use std::fmt;

/// Largest number of decimal places kept.
pub const MAX_SCALE: u32 = 28;

/// `mantissa × 10^-scale`, normalised (no trailing zeros after the point), so equal values
/// have equal representations and `==` and `Hash` compare values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Not written as `-?digits(.digits)?(e±digits)?`.
    Malformed,
    /// More than 36 digits.
    TooLarge,
    /// More than 28 decimal places.
    TooPrecise,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            NumberError::Malformed => "is not a plain decimal number like 12 or 59.99",
            NumberError::TooLarge => "is too large (at most 36 digits)",
            NumberError::TooPrecise => "has more than 28 decimal places",
        })
    }
}

/// So that callers can `?` it into their own errors and keep it as a source.
impl std::error::Error for NumberError {}

pub(crate) fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

impl Decimal {
    /// 0.
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    /// The whole number `n`.
    pub fn from_int(n: i64) -> Decimal {
        Decimal {
            mantissa: n as i128,
            scale: 0,
        }
    }

    /// Reads a number exactly as written: JSON's number syntax, leading zeros allowed.
    pub fn parse(text: &str) -> Result<Decimal, NumberError> {
        let bytes = text.as_bytes();
        let negative = bytes.first() == Some(&b'-');
        let mut i = negative as usize;
        let digits_in = |from: usize| {
            bytes[from..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let whole = &bytes[i..i + digits_in(i)];
        if whole.is_empty() {
            return Err(NumberError::Malformed);
        }
        i += whole.len();
        let mut fraction: &[u8] = &[];
        if bytes.get(i) == Some(&b'.') {
            fraction = &bytes[i + 1..i + 1 + digits_in(i + 1)];
            if fraction.is_empty() {
                return Err(NumberError::Malformed);
            }
            i += 1 + fraction.len();
        }
        let mut exponent: i64 = 0;
        if matches!(bytes.get(i), Some(b'e' | b'E')) {
            i += 1;
            let sign = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    -1
                }
                Some(b'+') => {
                    i += 1;
                    1
                }
                _ => 1,
            };
            let digits = &bytes[i..i + digits_in(i)];
            if digits.is_empty() {
                return Err(NumberError::Malformed);
            }
            i += digits.len();
            let magnitude = digits
                .iter()
                .fold(0i64, |e, d| (e * 10 + (d - b'0') as i64).min(100_000));
            exponent = sign * magnitude;
        }
        if i != bytes.len() {
            return Err(NumberError::Malformed);
        }
        // The significant digits, without leading zeros and, while they are after the
        // point, without trailing zeros: no division needed to normalise.
        let digit = |k: usize| {
            if k < whole.len() {
                whole[k]
            } else {
                fraction[k - whole.len()]
            }
        };
        let total = whole.len() + fraction.len();
        let first = (0..total).find(|&k| digit(k) != b'0').unwrap_or(total);
        let mut scale = fraction.len() as i64 - exponent;
        let mut end = total;
        while scale > 0 && end > first && digit(end - 1) == b'0' {
            end -= 1;
            scale -= 1;
        }
        if first == end {
            return Ok(Decimal::ZERO);
        }
        if scale > MAX_SCALE as i64 {
            return Err(NumberError::TooPrecise);
        }
        // a negative scale is a number of zeros to append
        let zeros = (-scale).max(0) as usize;
        if end - first + zeros > 36 {
            return Err(NumberError::TooLarge);
        }
        let mut mantissa = (first..end).fold(0i128, |m, k| m * 10 + (digit(k) - b'0') as i128);
        mantissa *= pow10(zeros as u32);
        if negative {
            mantissa = -mantissa;
        }
        Ok(Decimal {
            mantissa,
            scale: scale.max(0) as u32,
        })
    }

    /// Digits after the point (after normalisation).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// The digits as a whole number: the value is `mantissa × 10^-scale`.
    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    /// The value as an integer, when it is one that fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.scale == 0 {
            i64::try_from(self.mantissa).ok()
        } else {
            None
        }
    }

    /// `self − other`, exactly; `None` when the result does not fit.
    pub fn checked_sub(&self, other: &Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self
            .mantissa
            .checked_mul(10i128.checked_pow(scale - self.scale)?)?;
        let b = other
            .mantissa
            .checked_mul(10i128.checked_pow(scale - other.scale)?)?;
        Some(Decimal::normalized(a.checked_sub(b)?, scale))
    }

    /// The largest whole number not above the value.
    pub fn floor(&self) -> i128 {
        self.mantissa.div_euclid(pow10(self.scale))
    }

    /// The smallest whole number not below the value.
    pub fn ceil(&self) -> i128 {
        -(-self.mantissa).div_euclid(pow10(self.scale))
    }

    /// `mantissa × 10^-scale` without trailing zeros after the point.
    fn normalized(mut mantissa: i128, mut scale: u32) -> Decimal {
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        if mantissa == 0 {
            scale = 0;
        }
        Decimal { mantissa, scale }
    }

    fn split(&self) -> (i128, i128) {
        let p = pow10(self.scale);
        (self.mantissa / p, self.mantissa % p)
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.scale == other.scale {
            return self.mantissa.cmp(&other.mantissa);
        }
        // Whole parts first, then fractions brought to the same scale: never overflows.
        let (wa, fa) = self.split();
        let (wb, fb) = other.split();
        wa.cmp(&wb).then_with(|| {
            let s = self.scale.max(other.scale);
            (fa * pow10(s - self.scale)).cmp(&(fb * pow10(s - other.scale)))
        })
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write_fixed(f, self.mantissa, self.scale)
    }
}

/// `units × 10^-digits` with exactly `digits` places: `write_fixed(f, -1250, 3)` is `-1.250`.
pub(crate) fn write_fixed(f: &mut impl fmt::Write, units: i128, digits: u32) -> fmt::Result {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    let width = digits as usize;
    // most amounts fit in 64 bits, whose division and printing are far cheaper
    if let Ok(abs) = u64::try_from(abs)
        && digits < 20
    {
        if digits == 0 {
            return write!(f, "{sign}{abs}");
        }
        let unit = 10u64.pow(digits);
        return write!(f, "{sign}{}.{:0width$}", abs / unit, abs % unit);
    }
    if digits == 0 {
        return write!(f, "{sign}{abs}");
    }
    let unit = 10u128.pow(digits);
    write!(f, "{sign}{}.{:0width$}", abs / unit, abs % unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn reads_exactly_as_written() {
        assert_eq!(d("59.99").to_string(), "59.99");
        assert_eq!(d("12.000"), d("12"));
        assert_eq!(d("0.1").to_string(), "0.1");
        assert_eq!(d("-0.50").to_string(), "-0.5");
        assert_eq!(d("1e5").to_string(), "100000");
        assert_eq!(d("1.5E-3").to_string(), "0.0015");
        assert_eq!(d("007").to_string(), "7");
        assert_eq!(d("-0"), Decimal::ZERO);
    }

    #[test]
    fn prints_exactly_within_and_past_64_bits() {
        for text in [
            "18446744073709551615",
            "18446744073709551616",
            "-18446744073709551616.5",
            "0.0000000000000000001",
            "0.00000000000000000001",
            "1844674407370955161.5",
            "-0.000000000000000000000000001",
        ] {
            assert_eq!(d(text).to_string(), text);
        }
        let mut out = String::new();
        write_fixed(&mut out, i128::MIN + 1, 28).unwrap();
        assert_eq!(out, "-17014118346.0469231731687303715884105727");
    }

    #[test]
    fn rejects_other_forms() {
        for bad in [
            "", "-", "1.", ".5", "+1", "0x1F", "1_000", ".inf", "nan", "1e", "1 2",
        ] {
            assert_eq!(Decimal::parse(bad), Err(NumberError::Malformed), "{bad}");
        }
        assert_eq!(Decimal::parse("1e400"), Err(NumberError::TooLarge));
        assert_eq!(Decimal::parse("1e-400"), Err(NumberError::TooPrecise));
    }

    #[test]
    fn subtracts_and_rounds_exactly() {
        assert_eq!(d("12").checked_sub(&d("6.5")), Some(d("5.5")));
        assert_eq!(d("0.3").checked_sub(&d("0.1")), Some(d("0.2")));
        assert_eq!(d("1.10").checked_sub(&d("1.1")), Some(Decimal::ZERO));
        assert_eq!((d("2.5").floor(), d("2.5").ceil()), (2, 3));
        assert_eq!((d("-2.5").floor(), d("-2.5").ceil()), (-3, -2));
        assert_eq!((d("7").floor(), d("7").ceil()), (7, 7));
    }

    #[test]
    fn compares_by_value() {
        assert!(d("12.5") > d("12"));
        assert!(d("-1.5") < d("-1"));
        assert!(d("0.3") > d("0.25"));
        assert!(d("100000000000000000000000000000000") > d("0.0000000000000000000000000001"));
        assert_eq!(d("99.990").cmp(&d("99.99")), Ordering::Equal);
    }
}
