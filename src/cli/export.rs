//! `wxcc export --out DIR`: read the live org (every kind chosen, whole objects, stored
//! audio) and write it as a config folder. Reads only; never writes to the tenant.

use std::collections::HashSet;

use serde_json::Value;
use tokio::task::JoinSet;

use super::args::{ExportArgs, ExportFormat};
use super::progress::Progress;
use super::session::{
    Session, Waiting, fetch_live, join_error, kinds_in_play, read_exports, read_whole,
};
use super::settings::Settings;
use crate::api::{ApiError, Client};
use crate::catalogue::{BulkExport, DtoSchemas, FieldPath, Kind, bulk_export_of, kind_names};
use crate::config::did_you_mean;
use crate::error::Error;
use crate::export::{self, ExportOptions, StoredFiles, check_folder, write_export};
use crate::model::{Live, printable};

pub async fn run(args: &ExportArgs, settings: &Settings) -> Result<(), Error> {
    let kinds = parse_kinds(&args.kinds)?;
    let exclude = parse_exclude(&args.exclude)?;
    let lift = parse_lift(&args.lift, &kinds)?;
    // A folder export may not write into is refused before anything is read.
    check_folder(&args.out).map_err(|e| Error::Usage(e.to_string()))?;
    let session = Session::connect(settings).await?;
    let read = read_org(&session.client, &kinds, &session.progress).await;
    session.close().await;
    let (live, stored) = read?;
    let options = ExportOptions {
        kinds,
        exclude,
        // A CSV cell holds a layout inline; `{file: …}` is a YAML form.
        json_files: !args.inline_layouts && args.format == ExportFormat::Yaml,
        lift,
        format: match args.format {
            ExportFormat::Yaml => export::FileFormat::Yaml,
            ExportFormat::Csv => export::FileFormat::Csv,
        },
    };
    let mut exported = export::export(&live, &stored, &options);
    let mut vars_elsewhere = None;
    if let Some(vars_out) = &args.vars_out {
        let text = export::vars_file(&exported.vars).into_bytes();
        match vars_out.strip_prefix(&args.out) {
            // Inside the export: one of the files wxcc writes (and replaces) there.
            Ok(rel) => {
                let rel = rel.to_string_lossy().replace('\\', "/");
                exported.files.insert(rel, text);
            }
            Err(_) => vars_elsewhere = Some((vars_out, text)),
        }
    }
    let written =
        write_export(&args.out, &exported.files).map_err(|e| Error::Usage(e.to_string()))?;
    if let Some((path, text)) = vars_elsewhere {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::Usage(format!("cannot write {}: {e}", path.display())))?;
        }
        std::fs::write(path, text)
            .map_err(|e| Error::Usage(format!("cannot write {}: {e}", path.display())))?;
    }
    if let Some(path) = &args.vars_out {
        eprintln!(
            "Lifted {} values into {} (placeholders `${{var.NAME}}` in the files).",
            exported.vars.len(),
            path.display()
        );
    }
    for (kind, why) in &exported.csv_fallbacks {
        eprintln!("note: {kind} written as {kind}.yaml, not CSV: {why}");
    }
    let yaml_files = exported
        .files
        .keys()
        .filter(|f| f.ends_with(".yaml") || f.ends_with(".csv"))
        .count();
    eprintln!(
        "Exported {} objects of {} kinds to {} ({} files written, {} removed); {} system defaults left out (every org has its own).",
        exported.objects,
        yaml_files,
        args.out.display(),
        written.changed,
        written.removed,
        exported.system_defaults,
    );
    if !exported.raw_ids.is_empty() {
        eprintln!(
            "{} ids stay ids (their objects are outside the configuration API or not in this org; another org has other ids, see docs/migrate.md):",
            exported.raw_ids.len()
        );
        for raw in &exported.raw_ids {
            eprintln!(
                "  {} `{}` {}: {}",
                raw.kind,
                printable(&raw.key),
                raw.field,
                printable(&raw.id)
            );
        }
    }
    Ok(())
}

/// `--kinds a,b`: kind names, each known and declarable.
pub(crate) fn parse_kinds(names: &[String]) -> Result<Vec<&'static Kind>, Error> {
    let mut kinds: Vec<&'static Kind> = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let kind = Kind::named(name).ok_or_else(|| {
            let hint = did_you_mean(name, kind_names())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            Error::Usage(format!("--kinds: unknown kind `{name}`{hint}"))
        })?;
        if !kind.declarable {
            return Err(Error::Usage(format!(
                "--kinds: `{name}` is owned by Cisco and cannot be declared in config, so it is never exported (config references it by key)"
            )));
        }
        if !kinds.iter().any(|k| k.name == kind.name) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// `--lift FIELD,…`: field paths whose first name is a field of at least one exported
