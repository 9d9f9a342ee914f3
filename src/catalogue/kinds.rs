//! The rows of the catalogue. Each row is checked against the vendored OpenAPI document by
//! the catalogue's tests (paths exist, DTO exists, every named field is a DTO property).

use super::{Kind, Reference};

const fn to(field: &'static str, target: &'static str) -> Reference {
    Reference {
        field,
        target,
        deferred: false,
    }
}

pub static KINDS: &[Kind] = &[
    Kind {
        name: "multimedia-profile",
        summary: "how many contacts of each channel an agent handles at once",
        key: "name",
        list_path: "v2/multimedia-profile",
        item_path: "multimedia-profile",
        dto: "MultimediaProfileDTO",
        references: &[],
        read_only: &[],
        unordered: &[],
        keyed_lists: &[],
        immutable: &[],
        creatable: true,
        deletable: true,
    },
    Kind {
        name: "site",
        summary: "a contact-center location that teams belong to",
        key: "name",
        list_path: "v2/site",
        item_path: "site",
        dto: "SiteDTO",
        references: &[to("multimediaProfileId", "multimedia-profile")],
        read_only: &[],
        unordered: &[],
        keyed_lists: &[],
        immutable: &[],
        creatable: true,
        deletable: true,
    },
    Kind {
        name: "team",
        summary: "a group of agents at a site",
        key: "name",
        list_path: "v2/team",
        item_path: "team",
        dto: "TeamDTO",
        references: &[
            to("siteId", "site"),
            to("multiMediaProfileId", "multimedia-profile"),
        ],
        read_only: &["siteName", "userIds"],
        unordered: &[],
        keyed_lists: &[],
        immutable: &["teamType"],
        creatable: true,
        deletable: true,
    },
];
