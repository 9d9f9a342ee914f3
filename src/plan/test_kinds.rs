//! Kinds built for the plan's unit tests, so that editing a real catalogue row cannot change
//! what they test.

use crate::catalogue::{KIND_DEFAULTS, Kind, TextField};

/// A kind with nothing special.
pub(crate) static PLAIN: Kind = Kind {
    name: "plain-test",
    ..KIND_DEFAULTS
};

/// A kind whose `doc` holds JSON text.
pub(crate) static JSON_TEXT: Kind = Kind {
    name: "json-text-test",
    text_fields: &[TextField {
        field: "doc",
        json: true,
        max_bytes: 1000,
    }],
    ..KIND_DEFAULTS
};
