//! Bounds that keep parsing and evaluation finite and small whatever the input.
//!
//! Only [`MAX_EXPRESSION_CHARS`] and [`MAX_RANDOM_STRING_CHARS`] come from the reference;
//! the others are the simulator's own guards, far above what real attribute values need
//! (Entra ID string attributes are at most a few KiB).

/// Longest accepted expression, in characters (ref §4.5: "Attribute-mapping expressions can
/// have a maximum of 10,000 characters").
pub(crate) const MAX_EXPRESSION_CHARS: usize = 10_000;

/// Deepest nesting of function calls accepted by the parser; deeper input is a parse error,
/// never a stack overflow.
pub(crate) const MAX_CALL_DEPTH: usize = 64;

/// Longest string value (in bytes) a source attribute or a function may produce; longer is an
/// evaluation error.
pub(crate) const MAX_STRING_BYTES: usize = 64 * 1024;

/// Most items a multi-valued value may hold.
pub(crate) const MAX_MULTI_ITEMS: usize = 4_096;

/// Total bytes one evaluation may read and write through string functions, so that an
/// expression of 10,000 characters cannot multiply work without bound.
pub(crate) const EVAL_BUDGET_BYTES: usize = 16 * 1024 * 1024;

/// Longest `RandomString` (ref §6.3 RandomString: "256 characters max").
pub(crate) const MAX_RANDOM_STRING_CHARS: usize = 256;

/// Compiled-program size limit handed to `regex::RegexBuilder::size_limit`.
pub(crate) const REGEX_SIZE_LIMIT: usize = 512 * 1024;

/// Size classes tried in turn when compiling a pattern; the first that fits is its weight in
/// the regex work budget. The last is [`REGEX_SIZE_LIMIT`].
pub(crate) const REGEX_SIZE_CLASSES: [usize; 5] =
    [4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024, REGEX_SIZE_LIMIT];

/// Regex work one evaluation may do, in input bytes × pattern size class. The measured worst
/// case (a pattern of the largest classes whose lazy DFA gives up) costs about 70 ms per 10^9
/// units in a release build, so matching stays near 0.3 s per evaluation at most, while
/// ordinary patterns on attribute-sized inputs use a tiny fraction.
pub(crate) const REGEX_WORK_BUDGET: usize = 4 * 1024 * 1024 * 1024;

/// Regex work units charged per pattern compiled (about the time of compiling the largest
/// class): at most 64 compilations per evaluation.
pub(crate) const REGEX_COMPILE_COST: usize = REGEX_WORK_BUDGET / 64;

/// Lazy-DFA cache limit handed to `regex::RegexBuilder::dfa_size_limit`.
pub(crate) const REGEX_DFA_SIZE_LIMIT: usize = 2 * 1024 * 1024;

/// Distinct regex patterns one evaluation keeps compiled.
pub(crate) const REGEX_CACHE_ENTRIES: usize = 16;
