//! Realistic fake people from a seed, shared by the tenant prefill and the engine's
//! directory generator.
//!
//! Uses `fake` over ChaCha8: `StdRng` is not portable across rand versions, ChaCha is, so a
//! seed gives the same people on every machine (with `Cargo.lock` pinning the crates).

use fake::Fake;
use fake::faker::address::en::CityName;
use fake::faker::company::en::CompanyName;
use fake::faker::job::en::Title;
use fake::faker::name::en::{FirstName, LastName};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The seeded random generator used everywhere determinism matters.
pub(crate) type SeededRng = ChaCha8Rng;

/// A generator seeded with `seed`, for stream `stream` (independent streams per purpose).
pub(crate) fn rng(seed: u64, stream: u64) -> SeededRng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Departments of a typical mid-size company.
pub(crate) const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Human Resources",
    "Operations",
    "Customer Success",
    "Legal",
    "Product",
    "Facilities",
    "Retail",
    "Logistics",
];

/// BCP 47 locales Blink users pick.
pub(crate) const LOCALES: &[&str] = &[
    "en-GB", "en-US", "fr-FR", "de-DE", "es-ES", "nl-NL", "it-IT",
];

/// A fake person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Person {
    /// Given name.
    pub given_name: String,
    /// Family name.
    pub family_name: String,
    /// Mail alias, unique within one generation run (`ada.lovelace`, `ada.lovelace2`).
    pub alias: String,
    /// Job title.
    pub title: String,
    /// Department.
    pub department: String,
    /// Company name.
    pub company: String,
    /// Office city.
    pub city: String,
    /// Work phone, E.164-like.
    pub work_phone: String,
    /// Mobile phone, E.164-like.
    pub mobile_phone: String,
    /// Employee number.
    pub employee_number: String,
    /// Preferred locale.
    pub locale: String,
}

/// Generates people one at a time, keeping aliases unique.
pub(crate) struct PeopleGenerator {
    rng: SeededRng,
    company: String,
    /// Per alias hash, how many people got that alias (hashes, not strings: a million
    /// people would otherwise leave tens of megabytes of small strings behind).
    seen: std::collections::HashMap<u64, u32>,
    count: u64,
}

impl PeopleGenerator {
    /// A generator for `seed`; every person works for the same company.
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = rng(seed, 1);
        let company = CompanyName().fake_with_rng(&mut rng);
        PeopleGenerator {
            rng,
            company,
            seen: Default::default(),
            count: 0,
        }
    }

    /// The company everyone works for.
    pub(crate) fn company(&self) -> &str {
        &self.company
    }

    /// The next person.
    pub(crate) fn next_person(&mut self) -> Person {
        let rng = &mut self.rng;
        let given_name: String = FirstName().fake_with_rng(rng);
        let family_name: String = LastName().fake_with_rng(rng);
        let base = format!("{}.{}", ascii_alias(&given_name), ascii_alias(&family_name));
        let key = base.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let n = self.seen.entry(key).or_insert(0);
        *n += 1;
        let alias = if *n == 1 { base } else { format!("{base}{n}") };
        self.count += 1;
        Person {
            title: Title().fake_with_rng(rng),
            department: DEPARTMENTS[rng.random_range(0..DEPARTMENTS.len())].to_string(),
            company: self.company.clone(),
            city: CityName().fake_with_rng(rng),
            work_phone: format!("+1 425 555 {:04}", rng.random_range(0..10_000)),
            mobile_phone: format!(
                "+1 206 {:03} {:04}",
                rng.random_range(200..1000),
                rng.random_range(0..10_000)
            ),
            employee_number: format!("{:06}", 100_000 + self.count),
            locale: LOCALES[rng.random_range(0..LOCALES.len())].to_string(),
            given_name,
            family_name,
            alias,
        }
    }
}

/// A mail domain from a company name: "Bashirian and Reinger Inc" -> "bashirianreinger.example".
pub(crate) fn domain_of(company: &str) -> String {
    let words: String = company
        .split_whitespace()
        .filter(|w| {
            !matches!(
                w.to_ascii_lowercase().as_str(),
                "and" | "inc" | "llc" | "group" | "ltd" | "-"
            )
        })
        .flat_map(|w| {
            w.chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
        })
        .collect();
    format!(
        "{}.example",
        if words.is_empty() { "contoso" } else { &words }
    )
}

/// Lower-case ASCII letters of a name, for mail aliases ("O'Hara" -> "ohara").
fn ascii_alias(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_people_unique_aliases() {
        let a: Vec<Person> = {
            let mut g = PeopleGenerator::new(7);
            (0..500).map(|_| g.next_person()).collect()
        };
        let b: Vec<Person> = {
            let mut g = PeopleGenerator::new(7);
            (0..500).map(|_| g.next_person()).collect()
        };
        assert_eq!(a, b);
        let aliases: std::collections::HashSet<_> = a.iter().map(|p| &p.alias).collect();
        assert_eq!(aliases.len(), a.len());
        assert_eq!(domain_of("Friesen Group"), "friesen.example");
        let mut c = PeopleGenerator::new(8);
        assert_ne!(c.next_person(), a[0]);
    }
}
