//! The table of kinds: for each configuration kind, its API paths, key field, reference
//! fields and their target kinds, read-only fields, unordered lists, keyed sub-lists and DTO
//! schema name. Everything else in the tool (loading, validation, listing, diffing, ordering,
//! applying) is driven by this table, so adding an ordinary kind is one row here.
//!
//! This module depends on nothing else in the crate but the vendored spec text.

mod csv_aliases;
mod dto;
mod editor_schema;
mod export;
mod field_path;
mod kinds;
mod order;
mod rules;
mod spec_fixes;

pub use csv_aliases::{CSV_ALIASES, CsvAlias, csv_aliases};
pub use dto::{Dto, DtoSchemas, FieldSchema};
pub use editor_schema::{EditorSchemaError, editor_schema, editor_schema_text};
pub use export::{BULK_EXPORTS, BulkExport, Carried, Source, bulk_export_for, bulk_export_of};
pub use field_path::{FieldPath, Segment};
pub use kinds::{BASE as KIND_DEFAULTS, KINDS, MAX_AUDIO_FILE_BYTES, MAX_TEXT_FILE_BYTES};
pub use order::{apply_order, kind_rank};
pub use rules::{
    Check, RULES, Rule, SKILL_VALUE_FIELDS, SYSTEM_DEFAULTS, calendar_date, is_system_default,
    is_time_zone, rules_for, utf16_len, valid_typed_value,
};
pub use spec_fixes::{RESOURCE_TYPES, fixes_for};

/// Fields the server owns on every object. They are never written in desired config, never
/// diffed, and are carried over from the live object when an update is sent.
pub const SERVER_OWNED: &[&str] = &[
    "id",
    "organizationId",
    "version",
    "createdTime",
    "lastUpdatedTime",
    "links",
    "systemDefault",
];

/// The key under which an object carries the tool's own settings (`formerNames`, `protect`).
pub const TOOL_SETTINGS_KEY: &str = "x-wxcc";

/// One configuration kind, named by its API path segment.
#[derive(Debug)]
pub struct Kind {
    /// The API path segment, also the top-level key in YAML: `site`, `team` …
    pub name: &'static str,
    /// One line saying what the kind is, for `wxcc kinds` and the docs.
    pub summary: &'static str,
    /// The field holding the object's natural key.
    pub key: &'static str,
    /// For kinds whose key is unique only within another object (team names within a
    /// site), the reference field naming that object. Where the plain key is shared, the
    /// object is keyed `<scope key>/<key>` (`Chicago/Tier 1`); see [`Kind::scoped_key`].
    pub scope: Option<&'static str>,
    /// List path under `/organization/{orgid}/`, with its version prefix (`v2/site`).
    pub list_path: &'static str,
    /// Create path under `/organization/{orgid}/` (`site`); item paths are `{item_path}/{id}`.
    pub item_path: &'static str,
    /// Name of the official DTO schema the create and update bodies follow.
    pub dto: &'static str,
    /// Fields that hold the id of another object; desired config writes that object's key.
    pub references: &'static [Reference],
    /// Fields the API returns but never accepts (beyond [`SERVER_OWNED`]).
    pub read_only: &'static [&'static str],
    /// Array fields the server may reorder; compared as sets.
    pub unordered: &'static [&'static str],
    /// Arrays of sub-objects that carry their own server ids, matched by a key field so an
    /// unchanged entry keeps its id.
    pub keyed_lists: &'static [KeyedList],
    /// Fields the API refuses to change after create; a diff on them is a plan conflict.
    pub immutable: &'static [&'static str],
    /// Fields the list endpoint leaves out of its rows; objects that need them are read by
    /// item (docs/api-notes.md §1.5).
    pub list_omits: &'static [&'static str],
    /// Whether objects of this kind can be created through the API (users cannot).
    pub creatable: bool,
    /// Whether objects of this kind can be deleted through the API.
    pub deletable: bool,
    /// Whether config may declare objects of this kind at all. Some kinds are owned by
    /// Cisco and can only be referenced (work-type).
    pub declarable: bool,
    /// For kinds whose create and update are multipart uploads: the parts, and the field
    /// naming the local file in config (a path relative to the YAML file), compared by content.
    pub upload: Option<UploadParts>,
    /// The DTO the API answers with, when it differs from the request DTO (it declares the
    /// response-only fields).
    pub response_dto: Option<&'static str>,
    /// Updates send only the changed fields with PATCH (a plain partial object), instead of
    /// the whole object with PUT. For users, whose record does not show everything a full
    /// replace would overwrite (docs/api-notes.md §3.24).
    pub partial_update: bool,
    /// Fields the API accepts with 200 but never applies (§1.6 "200 ≠ applied"); declaring
    /// one is a warning, since it would show a diff forever.
    pub ignored_on_write: &'static [&'static str],
    /// Top-level string fields whose value config may take from a file beside the YAML
    /// (`field: {file: layouts/x.json}`), and whether they hold JSON text, which plans
    /// compare by meaning (docs/environments.md).
    pub text_fields: &'static [TextField],
    /// How `wxcc export` writes objects of this kind.
    pub export: ExportRules,
    /// The bulk routes apply writes through, and which operations they carry
    /// (docs/api-notes.md §1.8); `None` when every write is a single call.
    pub bulk: Option<BulkRoutes>,
}

