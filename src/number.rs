//! Exact decimal numbers: what `number` fields and literals hold. Never binary floating point.

use std::cmp::Ordering;
use std::fmt;

/// Largest number of decimal places kept.
pub const MAX_SCALE: u32 = 28;
/// Numbers must stay below 10^36 in magnitude (digits before and after the point together).
const MAX_MANTISSA: i128 = 10i128.pow(36);

/// `mantissa × 10^-scale`, normalised (no trailing zeros after the point), so equal values
/// have equal representations and `==` and `Hash` compare values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    /// Not written as `-?digits(.digits)?(e±digits)?`.
    Malformed,
    TooLarge,
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

pub(crate) fn pow10(n: u32) -> i128 {
    10i128.pow(n)
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: 0,
        scale: 0,
    };

    pub fn from_int(n: i64) -> Decimal {
        Decimal {
            mantissa: n as i128,
            scale: 0,
        }
    }

    fn normalised(mut mantissa: i128, mut scale: u32) -> Result<Decimal, NumberError> {
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        if mantissa == 0 {
            scale = 0;
        }
        if scale > MAX_SCALE {
            return Err(NumberError::TooPrecise);
        }
        if mantissa.abs() >= MAX_MANTISSA {
            return Err(NumberError::TooLarge);
        }
        Ok(Decimal { mantissa, scale })
    }

    /// Reads a number exactly as written: JSON's number syntax, leading zeros allowed.
    pub fn parse(text: &str) -> Result<Decimal, NumberError> {
        let bytes = text.as_bytes();
        let mut i = 0;
        let negative = bytes.first() == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut mantissa: i128 = 0;
        let mut digits = 0u32;
        let mut scale: i64 = 0;
        let mut overflow = false;
        let mut push = |d: u8, mantissa: &mut i128| {
            if *mantissa == 0 && d == b'0' {
                return;
            }
            match mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add((d - b'0') as i128))
            {
                Some(m) if m < MAX_MANTISSA * 10 => *mantissa = m,
                _ => overflow = true,
            }
        };
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            push(bytes[i], &mut mantissa);
            digits += 1;
            i += 1;
        }
        if digits == 0 {
            return Err(NumberError::Malformed);
        }
        if i < bytes.len() && bytes[i] == b'.' {
            i += 1;
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                push(bytes[i], &mut mantissa);
                scale += 1;
                i += 1;
            }
            if i == start {
                return Err(NumberError::Malformed);
            }
        }
        if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
            i += 1;
            let exp_negative = match bytes.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            let mut exp: i64 = 0;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                exp = (exp * 10 + (bytes[i] - b'0') as i64).min(100_000);
                i += 1;
            }
            if i == start {
                return Err(NumberError::Malformed);
            }
            scale += if exp_negative { exp } else { -exp };
        }
        if i != bytes.len() {
            return Err(NumberError::Malformed);
        }
        if overflow {
            return Err(if scale > MAX_SCALE as i64 {
                NumberError::TooPrecise
            } else {
                NumberError::TooLarge
            });
        }
        if negative {
            mantissa = -mantissa;
        }
        if mantissa == 0 {
            return Ok(Decimal::ZERO);
        }
        // Drop trailing zeros first so that `1.50e1` and `1200e-2` stay within bounds.
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        while scale < 0 {
            mantissa = mantissa.checked_mul(10).ok_or(NumberError::TooLarge)?;
            if mantissa.abs() >= MAX_MANTISSA {
                return Err(NumberError::TooLarge);
            }
            scale += 1;
        }
        if scale > MAX_SCALE as i64 {
            return Err(NumberError::TooPrecise);
        }
        Decimal::normalised(mantissa, scale as u32)
    }

    /// Digits after the point (after normalisation).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    pub fn mantissa(&self) -> i128 {
        self.mantissa
    }

    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    pub fn is_integer(&self) -> bool {
        self.scale == 0
    }

    /// The value as an integer, when it is one that fits.
    pub fn to_i64(&self) -> Option<i64> {
        if self.scale == 0 {
            i64::try_from(self.mantissa).ok()
        } else {
            None
        }
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
        let digits = self.mantissa.unsigned_abs().to_string();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{frac}")
    }
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
    fn compares_by_value() {
        assert!(d("12.5") > d("12"));
        assert!(d("-1.5") < d("-1"));
        assert!(d("0.3") > d("0.25"));
        assert!(d("100000000000000000000000000000000") > d("0.0000000000000000000000000001"));
        assert_eq!(d("99.990").cmp(&d("99.99")), Ordering::Equal);
    }
}
