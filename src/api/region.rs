//! Regional API hosts (docs/api-notes.md §1.1) and the rule that a custom base URL is https,
//! except on loopback.

use url::Url;

/// Region code → API base URL.
pub const REGIONS: &[(&str, &str)] = &[
    ("us1", "https://api.wxcc-us1.cisco.com"),
    ("eu1", "https://api.wxcc-eu1.cisco.com"),
    ("eu2", "https://api.wxcc-eu2.cisco.com"),
    ("anz1", "https://api.wxcc-anz1.cisco.com"),
    ("ca1", "https://api.wxcc-ca1.cisco.com"),
    ("jp1", "https://api.wxcc-jp1.cisco.com"),
    ("sg1", "https://api.wxcc-sg1.cisco.com"),
    ("in1", "https://api.wxcc-in1.cisco.com"),
];

pub fn base_url_for_region(region: &str) -> Option<Url> {
    REGIONS
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(region))
        .and_then(|(_, url)| Url::parse(url).ok())
}

/// Parses a `--base-url`: https anywhere, plain http only on a loopback host.
pub fn check_base_url(raw: &str) -> Result<Url, String> {
    let url = Url::parse(raw).map_err(|e| format!("`{raw}` is not a URL: {e}"))?;
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        "http" => Err(format!(
            "`{raw}` uses plain http; use https (plain http is allowed only on loopback)"
        )),
        other => Err(format!("`{raw}` has scheme `{other}`; use https")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_base_urls() {
        assert_eq!(
            base_url_for_region("eu2").map(|u| u.to_string()),
            Some("https://api.wxcc-eu2.cisco.com/".into())
        );
        assert!(base_url_for_region("us2").is_none());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://localhost:1").is_ok());
        assert!(check_base_url("http://example.com").is_err());
        assert!(check_base_url("https://example.com").is_ok());
    }
}