/// The one key of the mapping that takes a text field's value from a file:
/// `jsonFileContent: {file: layouts/x.json}` (read by `config`, written by export).
pub const TEXT_FILE_KEY: &str = "file";

/// A string field that may come from a file (see [`Kind::text_fields`]).
#[derive(Clone, Copy, Debug)]
pub struct TextField {
    pub field: &'static str,
    /// The text is a JSON document: the file must parse, and plans compare it by meaning
    /// (key order and whitespace do not count) and show a change as a diff of it pretty-printed.
    pub json: bool,
    /// The largest file wxcc reads for it.
    pub max_bytes: u64,
}

/// What `wxcc export` needs to know of a kind beyond its fields and references: which live
/// values are the server's own defaults (left out, so an exported object is as short as a
/// hand-written one), which fields hold ids of things outside the configuration API, and
/// which values are written to files beside the YAML.
#[derive(Debug)]
pub struct ExportRules {
    /// Top-level fields whose live value, when it equals the given JSON text, is what the
    /// server stores when the field is not sent; export leaves them out.
    pub defaults: &'static [(&'static str, &'static str)],
    /// Fields (catalogue paths) holding ids of things outside the configuration API
    /// (flows, Calling route points, Webex users): exported as the raw id and listed in
    /// export's summary, since another org has other ids.
    pub outside_ids: &'static [&'static str],
    /// Fields never exported: identities another system assigns per org (a user's Webex
    /// ids), which a config applied to another org must not carry.
    pub omit: &'static [&'static str],
    /// The folder, relative to the export, for this kind's files: uploads, and the JSON
    /// [`Kind::text_fields`] written pretty-printed to their own `.json` files and
    /// referenced as `{file: PATH}`.
    pub folder: &'static str,
}

impl ExportRules {
    pub const NONE: ExportRules = ExportRules {
        defaults: &[],
        outside_ids: &[],
        omit: &[],
        folder: "",
    };
}

/// What a kind's bulk routes carry, as observed live (docs/api-notes.md §1.8): an operation
/// the table does not mark as working is sent as single calls.
#[derive(Clone, Copy, Debug)]
pub struct BulkRoutes {
    /// The `POST` route (under `/organization/{orgid}/`) creates and deletes go through.
    pub save: &'static str,
    /// Creates go through `save` (SAVE items without an id).
    pub create: bool,
    /// Deletes go through `save` (DELETE items carrying the whole object).
    pub delete: bool,
    pub update: BulkUpdate,
}

