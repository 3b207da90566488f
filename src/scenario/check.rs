//! The checks a scenario section's validation is written with. Each failure is the key path
//! and a sentence in the user's words; the loader adds the line.

pub(crate) type Check = Result<(), (String, String)>;

pub(crate) fn fail(path: &str, message: impl Into<String>) -> Check {
    Err((path.to_string(), message.into()))
}

pub(crate) fn probability(path: &str, v: f64) -> Check {
    if (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        fail(path, format!("{v} is a probability and must lie in [0, 1]"))
    }
}

/// Strictly inside (0, 1): the mean of a Beta distribution.
pub(crate) fn open_unit(path: &str, v: f64) -> Check {
    if v > 0.0 && v < 1.0 {
        Ok(())
    } else {
        fail(path, format!("{v} must lie strictly between 0 and 1"))
    }
}

pub(crate) fn positive(path: &str, v: f64) -> Check {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        fail(path, format!("{v} must be a positive number"))
    }
}

pub(crate) fn non_negative(path: &str, v: f64) -> Check {
    if v >= 0.0 && v.is_finite() {
        Ok(())
    } else {
        fail(path, format!("{v} must be zero or more"))
    }
}

pub(crate) fn finite(path: &str, v: f64) -> Check {
    if v.is_finite() {
        Ok(())
    } else {
        fail(path, format!("{v} must be a finite number"))
    }
}

pub(crate) fn at_least(path: &str, v: u64, min: u64) -> Check {
    if v >= min {
        Ok(())
    } else {
        fail(path, format!("{v} is too small: it must be at least {min}"))
    }
}

pub(crate) fn at_most_f(path: &str, v: f64, max: f64) -> Check {
    if v <= max {
        Ok(())
    } else {
        fail(path, format!("{v} is too large: it must be at most {max}"))
    }
}

pub(crate) fn at_most(path: &str, v: u64, max: u64) -> Check {
    if v <= max {
        Ok(())
    } else {
        fail(path, format!("{v} is too large: it must be at most {max}"))
    }
}

/// A share of a price: in [0, 1) (a discount or fee of the whole price would make it free).
pub(crate) fn share_of_price(path: &str, v: f64) -> Check {
    if (0.0..1.0).contains(&v) {
        Ok(())
    } else {
        fail(
            path,
            format!("{v} is a share of the price and must lie in [0, 1)"),
        )
    }
}
