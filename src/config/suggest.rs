//! "Did you mean" suggestions for misspelt kinds, fields and enum values.

/// The closest candidate to `word`, if one is close enough to be a plausible typo. An empty
/// (or blank) word is no typo of anything: every short candidate is within its edit distance.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.trim().is_empty() {
        return None;
    }
    let lower = word.to_lowercase();
    let mut best: Option<(&str, f64)> = None;
    for candidate in candidates {
        let c = candidate.to_lowercase();
        if c == lower {
            return Some(candidate);
        }
        let score = strsim::jaro_winkler(&lower, &c);
        let close = strsim::levenshtein(&lower, &c) <= (word.len() / 4).max(1) + 1;
        if (score >= 0.88 || close) && best.is_none_or(|(_, s)| score > s) {
            best = Some((candidate, score));
        }
    }
    best.map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let fields = ["multimediaProfileId", "name", "active", "description"];
        assert_eq!(
            did_you_mean("multimediaProfile", fields),
            Some("multimediaProfileId")
        );
        assert_eq!(did_you_mean("actve", fields), Some("active"));
        assert_eq!(did_you_mean("NAME", fields), Some("name"));
        assert_eq!(did_you_mean("zzzzzz", fields), None);
        assert_eq!(did_you_mean("sites", ["site", "team"]), Some("site"));
    }

    #[test]
    fn an_empty_word_suggests_nothing() {
        let zones = ["GB", "UTC", "Europe/Dublin"];
        assert_eq!(did_you_mean("", zones), None);
        assert_eq!(did_you_mean("  ", zones), None);
        assert_eq!(did_you_mean("GBB", zones), Some("GB"));
    }

    #[test]
    fn a_long_word_is_allowed_an_edit_per_four_letters_and_one_more() {
        // Eight letters: three edits, though the similarity (0.85) is under the bar.
        assert_eq!(did_you_mean("abcdefgh", ["abcdexyz"]), Some("abcdexyz"));
        assert_eq!(did_you_mean("abcdefgh", ["abcdwxyz"]), None);
    }

    #[test]
    fn of_equally_close_candidates_the_first_is_suggested() {
        assert_eq!(did_you_mean("abc", ["abx", "aby"]), Some("abx"));
        assert_eq!(did_you_mean("abc", ["aby", "abx"]), Some("aby"));
    }
}