/// How a kind's updates go in bulk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BulkUpdate {
    /// Single calls: the bulk route refuses ids ("New configuration cannot have an id").
    None,
    /// SAVE items carrying the id and the whole object, on the `save` route.
    Whole,
    /// `PATCH` of this route, each item the id and the changed fields only.
    Partial(&'static str),
    /// `PATCH` of this route, each item the whole object.
    PatchWhole(&'static str),
}

/// A field that holds another object's id.
#[derive(Debug)]
pub struct Reference {
    /// Field path: dotted names, `[]` for "each element" (`callDistributionGroups[].agentGroups[].teamId`).
    pub field: &'static str,
    /// The kind whose object the field points at.
    pub target: &'static str,
    /// When the id is that of an entry in one of the target's keyed lists (a skill's enum
    /// values), the list's field. Such a reference is written `<object key>/<entry key>`.
    pub within: Option<&'static str>,
    /// A back-link that closes a cycle: set in a second pass after its targets exist, and
    /// ignored when ordering kinds.
    pub deferred: bool,
}

impl Reference {
    /// The name under which the key index keeps this reference's targets: the kind, or
    /// `kind/list` for entries of a keyed list.
    pub fn index_name(&self) -> String {
        match self.within {
            Some(list) => format!("{}/{list}", self.target),
            None => self.target.to_string(),
        }
    }
}

/// The multipart parts of an upload (audio-file: `audioFileInfo` JSON + `audioFile` bytes).
#[derive(Clone, Copy, Debug)]
pub struct UploadParts {
    /// The part carrying the file, and the config field that names the local file.
    pub file: &'static str,
    /// The part carrying the object's other fields as JSON.
    pub info: &'static str,
    /// The MIME type the file part is sent with.
    pub mime: &'static str,
    /// The largest file wxcc reads and sends for this part.
    pub max_bytes: u64,
    /// The body field whose value says what the file holds (`contentType`).
    pub format_field: &'static str,
    /// The content each value of `format_field` requires of the file.
    pub formats: &'static [(&'static str, FileFormat)],
    /// The live field holding the id of the stored file (`blobId`), whose content plans
    /// compare with the local file's.
    pub stored_id: &'static str,
    /// The route under `/organization/{orgid}/` the stored file is downloaded from, its id
    /// appended (`blob`: docs/api-notes.md §1.11).
    pub stored_route: &'static str,
}

/// What an uploaded file must contain, checked offline before anything is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    /// A RIFF container of type `WAVE` (a `.wav` file).
    RiffWave,
    /// Text: UTF-8 without NUL bytes.
    Text,
    /// Any bytes.
    Binary,
}

impl UploadParts {
    /// The format the file must have when `format_field` holds `value`.
    pub fn format_for(&self, value: &str) -> Option<FileFormat> {
        self.formats
            .iter()
            .find(|(v, _)| *v == value)
            .map(|(_, f)| *f)
    }
}

/// An array of sub-objects matched by a key field rather than by position.
#[derive(Debug)]
pub struct KeyedList {
    pub field: &'static str,
    pub key: &'static str,
}

impl Kind {
    /// Looks a kind up by its name.
    pub fn named(name: &str) -> Option<&'static Kind> {
        KINDS.iter().find(|k| k.name == name)
    }

    /// Whether `field` is one the server owns or only returns. `field` is a top-level name
    /// or a nested path in catalogue form (`queueSkillRequirements[].skillName`).
    pub fn is_read_only(&self, field: &str) -> bool {
        SERVER_OWNED.contains(&field) || self.read_only.contains(&field)
    }

    /// The key qualified by its scope: `Chicago/Tier 1`. The scope's key (a site name)
    /// cannot contain `/` (the site name pattern has none), so the first `/` splits it.
    pub fn scoped_key(scope_key: &str, key: &str) -> String {
        format!("{scope_key}/{key}")
    }

    /// A qualified key split into (scope key, key), for kinds with a scope.
    pub fn split_scoped<'a>(&self, key: &'a str) -> Option<(&'a str, &'a str)> {
        self.scope?;
        key.split_once('/')
    }

    /// Whether the list endpoint leaves `field` out of its rows.
    pub fn list_omits(&self, field: &str) -> bool {
        self.list_omits.contains(&field)
    }

    /// The reference declared at exactly this field path, if any.
    pub fn reference(&self, field: &str) -> Option<&'static Reference> {
        self.references.iter().find(|r| r.field == field)
    }

    pub fn is_unordered(&self, field: &str) -> bool {
        self.unordered.contains(&field)
    }

    pub fn keyed_list(&self, field: &str) -> Option<&'static KeyedList> {
        self.keyed_lists.iter().find(|k| k.field == field)
    }

    /// The text field `field` (top-level name), if config may take it from a file.
    pub fn text_field(&self, field: &str) -> Option<&'static TextField> {
        self.text_fields.iter().find(|t| t.field == field)
    }

    /// Whether `field` (top-level name) holds JSON text.
    pub fn holds_json(&self, field: &str) -> bool {
        self.text_field(field).is_some_and(|t| t.json)
    }
}

/// All kind names, for "did you mean" suggestions and messages.
pub fn kind_names() -> impl Iterator<Item = &'static str> {
    KINDS.iter().map(|k| k.name)
}
