//! The functions of the language: names, argument counts and documented signatures.

/// A function of the expression language (ref §6.3 "List of Functions", 43 entries, plus
/// `AssertiveAppRoleAssignmentsComplex` from ref §6.2).
// Variants are spelled as Microsoft spells the functions (`IIF`, `CBool`).
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Function {
    /// `Append(source, suffix)`
    Append,
    /// `AppRoleAssignmentsComplex([appRoleAssignments])`
    AppRoleAssignmentsComplex,
    /// `AssertiveAppRoleAssignmentsComplex([appRoleAssignments])`
    AssertiveAppRoleAssignmentsComplex,
    /// `BitAnd(value1, value2)`
    BitAnd,
    /// `CBool(expression)`
    CBool,
    /// `CDate(expression)`
    CDate,
    /// `Coalesce(source1, source2, ..., defaultValue)`
    Coalesce,
    /// `ConvertToBase64(source)`
    ConvertToBase64,
    /// `ConvertToUTF8Hex(source)`
    ConvertToUTF8Hex,
    /// `Count(attribute)`
    Count,
    /// `CStr(value)`
    CStr,
    /// `DateAdd(interval, value, dateTime)`
    DateAdd,
    /// `DateDiff(interval, date1, date2)`
    DateDiff,
    /// `DateFromNum(value)`
    DateFromNum,
    /// `FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)`
    FormatDateTime,
    /// `Guid()`
    Guid,
    /// `IgnoreFlowIfNullOrEmpty(expression)`
    IgnoreFlowIfNullOrEmpty,
    /// `IIF(condition, valueIfTrue, valueIfFalse)`
    IIF,
    /// `InStr(value1, value2, start, compareType)`
    InStr,
    /// `IsNull(expression)`
    IsNull,
    /// `IsNullOrEmpty(expression)`
    IsNullOrEmpty,
    /// `IsPresent(expression)`
    IsPresent,
    /// `IsString(expression)`
    IsString,
    /// `Item(attribute, index)`
    Item,
    /// `Join(separator, source1, source2, ...)`
    Join,
    /// `Left(string, numChars)`
    Left,
    /// `Mid(source, start, length)`
    Mid,
    /// `NormalizeDiacritics(source)`
    NormalizeDiacritics,
    /// `Not(source)`
    Not,
    /// `Now()`
    Now,
    /// `NumFromDate(value)`
    NumFromDate,
    /// `PCase(source, wordSeparators)`
    PCase,
    /// `RandomString(length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase, charactersToAvoid)`
    RandomString,
    /// `Redact(value)`
    Redact,
    /// `RemoveDuplicates(attribute)`
    RemoveDuplicates,
    /// `Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)`
    Replace,
    /// `SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, ...)`
    SelectUniqueValue,
    /// `SingleAppRoleAssignment([appRoleAssignments])`
    SingleAppRoleAssignment,
    /// `Split(source, delimiter)`
    Split,
    /// `StripSpaces(source)`
    StripSpaces,
    /// `Switch(source, defaultValue, key1, value1, key2, value2, ...)`
    Switch,
    /// `ToLower(source, culture)`
    ToLower,
    /// `ToUpper(source, culture)`
    ToUpper,
    /// `Word(string, wordNumber, delimiters)`
    Word,
}

/// Name, minimum and maximum argument count (None = unbounded), documented signature.
type Spec = (&'static str, usize, Option<usize>, &'static str);

