//! `Guid()` and `RandomString(...)`, drawn from the evaluation's seeded generator.

use rand::{Rng, RngExt};

use super::super::eval::Ctx;
use super::super::limits::MAX_RANDOM_STRING_CHARS;
use super::super::value::Value;
use super::convert::{self, text_or_empty};
use super::{Args, FnResult};

/// A version-4 GUID in lower-case hyphenated form (ref §6.3 sample
/// "00aa00aa-bb11-cc22-dd33-44ee44ee44ee"), deterministic from the seed and call order.
pub(super) fn guid(ctx: &mut Ctx<'_, '_>) -> Value {
    let mut b = [0u8; 16];
    ctx.rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    let part = |from: usize, to: usize| hex.get(from..to).unwrap_or_default();
    Value::String(format!(
        "{}-{}-{}-{}-{}",
        part(0, 8),
        part(8, 12),
        part(12, 16),
        part(16, 20),
        part(20, 32)
    ))
}

/// Special characters allowed by the Windows password-complexity reference that the upstream
/// doc links for RandomString.
const SPECIAL: &str = "~!@#$%^&*_-+=`|\\(){}[]:;\"'<>,.?/";

/// `RandomString(length, minimumNumbers, minimumSpecialCharacters, minimumCapital,
/// minimumLowerCase, charactersToAvoid)` (ref §6.3: "256 characters max; last param optional").
/// The minimums are met exactly-or-more, the rest is drawn from all allowed characters, then
/// the whole is shuffled. Lengths over 256, negative counts, minimums adding up to more than
/// the length, or a required class emptied by `charactersToAvoid` are errors.
pub(super) fn random_string(ctx: &mut Ctx<'_, '_>, args: &Args) -> FnResult {
    let names = [
        "length",
        "minimumNumbers",
        "minimumSpecialCharacters",
        "minimumCapital",
        "minimumLowerCase",
    ];
    let mut counts = [0usize; 5];
    for (i, (name, slot)) in names.iter().zip(counts.iter_mut()).enumerate() {
        let n = convert::required_int(args.get(i), name)?;
        *slot = usize::try_from(n).map_err(|_| format!("{name} must be ≥ 0, got {n}"))?;
    }
    let [length, minimums @ ..] = counts;
    if length > MAX_RANDOM_STRING_CHARS {
        return Err(format!(
            "length must be at most {MAX_RANDOM_STRING_CHARS}, got {length}"
        ));
    }
    let required: usize = minimums.iter().fold(0usize, |a, b| a.saturating_add(*b));
    if required > length {
        return Err(format!(
            "the minimums add up to {required}, more than the length {length}"
        ));
    }
    let avoid: Vec<char> = text_or_empty(args.get(5))?.chars().collect();
    let pool = |all: &str| -> Vec<char> { all.chars().filter(|c| !avoid.contains(c)).collect() };
    let classes = [
        pool("0123456789"),
        pool(SPECIAL),
        pool("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        pool("abcdefghijklmnopqrstuvwxyz"),
    ];
    let mut out: Vec<char> = Vec::with_capacity(length);
    for ((class, minimum), name) in classes.iter().zip(minimums).zip(names.iter().skip(1)) {
        if minimum > 0 && class.is_empty() {
            return Err(format!(
                "{name} can't be met: all its characters are avoided"
            ));
        }
        for _ in 0..minimum {
            out.push(pick(ctx, class));
        }
    }
    let everything: Vec<char> = classes.concat();
    let rest = length.saturating_sub(out.len());
    if rest > 0 && everything.is_empty() {
        return Err("every allowed character is avoided".into());
    }
    for _ in 0..rest {
        out.push(pick(ctx, &everything));
    }
    // Fisher-Yates shuffle.
    for i in (1..out.len()).rev() {
        let j = ctx.rng.random_range(0..=i);
        out.swap(i, j);
    }
    Ok(Value::String(out.into_iter().collect()))
}

/// A random character of a non-empty class (callers check emptiness).
fn pick(ctx: &mut Ctx<'_, '_>, class: &[char]) -> char {
    if class.is_empty() {
        return '?';
    }
    let i = ctx.rng.random_range(0..class.len());
    class.get(i).copied().unwrap_or('?')
}
