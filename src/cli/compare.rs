//! `wxcc compare --against-profile NAME`: a semantic diff of two live orgs by key. The
//! source org is read and exported (in memory, to a private scratch folder), and that
//! export is planned against the other org with deletion on for every compared kind, so
//! the answer is exactly what `apply` of the export would do there, shown by the plan's
//! renderers. Reads both orgs; writes to neither.

use super::args::{ChangeArgs, CompareArgs, ConnectArgs, LimitArgs, TargetArgs, VarsArgs};
use super::export::{parse_kinds, read_org};
use super::plan::{plan_format, prepare};
use super::session::Session;
use super::settings::Settings;
use crate::atomic_file::create_private_dir;
use crate::error::Error;
use crate::export::{self, ExportOptions, write_export};
use crate::plan::render::render;

pub async fn run(args: &CompareArgs, settings: &Settings, against: &Settings) -> Result<u8, Error> {
    let kinds = parse_kinds(&args.kinds)?;
    let session = Session::connect(settings).await?;
    let source = session.describe();
    let read = read_org(&session.client, &kinds, &session.progress).await;
    session.close().await;
    let (live, stored) = read?;
    let options = ExportOptions {
        kinds: kinds.clone(),
        exclude: Vec::new(),
        json_files: false,
        format: export::FileFormat::Yaml,
        lift: Vec::new(),
    };
    let exported = export::export(&live, &stored, &options);
    let scratch =
        std::env::temp_dir().join(format!("wxcc-compare-{}", uuid::Uuid::new_v4().simple()));
    let compared = if kinds.is_empty() {
        export::default_kinds()
    } else {
        kinds
    };
    let change = ChangeArgs {
        path: scratch.clone(),
        delete: compared
            .iter()
            .filter(|k| k.deletable)
            .map(|k| k.name.to_string())
            .collect(),
        max_delete_percent: 100,
        kind: None,
        vars: VarsArgs::default(),
        target: Vec::new(),
        exclude: Vec::new(),
        bulk_chunk: crate::apply::DEFAULT_BULK_CHUNK,
        connect: ConnectArgs {
            target: TargetArgs::default(),
            limits: LimitArgs::default(),
        },
    };
    let prepared = match create_private_dir(&scratch)
        .map_err(|e| Error::Usage(format!("cannot make a scratch folder: {e}")))
        .and_then(|_| {
            write_export(&scratch, &exported.files).map_err(|e| Error::Usage(e.to_string()))
        }) {
        Ok(_) => prepare(&change, against).await,
        Err(e) => Err(e),
    };
    let _ = std::fs::remove_dir_all(&scratch);
    let prepared = prepared?;
    eprintln!(
        "Comparing {source} (the source) with {}: + only in the source, - only in the other org, ~ differs (before: the other org, after: the source).",
        prepared.session.describe()
    );
    let format = plan_format(args.format);
    anstream::print!("{}", render(&prepared.plan, format, against.color_out));
    let differs = !prepared.plan.is_empty();
    prepared.session.close().await;
    Ok(if args.detailed_exitcode && differs {
        2
    } else {
        0
    })
}
