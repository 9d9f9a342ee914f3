//! Bulk exports as a read source (docs/api-notes.md §1.9): for a kind whose list rows leave
//! out fields that its `bulk-export` DTO carries, a plan reads those fields a page of
//! objects at a time instead of one item read per object. References in an export are
//! names (a queue's teams as `{teamName, siteName}`), which the reader turns back into ids.

/// A kind's `bulk-export` endpoint and what of the list's omissions it fills.
#[derive(Debug)]
pub struct BulkExport {
    pub kind: &'static str,
    /// Catalogue path under `/organization/{orgid}/`.
    pub path: &'static str,
    /// The page size asked for (the spec's default for this export).
    pub page_size: u32,
    /// Fields the list leaves out that the export's DTO carries.
    pub carries: &'static [&'static str],
}

/// The exports a plan reads. Other kinds' exports carry nothing their lists omit.
pub const BULK_EXPORTS: &[BulkExport] = &[BulkExport {
    kind: "contact-service-queue",
    path: "contact-service-queue/bulk-export",
    page_size: 100,
    // ContactServiceQueueBulkExportDTO; `agents` too, but a queue's agents are not config.
    carries: &["callDistributionGroups", "queueSkillRequirements"],
}];

/// The export that fills every one of `fields` for `kind`, if there is one.
pub fn bulk_export_for<'a>(
    kind: &str,
    mut fields: impl Iterator<Item = &'a str>,
) -> Option<&'static BulkExport> {
    let export = BULK_EXPORTS.iter().find(|e| e.kind == kind)?;
    fields
        .all(|f| export.carries.contains(&f))
        .then_some(export)
}
