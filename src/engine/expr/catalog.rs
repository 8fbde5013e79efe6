//! The functions of the language: names, argument counts and documented signatures.

/// A function of the expression language (ref §6.3 "List of Functions", 43 entries, plus
/// `AssertiveAppRoleAssignmentsComplex` from ref §6.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
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

impl Function {
    /// Every function, in the reference's order.
    pub const ALL: [Function; 44] = {
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
        use Function::*;
        match self {
            Append => ("Append", 2, Some(2), "Append(source, suffix)"),
            AppRoleAssignmentsComplex => (
                "AppRoleAssignmentsComplex",
                1,
                Some(1),
                "AppRoleAssignmentsComplex([appRoleAssignments])",
            ),
            AssertiveAppRoleAssignmentsComplex => (
                "AssertiveAppRoleAssignmentsComplex",
                1,
                Some(1),
                "AssertiveAppRoleAssignmentsComplex([appRoleAssignments])",
            ),
            BitAnd => ("BitAnd", 2, Some(2), "BitAnd(value1, value2)"),
            CBool => ("CBool", 1, Some(1), "CBool(expression)"),
            CDate => ("CDate", 1, Some(1), "CDate(expression)"),
            Coalesce => (
                "Coalesce",
                1,
                None,
                "Coalesce(source1, source2, ..., defaultValue)",
            ),
            ConvertToBase64 => ("ConvertToBase64", 1, Some(1), "ConvertToBase64(source)"),
            ConvertToUTF8Hex => ("ConvertToUTF8Hex", 1, Some(1), "ConvertToUTF8Hex(source)"),
            Count => ("Count", 1, Some(1), "Count(attribute)"),
            CStr => ("CStr", 1, Some(1), "CStr(value)"),
            DateAdd => ("DateAdd", 3, Some(3), "DateAdd(interval, value, dateTime)"),
            DateDiff => ("DateDiff", 3, Some(3), "DateDiff(interval, date1, date2)"),
            DateFromNum => ("DateFromNum", 1, Some(1), "DateFromNum(value)"),
            // 3 arguments = the older documented form FormatDateTime(source, inputFormat, outputFormat).
            FormatDateTime => (
                "FormatDateTime",
                3,
                Some(4),
                "FormatDateTime(source, dateTimeStyles, inputFormat, outputFormat)",
            ),
            Guid => ("Guid", 0, Some(0), "Guid()"),
            IgnoreFlowIfNullOrEmpty => (
                "IgnoreFlowIfNullOrEmpty",
                1,
                Some(1),
                "IgnoreFlowIfNullOrEmpty(expression)",
            ),
            IIF => (
                "IIF",
                3,
                Some(3),
                "IIF(condition, valueIfTrue, valueIfFalse)",
            ),
            InStr => (
                "InStr",
                2,
                Some(4),
                "InStr(value1, value2, start, compareType)",
            ),
            IsNull => ("IsNull", 1, Some(1), "IsNull(expression)"),
            IsNullOrEmpty => ("IsNullOrEmpty", 1, Some(1), "IsNullOrEmpty(expression)"),
            IsPresent => ("IsPresent", 1, Some(1), "IsPresent(expression)"),
            IsString => ("IsString", 1, Some(1), "IsString(expression)"),
            Item => ("Item", 2, Some(2), "Item(attribute, index)"),
            Join => ("Join", 2, None, "Join(separator, source1, source2, ...)"),
            Left => ("Left", 2, Some(2), "Left(string, numChars)"),
            Mid => ("Mid", 3, Some(3), "Mid(source, start, length)"),
            NormalizeDiacritics => (
                "NormalizeDiacritics",
                1,
                Some(1),
                "NormalizeDiacritics(source)",
            ),
            Not => ("Not", 1, Some(1), "Not(source)"),
            Now => ("Now", 0, Some(0), "Now()"),
            NumFromDate => ("NumFromDate", 1, Some(1), "NumFromDate(value)"),
            PCase => ("PCase", 1, Some(2), "PCase(source, wordSeparators)"),
            RandomString => (
                "RandomString",
                5,
                Some(6),
                "RandomString(length, minimumNumbers, minimumSpecialCharacters, minimumCapital, minimumLowerCase, charactersToAvoid)",
            ),
            Redact => ("Redact", 1, Some(1), "Redact(value)"),
            RemoveDuplicates => (
                "RemoveDuplicates",
                1,
                Some(1),
                "RemoveDuplicates(attribute)",
            ),
            // Every documented Replace example spells out all seven positions.
            Replace => (
                "Replace",
                7,
                Some(7),
                "Replace(source, oldValue, regexPattern, regexGroupName, replacementValue, replacementAttributeName, template)",
            ),
            SelectUniqueValue => (
                "SelectUniqueValue",
                2,
                None,
                "SelectUniqueValue(uniqueValueRule1, uniqueValueRule2, ...)",
            ),
            SingleAppRoleAssignment => (
                "SingleAppRoleAssignment",
                1,
                Some(1),
                "SingleAppRoleAssignment([appRoleAssignments])",
            ),
            Split => ("Split", 2, Some(2), "Split(source, delimiter)"),
            StripSpaces => ("StripSpaces", 1, Some(1), "StripSpaces(source)"),
            Switch => (
                "Switch",
                4,
                None,
                "Switch(source, defaultValue, key1, value1, key2, value2, ...)",
            ),
            ToLower => ("ToLower", 1, Some(2), "ToLower(source, culture)"),
            ToUpper => ("ToUpper", 1, Some(2), "ToUpper(source, culture)"),
            Word => ("Word", 3, Some(3), "Word(string, wordNumber, delimiters)"),
        }
    }

    /// The function's name as written in expressions (case-sensitive).
    pub fn name(self) -> &'static str {
        self.spec().0
    }

    /// Fewest arguments accepted.
    pub fn min_args(self) -> usize {
        self.spec().1
    }

    /// Most arguments accepted; `None` when the function is variadic.
    pub fn max_args(self) -> Option<usize> {
        self.spec().2
    }

    /// The documented signature, quoted in arity errors.
    pub fn signature(self) -> &'static str {
        self.spec().3
    }

    /// The function of that exact name ("The syntax is case-sensitive", ref §6.3).
    pub fn from_name(name: &str) -> Option<Function> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// A function whose name differs from `name` only in letter case, for "did you mean" hints.
    pub fn suggest(name: &str) -> Option<Function> {
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// Whether the function reads the user's app-role assignments (ref §6.2).
    pub fn is_role_function(self) -> bool {
        matches!(
            self,
            Function::SingleAppRoleAssignment
                | Function::AppRoleAssignmentsComplex
                | Function::AssertiveAppRoleAssignmentsComplex
        )
    }

    /// Whether `count` arguments are acceptable (including Switch's even-count rule).
    pub fn accepts_arg_count(self, count: usize) -> bool {
        let within = count >= self.min_args() && self.max_args().is_none_or(|max| count <= max);
        // ref §6.3 Switch: "The function always expects an even number of parameters."
        within && (self != Function::Switch || count.is_multiple_of(2))
    }
}
