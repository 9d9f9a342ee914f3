//! Objects shared by desired and live state, spans, field paths, value normalisation and
//! reference resolution. Pure data and functions: no I/O.

mod diagnostic;
mod merge;
mod node;
mod object;
mod resolve;
mod value;

pub use crate::catalogue::{FieldPath, Segment};
pub use diagnostic::{Diagnostic, Severity};
pub use merge::overlay;
pub use node::{Key, Node, NodeValue, Span};
pub use object::{
    Desired, DesiredObject, Live, LiveObject, SmokeSettings, ToolSettings, Upload, content_digest,
};
pub use resolve::{
    KeyIndex, Unresolved, canonical_references, describe_target, ids_to_keys, keys_to_ids,
    reference_values,
};
pub use value::{printable, render_value, values_equal};
