//! The reporting APIs (docs/data-notes.md): tasks, queue and agent statistics, agent
//! activities, captures (recordings) and the GraphQL search, fetched whole — time windows split to the API's span limit, id lists
//! chunked to its maximum, every page followed — and turned into output rows. Uses
//! `api::Client` for every request; knows nothing of the command line.

pub mod names;
pub mod output;
pub mod recordings;
pub mod reports;
pub mod search;
pub mod time;
