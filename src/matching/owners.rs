//! Keys that several owners share. Rules repeat the same globs and needles (a pack's
//! exclusions, `**/*.yaml`): each distinct key is compiled once and remembers its owners.

/// The distinct keys of `(owner, key)` pairs, in first-seen order, each with its owners in
/// order.
pub(crate) fn group_by_key<K: Copy + Eq + std::hash::Hash>(
    pairs: impl IntoIterator<Item = (usize, K)>,
) -> (Vec<K>, Vec<Vec<usize>>) {
    let mut keys = Vec::new();
    let mut owners: Vec<Vec<usize>> = Vec::new();
    let mut slot: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    for (owner, key) in pairs {
        let at = *slot.entry(key).or_insert_with(|| {
            keys.push(key);
            owners.push(Vec::new());
            owners.len() - 1
        });
        owners[at].push(owner);
    }
    (keys, owners)
}
