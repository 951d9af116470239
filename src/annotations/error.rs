//! Why an annotation's value was refused: the annotation's full name and what is wrong with it.

/// An annotation that could not be parsed; its message names the annotation and the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("annotation {annotation}: {problem}")]
pub struct AnnotationError {
    /// The full annotation name (`alb.ingress.kubernetes.io/...`).
    pub annotation: String,
    /// What is wrong with its value.
    pub problem: Problem,
}

/// What is wrong with an annotation's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Not a Go `ParseBool` value.
    #[error("{0:?} is not a boolean (true or false)")]
    NotBool(String),
    /// Not a base-10 integer.
    #[error("{0:?} is not an integer")]
    NotInt(String),
    /// An integer outside its range.
    #[error("{value} is outside {min}..={max}")]
    OutOfRange {
        /// The value given.
        value: i64,
        /// The smallest allowed.
        min: i64,
        /// The largest allowed.
        max: i64,
    },
    /// A `stringMap` item without `=` or with an empty key.
    #[error("{0:?} is not a key=value pair")]
    BadPair(String),
    /// Not one of the allowed words.
    #[error("{value:?} is not one of {allowed}")]
    Unknown {
        /// The value given.
        value: String,
        /// The allowed values, for the message.
        allowed: &'static str,
    },
    /// Malformed JSON, or JSON of the wrong shape.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// Longer than allowed.
    #[error("{len} characters, at most {max} allowed")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Empty where a value is required.
    #[error("must not be empty")]
    Empty,
    /// Not an IPv4 or IPv6 CIDR.
    #[error("{0:?} is not a CIDR")]
    NotCidr(String),
    /// A well-formed value that breaks a rule of its own (the message says which).
    #[error("{0}")]
    Invalid(String),
    /// A valid value tgsync does not support yet.
    #[error("{0} is not supported yet")]
    Unsupported(String),
}
