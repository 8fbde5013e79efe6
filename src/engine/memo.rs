//! Per-thread memo tables for values derived from short configuration strings (target paths,
//! scoping regexes) that the engine reads for every user of every cycle.

use std::cell::RefCell;
use std::thread::LocalKey;

/// A per-thread table from a key to the value derived from it.
pub(crate) type Memo<T> = RefCell<foldhash::HashMap<String, T>>;

/// The value for `key` in `table`, made by `make` on first use. The table is emptied when it
/// holds `limit` entries, so arbitrary keys cannot grow it without bound.
pub(crate) fn memoised<T: Clone>(
    table: &'static LocalKey<Memo<T>>,
    key: &str,
    limit: usize,
    make: impl FnOnce(&str) -> T,
) -> T {
    table.with(|cache| {
        if let Some(found) = cache.borrow().get(key) {
            return found.clone();
        }
        let made = make(key);
        let mut cache = cache.borrow_mut();
        if cache.len() >= limit {
            cache.clear();
        }
        cache.insert(key.to_string(), made.clone());
        made
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static SQUARES: Memo<usize> = RefCell::new(foldhash::HashMap::default());
        static MADE: Cell<usize> = const { Cell::new(0) };
    }

    fn square_len(key: &str) -> usize {
        memoised(&SQUARES, key, 2, |k| {
            MADE.set(MADE.get() + 1);
            k.len() * k.len()
        })
    }

    #[test]
    fn values_are_made_once_and_the_table_stays_bounded() {
        assert_eq!(square_len("abc"), 9);
        assert_eq!(square_len("abc"), 9);
        assert_eq!(MADE.get(), 1);
        square_len("de");
        square_len("f"); // the third key empties the table first
        assert_eq!(SQUARES.with(|t| t.borrow().len()), 1);
        assert_eq!(square_len("abc"), 9);
        assert_eq!(MADE.get(), 4);
    }
}
