//! Column headers a CSV file may use instead of a kind's field names: the names Control
//! Hub's bulk templates and the API's name-based bulk exports give the same fields
//! (docs/api-notes.md §1.9 and §4). Each alias maps to one field of one kind; the value under
//! it is what the field holds in config (a key for a reference field).

/// One accepted header and the field it stands for.
#[derive(Debug)]
pub struct CsvAlias {
    pub kind: &'static str,
    /// The header as the template or export writes it.
    pub header: &'static str,
    /// The kind's field (dotted path) the column fills.
    pub field: &'static str,
}

const fn alias(kind: &'static str, header: &'static str, field: &'static str) -> CsvAlias {
    CsvAlias {
        kind,
        header,
        field,
    }
}

/// The name-based bulk-export DTOs name the object a reference points at by its name where
/// the request DTO holds its id (docs/api-notes.md §4: site `multimediaProfileName`,
/// auxiliary-code `workTypeName`, business-hours `holidayName`/`overrideName`, dial-number
/// `entryPointName`, queue `defaultMusicInQueueMediaFile`, desktop-layout `teamNames`,
/// address-book `parentSite`; teams are named by `{siteName, teamName}`).
pub const CSV_ALIASES: &[CsvAlias] = &[
    alias("site", "multimediaProfileName", "multimediaProfileId"),
    alias("auxiliary-code", "workTypeName", "workTypeId"),
    alias("business-hours", "holidayName", "holidaysId"),
    alias("business-hours", "overrideName", "overridesId"),
    alias("dial-number", "entryPointName", "entryPointId"),
    alias(
        "contact-service-queue",
        "defaultMusicInQueueMediaFile",
        "defaultMusicInQueueMediaFileId",
    ),
    alias("desktop-layout", "teamNames", "teamIds"),
    alias("address-book", "parentSite", "siteId"),
    alias("team", "siteName", "siteId"),
    alias("team", "teamName", "name"),
];

/// The aliases of one kind.
pub fn csv_aliases(kind: &str) -> impl Iterator<Item = &'static CsvAlias> + '_ {
    CSV_ALIASES.iter().filter(move |a| a.kind == kind)
}
