//! The command line's exit statuses, one meaning each across commands.

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything held (0).
    Success,
    /// It ran, and something failed: an expectation, an expression, a load that stopped (1).
    Failed,
    /// Bad input or setup: nothing (more) ran (2).
    Malformed,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failed => 1,
            ExitStatus::Malformed => 2,
        }
    }

    /// The status of a code (`blinksim run` returns one); anything unknown is malformed.
    pub fn from_code(code: i32) -> ExitStatus {
        match code {
            0 => ExitStatus::Success,
            1 => ExitStatus::Failed,
            _ => ExitStatus::Malformed,
        }
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(status: ExitStatus) -> Self {
        std::process::ExitCode::from(status.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for status in [
            ExitStatus::Success,
            ExitStatus::Failed,
            ExitStatus::Malformed,
        ] {
            assert_eq!(ExitStatus::from_code(i32::from(status.code())), status);
        }
        assert_eq!(ExitStatus::from_code(-1), ExitStatus::Malformed);
    }
}
