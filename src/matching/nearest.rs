//! "Did you mean …": the rule ids closest to a mistyped id or id glob, by edit distance, where
//! a glob's `*` and `?` cost nothing (so `cors/wildcrd*` is one edit from
//! `cors/wildcard-origin`) and a swap of two neighbours is one edit (`cros` for `cors`).

/// At most this many suggestions.
const MOST: usize = 3;

/// The ids in `known` closest to `pattern`, closest first (ties in `known`'s order), at most
/// three, and only those close enough to be a typo (about a third of the pattern's letters).
/// For a glob, each category of `known` is a candidate too, as `category/*`.
pub(crate) fn nearest<'k>(pattern: &str, known: impl IntoIterator<Item = &'k str>) -> Vec<String> {
    let known: Vec<&str> = known.into_iter().collect();
    let mut candidates: Vec<String> = known.iter().map(|id| id.to_string()).collect();
    if pattern.contains(['*', '?']) {
        for id in &known {
            let category = format!("{}/*", id.split('/').next().unwrap_or(id));
            if !candidates.contains(&category) {
                candidates.push(category);
            }
        }
    }
    let limit = (pattern.chars().filter(|c| *c != '*').count() / 3).max(1);
    let mut scored: Vec<(usize, String)> = candidates
        .into_iter()
        .map(|c| (distance(pattern, &c), c))
        .filter(|(d, c)| *d <= limit && c != pattern)
        .collect();
    // A category that is as close as its ids stands for them: `cros/*` → `cors/*` alone.
    let categories: Vec<(usize, String)> = scored
        .iter()
        .filter_map(|(d, c)| Some((*d, c.strip_suffix('*')?.to_string())))
        .collect();
    scored.retain(|(d, c)| {
        c.ends_with('*')
            || !categories
                .iter()
                .any(|(cd, prefix)| cd <= d && c.starts_with(prefix))
    });
    scored.sort_by_key(|(d, _)| *d);
    scored.into_iter().take(MOST).map(|(_, c)| c).collect()
}

/// "; did you mean 'a' or 'b'?" for `suggestions`, or nothing when there are none.
pub(crate) fn did_you_mean(suggestions: &[String]) -> String {
    let quoted: Vec<String> = suggestions.iter().map(|s| format!("'{s}'")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one}?"),
        [rest @ .., last] => format!("; did you mean {} or {last}?", rest.join(", ")),
    }
}

/// Optimal-string-alignment distance from `pattern` to `text`, where the pattern's `*` matches
/// any run of characters and `?` any one character at no cost.
fn distance(pattern: &str, text: &str) -> usize {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // d[i][j]: the cost of matching p[..i] against t[..j].
    let mut d = vec![vec![0usize; t.len() + 1]; p.len() + 1];
    d[0] = (0..=t.len()).collect();
    for i in 1..=p.len() {
        let star = p[i - 1] == '*';
        d[i][0] = if star { d[i - 1][0] } else { d[i - 1][0] + 1 };
        for j in 1..=t.len() {
            d[i][j] = if star {
                // The star matches nothing, or one more character.
                d[i - 1][j].min(d[i][j - 1])
            } else {
                let same = p[i - 1] == t[j - 1] || p[i - 1] == '?';
                let mut best = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + usize::from(!same));
                if i > 1 && j > 1 && p[i - 1] == t[j - 2] && p[i - 2] == t[j - 1] {
                    best = best.min(d[i - 2][j - 2] + 1);
                }
                best
            };
        }
    }
    d[p.len()][t.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const IDS: [&str; 4] = [
        "cors/wildcard-origin",
        "cors/reflected-origin",
        "image/latest-tag",
        "docs/new-endpoint-without-docs",
    ];

    #[test]
    fn distances_treat_stars_as_free_and_swaps_as_one() {
        assert_eq!(distance("cors/wildcard-origin", "cors/wildcard-origin"), 0);
        assert_eq!(distance("cors/wildcard-orign", "cors/wildcard-origin"), 1);
        assert_eq!(distance("cors/wildcrd*", "cors/wildcard-origin"), 1);
        assert_eq!(distance("cros/*", "cors/*"), 1);
        assert_eq!(distance("im?ge/*", "image/latest-tag"), 0);
    }

    #[test]
    fn suggests_close_ids_and_categories_only() {
        assert_eq!(
            nearest("cors/wildcard-orign", IDS),
            ["cors/wildcard-origin"]
        );
        assert_eq!(nearest("cors/wildcrd*", IDS), ["cors/wildcard-origin"]);
        assert_eq!(nearest("cros/*", IDS), ["cors/*"]);
        assert!(nearest("team/debug-on", IDS).is_empty());
        assert!(nearest("x", IDS).is_empty());
    }

    #[test]
    fn did_you_mean_lists_in_prose() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(did_you_mean(&[]), "");
        assert_eq!(did_you_mean(&s(&["a"])), "; did you mean 'a'?");
        assert_eq!(
            did_you_mean(&s(&["a", "b", "c"])),
            "; did you mean 'a', 'b' or 'c'?"
        );
    }
}
