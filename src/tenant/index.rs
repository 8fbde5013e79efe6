//! Secondary indexes keyed by a 64-bit hash of the (case-folded) value.
//!
//! Storing hashes instead of strings keeps a million-user index small; a hash collision
//! only adds a candidate, which the caller verifies against the user.

use crate::scim::fold::fold;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use uuid::Uuid;

/// The ids filed under one hash.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Ids {
    One(Uuid),
    Many(Vec<Uuid>),
}

/// Passes a precomputed 64-bit hash through unchanged.
#[derive(Default)]
pub(super) struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A multimap from a string value to user ids.
#[derive(Debug)]
pub(super) struct ValueIndex {
    fold_case: bool,
    hasher: std::collections::hash_map::RandomState,
    map: HashMap<u64, Ids, BuildHasherDefault<PassThrough>>,
}

impl ValueIndex {
    /// An index; `fold_case` makes lookups case-insensitive.
    pub(super) fn new(fold_case: bool) -> Self {
        ValueIndex {
            fold_case,
            hasher: Default::default(),
            map: Default::default(),
        }
    }

    fn key(&self, value: &str) -> u64 {
        let mut h = self.hasher.build_hasher();
        if self.fold_case {
            h.write(fold(value).as_bytes());
        } else {
            h.write(value.as_bytes());
        }
        h.finish()
    }

    /// Files `id` under `value`.
    pub(super) fn insert(&mut self, value: &str, id: Uuid) {
        let key = self.key(value);
        match self.map.get_mut(&key) {
            None => {
                self.map.insert(key, Ids::One(id));
            }
            Some(Ids::One(existing)) if *existing == id => {}
            Some(slot @ Ids::One(_)) => {
                if let Ids::One(existing) = *slot {
                    *slot = Ids::Many(vec![existing, id]);
                }
            }
            Some(Ids::Many(ids)) => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// Removes `id` from under `value`.
    pub(super) fn remove(&mut self, value: &str, id: Uuid) {
        let key = self.key(value);
        let emptied = match self.map.get_mut(&key) {
            Some(Ids::One(existing)) => *existing == id,
            Some(Ids::Many(ids)) => {
                ids.retain(|x| *x != id);
                if let [only] = ids.as_slice() {
                    let only = *only;
                    self.map.insert(key, Ids::One(only));
                }
                false
            }
            None => false,
        };
        if emptied {
            self.map.remove(&key);
        }
    }

    /// The candidate ids for `value` (verify each: hashes can collide).
    pub(super) fn get(&self, value: &str) -> &[Uuid] {
        match self.map.get(&self.key(value)) {
            Some(Ids::One(id)) => std::slice::from_ref(id),
            Some(Ids::Many(ids)) => ids,
            None => &[],
        }
    }

    /// Drops everything.
    pub(super) fn clear(&mut self) {
        self.map.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_handles_multiples() {
        let mut idx = ValueIndex::new(true);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        idx.insert("Ada@X.com", a);
        idx.insert("ada@x.COM", b);
        assert_eq!(idx.get("ADA@x.com"), &[a, b]);
        idx.remove("ada@x.com", a);
        assert_eq!(idx.get("ada@x.com"), &[b]);
        idx.remove("ada@x.com", b);
        assert!(idx.get("ada@x.com").is_empty());
        let mut exact = ValueIndex::new(false);
        exact.insert("Ext", a);
        assert!(exact.get("ext").is_empty());
        assert_eq!(exact.get("Ext"), &[a]);
    }
}