/// Name, fewest and most arguments, and documented signature, in [`Function::ALL`] order.
const SPECS: [Spec; 44] = [
    ("Append", 2, Some(2), "Append(source, suffix)"),
    (
        "AppRoleAssignmentsComplex",
        1,
        Some(1),
        "AppRoleAssignmentsComplex([appRoleAssignments])",
    ),
    (
        "AssertiveAppRoleAssignmentsComplex",
        1,
        Some(1),
        "AssertiveAppRoleAssignmentsComplex([appRoleAssignments])",
    ),
    ("BitAnd", 2, Some(2), "BitAnd(value1, value2)"),
    ("CBool", 1, Some(1), "CBool(expression)"),
    ("CDate", 1, Some(1), "CDate(expression)"),
    (
        "Coalesce",
        1,
        None,
        "Coalesce(source1, source2, ..., defaultValue)",
    ),
    ("ConvertToBase64", 1, Some(1), "ConvertToBase64(source)"),
    ("ConvertToUTF8Hex", 1, Some(1), "ConvertToUTF8Hex(source)"),
    ("Count", 1, Some(1), "Count(attribute)"),
    ("CStr", 1, Some(1), "CStr(value)"),
    ("DateAdd", 3, Some(3), "DateAdd(interval, value, dateTime)"),
    ("DateDiff", 3, Some(3), "DateDiff(interval, date1, date2)"),
    ("DateFromNum", 1, Some(1), "DateFromNum(value)"),
    // 3 arguments = the older documented form FormatDateTime(source, inputFormat, outputFormat).
    (
        "FormatDateTime",
        3,
        Some(4),
        "FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)",
    ),
    ("Guid", 0, Some(0), "Guid()"),
    (
        "IgnoreFlowIfNullOrEmpty",
        1,
        Some(1),
        "IgnoreFlowIfNullOrEmpty(expression)",
    ),
    (
        "IIF",
        3,
        Some(3),
        "IIF(condition, valueIfTrue, valueIfFalse)",
    ),
    (
        "InStr",
        2,
        Some(4),
        "InStr(value1, value2, start, compareType)",
    ),
    ("IsNull", 1, Some(1), "IsNull(expression)"),
    ("IsNullOrEmpty", 1, Some(1), "IsNullOrEmpty(expression)"),
    ("IsPresent", 1, Some(1), "IsPresent(expression)"),
    ("IsString", 1, Some(1), "IsString(expression)"),
    ("Item", 2, Some(2), "Item(attribute, index)"),
    ("Join", 2, None, "Join(separator, source1, source2, ...)"),
    ("Left", 2, Some(2), "Left(string, numChars)"),
    ("Mid", 3, Some(3), "Mid(source, start, length)"),
    (
        "NormalizeDiacritics",
        1,
        Some(1),
        "NormalizeDiacritics(source)",
    ),
    ("Not", 1, Some(1), "Not(source)"),
    ("Now", 0, Some(0), "Now()"),
    ("NumFromDate", 1, Some(1), "NumFromDate(value)"),
    ("PCase", 1, Some(2), "PCase(source, wordSeparators)"),
    (
        "RandomString",
        5,
        Some(6),
        "RandomString(length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase, charactersToAvoid)",
    ),
    ("Redact", 1, Some(1), "Redact(value)"),
    (
        "RemoveDuplicates",
        1,
        Some(1),
        "RemoveDuplicates(attribute)",
    ),
    // Every documented Replace example spells out all seven positions.
    (
        "Replace",
        7,
        Some(7),
        "Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)",
    ),
    (
        "SelectUniqueValue",
        2,
        None,
        "SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, ...)",
    ),
    (
        "SingleAppRoleAssignment",
        1,
        Some(1),
        "SingleAppRoleAssignment([appRoleAssignments])",
    ),
    ("Split", 2, Some(2), "Split(source, delimiter)"),
    ("StripSpaces", 1, Some(1), "StripSpaces(source)"),
    (
        "Switch",
        4,
        None,
        "Switch(source, defaultValue, key1, value1, key2, value2, ...)",
    ),
    ("ToLower", 1, Some(2), "ToLower(source, culture)"),
    ("ToUpper", 1, Some(2), "ToUpper(source, culture)"),
    ("Word", 3, Some(3), "Word(string, wordNumber, delimiters)"),
];

impl Function {
    /// Every function, in the reference's order.
    pub(crate) const ALL: [Function; 44] = {
        use Function::*;
        [
            Append,
            AppRoleAssignmentsComplex,
            AssertiveAppRoleAssignmentsComplex,
            BitAnd,
            CBool,
            CDate,
            Coalesce,
            ConvertToBase64,
            ConvertToUTF8Hex,
            Count,
            CStr,
            DateAdd,
            DateDiff,
            DateFromNum,
            FormatDateTime,
            Guid,
            IgnoreFlowIfNullOrEmpty,
            IIF,
            InStr,
            IsNull,
            IsNullOrEmpty,
            IsPresent,
            IsString,
            Item,
            Join,
            Left,
            Mid,
            NormalizeDiacritics,
            Not,
            Now,
            NumFromDate,
            PCase,
            RandomString,
            Redact,
            RemoveDuplicates,
            Replace,
            SelectUniqueValue,
            SingleAppRoleAssignment,
            Split,
            StripSpaces,
            Switch,
            ToLower,
            ToUpper,
            Word,
        ]
    };

    fn spec(self) -> Spec {
        // `ALL` and `SPECS` follow the declaration order (checked by a test), so every
        // function has its entry.
        SPECS
            .get(self as usize)
            .copied()
            .unwrap_or(("", 0, None, ""))
    }

    /// The function's name as written in expressions (case-sensitive).
    pub(crate) fn name(self) -> &'static str {
        self.spec().0
    }

    /// Fewest arguments accepted.
    pub(crate) fn min_args(self) -> usize {
        self.spec().1
    }

    /// Most arguments accepted; `None` when the function is variadic.
    pub(crate) fn max_args(self) -> Option<usize> {
        self.spec().2
    }

    /// The documented signature, quoted in arity errors.
    pub(crate) fn signature(self) -> &'static str {
        self.spec().3
    }

    /// The function of that exact name ("The syntax is case-sensitive", ref §6.3).
    pub(crate) fn from_name(name: &str) -> Option<Function> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// A function whose name differs from `name` only in letter case, for "did you mean" hints.
    pub(crate) fn suggest(name: &str) -> Option<Function> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether the function reads the user's app-role assignments (ref §6.2).
    pub(crate) fn is_role_function(self) -> bool {
        matches!(
            self,
            Function::SingleAppRoleAssignment
                | Function::AppRoleAssignmentsComplex
                | Function::AssertiveAppRoleAssignmentsComplex
        )
    }

    /// Whether `count` arguments are acceptable (including Switch's even-count rule).
    pub(crate) fn accepts_arg_count(self, count: usize) -> bool {
        let within = count >= self.min_args() && self.max_args().is_none_or(|max| count <= max);
        // ref §6.3 Switch: "The function always expects an even number of parameters."
        within && (self != Function::Switch || count.is_multiple_of(2))
    }
}

#[cfg(test)]
mod spec_order {
    use super::Function;

    #[test]
    fn the_spec_table_follows_the_declaration_order() {
        for (i, f) in Function::ALL.into_iter().enumerate() {
            assert_eq!(f as usize, i);
            assert_eq!(format!("{f:?}"), f.name());
        }
    }
}