/// kind's DTO.
fn parse_lift(fields: &[String], kinds: &[&'static Kind]) -> Result<Vec<String>, Error> {
    let exported = if kinds.is_empty() {
        export::default_kinds()
    } else {
        kinds.to_vec()
    };
    let schemas = DtoSchemas::get();
    let mut out = Vec::new();
    for field in fields.iter().map(|f| f.trim()).filter(|f| !f.is_empty()) {
        let root = FieldPath::parse(field)
            .root()
            .map(str::to_string)
            .unwrap_or_default();
        let known = exported.iter().any(|k| {
            schemas
                .dto(k.dto)
                .is_some_and(|d| d.property(&root).is_some())
        });
        if !known {
            return Err(Error::Usage(format!(
                "--lift: no exported kind has a field `{root}` (write a field name as the API spells it, e.g. `timezone` or `outdialANIEntries[].number`)"
            )));
        }
        out.push(field.to_string());
    }
    Ok(out)
}

/// `--exclude KIND/KEY`: the kind is the part before the first `/`, the key the rest
/// (which may itself hold a `/`, as a team's `Site/Name` does).
fn parse_exclude(items: &[String]) -> Result<Vec<(&'static str, String)>, Error> {
    items
        .iter()
        .map(|item| {
            let (kind, key) = item
                .split_once('/')
                .filter(|(_, k)| !k.is_empty())
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--exclude `{item}`: write KIND/KEY, e.g. `team/Tier 1` or `site/Austin`"
                    ))
                })?;
            let kind = parse_kinds(&[kind.to_string()])
                .map_err(|e| Error::Usage(format!("--exclude `{item}`: {e}")))?;
            Ok((kind[0].name, key.to_string()))
        })
        .collect()
}

/// Reads what an export of `kinds` needs: every object of those kinds and of the kinds
/// they reference (for keys), whole objects where list rows leave fields out (of the
/// exported kinds, and of kinds whose keyed-list entries they reference), and the content
/// of every stored file the exported objects have.
pub(crate) async fn read_org(
    client: &Client,
    kinds: &[&'static Kind],
    progress: &Progress,
) -> Result<(Live, StoredFiles), ApiError> {
    let kinds = if kinds.is_empty() {
        export::default_kinds()
    } else {
        kinds.to_vec()
    };
    let mut live = fetch_live(client, &kinds_in_play(&kinds, &[]), progress).await?;
    progress.done_reading();
    let mut whole: HashSet<&'static str> = kinds.iter().map(|k| k.name).collect();
    for k in &kinds {
        for r in k.references.iter().filter(|r| r.within.is_some()) {
            whole.insert(r.target);
        }
    }
    let mut items = Vec::new();
    // A kind whose export is whole is read through it (docs/api-notes.md §1.9): a page of
    // objects a request; an object the export does not give is read by item after.
    let mut exports: Vec<(&'static BulkExport, Vec<Waiting>)> = Vec::new();
    for (name, objects) in &live.kinds {
        let Some(kind) = Kind::named(name).filter(|k| whole.contains(k.name)) else {
            continue;
        };
        let through = bulk_export_of(kind.name).filter(|e| e.whole);
        // System defaults are not exported; they are read whole only when their keyed-list
        // entries may be referenced (a default skill's values).
        let within_target = kinds.iter().any(|k| {
            k.references
                .iter()
                .any(|r| r.within.is_some() && r.target == kind.name)
        });
        for o in objects
            .iter()
            .filter(|o| !o.complete && (within_target || !o.is_system_default()))
        {
            if let Some(export) = through {
                let omitted = kind.list_omits.iter().map(|f| f.to_string()).collect();
                match exports.iter_mut().find(|(e, _)| e.kind == export.kind) {
                    Some((_, waiting)) => waiting.push((o.id.clone(), omitted)),
                    None => exports.push((export, vec![(o.id.clone(), omitted)])),
                }
                continue;
            }
            items.push((kind, o.id.clone()));
        }
    }
    let (exported, items_read) = tokio::join!(
        read_exports(client, &live, &exports),
        read_whole(client, items)
    );
    let (mut filled, unresolved) = exported?;
    for (_, o) in &mut filled {
        o.complete = true;
    }
    live.replace_objects(items_read?);
    live.replace_objects(filled);
    live.replace_objects(read_whole(client, unresolved).await?);
    let mut stored = StoredFiles::new();
    let mut downloads = JoinSet::new();
    for kind in kinds.iter().filter(|k| k.upload.is_some()) {
        let Some(parts) = kind.upload else { continue };
        for o in live
            .of_kind(kind.name)
            .iter()
            .filter(|o| !o.is_system_default())
        {
            if let Some(blob) = o.body.get(parts.stored_id).and_then(Value::as_str) {
                let client = client.clone();
                let (kind, id, blob) = (kind.name, o.id.clone(), blob.to_string());
                downloads.spawn(async move {
                    client
                        .stored_file(&parts, &blob)
                        .await
                        .map(|bytes| ((kind, id), bytes))
                });
            }
        }
    }
    while let Some(joined) = downloads.join_next().await {
        let (key, bytes) = joined.map_err(join_error)??;
        stored.insert(key, bytes);
    }
    Ok((live, stored))
}
