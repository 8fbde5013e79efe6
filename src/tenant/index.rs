//! Secondary indexes keyed by a 32-bit hash of the (case-folded) value.
//!
//! Storing hashes instead of strings keeps a million-user index small; a hash collision
//! only adds a candidate, which the caller verifies against the user. The first id filed
//! under a hash lives in one map, 20 bytes an entry (a map to "one id or a `Vec`" cost 40);
//! the rare further ids under the same hash (equal values, collisions) live in a second.

use crate::scim::fold::fold;
use std::collections::HashMap;
use std::collections::hash_map::{Entry, RandomState};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use uuid::Uuid;

/// Spreads a 32-bit key over 64 bits (the table takes its slot from the low bits and a
/// tag from the top ones), with a multiplication that keeps distinct keys distinct.
#[derive(Default)]
pub(super) struct Spread(u64);

impl Hasher for Spread {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
        self.0 = self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type Map<V> = HashMap<u32, V, BuildHasherDefault<Spread>>;

/// A multimap from a string value to user ids.
#[derive(Debug)]
pub(super) struct ValueIndex {
    fold_case: bool,
    hasher: RandomState,
    /// The first id filed under each hash.
    first: Map<Uuid>,
    /// The ids filed after it, in filing order; only hashes that are in `first`.
    more: Map<Vec<Uuid>>,
}

impl ValueIndex {
    /// An index; `fold_case` makes lookups case-insensitive.
    pub(super) fn new(fold_case: bool) -> Self {
        ValueIndex {
            fold_case,
            hasher: RandomState::new(),
            first: Map::default(),
            more: Map::default(),
        }
    }

    fn key(&self, value: &str) -> u32 {
        let mut h = self.hasher.build_hasher();
        if self.fold_case {
            h.write(fold(value).as_bytes());
        } else {
            h.write(value.as_bytes());
        }
        // The low half of SipHash: uniform, and a collision only costs a check.
        h.finish() as u32
    }

    /// Files `id` under `value`.
    pub(super) fn insert(&mut self, value: &str, id: Uuid) {
        let key = self.key(value);
        match self.first.entry(key) {
            Entry::Vacant(slot) => {
                slot.insert(id);
            }
            Entry::Occupied(slot) if *slot.get() == id => {}
            Entry::Occupied(_) => {
                let ids = self.more.entry(key).or_default();
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
    }

    /// Removes `id` from under `value`.
    pub(super) fn remove(&mut self, value: &str, id: Uuid) {
        let key = self.key(value);
        let Some(first) = self.first.get_mut(&key) else {
            return;
        };
        let Some(ids) = self.more.get_mut(&key) else {
            if *first == id {
                self.first.remove(&key);
            }
            return;
        };
        if *first == id {
            // The next id moves up, so `more` never holds a hash `first` lacks.
            *first = ids.remove(0);
        } else {
            ids.retain(|x| *x != id);
        }
        if ids.is_empty() {
            self.more.remove(&key);
        }
    }

    /// The candidate ids for `value`, in filing order (verify each: hashes can collide).
    pub(super) fn get(&self, value: &str) -> impl Iterator<Item = Uuid> + '_ {
        let key = self.key(value);
        let first = self.first.get(&key).copied();
        let more = match first {
            Some(_) => self.more.get(&key).map_or(&[][..], Vec::as_slice),
            None => &[],
        };
        first.into_iter().chain(more.iter().copied())
    }

    /// Makes room for `additional` more values, so a prefill does not rehash as it grows.
    pub(super) fn reserve(&mut self, additional: usize) {
        self.first.reserve(additional);
    }

    /// Drops everything.
    pub(super) fn clear(&mut self) {
        self.first.clear();
        self.more.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(idx: &ValueIndex, value: &str) -> Vec<Uuid> {
        idx.get(value).collect()
    }

    #[test]
    fn folds_case_and_handles_multiples() {
        let mut idx = ValueIndex::new(true);
        let (a, b) = (Uuid::from_u128(1), Uuid::from_u128(2));
        idx.insert("Ada@X.com", a);
        idx.insert("ada@x.COM", b);
        assert_eq!(ids(&idx, "ADA@x.com"), [a, b]);
        idx.remove("ada@x.com", a);
        assert_eq!(ids(&idx, "ada@x.com"), [b]);
        idx.remove("ada@x.com", b);
        assert!(ids(&idx, "ada@x.com").is_empty());
        let mut exact = ValueIndex::new(false);
        exact.insert("Ext", a);
        assert!(ids(&exact, "ext").is_empty());
        assert_eq!(ids(&exact, "Ext"), [a]);
    }

    #[test]
    fn the_next_id_moves_up_when_the_first_goes() {
        let mut idx = ValueIndex::new(false);
        let [a, b, c] = [1, 2, 3].map(Uuid::from_u128);
        for id in [a, b, c, b] {
            idx.insert("dup", id);
        }
        assert_eq!(ids(&idx, "dup"), [a, b, c]);
        idx.remove("dup", Uuid::from_u128(9));
        idx.remove("other", a);
        assert_eq!(ids(&idx, "dup"), [a, b, c]);
        idx.remove("dup", b);
        assert_eq!(ids(&idx, "dup"), [a, c]);
        idx.remove("dup", a);
        assert_eq!(ids(&idx, "dup"), [c]);
        assert!(idx.more.is_empty(), "a lone id needs no second map");
        idx.insert("dup", a);
        idx.remove("dup", c);
        assert_eq!(ids(&idx, "dup"), [a]);
        idx.remove("dup", a);
        assert!(ids(&idx, "dup").is_empty());
        assert!(idx.first.is_empty() && idx.more.is_empty());
    }

    #[test]
    fn spread_keeps_keys_apart_and_fills_the_top_bits() {
        let spread = |n: u32| {
            let mut h = Spread::default();
            h.write_u32(n);
            h.finish()
        };
        assert_ne!(spread(1), spread(2));
        assert_ne!(spread(1) >> 57, 0);
    }
}
